/* kallsyms-mem.c: the kallsyms tables in kernel memory: where they are (VMCOREINFO's
 * SYMBOL() lines on 6.0+, the hints of a saved target record, else found by scanning the
 * kernel image: kallsyms-scan.c), copied out and handed to the decoder (kallsyms.c), and
 * the result checked against the kernel itself. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kallsyms.h"
#include "linux.h"
#include "pluginlib/bytes.h"
#include "pluginlib/vmcoreinfo.h"

#define KM_NAMES_MAX ((size_t)32 << 20)      /* names of 4M symbols at 8 bytes each */
#define KM_TOKEN_TABLE_MAX ((size_t)64 << 10)

/* LEN bytes at VA, allocated (NULL: *err set). */
static uint8_t *
km_copy(const struct lx *lx, uint64_t va, size_t len, int *err)
{
	uint8_t *b = malloc(len ? len : 1);

	if (b == NULL) {
		*err = MF_ERR_NOMEM;
		return NULL;
	}
	if ((*err = lx_kread(lx, va, b, len)) < 0) {
		free(b);
		return NULL;
	}
	return b;
}

/* The smallest of the other tables' addresses above VA (0 if none). */
static uint64_t
km_next_table(const struct lx_ksyms *where, uint64_t va)
{
	const uint64_t t[] = { where->va_num_syms, where->va_token_table, where->va_token_index, where->va_offsets,
		               where->va_relative_base, where->va_addresses };
	uint64_t best = 0;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		if (t[i] > va && (best == 0 || t[i] < best))
			best = t[i];
	return best;
}

/* Copy the tables at the addresses in WHERE and decode them. */
int
lx_ksyms_read(const struct lx *lx, const struct lx_ksyms *where, struct lx_ksyms **out, char *errbuf)
{
	const struct mf_host *host = lx->host;
	struct lx_kraw raw = { 0 };
	uint8_t *names = NULL, *tt = NULL, *ti = NULL, *tab = NULL, b[8];
	uint64_t next;
	size_t ttlen;
	int r, err;

	*out = NULL;
	if ((r = lx_kread(lx, where->va_num_syms, b, 4)) < 0)
		return host->error(errbuf, r, "kallsyms: cannot read kallsyms_num_syms at 0x%" PRIx64 ": %s", where->va_num_syms,
		                   host->strerror(r));
	raw.num_syms = get_le32(b);
	if (raw.num_syms == 0 || raw.num_syms > LX_KSYM_MAX_SYMS)
		return host->error(errbuf, MF_ERR_CORRUPT, "kallsyms: implausible symbol count %u", raw.num_syms);
	next = km_next_table(where, where->va_names);
	raw.names_len = next != 0 && next - where->va_names < KM_NAMES_MAX ? (size_t)(next - where->va_names)
	                                                                     : (size_t)raw.num_syms * 8;
	if (raw.names_len > KM_NAMES_MAX)
		raw.names_len = KM_NAMES_MAX;
	ttlen = where->va_token_index > where->va_token_table && where->va_token_index - where->va_token_table < KM_TOKEN_TABLE_MAX
	                ? (size_t)(where->va_token_index - where->va_token_table)
	                : KM_TOKEN_TABLE_MAX;
	if ((names = km_copy(lx, where->va_names, raw.names_len, &err)) == NULL ||
	    (tt = km_copy(lx, where->va_token_table, ttlen, &err)) == NULL ||
	    (ti = km_copy(lx, where->va_token_index, 512, &err)) == NULL)
		goto fail;
	/* a 32-bit kernel's unsigned long (relative_base, kallsyms_addresses) is 4 bytes */
	raw.long_size = lx->kspace.arch == MF_ARCH_X86_32 || lx->kspace.arch == MF_ARCH_X86_PAE ? 4 : 8;
	if (where->va_offsets != 0) {
		if ((tab = km_copy(lx, where->va_offsets, (size_t)raw.num_syms * 4, &err)) == NULL ||
		    (err = lx_kread(lx, where->va_relative_base, b, raw.long_size)) < 0)
			goto fail;
		raw.relative_base = raw.long_size == 4 ? get_le32(b) : get_le64(b);
		raw.offsets = tab;
	} else {
		if ((tab = km_copy(lx, where->va_addresses, (size_t)raw.num_syms * raw.long_size, &err)) == NULL)
			goto fail;
		raw.addresses = tab;
	}
	raw.names = names;
	raw.token_table = tt;
	raw.token_table_len = ttlen;
	raw.token_index = ti;
	r = lx_ksyms_decode(&raw, out, errbuf);
	if (r == 0) {
		struct lx_ksyms *ks = *out;

		ks->va_names = where->va_names;
		ks->va_num_syms = where->va_num_syms;
		ks->va_token_table = where->va_token_table;
		ks->va_token_index = where->va_token_index;
		ks->va_offsets = where->va_offsets;
		ks->va_relative_base = where->va_relative_base;
		ks->va_addresses = where->va_addresses;
	}
	free(names);
	free(tt);
	free(ti);
	free(tab);
	return r;
fail:
	free(names);
	free(tt);
	free(ti);
	free(tab);
	return host->error(errbuf, err, "kallsyms: cannot read the tables: %s", host->strerror(err));
}

