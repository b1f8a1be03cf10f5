/*
 * gpa-read: read guest physical memory straight out of a QEMU process (the tests'
 * independent oracle for live guest RAM; no libmf).
 *
 *   gpa-read [-m RAMSIZE] [-z] QEMU_PID HVA GPA LEN   LEN bytes at guest physical GPA
 *   gpa-read [-m RAMSIZE] [-z] QEMU_PID HVA - LEN     one GPA per token on stdin, LEN bytes
 *                                                     each, in order, to stdout
 *   gpa-read [-m RAMSIZE] -M QEMU_PID HVA             the layout: GPA_START GPA_END OFFSET
 *
 * HVA is the host address of guest physical 0 (QMP "gpa2hva 0x0"). The layout is QEMU's
 * `-machine pc` one: with RAM below 3.5 GiB all of it sits at GPA = offset; from 3.5 GiB
 * up, 3 GiB stay low and the rest starts at GPA 4 GiB (offset GPA - 1 GiB). The VGA window
 * 0xa0000-0xbffff is not RAM to the guest. A request that touches a hole fails (exit 1),
 * or reads as zeros with -z. RAMSIZE (bytes, K/M/G suffix allowed) defaults to the size of
 * the QEMU mapping that starts at HVA. Numbers are decimal or 0x-prefixed hex.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define GPA_READ_GIB (UINT64_C(1) << 30)
#define GPA_READ_VGA_START UINT64_C(0xa0000)
#define GPA_READ_VGA_END UINT64_C(0xc0000)
#define GPA_READ_MAX_LEN (UINT64_C(64) << 20)   /* per request in list mode */
#define GPA_READ_BATCH 512                       /* iovecs per process_vm_readv */
#define GPA_READ_CHUNK (1u << 20)                /* single mode streams in 1 MiB */
#define GPA_READ_MAX_RANGES 4

struct gpa_read_range {
	uint64_t gpa, end, off; /* [gpa, end) at host offset off from HVA */
};

static struct gpa_read_range gpa_read_ranges[GPA_READ_MAX_RANGES];
static int gpa_read_nranges;
static pid_t gpa_read_pid;
static uint64_t gpa_read_hva;
static bool gpa_read_zero_holes;
static const char *gpa_read_prog = "gpa-read";

static void gpa_read_usage(int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f,
		"usage: %s [-m RAMSIZE] [-z] QEMU_PID HVA GPA LEN\n"
		"       %s [-m RAMSIZE] [-z] QEMU_PID HVA - LEN   (GPAs on stdin)\n"
		"       %s [-m RAMSIZE] -M QEMU_PID HVA           (print the layout)\n",
		gpa_read_prog, gpa_read_prog, gpa_read_prog);
	exit(status);
}

static int gpa_read_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16;
	if (s[0] == '-' || s[0] == '+' || s[0] == '\0')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, base);
	if (errno || end == s)
		return -1;
	*out = v;
	return *end == '\0' ? 0 : (int)(end - s);
}

static int gpa_read_parse_size(const char *s, uint64_t *out)
{
	uint64_t v;
	int rest = gpa_read_parse_u64(s, &v);
	unsigned shift = 0;

	if (rest < 0)
		return -1;
	if (rest > 0) {
		const char *u = s + rest;
		if (u[1] != '\0')
			return -1;
		switch (*u) {
		case 'K': case 'k': shift = 10; break;
		case 'M': case 'm': shift = 20; break;
		case 'G': case 'g': shift = 30; break;
		default: return -1;
		}
	}
	if (shift && v > (UINT64_MAX >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

static uint64_t gpa_read_arg(const char *s, const char *what)
{
	uint64_t v;

	if (gpa_read_parse_u64(s, &v) != 0) {
		fprintf(stderr, "%s: invalid %s '%s'\n", gpa_read_prog, what, s);
		exit(2);
	}
	return v;
}

/* Size of the mapping of QEMU that starts exactly at HVA (guest RAM), 0 if none. */
static uint64_t gpa_read_mapping_size(void)
{
	char path[64], line[512];
	uint64_t size = 0;

	snprintf(path, sizeof(path), "/proc/%ld/maps", (long)gpa_read_pid);
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "%s: cannot open %s: %s\n", gpa_read_prog, path, strerror(errno));
		exit(1);
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi;
		if (sscanf(line, "%llx-%llx", &lo, &hi) == 2 && lo == gpa_read_hva && hi > lo) {
			size = hi - lo;
			break;
		}
	}
	fclose(f);
	return size;
}

static void gpa_read_layout(uint64_t ram)
{
	uint64_t low = ram, high = 0;

	if (ram >= UINT64_C(0xe0000000)) {
		low = UINT64_C(0xc0000000);
		high = ram - low;
	}
	gpa_read_nranges = 0;
	gpa_read_ranges[gpa_read_nranges++] = (struct gpa_read_range){
		0, low < GPA_READ_VGA_START ? low : GPA_READ_VGA_START, 0 };
	if (low > GPA_READ_VGA_END)
		gpa_read_ranges[gpa_read_nranges++] = (struct gpa_read_range){
			GPA_READ_VGA_END, low, GPA_READ_VGA_END };
	if (high)
		gpa_read_ranges[gpa_read_nranges++] = (struct gpa_read_range){
			4 * GPA_READ_GIB, 4 * GPA_READ_GIB + high, low };
}

/*
 * The piece of [gpa, gpa+len) that starts at gpa and lies in one range (returns its
 * length, *off its host offset) or in one hole (returns its length, *off = UINT64_MAX).
 */
static uint64_t gpa_read_segment(uint64_t gpa, uint64_t len, uint64_t *off)
{
	uint64_t next = UINT64_MAX;

	for (int i = 0; i < gpa_read_nranges; i++) {
		const struct gpa_read_range *r = &gpa_read_ranges[i];
		if (gpa >= r->gpa && gpa < r->end) {
			*off = r->off + (gpa - r->gpa);
			return len < r->end - gpa ? len : r->end - gpa;
		}
		if (r->gpa > gpa && r->gpa < next)
			next = r->gpa;
	}
	*off = UINT64_MAX;
	return len < next - gpa ? len : next - gpa;
}

static void gpa_read_write_all(const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(STDOUT_FILENO, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "%s: cannot write output: %s\n", gpa_read_prog, strerror(errno));
			exit(1);
		}
		p += n;
		len -= (size_t)n;
	}
}

