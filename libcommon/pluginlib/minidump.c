/* minidump.c: Windows process minidumps (minidump.h has the layout). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pluginlib/bytes.h"
#include "pluginlib/checked.h"
#include "pluginlib/error.h"
#include "pluginlib/minidump.h"
#include "pluginlib/pe.h"
#include "pluginlib/peb.h"

#define MD_SIG 0x504d444du        /* "MDMP" */
#define MD_VERSION 0xa793u
#define MD_MODULE_SIZE 108u
#define MD_THREAD_SIZE 48u
#define MD_AMD64_CONTEXT 0x4d0u   /* sizeof(CONTEXT) on x64 */

/* The parser's state: where the bytes come from, the file in messages. */
struct md_ctx {
	struct md *m;
	const char *name;
	md_read_fn read;
	void *rctx;
	char *errbuf;
};

int
md_probe(const uint8_t *head, size_t len)
{
	if (len >= 8 && get_le32(head) == MD_SIG && (get_le32(head + 4) & 0xffff) == MD_VERSION)
		return 100;
	return 0;
}

/* Keep [off, off+len) for the blob. */
static int
md_keep(struct md *m, uint64_t off, const void *buf, size_t len)
{
	size_t need = 12 + len;

	if (m->blob_len == 0)
		need += 8;
	if (m->blob_len + need > MD_MAX_BLOB)
		return MF_ERR_LIMIT;
	if (m->blob_len + need > m->blob_cap) {
		size_t cap = m->blob_cap ? m->blob_cap : 4096;
		uint8_t *p;

		while (cap < m->blob_len + need)
			cap *= 2;
		if ((p = realloc(m->blob, cap)) == NULL)
			return MF_ERR_NOMEM;
		m->blob = p;
		m->blob_cap = cap;
	}
	if (m->blob_len == 0) {
		put_le64(m->blob, m->fsize);
		m->blob_len = 8;
	}
	put_le64(m->blob + m->blob_len, off);
	put_le32(m->blob + m->blob_len + 8, (uint32_t)len);
	memcpy(m->blob + m->blob_len + 12, buf, len);
	m->blob_len += 12 + len;
	return 0;
}

/* Does [off, off+len) lie in the file, and can its last byte be read?  (The bytes a
 * header claims cost nothing until they are there: a record of the metadata holds no
 * byte of a claim it did not read.)  0, or an error naming `what`. */
static int
md_check(struct md_ctx *c, uint64_t off, size_t len, const char *what)
{
	uint64_t end;
	uint8_t last;
	int r;

	if (!add_ok(off, len, &end) || end > c->m->fsize)
		return plib_error(c->errbuf, MF_ERR_FORMAT, "%s: %s (0x%zx bytes at 0x%" PRIx64 ") runs past the end of the file "
		                  "(0x%" PRIx64 " bytes)", c->name, what, len, off, c->m->fsize);
	if (len > 0 && (r = c->read(c->rctx, end - 1, &last, 1)) < 0)
		return plib_error(c->errbuf, r, "%s: cannot read %s (0x%zx bytes at 0x%" PRIx64 ")", c->name, what, len, off);
	return 0;
}

/* len bytes at off, which must lie in the file: what is named `what` in messages. */
static int
md_get(struct md_ctx *c, uint64_t off, void *buf, size_t len, const char *what)
{
	int r;

	if ((r = md_check(c, off, len, what)) < 0 || len == 0)
		return r;
	if ((r = c->read(c->rctx, off, buf, len)) < 0)
		return plib_error(c->errbuf, r, "%s: cannot read %s (0x%zx bytes at 0x%" PRIx64 ")", c->name, what, len, off);
	if (c->m->record && (r = md_keep(c->m, off, buf, len)) < 0)
		return plib_error(c->errbuf, r, "%s: more than %u MiB of metadata", c->name, MD_MAX_BLOB >> 20);
	return 0;
}

