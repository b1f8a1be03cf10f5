/* test-conn-qemu.c: the qemu connector.
 *
 * Without arguments: TAP tests of its parsers (info mtree -f and info registers text as
 * QEMU 7.2 prints it, -name and -m forms, the pc/q35 split without QMP), compiled in from
 * connectors/qemu/.
 *
 * With arguments: a driver for tests/conn-qemu.bats, which boots a real guest; it opens
 * the connector through libmf (mf_target_open, as the tools do, plugins from
 * MF_PLUGIN_PATH):
 *   test-conn-qemu open SPEC            hints and ranges, one per line
 *   test-conn-qemu read SPEC LEN        GPAs on stdin, LEN bytes each to stdout
 *   test-conn-qemu vread SPEC VA LEN    kernel virtual memory (arch/dtb hints) to stdout
 *   test-conn-qemu write SPEC GPA TEXT  write TEXT at GPA, then print what reads back
 * Errors: "test-conn-qemu: MESSAGE (CODE)" on stderr, exit 1.  QEMU_TEST_LOG=1 shows the
 * plugin's info messages (the layout method), 2 its debug ones. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mftools/mf.h>
#include <mftools/plugin.h>

#include "../../connectors/qemu/qemu.h"
#include "tap.h"

/* ---- parser tests ---------------------------------------------------------------------- */

/* A booted 512 MiB pc guest (SeaBIOS has shadowed 0xc0000-0xfffff into pc.ram). */
static const char test_mtree_boot[] =
	"FlatView #0\r\n"
	" AS \"memory\", root: system\r\n"
	" AS \"cpu-memory-0\", root: system\r\n"
	" Root memory region: system\r\n"
	"  0000000000000000-000000000009ffff (prio 0, ram): pc.ram\r\n"
	"  00000000000a0000-00000000000bffff (prio 1, i/o): vga-lowmem\r\n"
	"  00000000000c0000-00000000000c9fff (prio 0, rom): pc.ram @00000000000c0000\r\n"
	"  00000000000ca000-00000000000ccfff (prio 0, ram): pc.ram @00000000000ca000\r\n"
	"  00000000000cd000-00000000000e7fff (prio 0, rom): pc.ram @00000000000cd000\r\n"
	"  00000000000e8000-00000000000effff (prio 0, ram): pc.ram @00000000000e8000\r\n"
	"  00000000000f0000-00000000000fffff (prio 0, rom): pc.ram @00000000000f0000\r\n"
	"  0000000000100000-000000001fffffff (prio 0, ram): pc.ram @0000000000100000\r\n"
	"  00000000fd000000-00000000fdffffff (prio 1, ram): vga.vram\r\n"
	"  00000000febf0000-00000000febf017f (prio 0, i/o): edid\r\n"
	"  00000000fec00000-00000000fec00fff (prio 0, i/o): ioapic\r\n"
	"  00000000fffc0000-00000000ffffffff (prio 0, rom): pc.bios\r\n"
	"\r\n"
	"FlatView #1\r\n"
	" AS \"I/O\", root: io\r\n"
	" Root memory region: io\r\n"
	"  0000000000000000-0000000000000007 (prio 0, i/o): dma-chan\r\n";

/* -m 5G before the BIOS ran (-S), and an extra flat view first that is not the system's. */
static const char test_mtree_5g[] =
	"FlatView #0\n"
	" AS \"I/O\", root: io\n"
	" Root memory region: io\n"
	"  0000000000000000-0000000000000007 (prio 0, ram): decoy\n"
	"\n"
	"FlatView #1\n"
	" AS \"memory\", root: system\n"
	" Root memory region: system\n"
	"  0000000000000000-000000000009ffff (prio 0, ram): pc.ram\n"
	"  00000000000a0000-00000000000bffff (prio 1, i/o): vga-lowmem\n"
	"  00000000000c0000-00000000000dffff (prio 1, rom): pc.rom\n"
	"  00000000000e0000-00000000000fffff (prio 0, rom): pc.bios @0000000000020000\n"
	"  0000000000100000-00000000bfffffff (prio 0, ram): pc.ram @0000000000100000\n"
	"  00000000fffc0000-00000000ffffffff (prio 0, rom): pc.bios\n"
	"  0000000100000000-000000017fffffff (prio 0, ram): pc.ram @00000000c0000000\n";