/*
 * A batch of host reads: local/remote iovecs of equal lengths, with the guest address of
 * each for messages. process_vm_readv stops at the first remote iovec it cannot read, so
 * loop until all bytes are in.
 */
struct gpa_read_batch {
	struct iovec local[GPA_READ_BATCH], remote[GPA_READ_BATCH];
	uint64_t gpa[GPA_READ_BATCH];
	int n;
};

static void gpa_read_flush(struct gpa_read_batch *b)
{
	int i = 0;

	while (i < b->n) {
		int cnt = b->n - i;
		ssize_t got = process_vm_readv(gpa_read_pid, b->local + i, (unsigned long)cnt,
					       b->remote + i, (unsigned long)cnt, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			fprintf(stderr, "%s: cannot read guest physical 0x%" PRIx64 " (host 0x%" PRIx64
				") from process %ld: %s\n", gpa_read_prog, b->gpa[i],
				(uint64_t)(uintptr_t)b->remote[i].iov_base, (long)gpa_read_pid,
				got < 0 ? strerror(errno) : "short read");
			exit(1);
		}
		/* Skip the iovecs read whole; trim a partly read one and go on from it. */
		size_t left = (size_t)got;
		while (i < b->n && left >= b->remote[i].iov_len) {
			left -= b->remote[i].iov_len;
			i++;
		}
		if (left) {
			b->local[i].iov_base = (char *)b->local[i].iov_base + left;
			b->local[i].iov_len -= left;
			b->remote[i].iov_base = (char *)b->remote[i].iov_base + left;
			b->remote[i].iov_len -= left;
			b->gpa[i] += left;
		}
	}
	b->n = 0;
}

/*
 * Queue [gpa, gpa+len) into buf (already zeroed); holes fail unless -z. Flushes the
 * batch when full, so buf must stay valid until the caller's final flush.
 */
static void gpa_read_queue(struct gpa_read_batch *b, uint64_t gpa, uint64_t len, char *buf)
{
	if (len && gpa > UINT64_MAX - len) {
		fprintf(stderr, "%s: guest physical 0x%" PRIx64 " + 0x%" PRIx64 " overflows\n",
			gpa_read_prog, gpa, len);
		exit(1);
	}
	while (len) {
		uint64_t off, seg = gpa_read_segment(gpa, len, &off);
		if (off == UINT64_MAX) {
			if (!gpa_read_zero_holes) {
				fprintf(stderr, "%s: guest physical 0x%" PRIx64 " is not RAM (%s)\n",
					gpa_read_prog, gpa,
					gpa >= GPA_READ_VGA_START && gpa < GPA_READ_VGA_END ?
					"VGA window" : "hole in the pc layout");
				exit(1);
			}
		} else {
			if (b->n == GPA_READ_BATCH)
				gpa_read_flush(b);
			b->local[b->n] = (struct iovec){ buf, (size_t)seg };
			b->remote[b->n] = (struct iovec){ (void *)(uintptr_t)(gpa_read_hva + off), (size_t)seg };
			b->gpa[b->n] = gpa;
			b->n++;
		}
		gpa += seg;
		len -= seg;
		buf += seg;
	}
}

static void gpa_read_single(uint64_t gpa, uint64_t len)
{
	static struct gpa_read_batch batch;
	char *buf = malloc(GPA_READ_CHUNK);

	if (!buf) {
		fprintf(stderr, "%s: out of memory\n", gpa_read_prog);
		exit(1);
	}
	while (len) {
		size_t n = len < GPA_READ_CHUNK ? (size_t)len : GPA_READ_CHUNK;
		memset(buf, 0, n);
		gpa_read_queue(&batch, gpa, n, buf);
		gpa_read_flush(&batch);
		gpa_read_write_all(buf, n);
		gpa += n;
		len -= n;
	}
	free(buf);
}