/* Is this table the running kernel's?  _text == _stext on x86, linux_banner reads
 * "Linux version". */
int
lx_ksyms_check(const struct lx *lx, const struct lx_ksyms *ks, char *errbuf)
{
	long text = lx_ksyms_find(ks, "_text"), stext = lx_ksyms_find(ks, "_stext"), ban = lx_ksyms_find(ks, "linux_banner");
	char b[14];
	int r;

	if (stext < 0)
		return lx->host->error(errbuf, MF_ERR_CORRUPT, "kallsyms: no _stext symbol");
	if ((lx->kspace.arch == MF_ARCH_X86_64 || lx->kspace.arch == MF_ARCH_X86_64_LA57) &&
	    (text < 0 || ks->sym[text].addr != ks->sym[stext].addr))
		return lx->host->error(errbuf, MF_ERR_CORRUPT, "kallsyms: _text and _stext differ");
	if (ban >= 0) {
		if ((r = lx_kread(lx, ks->sym[ban].addr, b, sizeof b)) < 0)
			return lx->host->error(errbuf, MF_ERR_CORRUPT, "kallsyms: cannot read linux_banner at 0x%" PRIx64 ": %s",
			                       ks->sym[ban].addr, lx->host->strerror(r));
		if (memcmp(b, "Linux version ", sizeof b) != 0)
			return lx->host->error(errbuf, MF_ERR_CORRUPT, "kallsyms: linux_banner at 0x%" PRIx64 " is not the banner",
			                       ks->sym[ban].addr);
	}
	return 0;
}

/* Table addresses from VMCOREINFO (6.0+) or the hints of a saved record: 0 or NOTFOUND. */
static int
km_where_vmci(const char *vmci, struct lx_ksyms *w)
{
	if (vmci == NULL || vmci_symbol(vmci, "kallsyms_names", &w->va_names) < 0 ||
	    vmci_symbol(vmci, "kallsyms_num_syms", &w->va_num_syms) < 0 ||
	    vmci_symbol(vmci, "kallsyms_token_table", &w->va_token_table) < 0 ||
	    vmci_symbol(vmci, "kallsyms_token_index", &w->va_token_index) < 0)
		return MF_ERR_NOTFOUND;
	if (vmci_symbol(vmci, "kallsyms_offsets", &w->va_offsets) == 0 &&
	    vmci_symbol(vmci, "kallsyms_relative_base", &w->va_relative_base) == 0)
		return 0;
	w->va_offsets = w->va_relative_base = 0;
	return vmci_symbol(vmci, "kallsyms_addresses", &w->va_addresses) == 0 ? 0 : MF_ERR_NOTFOUND;
}

