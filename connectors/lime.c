/* lime.c: LiME v1 captures and AVML's compressed variant.
 *
 * LiME: a sequence of [32-byte header][data]; header = u32 magic 0x4C694D45, u32 version 1,
 * u64 start, u64 end (inclusive), u64 reserved.  AVML: the same header with magic
 * 0x4C4D5641 and version 2, then a snappy *framed* stream that decompresses to
 * end - start + 1 bytes, then a u64 holding the stream's byte count.
 *
 * The ranges are indexed once at open.  For AVML the index goes down to the snappy chunk
 * (at most 64 KiB of memory each), so a read decompresses only the chunks it touches:
 * straight into the caller's buffer when it wants a whole chunk, else through a small
 * cache of decompressed chunks. */
#include "config.h"

#include <pthread.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#ifdef HAVE_SNAPPY
#include <snappy-c.h>
#endif

#include <mftools/plugin.h>
#include "pluginlib/bytes.h"
#include "pluginlib/fileio.h"
#include "pluginlib/rangemap.h"

#define LIME_MAGIC 0x4C694D45u
#define AVML_MAGIC 0x4C4D5641u
#define LIME_HDR 32u
#define LIME_KIND_AVML 1u

#define AVML_MAX_ULEN 65536u             /* framing: data per chunk */
#define AVML_MAX_CLEN (4u + 76490u)      /* CRC + snappy_max_compressed_length(65536) */
#define AVML_MAX_CHUNKS (1u << 26)
#define AVML_CACHE 8

struct lime_chunk {
	uint64_t off;    /* file offset of the chunk's CRC (after the 4-byte chunk header) */
	uint64_t uoff;   /* offset of its data inside the range */
	uint32_t clen;   /* bytes after the chunk header: CRC + payload */
	uint32_t ulen;   /* bytes it decompresses to */
	uint8_t type;    /* 0x00 compressed, 0x01 uncompressed */
};

struct lime_slot {
	uint64_t chunk;  /* UINT64_MAX = empty */
	uint64_t used;   /* LRU clock */
	uint8_t *data;
};

struct lime {
	const struct mf_host *host;
	char *path;
	int fd;
	int avml;
	uint64_t fsize;
	struct rmap map;
	struct fio_map fmap;      /* LiME (not AVML): the file, mapped for views */
	/* AVML */
	struct lime_chunk *chunk;
	size_t nchunk, capchunk;
	pthread_mutex_t lock;     /* the cache and the scratch buffer */
	struct lime_slot slot[AVML_CACHE];
	uint64_t clock;
	uint8_t *scratch;         /* one compressed chunk */
	int crc_warned;
};

static const char *const lime_keys[] = { "path", NULL };

/* ---- CRC-32C (Castagnoli), as snappy framing masks it ------------------------------ */

static uint32_t lime_crc_table[256];
static pthread_once_t lime_crc_once = PTHREAD_ONCE_INIT;

static void
lime_crc_init(void)
{
	uint32_t i, k, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
		lime_crc_table[i] = c;
	}
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t
lime_crc32c_hw(uint32_t c, const uint8_t *p, size_t n)
{
	uint64_t c64 = c;

	while (n >= 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		c64 = __builtin_ia32_crc32di(c64, v);
		p += 8;
		n -= 8;
	}
	c = (uint32_t)c64;
	while (n-- > 0)
		c = __builtin_ia32_crc32qi(c, *p++);
	return c;
}
#endif

static uint32_t
lime_crc32c(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;

#if defined(__x86_64__)
	if (__builtin_cpu_supports("sse4.2"))
		return ~lime_crc32c_hw(c, p, n);
#endif
	pthread_once(&lime_crc_once, lime_crc_init);
	while (n-- > 0)
		c = lime_crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return ~c;
}

static uint32_t
lime_masked_crc(const uint8_t *p, size_t n)
{
	uint32_t c = lime_crc32c(p, n);

	return ((c >> 15) | (c << 17)) + 0xA282EAD8u;
}

/* ---- probe ------------------------------------------------------------------------ */

static int
lime_probe(const uint8_t *head, size_t len, uint64_t file_size)
{
	uint32_t magic, version;

	if (len < 8)
		return 0;
	magic = get_le32(head);
	version = get_le32(head + 4);
	if (magic != LIME_MAGIC && magic != AVML_MAGIC)
		return 0;
	/* ours even when the rest is broken (a bad version, a bad range): open then says what
	 * is wrong, rather than the file passing for raw memory */
	if (!((magic == LIME_MAGIC && version == 1) || (magic == AVML_MAGIC && version == 2)))
		return 50;
	if (len < LIME_HDR || get_le64(head + 16) < get_le64(head + 8))
		return 90;
	return 100;
}

