/* test-pluginlib-vmcoreinfo.c: the VMCOREINFO parser (pluginlib/vmcoreinfo.c) on a real
 * kernel's text (taken from a QEMU dump-guest-memory ELF core of the x86_64 test guest),
 * on arm64 and i386 shapes, and on malformed text. */
#include "config.h"

#include <stdlib.h>
#include <mftools/mf.h>

#include "pluginlib/vmcoreinfo.h"
#include "plugin-harness.h"
#include "tap.h"

/* The fixture file, NUL-terminated; exits when it cannot be read. */
static char *
load_fixture(const char *name)
{
	const char *top = getenv("MF_TOP_SRCDIR");
	char path[1024];
	FILE *f;
	char *text;
	long n;

	snprintf(path, sizeof path, "%s/tests/fixtures/pluginlib/%s", top ? top : TEST_TOP_SRCDIR, name);
	f = fopen(path, "rb");
	if (f == NULL || fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0) {
		printf("Bail out! cannot read %s\n", path);
		exit(1);
	}
	text = malloc((size_t)n + 1);
	if (text == NULL || fread(text, 1, (size_t)n, f) != (size_t)n) {
		printf("Bail out! cannot read %s\n", path);
		exit(1);
	}
	text[n] = '\0';
	fclose(f);
	return text;
}

static void
test_real_x86_64(void)
{
	char *text = load_fixture("vmcoreinfo-x86_64.txt");
	char rel[65], small[4];
	uint64_t v = 0, k = 0;
	int64_t s = 0;
	size_t n = 0;
	const char *p;

	ok(vmci_osrelease(text, rel, sizeof rel), "x86_64: OSRELEASE present");
	is_str(rel, "6.1.0-57-amd64", "x86_64: OSRELEASE value");
	ok(vmci_osrelease(text, small, sizeof small) && strcmp(small, "6.1") == 0, "x86_64: OSRELEASE cut to the buffer");
	is_int(vmci_pagesize(text, &v), 0, "x86_64: PAGESIZE parsed");
	is_u64(v, 4096, "x86_64: PAGESIZE value");
	is_int(vmci_kernel_offset(text, &v), 0, "x86_64: KERNELOFFSET parsed");
	is_u64(v, 0x11800000, "x86_64: KERNELOFFSET value");
	is_int(vmci_symbol(text, "init_top_pgt", &v), 0, "x86_64: SYMBOL(init_top_pgt) parsed");
	is_u64(v, 0xffffffff94210000ull, "x86_64: SYMBOL(init_top_pgt) value");
	is_int(vmci_symbol(text, "_stext", &v), 0, "x86_64: SYMBOL(_stext) parsed");
	is_u64(v, 0xffffffff92800000ull, "x86_64: SYMBOL(_stext) value");
	is_int(vmci_phys_base(text, &v), 0, "x86_64: NUMBER(phys_base) parsed");
	is_u64(v, 111149056, "x86_64: NUMBER(phys_base) value");
	is_int(vmci_number(text, "pgtable_l5_enabled", &v), 0, "x86_64: NUMBER(pgtable_l5_enabled) parsed");
	is_u64(v, 0, "x86_64: not LA57");
	is_int(vmci_get_dec(text, "SIZE(page)", &s), 0, "x86_64: SIZE(page) parsed");
	is_int(s, 64, "x86_64: SIZE(page) value");
	is_int(vmci_get_dec(text, "OFFSET(list_head.next)", &s), 0, "x86_64: OFFSET(list_head.next) parsed");
	is_int(s, 0, "x86_64: OFFSET(list_head.next) value");
	is_int(vmci_number(text, "PAGE_BUDDY_MAPCOUNT_VALUE", &v), 0, "x86_64: a negative NUMBER parsed");
	is_u64(v, (uint64_t)-129ll, "x86_64: NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE) value");
	/* the kernel's own check: _stext is the image base moved by KERNELOFFSET */
	ok(vmci_symbol(text, "_stext", &v) == 0 && vmci_kernel_offset(text, &k) == 0 &&
	   v == 0xffffffff81000000ull + k, "x86_64: _stext = 0xffffffff81000000 + KERNELOFFSET");
	p = vmci_find(text, "BUILD-ID", &n);
	ok(p != NULL && n == 40, "x86_64: BUILD-ID is 40 hex digits (got %zu)", n);
	ok(!vmci_la57(text) && !vmci_pae(text), "x86_64: neither LA57 nor PAE");
	is_int(vmci_arch(text), MF_ARCH_X86_64, "x86_64: arch from the text alone");
	is_int(vmci_arch_for_machine("x86_64", text), MF_ARCH_X86_64, "x86_64: arch for machine x86_64");
	is_int(vmci_arch_for_machine("Unknown", text), MF_ARCH_X86_64, "x86_64: arch for machine Unknown");
	is_int(vmci_symbol(text, "no_such_symbol", &v), MF_ERR_NOTFOUND, "x86_64: absent SYMBOL");
	free(text);
}

