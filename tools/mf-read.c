/* mf-read: read (or, with --write, write) memory of a process, the kernel, physical memory
 * or any address space: hexdump, raw bytes, `mem` records, typed values, pointer chains. */
#include "config.h"
#include "tool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	READ_OPT_ARCH = TOOL_OPT_FIRST_OWN,
	READ_OPT_DTB,
	READ_OPT_KERNEL,
	READ_OPT_NO_NUL,
	READ_OPT_PHYS,
	READ_OPT_WRITE,
	READ_OPT_ZERO_FILL,
};

#define READ_PIECE (1u << 20)          /* bytes per scatter entry and per mem record */
#define READ_BATCH 16                  /* entries per call */
/* -f raw streams the bytes straight from the read buffer to stdout: keep that buffer small
 * enough to stay in the CPU cache (512 KiB), or every byte makes an extra trip to memory
 * (a 16 MiB buffer read a 2 GiB page-cached dump at 0.84 of cat, 512 KiB at 0.98) */
#define READ_RAW_PIECE (128u << 10)
#define READ_RAW_BATCH 4
#define READ_PAGE 4096u
#define READ_DEFAULT_LEN 256
#define READ_STR_MAX 4096
#define READ_TYPED_BATCH 4096          /* typed values per call */
#define READ_CHAIN_MAX 64

enum read_space { READ_SP_NONE, READ_SP_PID, READ_SP_PHYS, READ_SP_KERNEL, READ_SP_DTB };

enum read_type {
	READ_T_NONE, READ_T_U8, READ_T_U16, READ_T_U32, READ_T_U64, READ_T_I8, READ_T_I16, READ_T_I32,
	READ_T_I64, READ_T_F32, READ_T_F64, READ_T_PTR, READ_T_STR, READ_T_WSTR,
};

static const char *const read_type_names[] = {
	[READ_T_NONE] = "", [READ_T_U8] = "u8", [READ_T_U16] = "u16", [READ_T_U32] = "u32",
	[READ_T_U64] = "u64", [READ_T_I8] = "i8", [READ_T_I16] = "i16", [READ_T_I32] = "i32",
	[READ_T_I64] = "i64", [READ_T_F32] = "f32", [READ_T_F64] = "f64", [READ_T_PTR] = "ptr",
	[READ_T_STR] = "str", [READ_T_WSTR] = "wstr",
};

struct read_state {
	struct tool *tl;
	enum read_space space;
	uint64_t pid;
	const char *pname;       /* -n */
	struct mf_space vsp;     /* kernel, dtb */
	const char *dtb_arg;
	const char *arch_arg;
	unsigned ptr_size;
	bool writing;
	const char *wdata;
	bool no_nul;
	bool zero_fill;
	enum read_type type;
	uint64_t count;
	bool count_set;
	struct mf_rec *rec;
	int status;
	/* pending gap */
	bool gap;
	uint64_t gap_addr, gap_len;
	int gap_err;
	/* hexdump */
	uint64_t hx_addr;        /* address of the first byte in hx_line */
	uint8_t hx_line[16];
	size_t hx_n;
	uint8_t hx_prev[16];
	bool hx_have_prev;       /* hx_prev holds the last full line printed, contiguous */
	bool hx_star;
	uint64_t hx_end;         /* address after the last byte shown */
	bool hx_any;
};

static struct tool read_tool;

static void
read_usage(int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f, "usage: mf-read [options] [-p PID | -n NAME | --phys | --kernel | --dtb ROOT] ADDR [LEN]\n"
	           "       mf-read [options] [-p PID | -n NAME | --phys | --kernel | --dtb ROOT] -T TYPE [-N COUNT] ADDR [LEN]\n"
	           "       mf-read [options] [-p PID | -n NAME | --phys | --kernel | --dtb ROOT] [-T TYPE] --write DATA ADDR\n");
	if (status) {
		fprintf(f, "Try 'mf-read --help' for more information.\n");
		exit(status);
	}
	fprintf(f,
	        "\nRead LEN bytes (default %d) at ADDR.  ADDR is a number, MODULE+OFF (a module of\n"
	        "the process, by exact name or as the prefix before \".so\"), or a pointer chain\n"
	        "MODULE+OFF,O1,O2,...: read a pointer at the address, add the next offset, repeat.\n"
	        "Without a space option, the one process whose record arrives on stdin.\n"
	        "Unreadable memory is reported (gap records, a warning, exit status 1), never zeros.\n"
	        "\nAddress space:\n"
	        "      --arch=ARCH        architecture for --dtb: x86_64, x86_64-la57, x86, x86-pae,\n"
	        "                         aarch64, riscv-sv39, riscv-sv48\n"
	        "      --dtb=ROOT         the address space with page-table root ROOT\n"
	        "      --kernel           the kernel's address space\n"
	        "  -n, --name=NAME        the one process whose name or argv[0] matches NAME\n"
	        "  -p, --pid=PID          process PID\n"
	        "      --phys             physical memory\n"
	        "\nTyped reads and writes:\n"
	        "  -N, --count=COUNT      read COUNT values (default 1)\n"
	        "      --no-nul           --write of a str/wstr: without the terminating NUL\n"
	        "  -T, --type=TYPE        u8 u16 u32 u64 i8 i16 i32 i64 f32 f64 ptr str wstr\n"
	        "                         (str/wstr: up to LEN or %d bytes, until NUL)\n"
	        "      --write=DATA       write DATA (hex bytes \"de ad be ef\", or with -T a value)\n"
	        "      --zero-fill        -f raw: write zeros for unreadable bytes (still warned)\n",
	        READ_DEFAULT_LEN, READ_STR_MAX);
	tool_usage_common(f, true);
	exit(status);
}

/* ---- memory access ---- */

