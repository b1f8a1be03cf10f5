/* vtop-fmt.c: mf-vtop's words for translations: sizes, permissions, the flags of raw
 * page-table entries by architecture, and why a walk failed. */
#include "config.h"
#include "vtop-fmt.h"

#include <stdio.h>
#include <string.h>

const char *
vtop_size_str(uint64_t n, char *buf, size_t size)
{
	static const char units[] = "KMGTPE";
	unsigned u = 0;

	if (n == 0 || (n & 1023) != 0) {
		snprintf(buf, size, "%llu", (unsigned long long)n);
		return buf;
	}
	n >>= 10;
	while ((n & 1023) == 0 && n >= 1024 && u < sizeof units - 2) {
		n >>= 10;
		u++;
	}
	snprintf(buf, size, "%llu%c", (unsigned long long)n, units[u]);
	return buf;
}

/* "rwxu": readable, writable, executable, user (u) or supervisor-only (s) */
const char *
vtop_perms(uint32_t fl, char buf[5])
{
	buf[0] = fl & MF_VAT_R ? 'r' : '-';
	buf[1] = fl & MF_VAT_W ? 'w' : '-';
	buf[2] = fl & MF_VAT_X ? 'x' : '-';
	buf[3] = fl & MF_VAT_U ? 'u' : 's';
	buf[4] = '\0';
	return buf;
}

/* The other translation flags: "G A D". */
const char *
vtop_xflags(uint32_t fl, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", fl & MF_VAT_GLOBAL ? "G " : "", fl & MF_VAT_ACCESSED ? "A " : "",
	         fl & MF_VAT_DIRTY ? "D " : "");
	if (buf[0] != '\0')
		buf[strlen(buf) - 1] = '\0';
	return buf;
}

struct vtop_bit {
	unsigned bit;
	const char *name;
};

static void
vtop_bits(const struct vtop_bit *b, size_t n, uint64_t e, char *buf, size_t size)
{
	size_t i, len = strlen(buf);

	for (i = 0; i < n && len + 1 < size; i++) {
		if (!(e >> b[i].bit & 1))
			continue;
		snprintf(buf + len, size - len, "%s%s", len ? " " : "", b[i].name);
		len = strlen(buf);
	}
}

/* The flags of a raw entry, by architecture; `leaf` for the entry that maps the page. */
void
vtop_entry_flags(const struct mf_space *sp, uint64_t e, bool leaf, char *buf, size_t size)
{
	static const struct vtop_bit x86[] = {
		{ 0, "P" }, { 1, "RW" }, { 2, "US" }, { 3, "PWT" }, { 4, "PCD" }, { 5, "A" }, { 6, "D" },
		{ 7, "PS" }, { 8, "G" }, { 63, "NX" },
	};
	static const struct vtop_bit rv[] = {
		{ 0, "V" }, { 1, "R" }, { 2, "W" }, { 3, "X" }, { 4, "U" }, { 5, "G" }, { 6, "A" }, { 7, "D" },
	};
	static const struct vtop_bit arm_table[] = {
		{ 59, "PXNTable" }, { 60, "UXNTable" }, { 61, "APTable0" }, { 62, "APTable1" }, { 63, "NSTable" },
	};
	static const struct vtop_bit arm_leaf[] = {
		{ 6, "AP1(EL0)" }, { 7, "AP2(RO)" }, { 10, "AF" }, { 11, "nG" }, { 51, "DBM" }, { 52, "Contig" },
		{ 53, "PXN" }, { 54, "UXN" },
	};

	buf[0] = '\0';
	switch (sp->arch) {
	case MF_ARCH_X86_32:
		vtop_bits(x86, sizeof x86 / sizeof *x86 - 1, e, buf, size);
		break;
	case MF_ARCH_X86_PAE:
	case MF_ARCH_X86_64:
	case MF_ARCH_X86_64_LA57:
		vtop_bits(x86, sizeof x86 / sizeof *x86, e, buf, size);
		break;
	case MF_ARCH_RISCV_SV39:
	case MF_ARCH_RISCV_SV48:
		vtop_bits(rv, sizeof rv / sizeof *rv, e, buf, size);
		break;
	case MF_ARCH_AARCH64:
		if (!(e & 1)) {
			snprintf(buf, size, "invalid");
		} else if (!leaf) {
			snprintf(buf, size, "table");
			vtop_bits(arm_table, sizeof arm_table / sizeof *arm_table, e, buf, size);
		} else {
			snprintf(buf, size, "%s AttrIdx%u", e & 2 ? "page" : "block", (unsigned)(e >> 2 & 7));
			vtop_bits(arm_leaf, sizeof arm_leaf / sizeof *arm_leaf, e, buf, size);
		}
		break;
	default:
		break;
	}
}

/* Why a walk failed, for people. */
const char *
vtop_why(const struct mf_space *sp, int err, const struct mf_vat_step *steps, size_t ns, char *buf, size_t size)
{
	const struct mf_vat_step *last = ns ? &steps[ns - 1] : NULL;

	switch (err) {
	case MF_ERR_NONCANONICAL:
		snprintf(buf, size, "non-canonical address for %s", mf_arch_name(sp->arch));
		break;
	case MF_ERR_NOTMAPPED:
		if (last == NULL)
			snprintf(buf, size, "not mapped: no page table for this half of the address space");
		else if (last->err == MF_ERR_NOTMAPPED && last->entry != 0)
			snprintf(buf, size, "not mapped: %s entry %u (0x%llx) is not valid or reserved bits are set",
			         mf_vat_level_name(sp, last->level), last->index, (unsigned long long)last->entry);
		else
			snprintf(buf, size, "not mapped: %s entry %u not present", mf_vat_level_name(sp, last->level),
			         last->index);
		break;
	default:
		if (last != NULL)
			snprintf(buf, size, "cannot read %s table at 0x%llx: %s", mf_vat_level_name(sp, last->level),
			         (unsigned long long)last->table_pa, mf_strerror(err));
		else
			snprintf(buf, size, "%s", mf_strerror(err));
		break;
	}
	return buf;
}
