/* pattern.c: byte patterns with wildcards and strings (ASCII, UTF-16LE, ASCII case folded),
 * searched in one buffer.
 *
 * A pattern is searched by its rarest fixed byte (the anchor): memchr finds candidates at
 * memory speed, then the whole pattern is compared.  Zero-heavy memory costs nothing
 * unless the anchor itself is zero, which happens only for an all-zero pattern (glibc
 * memmem, by contrast, degrades badly on needles full of zeros). */
#include "config.h"
#include "scan/match.h"
#include "libmf/hexval.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How common a byte is in memory (lower = rarer): zeros, then 0xff, small numbers, text. */
static int
scan_byte_rank(uint8_t b)
{
	if (b == 0x00)
		return 100;
	if (b == 0xff)
		return 60;
	if (b < 0x10)
		return 40;
	if (b == ' ' || b == 'e' || b == 't' || b == 'a' || b == 'o' || b == 'i' || b == 'n' || b == 's')
		return 30;
	if ((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == 0x80 || b == 0x48 || b == 0x8b)
		return 20;
	if (b >= 0x20 && b < 0x7f)
		return 15;
	return 10;
}

static int
scan_pat_alloc(struct scan_pat *p, const char *text, size_t len)
{
	memset(p, 0, sizeof *p);
	p->text = strdup(text);
	p->want = calloc(len ? len : 1, 1);
	p->mask = calloc(len ? len : 1, 1);
	p->len = len;
	if (p->text == NULL || p->want == NULL || p->mask == NULL) {
		scan_pat_free(p);
		return -1;
	}
	return 0;
}

/* Choose the anchor; -1 if every byte is a wildcard. */
static int
scan_pat_finish(struct scan_pat *p)
{
	size_t i;
	int best = -1, rank = 1000;
	unsigned b;

	p->plain = true;
	for (i = 0; i < p->len; i++) {
		int r;

		if (p->mask[i] != 0xff)
			p->plain = false;
		if (p->mask[i] == 0)
			continue;
		r = scan_byte_rank(p->want[i]) + (p->mask[i] == 0xff ? 0 : 5);
		if (r < rank) {
			rank = r;
			best = (int)i;
		}
	}
	if (best < 0)
		return -1;
	p->anchor = (size_t)best;
	p->anchor_exact = p->mask[best] == 0xff;
	for (b = 0; b < 256; b++)
		p->accept[b] = (uint8_t)(((uint8_t)b & p->mask[best]) == p->want[best]);
	return 0;
}

int
scan_pat_hex(struct scan_pat *p, const char *text, char *err, size_t errsize)
{
	const char *s = text;
	size_t n = 0;

	/* a lone '?' is a byte of one character: "?41?41" is 4 bytes of 6 */
	if (scan_pat_alloc(p, text, strlen(text) + 1) < 0) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	while (*s) {
		int hi, lo;

		if (*s == ' ' || *s == '\t' || *s == ':' || *s == ',') {
			s++;
			continue;
		}
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && n == 0 && s == text) {
			s += 2;
			continue;
		}
		if (n >= SCAN_PAT_MAX) {
			snprintf(err, errsize, "invalid hex pattern '%s': longer than %d bytes", text, SCAN_PAT_MAX);
			goto fail;
		}
		if (s[0] == '?') {
			p->want[n] = 0;
			p->mask[n++] = 0;
			s += s[1] == '?' ? 2 : 1;
			continue;
		}
		hi = mfint_hexval((unsigned char)s[0]);
		lo = hi < 0 ? -1 : mfint_hexval((unsigned char)s[1]);
		if (hi < 0 || lo < 0) {
			snprintf(err, errsize, "invalid hex pattern '%s' at '%.8s' (expected bytes like \"48 8b ?? ?? 05\")",
			         text, s);
			goto fail;
		}
		p->want[n] = (uint8_t)(hi << 4 | lo);
		p->mask[n++] = 0xff;
		s += 2;
	}
	p->len = n;
	if (n == 0) {
		snprintf(err, errsize, "invalid hex pattern '%s': no bytes", text);
		goto fail;
	}
	if (scan_pat_finish(p) < 0) {
		snprintf(err, errsize, "invalid hex pattern '%s': only wildcards", text);
		goto fail;
	}
	return 0;
fail:
	scan_pat_free(p);
	return -1;
}