static const char *
read_space_name(const struct read_state *st)
{
	static char buf[64];

	switch (st->space) {
	case READ_SP_PID:
		snprintf(buf, sizeof buf, "pid %llu", (unsigned long long)st->pid);
		return buf;
	case READ_SP_PHYS:
		return "physical memory";
	case READ_SP_KERNEL:
		return "the kernel";
	case READ_SP_DTB:
		snprintf(buf, sizeof buf, "dtb 0x%llx", (unsigned long long)st->vsp.root);
		return buf;
	default:
		return "?";
	}
}

/* One batch; a whole-call failure is fatal (the process exited, no permission...). */
static void
read_io(struct read_state *st, struct mf_iov *iov, size_t n, bool wr)
{
	struct tool *tl = st->tl;
	struct mf_target *t = tl->t;
	int r;

	switch (st->space) {
	case READ_SP_PID:
		r = wr ? mf_proc_write(t, st->pid, iov, n, tl->errbuf) : mf_proc_read(t, st->pid, iov, n, tl->errbuf);
		break;
	case READ_SP_PHYS:
		r = wr ? mf_phys_write(t, iov, n, tl->errbuf) : mf_phys_read(t, iov, n, tl->errbuf);
		break;
	case READ_SP_KERNEL:
		if (!mf_target_has_phys(t)) {   /* an os layer without physical memory (native) */
			r = wr ? mf_proc_write(t, 0, iov, n, tl->errbuf) : mf_proc_read(t, 0, iov, n, tl->errbuf);
			break;
		}
		/* fall through */
	case READ_SP_DTB:
		r = wr ? mf_virt_write(t, &st->vsp, iov, n, tl->errbuf) : mf_virt_read(t, &st->vsp, iov, n, tl->errbuf);
		break;
	default:
		r = mf_error(tl->errbuf, MF_ERR_ARG, "no address space");
		break;
	}
	if (r < 0)
		tool_die(tl, "cannot %s 0x%llx in %s: %s", wr ? "write" : "read", (unsigned long long)iov[0].addr,
		         read_space_name(st), tl->errbuf);
}

/* Read exactly n bytes at addr; 0 or the entry's error. */
static int
read_small(struct read_state *st, uint64_t addr, void *buf, size_t n)
{
	struct mf_iov iov = { .addr = addr, .buf = buf, .len = n };

	read_io(st, &iov, 1, false);
	return iov.err;
}

static void
read_space_fields(struct read_state *st, struct mf_rec *r)
{
	int e = 0;

	switch (st->space) {
	case READ_SP_PID:
		if ((e = mf_rec_add_str(r, "space", "process")) == 0)
			e = mf_rec_add_uint(r, "pid", st->pid);
		break;
	case READ_SP_PHYS:
		e = mf_rec_add_str(r, "space", "phys");
		break;
	case READ_SP_KERNEL:
		e = mf_rec_add_str(r, "space", "kernel");
		break;
	case READ_SP_DTB:
		if ((e = mf_rec_add_str(r, "space", "dtb")) == 0 && (e = mf_rec_add_addr(r, "dtb", st->vsp.root)) == 0)
			e = mf_rec_add_str(r, "arch", mf_arch_name(st->vsp.arch));
		break;
	default:
		break;
	}
	if (e < 0)
		tool_oom();
}

/* ---- hexdump (table format) ---- */

