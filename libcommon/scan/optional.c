/* optional.c: the front ends of mf-scan's optional modules (scan/module.h): scan/yara.h's,
 * scan/multi.h's and scan/pcap.h's functions, each first call of a load or open loading
 * its module, the rest calling through its table.  Built without a library, its load says
 * so instead. */
#include "config.h"
#include "scan/multi.h"
#include "scan/pcap.h"
#include "scan/yara.h"

#include <stdlib.h>
#include <mftools/mf.h>

/* ---- YARA (mf-scan-yara.so) ---- */

static const struct scan_yara_module *scan_yara_mod;

int
scan_yara_load(const char *path, struct scan_yara **out, char *errbuf)
{
	*out = NULL;
#ifdef HAVE_YARA
	if (scan_yara_mod == NULL && (scan_yara_mod = scan_module_load("yara", "YARA support", errbuf)) == NULL)
		return MF_ERR_UNSUPPORTED;
	return scan_yara_mod->load(path, out, errbuf);
#else
	(void)path;
	return mf_error(errbuf, MF_ERR_UNSUPPORTED, "YARA support not built (libyara missing)");
#endif
}

void
scan_yara_free(struct scan_yara *y)
{
	if (y != NULL)
		scan_yara_mod->free(y);
}

unsigned
scan_yara_max_threads(void)
{
	return scan_yara_mod != NULL ? scan_yara_mod->max_threads : UINT32_MAX;
}

int
scan_yara_run(const struct scan_yara *y, const uint8_t *buf, size_t n, scan_yara_fn cb, void *ctx)
{
	return scan_yara_mod->run(y, buf, n, cb, ctx);
}

/* ---- many patterns: Hyperscan (mf-scan-hs.so) ---- */

static const struct scan_multi_module *scan_multi_mod;

int
scan_multi_build(const struct scan_pat *pats, size_t n, struct scan_multi **out, char *errbuf)
{
	*out = NULL;
#ifdef HAVE_HS
	if (scan_multi_mod == NULL && (scan_multi_mod = scan_module_load("hs", "Hyperscan support", errbuf)) == NULL)
		return MF_ERR_UNSUPPORTED;
	return scan_multi_mod->build(pats, n, out, errbuf);
#else
	(void)pats;
	(void)n;
	return mf_error(errbuf, MF_ERR_UNSUPPORTED, "-F needs Hyperscan: this mf-scan was built without libhs");
#endif
}

void
scan_multi_free(struct scan_multi *m)
{
	if (m != NULL)
		scan_multi_mod->free(m);
}

int
scan_multi_run(struct scan_multi *m, const uint8_t *buf, size_t seg_start, size_t seg_end, size_t own_end,
               scan_multi_fn cb, void *ctx)
{
	return scan_multi_mod->run(m, buf, seg_start, seg_end, own_end, cb, ctx);
}

/* ---- the pcap writer: libpcap (mf-scan-pcap.so) ---- */

static const struct scan_pcap_module *scan_pcap_mod;

int
scan_pcap_load(char *errbuf)
{
	if (scan_pcap_mod == NULL && (scan_pcap_mod = scan_module_load("pcap", "pcap support", errbuf)) == NULL)
		return MF_ERR_UNSUPPORTED;
	return 0;
}

int
scan_pcap_open(FILE *fp, uint32_t snaplen, struct scan_pcap **out, char *errbuf)
{
	int r;

	*out = NULL;
	if ((r = scan_pcap_load(errbuf)) < 0) {
		fclose(fp);
		return r;
	}
	return scan_pcap_mod->open(fp, snaplen, out, errbuf);
}

void
scan_pcap_write(struct scan_pcap *p, const uint8_t *frame, uint32_t len)
{
	scan_pcap_mod->write(p, frame, len);
}

int
scan_pcap_close(struct scan_pcap *p)
{
	return scan_pcap_mod->close(p);
}
