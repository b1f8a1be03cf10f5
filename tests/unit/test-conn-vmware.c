/* test-conn-vmware.c: the VMware connector on a .vmss + .vmem pair built here with two
 * regions, a region-less pair (1:1), a .vmsn with inline memory, and hostile state files. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conn-test-util.h"
#include "pluginlib/bytes.h"

#define PG 4096u

struct vt_buf {
	uint8_t b[65536];
	size_t n;
};

static void
vt_put(struct vt_buf *f, const void *p, size_t n)
{
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void
vt_u32(struct vt_buf *f, uint32_t v)
{
	uint8_t b[4];

	put_le32(b, v);
	vt_put(f, b, 4);
}

static void
vt_u64(struct vt_buf *f, uint64_t v)
{
	vt_u32(f, (uint32_t)v);
	vt_u32(f, (uint32_t)(v >> 32));
}

/* a tag with 0 or 1 index and a 4-byte value */
static void
vt_tag(struct vt_buf *f, const char *name, int has_idx, uint32_t idx, uint32_t value)
{
	uint8_t hdr[2] = { (uint8_t)((has_idx ? 1u << 6 : 0) | 4), (uint8_t)strlen(name) };

	vt_put(f, hdr, 2);
	vt_put(f, name, strlen(name));
	if (has_idx)
		vt_u32(f, idx);
	vt_u32(f, value);
}

static void
vt_group(struct vt_buf *f, const char *name, uint64_t tags)
{
	char n[64] = { 0 };

	strncpy(n, name, sizeof n - 1);
	vt_put(f, n, 64);
	vt_u64(f, tags);
	vt_u64(f, 0);
}

static void
vt_page(uint64_t pfn, uint8_t *p)
{
	for (unsigned i = 0; i < PG; i++)
		p[i] = (uint8_t)(pfn * 41 + i * 5 + (i >> 10));
}

/* state file: groups "cpu" (empty) and "memory"; regions (ppn, pagenum, size) */
static void
vt_build_state(struct vt_buf *f, uint32_t magic, const uint32_t (*regions)[3], unsigned nreg,
               uint32_t group_count)
{
	size_t tags_off = 12 + 2 * 80;

	f->n = 0;
	vt_u32(f, magic);
	vt_u32(f, 0);
	vt_u32(f, group_count);
	vt_group(f, "cpu", tags_off);
	vt_group(f, "memory", tags_off + 2);
	vt_put(f, "\0\0", 2);   /* cpu: no tags */
	vt_tag(f, "align_mask", 0, 0, 0xffff);
	if (nreg) {
		vt_tag(f, "regionsCount", 0, 0, nreg);
		for (unsigned i = 0; i < nreg; i++) {
			vt_tag(f, "regionPPN", 1, i, regions[i][0]);
			vt_tag(f, "regionPageNum", 1, i, regions[i][1]);
			vt_tag(f, "regionSize", 1, i, regions[i][2]);
		}
	}
	vt_put(f, "\0\0", 2);
	vt_put(f, "trailing", 8);
}

static int
vt_open_err(const char *path, char *errbuf)
{
	struct mf_hints *hints = mf_hints_new();
	void *h = NULL;
	int rc = ct_open(path, &h, hints, errbuf);

	if (rc == 0)
		ct_conn->close(h);
	mf_hints_free(hints);
	return rc;
}

static void
vt_check(void *h, const char *what, const uint32_t (*regions)[3], unsigned nreg, unsigned maxpfn)
{
	uint8_t got[PG], want[PG], vmem_page[PG];
	int bad = 0;

	for (unsigned p = 0; p < maxpfn; p++) {
		int exp = MF_ERR_UNMAPPED, rc;
		uint64_t vp = 0;

		for (unsigned i = 0; i < nreg; i++)
			if (p >= regions[i][0] && p < regions[i][0] + regions[i][2]) {
				exp = 0;
				vp = regions[i][1] + (p - regions[i][0]);
			}
		rc = ct_read(h, (uint64_t)p * PG, got, PG);
		if (rc != exp) {
			printf("# %s: pfn %u: got %d want %d\n", what, p, rc, exp);
			bad++;
			continue;
		}
		if (rc == 0) {
			vt_page(vp, vmem_page);   /* the .vmem holds page vp's pattern at page vp */
			memcpy(want, vmem_page, PG);
			if (memcmp(got, want, PG) != 0) {
				printf("# %s: pfn %u: wrong bytes\n", what, p);
				bad++;
			}
		}
	}
	ok(bad == 0, "%s: guest pages map to the right .vmem pages, the rest are holes", what);
}