/* GPAs from stdin, whitespace separated; LEN bytes each, written in input order. */
static void gpa_read_list(uint64_t len)
{
	static struct gpa_read_batch batch;
	size_t per = (size_t)len;
	size_t cap = per >= GPA_READ_CHUNK ? 1 : (4u * GPA_READ_CHUNK) / per;
	char *buf, tok[64];
	size_t used = 0;
	int c;

	if (cap > GPA_READ_BATCH)
		cap = GPA_READ_BATCH;
	buf = calloc(cap, per);
	if (!buf) {
		fprintf(stderr, "%s: out of memory\n", gpa_read_prog);
		exit(1);
	}
	for (;;) {
		size_t n = 0;
		while ((c = getchar()) != EOF && (c == ' ' || c == '\t' || c == '\n' || c == '\r'))
			;
		if (c == EOF)
			break;
		do {
			if (n + 1 >= sizeof(tok)) {
				fprintf(stderr, "%s: stdin: address too long\n", gpa_read_prog);
				exit(1);
			}
			tok[n++] = (char)c;
		} while ((c = getchar()) != EOF && c != ' ' && c != '\t' && c != '\n' && c != '\r');
		tok[n] = '\0';
		uint64_t gpa;
		if (gpa_read_parse_u64(tok, &gpa) != 0) {
			fprintf(stderr, "%s: stdin: invalid address '%s'\n", gpa_read_prog, tok);
			exit(1);
		}
		if (used == cap) {
			gpa_read_flush(&batch);
			gpa_read_write_all(buf, used * per);
			memset(buf, 0, used * per);
			used = 0;
		}
		gpa_read_queue(&batch, gpa, len, buf + used * per);
		used++;
	}
	if (ferror(stdin)) {
		fprintf(stderr, "%s: cannot read stdin: %s\n", gpa_read_prog, strerror(errno));
		exit(1);
	}
	gpa_read_flush(&batch);
	gpa_read_write_all(buf, used * per);
	free(buf);
}

int main(int argc, char **argv)
{
	uint64_t ram = 0, v;
	bool print_layout = false;
	int opt;

	while ((opt = getopt(argc, argv, "hMm:z")) != -1) {
		switch (opt) {
		case 'h':
			gpa_read_usage(0);
			break;
		case 'M':
			print_layout = true;
			break;
		case 'm':
			if (gpa_read_parse_size(optarg, &ram) != 0 || ram == 0) {
				fprintf(stderr, "%s: invalid RAM size '%s'\n", gpa_read_prog, optarg);
				exit(2);
			}
			break;
		case 'z':
			gpa_read_zero_holes = true;
			break;
		default:
			gpa_read_usage(2);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != (print_layout ? 2 : 4))
		gpa_read_usage(2);

	v = gpa_read_arg(argv[0], "pid");
	if (v == 0 || v > INT_MAX) {
		fprintf(stderr, "%s: invalid pid '%s'\n", gpa_read_prog, argv[0]);
		exit(2);
	}
	gpa_read_pid = (pid_t)v;
	gpa_read_hva = gpa_read_arg(argv[1], "host address");
	if (gpa_read_hva == 0 || (gpa_read_hva & 0xfff)) {
		fprintf(stderr, "%s: host address '%s' is not page aligned\n", gpa_read_prog, argv[1]);
		exit(2);
	}
	if (!ram) {
		ram = gpa_read_mapping_size();
		if (!ram) {
			fprintf(stderr, "%s: no mapping of process %ld starts at 0x%" PRIx64
				" (give the RAM size with -m)\n", gpa_read_prog, (long)gpa_read_pid,
				gpa_read_hva);
			exit(1);
		}
	}
	if (ram > (UINT64_C(1) << 46)) {
		fprintf(stderr, "%s: RAM size 0x%" PRIx64 " is too large\n", gpa_read_prog, ram);
		exit(2);
	}
	gpa_read_layout(ram);

	if (print_layout) {
		for (int i = 0; i < gpa_read_nranges; i++)
			printf("0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 "\n", gpa_read_ranges[i].gpa,
			       gpa_read_ranges[i].end, gpa_read_ranges[i].off);
		return fflush(stdout) == 0 ? 0 : 1;
	}

	uint64_t len = gpa_read_arg(argv[3], "length");
	if (strcmp(argv[2], "-") == 0) {
		if (len == 0 || len > GPA_READ_MAX_LEN) {
			fprintf(stderr, "%s: length per address must be 1..%" PRIu64 "\n",
				gpa_read_prog, GPA_READ_MAX_LEN);
			exit(2);
		}
		gpa_read_list(len);
	} else {
		gpa_read_single(gpa_read_arg(argv[2], "guest physical address"), len);
	}
	return 0;
}
