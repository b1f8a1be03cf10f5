/* scan-carve.c: mf-scan --carve net -w FILE: the packet carver (libcommon/scan/carve.c)
 * over the selected spaces, a hit record per packet and the packets in a pcap file.
 *
 * The pcap is LINKTYPE_RAW (DLT_RAW: each packet starts with its IPv4 or IPv6 header), for
 * every packet: a packet found in an Ethernet II frame is written without its 14-byte
 * Ethernet header (its MAC addresses are in the hit record), so that one file holds every
 * packet in address order; frame N of the pcap is the hit with "frame" N.  Packets carry
 * no time in memory: every timestamp is 0.  The file is written under a temporary name
 * and renamed when complete (an existing file is replaced).
 *
 * Each region is read in chunks of --chunk bytes plus an overlap of the longest frame (so
 * a packet that starts in a chunk is whole in its buffer) and a lookbehind of an Ethernet
 * header (so a frame whose IP header starts a chunk keeps it); the carver runs over each
 * readable run, and a packet must lie whole in one. */
#include "config.h"
#include "scan-tool.h"
#include "scan/carve.h"
#include "scan/pcap.h"
#include "snapshot/output.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CARVE_OVERLAP (((CARVE_FRAME_MAX + SCAN_PAGE - 1) / SCAN_PAGE) * SCAN_PAGE)
#define CARVE_LOOKBEHIND CARVE_ETHER_LEN
#define CARVE_SNAPLEN 262144

struct scan_carve {
	struct scan_state *st;
	uint8_t *buf;
	size_t *runs;                 /* readable runs of the chunk: [runs[2i], runs[2i+1]) */
	size_t nruns, capruns;
	uint64_t lo;                  /* the address of buf[0] */
	void *space;
	struct scan_pcap *pcap;
	struct snap_out *out;
	uint64_t frames;
	bool done;                    /* --max-hits reached */
	struct mf_progress *progress; /* the progress line, or NULL */
};

void
scan_carve_opts(struct scan_state *st, bool patterns, bool typed, const char *operand)
{
	struct tool *tl = st->tl;

	if (st->carve == NULL)
		tool_usage_error(tl, "-w goes with --carve net");
	if (strcmp(st->carve, "net") != 0)
		tool_usage_error(tl, "unknown carver '%s' (net)", st->carve);
	if (patterns || typed || st->yara_file != NULL || st->rescan != NULL)
		tool_usage_error(tl, "--carve excludes -x, -s, -F, -T, -Y and --rescan");
	if (st->pcap_path == NULL)
		tool_usage_error(tl, "--carve net needs -w FILE (the pcap to write)");
	if (strcmp(st->pcap_path, "-") == 0)
		tool_usage_error(tl, "-w -: stdout carries the hit records; give a file name");
	if (operand != NULL)
		tool_usage_error(tl, "unexpected argument '%s'", operand);
	/* libpcap's module now, before the target record goes out */
	if (scan_pcap_load(tl->errbuf) < 0)
		tool_die(tl, "%s", tl->errbuf);
}

/* ---- output: the hit and the pcap frame ---- */

static void
scan_carve_addr(const struct carve_pkt *p, const uint8_t *a, char *s, size_t size)
{
	if (inet_ntop(p->ipver == 4 ? AF_INET : AF_INET6, a, s, (socklen_t)size) == NULL)
		snprintf(s, size, "?");
}