/* ---- open ------------------------------------------------------------------------- */

static void
lime_close(void *handle)
{
	struct lime *l = handle;
	size_t i;

	if (l == NULL)
		return;
	fio_unmap(&l->fmap);
	if (l->fd >= 0)
		close(l->fd);
	rmap_free(&l->map);
	free(l->chunk);
	for (i = 0; i < AVML_CACHE; i++)
		free(l->slot[i].data);
	free(l->scratch);
	pthread_mutex_destroy(&l->lock);
	free(l->path);
	free(l);
}

static int
lime_add_chunk(struct lime *l, const struct lime_chunk *c)
{
	if (l->nchunk >= AVML_MAX_CHUNKS)
		return MF_ERR_LIMIT;
	if (l->nchunk == l->capchunk) {
		size_t ncap = l->capchunk ? l->capchunk * 2 : 256;
		struct lime_chunk *p = realloc(l->chunk, ncap * sizeof *p);

		if (p == NULL)
			return MF_ERR_NOMEM;
		l->chunk = p;
		l->capchunk = ncap;
	}
	l->chunk[l->nchunk++] = *c;
	return 0;
}

/* Index the snappy framed stream of AVML range `ri` whose data starts at `p` and must
 * decompress to `len` bytes.  On return *produced is how many bytes the complete chunks
 * give and *end the offset after the stream (and its trailer); *cut says the file ended
 * first. */
