/* mf-read: read (or, with --write, write) memory of a process, the kernel, physical memory
 * or any address space: hexdump, raw bytes, `mem` records, typed values, pointer chains. */
#include "config.h"
#include "tool.h"
#include "tool-getopt.h"
#include "read-out.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	READ_OPT_NO_NUL = TOOL_OPT_FIRST_OWN,
	READ_OPT_WRITE,
	READ_OPT_ZERO_FILL,
};

#define READ_PIECE (1u << 20)          /* bytes per scatter entry */
#define READ_BATCH 16                  /* entries per call */
/* -f raw streams the bytes straight from the read buffer to stdout: keep that buffer small
 * enough to stay in the CPU cache (512 KiB), or every byte makes an extra trip to memory
 * (a 16 MiB buffer read a 2 GiB page-cached dump at 0.84 of cat, 512 KiB at 0.98) */
#define READ_RAW_PIECE (128u << 10)
#define READ_RAW_BATCH 4
#define READ_DEFAULT_LEN 256
#define READ_STR_MAX 4096
#define READ_TYPED_BATCH 4096          /* typed values per call */
#define READ_PAGE 4096u

struct read_state {
	struct tool *tl;
	struct tool_spaces spaces;
	struct mf_aspace *as;
	const char *wdata;
	bool writing;
	bool no_nul;
	bool zero_fill;
	enum mf_type type;
	uint64_t count;
	bool count_set;
	struct mf_rec *rec;
	int status;
	bool gone;           /* the current space's process exited */
	struct read_out out;
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
	        "Without a space option, each process whose record arrives on stdin, in order.\n"
	        "Unreadable memory is reported (gap records, a warning, exit status 1), never zeros.\n"
	        "\nAddress space:\n"
	        "      --arch=ARCH        architecture for --dtb: x86_64, x86_64-la57, x86, x86-pae,\n"
	        "                         aarch64, riscv-sv39, riscv-sv48\n"
	        "      --dtb=ROOT         the address space with page-table root ROOT\n"
	        "      --kernel           the kernel's address space\n"
	        "  -n, --name=NAME        the one process whose name or argv[0] matches NAME\n"
	        "  -p, --pid=PID[,PID]    process PID (several: each in turn)\n"
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

/* A read of the whole space failed: a process gone since it was listed is a warning
 * (returns, the caller goes on with the next space), anything else fatal. */
static void
read_failed(struct read_state *st, int r, bool at, uint64_t addr)
{
	const struct mf_aspace_id *id = mf_aspace_id(st->as);

	if (id->kind == MF_ASPACE_PROCESS && tool_space_gone(st->tl, id->pid, r)) {
		st->gone = true;
		return;
	}
	if (!at)
		tool_die(st->tl, "%s", st->tl->errbuf);
	tool_die(st->tl, "cannot read 0x%llx in %s: %s", (unsigned long long)addr, mf_aspace_name(st->as), st->tl->errbuf);
}

static void
read_bytes(struct read_state *st, uint64_t addr, uint64_t len)
{
	bool raw = st->tl->fmt == MF_FMT_RAW;
	int r;

	st->out.progress = mf_progress_new(len);   /* a long read: `--phys -f raw 0 16G` */
	r = mf_aspace_read_span(st->as, addr, len, raw ? READ_RAW_PIECE : READ_PIECE, raw ? READ_RAW_BATCH : READ_BATCH,
	                        read_out_piece, &st->out, st->tl->errbuf);
	mf_progress_end(st->out.progress);
	st->out.progress = NULL;
	if (r < 0)
		read_failed(st, r, false, 0);
	read_out_end(&st->out);
}

/* ---- typed values ---- */

static void
read_value_out(struct read_state *st, uint64_t addr, const uint8_t *p, const char *s, size_t slen)
{
	struct tool *tl = st->tl;
	bool text_out = tl->fmt == MF_FMT_TABLE || tl->fmt == MF_FMT_RAW;
	union mf_num v;
	char text[64];

	read_out_flush(&st->out);
	if (text_out && s != NULL) {
		tool_raw(tl, s, slen);
		tool_raw(tl, "\n", 1);
		return;
	}
	if (s == NULL) {
		v = mf_num_decode(st->type, mf_aspace_ptr_size(st->as), p);
		mf_num_format(st->type, v, text, sizeof text);
	}
	if (text_out) {
		tool_printf(tl, "%s\n", text);
		return;
	}
	mf_rec_reset(st->rec, "value");
	tool_space_fields(mf_aspace_id(st->as), 0, st->rec);
	if (mf_rec_add_addr(st->rec, "addr", addr) < 0 || mf_rec_add_str(st->rec, "vtype", mf_type_name(st->type)) < 0 ||
	    (s != NULL ? mf_rec_add_strn(st->rec, "value", s, slen) : mf_num_rec_add(st->rec, "value", st->type, v)) < 0)
		tool_oom();
	tool_rec(tl, st->rec);
}

static void
read_typed_numbers(struct read_state *st, uint64_t addr)
{
	unsigned sz = mf_type_size(st->type, mf_aspace_ptr_size(st->as));
	uint64_t left = st->count;
	struct mf_iov *iov = tool_xcalloc(READ_TYPED_BATCH, sizeof *iov);
	uint8_t *buf = tool_xmalloc((size_t)READ_TYPED_BATCH * sz);
	int r;

	if (st->count > (UINT64_MAX - addr) / sz)
		tool_usage_error(st->tl, "count '%llu' runs beyond the end of the address space", (unsigned long long)st->count);
	while (left > 0) {
		size_t n = left < READ_TYPED_BATCH ? (size_t)left : READ_TYPED_BATCH, i;

		for (i = 0; i < n; i++)
			iov[i] = (struct mf_iov){ .addr = addr + (uint64_t)i * sz, .buf = buf + i * sz, .len = sz };
		if ((r = mf_aspace_read(st->as, iov, n, st->tl->errbuf)) < 0) {
			read_failed(st, r, true, iov[0].addr);
			break;
		}
		for (i = 0; i < n; i++) {
			if (iov[i].err == 0)
				read_value_out(st, iov[i].addr, iov[i].buf, NULL, 0);
			else
				read_out_gap(&st->out, iov[i].addr, iov[i].len, iov[i].err);
		}
		addr += (uint64_t)n * sz;
		left -= n;
		if (left > 0 && iov[n - 1].err != 0) {   /* skip what is not mapped, as one gap */
			uint64_t next, skip;

			if (mf_aspace_next_mapped(st->as, addr, &next) < 0)
				next = UINT64_MAX;
			skip = (next - addr) / sz < left ? (next - addr) / sz : left;
			if (skip > 0)
				read_out_gap(&st->out, addr, skip * sz, iov[n - 1].err);
			addr += skip * sz;
			left -= skip;
		}
	}
	read_out_flush(&st->out);
	free(iov);
	free(buf);
}

/* Strings: up to max bytes, until the NUL.  Returns the address after the terminator. */
static uint64_t
read_one_string(struct read_state *st, uint64_t addr, uint64_t max)
{
	bool wide = st->type == MF_T_WSTR;
	struct mf_str_read s;
	int r;

	if ((r = mf_aspace_read_str(st->as, addr, max, wide, &s, st->tl->errbuf)) < 0) {
		read_failed(st, r, false, 0);
		return addr + max;
	}
	if (s.got == 0 && s.err != 0) {
		read_out_gap(&st->out, addr, READ_PAGE - addr % READ_PAGE, s.err);
		read_out_flush(&st->out);
		free(s.buf);
		return addr + max;
	}
	if (!s.term && s.err != 0) {
		tool_warn(st->tl, "string at 0x%llx is cut at 0x%llx: %s", (unsigned long long)addr,
		          (unsigned long long)(addr + s.got), mf_strerror(s.err));
		st->status = TOOL_EXIT_FAIL;
	}
	if (wide) {
		char *u8 = tool_xmalloc(s.len * 2 + 4);

		read_value_out(st, addr, NULL, u8, mf_utf16le_to_utf8(s.buf, s.len, u8));
		free(u8);
	} else {
		read_value_out(st, addr, NULL, (const char *)s.buf, s.len);
	}
	free(s.buf);
	return addr + s.len + (s.term ? (wide ? 2 : 1) : 0);
}

/* ---- writing ---- */

static void
read_do_write(struct read_state *st, uint64_t addr)
{
	struct tool *tl = st->tl;
	struct mf_iov iov;
	uint8_t *data;
	size_t n, i;
	int r;

	if ((r = mf_value_bytes(st->type, mf_aspace_ptr_size(st->as), st->wdata, st->no_nul, &data, &n, tl->errbuf)) < 0) {
		if (r == MF_ERR_NOMEM)
			tool_oom();
		tool_usage_error(tl, "%s", tl->errbuf);
	}
	if (addr + n < addr)
		tool_usage_error(tl, "write beyond the end of the address space");
	iov = (struct mf_iov){ .addr = addr, .buf = data, .len = n };
	if (mf_aspace_write(st->as, &iov, 1, tl->errbuf) < 0)
		tool_die(tl, "cannot write 0x%llx in %s: %s", (unsigned long long)addr, mf_aspace_name(st->as), tl->errbuf);
	if (iov.err != 0)
		tool_die(tl, "cannot write %zu byte%s at 0x%llx in %s: %s", n, n == 1 ? "" : "s", (unsigned long long)addr,
		         mf_aspace_name(st->as), mf_strerror(iov.err));
	if (tl->verbosity >= 1) {
		char hex[3 * 64 + 8];
		size_t o = 0;

		for (i = 0; i < n && i < 64; i++)
			o += (size_t)snprintf(hex + o, sizeof hex - o, "%s%02x", i ? " " : "", data[i]);
		if (n > 64)
			snprintf(hex + o, sizeof hex - o, " ...");
		mf_log(1, "wrote %zu byte%s at 0x%llx in %s: %s", n, n == 1 ? "" : "s", (unsigned long long)addr,
		       mf_aspace_name(st->as), hex);
	}
	free(data);
}

/* ---- one space ---- */

static void
read_space(struct read_state *st, const char *addr_arg, uint64_t len, const char *len_arg, bool first)
{
	struct tool *tl = st->tl;
	uint64_t addr, k;
	int r;

	if ((r = mf_aspace_addr(st->as, addr_arg, &addr, tl->errbuf)) < 0) {
		if (r == MF_ERR_ARG)
			tool_usage_error(tl, "%s", tl->errbuf);
		tool_die(tl, "%s", tl->errbuf);
	}
	if (st->writing) {
		read_do_write(st, addr);
		return;
	}
	if (first)
		tool_write_target(tl);
	read_out_start(&st->out, mf_aspace_id(st->as));
	if (mf_type_string(st->type)) {
		if (len == 0)
			tool_usage_error(tl, "invalid length '%s'", len_arg);
		if (len > 64u << 20)
			tool_usage_error(tl, "string length '%s' out of range (at most 64M)", len_arg);
		for (k = 0; k < st->count && !st->gone; k++)
			addr = read_one_string(st, addr, len);
	} else if (st->type != MF_T_NONE) {
		read_typed_numbers(st, addr);
	} else {
		if (len > 0 && addr + len - 1 < addr)
			tool_usage_error(tl, "0x%llx+%s runs beyond the end of the address space", (unsigned long long)addr, len_arg);
		read_bytes(st, addr, len);
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		TOOL_LONGOPTS_COMMON,
		{ "arch", required_argument, NULL, TOOL_OPT_ARCH },
		{ "count", required_argument, NULL, 'N' },
		{ "dtb", required_argument, NULL, TOOL_OPT_DTB },
		{ "kernel", no_argument, NULL, TOOL_OPT_KERNEL },
		{ "name", required_argument, NULL, 'n' },
		{ "no-nul", no_argument, NULL, READ_OPT_NO_NUL },
		{ "phys", no_argument, NULL, TOOL_OPT_PHYS },
		{ "pid", required_argument, NULL, 'p' },
		{ "type", required_argument, NULL, 'T' },
		{ "write", required_argument, NULL, READ_OPT_WRITE },
		{ "zero-fill", no_argument, NULL, READ_OPT_ZERO_FILL },
		{ NULL, 0, NULL, 0 },
	};
	struct read_state st = { .tl = &read_tool, .count = 1 };
	struct tool *tl = &read_tool;
	const char *addr_arg, *len_arg;
	struct mf_select *sel;
	uint64_t len;
	bool first = true;
	int c;

	st.spaces.one = "give one address space (-p, -n, --phys, --kernel or --dtb)";
	tool_init(tl, argv, "mf-read", read_usage);
	while ((c = tool_getopt_long(argc, argv, "N:T:c:f:hn:o:p:qt:v", longopts)) != -1) {
		switch (c) {
		case 'N':
			st.count = tool_parse_u64(tl, "count", optarg);
			st.count_set = true;
			if (st.count == 0)
				tool_usage_error(tl, "invalid count '%s'", optarg);
			break;
		case 'T':
			if (mf_type_parse(optarg, &st.type) < 0)
				tool_usage_error(tl, "unknown type '%s' (u8 u16 u32 u64 i8 i16 i32 i64 f32 f64 ptr str wstr)", optarg);
			break;
		case READ_OPT_NO_NUL:
			st.no_nul = true;
			break;
		case READ_OPT_WRITE:
			st.writing = true;
			st.wdata = optarg;
			break;
		case READ_OPT_ZERO_FILL:
			st.zero_fill = true;
			break;
		default:
			if (!tool_space_opt(tl, &st.spaces, c, optarg))
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
	if (st.spaces.sel.arch != NULL && st.spaces.kind != MF_ASPACE_DTB)
		tool_usage_error(tl, "--arch goes with --dtb");
	if (st.writing && len_arg != NULL)
		tool_usage_error(tl, "--write takes no LEN: the data gives the length");
	if (st.writing && st.count_set)
		tool_usage_error(tl, "--write takes no -N");
	if (st.type != MF_T_NONE && !mf_type_string(st.type) && len_arg != NULL)
		tool_usage_error(tl, "-T %s takes no LEN (use -N COUNT)", mf_type_name(st.type));
	len = len_arg ? tool_parse_u64(tl, "length", len_arg) : mf_type_string(st.type) ? READ_STR_MAX : READ_DEFAULT_LEN;
	if (st.no_nul && !(st.writing && mf_type_string(st.type)))
		tool_usage_error(tl, "--no-nul goes with --write and -T str or wstr");
	if (st.zero_fill && st.writing)
		tool_usage_error(tl, "--zero-fill goes with reads");
	tool_options_done(tl);
	if (st.writing)
		tl->topt.flags |= MF_TARGET_WRITE;
	tool_spaces_stdin(tl, &st.spaces);
	tool_open(tl, true);
	if ((st.rec = mf_rec_new("mem")) == NULL)
		tool_oom();
	st.out = (struct read_out){ .tl = tl, .rec = st.rec, .zero_fill = st.zero_fill };
	sel = tool_select(tl, &st.spaces, 0);
	while ((st.as = tool_next_space(tl, sel)) != NULL) {
		st.gone = false;
		read_space(&st, addr_arg, len, len_arg, first);
		if (!st.gone)
			tool_space_worked(tl);
		first = false;
		mf_aspace_close(st.as);
	}
	if (first && tl->ngone == 0 && tl->in == NULL)
		tool_usage_error(tl, "no address space: give -p PID, -n NAME, --phys, --kernel or --dtb ROOT, or pipe in process records");
	if (first && tl->ngone == 0)
		tool_spaces_empty(tl, "read");
	mf_select_free(sel);
	mf_rec_free(st.rec);
	free(st.spaces.pids);
	free(st.spaces.names);
	return tool_finish(tl, tool_spaces_status(tl, st.status != TOOL_EXIT_OK ? st.status : st.out.status));
}
