/* test-aspace.c: address spaces over the pattern connector: physical memory and a page-table
 * space built in it (x86-64, 4 KiB pages); span reads with batches, page retries and gaps;
 * mapped regions; strings; address expressions and pointer chains; space selection from
 * options and from process records; the space fields of records; the page map os layers
 * get through struct mf_phys (page_map: x86-64, and an x86 directory with a 4 MiB page
 * and Windows' self-map entry); views of a raw file's physical memory (over the raw
 * connector). */
#include "config.h"
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <mftools/mf.h>
#include "tap.h"

#define PT_FLAGS 0x7u   /* present, writable, user */

static unsigned long *test_calls;
static char test_dir[4096];

static unsigned char
test_byte(uint64_t a)
{
	return (unsigned char)(a * 7 + (a >> 12));
}

static void
test_stats(void)
{
	char path[4200];
	void *dl;

	snprintf(path, sizeof path, "%s/mf-connector-pattern.so", test_dir);
	if ((dl = dlopen(path, RTLD_NOW | RTLD_NOLOAD)) != NULL)
		test_calls = dlsym(dl, "pattern_calls");
}

static int
test_write(struct mf_target *t, uint64_t addr, const void *p, size_t n)
{
	struct mf_iov iov = { .addr = addr, .buf = (void *)p, .len = n };
	char err[MF_ERRBUF_SIZE];

	return mf_phys_write(t, &iov, 1, err) == 0 ? iov.err : -1;
}

static void
test_put64(uint8_t *page, unsigned index, uint64_t v)
{
	unsigned i;

	for (i = 0; i < 8; i++)
		page[index * 8 + i] = (uint8_t)(v >> (8 * i));
}

/* PML4 0x1000 -> PDPT 0x2000 -> PD 0x3000 -> PT 0x4000: VA 0x400000 -> PA 0x8000,
 * 0x401000 -> 0x9000, 0x402000 not present, 0x403000 -> 0x200000 (outside the ranges). */
static int
test_tables(struct mf_target *t)
{
	uint8_t page[4096];
	int r = 0;

	memset(page, 0, sizeof page);
	test_put64(page, 0, 0x2000 | PT_FLAGS);
	r |= test_write(t, 0x1000, page, sizeof page);
	memset(page, 0, sizeof page);
	test_put64(page, 0, 0x3000 | PT_FLAGS);
	r |= test_write(t, 0x2000, page, sizeof page);
	memset(page, 0, sizeof page);
	test_put64(page, 2, 0x4000 | PT_FLAGS);
	r |= test_write(t, 0x3000, page, sizeof page);
	memset(page, 0, sizeof page);
	test_put64(page, 0, 0x8000 | PT_FLAGS);
	test_put64(page, 1, 0x9000 | PT_FLAGS);
	test_put64(page, 3, 0x200000 | PT_FLAGS);
	r |= test_write(t, 0x4000, page, sizeof page);
	return r;
}

struct pieces {
	size_t n;
	struct mf_span_piece p[16];   /* data pointers are not kept: valid only in the call */
	int bytes_ok;
	uint64_t delta;               /* virtual - physical address of the data */
};

static int
test_piece_cb(void *ctx, const struct mf_span_piece *p)
{
	struct pieces *ps = ctx;

	if (ps->n < 16) {
		ps->p[ps->n] = *p;
		ps->p[ps->n].data = p->data ? (const uint8_t *)"" : NULL;
	}
	ps->n++;
	return 0;
}

static int
test_phys_bytes_cb(void *ctx, const struct mf_span_piece *p)
{
	struct pieces *ps = ctx;
	uint64_t i;

	test_piece_cb(ctx, p);
	for (i = 0; p->data != NULL && i < p->len; i++)
		if (p->data[i] != test_byte(p->addr - ps->delta + i))
			ps->bytes_ok = 0;
	return 0;
}

struct regions {
	size_t n;
	struct mf_region r[8];
	char perms[8][8];
};

