/* test-snapshot-writers: each snapshot writer (libcommon/snapshot/) writes two ranges with a
 * hole and an all-zero page, and the file connectors read it back: the same bytes, the same
 * memory map, the hole unreadable (raw: sparse zeros). */
#include "config.h"
#include "snapshot/snapshot.h"
#include "tap.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HOLE 0x3000u
#define ZERO 0x5000u

static const struct mf_range ranges[] = { { .base = 0, .size = 0x10000 }, { .base = 0x20000, .size = 0x10000 } };
static uint8_t mem[0x30000];

static void
fill(void)
{
	size_t i;

	for (i = 0; i < sizeof mem; i++)
		mem[i] = (uint8_t)(i * 7 + (i >> 12) + 1);
	memset(mem + ZERO, 0, SNAP_PAGE);
	memset(mem + 0x10000, 0, 0x10000);   /* not in any range */
}

static int
write_one(enum snap_format fmt, const char *path)
{
	char err[MF_ERRBUF_SIZE] = "";
	struct snap_source src = { .ranges = ranges, .nranges = 2, .arch = MF_ARCH_X86_64, .cpus = 1, .threads = 2 };
	struct snap_file f = { .name = path, .err = err };
	struct snap_writer *w;
	int r;

	if ((f.fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0)
		return -1;
	r = snap_writer_new(fmt, &f, &src, &w);
	/* in pieces, as the span reader hands them on */
	if (r == 0)
		r = snap_writer_data(w, 0, mem, HOLE);
	if (r == 0)
		r = snap_writer_hole(w, HOLE, SNAP_PAGE);
	if (r == 0)
		r = snap_writer_data(w, HOLE + SNAP_PAGE, mem + HOLE + SNAP_PAGE, 0x10000 - HOLE - SNAP_PAGE);
	if (r == 0)
		r = snap_writer_flush(w);
	if (r == 0)
		r = snap_writer_data(w, 0x20000, mem + 0x20000, 0x10000);
	if (r == 0)
		r = snap_writer_finish(w);
	if (r < 0)
		diag(err);
	snap_writer_free(w);
	close(f.fd);
	return r;
}

static void
check(const char *conn, const char *name, bool hole_reads_zero)
{
	char err[MF_ERRBUF_SIZE];
	struct mf_target *t;
	const struct mf_range *rg;
	static uint8_t got[0x10000];
	struct mf_iov iov[3];
	size_t n;

	if (!ok(mf_target_open(conn, NULL, 0, &t, err) == 0, "%s: the connector opens it", name)) {
		diag(err);
		return;
	}
	n = mf_phys_ranges(t, &rg);
	if (!hole_reads_zero) {
		ok(n >= 2 && rg[0].base == 0 && rg[n - 1].base + rg[n - 1].size == 0x30000, "%s: memory map from 0 to 0x30000",
		   name);
	}
	memset(got, 0xee, sizeof got);
	iov[0] = (struct mf_iov){ .addr = 0, .buf = got, .len = HOLE };
	iov[1] = (struct mf_iov){ .addr = HOLE, .buf = got + HOLE, .len = SNAP_PAGE };
	iov[2] = (struct mf_iov){ .addr = HOLE + SNAP_PAGE, .buf = got + HOLE + SNAP_PAGE, .len = 0x10000 - HOLE - SNAP_PAGE };
	ok(mf_phys_read(t, iov, 3, err) == 0, "%s: read the first range", name);
	ok(iov[0].err == 0 && memcmp(got, mem, HOLE) == 0, "%s: bytes before the hole", name);
	ok(iov[2].err == 0 && memcmp(got + HOLE + SNAP_PAGE, mem + HOLE + SNAP_PAGE, 0x10000 - HOLE - SNAP_PAGE) == 0,
	   "%s: bytes after the hole, the zero page included", name);
	if (hole_reads_zero) {
		uint8_t z[SNAP_PAGE] = { 0 };

		ok(iov[1].err == 0 && memcmp(got + HOLE, z, SNAP_PAGE) == 0, "%s: the hole reads as zeros", name);
	} else {
		ok(iov[1].err != 0, "%s: the hole is unreadable (%s)", name, mf_strerror(iov[1].err));
	}
	iov[0] = (struct mf_iov){ .addr = 0x20000, .buf = got, .len = 0x10000 };
	ok(mf_phys_read(t, iov, 1, err) == 0 && iov[0].err == 0 && memcmp(got, mem + 0x20000, 0x10000) == 0,
	   "%s: the second range", name);
	mf_target_close(t);
}

int
main(void)
{
	static const struct { enum snap_format fmt; const char *name, *conn; bool zero; } cases[] = {
		{ SNAP_F_RAW, "raw", "raw", true },
		{ SNAP_F_LIME, "lime", "lime", false },
		{ SNAP_F_ELF, "elf", "elf", false },
		{ SNAP_F_KDUMP, "kdump", "kdump", false },
	};
	char dir[] = "/tmp/test-snapshot.XXXXXX", path[128], conn[160];
	enum snap_format fmt;
	size_t i;
	struct stat st;

	if (mkdtemp(dir) == NULL)
		return 1;
	fill();
	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		snprintf(path, sizeof path, "%s/m.%s", dir, cases[i].name);
		snprintf(conn, sizeof conn, "%s:%s", cases[i].conn, path);
		if (!ok(write_one(cases[i].fmt, path) == 0, "%s: written", cases[i].name))
			continue;
		check(conn, cases[i].name, cases[i].zero);
		if (cases[i].fmt == SNAP_F_RAW)
			ok(stat(path, &st) == 0 && st.st_size == 0x30000 && st.st_blocks * 512 < 0x30000,
			   "raw: the file is 0x30000 bytes, the gap and holes sparse");
		unlink(path);
	}
	ok(snap_format_parse("kdump", &fmt) == 0 && fmt == SNAP_F_KDUMP, "format names parse");
	ok(snap_format_parse("vmem", &fmt) < 0, "unknown format names do not");
	ok(snap_format_from_name("/srv/snap-1.core", &fmt) == 0 && fmt == SNAP_F_ELF, ".core is an ELF core");
	ok(snap_format_from_name("snap.img", &fmt) == 0 && fmt == SNAP_F_RAW, ".img is raw");
	ok(snap_format_from_name(".kdump", &fmt) < 0, "a suffix alone is no name");
	rmdir(dir);
	return done_testing();
}
