/* elfdyn.c: dynamic symbols of an ELF image in process memory (see elfdyn.h). */
#include "pluginlib/elfdyn.h"

#include <elf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pluginlib/bytes.h"
#include "pluginlib/checked.h"
#include "pluginlib/error.h"

#define ED_PAGE 4096u
#define ED_BATCH 256u          /* iov entries per read call */
#define ED_MAX_PHNUM 512u
#define ED_MAX_BUCKETS (1u << 20)

/* A span of process memory read page by page: buf holds it (zeros where unreadable), ok
 * one flag per page of the span's own page grid. */
struct ed_span {
	uint64_t addr;
	size_t len;
	uint8_t *buf;
	uint8_t *ok;
};

static void
ed_span_free(struct ed_span *s)
{
	free(s->buf);
	free(s->ok);
	memset(s, 0, sizeof *s);
}

static size_t
ed_page_of(const struct ed_span *s, uint64_t off)
{
	return (size_t)(((s->addr & (ED_PAGE - 1)) + off) / ED_PAGE);
}

/* Read [addr, addr+len): 0 with the span filled (some pages may have failed), or
 * MF_ERR_NOMEM. */
static int
ed_span_read(modsyms_read_fn read, void *rctx, uint64_t addr, size_t len, struct ed_span *s)
{
	struct mf_iov iov[ED_BATCH];
	size_t npages, done = 0, k = 0, first = 0;

	memset(s, 0, sizeof *s);
	s->addr = addr;
	s->len = len;
	npages = ed_page_of(s, len) + 1;
	if ((s->buf = calloc(1, len ? len : 1)) == NULL || (s->ok = calloc(npages, 1)) == NULL) {
		ed_span_free(s);
		return MF_ERR_NOMEM;
	}
	while (done < len) {
		uint64_t a = addr + done;
		size_t n = ED_PAGE - (size_t)(a & (ED_PAGE - 1)), i;

		if (n > len - done)
			n = len - done;
		if (k == 0)
			first = done;
		iov[k++] = (struct mf_iov){ .addr = a, .buf = s->buf + done, .len = n };
		done += n;
		if (k == ED_BATCH || done == len) {
			int r = read(rctx, iov, k);
			size_t off = first;

			for (i = 0; i < k; off += iov[i].len, i++) {
				if (r >= 0 && iov[i].err == 0)
					s->ok[ed_page_of(s, off)] = 1;
				else
					memset(iov[i].buf, 0, iov[i].len);
			}
			k = 0;
		}
	}
	return 0;
}

/* The N bytes at OFF of the span are all there. */
static bool
ed_span_has(const struct ed_span *s, uint64_t off, uint64_t n)
{
	size_t p, last;

	if (n == 0 || off > s->len || n > s->len - off)
		return false;
	for (p = ed_page_of(s, off), last = ed_page_of(s, off + n - 1); p <= last; p++)
		if (!s->ok[p])
			return false;
	return true;
}

/* One image's layout as its headers and dynamic section give it. */
struct ed_image {
	modsyms_read_fn read;
	void *rctx;
	uint64_t base, size, bias;
	bool is64, relocatable;
	uint64_t symtab, strtab, strsz, syment, hash, gnu_hash, versym;
	uint64_t nsyms;
};

/* A field of the image's word size. */
static uint64_t
ed_word(const struct ed_image *im, const uint8_t *p)
{
	return im->is64 ? get_le64(p) : get_le32(p);
}

/* A dynamic-section pointer as a process address: relocated already when it lies in the
 * image, else a file address plus the bias. */
static uint64_t
ed_ptr(const struct ed_image *im, uint64_t v)
{
	if (!im->relocatable || (v >= im->base && v - im->base < im->size))
		return v;
	return v + im->bias;
}

static int
ed_read_exact(const struct ed_image *im, uint64_t addr, void *buf, size_t len)
{
	struct mf_iov iov = { .addr = addr, .buf = buf, .len = len };
	int r = im->read(im->rctx, &iov, 1);

	return r < 0 ? r : iov.err;
}