/* A stream's bytes, allocated (at least 1 byte) once the file is seen to hold them. */
static int
md_stream(struct md_ctx *c, uint32_t rva, uint32_t size, uint8_t **out, const char *what)
{
	uint8_t *p;
	int r;

	if ((r = md_check(c, rva, size, what)) < 0)
		return r;
	if ((p = malloc(size ? size : 1)) == NULL)
		return plib_error(c->errbuf, MF_ERR_NOMEM, "out of memory");
	if ((r = md_get(c, rva, p, size, what)) < 0) {
		free(p);
		return r;
	}
	*out = p;
	return 0;
}

/* Where a list of `count` entries of `esize` bytes starts in a stream of `size` bytes
 * (after a count of `csize` bytes, perhaps padded by 4), or an error. */
static int
md_list_start(struct md_ctx *c, uint32_t size, uint64_t count, uint32_t csize, uint32_t esize, uint32_t max,
              const char *what, uint32_t *start)
{
	uint64_t need;

	if (count > max)
		return plib_error(c->errbuf, MF_ERR_LIMIT, "%s: %s claims %" PRIu64 " entries (at most %u are read)", c->name,
		                  what, count, max);
	need = csize + count * esize;
	if (size == need + 4)
		*start = csize + 4;
	else if (size >= need)
		*start = csize;
	else
		return plib_error(c->errbuf, MF_ERR_FORMAT, "%s: %s of %" PRIu64 " entries needs 0x%" PRIx64 " bytes, its stream "
		                  "has 0x%x", c->name, what, count, need, size);
	return 0;
}

/* A list stream: its bytes in *s (the caller frees them), its count (a u32, or with csize
 * 16 a u64, at its start), where its entries of esize bytes start, and *arr: count zeroed
 * elements of elem bytes (the caller's, freed by md_free). */
static int
md_list(struct md_ctx *c, uint32_t rva, uint32_t size, uint32_t csize, uint32_t esize, uint32_t max, size_t elem,
        const char *what, uint8_t **s, uint64_t *count, uint32_t *start, void **arr)
{
	int r;

	*s = NULL;
	if (size < csize)
		return plib_error(c->errbuf, MF_ERR_FORMAT, "%s: %s stream of 0x%x bytes has no count", c->name, what, size);
	if ((r = md_stream(c, rva, size, s, what)) < 0)
		return r;
	*count = csize == 4 ? get_le32(*s) : get_le64(*s);
	if ((r = md_list_start(c, size, *count, csize, esize, max, what, start)) == 0 &&
	    (*arr = calloc(*count ? *count : 1, elem)) == NULL)
		r = plib_error(c->errbuf, MF_ERR_NOMEM, "out of memory");
	if (r < 0) {
		free(*s);
		*s = NULL;
	}
	return r;
}

/* A MINIDUMP_STRING at rva in UTF-8, allocated. */
static int
md_string(struct md_ctx *c, uint32_t rva, char **out, const char *what)
{
	uint8_t lb[4], *s;
	uint32_t len;
	int r;

	if ((r = md_get(c, rva, lb, 4, what)) < 0)
		return r;
	len = get_le32(lb) & ~1u;
	if (len > MD_MAX_STRING)
		return plib_error(c->errbuf, MF_ERR_LIMIT, "%s: %s at 0x%x is 0x%x bytes long (at most 0x%x)", c->name, what, rva,
		                  len, MD_MAX_STRING);
	if ((s = malloc(len ? len : 1)) == NULL)
		return plib_error(c->errbuf, MF_ERR_NOMEM, "out of memory");
	if ((r = md_get(c, (uint64_t)rva + 4, s, len, what)) < 0) {
		free(s);
		return r;
	}
	*out = peb_utf16_to_utf8(s, len, NULL);
	free(s);
	return *out ? 0 : plib_error(c->errbuf, MF_ERR_NOMEM, "out of memory");
}

/* The PDB a module's CodeView record names (RSDS, NB10); a record of another kind is
 * none. */