static const char test_regs64[] =
	"EAX=00000000 EBX=00000000\r\n"
	"CR0=80050033 CR2=00000000005794a9 CR3=0000000002620000 CR4=000006f0\r\n"
	"DR0=0000000000000000\r\nEFER=0000000000000d01\r\n";

struct test_want {
	uint64_t gpa, end, offset;
	int ro;
	const char *name;
};

static void
test_regions(const char *what, const struct qemu_region *r, size_t n, const struct test_want *w, size_t nw)
{
	size_t i;

	is_int(n, nw, "%s: %zu ranges", what, nw);
	for (i = 0; i < n && i < nw; i++) {
		ok(r[i].gpa == w[i].gpa && r[i].gpa + r[i].size == w[i].end && r[i].offset == w[i].offset &&
		   r[i].readonly == w[i].ro && strcmp(r[i].name, w[i].name) == 0,
		   "%s: range %zu is 0x%" PRIx64 "-0x%" PRIx64 " %s@0x%" PRIx64 "%s", what, i, w[i].gpa,
		   w[i].end, w[i].name, w[i].offset, w[i].ro ? " ro" : "");
		if (!(r[i].gpa == w[i].gpa && r[i].gpa + r[i].size == w[i].end))
			printf("#   got 0x%" PRIx64 "-0x%" PRIx64 " %s@0x%" PRIx64 " ro=%d\n", r[i].gpa,
			       r[i].gpa + r[i].size, r[i].name, r[i].offset, r[i].readonly);
	}
}

static void
test_name(const char *args, size_t len, const char *want, int has)
{
	char *buf = malloc(len + 1);
	struct qemu_cmdline *c = NULL;

	memcpy(buf, args, len);
	buf[len] = '\0';
	is_int(qemu_cmdline_parse(buf, len, &c), 0, "cmdline parses (-name %s)", want);
	if (c != NULL) {
		is_str(c->name, want, "-name value");
		is_int(c->has_name, has, "has -name");
	}
	qemu_cmdline_free(c);
}