/* ELF header and program headers: the bias and PT_DYNAMIC's extent. */
static int
ed_headers(struct ed_image *im, uint64_t *dyn, uint64_t *dynsz, char *errbuf)
{
	uint8_t eh[64], *ph;
	uint64_t phoff, lowest = UINT64_MAX;
	unsigned phnum, phent, i;
	bool have_dyn = false;
	int r;

	if ((r = ed_read_exact(im, im->base, eh, sizeof eh)) < 0)
		return plib_error(errbuf, r, "its ELF header cannot be read");
	if (memcmp(eh, ELFMAG, SELFMAG) != 0)
		return plib_error(errbuf, MF_ERR_FORMAT, "not an ELF image");
	if (eh[EI_DATA] != ELFDATA2LSB || (eh[EI_CLASS] != ELFCLASS32 && eh[EI_CLASS] != ELFCLASS64))
		return plib_error(errbuf, MF_ERR_UNSUPPORTED, "not a little-endian ELF32 or ELF64 image");
	im->is64 = eh[EI_CLASS] == ELFCLASS64;
	im->relocatable = get_le16(eh + 16) == ET_DYN;
	phoff = im->is64 ? get_le64(eh + 32) : get_le32(eh + 28);
	phent = get_le16(eh + (im->is64 ? 54 : 42));
	phnum = get_le16(eh + (im->is64 ? 56 : 44));
	if (phent != (im->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)) || phnum == 0 || phnum > ED_MAX_PHNUM ||
	    phoff >= im->size)
		return plib_error(errbuf, MF_ERR_FORMAT, "its program headers are malformed");
	if ((ph = malloc((size_t)phnum * phent)) == NULL)
		return plib_error(errbuf, MF_ERR_NOMEM, "out of memory");
	if ((r = ed_read_exact(im, im->base + phoff, ph, (size_t)phnum * phent)) < 0) {
		free(ph);
		return plib_error(errbuf, r, "its program headers cannot be read");
	}
	for (i = 0; i < phnum; i++) {
		const uint8_t *p = ph + (size_t)i * phent;
		uint32_t type = get_le32(p);
		uint64_t vaddr = im->is64 ? get_le64(p + 16) : get_le32(p + 8);
		uint64_t memsz = im->is64 ? get_le64(p + 40) : get_le32(p + 20);

		if (type == PT_LOAD && vaddr < lowest)
			lowest = vaddr;
		else if (type == PT_DYNAMIC && !have_dyn) {
			*dyn = vaddr;
			*dynsz = memsz;
			have_dyn = true;
		}
	}
	free(ph);
	if (!have_dyn)
		return plib_error(errbuf, MF_ERR_NOTFOUND, "it has no dynamic section");
	if (lowest == UINT64_MAX)
		return plib_error(errbuf, MF_ERR_FORMAT, "it has no loadable segment");
	im->bias = im->relocatable ? im->base - (lowest & ~(uint64_t)(ED_PAGE - 1)) : 0;
	*dyn = im->relocatable ? *dyn + im->bias : *dyn;
	return 0;
}

