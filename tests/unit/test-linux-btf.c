/* test-linux-btf.c: the linux layer's BTF reader and type API (os/linux/btf.c,
 * offsets.c) on BTF built here with libbpf's writer (anonymous members, arrays,
 * bitfields, a typedef cycle, an out-of-range type id, bad headers), and the whole load
 * (lx_types_load) of this machine's own kernel BTF out of a fake kernel memory, checked
 * against libbpf's own member lookup. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "os/linux/lxtypes.h"
#include "pluginlib/bytes.h"
#include "pluginlib/fileio.h"
#include <mftools/mf.h>
#include "tap.h"

/* ---- a fake kernel for lx_types_load: symbols and memory --------------------------------- */

#define FAKE_BTF_VA 0xffffffff82a00000ull
static const uint8_t *fake_mem;
static size_t fake_len;
static unsigned fake_reads;
static uint64_t fake_bad_va;   /* reads touching this address fail */
static int fake_no_syms;       /* kallsyms without data symbols (arm64): no __start_BTF */

int
lx_sym(const struct lx *lx, const char *name, uint64_t *va)
{
	(void)lx;
	if (fake_mem == NULL || fake_no_syms)
		return MF_ERR_NOTFOUND;
	if (strcmp(name, "__start_BTF") == 0)
		*va = FAKE_BTF_VA;
	else if (strcmp(name, "__stop_BTF") == 0)
		*va = FAKE_BTF_VA + fake_len;
	else
		return MF_ERR_NOTFOUND;
	return 0;
}

int
lx_kread(const struct lx *lx, uint64_t va, void *buf, size_t len)
{
	(void)lx;
	fake_reads++;
	if (fake_bad_va != 0 && va <= fake_bad_va && fake_bad_va < va + len)
		return MF_ERR_NOTMAPPED;
	if (va < FAKE_BTF_VA || va - FAKE_BTF_VA > fake_len || len > fake_len - (va - FAKE_BTF_VA))
		return MF_ERR_NOTMAPPED;
	memcpy(buf, fake_mem + (va - FAKE_BTF_VA), len);
	return 0;
}

/* The kernel image is the fake memory: every place of NEEDLE in it. */
int
lx_image_scan(const struct lx *lx, const void *needle, size_t nlen, int (*hit)(void *ctx, uint64_t va), void *ctx)
{
	const uint8_t *p = fake_mem, *end = fake_mem + fake_len;
	int r = 0;

	(void)lx;
	while (r == 0 && p != NULL && p < end && (p = memmem(p, (size_t)(end - p), needle, nlen)) != NULL) {
		r = hit(ctx, FAKE_BTF_VA + (uint64_t)(p - fake_mem));
		p++;
	}
	return r;
}

/* ---- BTF built here ------------------------------------------------------------------------ */

static struct btf *
build(int bad_ids)
{
	struct btf *b = btf__new_empty();
	int i32, u64, inner, anon_s, anon_u, arr, cyc;

	i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	u64 = btf__add_int(b, "u64", 8, 0);
	inner = btf__add_struct(b, "inner", 16);
	btf__add_field(b, "a", i32, 0, 0);
	btf__add_field(b, "b", u64, 64, 0);
	anon_s = btf__add_struct(b, NULL, 8);
	btf__add_field(b, "y", i32, 0, 0);
	btf__add_field(b, "z", i32, 32, 0);
	anon_u = btf__add_union(b, NULL, 8);
	btf__add_field(b, NULL, anon_s, 0, 0);
	btf__add_field(b, "w", u64, 0, 0);
	arr = btf__add_array(b, i32, i32, 4);
	/* a typedef cycle: t1 -> t2 -> t1 */
	cyc = btf__add_typedef(b, "t1", btf__type_cnt(b) + 1);
	btf__add_typedef(b, "t2", cyc);
	btf__add_struct(b, "outer", 72);
	btf__add_field(b, "x", i32, 0, 0);
	btf__add_field(b, NULL, anon_u, 64, 0);
	btf__add_field(b, "in", inner, 128, 0);
	btf__add_field(b, "arr", arr, 256, 0);
	btf__add_field(b, "bf", i32, 384, 3);
	btf__add_field(b, "loop", cyc, 416, 0);
	/* marked by its bit offset 0x1c0 (448): the out-of-range id goes here */
	btf__add_field(b, "wild", i32, 448, 0);
	btf__add_field(b, "marr", inner, 512, 0);
	(void)bad_ids;
	return b;
}