/* The lines an arm64 kernel adds (arch/arm64/kernel/crash_core.c prints them in 0x hex). */
static const char arm64_text[] =
	"OSRELEASE=6.1.0-41-arm64\n"
	"PAGESIZE=4096\n"
	"SYMBOL(swapper_pg_dir)=ffff800009a5d000\n"
	"NUMBER(VA_BITS)=48\n"
	"NUMBER(kimage_voffset)=0xffff7fffc7e00000\n"
	"NUMBER(PHYS_OFFSET)=0x40000000\n"
	"NUMBER(TCR_EL1_T1SZ)=0x10\n"
	"KERNELOFFSET=1000000\n";

static const char i386_pae_text[] =
	"OSRELEASE=6.1.0-41-686-pae\n"
	"PAGESIZE=4096\n"
	"SYMBOL(swapper_pg_dir)=c1b2e000\n"
	"CONFIG_X86_PAE=y\n";

static void
test_arch(void)
{
	uint64_t v = 0;

	is_int(vmci_arch(arm64_text), MF_ARCH_AARCH64, "arm64: arch from kimage_voffset");
	is_int(vmci_arch_for_machine("Unknown", arm64_text), MF_ARCH_AARCH64, "arm64: machine Unknown");
	is_int(vmci_arch_for_machine("arm64", NULL), MF_ARCH_AARCH64, "machine arm64 without text");
	is_int(vmci_arch_for_machine("aarch64", NULL), MF_ARCH_AARCH64, "machine aarch64 without text");
	is_int(vmci_number(arm64_text, "kimage_voffset", &v), 0, "arm64: 0x NUMBER parsed");
	is_u64(v, 0xffff7fffc7e00000ull, "arm64: kimage_voffset value");
	is_int(vmci_number(arm64_text, "VA_BITS", &v), 0, "arm64: decimal NUMBER parsed");
	is_u64(v, 48, "arm64: VA_BITS value");
	is_int(vmci_number(arm64_text, "TCR_EL1_T1SZ", &v), 0, "arm64: TCR_EL1_T1SZ parsed");
	is_u64(v, 16, "arm64: TCR_EL1_T1SZ value");
	is_int(vmci_kernel_offset(arm64_text, &v), 0, "arm64: KERNELOFFSET parsed");
	is_u64(v, 0x1000000, "arm64: KERNELOFFSET value");

	ok(vmci_pae(i386_pae_text), "i386: CONFIG_X86_PAE=y is PAE");
	is_int(vmci_arch(i386_pae_text), MF_ARCH_X86_PAE, "i386: arch PAE from the text alone");
	is_int(vmci_arch_for_machine("i686", i386_pae_text), MF_ARCH_X86_PAE, "machine i686 + PAE text");
	is_int(vmci_arch_for_machine("i386", "OSRELEASE=6.1\n"), MF_ARCH_X86_32, "machine i386, no PAE");
	is_int(vmci_arch_for_machine("i386", NULL), MF_ARCH_X86_32, "machine i386 without text");
	is_int(vmci_arch_for_machine("i86", NULL), MF_ARCH_UNKNOWN, "machine i86 is not x86");
	is_int(vmci_arch_for_machine("x86_64", "NUMBER(pgtable_l5_enabled)=1\n"), MF_ARCH_X86_64_LA57,
	       "machine x86_64 with 5-level paging");
	is_int(vmci_arch("SYMBOL(init_top_pgt)=ffffffff8260a000\nNUMBER(pgtable_l5_enabled)=1\n"),
	       MF_ARCH_X86_64_LA57, "x86_64 LA57 from the text alone");
	ok(!vmci_la57("NUMBER(pgtable_l5_enabled)=10\n"), "pgtable_l5_enabled=10 is not 1");
	ok(!vmci_pae("CONFIG_X86_PAE=yes\n"), "CONFIG_X86_PAE=yes is not y");
	is_int(vmci_arch("OSRELEASE=6.1\nPAGESIZE=4096\n"), MF_ARCH_UNKNOWN, "no arch lines: unknown");
	is_int(vmci_arch_for_machine("riscv64", NULL), MF_ARCH_UNKNOWN, "other machine, no text: unknown");
}