static int
lime_index_avml(struct lime *l, size_t ri, uint64_t hoff, uint64_t p, uint64_t len,
                uint64_t *produced, uint64_t *end, int *cut, char *errbuf)
{
#ifdef HAVE_SNAPPY
	uint64_t start = p, made = 0;
	int first = 1;

	*cut = 0;
	while (made < len) {
		uint8_t h[16];
		uint64_t avail = l->fsize - p;
		int64_t got;
		uint32_t clen, ulen = 0;
		uint8_t type;

		if (avail < 4) {
			*cut = 1;
			break;
		}
		got = fio_pread_full(l->fd, h, avail < sizeof h ? avail : sizeof h, p);
		if (got < 4)
			return l->host->error(errbuf, MF_ERR_IO, "cannot read %s at offset 0x%" PRIx64 ": %s",
			         l->path, p, got < 0 ? strerror((int)-got) : "short read");
		type = h[0];
		clen = (uint32_t)h[1] | (uint32_t)h[2] << 8 | (uint32_t)h[3] << 16;
		if (avail - 4 < clen) {
			*cut = 1;
			break;
		}
		if (first && type != 0xff)
			return l->host->error(errbuf, MF_ERR_FORMAT,
			         "cannot open %s: range %zu at offset 0x%" PRIx64 ": snappy stream does not start with a stream identifier",
			         l->path, ri, hoff);
		first = 0;
		if (type == 0xff) {
			if (clen != 6 || memcmp(h + 4, "sNaPpY", 6) != 0)
				return l->host->error(errbuf, MF_ERR_FORMAT,
				         "cannot open %s: bad snappy stream identifier at offset 0x%" PRIx64,
				         l->path, p);
		} else if (type == 0x00 || type == 0x01) {
			size_t sl;

			if (clen < 4 + (type == 0 ? 1u : 0u) ||
			    clen > (type == 0 ? AVML_MAX_CLEN : 4 + AVML_MAX_ULEN)) {
				return l->host->error(errbuf, MF_ERR_FORMAT,
				         "cannot open %s: snappy chunk at offset 0x%" PRIx64 " has bad length 0x%x",
				         l->path, p, clen);
			}
			if (type == 0x01) {
				ulen = clen - 4;
			} else if (snappy_uncompressed_length((const char *)h + 8,
			                                      (size_t)got - 8 < clen - 4 ? (size_t)got - 8 : clen - 4, &sl) != SNAPPY_OK ||
			           sl > AVML_MAX_ULEN) {
				return l->host->error(errbuf, MF_ERR_FORMAT,
				         "cannot open %s: snappy chunk at offset 0x%" PRIx64 ": bad uncompressed length",
				         l->path, p);
			} else {
				ulen = (uint32_t)sl;
			}
			if (ulen > len - made)
				return l->host->error(errbuf, MF_ERR_FORMAT,
				         "cannot open %s: range %zu at offset 0x%" PRIx64 " decompresses to more than its 0x%" PRIx64 " bytes",
				         l->path, ri, hoff, len);
			if (ulen > 0) {
				struct lime_chunk c = { .off = p + 4, .uoff = made, .clen = clen, .ulen = ulen, .type = type };
				int e = lime_add_chunk(l, &c);

				if (e == MF_ERR_LIMIT)
					l->host->error(errbuf, e, "cannot open %s: more than %u snappy chunks",
					         l->path, AVML_MAX_CHUNKS);
				if (e < 0)
					return e;
			}
			made += ulen;
		} else if (type < 0x80)
			return l->host->error(errbuf, MF_ERR_FORMAT,
			         "cannot open %s: reserved unskippable snappy chunk 0x%02x at offset 0x%" PRIx64,
			         l->path, type, p);
		/* 0x80..0xfe: skippable, 0xfe padding */
		p += 4 + (uint64_t)clen;
	}
	*produced = made;
	*end = p;
	if (*cut)
		return 0;
	if (l->fsize - p < 8) {
		*cut = 1;     /* every byte is there, only the trailer is missing */
		return 0;
	}
	{
		uint8_t t[8];
		uint64_t want, q = p;
		int skips;

		if (fio_pread_full(l->fd, t, 8, p) != 8)
			return l->host->error(errbuf, MF_ERR_IO, "cannot read %s at offset 0x%" PRIx64, l->path, p);
		want = get_le64(t);
		/* padding or skippable chunks may follow the last data chunk: look past a few,
		 * accepting them only if a matching trailer comes after */
		for (skips = 0; want != q - start && skips < 64; skips++) {
			uint8_t c[8];
			uint64_t clen;

			if (l->fsize - q < 12 || fio_pread_full(l->fd, c, 4, q) != 4 || c[0] < 0x80 || c[0] == 0xff)
				break;
			clen = (uint64_t)c[1] | (uint64_t)c[2] << 8 | (uint64_t)c[3] << 16;
			if (l->fsize - q - 4 < clen + 8)
				break;
			q += 4 + clen;
			if (fio_pread_full(l->fd, c, 8, q) != 8)
				break;
			if (get_le64(c) == q - start) {
				p = q;
				want = q - start;
			}
		}
		if (want != p - start)
			return l->host->error(errbuf, MF_ERR_FORMAT,
			         "cannot open %s: range %zu at offset 0x%" PRIx64 ": trailer says 0x%" PRIx64 " compressed bytes, the stream has 0x%" PRIx64,
			         l->path, ri, hoff, get_le64(t), p - start);
		*end = p + 8;
	}
	return 0;
#else
	(void)ri; (void)hoff; (void)p; (void)len; (void)produced; (void)end; (void)cut;
	return l->host->error(errbuf, MF_ERR_UNSUPPORTED, "cannot open %s: avml compression needs libsnappy, which this build lacks",
	         l->path);
#endif
}