static uint8_t *
raw_copy(struct btf *b, size_t *len, int bad_ids)
{
	uint32_t sz;
	const uint8_t *raw = btf__raw_data(b, &sz);
	uint8_t *c = malloc(sz);
	size_t i;

	memcpy(c, raw, sz);
	*len = sz;
	if (bad_ids)   /* member "wild": {name_off, type, offset 448} */
		for (i = 24; i + 12 <= sz; i += 4)
			if (get_le32(c + i + 8) == 448 && get_le32(c + i + 4) == 1) {
				put_le32(c + i + 4, 0x00ffffffu);
				break;
			}
	return c;
}

static void
test_type_api(void)
{
	struct btf *b = build(0);
	struct lx_types t = { 0 };
	char err[MF_ERRBUF_SIZE] = "";
	uint64_t off = 0, size = 0;
	uint32_t n = 0;
	size_t len;
	uint8_t *raw = raw_copy(b, &len, 0);

	is_int(lx_types_parse(&t, raw, len, err), 0, "built BTF parses (%s)", err);
	is_int(lx_btf_size(&t, "outer", &size), 0, "size of outer");
	is_u64(size, 72, "outer is 72 bytes");
	is_int(lx_btf_member(&t, "outer", "x", &off, &size), 0, "outer.x");
	ok(off == 0 && size == 4, "outer.x at 0, 4 bytes");
	is_int(lx_btf_member(&t, "outer", "z", &off, &size), 0, "outer.z through an anonymous union and struct");
	ok(off == 12 && size == 4, "outer.z at 12 (got %llu)", (unsigned long long)off);
	is_int(lx_btf_member(&t, "outer", "w", &off, &size), 0, "outer.w in the anonymous union");
	ok(off == 8 && size == 8, "outer.w at 8, 8 bytes");
	is_int(lx_btf_member(&t, "outer", "in.b", &off, &size), 0, "a path through a named member");
	ok(off == 24 && size == 8, "outer.in.b at 24 (got %llu)", (unsigned long long)off);
	is_int(lx_btf_member(&t, "outer", "arr[3]", &off, &size), 0, "an array element");
	ok(off == 32 + 12 && size == 4, "outer.arr[3] at 44 (got %llu)", (unsigned long long)off);
	is_int(lx_btf_member(&t, "outer", "arr", &off, &size), 0, "the array itself");
	is_u64(size, 16, "int[4] is 16 bytes");
	is_int(lx_btf_nelems(&t, "outer", "arr", &n), 0, "element count");
	is_u64(n, 4, "int[4] has 4");
	is_int(lx_btf_member(&t, "outer", "arr[4]", &off, &size), MF_ERR_RANGE, "index past the array");
	is_int(lx_btf_member(&t, "outer", "x[0]", &off, &size), MF_ERR_ARG, "index into a non-array");
	is_int(lx_btf_member(&t, "outer", "bf", &off, &size), MF_ERR_UNSUPPORTED, "a bitfield is refused");
	is_int(lx_btf_member(&t, "outer", "nope", &off, &size), MF_ERR_NOTFOUND, "no such member");
	is_int(lx_btf_member(&t, "nostruct", "x", &off, &size), MF_ERR_NOTFOUND, "no such struct");
	is_int(lx_btf_member(&t, "outer", "loop", &off, &size), MF_ERR_FORMAT,
	       "a typedef cycle ends as a broken type");
	is_int(lx_btf_member(&t, "outer", "in..a", &off, &size), MF_ERR_ARG, "an empty path element");
	btf__free(t.btf);
	free(raw);

	/* an out-of-range type id (libbpf 1.1 parses it) */
	raw = raw_copy(b, &len, 1);
	memset(&t, 0, sizeof t);
	is_int(lx_types_parse(&t, raw, len, err), 0, "BTF with a wild type id still parses in libbpf");
	is_int(lx_btf_member(&t, "outer", "wild", &off, &size), MF_ERR_FORMAT, "a wild type id is refused");
	is_int(lx_btf_member(&t, "outer", "x", &off, &size), 0, "the rest still answers");
	btf__free(t.btf);
	free(raw);
	btf__free(b);
}