static int
test_parsers(void)
{
	struct qemu_region r[QEMU_MAX_REGIONS];
	char errbuf[MF_ERRBUF_SIZE] = "";
	size_t n = 0;
	uint32_t arch = 0;
	uint64_t dtb = 0, v = 0;
	char regs[512];

	is_int(qemu_parse_mtree(test_mtree_boot, r, QEMU_MAX_REGIONS, &n, errbuf), 0, "mtree of a booted guest");
	{
		static const struct test_want w[] = {
			{ 0, 0xa0000, 0, 0, "pc.ram" },
			{ 0xc0000, 0xca000, 0xc0000, 1, "pc.ram" },
			{ 0xca000, 0xcd000, 0xca000, 0, "pc.ram" },
			{ 0xcd000, 0xe8000, 0xcd000, 1, "pc.ram" },
			{ 0xe8000, 0xf0000, 0xe8000, 0, "pc.ram" },
			{ 0xf0000, 0x100000, 0xf0000, 1, "pc.ram" },
			{ 0x100000, 0x20000000, 0x100000, 0, "pc.ram" },
			{ 0xfd000000, 0xfe000000, 0, 0, "vga.vram" },
			{ 0xfffc0000, 0x100000000, 0, 1, "pc.bios" },
		};
		test_regions("booted", r, n, w, sizeof w / sizeof w[0]);
	}
	is_int(qemu_parse_mtree(test_mtree_5g, r, QEMU_MAX_REGIONS, &n, errbuf), 0, "mtree of a 5 GiB guest");
	{
		static const struct test_want w[] = {
			{ 0, 0xa0000, 0, 0, "pc.ram" },
			{ 0xc0000, 0xe0000, 0, 1, "pc.rom" },
			{ 0xe0000, 0x100000, 0x20000, 1, "pc.bios" },
			{ 0x100000, 0xc0000000, 0x100000, 0, "pc.ram" },
			{ 0xfffc0000, 0x100000000, 0, 1, "pc.bios" },
			{ 0x100000000, 0x180000000, 0xc0000000, 0, "pc.ram" },
		};
		test_regions("5g", r, n, w, sizeof w / sizeof w[0]);
	}
	/* a RAM range spanning the VGA window is cut around it */
	is_int(qemu_parse_mtree("FlatView #0\n AS \"memory\", root: system\n Root memory region: system\n"
	                        "  0000000000000000-000000001fffffff (prio 0, ram): pc.ram\n", r, 8, &n, errbuf),
	       0, "mtree with RAM across the VGA window");
	{
		static const struct test_want w[] = {
			{ 0, 0xa0000, 0, 0, "pc.ram" },
			{ 0xc0000, 0x20000000, 0xc0000, 0, "pc.ram" },
		};
		test_regions("vga cut", r, n, w, sizeof w / sizeof w[0]);
	}
	is_int(qemu_parse_mtree("FlatView #0\n AS \"I/O\", root: io\n Root memory region: io\n", r, 8, &n, errbuf),
	       MF_ERR_FORMAT, "mtree without the system view fails");
	is_str(errbuf, "info mtree -f has no flat view of AS \"memory\"", "its message");
	is_int(qemu_parse_mtree("FlatView #0\n AS \"memory\", root: system\n Root memory region: system\n"
	                        "  0000000000000000-000000001fffffff (prio 0, ram): pc.ram\n"
	                        "  0000000000001000-0000000000001fff (prio 0, ram): other\n", r, 8, &n, errbuf),
	       MF_ERR_FORMAT, "overlapping ranges fail");
	is_int(qemu_parse_mtree("FlatView #0\n AS \"memory\", root: system\n Root memory region: system\n"
	                        "  0000000000000000-000000000000ffff (prio 0, ram): a\n"
	                        "  0000000000100000-000000000010ffff (prio 0, ram): b\n"
	                        "  0000000000200000-000000000020ffff (prio 0, ram): c\n", r, 2, &n, errbuf),
	       MF_ERR_LIMIT, "more ranges than room fail");
	is_int(qemu_parse_mtree("FlatView #0\n AS \"memory\", root: system\n Root memory region: system\n"
	                        "  0000000000000000-ffffffffffffffff (prio 0, ram): all\n", r, 8, &n, errbuf),
	       MF_ERR_FORMAT, "a range to 2^64 fails");

	is_int(qemu_parse_regs(test_regs64, &arch, &dtb, errbuf), 0, "registers of a 64-bit guest");
	is_int(arch, MF_ARCH_X86_64, "EFER.LMA: x86_64");
	is_u64(dtb, 0x2620000, "dtb = CR3");
	snprintf(regs, sizeof regs, "CR0=80050033 CR2=0 CR3=0000000002620123 CR4=000016f0\nEFER=0000000000000d01\n");
	qemu_parse_regs(regs, &arch, &dtb, errbuf);
	is_int(arch, MF_ARCH_X86_64_LA57, "CR4.LA57: x86_64-la57");
	is_u64(dtb, 0x2620000, "dtb = CR3 & ~0xfff");
	snprintf(regs, sizeof regs, "CR0=80050033 CR2=00000000 CR3=01d2e020 CR4=000006b0\nEFER=0000000000000800\n");
	qemu_parse_regs(regs, &arch, &dtb, errbuf);
	is_int(arch, MF_ARCH_X86_PAE, "CR4.PAE without LMA: x86-pae");
	is_u64(dtb, 0x1d2e020, "PAE dtb keeps the 32-byte aligned PDPT");
	snprintf(regs, sizeof regs, "CR0=80050033 CR2=00000000 CR3=01d2e000 CR4=00000690\n");
	qemu_parse_regs(regs, &arch, &dtb, errbuf);
	is_int(arch, MF_ARCH_X86_32, "no PAE, no EFER: x86");
	snprintf(regs, sizeof regs, "CR0=60000010 CR2=00000000 CR3=00000000 CR4=00000000\nEFER=0\n");
	qemu_parse_regs(regs, &arch, &dtb, errbuf);
	is_int(arch, MF_ARCH_UNKNOWN, "paging off: no arch");
	is_int(qemu_parse_regs(" PC=0000000040000000 X00=0\n", &arch, &dtb, errbuf), MF_ERR_UNSUPPORTED,
	       "non-x86 registers: unsupported");

	test_name("qemu-system-x86_64\0-m\0" "512M\0-name\0guest=a,,b,debug-threads=on\0", 58, "a,b", 1);
	test_name("qemu-system-x86_64\0--name\0vm1,process=x\0", 39, "vm1", 1);
	test_name("qemu-system-x86_64\0-name\0first\0-name\0last\0", 41, "last", 1);
	test_name("qemu-system-x86_64\0-m\0" "512M\0-name\0", 33, "", 0);
	test_name("qemu-system-x86_64\0-nographic", 29, "", 0);

	is_int(qemu_parse_size("512", &v), 0, "size 512");
	is_u64(v, 512ull << 20, "512 is MiB");
	qemu_parse_size("5G", &v);
	is_u64(v, 5ull << 30, "5G");
	qemu_parse_size("1.5G", &v);
	is_u64(v, 3ull << 29, "1.5G");
	qemu_parse_size("2048k", &v);
	is_u64(v, 2ull << 20, "2048k");
	is_int(qemu_parse_size("12z", &v), MF_ERR_ARG, "12z is not a size");
	is_int(qemu_parse_size("99999999999999999999", &v), MF_ERR_RANGE, "a size beyond 64 bits");
	is_int(qemu_parse_size("20000000000T", &v), MF_ERR_RANGE, "T overflow");

	is_int(qemu_layout_guess("/usr/bin/qemu-system-x86_64", "pc", 5ull << 30, r, 8, &n, errbuf), 0,
	       "pc, 5 GiB");
	{
		static const struct test_want w[] = {
			{ 0, 0xa0000, 0, 0, "pc.ram" },
			{ 0xc0000, 0xc0000000, 0xc0000, 0, "pc.ram" },
			{ 0x100000000, 0x180000000, 0xc0000000, 0, "pc.ram" },
		};
		test_regions("pc 5g", r, n, w, sizeof w / sizeof w[0]);
	}
	is_int(qemu_layout_guess("qemu-system-x86_64", NULL, 0xe0000000ull - 4096, r, 8, &n, errbuf), 0,
	       "default machine, just under 3.5 GiB");
	is_u64(r[n - 1].gpa + r[n - 1].size, 0xe0000000ull - 4096, "all below 4 GiB");
	is_int(qemu_layout_guess("qemu-system-x86_64", "q35", 3ull << 30, r, 8, &n, errbuf), 0, "q35, 3 GiB");
	{
		static const struct test_want w[] = {
			{ 0, 0xa0000, 0, 0, "pc.ram" },
			{ 0xc0000, 0x80000000, 0xc0000, 0, "pc.ram" },
			{ 0x100000000, 0x140000000, 0x80000000, 0, "pc.ram" },
		};
		test_regions("q35 3g", r, n, w, sizeof w / sizeof w[0]);
	}
	is_int(qemu_layout_guess("qemu-system-aarch64", "virt", 1ull << 30, r, 8, &n, errbuf), 0, "aarch64 virt");
	is_u64(r[0].gpa, 0x40000000, "RAM at 1 GiB");
	is_int(qemu_layout_guess("qemu-system-x86_64", "isapc", 1ull << 30, r, 8, &n, errbuf), MF_ERR_UNSUPPORTED,
	       "unknown machine without QMP");
	is_str(errbuf, "no known RAM layout for machine 'isapc' without QMP (give qmp=)", "its message");
	return done_testing();
}