static int
md_codeview(struct md_ctx *c, struct md_module *mod, uint32_t size, uint32_t rva)
{
	struct pe_rsds rs;
	uint8_t *p;
	size_t hdr;
	int r;

	if (size == 0)
		return 0;
	if (size > MD_MAX_CV)
		return plib_error(c->errbuf, MF_ERR_LIMIT, "%s: CodeView record of module %s is 0x%x bytes (at most 0x%x)",
		                  c->name, mod->path, size, MD_MAX_CV);
	if ((r = md_stream(c, rva, size, &p, "a module's CodeView record")) < 0)
		return r;
	memset(&rs, 0, sizeof rs);
	if (size >= 24 && memcmp(p, "RSDS", 4) == 0) {
		memcpy(rs.guid, p + 4, 16);
		rs.age = get_le32(p + 20);
		hdr = 24;
	} else if (size >= 16 && memcmp(p, "NB10", 4) == 0) {
		/* no GUID: symbol servers key it by the timestamp and the age */
		hdr = 16;
	} else {
		free(p);
		return 0;
	}
	snprintf(rs.pdb, sizeof rs.pdb, "%.*s", (int)strnlen((const char *)p + hdr, size - hdr), (const char *)p + hdr);
	if (hdr == 24)
		pe_rsds_key(&rs, mod->pdb_id, sizeof mod->pdb_id);
	else
		snprintf(mod->pdb_id, sizeof mod->pdb_id, "%08X%x", get_le32(p + 8), get_le32(p + 12));
	free(p);
	if ((mod->pdb = strdup(rs.pdb)) == NULL)
		return plib_error(c->errbuf, MF_ERR_NOMEM, "out of memory");
	return 0;
}

static int
md_modules(struct md_ctx *c, uint32_t rva, uint32_t size)
{
	struct md *m = c->m;
	uint8_t *s;
	uint32_t start;
	uint64_t count;
	int r;

	if ((r = md_list(c, rva, size, 4, MD_MODULE_SIZE, MD_MAX_MODULES, sizeof *m->mods, "the module list", &s, &count,
	                 &start, (void **)&m->mods)) < 0)
		return r;
	for (uint64_t i = 0; i < count; i++) {
		const uint8_t *e = s + start + i * MD_MODULE_SIZE;
		struct md_module *mod = &m->mods[m->nmods++];
		const char *bs;

		mod->base = get_le64(e);
		mod->size = get_le32(e + 8);
		mod->checksum = get_le32(e + 0xc);
		mod->timestamp = get_le32(e + 0x10);
		if ((r = md_string(c, get_le32(e + 0x14), &mod->path, "a module's name")) < 0 ||
		    (r = md_codeview(c, mod, get_le32(e + 0x4c), get_le32(e + 0x50))) < 0)
			goto out;
		bs = strrchr(mod->path, '\\');
		if (bs == NULL)
			bs = strrchr(mod->path, '/');
		mod->name = bs ? bs + 1 : mod->path;
		if (mod->size == 0 || mod->base + mod->size < mod->base) {
			r = plib_error(c->errbuf, MF_ERR_FORMAT, "%s: module %s at 0x%" PRIx64 " has a size of 0x%x", c->name,
			               mod->path, mod->base, mod->size);
			goto out;
		}
	}
out:
	free(s);
	return r;
}