static const char *const km_hint_keys[] = { "kallsyms_names", "kallsyms_num_syms", "kallsyms_token_table",
	                                    "kallsyms_token_index", "kallsyms_offsets", "kallsyms_relative_base",
	                                    "kallsyms_addresses" };

static uint64_t *
km_field(struct lx_ksyms *w, size_t i)
{
	uint64_t *f[] = { &w->va_names, &w->va_num_syms, &w->va_token_table, &w->va_token_index, &w->va_offsets,
		          &w->va_relative_base, &w->va_addresses };

	return f[i];
}

static int
km_where_hints(const struct lx *lx, struct lx_ksyms *w)
{
	size_t i;

	for (i = 0; i < sizeof km_hint_keys / sizeof km_hint_keys[0]; i++)
		if (lx->host->hint_get_u64(lx->hints, km_hint_keys[i], km_field(w, i)) < 0)
			*km_field(w, i) = 0;
	return w->va_names != 0 && w->va_num_syms != 0 && w->va_token_table != 0 && w->va_token_index != 0 &&
	               (w->va_offsets != 0 || w->va_addresses != 0)
	               ? 0
	               : MF_ERR_NOTFOUND;
}

void
lx_ksyms_store_hints(struct lx *lx)
{
	size_t i;

	if (lx->ksyms == NULL)
		return;
	for (i = 0; i < sizeof km_hint_keys / sizeof km_hint_keys[0]; i++)
		if (*km_field(lx->ksyms, i) != 0)
			lx->host->hint_set_u64(lx->hints, km_hint_keys[i], *km_field(lx->ksyms, i));
}

int
lx_ksyms_try(struct lx *lx, const struct lx_ksyms *w, const char *from, char *errbuf)
{
	struct lx_ksyms *ks;
	int r;

	if ((r = lx_ksyms_read(lx, w, &ks, errbuf)) < 0)
		return r;
	if ((r = lx_ksyms_check(lx, ks, errbuf)) < 0) {
		lx_ksyms_free(ks);
		return r;
	}
	lx->ksyms = ks;
	lx->host->log(1, "linux: kallsyms: %zu symbols (%s%s), names at 0x%" PRIx64 ", tables from %s", ks->n,
	              ks->va_offsets ? "base-relative" : "absolute addresses", ks->percpu ? ", absolute per-CPU" : "",
	              ks->va_names, from);
	return 0;
}

int
lx_ksyms_load(struct lx *lx, char *errbuf)
{
	struct lx_ksyms w;
	int r;

	memset(&w, 0, sizeof w);
	if (km_where_hints(lx, &w) == 0 && (r = lx_ksyms_try(lx, &w, "the target record", errbuf)) == 0)
		return 0;
	memset(&w, 0, sizeof w);
	if (km_where_vmci(lx->host->hint_get_str(lx->hints, "vmcoreinfo"), &w) == 0) {
		if ((r = lx_ksyms_try(lx, &w, "VMCOREINFO", errbuf)) == 0)
			return 0;
		lx->host->log(1, "linux: the kallsyms tables VMCOREINFO names do not decode (%s): scanning", errbuf);
	}
	return lx_ksyms_scan(lx, errbuf);
}

int
lx_ksyms_need(struct lx *lx)
{
	int r;

	if (lx->ksyms != NULL)
		return 0;
	if (lx->ksyms_why[0] != '\0')
		return MF_ERR_NOTFOUND;   /* tried before */
	if ((r = lx_ksyms_load(lx, lx->ksyms_why)) < 0 && lx->ksyms_why[0] == '\0')
		snprintf(lx->ksyms_why, sizeof lx->ksyms_why, "%s", lx->host->strerror(r));
	return r;
}