static void
test_headers(void)
{
	struct btf *b = build(0);
	struct lx_types t = { 0 };
	char err[MF_ERRBUF_SIZE];
	size_t len;
	uint8_t *raw = raw_copy(b, &len, 0);

	is_int(lx_btf_check_header(raw, 10, err), MF_ERR_FORMAT, "shorter than a header");
	raw[0] ^= 0xff;
	is_int(lx_btf_check_header(raw, len, err), MF_ERR_FORMAT, "bad magic");
	is_str(err, "no BTF magic (bytes 60 eb)", "the message names the bytes");
	raw[0] ^= 0xff;
	put_le32(raw + 20, get_le32(raw + 20) + 1);   /* str_len one too long */
	is_int(lx_btf_check_header(raw, len, err), MF_ERR_FORMAT, "strings past the end");
	ok(strstr(err, "end beyond its") != NULL, "message: %s", err);
	is_int(lx_types_parse(&t, raw, len, err), MF_ERR_FORMAT, "so it does not parse");
	put_le32(raw + 20, get_le32(raw + 20) - 1);
	put_le32(raw + 4, 0xffffff00u);
	is_int(lx_btf_check_header(raw, len, err), MF_ERR_FORMAT, "absurd header length");
	put_le32(raw + 4, 24);
	/* a type record cut in the middle: the header fits, libbpf refuses */
	put_le32(raw + 12, get_le32(raw + 12) - 2);
	put_le32(raw + 16, get_le32(raw + 16) - 2);
	is_int(lx_types_parse(&t, raw, len, err), MF_ERR_FORMAT, "a cut type section does not parse");
	ok(strncmp(err, "BTF does not parse", 18) == 0, "message: %s", err);
	free(raw);
	btf__free(b);
}

/* ---- this machine's kernel BTF, loaded as from a guest --------------------------------------- */