static int
test_region_cb(void *ctx, const struct mf_region *rg)
{
	struct regions *rs = ctx;

	if (rs->n < 8) {
		rs->r[rs->n] = *rg;
		snprintf(rs->perms[rs->n], sizeof rs->perms[0], "%s", rg->perms);
	}
	rs->n++;
	return 0;
}

static void
test_phys(void)
{
	struct mf_aspace_id id = { .kind = MF_ASPACE_PHYS };
	struct pieces ps = { .bytes_ok = 1 };
	struct regions rs = { 0 };
	char err[MF_ERRBUF_SIZE];
	struct mf_target *t;
	struct mf_aspace *as;
	unsigned long before;

	if (!ok(mf_target_open("pattern:ranges=0x10000-0x30000+0x80000-0x90000", NULL, 0, &t, err) == 0,
	        "open pattern connector")) {
		diag(err);
		return;
	}
	test_stats();
	ok(mf_aspace_open(t, &id, &as, err) == 0, "open physical memory");
	is_str(mf_aspace_name(as), "physical memory", "its name");
	ok(mf_aspace_space(as) == NULL, "no page tables");
	is_int(mf_aspace_ptr_size(as), 8, "pointers of 8 bytes without an arch hint");

	/* 0x10000 to 0x90000 in pieces of 64 KiB, 4 a call: the hole comes back as one gap */
	before = test_calls ? *test_calls : 0;
	is_int(mf_aspace_read_span(as, 0x10000, 0x80000, 0x10000, 4, test_phys_bytes_cb, &ps, err), 0, "span read");
	ok(ps.bytes_ok, "the data pieces hold the bytes of their addresses");
	is_int(ps.n, 4, "data, data, one gap, data");
	is_u64(ps.p[0].addr, 0x10000, "first piece");
	is_u64(ps.p[0].len, 0x10000, "a whole piece");
	ok(ps.p[2].data == NULL && ps.p[2].addr == 0x30000 && ps.p[2].len == 0x50000 && ps.p[2].err == MF_ERR_UNMAPPED,
	   "the hole 0x30000-0x80000, merged, unmapped");
	ok(ps.p[3].data != NULL && ps.p[3].addr == 0x80000 && ps.p[3].len == 0x10000, "the last range");
	if (test_calls != NULL)
		ok(*test_calls - before <= 2, "two batches of 4 pieces, no page-by-page reads of readable memory (%lu calls)",
		   *test_calls - before);
	is_int(mf_aspace_read_span(as, UINT64_MAX - 10, 100, 0, 0, test_piece_cb, &ps, err), MF_ERR_RANGE, "a span past 2^64");

	ok(mf_aspace_regions(as, test_region_cb, &rs, err) == 0 && rs.n == 2, "two physical regions");
	ok(rs.r[0].start == 0x10000 && rs.r[0].end == 0x30000 && rs.r[1].start == 0x80000 && strcmp(rs.perms[0], "") == 0,
	   "the connector's ranges");
	mf_aspace_close(as);
	mf_target_close(t);
}