static void
scan_set(struct scan_pat *p, size_t *n, uint8_t b, bool icase)
{
	bool letter = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');

	p->want[*n] = icase && letter ? (uint8_t)(b & 0xdf) : b;
	p->mask[*n] = icase && letter ? 0xdf : 0xff;
	(*n)++;
}

int
scan_pat_str(struct scan_pat *p, const char *text, bool utf16, bool icase, char *err, size_t errsize)
{
	size_t len = strlen(text), n = 0, i;

	if (len == 0) {
		snprintf(err, errsize, "empty string pattern");
		return -1;
	}
	if (len > SCAN_PAT_MAX / (utf16 ? 4 : 1)) {
		snprintf(err, errsize, "string pattern longer than %d bytes", SCAN_PAT_MAX / (utf16 ? 4 : 1));
		return -1;
	}
	if (scan_pat_alloc(p, text, utf16 ? len * 4 : len) < 0) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	if (!utf16) {
		for (i = 0; i < len; i++)
			scan_set(p, &n, (uint8_t)text[i], icase);
	} else {
		p->encoding = "utf-16le";
		for (i = 0; i < len;) {
			const uint8_t *u = (const uint8_t *)text + i;
			uint32_t c;
			size_t k;

			if (u[0] < 0x80) {
				c = u[0]; k = 1;
			} else if ((u[0] & 0xe0) == 0xc0 && i + 1 < len && (u[1] & 0xc0) == 0x80) {
				c = (u[0] & 0x1fu) << 6 | (u[1] & 0x3fu); k = 2;
			} else if ((u[0] & 0xf0) == 0xe0 && i + 2 < len && (u[1] & 0xc0) == 0x80 && (u[2] & 0xc0) == 0x80) {
				c = (u[0] & 0x0fu) << 12 | (u[1] & 0x3fu) << 6 | (u[2] & 0x3fu); k = 3;
			} else if ((u[0] & 0xf8) == 0xf0 && i + 3 < len && (u[1] & 0xc0) == 0x80 && (u[2] & 0xc0) == 0x80 &&
			           (u[3] & 0xc0) == 0x80) {
				c = (u[0] & 0x07u) << 18 | (u[1] & 0x3fu) << 12 | (u[2] & 0x3fu) << 6 | (u[3] & 0x3fu); k = 4;
			} else {
				snprintf(err, errsize, "invalid UTF-8 in string pattern '%s'", text);
				scan_pat_free(p);
				return -1;
			}
			if (c >= 0x10000) {
				uint32_t hi = 0xd800 + ((c - 0x10000) >> 10), lo = 0xdc00 + ((c - 0x10000) & 0x3ff);

				scan_set(p, &n, (uint8_t)hi, false);
				scan_set(p, &n, (uint8_t)(hi >> 8), false);
				scan_set(p, &n, (uint8_t)lo, false);
				scan_set(p, &n, (uint8_t)(lo >> 8), false);
			} else {
				scan_set(p, &n, (uint8_t)c, icase && c < 0x80);
				scan_set(p, &n, (uint8_t)(c >> 8), false);
			}
			i += k;
		}
	}
	p->len = n;
	if (scan_pat_finish(p) < 0) {
		snprintf(err, errsize, "string pattern '%s' has no fixed byte", text);
		scan_pat_free(p);
		return -1;
	}
	return 0;
}

void
scan_pat_free(struct scan_pat *p)
{
	free(p->text);
	free(p->want);
	free(p->mask);
	memset(p, 0, sizeof *p);
}

static bool
scan_pat_at(const struct scan_pat *p, const uint8_t *q)
{
	size_t i;

	if (p->plain)
		return memcmp(q, p->want, p->len) == 0;
	for (i = 0; i < p->len; i++)
		if ((q[i] & p->mask[i]) != p->want[i])
			return false;
	return true;
}