static int
lime_index(struct lime *l, char *errbuf)
{
	uint64_t o = 0, prev_start = 0, prev_end = 0, present = 0;
	size_t ri = 0, bad;
	int e;

	while (o < l->fsize) {
		uint8_t h[LIME_HDR];
		uint32_t magic, version;
		uint64_t s, end, len, data = o + LIME_HDR;

		if (ri >= RMAP_MAX_SEGS)
			return l->host->error(errbuf, MF_ERR_LIMIT, "cannot open %s: more than %zu ranges", l->path, RMAP_MAX_SEGS);
		if (l->fsize - o < LIME_HDR) {
			if (ri == 0)
				return l->host->error(errbuf, MF_ERR_FORMAT,
				         "cannot open %s: header of range 0 cut short (file size 0x%" PRIx64 ", a header is 0x20 bytes)",
				         l->path, l->fsize);
			l->host->log(0, "%s is truncated: header of range %zu at offset 0x%" PRIx64 " cut short; ignoring its 0x%" PRIx64 " bytes",
			             l->path, ri, o, l->fsize - o);
			break;
		}
		if (fio_pread_full(l->fd, h, LIME_HDR, o) != LIME_HDR)
			return l->host->error(errbuf, MF_ERR_IO, "cannot read %s at offset 0x%" PRIx64, l->path, o);
		magic = get_le32(h);
		version = get_le32(h + 4);
		s = get_le64(h + 8);
		end = get_le64(h + 16);
		if (!((magic == LIME_MAGIC && version == 1 && !l->avml) ||
		      (magic == AVML_MAGIC && version == 2 && l->avml))) {
			return l->host->error(errbuf, MF_ERR_FORMAT,
			         "cannot open %s: range %zu at offset 0x%" PRIx64 ": bad header (magic 0x%08x version %u, want 0x%08x version %u)",
			         l->path, ri, o, magic, version, l->avml ? AVML_MAGIC : LIME_MAGIC, l->avml ? 2 : 1);
		}
		if (end < s)
			return l->host->error(errbuf, MF_ERR_FORMAT,
			         "cannot open %s: range %zu at offset 0x%" PRIx64 ": end 0x%" PRIx64 " below start 0x%" PRIx64,
			         l->path, ri, o, end, s);
		len = end - s + 1;
		if (len == 0)
			return l->host->error(errbuf, MF_ERR_FORMAT, "cannot open %s: range %zu at offset 0x%" PRIx64 " covers all of 64-bit memory",
			         l->path, ri, o);
		if (ri > 0 && s < prev_end)
			return l->host->error(errbuf, MF_ERR_FORMAT,
			         "cannot open %s: range %zu at offset 0x%" PRIx64 " (0x%" PRIx64 "-0x%" PRIx64 ") %s the previous range (0x%" PRIx64 "-0x%" PRIx64 ")",
			         l->path, ri, o, s, end, s < prev_start ? "is below" : "overlaps",
			         prev_start, prev_end - 1);
		prev_start = s;
		prev_end = end + 1;   /* 0 only when end is the top address: then no range may follow */
		if (!l->avml) {
			uint64_t avail = l->fsize - data;

			if (len > avail) {
				if (avail == 0 && present == 0)
					return l->host->error(errbuf, MF_ERR_FORMAT,
					         "cannot open %s: range %zu at offset 0x%" PRIx64 " claims 0x%" PRIx64 " bytes, past end of file (size 0x%" PRIx64 ")",
					         l->path, ri, o, len, l->fsize);
				l->host->log(0, "%s is truncated: range %zu at offset 0x%" PRIx64 " claims 0x%" PRIx64 " bytes, past end of file (size 0x%" PRIx64 "); the missing 0x%" PRIx64 " bytes read as a hole",
				             l->path, ri, o, len, l->fsize, len - avail);
				if ((e = rmap_add(&l->map, s, avail, data, RMAP_PLAIN, 0)) < 0)
					goto add_failed;
				present += avail;
				ri++;
				break;
			}
			/* len 0: the range is the whole address space (end - s + 1 wrapped) */
			if ((e = rmap_add(&l->map, s, len ? len : UINT64_MAX, data, RMAP_PLAIN, 0)) < 0)
				goto add_failed;
			present += len;
			o = data + len;
		} else {
			uint64_t produced = 0, next = 0;
			size_t first = l->nchunk;
			int cut;

			e = lime_index_avml(l, ri, o, data, len, &produced, &next, &cut, errbuf);
			if (e < 0)
				return e;
			if (l->nchunk - first > 0 &&
			    (e = rmap_add(&l->map, s, produced, first, LIME_KIND_AVML, (uint32_t)(l->nchunk - first))) < 0)
				goto add_failed;
			present += produced;
			if (cut) {
				if (present == 0)
					return l->host->error(errbuf, MF_ERR_FORMAT,
					         "cannot open %s: range %zu at offset 0x%" PRIx64 " claims 0x%" PRIx64 " bytes, but its compressed data is cut by the end of file (size 0x%" PRIx64 ")",
					         l->path, ri, o, len, l->fsize);
				if (produced < len)
					l->host->log(0, "%s is truncated: range %zu at offset 0x%" PRIx64 " (0x%" PRIx64 " bytes) is cut by the end of file (size 0x%" PRIx64 "); the missing 0x%" PRIx64 " bytes read as a hole",
					             l->path, ri, o, len, l->fsize, len - produced);
				else
					l->host->log(0, "%s is truncated: range %zu at offset 0x%" PRIx64 " lacks its trailer",
					             l->path, ri, o);
				ri++;
				break;
			}
			o = next;
		}
		ri++;
		if (prev_end == 0 && o < l->fsize)
			return l->host->error(errbuf, MF_ERR_FORMAT,
			         "cannot open %s: range %zu at offset 0x%" PRIx64 " follows a range that ends at the top of memory",
			         l->path, ri, o);
	}
	if (l->map.n == 0)
		return l->host->error(errbuf, MF_ERR_FORMAT, "cannot open %s: no memory ranges", l->path);
	e = rmap_finish(&l->map, 0, &bad);
	if (e == MF_ERR_FORMAT) {   /* cannot happen: checked above */
		return l->host->error(errbuf, e, "cannot open %s: ranges overlap", l->path);
	}
	if (e < 0)
		goto add_failed;
	return 0;
add_failed:
	if (e == MF_ERR_LIMIT)
		return l->host->error(errbuf, e, "cannot open %s: more than %zu ranges", l->path, RMAP_MAX_SEGS);
	return l->host->error(errbuf, e, "cannot open %s: out of memory", l->path);
}