static void
read_hx_line(struct read_state *st, uint64_t addr, const uint8_t *p, size_t n)
{
	char line[128];
	size_t i, len;

	/* squeeze repeated full lines into "*", as hexdump does */
	if (n == 16 && st->hx_have_prev && memcmp(p, st->hx_prev, 16) == 0) {
		if (!st->hx_star)
			tool_printf(st->tl, "*\n");
		st->hx_star = true;
		return;
	}
	st->hx_star = false;
	len = (size_t)snprintf(line, sizeof line, "%08llx ", (unsigned long long)addr);
	for (i = 0; i < 16; i++) {
		if (i == 8)
			line[len++] = ' ';
		if (i < n)
			len += (size_t)snprintf(line + len, sizeof line - len, " %02x", p[i]);
		else
			len += (size_t)snprintf(line + len, sizeof line - len, "   ");
	}
	len += (size_t)snprintf(line + len, sizeof line - len, "  |");
	for (i = 0; i < n; i++)
		line[len++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
	line[len++] = '|';
	line[len++] = '\n';
	tool_raw(st->tl, line, len);
	if (n == 16) {
		memcpy(st->hx_prev, p, 16);
		st->hx_have_prev = true;
	} else {
		st->hx_have_prev = false;
	}
}

static void
read_hx_flush(struct read_state *st)
{
	if (st->hx_n > 0)
		read_hx_line(st, st->hx_addr, st->hx_line, st->hx_n);
	st->hx_n = 0;
}

static void
read_hx_data(struct read_state *st, uint64_t addr, const uint8_t *p, size_t n)
{
	if (st->hx_any && addr != st->hx_end) {
		read_hx_flush(st);
		st->hx_have_prev = false;
		st->hx_star = false;
	}
	st->hx_any = true;
	while (n > 0) {
		size_t take;

		if (st->hx_n == 0)
			st->hx_addr = addr;
		if (st->hx_n == 0 && n >= 16) {
			read_hx_line(st, addr, p, 16);
			take = 16;
		} else {
			take = 16 - st->hx_n < n ? 16 - st->hx_n : n;
			memcpy(st->hx_line + st->hx_n, p, take);
			st->hx_n += take;
			if (st->hx_n == 16)
				read_hx_flush(st);
		}
		addr += take;
		p += take;
		n -= take;
	}
	st->hx_end = addr;
}

/* ---- output of bytes and gaps ---- */

static void
read_gap_flush(struct read_state *st)
{
	struct tool *tl = st->tl;
	uint64_t last;

	if (!st->gap)
		return;
	st->gap = false;
	st->status = TOOL_EXIT_FAIL;
	last = st->gap_addr + st->gap_len - 1;
	switch (tl->fmt) {
	case MF_FMT_RAW:
		if (!st->zero_fill)
			tool_die(tl, "cannot read 0x%llx-0x%llx: %s (with -f raw, --zero-fill writes zeros instead)",
			         (unsigned long long)st->gap_addr, (unsigned long long)last, mf_strerror(st->gap_err));
		tool_warn(tl, "0x%llx-0x%llx unreadable: %s (zero-filled)", (unsigned long long)st->gap_addr,
		          (unsigned long long)last, mf_strerror(st->gap_err));
		{
			static const uint8_t zeros[READ_PAGE];
			uint64_t left = st->gap_len;

			while (left > 0) {
				size_t k = left < sizeof zeros ? (size_t)left : sizeof zeros;

				tool_raw(tl, zeros, k);
				left -= k;
			}
		}
		return;
	case MF_FMT_TABLE:
		read_hx_flush(st);
		st->hx_have_prev = false;
		st->hx_star = false;
		st->hx_any = false;
		tool_printf(tl, "%08llx  -- unreadable to %llx: %llu bytes (%s) --\n", (unsigned long long)st->gap_addr,
		            (unsigned long long)last, (unsigned long long)st->gap_len, mf_strerror(st->gap_err));
		break;
	default:
		mf_rec_reset(st->rec, "gap");
		read_space_fields(st, st->rec);
		if (mf_rec_add_addr(st->rec, "addr", st->gap_addr) < 0 || mf_rec_add_addr(st->rec, "len", st->gap_len) < 0 ||
		    mf_rec_add_str(st->rec, "error", mf_strerror(st->gap_err)) < 0)
			tool_oom();
		tool_rec(tl, st->rec);
		break;
	}
	tool_warn(tl, "0x%llx-0x%llx unreadable: %s", (unsigned long long)st->gap_addr, (unsigned long long)last,
	          mf_strerror(st->gap_err));
}

static void
read_gap(struct read_state *st, uint64_t addr, uint64_t len, int err)
{
	if (st->gap && st->gap_addr + st->gap_len == addr && st->gap_err == err) {
		st->gap_len += len;
		return;
	}
	read_gap_flush(st);
	st->gap = true;
	st->gap_addr = addr;
	st->gap_len = len;
	st->gap_err = err;
}

static void
read_data(struct read_state *st, uint64_t addr, const uint8_t *p, size_t n)
{
	struct tool *tl = st->tl;

	read_gap_flush(st);
	switch (tl->fmt) {
	case MF_FMT_RAW:
		tool_raw(tl, p, n);
		break;
	case MF_FMT_TABLE:
		read_hx_data(st, addr, p, n);
		break;
	default:
		while (n > 0) {
			size_t k = n < READ_PIECE ? n : READ_PIECE;

			mf_rec_reset(st->rec, "mem");
			read_space_fields(st, st->rec);
			if (mf_rec_add_addr(st->rec, "addr", addr) < 0 || mf_rec_add_bin(st->rec, "data", p, k) < 0)
				tool_oom();
			tool_rec(tl, st->rec);
			addr += k;
			p += k;
			n -= k;
		}
		break;
	}
}

/* An entry that failed as a whole: find what is readable page by page. */
static void
read_resolve(struct read_state *st, uint64_t addr, uint8_t *buf, uint64_t len)
{
	struct mf_iov iov[READ_PIECE / READ_PAGE + 1];
	size_t n = 0, i;
	uint64_t a = addr, left = len;

	while (left > 0 && n < sizeof iov / sizeof *iov) {
		uint64_t room = READ_PAGE - (a % READ_PAGE), k = left < room ? left : room;

		iov[n++] = (struct mf_iov){ .addr = a, .buf = buf + (a - addr), .len = k };
		a += k;
		left -= k;
	}
	read_io(st, iov, n, false);
	for (i = 0; i < n; i++) {
		if (iov[i].err == 0)
			read_data(st, iov[i].addr, iov[i].buf, (size_t)iov[i].len);
		else
			read_gap(st, iov[i].addr, iov[i].len, iov[i].err);
	}
}

static void
read_bytes(struct read_state *st, uint64_t addr, uint64_t len)
{
	int raw = st->tl->fmt == MF_FMT_RAW;
	uint64_t piece = raw ? READ_RAW_PIECE : READ_PIECE;
	size_t batch = raw ? READ_RAW_BATCH : READ_BATCH;
	uint64_t bufsize = len < piece * batch ? len : piece * batch;
	uint8_t *buf = tool_xmalloc((size_t)bufsize);
	struct mf_iov iov[READ_BATCH];

	while (len > 0) {
		size_t n = 0, i;
		uint64_t off = 0;

		while (n < batch && len > 0) {
			uint64_t k = len < piece ? len : piece;

			iov[n++] = (struct mf_iov){ .addr = addr, .buf = buf + off, .len = k };
			addr += k;
			off += k;
			len -= k;
		}
		read_io(st, iov, n, false);
		for (i = 0; i < n; i++) {
			if (iov[i].err == 0)
				read_data(st, iov[i].addr, iov[i].buf, (size_t)iov[i].len);
			else
				read_resolve(st, iov[i].addr, iov[i].buf, iov[i].len);
		}
	}
	read_gap_flush(st);
	if (st->tl->fmt == MF_FMT_TABLE) {
		read_hx_flush(st);
		if (st->hx_any)
			tool_printf(st->tl, "%08llx\n", (unsigned long long)st->hx_end);
	}
	free(buf);
}

/* ---- typed values ---- */

static unsigned
read_type_size(const struct read_state *st, enum read_type t)
{
	switch (t) {
	case READ_T_U8: case READ_T_I8: return 1;
	case READ_T_U16: case READ_T_I16: return 2;
	case READ_T_U32: case READ_T_I32: case READ_T_F32: return 4;
	case READ_T_U64: case READ_T_I64: case READ_T_F64: return 8;
	case READ_T_PTR: return st->ptr_size;
	default: return 1;
	}
}

static uint64_t
read_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = (v << 8) | p[n];
	return v;
}

