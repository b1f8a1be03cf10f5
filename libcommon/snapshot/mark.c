/* mark.c: what makes a file mftools' snapshot of a given target.  A target's identity is its
 * connector and os with their arguments (a "path" made absolute); its short name (for
 * %{target}) is the connector's "name" argument, else the guest's name, else the file name
 * of its "path" without the suffix, else the connector's or os's name.  The marker, "mftools
 * snapshot of IDENTITY", goes into the extended attribute user.mftools.snapshot of every file
 * mf-dump writes and, in ELF and kdump files, into an MFTOOLS note too (which survives
 * copies that drop extended attributes). */
#include "config.h"
#include "snapshot/output.h"
#include "snapshot/snapshot.h"
#include "pluginlib/bytes.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define MARK_XATTR "user.mftools.snapshot"
#define MARK_PREFIX "mftools snapshot of "
#define MARK_MAX_NOTES (1u << 20)    /* bytes of notes read to find the marker, at most */
#define MARK_SHORT_MAX 64

/* "NAME k=v k=v" of one half of the target record into buf at *o. */
static void
mark_id_part(char *buf, size_t size, size_t *o, const struct mf_rec *rec, const char *key, const char *argkey)
{
	const char *name = NULL;
	size_t n, i;
	struct mf_rec *args;

	if (*o >= size || mf_rec_get_str(rec, key, &name, &n) < 0 || name == NULL)
		return;
	*o += (size_t)snprintf(buf + *o, size - *o, "%s%s=%.*s", *o > strlen(MARK_PREFIX) ? " " : "", key, (int)n, name);
	if ((args = mf_rec_get_map(rec, argkey)) == NULL)
		return;
	for (i = 0; i < mf_rec_count(args) && *o < size; i++) {
		const struct mf_field *f = mf_rec_field(args, i);
		char real[PATH_MAX];
		const char *v;

		if (f->val.type != MF_V_STR)
			continue;
		v = f->val.v.s.p;
		if (strcmp(f->key, "path") == 0 && realpath(v, real) != NULL)
			v = real;
		*o += (size_t)snprintf(buf + *o, size - *o, ",%s=%s", f->key, v);
	}
}

/* The short name: letters, digits, '.', '-' and '_' only, never starting with '.'. */
static char *
mark_short(const char *s, size_t n)
{
	char *p;
	size_t i;

	if (n > MARK_SHORT_MAX)
		n = MARK_SHORT_MAX;
	if (n == 0)
		s = "target", n = 6;
	if ((p = strndup(s, n)) == NULL)
		return NULL;
	for (i = 0; p[i]; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9') ||
		      p[i] == '-' || p[i] == '_' || (p[i] == '.' && i > 0)))
			p[i] = '_';
	return p;
}

static char *
mark_short_of(const struct mf_rec *rec)
{
	struct mf_rec *args = mf_rec_get_map(rec, "connector_args"), *hints = mf_rec_get_map(rec, "hints");
	const char *s = NULL, *b, *dot;
	size_t n = 0;

	if ((args && mf_rec_get_str(args, "name", &s, &n) == 0) || (hints && mf_rec_get_str(hints, "guest_name", &s, &n) == 0))
		return mark_short(s, n);
	if (args && mf_rec_get_str(args, "path", &s, &n) == 0) {
		b = memrchr(s, '/', n);
		b = b ? b + 1 : s;
		n -= (size_t)(b - s);
		dot = memrchr(b, '.', n);
		return mark_short(b, dot && dot > b ? (size_t)(dot - b) : n);
	}
	if (mf_rec_get_str(rec, "connector", &s, &n) == 0 || mf_rec_get_str(rec, "os", &s, &n) == 0)
		return mark_short(s, n);
	return mark_short("", 0);
}