static int
lime_open(const struct mf_host *host, const struct mf_args *args, int writable,
          struct mf_hints *hints, void **handle, char *errbuf)
{
	const char *path = host->arg(args, "path");
	struct lime *l;
	uint8_t h[8];
	size_t i;
	int e;

	if (writable)
		return host->error(errbuf, MF_ERR_READONLY, "cannot open %s writable: lime captures are read-only",
		         path ? path : "lime");
	l = calloc(1, sizeof *l);
	if (l == NULL)
		return MF_ERR_NOMEM;
	l->fd = -1;
	l->host = host;
	pthread_mutex_init(&l->lock, NULL);
	for (i = 0; i < AVML_CACHE; i++)
		l->slot[i].chunk = UINT64_MAX;
	e = fio_open(path, 0, &l->fd, &l->fsize, errbuf);
	if (e < 0)
		goto fail;
	l->path = strdup(path);
	if (l->path == NULL) {
		e = MF_ERR_NOMEM;
		goto fail;
	}
	if (l->fsize < 8 || fio_pread_full(l->fd, h, 8, 0) != 8) {
		e = host->error(errbuf, MF_ERR_FORMAT, "cannot open %s: too short for a lime header (0x%" PRIx64 " bytes)",
		         path, l->fsize);
		goto fail;
	}
	if (get_le32(h) == AVML_MAGIC && get_le32(h + 4) == 2) {
		l->avml = 1;
	} else if (get_le32(h) == LIME_MAGIC && get_le32(h + 4) == 1) {
		l->avml = 0;
	} else if (get_le32(h) == LIME_MAGIC || get_le32(h) == AVML_MAGIC) {
		e = host->error(errbuf, MF_ERR_FORMAT, "cannot open %s: %s header with unsupported version %u (want %u)",
		         path, get_le32(h) == LIME_MAGIC ? "lime" : "avml", get_le32(h + 4), get_le32(h) == LIME_MAGIC ? 1 : 2);
		goto fail;
	} else {
		e = host->error(errbuf, MF_ERR_FORMAT, "cannot open %s: not a lime file (magic 0x%08x version %u)",
		         path, get_le32(h), get_le32(h + 4));
		goto fail;
	}
	if ((e = lime_index(l, errbuf)) < 0)
		goto fail;
	if (l->avml && (l->scratch = malloc(AVML_MAX_CLEN)) == NULL) {
		e = MF_ERR_NOMEM;
		goto fail;
	}
	if ((e = host->hint_set_str(hints, "format", l->avml ? "avml" : "lime")) < 0)
		goto fail;
	if (!l->avml)
		fio_map(l->fd, l->fsize, &l->fmap);   /* without it, views are refused and reads copy */
	*handle = l;
	return 0;
fail:
	if (e == MF_ERR_NOMEM)
		host->error(errbuf, e, "cannot open %s: out of memory", path);
	lime_close(l);
	return e;
}

/* ---- read ------------------------------------------------------------------------- */