static void
test_dtb(void)
{
	struct mf_aspace_id id = { .kind = MF_ASPACE_DTB, .sp = { .arch = MF_ARCH_X86_64, .root = 0x1000 } };
	struct pieces ps = { .bytes_ok = 1, .delta = 0x400000 - 0x8000 };
	struct regions rs = { 0 };
	char err[MF_ERRBUF_SIZE];
	struct mf_target *t;
	struct mf_aspace *as, *phys;
	struct mf_str_read s;
	uint64_t addr;
	uint8_t b[8];

	if (!ok(mf_target_open("pattern:ranges=0-0x10000", NULL, MF_TARGET_WRITE, &t, err) == 0, "open writable"))
		return;
	ok(test_tables(t) == 0, "page tables written");
	if (!ok(mf_aspace_open(t, &id, &as, err) == 0, "open the dtb space")) {
		diag(err);
		mf_target_close(t);
		return;
	}
	is_str(mf_aspace_name(as), "dtb 0x1000", "its name");
	ok(mf_aspace_space(as) != NULL && mf_aspace_space(as)->root == 0x1000, "its tables");
	ok(mf_target_vat(t, err) != NULL, "the target's translator");

	is_int(mf_aspace_read_span(as, 0x400000, 0x4000, 0x4000, 1, test_phys_bytes_cb, &ps, err), 0, "span over 4 pages");
	is_int(ps.n, 4, "two pages, then two gaps");
	ok(ps.p[0].data != NULL && ps.p[0].addr == 0x400000 && ps.p[0].len == 0x1000, "page 0 read");
	ok(ps.bytes_ok, "translated to 0x8000 and 0x9000");
	ok(ps.p[1].data != NULL && ps.p[1].addr == 0x401000, "page 1 read");
	ok(ps.p[2].data == NULL && ps.p[2].addr == 0x402000 && ps.p[2].len == 0x1000 && ps.p[2].err == MF_ERR_NOTMAPPED,
	   "page 2 not mapped");
	ok(ps.p[3].data == NULL && ps.p[3].addr == 0x403000 && ps.p[3].err == MF_ERR_UNMAPPED,
	   "page 3 maps physical memory the source does not have");

	ok(mf_aspace_regions(as, test_region_cb, &rs, err) == 0, "page map");
	is_int(rs.n, 2, "two regions");
	ok(rs.r[0].start == 0x400000 && rs.r[0].end == 0x402000 && strcmp(rs.perms[0], "rwxp") == 0,
	   "0x400000-0x402000 rwxp, merged");
	ok(rs.r[1].start == 0x403000 && rs.r[1].end == 0x404000, "0x403000-0x404000");

	/* a pointer chain: the pointer at VA 0x400010 is 0x401000; +0x20 */
	test_put64(b, 0, 0x401000);
	ok(test_write(t, 0x8010, b, 8) == 0, "pointer written");
	ok(mf_aspace_addr(as, "0x400010,0x20", &addr, err) == 0 && addr == 0x401020, "0x400010,0x20 = 0x401020");
	ok(mf_aspace_addr(as, "0x400010,-0x1000", &addr, err) == 0 && addr == 0x400000, "a negative offset");
	is_int(mf_aspace_addr(as, "0x402000,0", &addr, err), MF_ERR_NOTMAPPED, "a chain through an unmapped page");
	is_str(err, "cannot follow the pointer chain at step 1: cannot read 0x402000: address not mapped", "its message");
	is_int(mf_aspace_addr(as, "libc+0x10", &addr, err), MF_ERR_ARG, "modules need a process");
	is_int(mf_aspace_addr(as, "12x", &addr, err), MF_ERR_ARG, "not a number");
	is_int(mf_aspace_addr(as, "0x10000000000000000", &addr, err), MF_ERR_ARG, "out of range");
	is_str(err, "address '0x10000000000000000' out of range", "its message");

	/* strings, in physical memory */
	id.kind = MF_ASPACE_PHYS;
	ok(mf_aspace_open(t, &id, &phys, err) == 0, "open physical memory");
	ok(test_write(t, 0x7000, "hello", 6) == 0, "a string written");
	ok(mf_aspace_read_str(phys, 0x7000, 64, false, &s, err) == 0 && s.len == 5 && s.term && s.err == 0 &&
	   memcmp(s.buf, "hello", 5) == 0, "str: hello, terminated");
	free(s.buf);
	ok(test_write(t, 0x7100, "h\0i\0\0\0", 6) == 0, "a wide string written");
	ok(mf_aspace_read_str(phys, 0x7100, 64, true, &s, err) == 0 && s.len == 4 && s.term, "wstr: two units");
	free(s.buf);
	ok(mf_aspace_read_str(phys, 0xfffe, 64, false, &s, err) == 0 && s.got == 2 && !s.term && s.err == MF_ERR_UNMAPPED,
	   "a string cut by the end of memory");
	free(s.buf);
	mf_aspace_close(phys);
	mf_aspace_close(as);
	mf_target_close(t);
}

