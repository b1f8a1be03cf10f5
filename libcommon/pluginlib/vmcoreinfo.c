/* vmcoreinfo.c: lookup and parsing of Linux VMCOREINFO text. */
#include "pluginlib/vmcoreinfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VMCI_KEY_MAX 128   /* "SYMBOL(" name ")" built for a lookup */

char *
vmci_dup(const void *desc, size_t n)
{
	size_t len;
	char *text;

	if (n > VMCI_MAX_BYTES)
		n = VMCI_MAX_BYTES;
	len = desc != NULL ? strnlen(desc, n) : 0;
	text = malloc(len + 1);
	if (text == NULL)
		return NULL;
	if (len > 0)
		memcpy(text, desc, len);
	text[len] = '\0';
	return text;
}

const char *
vmci_find(const char *text, const char *key, size_t *len)
{
	size_t kl = strlen(key);
	const char *p = text;

	if (kl == 0)
		return NULL;
	while (p != NULL && *p != '\0') {
		if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
			const char *v = p + kl + 1;

			*len = strcspn(v, "\n");
			return v;
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return NULL;
}

bool
vmci_get_str(const char *text, const char *key, char *out, size_t outsz)
{
	size_t n;
	const char *v = vmci_find(text, key, &n);

	if (v == NULL)
		return false;
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, v, n);
	out[n] = '\0';
	return true;
}

/* Digits of v[0..n) in base 10 or 16 into *out: 0 or MF_ERR_FORMAT (empty, another
 * character, more than 64 bits). */
static int
vmci_digits(const char *v, size_t n, unsigned base, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0)
		return MF_ERR_FORMAT;
	for (i = 0; i < n; i++) {
		char c = v[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return MF_ERR_FORMAT;
		if (x > (UINT64_MAX - d) / base)
			return MF_ERR_FORMAT;
		x = x * base + d;
	}
	*out = x;
	return 0;
}

static bool
vmci_has_0x(const char *v, size_t n)
{
	return n >= 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X');
}

int
vmci_get_hex(const char *text, const char *key, uint64_t *out)
{
	size_t n;
	const char *v = vmci_find(text, key, &n);

	if (v == NULL)
		return MF_ERR_NOTFOUND;
	if (vmci_has_0x(v, n)) {
		v += 2;
		n -= 2;
	}
	return vmci_digits(v, n, 16, out);
}

/* A signed decimal v[0..n) into *out. */
static int
vmci_parse_dec(const char *v, size_t n, int64_t *out)
{
	bool neg = n > 0 && v[0] == '-';
	uint64_t x;
	int e = vmci_digits(v + neg, n - neg, 10, &x);

	if (e < 0)
		return e;
	if (neg) {
		if (x > (uint64_t)INT64_MAX + 1)
			return MF_ERR_FORMAT;
		*out = x == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)x;
	} else {
		if (x > (uint64_t)INT64_MAX)
			return MF_ERR_FORMAT;
		*out = (int64_t)x;
	}
	return 0;
}

int
vmci_get_dec(const char *text, const char *key, int64_t *out)
{
	size_t n;
	const char *v = vmci_find(text, key, &n);

	if (v == NULL)
		return MF_ERR_NOTFOUND;
	return vmci_parse_dec(v, n, out);
}

int
vmci_get_num(const char *text, const char *key, uint64_t *out)
{
	size_t n;
	const char *v = vmci_find(text, key, &n);
	int64_t s;
	int e;

	if (v == NULL)
		return MF_ERR_NOTFOUND;
	if (vmci_has_0x(v, n))
		return vmci_digits(v + 2, n - 2, 16, out);
	if (n > 0 && v[0] == '-') {
		if ((e = vmci_parse_dec(v, n, &s)) < 0)
			return e;
		*out = (uint64_t)s;
		return 0;
	}
	return vmci_digits(v, n, 10, out);
}

/* "WRAP(name)" into key; false when it does not fit. */
static bool
vmci_key(char *key, const char *wrap, const char *name)
{
	int n = snprintf(key, VMCI_KEY_MAX, "%s(%s)", wrap, name);

	return n > 0 && n < VMCI_KEY_MAX;
}