#ifdef HAVE_SNAPPY
/* Decode chunk k into dst (c->ulen bytes) and check its CRC.  Called with the lock held. */
static int
lime_decode(struct lime *l, size_t k, uint8_t *dst)
{
	const struct lime_chunk *c = &l->chunk[k];
	int64_t got;
	uint32_t crc;

	if (c->type == 0x01) {
		struct iovec v[2] = { { l->scratch, 4 }, { dst, c->ulen } };
		ssize_t r;

		do
			r = preadv(l->fd, v, 2, (off_t)c->off);
		while (r < 0 && errno == EINTR);
		if (r != (ssize_t)c->clen)
			return MF_ERR_IO;
	} else {
		size_t out = c->ulen;

		got = fio_pread_full(l->fd, l->scratch, c->clen, c->off);
		if (got < 0 || (uint64_t)got != c->clen)
			return MF_ERR_IO;
		if (snappy_uncompress((const char *)l->scratch + 4, c->clen - 4, (char *)dst, &out) != SNAPPY_OK ||
		    out != c->ulen)
			goto corrupt;
	}
	crc = get_le32(l->scratch);
	if (lime_masked_crc(dst, c->ulen) != crc)
		goto corrupt;
	return 0;
corrupt:
	if (!l->crc_warned) {
		l->crc_warned = 1;
		l->host->log(0, "%s: snappy chunk at offset 0x%" PRIx64 " is corrupt (bad data or checksum)",
		             l->path, c->off - 4);
	}
	return MF_ERR_CORRUPT;
}

/* The cached decompressed chunk k (decoding it on a miss), or NULL with *err. */
static const uint8_t *
lime_cached(struct lime *l, size_t k, int *err)
{
	struct lime_slot *victim = &l->slot[0];
	size_t i;

	for (i = 0; i < AVML_CACHE; i++) {
		if (l->slot[i].chunk == k) {
			l->slot[i].used = ++l->clock;
			return l->slot[i].data;
		}
		if (l->slot[i].used < victim->used)
			victim = &l->slot[i];
	}
	if (victim->data == NULL && (victim->data = malloc(AVML_MAX_ULEN)) == NULL) {
		*err = MF_ERR_NOMEM;
		return NULL;
	}
	victim->chunk = UINT64_MAX;
	if ((*err = lime_decode(l, k, victim->data)) < 0)
		return NULL;
	victim->chunk = k;
	victim->used = ++l->clock;
	return victim->data;
}
#endif

static int
lime_read_avml(void *ctx, const struct rmap_seg *s, uint64_t addr, void *buf, uint64_t len)
{
#ifdef HAVE_SNAPPY
	struct lime *l = ctx;
	uint64_t rel = addr - s->base;
	size_t lo = (size_t)s->off, hi = (size_t)s->off + s->aux, k;
	uint8_t *out = buf;
	int err = 0;

	while (hi - lo > 1) {   /* last chunk with uoff <= rel */
		size_t mid = lo + (hi - lo) / 2;

		if (l->chunk[mid].uoff <= rel)
			lo = mid;
		else
			hi = mid;
	}
	pthread_mutex_lock(&l->lock);
	for (k = lo; len > 0 && k < (size_t)s->off + s->aux; k++) {
		const struct lime_chunk *c = &l->chunk[k];
		uint64_t in = rel - c->uoff, take = c->ulen - in < len ? c->ulen - in : len;

		if (in == 0 && take == c->ulen) {
			err = lime_decode(l, k, out);
		} else {
			const uint8_t *d = lime_cached(l, k, &err);

			if (d != NULL)
				memcpy(out, d + in, take);
		}
		if (err < 0)
			break;
		out += take;
		rel += take;
		len -= take;
	}
	pthread_mutex_unlock(&l->lock);
	if (err == 0 && len > 0)
		err = MF_ERR_UNMAPPED;   /* the index does not cover it: cannot happen */
	return err;
#else
	return MF_ERR_UNSUPPORTED;
#endif
}

static int
lime_read(void *handle, struct mf_iov *iov, size_t n, char *errbuf)
{
	struct lime *l = handle;

	rmap_read(&l->map, l->fd, iov, n, lime_read_avml, l);
	return 0;
}

/* LiME's ranges are stored as they are; AVML's are compressed (no view) */
static int
lime_view(void *handle, uint64_t addr, uint64_t len, const void **data)
{
	struct lime *l = handle;

	return rmap_view(&l->map, &l->fmap, addr, len, data);
}

static size_t
lime_ranges(void *handle, const struct mf_range **out)
{
	struct lime *l = handle;

	*out = l->map.ranges;
	return l->map.nranges;
}

static const struct mf_connector lime_connector = {
	MF_CONNECTOR_INIT,
	.name = "lime",
	.description = "LiME capture (v1) and AVML's snappy-compressed LiME",
	.help = "  path=FILE   the capture\n",
	.keys = lime_keys,
	.flags = MF_CONN_FILE,
	.probe = lime_probe,
	.open = lime_open,
	.close = lime_close,
	.read = lime_read,
	.ranges = lime_ranges,
	.view = lime_view,
};

MF_REGISTER_CONNECTOR(lime_connector)