static int
md_threads(struct md_ctx *c, uint32_t rva, uint32_t size)
{
	struct md *m = c->m;
	uint8_t *s;
	uint32_t start;
	uint64_t count;
	int r;

	if ((r = md_list(c, rva, size, 4, MD_THREAD_SIZE, MD_MAX_THREADS, sizeof *m->threads, "the thread list", &s, &count,
	                 &start, (void **)&m->threads)) < 0)
		return r;
	for (uint64_t i = 0; i < count; i++) {
		const uint8_t *e = s + start + i * MD_THREAD_SIZE;
		struct md_thread *t = &m->threads[m->nthreads++];
		uint32_t csize = get_le32(e + 0x28), crva = get_le32(e + 0x2c);

		t->tid = get_le32(e);
		t->suspend_count = get_le32(e + 4);
		t->priority_class = get_le32(e + 8);
		t->priority = get_le32(e + 0xc);
		t->teb = get_le64(e + 0x10);
		t->stack = get_le64(e + 0x18);
		t->stack_size = get_le32(e + 0x20);
		if (csize == 0)
			continue;   /* no context (dbghelp leaves out the thread that writes the dump) */
		if (csize > MD_MAX_CONTEXT)
			csize = MD_MAX_CONTEXT;
		if ((r = md_stream(c, crva, csize, &t->context, "a thread's context")) < 0)
			goto out;
		t->context_size = csize;
	}
out:
	free(s);
	return r;
}

static int
md_range_cmp(const void *a, const void *b)
{
	const struct md_range *x = a, *y = b;

	return x->va < y->va ? -1 : x->va > y->va;
}

/* Add a range that the file holds from off; what runs past the end of the file is cut. */
static int
md_range_add(struct md_ctx *c, uint64_t va, uint64_t size, uint64_t off, uint64_t i)
{
	struct md *m = c->m;
	uint64_t end;

	if (size == 0)
		return 0;
	if (!add_ok(va, size, &end) && end != 0)
		return plib_error(c->errbuf, MF_ERR_FORMAT, "%s: memory range %" PRIu64 " (0x%" PRIx64 ", 0x%" PRIx64 " bytes) "
		                  "runs past the top of the address space", c->name, i, va, size);
	if (off >= m->fsize) {
		m->mem_cut += size;
		return 0;
	}
	if (size > m->fsize - off) {
		m->mem_cut += size - (m->fsize - off);
		size = m->fsize - off;
	}
	m->mem[m->nmem++] = (struct md_range){ .va = va, .size = size, .off = off };
	return 0;
}

/* Sort the ranges; where one overlaps the one before, its overlap is left out. */
static void
md_ranges_finish(struct md *m)
{
	size_t i, o = 0;

	if (m->nmem > 1)
		qsort(m->mem, m->nmem, sizeof *m->mem, md_range_cmp);
	for (i = 0; i < m->nmem; i++) {
		struct md_range r = m->mem[i];

		if (o > 0) {
			const struct md_range *p = &m->mem[o - 1];
			uint64_t pend = p->va + p->size;

			if (pend == 0 || r.va < pend) {
				uint64_t cut = pend == 0 ? r.size : pend - r.va;

				m->mem_overlaps++;
				if (cut >= r.size)
					continue;
				r.va += cut;
				r.off += cut;
				r.size -= cut;
			}
		}
		m->mem[o++] = r;
	}
	m->nmem = o;
}

static int
md_memory(struct md_ctx *c, uint32_t rva, uint32_t size)
{
	struct md *m = c->m;
	uint8_t *s;
	uint32_t start;
	uint64_t count;
	int r;

	if ((r = md_list(c, rva, size, 4, 16, MD_MAX_RANGES, sizeof *m->mem, "the memory list", &s, &count, &start,
	                 (void **)&m->mem)) < 0)
		return r;
	for (uint64_t i = 0; i < count && r == 0; i++) {
		const uint8_t *e = s + start + i * 16;

		r = md_range_add(c, get_le64(e), get_le32(e + 8), get_le32(e + 12), i);
	}
	free(s);
	return r;
}