/* ---- the driver for conn-qemu.bats ----------------------------------------------------- */

static int
test_fail(int code, const char *msg)
{
	fprintf(stderr, "test-conn-qemu: %s (%s)\n", msg, mf_strerror(code));
	return 1;
}

static int
test_open(const char *spec, int wr, struct mf_target **t)
{
	char errbuf[MF_ERRBUF_SIZE] = "";
	int r = mf_target_open(spec, NULL, wr ? MF_TARGET_WRITE : 0, t, errbuf);

	return r < 0 ? test_fail(r, errbuf) : 0;
}

static int
test_cmd_open(struct mf_target *t)
{
	static const char *const u64s[] = { "live", "qemu_pid", "dtb", "kernel_dtb", NULL };
	static const char *const strs[] = { "format", "guest_name", "arch", "qemu_map", "qemu_layout", NULL };
	struct mf_hints *h = mf_target_hints(t);
	const struct mf_range *rg;
	size_t i, n = mf_phys_ranges(t, &rg);

	for (i = 0; u64s[i]; i++) {
		uint64_t v;

		if (mf_hints_get_u64(h, u64s[i], &v) == 0)
			printf("hint %s 0x%" PRIx64 "\n", u64s[i], v);
	}
	for (i = 0; strs[i]; i++) {
		const char *s = mf_hints_get_str(h, strs[i]);

		if (s != NULL && strcmp(strs[i], "qemu_layout") == 0) {
			const char *p;

			for (p = s; *p; ) {
				size_t l = strcspn(p, "\n");

				printf("layout %.*s\n", (int)l, p);
				p += l + (p[l] != '\0');
			}
		} else if (s != NULL) {
			printf("hint %s %s\n", strs[i], s);
		}
	}
	for (i = 0; i < n; i++)
		printf("range 0x%" PRIx64 " 0x%" PRIx64 "\n", rg[i].base, rg[i].base + rg[i].size);
	return 0;
}

