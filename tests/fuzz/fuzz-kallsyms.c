/* fuzz-kallsyms.c: libFuzzer target for the linux layer's kallsyms decoder (os/linux/
 * kallsyms.c), the parser of the symbol tables read out of guest memory.  Input: a flags
 * byte (bit 0: absolute u64 addresses instead of s32 offsets), num_syms (u16), the token
 * table's length (u16), the token table, token_index (512 bytes), the address table
 * (num_syms entries), relative_base (8 bytes), then the names.  A decoded table must be
 * sorted by address with a by-name index that finds every name it holds. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "kallsyms.h"
#include "pluginlib/bytes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lx_kraw raw = { 0 };
	struct lx_ksyms *ks = NULL;
	char err[256];
	size_t pos = 5, tlen, alen;
	unsigned flags;
	size_t i;

	if (size < 5)
		return 0;
	flags = data[0];
	raw.num_syms = get_le16(data + 1);
	tlen = get_le16(data + 3);
	alen = (size_t)raw.num_syms * ((flags & 1) ? 8 : 4);
	if (size - pos < tlen + 512 + alen + 8)
		return 0;
	raw.token_table = data + pos;
	raw.token_table_len = tlen;
	pos += tlen;
	raw.token_index = data + pos;
	pos += 512;
	if (flags & 1)
		raw.addresses = data + pos;
	else
		raw.offsets = data + pos;
	pos += alen;
	raw.relative_base = get_le64(data + pos);
	pos += 8;
	raw.names = data + pos;
	raw.names_len = size - pos;
	if (lx_ksyms_decode(&raw, &ks, err) < 0) {
		if (ks != NULL || err[0] == '\0')
			abort();   /* a failure leaves nothing and says why */
		return 0;
	}
	for (i = 0; i < ks->n; i++) {
		long j = lx_ksyms_find(ks, lx_ksym_name(ks, i));

		if (j < 0 || strcmp(lx_ksym_name(ks, (size_t)j), lx_ksym_name(ks, i)) != 0)
			abort();
		if (i > 0 && ks->sym[i].addr < ks->sym[i - 1].addr)
			abort();
		if (lx_ksyms_at(ks, ks->sym[i].addr) < (long)i)
			abort();
	}
	lx_ksyms_free(ks);
	return 0;
}