static int
md_memory64(struct md_ctx *c, uint32_t rva, uint32_t size)
{
	struct md *m = c->m;
	uint8_t *s;
	uint32_t start;
	uint64_t count, off;
	int r;

	if ((r = md_list(c, rva, size, 16, 16, MD_MAX_RANGES, sizeof *m->mem, "the memory64 list", &s, &count, &start,
	                 (void **)&m->mem)) < 0)
		return r;
	off = get_le64(s + 8);
	m->mem64 = 1;
	for (uint64_t i = 0; i < count && r == 0; i++) {
		const uint8_t *e = s + start + i * 16;
		uint64_t len = get_le64(e + 8);

		r = md_range_add(c, get_le64(e), len, off, i);
		if (r == 0 && !add_ok(off, len, &off)) {
			r = plib_error(c->errbuf, MF_ERR_FORMAT, "%s: memory64 range %" PRIu64 " (0x%" PRIx64 " bytes) runs past 2^64 "
			               "bytes of file", c->name, i, len);
		}
	}
	free(s);
	return r;
}

static int
md_meminfo(struct md_ctx *c, uint32_t rva, uint32_t size)
{
	struct md *m = c->m;
	uint8_t *s;
	uint32_t hsize, esize;
	uint64_t count, need;
	int r;

	if (size < 16)
		return plib_error(c->errbuf, MF_ERR_FORMAT, "%s: memory info list stream of 0x%x bytes has no header", c->name, size);
	if ((r = md_stream(c, rva, size, &s, "the memory info list")) < 0)
		return r;
	hsize = get_le32(s);
	esize = get_le32(s + 4);
	count = get_le64(s + 8);
	r = 0;
	if (hsize < 16 || esize < 48 || hsize > size) {
		r = plib_error(c->errbuf, MF_ERR_FORMAT, "%s: memory info list has a header of 0x%x bytes and entries of 0x%x",
		               c->name, hsize, esize);
	} else if (count > MD_MAX_INFOS) {
		r = plib_error(c->errbuf, MF_ERR_LIMIT, "%s: the memory info list claims %" PRIu64 " entries (at most %u are read)",
		               c->name, count, MD_MAX_INFOS);
	} else if ((need = count * esize) > size - hsize) {
		r = plib_error(c->errbuf, MF_ERR_FORMAT, "%s: memory info list of %" PRIu64 " entries needs 0x%" PRIx64
		               " bytes, its stream has 0x%x", c->name, count, need + hsize, size);
	} else if ((m->infos = calloc(count ? count : 1, sizeof *m->infos)) == NULL) {
		r = plib_error(c->errbuf, MF_ERR_NOMEM, "out of memory");
	}
	for (uint64_t i = 0; r == 0 && i < count; i++) {
		const uint8_t *e = s + hsize + i * esize;
		struct md_info *in = &m->infos[m->ninfos++];

		in->base = get_le64(e);
		in->alloc_base = get_le64(e + 8);
		in->alloc_protect = get_le32(e + 0x10);
		in->size = get_le64(e + 0x18);
		in->state = get_le32(e + 0x20);
		in->protect = get_le32(e + 0x24);
		in->type = get_le32(e + 0x28);
	}
	m->has_infos = r == 0;
	free(s);
	return r;
}

static int
md_sysinfo(struct md_ctx *c, uint32_t rva, uint32_t size)
{
	struct md *m = c->m;
	uint8_t s[0x18];
	int r;

	if (size < sizeof s)
		return plib_error(c->errbuf, MF_ERR_FORMAT, "%s: system info stream of 0x%x bytes is too short", c->name, size);
	if ((r = md_get(c, rva, s, sizeof s, "the system info")) < 0)
		return r;
	m->cpu_arch = get_le16(s);
	m->arch = m->cpu_arch == 9 ? MF_ARCH_X86_64 : m->cpu_arch == 0 ? MF_ARCH_X86_32 :
	          m->cpu_arch == 12 ? MF_ARCH_AARCH64 : MF_ARCH_UNKNOWN;
	m->ncpus = s[6];
	m->os_major = get_le32(s + 8);
	m->os_minor = get_le32(s + 0xc);
	m->os_build = get_le32(s + 0x10);
	return 0;
}

static int
md_miscinfo(struct md_ctx *c, uint32_t rva, uint32_t size)
{
	struct md *m = c->m;
	uint8_t s[12];
	int r;

	if (size < sizeof s)
		return 0;   /* too short to hold a process id: none */
	if ((r = md_get(c, rva, s, sizeof s, "the misc info")) < 0)
		return r;
	if (get_le32(s + 4) & 1) {
		m->has_pid = 1;
		m->pid = get_le32(s + 8);
	}
	return 0;
}