#define TEST_BATCH 1024

static int
test_cmd_read(struct mf_target *t, uint64_t len)
{
	struct mf_iov *iov = calloc(TEST_BATCH, sizeof *iov);
	uint8_t *buf = malloc(TEST_BATCH * len);
	char errbuf[MF_ERRBUF_SIZE] = "", tok[64];
	int done = 0, status = 0;

	if (iov == NULL || buf == NULL || len == 0 || len > (1u << 20))
		return test_fail(MF_ERR_ARG, "bad length or out of memory");
	while (!done && status == 0) {
		size_t n = 0, i;
		int r;

		while (n < TEST_BATCH) {
			if (scanf("%63s", tok) != 1) {
				done = 1;
				break;
			}
			if (mf_parse_u64(tok, &iov[n].addr) < 0) {
				status = test_fail(MF_ERR_ARG, "bad address on stdin");
				break;
			}
			iov[n].buf = buf + n * len;
			iov[n].len = len;
			n++;
		}
		if (n == 0 || status != 0)
			break;
		r = mf_phys_read(t, iov, n, errbuf);
		if (r < 0) {
			status = test_fail(r, errbuf);
			break;
		}
		for (i = 0; i < n; i++)
			if (iov[i].err != 0) {
				snprintf(errbuf, sizeof errbuf, "cannot read 0x%" PRIx64, iov[i].addr);
				status = test_fail(iov[i].err, errbuf);
				break;
			}
		if (status == 0 && fwrite(buf, len, n, stdout) != n)
			status = test_fail(MF_ERR_IO, "cannot write stdout");
	}
	free(iov);
	free(buf);
	return status;
}

static int
test_cmd_vread(struct mf_target *t, uint64_t va, uint64_t len)
{
	char errbuf[MF_ERRBUF_SIZE] = "";
	struct mf_space sp;
	uint8_t *buf = len <= (1u << 20) ? malloc(len) : NULL;
	struct mf_iov iov = { .addr = va, .len = len, .buf = buf };
	int r;

	if (buf == NULL)
		return test_fail(MF_ERR_ARG, "bad length");
	r = mf_target_kernel_space(t, &sp, errbuf);
	if (r == 0)
		r = mf_virt_read(t, &sp, &iov, 1, errbuf);
	if (r == 0 && iov.err != 0) {
		r = iov.err;
		snprintf(errbuf, sizeof errbuf, "cannot read virtual 0x%" PRIx64, va);
	}
	if (r == 0)
		fwrite(buf, 1, len, stdout);
	free(buf);
	return r < 0 ? test_fail(r, errbuf) : 0;
}

