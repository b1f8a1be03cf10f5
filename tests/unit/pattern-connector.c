/* pattern-connector.c: a test-only connector whose memory is a formula over the address,
 * with the ranges given as an argument ("ranges=0x1000-0x3000+0x8000-0x9000").  It counts
 * the entries it is asked for, so tests can see how the host split a batch.  It also
 * recognises files starting with "MFPATTERN" (probe), to test file detection. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mftools/plugin.h>

#define PATTERN_MAX_RANGES 64

struct pattern {
	struct mf_range r[PATTERN_MAX_RANGES];
	size_t n;
	int writable;
	unsigned char *shadow;   /* written bytes for [0, 64 KiB) */
};

/* read by the tests through dlsym */
__attribute__((visibility("default"))) unsigned long pattern_calls, pattern_entries;

static unsigned char
pattern_byte(uint64_t a)
{
	return (unsigned char)(a * 7 + (a >> 12));
}

static int
pattern_probe(const uint8_t *head, size_t len, uint64_t size)
{
	return len >= 9 && memcmp(head, "MFPATTERN", 9) == 0 ? 90 : 0;
}

static int
pattern_open(const struct mf_host *host, const struct mf_args *args, int writable, struct mf_hints *hints,
             void **handle, char *errbuf)
{
	const char *spec = host->arg(args, "ranges");
	struct pattern *p = calloc(1, sizeof *p);
	char *copy, *tok, *save = NULL;
	int r;

	if (p == NULL)
		return host->error(errbuf, MF_ERR_NOMEM, "out of memory");
	if (spec == NULL)
		spec = "0x0-0x100000";
	if ((copy = strdup(spec)) == NULL) {
		free(p);
		return host->error(errbuf, MF_ERR_NOMEM, "out of memory");
	}
	for (tok = strtok_r(copy, "+", &save); tok; tok = strtok_r(NULL, "+", &save)) {
		char *dash = strchr(tok, '-');
		uint64_t b, e;

		if (dash == NULL || p->n == PATTERN_MAX_RANGES) {
			r = host->error(errbuf, MF_ERR_ARG, "bad range '%s'", tok);
			goto fail;
		}
		*dash = '\0';
		if (host->parse_u64(tok, &b) < 0 || host->parse_u64(dash + 1, &e) < 0 || e <= b) {
			r = host->error(errbuf, MF_ERR_ARG, "bad range '%s'", tok);
			goto fail;
		}
		p->r[p->n].base = b;
		p->r[p->n].size = e - b;
		p->n++;
	}
	free(copy);
	p->writable = writable;
	host->hint_set_str(hints, "format", "pattern");
	host->hint_set_u64(hints, "ranges_given", p->n);
	*handle = p;
	return 0;
fail:
	free(copy);
	free(p);
	return r;
}

static void
pattern_close(void *h)
{
	struct pattern *p = h;

	free(p->shadow);
	free(p);
}

static int
pattern_inside(const struct pattern *p, uint64_t a, uint64_t len)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (a >= p->r[i].base && len <= p->r[i].size && a - p->r[i].base <= p->r[i].size - len)
			return 1;
	return 0;
}

static int
pattern_read(void *h, struct mf_iov *iov, size_t n, char *errbuf)
{
	struct pattern *p = h;
	size_t i;
	uint64_t j;

	pattern_calls++;
	for (i = 0; i < n; i++) {
		unsigned char *b = iov[i].buf;

		pattern_entries++;
		if (!pattern_inside(p, iov[i].addr, iov[i].len)) {
			/* the host must never send an entry that leaves a range */
			iov[i].err = MF_ERR_RANGE;
			continue;
		}
		for (j = 0; j < iov[i].len; j++) {
			uint64_t a = iov[i].addr + j;

			b[j] = p->shadow && a < 65536 ? p->shadow[a] : pattern_byte(a);
		}
		iov[i].err = 0;
	}
	return 0;
}

static int
pattern_write(void *h, struct mf_iov *iov, size_t n, char *errbuf)
{
	struct pattern *p = h;
	size_t i;
	uint64_t j;

	if (p->shadow == NULL) {
		if ((p->shadow = malloc(65536)) == NULL)
			return MF_ERR_NOMEM;
		for (j = 0; j < 65536; j++)
			p->shadow[j] = pattern_byte(j);
	}
	for (i = 0; i < n; i++) {
		if (!pattern_inside(p, iov[i].addr, iov[i].len) || iov[i].addr + iov[i].len > 65536) {
			iov[i].err = MF_ERR_RANGE;
			continue;
		}
		memcpy(p->shadow + iov[i].addr, iov[i].buf, iov[i].len);
		iov[i].err = 0;
	}
	return 0;
}

static size_t
pattern_ranges(void *h, const struct mf_range **out)
{
	struct pattern *p = h;

	*out = p->r;
	return p->n;
}

static const char *const pattern_keys[] = { "ranges", "path", NULL };

static const struct mf_connector pattern_connector = {
	MF_CONNECTOR_INIT,
	.name = "pattern",
	.description = "test memory computed from the address",
	.help = "  ranges=B-E+B-E   the physical ranges\n",
	.keys = pattern_keys,
	.flags = MF_CONN_FILE | MF_CONN_WRITE,
	.thread_model = MF_THREAD_SERIALIZE_ALL,   /* the call counters are global */
	.probe = pattern_probe,
	.open = pattern_open,
	.close = pattern_close,
	.read = pattern_read,
	.write = pattern_write,
	.ranges = pattern_ranges,
};

MF_REGISTER_CONNECTOR(pattern_connector)