int
md_parse(struct md *m, const char *name, md_read_fn read, void *ctx, uint64_t fsize, int record, char *errbuf)
{
	struct md_ctx c = { .m = m, .name = name, .read = read, .rctx = ctx, .errbuf = errbuf };
	/* the streams read, in this order: the first of each type */
	static const uint32_t order[] = { MD_SYSTEM_INFO, MD_MISC_INFO, MD_MODULE_LIST, MD_THREAD_LIST, MD_MEMORY64_LIST,
	                                  MD_MEMORY_LIST, MD_MEMORY_INFO_LIST };
	uint32_t where[sizeof order / sizeof order[0]][2];
	uint8_t h[32], *dir = NULL;
	uint32_t n, drva;
	size_t k;
	int r;

	memset(m, 0, sizeof *m);
	memset(where, 0, sizeof where);
	m->fsize = fsize;
	m->record = record;
	m->cpu_arch = 0xffff;
	if (fsize < sizeof h)
		return plib_error(errbuf, MF_ERR_FORMAT, "%s: minidump header cut off (the file has %" PRIu64 " bytes)", name, fsize);
	if ((r = md_get(&c, 0, h, sizeof h, "the header")) < 0)
		goto fail;
	if (get_le32(h) != MD_SIG) {
		r = plib_error(errbuf, MF_ERR_FORMAT, "%s: not a minidump (no MDMP signature)", name);
		goto fail;
	}
	m->version = get_le32(h + 4);
	if ((m->version & 0xffff) != MD_VERSION) {
		r = plib_error(errbuf, MF_ERR_UNSUPPORTED, "%s: minidump version 0x%x is not 0x%x", name, m->version & 0xffff,
		               MD_VERSION);
		goto fail;
	}
	n = get_le32(h + 8);
	drva = get_le32(h + 12);
	m->flags = get_le64(h + 24);
	if (n > MD_MAX_STREAMS) {
		r = plib_error(errbuf, MF_ERR_LIMIT, "%s: minidump claims %u streams (at most %u are read)", name, n,
		               MD_MAX_STREAMS);
		goto fail;
	}
	if ((r = md_stream(&c, drva, n * 12, &dir, "the stream directory")) < 0)
		goto fail;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t type = get_le32(dir + 12 * i), size = get_le32(dir + 12 * i + 4), rva = get_le32(dir + 12 * i + 8);

		for (k = 0; k < sizeof order / sizeof order[0]; k++) {
			if (order[k] != type || where[k][0] != 0)
				continue;
			if ((uint64_t)rva + size > fsize) {
				r = plib_error(errbuf, MF_ERR_FORMAT, "%s: stream %u (type %u, 0x%x bytes at 0x%x) runs past the end of "
				               "the file (0x%" PRIx64 " bytes)", name, i, type, size, rva, fsize);
				goto fail;
			}
			where[k][0] = size ? size : 1;   /* 1: present but empty */
			where[k][1] = rva;
		}
	}
	for (k = 0; k < sizeof order / sizeof order[0]; k++) {
		uint32_t size = where[k][0], rva = where[k][1];

		if (size == 0)
			continue;
		switch (order[k]) {
		case MD_SYSTEM_INFO: r = md_sysinfo(&c, rva, size); break;
		case MD_MISC_INFO: r = md_miscinfo(&c, rva, size); break;
		case MD_MODULE_LIST: r = md_modules(&c, rva, size); break;
		case MD_THREAD_LIST: r = md_threads(&c, rva, size); break;
		case MD_MEMORY64_LIST: r = md_memory64(&c, rva, size); break;
		case MD_MEMORY_LIST: r = m->mem64 ? 0 : md_memory(&c, rva, size); break;
		case MD_MEMORY_INFO_LIST: r = md_meminfo(&c, rva, size); break;
		}
		if (r < 0)
			goto fail;
	}
	md_ranges_finish(m);
	free(dir);
	return 0;