int
vmci_symbol(const char *text, const char *name, uint64_t *out)
{
	char key[VMCI_KEY_MAX];

	if (!vmci_key(key, "SYMBOL", name))
		return MF_ERR_NOTFOUND;
	return vmci_get_hex(text, key, out);
}

int
vmci_number(const char *text, const char *name, uint64_t *out)
{
	char key[VMCI_KEY_MAX];

	if (!vmci_key(key, "NUMBER", name))
		return MF_ERR_NOTFOUND;
	return vmci_get_num(text, key, out);
}

int
vmci_kernel_offset(const char *text, uint64_t *out)
{
	return vmci_get_hex(text, "KERNELOFFSET", out);
}

int
vmci_phys_base(const char *text, uint64_t *out)
{
	int64_t v;
	int e = vmci_get_dec(text, "NUMBER(phys_base)", &v);

	if (e == 0)
		*out = (uint64_t)v;
	return e;
}

int
vmci_pagesize(const char *text, uint64_t *out)
{
	int64_t v;
	int e = vmci_get_dec(text, "PAGESIZE", &v);

	if (e < 0)
		return e;
	if (v <= 0)
		return MF_ERR_FORMAT;
	*out = (uint64_t)v;
	return 0;
}

bool
vmci_osrelease(const char *text, char *out, size_t outsz)
{
	return vmci_get_str(text, "OSRELEASE", out, outsz);
}

/* Is the value of KEY exactly want? */
static bool
vmci_is(const char *text, const char *key, const char *want)
{
	size_t n;
	const char *v = vmci_find(text, key, &n);

	return v != NULL && n == strlen(want) && memcmp(v, want, n) == 0;
}

bool
vmci_la57(const char *text)
{
	return vmci_is(text, "NUMBER(pgtable_l5_enabled)", "1");
}

bool
vmci_pae(const char *text)
{
	return vmci_is(text, "CONFIG_X86_PAE", "y");
}

uint32_t
vmci_arch(const char *text)
{
	size_t n;

	if (vmci_find(text, "NUMBER(kimage_voffset)", &n) || vmci_find(text, "NUMBER(TCR_EL1_T1SZ)", &n))
		return MF_ARCH_AARCH64;
	if (vmci_find(text, "SYMBOL(init_top_pgt)", &n))
		return vmci_la57(text) ? MF_ARCH_X86_64_LA57 : MF_ARCH_X86_64;
	if (vmci_find(text, "CONFIG_X86_PAE", &n))
		return MF_ARCH_X86_PAE;
	return MF_ARCH_UNKNOWN;
}

uint32_t
vmci_arch_for_machine(const char *machine, const char *text)
{
	if (strcmp(machine, "x86_64") == 0)
		return text != NULL && vmci_la57(text) ? MF_ARCH_X86_64_LA57 : MF_ARCH_X86_64;
	if (strcmp(machine, "aarch64") == 0 || strcmp(machine, "arm64") == 0)
		return MF_ARCH_AARCH64;
	if (machine[0] == 'i' && strlen(machine) == 4 && strcmp(machine + 2, "86") == 0)
		return text != NULL && vmci_pae(text) ? MF_ARCH_X86_PAE : MF_ARCH_X86_32;
	return text != NULL ? vmci_arch(text) : MF_ARCH_UNKNOWN;
}

int
vmci_set_hints(const struct mf_host *host, struct mf_hints *hints, const char *text)
{
	char rel[256];
	uint64_t v;
	int e;

	if (vmci_kernel_offset(text, &v) == 0 && (e = host->hint_set_u64(hints, "kernel_offset", v)) < 0)
		return e;
	if (vmci_phys_base(text, &v) == 0 && (e = host->hint_set_u64(hints, "phys_base", v)) < 0)
		return e;
	if (vmci_osrelease(text, rel, sizeof rel) && (e = host->hint_set_str(hints, "osrelease", rel)) < 0)
		return e;
	return 0;
}