static void
test_lookup(void)
{
	static const char t[] =
		"XKERNELOFFSET=1\n"          /* not at a line start: KERNELOFFSET below wins */
		"KERNELOFFSETX=2\n"          /* longer key */
		"KERNELOFFSET\n"             /* no '=' */
		"KERNELOFFSET=1e000000\n"
		"KERNELOFFSET=5\n"           /* the first line counts */
		"EMPTY=\n"
		"LAST=no newline";
	char out[16];
	uint64_t v = 0;
	size_t n = 9;

	is_int(vmci_kernel_offset(t, &v), 0, "key only at a line start, followed by '='");
	is_u64(v, 0x1e000000, "the first matching line");
	ok(vmci_find(t, "EMPTY", &n) != NULL && n == 0, "an empty value is found, length 0");
	ok(vmci_get_str(t, "LAST", out, sizeof out) && strcmp(out, "no newline") == 0, "the last line without a newline");
	ok(!vmci_get_str(t, "MISSING", out, sizeof out), "absent key");
	ok(vmci_find(t, "", &n) == NULL, "empty key matches nothing");
	ok(vmci_find("", "A", &n) == NULL, "empty text");
	ok(vmci_find("A=1", "A=1", &n) == NULL, "a key is not matched against a whole line");
	ok(vmci_get_str("A=1\nB=2", "B", out, 1) && out[0] == '\0', "outsz 1 gives an empty string");
}

static void
test_malformed_numbers(void)
{
	static const struct { const char *text; int hex, dec; } cases[] = {
		{ "K=\n", MF_ERR_FORMAT, MF_ERR_FORMAT },
		{ "K=0x\n", MF_ERR_FORMAT, MF_ERR_FORMAT },
		{ "K= 10\n", MF_ERR_FORMAT, MF_ERR_FORMAT },
		{ "K=10 \n", MF_ERR_FORMAT, MF_ERR_FORMAT },
		{ "K=+10\n", MF_ERR_FORMAT, MF_ERR_FORMAT },
		{ "K=-\n", MF_ERR_FORMAT, MF_ERR_FORMAT },
		{ "K=1g\n", MF_ERR_FORMAT, MF_ERR_FORMAT },
		{ "K=10000000000000000\n", MF_ERR_FORMAT, 0 },          /* 17 hex digits; fits as decimal */
		{ "K=99999999999999999999\n", MF_ERR_FORMAT, MF_ERR_FORMAT },
		{ "K=9223372036854775808\n", MF_ERR_FORMAT, MF_ERR_FORMAT },   /* > INT64_MAX */
		{ "K=ffffffffffffffff\n", 0, MF_ERR_FORMAT },
		{ "K=12\r\n", MF_ERR_FORMAT, MF_ERR_FORMAT },
	};
	uint64_t v;
	int64_t s;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		is_int(vmci_get_hex(cases[i].text, "K", &v), cases[i].hex, "malformed case %zu as hex", i);
		is_int(vmci_get_dec(cases[i].text, "K", &s), cases[i].dec, "malformed case %zu as decimal", i);
	}
	is_int(vmci_get_dec("K=-9223372036854775808", "K", &s), 0, "INT64_MIN parsed");
	ok(s == INT64_MIN, "INT64_MIN value");
	is_int(vmci_get_dec("K=-9223372036854775809", "K", &s), MF_ERR_FORMAT, "below INT64_MIN");
	is_int(vmci_phys_base("NUMBER(phys_base)=-503316480\n", &v), 0, "negative phys_base parsed");
	is_u64(v, (uint64_t)-503316480ll, "negative phys_base as two's complement");
	is_int(vmci_number("NUMBER(x)=-16\n", "x", &v), 0, "negative NUMBER parsed");
	is_u64(v, (uint64_t)-16ll, "negative NUMBER as two's complement");
	is_int(vmci_number("NUMBER(x)=-0x10\n", "x", &v), MF_ERR_FORMAT, "negative hex NUMBER is malformed");
	is_int(vmci_pagesize("PAGESIZE=0\n", &v), MF_ERR_FORMAT, "PAGESIZE 0 is malformed");
	is_int(vmci_pagesize("PAGESIZE=-4096\n", &v), MF_ERR_FORMAT, "negative PAGESIZE is malformed");
	is_int(vmci_pagesize("OSRELEASE=6.1\n", &v), MF_ERR_NOTFOUND, "absent PAGESIZE");
	is_int(vmci_get_hex("K=0XAbCd\n", "K", &v), 0, "0X prefix and mixed case hex");
	is_u64(v, 0xabcd, "0XAbCd value");
	{
		char name[200];

		memset(name, 'a', sizeof name - 1);
		name[sizeof name - 1] = '\0';
		is_int(vmci_symbol("SYMBOL(a)=1\n", name, &v), MF_ERR_NOTFOUND, "an over-long symbol name is not found");
	}
}