fail:
	free(dir);
	md_free(m);
	return r;
}

void
md_free(struct md *m)
{
	size_t i;

	for (i = 0; i < m->nmods; i++) {
		free(m->mods[i].path);
		free(m->mods[i].pdb);
	}
	for (i = 0; i < m->nthreads; i++)
		free(m->threads[i].context);
	free(m->mods);
	free(m->threads);
	free(m->mem);
	free(m->infos);
	free(m->blob);
	memset(m, 0, sizeof *m);
}

/* ---- the recording --------------------------------------------------------------------- */

/* By offset, the longer first among pieces at one offset. */
static int
md_piece_cmp(const void *a, const void *b)
{
	const uint8_t *p = *(const uint8_t *const *)a, *q = *(const uint8_t *const *)b;
	uint64_t x = get_le64(p), y = get_le64(q), lx = get_le32(p + 8), ly = get_le32(q + 8);

	if (x != y)
		return x < y ? -1 : 1;
	return lx > ly ? -1 : lx < ly;
}

static uint64_t
md_piece_end(const uint8_t *pc)
{
	return get_le64(pc) + get_le32(pc + 8);   /* md_blob_open checked that it fits */
}

const uint8_t *
md_blob(const struct md *m, size_t *len)
{
	*len = m->blob_len;
	return m->blob;
}

int
md_blob_open(struct md_blob_src *b, const uint8_t *p, size_t len, char *errbuf)
{
	size_t at, n = 0, cap = 0;

	memset(b, 0, sizeof *b);
	if (p == NULL || len < 8)
		return plib_error(errbuf, MF_ERR_FORMAT, "the minidump hint is missing or too short");
	b->p = p;
	b->len = len;
	b->fsize = get_le64(p);
	for (at = 8; at < len;) {
		uint64_t off, plen, end;

		if (len - at < 12)
			goto bad;
		off = get_le64(p + at);
		plen = get_le32(p + at + 8);
		if (plen > len - at - 12 || !add_ok(off, plen, &end) || end > b->fsize)
			goto bad;
		if (n == cap) {
			size_t nc = cap ? 2 * cap : 64;
			const uint8_t **np = realloc(b->piece, nc * sizeof *np);

			if (np == NULL) {
				md_blob_close(b);
				return plib_error(errbuf, MF_ERR_NOMEM, "out of memory");
			}
			b->piece = np;
			cap = nc;
		}
		b->piece[n++] = p + at;
		at += 12 + plen;
	}
	/* pieces were recorded in the order read: sort them by offset and keep those that no
	 * other piece holds, so the starts and the ends of what is kept both rise */
	if (n > 1)
		qsort(b->piece, n, sizeof *b->piece, md_piece_cmp);
	b->npieces = 0;
	for (size_t i = 0; i < n; i++)
		if (b->npieces == 0 || md_piece_end(b->piece[i]) > md_piece_end(b->piece[b->npieces - 1]))
			b->piece[b->npieces++] = b->piece[i];
	return 0;
bad:
	md_blob_close(b);
	return plib_error(errbuf, MF_ERR_FORMAT, "the minidump hint is malformed at byte %zu", at);
}

int
md_blob_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	const struct md_blob_src *b = ctx;
	size_t lo = 0, hi = b->npieces;
	const uint8_t *pc;
	uint64_t poff;

	/* the last piece that starts at or below off: it reaches furthest of those that do,
	 * so if any piece holds the bytes, it does */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (get_le64(b->piece[mid]) <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return MF_ERR_UNMAPPED;
	pc = b->piece[lo - 1];
	poff = get_le64(pc);
	if (len > md_piece_end(pc) - poff || off - poff > md_piece_end(pc) - poff - len)
		return MF_ERR_UNMAPPED;   /* never recorded */
	memcpy(buf, pc + 12 + (off - poff), len);
	return 0;
}