struct runs {
	size_t n;
	struct mf_map r[8];
	char perms[8][8], size[8][24];
};

static int
test_run_cb(void *ctx, const struct mf_map *m)
{
	struct runs *rs = ctx;

	if (rs->n < 8) {
		rs->r[rs->n] = *m;
		snprintf(rs->perms[rs->n], sizeof rs->perms[0], "%s", m->perms);
		snprintf(rs->size[rs->n], sizeof rs->size[0], "%s", m->path);
	}
	rs->n++;
	return 0;
}

/* run i: va, pa, length, page size, perms (tests/unit/pagemap-os.c's form) */
static bool
test_run_is(const struct runs *rs, size_t i, uint64_t va, uint64_t pa, uint64_t len, const char *psize, const char *perms)
{
	const struct mf_map *r = &rs->r[i];
	char m[200];

	if (i >= rs->n || i >= 8)
		return false;
	if (r->start == va && r->offset == pa && r->end - r->start == len && strcmp(rs->size[i], psize) == 0 &&
	    strcmp(rs->perms[i], perms) == 0)
		return true;
	snprintf(m, sizeof m, "run %zu: va 0x%llx pa 0x%llx len 0x%llx page %s %s", i, (unsigned long long)r->start,
	         (unsigned long long)r->offset, (unsigned long long)(r->end - r->start), rs->size[i], rs->perms[i]);
	diag(m);
	return false;
}

/* The page map an os layer gets through struct mf_phys (page_map), seen by the test os
 * layer pagemap (tests/unit/pagemap-os.c): of the tables of test_tables, and of an x86
 * (2-level) directory with a 4 MiB page and a self-map entry. */
static void
test_page_runs(void)
{
	uint8_t pd[4096] = { 0 };
	char err[MF_ERRBUF_SIZE];
	struct mf_target *t;
	struct runs rs = { 0 };

	if (!ok(mf_target_open("pattern:ranges=0-0x10000", "pagemap:arch=x86_64,root=0x1000", MF_TARGET_WRITE, &t, err) == 0,
	        "open with the pagemap os layer")) {
		diag(err);
		return;
	}
	ok(test_tables(t) == 0, "page tables written");
	is_int(mf_maps(t, 0, test_run_cb, &rs, err), 0, "x86-64: the page map");
	is_int(rs.n, 2, "two runs");
	ok(test_run_is(&rs, 0, 0x400000, 0x8000, 0x2000, "4096", "rwxu"), "0x400000 -> 0x8000, two pages merged, rwx user");
	ok(test_run_is(&rs, 1, 0x403000, 0x200000, 0x1000, "4096", "rwxu"),
	   "0x403000 -> 0x200000 (outside the source: the tables say so)");
	mf_target_close(t);

	if (!ok(mf_target_open("pattern:ranges=0-0x10000", "pagemap:arch=x86_64,root=0x1000,stop=1", MF_TARGET_WRITE, &t,
	                       err) == 0, "open, stopping after one run"))
		return;
	ok(test_tables(t) == 0, "page tables written");
	rs = (struct runs){ 0 };
	is_int(mf_maps(t, 0, test_run_cb, &rs, err), 42, "the callback's non-zero value stops the walk, and is returned");
	is_int(rs.n, 1, "after one run");
	mf_target_close(t);

	/* x86: PD at 0x5000; PDE 1 a 4 MiB page at 0x800000 (kernel, read-only, PS); PDE
	 * 0x300 the directory itself (Windows' self-map: 0xc0300000 maps the PD as a page) */
	if (!ok(mf_target_open("pattern:ranges=0-0x10000", "pagemap:arch=x86,root=0x5000", MF_TARGET_WRITE, &t, err) == 0,
	        "open an x86 space"))
		return;
	pd[4] = 0x81;                               /* PDE 1: present, PS */
	pd[6] = 0x80;                               /* 0x00800000 */
	pd[0x300 * 4] = 0x03;                       /* PDE 0x300: present, writable, */
	pd[0x300 * 4 + 1] = 0x50;                   /* 0x00005000 */
	ok(test_write(t, 0x5000, pd, sizeof pd) == 0, "an x86 directory written");
	rs = (struct runs){ 0 };
	is_int(mf_maps(t, 0, test_run_cb, &rs, err), 0, "x86: the page map");
	is_int(rs.n, 3, "three runs");
	ok(test_run_is(&rs, 0, 0x400000, 0x800000, 0x400000, "4194304", "r-xk"), "a 4 MiB page");
	ok(test_run_is(&rs, 1, 0xc0001000, 0x800000, 0x1000, "4096", "r-xk"), "the self-map: PDE 1 as a PTE, at 0xc0001000");
	ok(test_run_is(&rs, 2, 0xc0300000, 0x5000, 0x1000, "4096", "rwxk"), "the self-map: the directory at 0xc0300000");
	mf_target_close(t);
}