/* The dynamic section's entries this reader needs. */
static int
ed_dynamic(struct ed_image *im, uint64_t dyn, uint64_t dynsz, char *errbuf)
{
	size_t ent = im->is64 ? 16 : 8, i, n;
	struct ed_span s;
	int r;

	n = dynsz / ent;
	if (n > MODSYMS_MAX_DYN)
		n = MODSYMS_MAX_DYN;
	if (n == 0)
		return plib_error(errbuf, MF_ERR_FORMAT, "its dynamic section is empty");
	if ((r = ed_span_read(im->read, im->rctx, dyn, n * ent, &s)) < 0)
		return plib_error(errbuf, r, "out of memory");
	im->syment = im->is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
	for (i = 0; i < n && ed_span_has(&s, i * ent, ent); i++) {
		const uint8_t *p = s.buf + i * ent;
		uint64_t tag = ed_word(im, p), val = ed_word(im, p + ent / 2);

		if (tag == DT_NULL)
			break;
		switch (tag) {
		case DT_SYMTAB: im->symtab = ed_ptr(im, val); break;
		case DT_STRTAB: im->strtab = ed_ptr(im, val); break;
		case DT_STRSZ: im->strsz = val; break;
		case DT_SYMENT: im->syment = val; break;
		case DT_HASH: im->hash = ed_ptr(im, val); break;
		case DT_GNU_HASH: im->gnu_hash = ed_ptr(im, val); break;
		case DT_VERSYM: im->versym = ed_ptr(im, val); break;
		}
	}
	ed_span_free(&s);
	if (i == 0)
		return plib_error(errbuf, MF_ERR_NOTMAPPED, "its dynamic section cannot be read");
	if (im->symtab == 0 || im->strtab == 0 || im->strsz == 0)
		return plib_error(errbuf, MF_ERR_NOTFOUND, "it has no dynamic symbol table");
	if (im->syment != (im->is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym)))
		return plib_error(errbuf, MF_ERR_FORMAT, "its symbol entries are %llu bytes", (unsigned long long)im->syment);
	if (im->strsz > MODSYMS_MAX_STRTAB)
		return plib_error(errbuf, MF_ERR_LIMIT, "its string table claims %llu bytes", (unsigned long long)im->strsz);
	return 0;
}

/* The number of symbols: DT_HASH's nchain, else one past the last index DT_GNU_HASH's
 * chains reach, else what lies between the symbol and string tables. */
static int
ed_count(struct ed_image *im, char *errbuf)
{
	uint8_t h[16];
	uint32_t nbuckets, symoffset, bloom, i, maxb = 0, chain;
	uint64_t at;
	struct ed_span s;
	int r;

	if (im->hash != 0 && ed_read_exact(im, im->hash, h, 8) == 0) {
		im->nsyms = get_le32(h + 4);
	} else if (im->gnu_hash != 0 && ed_read_exact(im, im->gnu_hash, h, 16) == 0) {
		nbuckets = get_le32(h);
		symoffset = get_le32(h + 4);
		bloom = get_le32(h + 8);
		at = im->gnu_hash + 16 + (uint64_t)bloom * (im->is64 ? 8 : 4);
		/* the table lies in the image, its chains too */
		if (nbuckets == 0 || nbuckets > ED_MAX_BUCKETS || bloom > ED_MAX_BUCKETS || im->gnu_hash < im->base ||
		    at - im->base >= im->size || (uint64_t)nbuckets * 4 > im->size - (at - im->base))
			return plib_error(errbuf, MF_ERR_FORMAT, "its GNU hash table is malformed");
		if ((r = ed_span_read(im->read, im->rctx, at, (size_t)nbuckets * 4, &s)) < 0)
			return plib_error(errbuf, r, "out of memory");
		for (i = 0; i < nbuckets; i++)
			if (ed_span_has(&s, (uint64_t)i * 4, 4) && get_le32(s.buf + (size_t)i * 4) > maxb)
				maxb = get_le32(s.buf + (size_t)i * 4);
		ed_span_free(&s);
		im->nsyms = symoffset;
		if (maxb >= symoffset) {
			/* the last bucket's chain ends at the entry with its low bit set */
			at += (uint64_t)nbuckets * 4 + (uint64_t)(maxb - symoffset) * 4;
			for (i = maxb; i < MODSYMS_MAX_SYMS && at - im->base < im->size; i++, at += 4) {
				if (ed_read_exact(im, at, h, 4) < 0)
					break;
				chain = get_le32(h);
				if (chain & 1)
					break;
			}
			im->nsyms = (uint64_t)i + 1;
		}
	} else if (im->strtab > im->symtab) {
		im->nsyms = (im->strtab - im->symtab) / im->syment;
	} else {
		return plib_error(errbuf, MF_ERR_NOTFOUND, "its symbol count is unknown (no readable hash table)");
	}
	if (im->nsyms > MODSYMS_MAX_SYMS)
		return plib_error(errbuf, MF_ERR_LIMIT, "it claims %llu symbols", (unsigned long long)im->nsyms);
	return 0;
}