void
md_blob_close(struct md_blob_src *b)
{
	free(b->piece);
	memset(b, 0, sizeof *b);
}

/* ---- threads, regions -------------------------------------------------------------- */

int
md_thread_regs(const struct md *m, const struct md_thread *t, struct mf_regs *regs, char *errbuf)
{
	const uint8_t *c = t->context;
	struct mf_regs_x86_64 *x = &regs->u.x86_64;

	if (m->arch != MF_ARCH_X86_64)
		return plib_error(errbuf, MF_ERR_UNSUPPORTED, "thread %u: registers of %s minidumps are not read yet", t->tid,
		                  m->arch == MF_ARCH_X86_32 ? "x86" : "non-x64");
	if (c == NULL)
		return plib_error(errbuf, MF_ERR_NOTFOUND, "thread %u: the minidump holds no context for it", t->tid);
	if (t->context_size < MD_AMD64_CONTEXT)
		return plib_error(errbuf, MF_ERR_FORMAT, "thread %u: its context has 0x%x bytes, an x64 CONTEXT 0x%x", t->tid,
		                  t->context_size, MD_AMD64_CONTEXT);
	regs->arch = MF_ARCH_X86_64;
	regs->tid = t->tid;
	x->cs = get_le16(c + 0x38);
	x->ds = get_le16(c + 0x3a);
	x->es = get_le16(c + 0x3c);
	x->fs = get_le16(c + 0x3e);
	x->gs = get_le16(c + 0x40);
	x->ss = get_le16(c + 0x42);
	x->rflags = get_le32(c + 0x44);
	x->rax = get_le64(c + 0x78);
	x->rcx = get_le64(c + 0x80);
	x->rdx = get_le64(c + 0x88);
	x->rbx = get_le64(c + 0x90);
	x->rsp = get_le64(c + 0x98);
	x->rbp = get_le64(c + 0xa0);
	x->rsi = get_le64(c + 0xa8);
	x->rdi = get_le64(c + 0xb0);
	x->r8 = get_le64(c + 0xb8);
	x->r9 = get_le64(c + 0xc0);
	x->r10 = get_le64(c + 0xc8);
	x->r11 = get_le64(c + 0xd0);
	x->r12 = get_le64(c + 0xd8);
	x->r13 = get_le64(c + 0xe0);
	x->r14 = get_le64(c + 0xe8);
	x->r15 = get_le64(c + 0xf0);
	x->rip = get_le64(c + 0xf8);
	x->gs_base = t->teb;   /* user-mode gs on x64 Windows is the TEB */
	return 0;
}

void
md_info_perms(const struct md_info *i, char perms[5])
{
	uint32_t p = i->protect & 0xff;

	memcpy(perms, "---p", 5);
	if (i->state != 0x1000 || (i->protect & 0x100))
		return;   /* reserved, free or a guard page: no access */
	if (p & (0x02 | 0x04 | 0x08 | 0x20 | 0x40 | 0x80))
		perms[0] = 'r';
	if (p & (0x04 | 0x08 | 0x40 | 0x80))
		perms[1] = 'w';
	if (p & (0x10 | 0x20 | 0x40 | 0x80))
		perms[2] = 'x';
	if (i->type == 0x40000 && !(p & (0x08 | 0x80)))
		perms[3] = 's';   /* a shared mapped view */
}

const struct md_thread *
md_thread_find(const struct md *m, uint64_t tid)
{
	for (size_t i = 0; i < m->nthreads; i++)
		if (m->threads[i].tid == tid)
			return &m->threads[i];
	return NULL;
}

const struct md_module *
md_module_at(const struct md *m, uint64_t addr)
{
	for (size_t i = 0; i < m->nmods; i++)
		if (addr >= m->mods[i].base && addr - m->mods[i].base < m->mods[i].size)
			return &m->mods[i];
	return NULL;
}
