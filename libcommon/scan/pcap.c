/* pcap.c: the pcap writer of mf-scan --carve net through libpcap (pcap_dump_fopen on the
 * caller's file): the module mf-scan-pcap.so, its functions reached through scan/pcap.h's
 * (optional.c; see scan/module.h). */
#include "config.h"
#include "scan/pcap.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <pcap/pcap.h>
#include <mftools/mf.h>

struct scan_pcap {
	pcap_t *pd;
	pcap_dumper_t *dumper;
	FILE *fp;
};

static int
scan_pcap_start(FILE *fp, uint32_t snaplen, struct scan_pcap **out, char *errbuf)
{
	struct scan_pcap *p = calloc(1, sizeof *p);

	*out = NULL;
	if (p == NULL || (p->pd = pcap_open_dead(DLT_RAW, (int)snaplen)) == NULL) {
		free(p);
		fclose(fp);
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	}
	if ((p->dumper = pcap_dump_fopen(p->pd, fp)) == NULL) {
		int r = mf_error(errbuf, MF_ERR_IO, "%s", pcap_geterr(p->pd));

		pcap_close(p->pd);
		free(p);
		fclose(fp);
		return r;
	}
	p->fp = fp;
	*out = p;
	return 0;
}

static void
scan_pcap_frame(struct scan_pcap *p, const uint8_t *frame, uint32_t len)
{
	struct pcap_pkthdr h = { .caplen = len, .len = len };

	pcap_dump((u_char *)p->dumper, &h, frame);
}

static int
scan_pcap_finish(struct scan_pcap *p)
{
	bool failed = pcap_dump_flush(p->dumper) != 0 || ferror(p->fp);
	int e = errno;

	pcap_dump_close(p->dumper);   /* closes p->fp */
	pcap_close(p->pd);
	free(p);
	errno = e;
	return failed ? -1 : 0;
}

const struct scan_pcap_module scan_pcap_module = {
	.abi = SCAN_MODULE_ABI,
	.open = scan_pcap_start,
	.write = scan_pcap_frame,
	.close = scan_pcap_finish,
};