/* One symbol entry, if it is one this reader hands out. */
static bool
ed_sym(const struct ed_image *im, const uint8_t *p, const struct ed_span *str, struct elfdyn_sym *out)
{
	uint32_t name = get_le32(p);
	uint8_t info = p[im->is64 ? 4 : 12], bind = ELF64_ST_BIND(info), type = ELF64_ST_TYPE(info);
	uint16_t shndx = get_le16(p + (im->is64 ? 6 : 14));
	uint64_t value = im->is64 ? get_le64(p + 8) : get_le32(p + 4);
	uint64_t size = im->is64 ? get_le64(p + 16) : get_le32(p + 8);
	const char *nm;
	size_t max;

	if (name == 0 || shndx == SHN_UNDEF || value == 0 || type == STT_SECTION || type == STT_FILE ||
	    type == STT_TLS || (bind != STB_GLOBAL && bind != STB_WEAK && bind != STB_GNU_UNIQUE))
		return false;
	if (name >= str->len || !ed_span_has(str, name, 1))
		return false;
	nm = (const char *)str->buf + name;
	max = str->len - name;
	/* the name must end (in readable bytes) inside the table */
	if (memchr(nm, 0, max) == NULL || !ed_span_has(str, name, strlen(nm) + 1))
		return false;
	out->name = nm;
	out->addr = shndx == SHN_ABS || !im->relocatable ? value : value + im->bias;
	out->size = size;
	out->type = type;
	return true;
}

int
elfdyn_symbols(modsyms_read_fn read, void *rctx, uint64_t base, uint64_t size, elfdyn_cb cb, void *ctx,
               char *errbuf)
{
	struct ed_image im = { .read = read, .rctx = rctx, .base = base, .size = size };
	struct ed_span syms, str, ver;
	struct elfdyn_sym s;
	uint64_t dyn = 0, dynsz = 0, i, symlen;
	int r;

	if ((r = ed_headers(&im, &dyn, &dynsz, errbuf)) < 0 || (r = ed_dynamic(&im, dyn, dynsz, errbuf)) < 0 ||
	    (r = ed_count(&im, errbuf)) < 0)
		return r;
	/* the tables lie in the image: what it claims past its end is not read */
	if (im.symtab < base || im.symtab - base >= size || im.strtab < base || im.strtab - base >= size)
		return plib_error(errbuf, MF_ERR_FORMAT, "its symbol or string table lies outside the module");
	if (im.nsyms > (size - (im.symtab - base)) / im.syment)
		im.nsyms = (size - (im.symtab - base)) / im.syment;
	if (im.strsz > size - (im.strtab - base))
		im.strsz = size - (im.strtab - base);
	if (im.versym != 0 && (im.versym < base || im.versym - base >= size || im.nsyms > (size - (im.versym - base)) / 2))
		im.versym = 0;
	if (!mul_ok(im.nsyms, im.syment, &symlen))
		return plib_error(errbuf, MF_ERR_LIMIT, "its symbol table is too large");
	memset(&ver, 0, sizeof ver);
	if ((r = ed_span_read(read, rctx, im.symtab, (size_t)symlen, &syms)) < 0 ||
	    (r = ed_span_read(read, rctx, im.strtab, (size_t)im.strsz, &str)) < 0 ||
	    (im.versym != 0 && (r = ed_span_read(read, rctx, im.versym, (size_t)im.nsyms * 2, &ver)) < 0)) {
		ed_span_free(&syms);
		ed_span_free(&str);
		return plib_error(errbuf, MF_ERR_NOMEM, "out of memory");
	}
	r = 0;
	for (i = 1; i < im.nsyms && r == 0; i++) {
		/* a hidden version (memcpy@GLIBC_2.2.5 beside memcpy@@GLIBC_2.14) is not the name */
		if (ver.buf != NULL && ed_span_has(&ver, i * 2, 2) && (get_le16(ver.buf + i * 2) & 0x8000))
			continue;
		if (ed_span_has(&syms, i * im.syment, im.syment) && ed_sym(&im, syms.buf + i * im.syment, &str, &s))
			r = cb(ctx, &s);
	}
	ed_span_free(&syms);
	ed_span_free(&str);
	ed_span_free(&ver);
	return r;
}