static void
read_put_le(uint8_t *p, uint64_t v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

static void
read_value_out(struct read_state *st, uint64_t addr, const uint8_t *p, const char *s, size_t slen)
{
	struct tool *tl = st->tl;
	unsigned sz = read_type_size(st, st->type);
	uint64_t u = p ? read_le(p, sz) : 0;
	int64_t i = 0;
	double d = 0;
	char text[64];
	int e;
	bool text_out = tl->fmt == MF_FMT_TABLE || tl->fmt == MF_FMT_RAW;

	read_gap_flush(st);
	if (!text_out) {
		mf_rec_reset(st->rec, "value");
		read_space_fields(st, st->rec);
		if (mf_rec_add_addr(st->rec, "addr", addr) < 0 || mf_rec_add_str(st->rec, "vtype", read_type_names[st->type]) < 0)
			tool_oom();
	}
	switch (st->type) {
	case READ_T_I8: case READ_T_I16: case READ_T_I32: case READ_T_I64:
		i = sz == 8 ? (int64_t)u : (int64_t)(u << (64 - 8 * sz)) >> (64 - 8 * sz);
		snprintf(text, sizeof text, "%lld", (long long)i);
		e = text_out ? 0 : mf_rec_add_int(st->rec, "value", i);
		break;
	case READ_T_F32: {
		float f;
		uint32_t w = (uint32_t)u;

		memcpy(&f, &w, 4);
		d = f;
		snprintf(text, sizeof text, "%.9g", d);
		e = text_out ? 0 : mf_rec_add_float(st->rec, "value", d);
		break;
	}
	case READ_T_F64:
		memcpy(&d, &u, 8);
		snprintf(text, sizeof text, "%.17g", d);
		e = text_out ? 0 : mf_rec_add_float(st->rec, "value", d);
		break;
	case READ_T_PTR:
		snprintf(text, sizeof text, "0x%llx", (unsigned long long)u);
		e = text_out ? 0 : mf_rec_add_addr(st->rec, "value", u);
		break;
	case READ_T_STR: case READ_T_WSTR:
		if (text_out) {
			tool_raw(tl, s, slen);
			tool_raw(tl, "\n", 1);
			return;
		}
		e = mf_rec_add_strn(st->rec, "value", s, slen);
		break;
	default:
		snprintf(text, sizeof text, "%llu", (unsigned long long)u);
		e = text_out ? 0 : mf_rec_add_uint(st->rec, "value", u);
		break;
	}
	if (e < 0)
		tool_oom();
	if (text_out)
		tool_printf(tl, "%s\n", text);
	else
		tool_rec(tl, st->rec);
}

static void
read_typed_numbers(struct read_state *st, uint64_t addr)
{
	unsigned sz = read_type_size(st, st->type);
	uint64_t left = st->count;
	struct mf_iov *iov = tool_xcalloc(READ_TYPED_BATCH, sizeof *iov);
	uint8_t *buf = tool_xmalloc((size_t)READ_TYPED_BATCH * sz);

	while (left > 0) {
		size_t n = left < READ_TYPED_BATCH ? (size_t)left : READ_TYPED_BATCH, i;

		for (i = 0; i < n; i++) {
			if (addr + (uint64_t)i * sz < addr)
				tool_die(st->tl, "values beyond the end of the address space");
			iov[i] = (struct mf_iov){ .addr = addr + (uint64_t)i * sz, .buf = buf + i * sz, .len = sz };
		}
		read_io(st, iov, n, false);
		for (i = 0; i < n; i++) {
			if (iov[i].err == 0)
				read_value_out(st, iov[i].addr, iov[i].buf, NULL, 0);
			else
				read_gap(st, iov[i].addr, iov[i].len, iov[i].err);
		}
		addr += (uint64_t)n * sz;
		left -= n;
	}
	read_gap_flush(st);
	free(iov);
	free(buf);
}

/* UTF-16LE (n bytes) to UTF-8; unpaired surrogates become U+FFFD. */
static size_t
read_utf16_to_utf8(const uint8_t *p, size_t n, char *out)
{
	size_t i = 0, o = 0;

	while (i + 1 < n) {
		uint32_t c = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8;

		i += 2;
		if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) {
			uint32_t lo = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8;

			if (lo >= 0xdc00 && lo < 0xe000) {
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				i += 2;
			} else {
				c = 0xfffd;
			}
		} else if (c >= 0xd800 && c < 0xe000) {
			c = 0xfffd;
		}
		if (c < 0x80) {
			out[o++] = (char)c;
		} else if (c < 0x800) {
			out[o++] = (char)(0xc0 | c >> 6);
			out[o++] = (char)(0x80 | (c & 0x3f));
		} else if (c < 0x10000) {
			out[o++] = (char)(0xe0 | c >> 12);
			out[o++] = (char)(0x80 | ((c >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (c & 0x3f));
		} else {
			out[o++] = (char)(0xf0 | c >> 18);
			out[o++] = (char)(0x80 | ((c >> 12) & 0x3f));
			out[o++] = (char)(0x80 | ((c >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (c & 0x3f));
		}
	}
	return o;
}

/* Strings: read up to max bytes page by page, stop at the NUL (2 NUL bytes, aligned, for
 * wstr).  Returns the address after the terminator. */
static uint64_t
read_one_string(struct read_state *st, uint64_t addr, uint64_t max)
{
	bool wide = st->type == READ_T_WSTR;
	uint8_t *buf = tool_xmalloc((size_t)max + 2);
	struct mf_iov iov[64];
	size_t n = 0, i, got = 0, len, unit = wide ? 2 : 1;
	uint64_t a = addr, left = max, next;
	int err = 0;
	bool term = false;

	/* batches of page pieces (max may exceed 4 KiB when LEN is given) */
	while (left > 0 && !term && err == 0) {
		n = 0;
		while (left > 0 && n < sizeof iov / sizeof *iov) {
			uint64_t room = READ_PAGE - (a % READ_PAGE), k = left < room ? left : room;

			iov[n++] = (struct mf_iov){ .addr = a, .buf = buf + (a - addr), .len = k };
			a += k;
			left -= k;
		}
		read_io(st, iov, n, false);
		for (i = 0; i < n && err == 0; i++) {
			if (iov[i].err != 0) {
				err = iov[i].err;
				break;
			}
			got += (size_t)iov[i].len;
		}
		for (len = 0; len + unit <= got; len += unit)
			if (buf[len] == 0 && (!wide || buf[len + 1] == 0)) {
				term = true;
				break;
			}
	}
	for (len = 0; len + unit <= got; len += unit)
		if (buf[len] == 0 && (!wide || buf[len + 1] == 0))
			break;
	if (len == 0 && got == 0 && err != 0) {
		read_gap(st, addr, READ_PAGE - addr % READ_PAGE, err);
		read_gap_flush(st);
		free(buf);
		return addr + max;
	}
	if (!term && err != 0) {
		tool_warn(st->tl, "string at 0x%llx is cut at 0x%llx: %s", (unsigned long long)addr,
		          (unsigned long long)(addr + got), mf_strerror(err));
		st->status = TOOL_EXIT_FAIL;
	}
	if (len > got)
		len = got - got % unit;
	next = addr + len + (term ? unit : 0);
	if (wide) {
		char *u8 = tool_xmalloc(len * 2 + 4);
		size_t o = read_utf16_to_utf8(buf, len, u8);

		read_value_out(st, addr, NULL, u8, o);
		free(u8);
	} else {
		read_value_out(st, addr, NULL, (const char *)buf, len);
	}
	free(buf);
	return next;
}

/* ---- addresses: numbers, MODULE+OFF, pointer chains ---- */

struct read_modfind {
	const char *name;
	size_t len;
	uint64_t exact_base;
	int nexact;
	uint64_t prefix_base;
	int nprefix;
	char prefix_names[256];
};

static int
read_mod_cb(void *ctx, const struct mf_module *m)
{
	struct read_modfind *f = ctx;
	const char *name = m->name ? m->name : "";

	if (strcmp(name, f->name) == 0) {
		if (f->nexact == 0 || m->base < f->exact_base)
			f->exact_base = m->base;
		f->nexact++;
	} else if (strncmp(name, f->name, f->len) == 0 && strncmp(name + f->len, ".so", 3) == 0) {
		size_t used = strlen(f->prefix_names);

		if (f->nprefix == 0 || m->base != f->prefix_base)
			snprintf(f->prefix_names + used, sizeof f->prefix_names - used, "%s%s", used ? ", " : "", name);
		if (f->nprefix > 0 && m->base == f->prefix_base)
			return 0;
		f->prefix_base = m->base;
		f->nprefix++;
	}
	return 0;
}

static uint64_t
read_module_base(struct read_state *st, const char *name)
{
	struct tool *tl = st->tl;
	struct read_modfind f = { .name = name, .len = strlen(name) };
	uint64_t pid;
	int r;

	if (st->space == READ_SP_PID)
		pid = st->pid;
	else if (st->space == READ_SP_KERNEL)
		pid = 0;
	else
		tool_usage_error(tl, "a module address (%s) needs a process (-p, -n) or --kernel", name);
	if ((r = mf_modules(tl->t, pid, read_mod_cb, &f, tl->errbuf)) < 0)
		tool_die(tl, "cannot list modules of %s: %s", read_space_name(st), tl->errbuf);
	if (f.nexact > 0)
		return f.exact_base;
	if (f.nprefix == 1)
		return f.prefix_base;
	if (f.nprefix > 1)
		tool_die(tl, "module name '%s' is ambiguous in %s: %s", name, read_space_name(st), f.prefix_names);
	tool_die(tl, "no module '%s' in %s", name, read_space_name(st));
}

static uint64_t
read_pointer(struct read_state *st, uint64_t at, size_t step)
{
	uint8_t b[8];
	int err = read_small(st, at, b, st->ptr_size);

	if (err != 0)
		tool_die(st->tl, "cannot follow the pointer chain at step %zu: cannot read 0x%llx: %s", step,
		         (unsigned long long)at, mf_strerror(err));
	return read_le(b, st->ptr_size);
}

/* "0x1000", "MODULE+OFF", "MODULE", with ",O1,O2..." */
static uint64_t
read_address(struct read_state *st, const char *arg)
{
	struct tool *tl = st->tl;
	char *copy = tool_xstrdup(arg), *comma = strchr(copy, ','), *plus;
	uint64_t addr, off = 0;
	size_t step = 0;

	if (comma != NULL)
		*comma = '\0';
	if (copy[0] == '\0')
		tool_usage_error(tl, "invalid address '%s'", arg);
	if (mf_parse_u64(copy, &addr) < 0) {
		int r;

		if (copy[0] >= '0' && copy[0] <= '9' && strchr(copy, '+') == NULL) {
			r = mf_parse_u64(copy, &addr);
			if (r == MF_ERR_RANGE)
				tool_usage_error(tl, "address '%s' out of range", copy);
			tool_usage_error(tl, "invalid address '%s'", copy);
		}
		/* MODULE+OFF: the last '+' followed by a number (names may hold '+': libstdc++) */
		plus = strrchr(copy, '+');
		if (plus != NULL && plus[1] != '\0' && (r = mf_parse_u64(plus + 1, &off)) == 0) {
			*plus = '\0';
		} else if (plus != NULL && plus[1] >= '0' && plus[1] <= '9') {
			tool_usage_error(tl, "invalid offset '%s' in '%s'", plus + 1, arg);
		} else {
			off = 0;
		}
		addr = read_module_base(st, copy);
		mf_log(1, "module %s at 0x%llx, +0x%llx = 0x%llx", copy, (unsigned long long)addr, (unsigned long long)off,
		       (unsigned long long)(addr + off));
		addr += off;
	}
	while (comma != NULL) {
		char *tok = comma + 1;
		int64_t o;
		uint64_t p;
		int r;

		comma = strchr(tok, ',');
		if (comma != NULL)
			*comma = '\0';
		if (++step > READ_CHAIN_MAX)
			tool_usage_error(tl, "pointer chain longer than %d steps", READ_CHAIN_MAX);
		if ((r = mf_parse_i64(tok, &o)) < 0) {
			if (r == MF_ERR_RANGE)
				tool_usage_error(tl, "offset '%s' out of range", tok);
			tool_usage_error(tl, "invalid offset '%s' in '%s'", tok, arg);
		}
		p = read_pointer(st, addr, step);
		mf_log(1, "[%zu] 0x%llx -> 0x%llx %c 0x%llx = 0x%llx", step, (unsigned long long)addr,
		       (unsigned long long)p, o < 0 ? '-' : '+', (unsigned long long)(o < 0 ? -(uint64_t)o : (uint64_t)o),
		       (unsigned long long)(p + (uint64_t)o));
		addr = p + (uint64_t)o;
	}
	free(copy);
	return addr;
}

/* ---- writing ---- */

static int
read_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The bytes DATA stands for; exits on a bad value. */
static uint8_t *
read_write_bytes(struct read_state *st, size_t *n)
{
	struct tool *tl = st->tl;
	const char *s = st->wdata;
	size_t len = strlen(s), o = 0, i;
	uint8_t *out = tool_xmalloc(len * 2 + 8);
	unsigned sz = read_type_size(st, st->type);

	switch (st->type) {
	case READ_T_NONE: {
		const char *p = s;

		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
			p += 2;
		while (*p) {
			int hi, lo;

			if (*p == ' ' || *p == ':' || *p == '\t') {
				p++;
				continue;
			}
			hi = read_hexval((unsigned char)p[0]);
			lo = hi < 0 ? -1 : read_hexval((unsigned char)p[1]);
			if (hi < 0 || lo < 0)
				tool_usage_error(tl, "invalid hex data '%s' (expected bytes like \"deadbeef\" or \"de ad be ef\")", s);
			out[o++] = (uint8_t)(hi << 4 | lo);
			p += 2;
		}
		if (o == 0)
			tool_usage_error(tl, "invalid hex data '%s': no bytes", s);
		break;
	}
	case READ_T_U8: case READ_T_U16: case READ_T_U32: case READ_T_U64: case READ_T_PTR: {
		uint64_t v = tool_parse_u64(tl, "value", s);

		if (sz < 8 && v >> (8 * sz) != 0)
			tool_usage_error(tl, "value '%s' out of range for %s", s, read_type_names[st->type]);
		read_put_le(out, v, sz);
		o = sz;
		break;
	}
	case READ_T_I8: case READ_T_I16: case READ_T_I32: case READ_T_I64: {
		int64_t v = tool_parse_i64(tl, "value", s);

		if (sz < 8) {
			int64_t lim = (int64_t)1 << (8 * sz - 1);

			if (v < -lim || v >= lim)
				tool_usage_error(tl, "value '%s' out of range for %s", s, read_type_names[st->type]);
		}
		read_put_le(out, (uint64_t)v, sz);
		o = sz;
		break;
	}
	case READ_T_F32: case READ_T_F64: {
		char *end;
		double d = strtod(s, &end);

		if (end == s || *end != '\0')
			tool_usage_error(tl, "invalid value '%s'", s);
		if (st->type == READ_T_F32) {
			float f = (float)d;
			uint32_t w;

			memcpy(&w, &f, 4);
			read_put_le(out, w, 4);
			o = 4;
		} else {
			uint64_t w;

			memcpy(&w, &d, 8);
			read_put_le(out, w, 8);
			o = 8;
		}
		break;
	}
	case READ_T_STR:
		memcpy(out, s, len);
		o = len;
		if (!st->no_nul)
			out[o++] = 0;
		break;
	case READ_T_WSTR:
		/* UTF-8 to UTF-16LE */
		for (i = 0; i < len;) {
			const uint8_t *u = (const uint8_t *)s + i;
			uint32_t c;
			size_t k;

			if (u[0] < 0x80) { c = u[0]; k = 1; }
			else if ((u[0] & 0xe0) == 0xc0 && i + 1 < len && (u[1] & 0xc0) == 0x80) { c = (u[0] & 0x1fu) << 6 | (u[1] & 0x3fu); k = 2; }
			else if ((u[0] & 0xf0) == 0xe0 && i + 2 < len && (u[1] & 0xc0) == 0x80 && (u[2] & 0xc0) == 0x80) {
				c = (u[0] & 0x0fu) << 12 | (u[1] & 0x3fu) << 6 | (u[2] & 0x3fu); k = 3;
			} else if ((u[0] & 0xf8) == 0xf0 && i + 3 < len && (u[1] & 0xc0) == 0x80 && (u[2] & 0xc0) == 0x80 &&
			           (u[3] & 0xc0) == 0x80) {
				c = (u[0] & 0x07u) << 18 | (u[1] & 0x3fu) << 12 | (u[2] & 0x3fu) << 6 | (u[3] & 0x3fu); k = 4;
			} else {
				tool_usage_error(tl, "invalid UTF-8 in '%s'", s);
			}
			if (c >= 0x10000) {
				c -= 0x10000;
				read_put_le(out + o, 0xd800 + (c >> 10), 2);
				read_put_le(out + o + 2, 0xdc00 + (c & 0x3ff), 2);
				o += 4;
			} else {
				read_put_le(out + o, c, 2);
				o += 2;
			}
			i += k;
		}
		if (!st->no_nul) {
			out[o++] = 0;
			out[o++] = 0;
		}
		break;
	}
	*n = o;
	return out;
}

static void
read_do_write(struct read_state *st, uint64_t addr)
{
	struct tool *tl = st->tl;
	size_t n, i;
	uint8_t *data = read_write_bytes(st, &n);
	struct mf_iov iov = { .addr = addr, .buf = data, .len = n };

	if (addr + n < addr)
		tool_usage_error(tl, "write beyond the end of the address space");
	read_io(st, &iov, 1, true);
	if (iov.err != 0)
		tool_die(tl, "cannot write %zu byte%s at 0x%llx in %s: %s", n, n == 1 ? "" : "s", (unsigned long long)addr,
		         read_space_name(st), mf_strerror(iov.err));
	if (tl->verbosity >= 1) {
		char hex[3 * 64 + 8];
		size_t o = 0;

		for (i = 0; i < n && i < 64; i++)
			o += (size_t)snprintf(hex + o, sizeof hex - o, "%s%02x", i ? " " : "", data[i]);
		if (n > 64)
			snprintf(hex + o, sizeof hex - o, " ...");
		mf_log(1, "wrote %zu byte%s at 0x%llx in %s: %s", n, n == 1 ? "" : "s", (unsigned long long)addr,
		       read_space_name(st), hex);
	}
	free(data);
}

/* ---- selecting the space ---- */

struct read_namefind {
	const char *glob;
	uint64_t pid;
	size_t n;
	char list[512];
};

static int
read_name_cb(void *ctx, const struct mf_process *p)
{
	struct read_namefind *f = ctx;
	size_t used;

	if (!tool_name_match(f->glob, p))
		return 0;
	f->pid = p->pid;
	used = strlen(f->list);
	if (f->n < 10)
		snprintf(f->list + used, sizeof f->list - used, "%s%llu (%s)", f->n ? ", " : "", (unsigned long long)p->pid,
		         p->name ? p->name : "");
	else if (f->n == 10)
		snprintf(f->list + used, sizeof f->list - used, ", ...");
	f->n++;
	return 0;
}

static int
read_arch_cb(void *ctx, const struct mf_process *p)
{
	uint32_t *arch = ctx;

	*arch = p->arch;
	return 0;
}

static unsigned
read_arch_ptr(uint32_t arch)
{
	return arch == MF_ARCH_X86_32 || arch == MF_ARCH_X86_PAE ? 4 : 8;
}

static void
read_select_space(struct read_state *st)
{
	struct tool *tl = st->tl;
	uint32_t arch = MF_ARCH_UNKNOWN;
	int r;

	if (st->pname != NULL) {
		struct read_namefind f = { .glob = st->pname };

		if ((r = mf_processes(tl->t, read_name_cb, &f, tl->errbuf)) < 0)
			tool_die(tl, "cannot list processes of %s: %s", mf_target_name(tl->t), tl->errbuf);
		if (f.n == 0)
			tool_die(tl, "no process named '%s'", st->pname);
		if (f.n > 1)
			tool_die(tl, "'%s' matches %zu processes: %s (use -p PID)", st->pname, f.n, f.list);
		st->space = READ_SP_PID;
		st->pid = f.pid;
	}
	if (st->space == READ_SP_NONE && tl->in != NULL) {
		const struct mf_rec *rec;
		size_t n = 0;

		while ((r = mf_in_next(tl->in, &rec, tl->errbuf)) > 0) {
			uint64_t pid;

			if (strcmp(mf_rec_type(rec), "process") != 0)
				continue;
			if (mf_rec_get_u64(rec, "pid", &pid) < 0)
				tool_die(tl, "stdin: process record without a valid pid");
			if (n == 0 || pid != st->pid)
				n++;
			st->pid = pid;
		}
		if (r < 0)
			tool_die(tl, "stdin: %s", tl->errbuf);
		if (n > 1)
			tool_die(tl, "stdin holds %zu processes: mf-read reads one (select it with -p PID)", n);
		if (n == 1)
			st->space = READ_SP_PID;
	}
	switch (st->space) {
	case READ_SP_NONE:
		tool_usage_error(tl, "no address space: give -p PID, -n NAME, --phys, --kernel or --dtb ROOT, or pipe in one process record");
	case READ_SP_PID:
		/* the process must exist; its arch gives the pointer size */
		if ((r = mf_process(tl->t, st->pid, read_arch_cb, &arch, tl->errbuf)) < 0)
			tool_die(tl, "%s", tl->errbuf);
		st->ptr_size = read_arch_ptr(arch);
		break;
	case READ_SP_PHYS: {
		const char *a = mf_hints_get_str(mf_target_hints(tl->t), "arch");

		if (a == NULL || mf_arch_parse(a, &arch) < 0)
			arch = MF_ARCH_X86_64;
		st->ptr_size = read_arch_ptr(arch);
		break;
	}
	case READ_SP_KERNEL:
		if (mf_target_has_phys(tl->t)) {
			if ((r = mf_target_kernel_space(tl->t, &st->vsp, tl->errbuf)) < 0)
				tool_die(tl, "%s", tl->errbuf);
			st->ptr_size = read_arch_ptr(st->vsp.arch);
		} else {
			st->ptr_size = 8;
		}
		break;
	case READ_SP_DTB:
		memset(&st->vsp, 0, sizeof st->vsp);
		st->vsp.root = tool_parse_u64(tl, "page-table root", st->dtb_arg);
		if (st->arch_arg == NULL)
			st->arch_arg = mf_hints_get_str(mf_target_hints(tl->t), "arch");
		if (st->arch_arg == NULL)
			tool_usage_error(tl, "--dtb needs --arch (the target does not know its architecture)");
		if (mf_arch_parse(st->arch_arg, &st->vsp.arch) < 0 || st->vsp.arch == MF_ARCH_UNKNOWN)
			tool_usage_error(tl, "unknown architecture '%s'", st->arch_arg);
		st->ptr_size = read_arch_ptr(st->vsp.arch);
		break;
	}
}

static void
read_set_space(struct read_state *st, enum read_space sp)
{
	if (st->space != READ_SP_NONE && st->space != sp)
		tool_usage_error(st->tl, "give one address space (-p, -n, --phys, --kernel or --dtb)");
	st->space = sp;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		TOOL_LONGOPTS_COMMON,
		{ "arch", required_argument, NULL, READ_OPT_ARCH },
		{ "count", required_argument, NULL, 'N' },
		{ "dtb", required_argument, NULL, READ_OPT_DTB },
		{ "kernel", no_argument, NULL, READ_OPT_KERNEL },
		{ "name", required_argument, NULL, 'n' },
		{ "no-nul", no_argument, NULL, READ_OPT_NO_NUL },
		{ "phys", no_argument, NULL, READ_OPT_PHYS },
		{ "pid", required_argument, NULL, 'p' },
		{ "type", required_argument, NULL, 'T' },
		{ "write", required_argument, NULL, READ_OPT_WRITE },
		{ "zero-fill", no_argument, NULL, READ_OPT_ZERO_FILL },
		{ NULL, 0, NULL, 0 },
	};
	struct read_state st = { .tl = &read_tool, .count = 1 };
	struct tool *tl = &read_tool;
	const char *addr_arg, *len_arg;
	uint64_t addr, len;
	size_t i;
	int c;

	tool_init(tl, argv, "mf-read", read_usage);
	while ((c = getopt_long(argc, argv, "N:T:c:f:hn:o:p:qt:v", longopts, NULL)) != -1) {
		switch (c) {
		case 'N':
			st.count = tool_parse_u64(tl, "count", optarg);
			st.count_set = true;
			if (st.count == 0)
				tool_usage_error(tl, "invalid count '%s'", optarg);
			break;
		case 'T':
			st.type = READ_T_NONE;
			for (i = 1; i < sizeof read_type_names / sizeof *read_type_names; i++)
				if (strcmp(optarg, read_type_names[i]) == 0)
					st.type = (enum read_type)i;
			if (st.type == READ_T_NONE)
				tool_usage_error(tl, "unknown type '%s' (u8 u16 u32 u64 i8 i16 i32 i64 f32 f64 ptr str wstr)", optarg);
			break;
		case 'n':
			read_set_space(&st, READ_SP_PID);
			st.pname = optarg;
			break;
		case 'p':
			read_set_space(&st, READ_SP_PID);
			st.pid = tool_parse_u64(tl, "pid", optarg);
			if (st.pid > INT32_MAX)
				tool_usage_error(tl, "pid '%s' out of range", optarg);
			break;
		case READ_OPT_ARCH:
			st.arch_arg = optarg;
			break;
		case READ_OPT_DTB:
			read_set_space(&st, READ_SP_DTB);
			st.dtb_arg = optarg;
			break;
		case READ_OPT_KERNEL:
			read_set_space(&st, READ_SP_KERNEL);
			break;
		case READ_OPT_NO_NUL:
			st.no_nul = true;
			break;
		case READ_OPT_PHYS:
			read_set_space(&st, READ_SP_PHYS);
			break;
		case READ_OPT_WRITE:
			st.writing = true;
			st.wdata = optarg;
			break;
		case READ_OPT_ZERO_FILL:
			st.zero_fill = true;
			break;
		default:
			tool_common_opt(tl, c, optarg);
			break;
		}
	}
	if (optind >= argc)
		tool_usage_error(tl, "no address given");
	addr_arg = argv[optind++];
	len_arg = optind < argc ? argv[optind++] : NULL;
	if (optind < argc)
		tool_usage_error(tl, "unexpected argument '%s'", argv[optind]);
	if (st.arch_arg != NULL && st.space != READ_SP_DTB)
		tool_usage_error(tl, "--arch goes with --dtb");
	if (st.writing && len_arg != NULL)
		tool_usage_error(tl, "--write takes no LEN: the data gives the length");
	if (st.writing && st.count_set)
		tool_usage_error(tl, "--write takes no -N");
	if (st.type != READ_T_NONE && st.type != READ_T_STR && st.type != READ_T_WSTR && len_arg != NULL)
		tool_usage_error(tl, "-T %s takes no LEN (use -N COUNT)", read_type_names[st.type]);
	len = len_arg ? tool_parse_u64(tl, "length", len_arg)
	              : st.type == READ_T_STR || st.type == READ_T_WSTR ? READ_STR_MAX : READ_DEFAULT_LEN;
	if (st.no_nul && !(st.writing && (st.type == READ_T_STR || st.type == READ_T_WSTR)))
		tool_usage_error(tl, "--no-nul goes with --write and -T str or wstr");
	if (st.zero_fill && st.writing)
		tool_usage_error(tl, "--zero-fill goes with reads");
	tool_options_done(tl);
	if (st.writing)
		tl->topt.flags |= MF_TARGET_WRITE;
	tl->topt.read_stdin = st.space == READ_SP_NONE || (tl->topt.conn == NULL && tl->topt.os == NULL && tl->topt.tfile == NULL);
	tool_open(tl, true);
	if ((st.rec = mf_rec_new("mem")) == NULL)
		tool_oom();
	read_select_space(&st);
	addr = read_address(&st, addr_arg);

	if (st.writing) {
		read_do_write(&st, addr);
	} else {
		tool_write_target(tl);
		if (st.type == READ_T_STR || st.type == READ_T_WSTR) {
			uint64_t k;

			if (len == 0)
				tool_usage_error(tl, "invalid length '%s'", len_arg);
			if (len > 64u << 20)
				tool_usage_error(tl, "string length '%s' out of range (at most 64M)", len_arg);
			for (k = 0; k < st.count; k++)
				addr = read_one_string(&st, addr, len);
		} else if (st.type != READ_T_NONE) {
			if (st.count > (UINT64_MAX - addr) / read_type_size(&st, st.type))
				tool_usage_error(tl, "count '%llu' runs beyond the end of the address space",
				                 (unsigned long long)st.count);
			read_typed_numbers(&st, addr);
		} else {
			if (len > 0 && addr + len - 1 < addr)
				tool_usage_error(tl, "0x%llx+%s runs beyond the end of the address space", (unsigned long long)addr,
				                 len_arg);
			read_bytes(&st, addr, len);
		}
	}
	mf_rec_free(st.rec);
	return tool_finish(tl, st.status);
}