int
scan_pat_run(const struct scan_pat *p, const uint8_t *buf, size_t seg_start, size_t seg_end, size_t own_end,
             scan_hit_fn cb, void *ctx)
{
	size_t a = p->anchor, pos, last, limit;
	int r;

	if (seg_end < seg_start || seg_end - seg_start < p->len)
		return 0;
	last = seg_end - p->len;          /* the last start that fits */
	if (own_end <= seg_start)
		return 0;
	if (last > own_end - 1)
		last = own_end - 1;
	/* anchor positions run over [seg_start + a, last + a] */
	pos = seg_start + a;
	limit = last + a + 1;
	while (pos < limit) {
		const uint8_t *q;

		if (p->anchor_exact) {
			q = memchr(buf + pos, p->want[a], limit - pos);
			if (q == NULL)
				break;
		} else {
			const uint8_t *e = buf + limit;

			for (q = buf + pos; q < e && !p->accept[*q]; q++)
				;
			if (q == e)
				break;
		}
		pos = (size_t)(q - buf);
		if (scan_pat_at(p, q - a) && (r = cb(ctx, pos - a)) != 0)
			return r;
		pos++;
	}
	return 0;
}

int
scan_pat_bytes(struct scan_pat *p, const char *text, const uint8_t *bytes, size_t n)
{
	if (n == 0 || scan_pat_alloc(p, text, n) < 0)
		return -1;
	memcpy(p->want, bytes, n);
	memset(p->mask, 0xff, n);
	scan_pat_finish(p);
	return 0;
}

/* One line of a pattern list into p: 0, 1 for a line without a pattern, or -1 with err. */
static int
scan_pat_list_line(struct scan_pat *p, char *line, char *err, size_t errsize)
{
	size_t len = strlen(line);
	int r;

	if (len > 0 && line[len - 1] == '\n')
		line[--len] = '\0';
	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	if (len == 0 || line[0] == '#')
		return 1;
	if (strncmp(line, "hex:", 4) == 0) {
		r = scan_pat_hex(p, line + 4, err, errsize);
	} else if (line[0] == '{' && line[len - 1] == '}' && len >= 2) {
		line[len - 1] = '\0';
		r = scan_pat_hex(p, line + 1, err, errsize);
		line[len - 1] = '}';
	} else {
		r = scan_pat_str(p, strncmp(line, "str:", 4) == 0 ? line + 4 : line, false, false, err, errsize);
	}
	if (r < 0)
		return -1;
	free(p->text);
	if ((p->text = strdup(line)) == NULL) {
		scan_pat_free(p);
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	return 0;
}

int
scan_pat_list(const char *path, struct scan_pat **pats, size_t *n, size_t *cap, char *errbuf)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, err[512];
	size_t lsize = 0;
	unsigned lineno = 0;
	ssize_t got;
	int r = 0;

	if (f == NULL)
		return mf_error_errno(errbuf, MF_ERR_IO, errno, "cannot open %s", path);
	while ((got = getline(&line, &lsize, f)) >= 0) {
		struct scan_pat p;
		int k;

		lineno++;
		if ((size_t)got != strlen(line)) {
			r = mf_error(errbuf, MF_ERR_ARG, "%s:%u: a NUL byte in the line (give such bytes as hex:)", path,
			             lineno);
			break;
		}
		if ((size_t)got > 4 * SCAN_PAT_MAX + 8) {
			r = mf_error(errbuf, MF_ERR_ARG, "%s:%u: pattern longer than %d bytes", path, lineno, SCAN_PAT_MAX);
			break;
		}
		if ((k = scan_pat_list_line(&p, line, err, sizeof err)) == 1)
			continue;
		if (k < 0) {
			r = mf_error(errbuf, strcmp(err, "out of memory") == 0 ? MF_ERR_NOMEM : MF_ERR_ARG, "%s:%u: %s",
			             path, lineno, err);
			break;
		}
		p.line = lineno;
		if (*n == SCAN_LIST_MAX) {
			scan_pat_free(&p);
			r = mf_error(errbuf, MF_ERR_LIMIT, "%s: more than %d patterns", path, SCAN_LIST_MAX);
			break;
		}
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 64;
			struct scan_pat *v = realloc(*pats, nc * sizeof *v);

			if (v == NULL) {
				scan_pat_free(&p);
				r = mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
				break;
			}
			*pats = v;
			*cap = nc;
		}
		(*pats)[(*n)++] = p;
	}
	if (r == 0 && ferror(f))
		r = mf_error_errno(errbuf, MF_ERR_IO, errno, "cannot read %s", path);
	free(line);
	fclose(f);
	return r;
}