static int
test_cmd_write(struct mf_target *t, uint64_t gpa, const char *text)
{
	char errbuf[MF_ERRBUF_SIZE] = "";
	size_t len = strlen(text), i;
	int hex = strncmp(text, "hex:", 4) == 0;
	char *back = calloc(1, len + 1), *data = calloc(1, len + 1);
	struct mf_iov w = { .addr = gpa, .len = len, .buf = data };
	struct mf_iov rd = { .addr = gpa, .buf = back };
	int r;

	if (back == NULL || data == NULL) {
		free(back);
		free(data);
		return test_fail(MF_ERR_NOMEM, "out of memory");
	}
	if (hex) {   /* "hex:00ff..": bytes */
		for (i = 0, len = 0; text[4 + 2 * i] && text[5 + 2 * i]; i++, len++) {
			unsigned x;

			if (sscanf(text + 4 + 2 * i, "%2x", &x) != 1) {
				free(back);
				free(data);
				return test_fail(MF_ERR_ARG, "bad hex");
			}
			data[len] = (char)x;
		}
	} else {
		memcpy(data, text, len);
	}
	w.len = rd.len = len;
	r = mf_phys_write(t, &w, 1, errbuf);

	if (r == 0 && w.err != 0)
		r = w.err, snprintf(errbuf, sizeof errbuf, "cannot write 0x%" PRIx64, gpa);
	if (r == 0)
		r = mf_phys_read(t, &rd, 1, errbuf);
	if (r == 0 && rd.err != 0)
		r = rd.err, snprintf(errbuf, sizeof errbuf, "cannot read back 0x%" PRIx64, gpa);
	if (r == 0 && hex) {
		for (i = 0; i < len; i++)
			printf("%02x", (unsigned char)back[i]);
		printf("\n");
	} else if (r == 0) {
		printf("%s\n", back);
	}
	free(back);
	free(data);
	return r < 0 ? test_fail(r, errbuf) : 0;
}

int
main(int argc, char **argv)
{
	struct mf_target *t = NULL;
	uint64_t a = 0, b = 0;
	int status;

	if (argc == 1)
		return test_parsers();
	mf_log_init("test-conn-qemu", getenv("QEMU_TEST_LOG") ? atoi(getenv("QEMU_TEST_LOG")) : 0);
	if (argc < 3) {
		fprintf(stderr, "usage: test-conn-qemu open|read|vread|write SPEC ...\n");
		return 2;
	}
	if ((strcmp(argv[1], "read") == 0 && (argc != 4 || mf_parse_u64(argv[3], &a) < 0)) ||
	    (strcmp(argv[1], "vread") == 0 && (argc != 5 || mf_parse_u64(argv[3], &a) < 0 ||
	                                       mf_parse_u64(argv[4], &b) < 0)) ||
	    (strcmp(argv[1], "write") == 0 && (argc != 5 || mf_parse_u64(argv[3], &a) < 0)) ||
	    (strcmp(argv[1], "open") == 0 && argc != 3)) {
		fprintf(stderr, "test-conn-qemu: bad arguments for %s\n", argv[1]);
		return 2;
	}
	if (test_open(argv[2], strcmp(argv[1], "write") == 0, &t) != 0)
		return 1;
	if (strcmp(argv[1], "open") == 0)
		status = test_cmd_open(t);
	else if (strcmp(argv[1], "read") == 0)
		status = test_cmd_read(t, a);
	else if (strcmp(argv[1], "vread") == 0)
		status = test_cmd_vread(t, a, b);
	else if (strcmp(argv[1], "write") == 0)
		status = test_cmd_write(t, a, argv[4]);
	else
		status = test_fail(MF_ERR_ARG, "unknown command");
	mf_target_close(t);
	return status;
}