static void
test_dup(void)
{
	static const uint8_t desc[] = { 'A', '=', '1', '\n', 0, 'B', '=', '2' };
	char *t = vmci_dup(desc, sizeof desc);
	char *big, *u;
	size_t n;

	ok(t != NULL && strcmp(t, "A=1\n") == 0, "dup stops at the first NUL");
	free(t);
	t = vmci_dup(desc, 3);
	ok(t != NULL && strcmp(t, "A=1") == 0, "dup keeps only n bytes");
	free(t);
	t = vmci_dup(NULL, 0);
	ok(t != NULL && t[0] == '\0', "dup of nothing is an empty string");
	free(t);
	big = malloc(VMCI_MAX_BYTES + 16);
	if (big == NULL)
		return;
	memset(big, 'x', VMCI_MAX_BYTES + 16);
	u = vmci_dup(big, VMCI_MAX_BYTES + 16);
	n = u ? strlen(u) : 0;
	is_u64(n, VMCI_MAX_BYTES, "dup caps the text at VMCI_MAX_BYTES");
	free(u);
	free(big);
}

static void
test_hints(void)
{
	struct mf_hints *h = mf_hints_new();
	uint64_t v = 0;

	if (h == NULL)
		return;
	is_int(vmci_set_hints(mf_host(), h, "OSRELEASE=6.1.0-41-amd64\nKERNELOFFSET=1e000000\n"
	                      "NUMBER(phys_base)=-16777216\n"), 0, "set_hints returns 0");
	is_str(mf_hints_get_str(h, "osrelease"), "6.1.0-41-amd64", "hint osrelease");
	ok(mf_hints_get_u64(h, "kernel_offset", &v) == 0 && v == 0x1e000000, "hint kernel_offset");
	ok(mf_hints_get_u64(h, "phys_base", &v) == 0 && v == (uint64_t)-16777216ll, "hint phys_base");
	mf_hints_free(h);
	h = mf_hints_new();
	if (h == NULL)
		return;
	is_int(vmci_set_hints(mf_host(), h, "KERNELOFFSET=zz\nNUMBER(phys_base)=0x10\n"), 0,
	       "set_hints with malformed values returns 0");
	ok(mf_hints_get_u64(h, "kernel_offset", &v) == MF_ERR_NOTFOUND, "malformed KERNELOFFSET sets no hint");
	ok(mf_hints_get_u64(h, "phys_base", &v) == MF_ERR_NOTFOUND, "hex phys_base (the kernel prints decimal) sets no hint");
	ok(mf_hints_get_str(h, "osrelease") == NULL, "absent OSRELEASE sets no hint");
	mf_hints_free(h);
}

int
main(void)
{
	test_real_x86_64();
	test_arch();
	test_lookup();
	test_malformed_numbers();
	test_dup();
	test_hints();
	return done_testing();
}