static void
test_load_kernel(void)
{
	struct lx lx = { .host = mf_host() };
	struct btf *ref;
	char err[MF_ERRBUF_SIZE] = "";
	char *cblob = NULL;
	uint8_t *blob;
	ssize_t n;
	size_t len;
	uint64_t v;
	struct mf_hints *h;
	int r;

	n = fio_read_file("/sys/kernel/btf/vmlinux", LX_BTF_MAX, &cblob);
	if (n < 0) {
		ok(1, "# SKIP no /sys/kernel/btf/vmlinux here: %s", strerror((int)-n));
		return;
	}
	blob = (uint8_t *)cblob;
	len = (size_t)n;
	h = mf_hints_new();
	lx.hints = h;
	fake_mem = blob;
	fake_len = len;
	fake_reads = 0;
	r = lx_types_load(&lx, err);
	is_int(r, 0, "this kernel's BTF loads from fake kernel memory (%s)", err);
	ok(fake_reads == (len + (1u << 20) - 1) >> 20, "read in 1 MiB chunks (%u reads for %zu bytes)",
	   fake_reads, len);
	ok(mf_hints_get_u64(h, "btf_addr", &v) == 0 && v == FAKE_BTF_VA, "hint btf_addr");
	ok(mf_hints_get_u64(h, "btf_size", &v) == 0 && v == len, "hint btf_size");
	ref = btf__new(blob, (uint32_t)len);
	if (r == 0 && ref != NULL) {
		const struct lx_off *o = &lx.types->off;
		int id = btf__find_by_name_kind(ref, "task_struct", BTF_KIND_STRUCT);
		const struct btf_type *ty = btf__type_by_id(ref, id);
		const struct btf_member *m = btf_members(ty);
		int i, seen = 0;

		is_u64(o->task_size, ty->size, "task_struct size agrees with libbpf");
		for (i = 0; i < btf_vlen(ty); i++) {
			const char *name = btf__name_by_offset(ref, m[i].name_off);
			uint32_t want = btf_member_bit_offset(ty, i) / 8;

			if (strcmp(name, "tasks") == 0) {
				seen++;
				is_u64(o->task_tasks.off, want, "task_struct.tasks");
			} else if (strcmp(name, "pid") == 0) {
				seen++;
				is_u64(o->task_pid.off, want, "task_struct.pid");
			} else if (strcmp(name, "comm") == 0) {
				seen++;
				ok(o->task_comm.off == want && o->task_comm.size == 16, "task_struct.comm, 16 bytes");
			} else if (strcmp(name, "real_parent") == 0) {
				seen++;
				is_u64(o->task_real_parent.off, want, "task_struct.real_parent");
			}
		}
		is_int(seen, 4, "the direct members were checked");
		ok(lx_has(o->mm_pgd) && o->mm_pgd.size == 8, "mm_struct.pgd found (inside an anonymous struct on 6.1+)");
		ok(lx_has(o->mm_mt_root) || lx_has(o->mm_mmap), "mm_struct has the maple tree or the VMA list");
		ok(lx_has(o->mod_core_base) || o->mod_mem_count > 0, "module has core_layout or mem[]");
	}
	btf__free(ref);
	lx_types_free(lx.types);
	lx.types = NULL;

	/* a page of it unreadable: the load fails and says where */
	fake_bad_va = FAKE_BTF_VA + (1u << 20) + 100;
	r = lx_types_load(&lx, err);
	is_int(r, MF_ERR_NOTMAPPED, "an unreadable page fails the load");
	ok(strstr(err, "cannot read the kernel's BTF at 0xffffffff82b00000") != NULL, "message: %s", err);
	fake_bad_va = 0;
	/* no __start_BTF symbol (arm64): a saved record's hints, else found in the image */
	fake_no_syms = 1;
	r = lx_types_load(&lx, err);
	is_int(r, 0, "no symbol: the saved hints give the blob (%s)", err);
	lx_types_free(lx.types);
	lx.types = NULL;
	mf_hints_free(h);
	lx.hints = h = mf_hints_new();
	r = lx_types_load(&lx, err);
	is_int(r, 0, "no symbol, no hints: the blob found in the kernel image (%s)", err);
	ok(r == 0 && lx.types->va == FAKE_BTF_VA && lx.types->size == len, "at its address, whole");
	lx_types_free(lx.types);
	lx.types = NULL;
	mf_hints_free(h);
	lx.hints = h = mf_hints_new();
	blob[1] = 0;
	r = lx_types_load(&lx, err);
	is_int(r, MF_ERR_NOTFOUND, "no symbol and no header in the image: no types");
	ok(strstr(err, "kernel has no BTF") != NULL, "message: %s", err);
	/* with the symbols, the header overwritten */
	fake_no_syms = 0;
	r = lx_types_load(&lx, err);
	is_int(r, MF_ERR_FORMAT, "an overwritten header fails the load");
	ok(strstr(err, "no BTF magic") != NULL, "message: %s", err);
	mf_hints_free(h);
	free(blob);
}

int
main(void)
{
	test_type_api();
	test_headers();
	test_load_kernel();
	return done_testing();
}