int
snap_target_names(struct mf_target *t, char **mark, char **shortname, char *errbuf)
{
	struct mf_rec *r = mf_rec_new("target");
	char buf[4096];
	size_t o = 0;

	*mark = *shortname = NULL;
	if (r == NULL)
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	if (mf_target_rec(t, r) < 0) {
		mf_rec_free(r);
		return mf_error(errbuf, MF_ERR_GENERIC, "cannot describe %s", mf_target_name(t));
	}
	o = (size_t)snprintf(buf, sizeof buf, "%s", MARK_PREFIX);
	mark_id_part(buf, sizeof buf, &o, r, "connector", "connector_args");
	mark_id_part(buf, sizeof buf, &o, r, "os", "os_args");
	*mark = strdup(buf);
	*shortname = mark_short_of(r);
	mf_rec_free(r);
	if (*mark == NULL || *shortname == NULL) {
		free(*mark);
		free(*shortname);
		*mark = *shortname = NULL;
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	}
	return 0;
}

int
snap_mark_set(int fd, const char *mark)
{
	return fsetxattr(fd, MARK_XATTR, mark, strlen(mark), 0) < 0 ? errno : 0;
}

/* 1 when the notes in b hold MFTOOLS/SNAP_NT_MFTOOLS_MARK with exactly mark. */
static int
mark_in_notes(const uint8_t *b, size_t n, const char *mark)
{
	size_t pos = 0, ml = strlen(mark);

	while (n - pos >= 12) {
		uint32_t namesz = get_le32(b + pos), descsz = get_le32(b + pos + 4), type = get_le32(b + pos + 8);
		size_t name = pos + 12, desc = name + (((size_t)namesz + 3) & ~(size_t)3);

		if (namesz > n - name || desc > n || descsz > n - desc)
			return 0;
		if (namesz == 8 && memcmp(b + name, "MFTOOLS", 8) == 0 && type == SNAP_NT_MFTOOLS_MARK && descsz == ml &&
		    memcmp(b + desc, mark, ml) == 0)
			return 1;
		pos = desc + (((size_t)descsz + 3) & ~(size_t)3);
		if (pos > n)
			return 0;
	}
	return 0;
}

static int
mark_read_notes(int fd, uint64_t off, uint64_t size, const char *mark)
{
	uint8_t *b;
	int r = 0;

	if (size < 12 || size > MARK_MAX_NOTES || (b = malloc((size_t)size)) == NULL)
		return 0;
	if (pread(fd, b, (size_t)size, (off_t)off) == (ssize_t)size)
		r = mark_in_notes(b, (size_t)size, mark);
	free(b);
	return r;
}

/* The marker in the file's own notes: our ELF's first program header is its PT_NOTE; our
 * kdump's notes are where its sub-header says. */
static int
mark_in_file(int fd, const char *mark)
{
	uint8_t h[0x1b0], ph[56], sub[0x40];
	uint32_t bs;

	if (pread(fd, h, sizeof h, 0) < 64)
		return 0;
	if (memcmp(h, "\177ELF\2\1", 6) == 0 && get_le16(h + 54) == 56 && get_le16(h + 56) >= 1 &&
	    pread(fd, ph, sizeof ph, (off_t)get_le64(h + 32)) == sizeof ph && get_le32(ph) == 4)
		return mark_read_notes(fd, get_le64(ph + 8), get_le64(ph + 32), mark);
	if (memcmp(h, "KDUMP   ", 8) == 0 && (bs = get_le32(h + 0x1ac)) >= 4096 && bs <= (1u << 20) &&
	    pread(fd, sub, sizeof sub, bs) == sizeof sub)
		return mark_read_notes(fd, get_le64(sub + 0x30), get_le64(sub + 0x38), mark);
	return 0;
}

int
snap_mark_check(int dirfd, const char *name, const char *mark)
{
	char buf[4096];
	ssize_t n;
	int fd, r;

	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0)
		return 0;
	n = fgetxattr(fd, MARK_XATTR, buf, sizeof buf);
	if (n >= 0)
		r = (size_t)n == strlen(mark) && memcmp(buf, mark, (size_t)n) == 0;
	else
		r = mark_in_file(fd, mark);
	close(fd);
	return r;
}