static int
test_other_cb(void *ctx, const struct mf_rec *r)
{
	int *n = ctx;

	if (strcmp(mf_rec_type(r), "module") == 0)
		++*n;
	return 0;
}

static void
test_select(void)
{
	static const uint64_t pids[] = { 42, 7 };
	struct mf_select_opts o = { .phys = true, .kernel = true, .dtb = "0x1000", .arch = "x86", .pids = pids, .npids = 2 };
	char err[MF_ERRBUF_SIZE], path[4200];
	struct mf_aspace_id id;
	struct mf_select *s;
	struct mf_target *t;
	struct mf_out *out;
	struct mf_rec *r;
	struct mf_in *in;
	int fd, others = 0;

	if (!ok(mf_target_open("pattern:ranges=0-0x10000", NULL, 0, &t, err) == 0, "open"))
		return;
	ok(mf_select_new(t, NULL, &o, &s, err) == 0 && mf_select_explicit(s), "options");
	ok(mf_select_next(s, &id, err) == 1 && id.kind == MF_ASPACE_PHYS, "--phys first");
	ok(mf_select_next(s, &id, err) == 1 && id.kind == MF_ASPACE_KERNEL, "then --kernel");
	ok(mf_select_next(s, &id, err) == 1 && id.kind == MF_ASPACE_DTB && id.sp.root == 0x1000 && id.sp.arch == MF_ARCH_X86_32,
	   "then --dtb with --arch");
	ok(mf_select_next(s, &id, err) == 1 && id.kind == MF_ASPACE_PROCESS && id.pid == 42, "then -p in order: 42");
	ok(mf_select_next(s, &id, err) == 1 && id.pid == 7, "7");
	is_int(mf_select_next(s, &id, err), 0, "done");
	mf_select_free(s);
	o = (struct mf_select_opts){ .dtb = "0x1000" };
	is_int(mf_select_new(t, NULL, &o, &s, err), MF_ERR_ARG, "--dtb without an arch the target knows");
	is_str(err, "--dtb needs --arch (the target does not know its architecture)", "its message");
	o.arch = "vax";
	is_int(mf_select_new(t, NULL, &o, &s, err), MF_ERR_ARG, "an unknown arch");
	o = (struct mf_select_opts){ .dtb = "12q", .arch = "x86_64" };
	is_int(mf_select_new(t, NULL, &o, &s, err), MF_ERR_ARG, "a bad root");
	is_str(err, "invalid page-table root '12q'", "its message");

	/* stdin: every process record in order, other records to the callback */
	snprintf(path, sizeof path, "%s/test-aspace-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	fd = mkstemp(path);
	ok(fd >= 0, "a scratch file");
	unlink(path);
	out = mf_out_new(fd, MF_FMT_JSON);
	r = mf_rec_new("process");
	mf_rec_add_uint(r, "pid", 5);
	mf_out_rec(out, r);
	mf_rec_reset(r, "module");
	mf_rec_add_uint(r, "pid", 99);
	mf_out_rec(out, r);
	mf_rec_reset(r, "process");
	mf_rec_add_uint(r, "pid", 3);
	mf_out_rec(out, r);
	mf_rec_reset(r, "process");
	mf_rec_add_str(r, "name", "nopid");
	mf_out_rec(out, r);
	mf_out_flush(out);
	lseek(fd, 0, SEEK_SET);
	in = mf_in_new(fd);
	o = (struct mf_select_opts){ .flags = MF_SELECT_KERNEL, .other = test_other_cb, .ctx = &others };
	ok(mf_select_new(t, in, &o, &s, err) == 0 && !mf_select_explicit(s), "from stdin");
	ok(mf_select_next(s, &id, err) == 1 && id.kind == MF_ASPACE_PROCESS && id.pid == 5, "the first process record");
	ok(mf_select_next(s, &id, err) == 1 && id.pid == 3 && others == 1, "the second, after a module record for the tool");
	is_int(mf_select_next(s, &id, err), MF_ERR_FORMAT, "a process record without a pid");
	is_str(err, "stdin: process record without a valid pid", "its message");
	mf_select_free(s);
	mf_in_free(in);
	mf_out_close(out);
	close(fd);
	/* no options, no stdin: the tool's default */
	o = (struct mf_select_opts){ .flags = MF_SELECT_KERNEL };
	ok(mf_select_new(t, NULL, &o, &s, err) == 0 && mf_select_next(s, &id, err) == 1 && id.kind == MF_ASPACE_KERNEL,
	   "the kernel by default");
	is_int(mf_select_next(s, &id, err), 0, "once");
	mf_select_free(s);
	o.flags = 0;
	ok(mf_select_new(t, NULL, &o, &s, err) == 0 && mf_select_next(s, &id, err) == 0, "else nothing");
	mf_select_free(s);

	/* the space fields */
	id = (struct mf_aspace_id){ .kind = MF_ASPACE_DTB, .sp = { .arch = MF_ARCH_X86_64, .root = 0x1000 } };
	mf_rec_reset(r, "gap");
	ok(mf_aspace_id_rec(&id, 0, r) == 0 && mf_rec_count(r) == 4 && strcmp(mf_rec_field(r, 1)->key, "space") == 0 &&
	   strcmp(mf_rec_field(r, 2)->key, "dtb") == 0 && strcmp(mf_rec_field(r, 3)->key, "arch") == 0,
	   "dtb: space, dtb, arch");
	mf_rec_reset(r, "xlat");
	ok(mf_aspace_id_rec(&id, MF_ASPACE_REC_TABLES, r) == 0 && strcmp(mf_rec_field(r, 2)->key, "arch") == 0 &&
	   strcmp(mf_rec_field(r, 3)->key, "dtb") == 0 && mf_rec_count(r) == 4, "with the tables: space, arch, dtb");
	id = (struct mf_aspace_id){ .kind = MF_ASPACE_PROCESS, .pid = 77 };
	ok(mf_gap_rec(&id, 0x1000, 0x2000, MF_ERR_NOTMAPPED, r) == 0 && strcmp(mf_rec_type(r), "gap") == 0, "a gap record");
	{
		struct mf_aspace_id back;
		const char *e;
		size_t n;

		ok(mf_aspace_id_from_rec(r, &back, err) == 0 && back.kind == MF_ASPACE_PROCESS && back.pid == 77,
		   "its space read back");
		ok(mf_rec_get_str(r, "error", &e, &n) == 0 && n == strlen(mf_strerror(MF_ERR_NOTMAPPED)), "its error");
	}
	mf_rec_reset(r, "hit");
	mf_rec_add_str(r, "space", "moon");
	is_int(mf_aspace_id_from_rec(r, &id, err), MF_ERR_FORMAT, "an unknown space");
	is_str(err, "hit record with unknown space 'moon'", "its message");
	mf_rec_free(r);
	is_u64(mf_arch_kernel_start(MF_ARCH_X86_PAE), 0xc0000000u, "32-bit kernel half");
	is_u64(mf_arch_kernel_start(MF_ARCH_AARCH64), 1ull << 63, "64-bit kernel half");
	mf_target_close(t);
}

/* Views (mf_aspace_view, mf_phys_view): physical memory of a raw file, inside its range,
 * without a copy; refused past it, for a connector without views and for other spaces. */
static void
test_view(void)
{
	struct mf_aspace_id phys = { .kind = MF_ASPACE_PHYS }, dtb = { .kind = MF_ASPACE_DTB };
	char path[] = "/tmp/mf-test-aspace-XXXXXX", spec[64], err[MF_ERRBUF_SIZE];
	int fd = mkstemp(path);
	const uint8_t *d = NULL;
	struct mf_target *t;
	struct mf_aspace *as;
	uint8_t page[4096];
	unsigned i, k;

	for (k = 0; fd >= 0 && k < 16; k++) {
		for (i = 0; i < sizeof page; i++)
			page[i] = test_byte(0x100000 + k * sizeof page + i);
		if (write(fd, page, sizeof page) != (ssize_t)sizeof page)
			break;
	}
	snprintf(spec, sizeof spec, "raw:%s,base=0x100000", path);
	if (!ok(fd >= 0 && k == 16 && mf_target_open(spec, NULL, 0, &t, err) == 0, "a raw file at 0x100000 opens")) {
		diag(err);
		return;
	}
	ok(mf_aspace_open(t, &phys, &as, err) == 0, "its physical memory");
	ok(mf_aspace_view(as, 0x100ff0, 0x2000, &d) == 0, "a view of 0x100ff0-0x102fef");
	for (i = 0; d != NULL && i < 0x2000 && d[i] == test_byte(0x100ff0 + i); i++)
		;
	is_int(i, 0x2000, "... holds the bytes of its addresses");
	ok(mf_phys_view(t, 0x100000, 0x10000, &d) == 0, "mf_phys_view of the whole file");
	is_int(mf_aspace_view(as, 0x10f000, 0x1001, &d), MF_ERR_UNMAPPED, "one byte past the end: outside the memory map");
	is_int(mf_aspace_view(as, 0xff000, 0x2000, &d), MF_ERR_UNMAPPED, "from below the base");
	mf_aspace_close(as);
	dtb.sp = (struct mf_space){ .arch = MF_ARCH_X86_64, .root = 0x100000 };
	ok(mf_aspace_open(t, &dtb, &as, err) == 0, "a page-table space over it");
	is_int(mf_aspace_view(as, 0x100000, 16, &d), MF_ERR_UNSUPPORTED, "has no views: its pages lie apart");
	mf_aspace_close(as);
	mf_target_close(t);
	close(fd);
	unlink(path);
	if (!ok(mf_target_open("pattern:ranges=0-0x10000", NULL, 0, &t, err) == 0, "the pattern connector")) {
		diag(err);
		return;
	}
	is_int(mf_phys_view(t, 0, 16, &d), MF_ERR_UNSUPPORTED, "has no view callback: reads copy");
	mf_target_close(t);
}

int
main(void)
{
	const char *top = getenv("MF_TOP_BUILDDIR");

	char plugins[2 * sizeof test_dir + 32];

	snprintf(test_dir, sizeof test_dir, "%s/tests/unit/.libs", top ? top : ".");
	snprintf(plugins, sizeof plugins, "%s:%s/connectors/.libs", test_dir, top ? top : ".");   /* raw: test_view */
	setenv("MF_PLUGIN_PATH", plugins, 1);
	test_phys();
	test_dtb();
	test_page_runs();
	test_select();
	test_view();
	return done_testing();
}