int
main(void)
{
	static const uint32_t regs[2][3] = { { 0, 0, 4 }, { 16, 4, 3 } };   /* ppn, pagenum, size */
	char errbuf[MF_ERRBUF_SIZE];
	struct mf_hints *hints;
	struct vt_buf st;
	uint8_t *vmem;
	void *h;
	const char *vmss, *vmemp;

	ct_init("vmware");
	if (!ok(ct_conn != NULL, "vmware connector loads"))
		return done_testing();

	vmem = malloc(7 * PG);
	for (unsigned i = 0; i < 7; i++)
		vt_page(i, vmem + i * PG);
	vt_build_state(&st, 0xbed2bed2, regs, 2, 2);
	vmss = ct_path("snap.vmss");
	vmemp = ct_path("snap.vmem");
	ct_write(vmss, st.b, st.n);
	ct_write(vmemp, vmem, 7 * PG);

	is_int(ct_probe_file(vmss), 90, "probe: .vmss magic");
	is_int(ct_conn->probe_path ? ct_conn->probe_path(vmemp, vmem, 4096, 7 * PG) : -1, 80,
	       "probe_path: .vmem with a sibling .vmss");
	is_int(ct_conn->probe(vmem, 4096, 7 * PG), 0, "probe: .vmem bytes alone are not recognised");

	for (int which = 0; which < 3; which++) {
		const char *what = which == 0 ? "path=.vmem" : which == 1 ? "path=.vmss" : "vmem= and vmss=";
		int rc;

		hints = mf_hints_new();
		if (which == 2) {
			const char *other = ct_path("elsewhere.bin");

			ct_write(other, vmem, 7 * PG);
			rc = ct_open_kv(&h, hints, errbuf, "vmss", vmss, "vmem", other);
		} else {
			rc = ct_open(which == 0 ? vmemp : vmss, &h, hints, errbuf);
		}
		is_int(rc, 0, "%s: opens (%s)", what, errbuf);
		if (rc == 0) {
			const struct mf_range *r;
			size_t n = ct_conn->ranges(h, &r);

			ok(n == 2 && r[0].base == 0 && r[0].size == 4 * PG && r[1].base == 16 * PG && r[1].size == 3 * PG,
			   "%s: memory map is the two regions", what);
			vt_check(h, what, regs, 2, 24);
			is_str(mf_hints_get_str(hints, "format"), "vmware", "%s: format hint", what);
			ct_conn->close(h);
		}
		mf_hints_free(hints);
	}

	/* .vmem shorter than the regions: the missing pages are holes, with a warning */
	ct_write(vmemp, vmem, 5 * PG + 100);
	hints = mf_hints_new();
	is_int(ct_open(vmss, &h, hints, errbuf), 0, "short .vmem: opens (%s)", errbuf);
	ok(strstr(ct_lastlog, "past the end") != NULL, "short .vmem: warning");
	{
		uint8_t buf[PG];

		is_int(ct_read(h, 16 * PG, buf, PG), 0, "short .vmem: first page of region 2 reads");
		is_int(ct_read(h, 17 * PG, buf, PG), MF_ERR_UNMAPPED, "short .vmem: cut page is a hole");
	}
	ct_conn->close(h);
	mf_hints_free(hints);
	ct_write(vmemp, vmem, 7 * PG);

	/* no regions: the .vmem is guest memory 1:1 */
	vt_build_state(&st, 0xbed3bed3, NULL, 0, 2);
	ct_write(vmss, st.b, st.n);
	hints = mf_hints_new();
	is_int(ct_open(vmemp, &h, hints, errbuf), 0, "no regions: opens (%s)", errbuf);
	{
		static const uint32_t one[1][3] = { { 0, 0, 7 } };
		const struct mf_range *r;

		ok(ct_conn->ranges(h, &r) == 1 && r[0].base == 0 && r[0].size == 7 * PG, "no regions: one range");
		vt_check(h, "no regions", one, 1, 9);
	}
	ct_conn->close(h);
	mf_hints_free(hints);

	/* an old .vmsn with the memory inline in a Memory tag (version 0: 4-byte sizes) */
	{
		struct vt_buf *s = calloc(1, sizeof *s);
		uint8_t hdr[2] = { 62, 6 };
		const char *vmsn = ct_path("old.vmsn");
		static const uint32_t one[1][3] = { { 0, 0, 3 } };

		vt_u32(s, 0xbed2bed0);
		vt_u32(s, 0);
		vt_u32(s, 1);
		vt_group(s, "memory", 12 + 80);
		vt_put(s, hdr, 2);
		vt_put(s, "Memory", 6);
		vt_u32(s, 3 * PG);   /* data size */
		vt_u32(s, 3 * PG);   /* in-memory size */
		vt_put(s, "\0\0", 2);  /* no padding */
		vt_put(s, vmem, 3 * PG);
		vt_put(s, "\0\0", 2);
		ct_write(vmsn, s->b, s->n);
		hints = mf_hints_new();
		is_int(ct_open(vmsn, &h, hints, errbuf), 0, "inline .vmsn: opens (%s)", errbuf);
		if (h) {
			vt_check(h, "inline .vmsn", one, 1, 5);
			is_str(mf_hints_get_str(hints, "format"), "vmware-vmsn-inline", "inline .vmsn: format hint");
			ct_conn->close(h);
		}
		mf_hints_free(hints);
		free(s);
	}

	/* hostile state files */
	vt_build_state(&st, 0xbed2bed2, regs, 2, 1u << 30);
	ct_write(vmss, st.b, st.n);
	is_int(vt_open_err(vmss, errbuf), MF_ERR_FORMAT, "groupCount 2^30: format error");
	ok(strstr(errbuf, "groupCount 1073741824") != NULL, "groupCount: message (%s)", errbuf);
	vt_build_state(&st, 0xbed2bed2, regs, 2, 2);
	ct_write(vmss, st.b, 100);
	is_int(vt_open_err(vmss, errbuf), MF_ERR_FORMAT, "cut state file: format error (%s)", errbuf);
	/* tags offset past EOF */
	st.b[12 + 80 + 64] = 0xff;
	st.b[12 + 80 + 65] = 0xff;
	st.b[12 + 80 + 66] = 0xff;
	ct_write(vmss, st.b, st.n);
	is_int(vt_open_err(vmss, errbuf), MF_ERR_FORMAT, "tags past EOF: format error");
	ok(strstr(errbuf, "beyond end of file") != NULL, "tags past EOF: message (%s)", errbuf);
	/* regionsCount without the regions */
	{
		static const uint32_t r3[3][3] = { { 0, 0, 1 }, { 2, 1, 1 }, { 4, 2, 1 } };

		vt_build_state(&st, 0xbed2bed2, r3, 3, 2);
		/* rename the last regionSize tag so region 2 lacks it */
		for (size_t i = st.n - 10; i > 200; i--)
			if (memcmp(st.b + i, "regionSize", 10) == 0) {
				st.b[i] = 'X';
				break;
			}
		ct_write(vmss, st.b, st.n);
		is_int(vt_open_err(vmss, errbuf), MF_ERR_FORMAT, "region without size: format error");
		ok(strstr(errbuf, "region 2 lacks regionSize") != NULL, "region without size: message (%s)", errbuf);
	}
	/* overlapping regions */
	{
		static const uint32_t ov[2][3] = { { 0, 0, 4 }, { 2, 4, 3 } };

		vt_build_state(&st, 0xbed2bed2, ov, 2, 2);
		ct_write(vmss, st.b, st.n);
		is_int(vt_open_err(vmss, errbuf), MF_ERR_FORMAT, "overlapping regions: format error (%s)", errbuf);
	}
	/* no state file next to a .vmem */
	{
		const char *lone = ct_path("lone.vmem");

		ct_write(lone, vmem, PG);
		is_int(ct_conn->probe_path(lone, vmem, PG, PG), 0, "probe_path: lone .vmem is not ours");
		is_int(vt_open_err(lone, errbuf), MF_ERR_NOTFOUND, "lone .vmem: not found");
		ok(strstr(errbuf, "no vmware state file") != NULL, "lone .vmem: message (%s)", errbuf);
	}
	free(vmem);
	ct_cleanup();
	return done_testing();
}