static void
scan_carve_mac(const uint8_t *m, char *s, size_t size)
{
	snprintf(s, size, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static const char *
scan_carve_proto(const struct carve_pkt *p, char *s, size_t size)
{
	const char *name = carve_proto_name(p->proto);

	if (name != NULL)
		return name;
	snprintf(s, size, "%u", p->proto);
	return s;
}

static void
scan_carve_row(struct scan_carve *c, const struct mf_aspace_id *id, uint64_t addr, const struct carve_pkt *p)
{
	struct scan_state *st = c->st;
	char src[INET6_ADDRSTRLEN + 8], dst[INET6_ADDRSTRLEN + 8], a[INET6_ADDRSTRLEN], sp[32], pn[8];
	size_t o;

	if (!st->table_header) {
		tool_printf(st->tl, "%-18s %-13s %6s %-5s %-8s %-9s %s\n", "ADDR", "SPACE", "LEN", "LINK", "PROTO", "CSUM",
		            "SRC > DST");
		st->table_header = true;
	}
	scan_carve_addr(p, p->src, a, sizeof a);
	o = (size_t)snprintf(src, sizeof src, p->ipver == 6 && p->ports ? "[%s]" : "%s", a);
	if (p->ports)
		snprintf(src + o, sizeof src - o, ":%u", p->sport);
	scan_carve_addr(p, p->dst, a, sizeof a);
	o = (size_t)snprintf(dst, sizeof dst, p->ipver == 6 && p->ports ? "[%s]" : "%s", a);
	if (p->ports)
		snprintf(dst + o, sizeof dst - o, ":%u", p->dport);
	snprintf(sp, sizeof sp, id->kind == MF_ASPACE_PROCESS ? "pid %llu" : id->kind == MF_ASPACE_KERNEL ? "kernel" : "phys",
	         (unsigned long long)id->pid);
	tool_printf(st->tl, "0x%016llx %-13s %6zu %-5s %-8s %-9s %s > %s\n", (unsigned long long)addr, sp, p->len,
	            p->ether ? "ether" : "ip", scan_carve_proto(p, pn, sizeof pn), carve_csum_name(p->csum), src, dst);
}

static void
scan_carve_rec(struct scan_carve *c, const struct mf_aspace_id *id, uint64_t addr, const struct carve_pkt *p,
               const uint8_t *frame)
{
	struct mf_rec *r = c->st->rec;
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], ms[18], md[18], pn[8];
	size_t dlen = p->len < c->st->context ? p->len : c->st->context;
	bool bad = false;

	scan_carve_addr(p, p->src, s, sizeof s);
	scan_carve_addr(p, p->dst, d, sizeof d);
	mf_rec_reset(r, "hit");
	bad |= mf_aspace_id_rec(id, 0, r) < 0 || mf_rec_add_addr(r, "addr", addr) < 0 ||
	       mf_rec_add_uint(r, "len", p->len) < 0 || mf_rec_add_str(r, "pattern", "carve net") < 0 ||
	       mf_rec_add_uint(r, "frame", c->frames) < 0 || mf_rec_add_str(r, "link", p->ether ? "ethernet" : "ip") < 0;
	if (p->ether) {
		scan_carve_mac(p->mac_src, ms, sizeof ms);
		scan_carve_mac(p->mac_dst, md, sizeof md);
		bad |= mf_rec_add_str(r, "mac_src", ms) < 0 || mf_rec_add_str(r, "mac_dst", md) < 0;
	}
	bad |= mf_rec_add_uint(r, "ip", p->ipver) < 0 || mf_rec_add_str(r, "proto", scan_carve_proto(p, pn, sizeof pn)) < 0 ||
	       mf_rec_add_str(r, "src", s) < 0 || mf_rec_add_str(r, "dst", d) < 0;
	if (p->ports)
		bad |= mf_rec_add_uint(r, "sport", p->sport) < 0 || mf_rec_add_uint(r, "dport", p->dport) < 0;
	if (p->icmp)
		bad |= mf_rec_add_uint(r, "icmp_type", p->icmp_type) < 0 || mf_rec_add_uint(r, "icmp_code", p->icmp_code) < 0;
	if (p->fragment)
		bad |= mf_rec_add_bool(r, "fragment", true) < 0;
	bad |= mf_rec_add_str(r, "csum", carve_csum_name(p->csum)) < 0 || mf_rec_add_bin(r, "data", frame, dlen) < 0;
	if (bad)
		tool_oom();
	tool_rec(c->st->tl, r);
}

/* A packet at buf[off] of the chunk: a pcap frame and a hit. */
static void
scan_carve_emit(struct scan_carve *c, size_t base, const struct carve_pkt *p)
{
	struct scan_state *st = c->st;
	const struct mf_aspace_id *id = mf_aspace_id(c->space);
	const uint8_t *frame = c->buf + base + p->off;
	uint64_t addr = c->lo + base + p->off;

	scan_pcap_write(c->pcap, c->buf + base + p->ip_off, (uint32_t)(p->len - (p->ip_off - p->off)));
	c->frames++;
	if (st->tl->fmt == MF_FMT_TABLE)
		scan_carve_row(c, id, addr, p);
	else
		scan_carve_rec(c, id, addr, p, frame);
	st->stats.emitted++;
	if (st->max_hits > 0 && st->stats.emitted >= st->max_hits)
		c->done = true;
}

/* ---- reading ---- */

static int
scan_carve_piece(void *ctx, const struct mf_span_piece *pc)
{
	struct scan_carve *c = ctx;
	size_t o = (size_t)(pc->addr - c->lo);

	if (pc->data == NULL) {
		c->st->stats.unreadable += pc->len;
		mf_log(1, "skipped 0x%llx-0x%llx in %s: %s", (unsigned long long)pc->addr,
		       (unsigned long long)(pc->addr + pc->len - 1), mf_aspace_name(c->space), mf_strerror(pc->err));
		return 0;
	}
	if (c->nruns > 0 && c->runs[2 * c->nruns - 1] == o) {
		c->runs[2 * c->nruns - 1] = o + (size_t)pc->len;
		return 0;
	}
	if (c->nruns == c->capruns) {
		c->capruns = c->capruns ? c->capruns * 2 : 64;
		c->runs = tool_xrealloc(c->runs, c->capruns, 2 * sizeof *c->runs);
	}
	c->runs[2 * c->nruns] = o;
	c->runs[2 * c->nruns + 1] = o + (size_t)pc->len;
	c->nruns++;
	return 0;
}

/* One region, chunk by chunk; skip_to: no packet starts below it (the end of the last
 * packet whose checksum held, across chunks).  A space whose read fails is lost. */
static void
scan_carve_region(struct scan_carve *c, const struct scan_region *rg)
{
	struct scan_state *st = c->st;
	uint64_t a = rg->start, left = rg->end - rg->start, skip_to = rg->start;   /* end 0 wraps to the top */
	char errbuf[MF_ERRBUF_SIZE];

	c->space = rg->space;
	while (left > 0 && !c->done) {
		uint64_t take = left < st->chunk ? left : st->chunk;
		uint64_t lb = a - rg->start < CARVE_LOOKBEHIND ? a - rg->start : CARVE_LOOKBEHIND;
		uint64_t ov = left - take < CARVE_OVERLAP ? left - take : CARVE_OVERLAP;
		size_t i;
		int r;

		c->lo = a - lb;
		c->nruns = 0;
		r = mf_aspace_read_span_into(rg->space, c->lo, lb + take + ov, c->buf, SCAN_PIECE, SCAN_BATCH,
		                             scan_carve_piece, c, errbuf);
		if (r < 0) {
			scan_space_lost(st, mf_aspace_id(rg->space), r, errbuf);
			return;
		}
		for (i = 0; i < c->nruns && !c->done; i++) {
			size_t ra = c->runs[2 * i], rb = c->runs[2 * i + 1];
			size_t from = ra > lb ? ra : (size_t)lb, own = rb < lb + take ? rb : (size_t)(lb + take), pos;
			struct carve_pkt p;

			if (skip_to > c->lo + from)
				from = skip_to - c->lo < own ? (size_t)(skip_to - c->lo) : own;
			if (from >= own)
				continue;
			st->stats.bytes += own - from;
			pos = from - ra;
			while (!c->done && carve_next(c->buf + ra, rb - ra, own - ra, &pos, &p)) {
				scan_carve_emit(c, ra, &p);
				skip_to = c->lo + ra + pos;
			}
		}
		a += take;
		left -= take;
		mf_progress_add(c->progress, take);
	}
}

/* ---- the pcap file ---- */

static void
scan_carve_open(struct scan_carve *c)
{
	struct tool *tl = c->st->tl;
	FILE *fp;
	int r, fd;

	if ((r = snap_out_open(c->st->pcap_path, true, NULL, &c->out, tl->errbuf)) == MF_ERR_ARG)
		tool_usage_error(tl, "%s", tl->errbuf);
	if (r < 0)
		tool_die(tl, "%s", tl->errbuf);
	if ((fd = dup(snap_out_fd(c->out))) < 0 || (fp = fdopen(fd, "wb")) == NULL)
		tool_die(tl, "cannot write %s: %s", c->st->pcap_path, strerror(errno));
	if ((r = scan_pcap_open(fp, CARVE_SNAPLEN, &c->pcap, tl->errbuf)) == 0)
		return;
	snap_out_discard(c->out);
	if (r == MF_ERR_NOMEM)
		tool_oom();
	if (r == MF_ERR_UNSUPPORTED)
		tool_die(tl, "%s", tl->errbuf);   /* the module: "cannot load pcap support: ..." */
	tool_die(tl, "cannot write %s: %s", c->st->pcap_path, tl->errbuf);
}

static void
scan_carve_close(struct scan_carve *c)
{
	struct tool *tl = c->st->tl;

	if (scan_pcap_close(c->pcap) < 0) {
		int e = errno;

		snap_out_discard(c->out);
		tool_die(tl, "cannot write %s: %s", c->st->pcap_path, strerror(e));
	}
	scan_out_publish(c->st, c->out);
}

void
scan_carve_run(struct scan_state *st)
{
	struct scan_carve c = { .st = st };
	struct timespec t0, t1;
	double secs;
	size_t i;

	scan_carve_open(&c);
	c.buf = tool_xmalloc(CARVE_LOOKBEHIND + st->chunk + CARVE_OVERLAP);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	c.progress = mf_progress_new(scan_regions_bytes(&st->regions));
	for (i = 0; i < st->regions.n && !c.done; i++) {
		const struct scan_region *rg = &st->regions.v[i];

		if (!scan_space_is_lost(st, mf_aspace_id(rg->space)))
			scan_carve_region(&c, rg);
	}
	mf_progress_end(c.progress);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	free(c.buf);
	free(c.runs);
	scan_carve_close(&c);
	scan_spaces_worked(st);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	mf_log(1, "carved %llu packets from %llu bytes in %zu regions in %.3f s (%.2f GB/s) into %s",
	       (unsigned long long)c.frames, (unsigned long long)st->stats.bytes, st->regions.n, secs,
	       secs > 0 ? (double)st->stats.bytes / secs / 1e9 : 0.0, st->pcap_path);
}
