/* procfs.c: reading /proc files: paths, whole small files, text files line by line, and
 * the numbers in them.  Everything in /proc is treated as hostile input (absurd line
 * lengths, numbers beyond 64 bits). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "native.h"
#include "pluginlib/mapmods.h"

void
native_path(char *buf, size_t cap, long long pid, const char *what)
{
	char digits[24];
	size_t nd = 0, n = 0, wl = strlen(what);
	unsigned long long v = (unsigned long long)pid;

	memcpy(buf, "/proc/", 6);
	n = 6;
	if (pid >= 0) {
		do {
			digits[nd++] = (char)('0' + v % 10);
			v /= 10;
		} while (v != 0);
		while (nd > 0)
			buf[n++] = digits[--nd];
		buf[n++] = '/';
	}
	if (n + wl + 1 > cap)
		wl = cap - n - 1;
	memcpy(buf + n, what, wl);
	buf[n + wl] = '\0';
}

/* Digits of base 10 or 16 in [s, end). */
static int
native_parse_num(const char *s, const char *end, unsigned base, uint64_t *out, const char **next)
{
	uint64_t v = 0;
	const char *p = s;

	for (; p < end; p++) {
		unsigned d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return -1;
		v = v * base + d;
	}
	if (p == s)
		return -1;
	*out = v;
	if (next != NULL)
		*next = p;
	return 0;
}

int
native_parse_dec(const char *s, const char *end, uint64_t *out, const char **next)
{
	return native_parse_num(s, end, 10, out, next);
}

int
native_parse_hex(const char *s, const char *end, uint64_t *out, const char **next)
{
	return native_parse_num(s, end, 16, out, next);
}

int
native_pid_ok(uint64_t pid)
{
	return pid > 0 && pid <= INT_MAX;
}

uint32_t
native_elf_arch(const uint8_t *h)
{
	return mapmods_elf_arch(h, NATIVE_ARCH);
}

/* Through a heap buffer; the rest of a line longer than the buffer is skipped, and read
 * errors after the open end the file. */
int
native_lines(const char *path, native_line_cb cb, void *ctx, unsigned max_lines, int *over)
{
	char *buf;
	size_t have = 0;
	unsigned lines = 0;
	int skipping = 0, ret = 0, fd, eof = 0;

	*over = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	buf = malloc(NATIVE_MAPS_BUF + 1);
	if (buf == NULL) {
		close(fd);
		return -ENOMEM;
	}
	while (!eof || have > 0) {
		char *start, *nl;

		if (!eof && have < NATIVE_MAPS_BUF) {
			ssize_t r = read(fd, buf + have, NATIVE_MAPS_BUF - have);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				eof = 1;
			else
				have += (size_t)r;
		}
		start = buf;
		while ((nl = memchr(start, '\n', have - (size_t)(start - buf))) != NULL) {
			*nl = '\0';
			if (!skipping) {
				if (++lines > max_lines) {
					*over = 1;
					goto out;
				}
				ret = cb(ctx, start, (size_t)(nl - start));
				if (ret != 0)
					goto out;
			}
			skipping = 0;
			start = nl + 1;
		}
		have -= (size_t)(start - buf);
		memmove(buf, start, have);
		if (have == NATIVE_MAPS_BUF || (eof && have > 0)) {
			/* a line that fills the buffer, or a last line without newline */
			buf[have] = '\0';
			if (!skipping) {
				if (++lines > max_lines) {
					*over = 1;
					goto out;
				}
				ret = cb(ctx, buf, have);
				if (ret != 0)
					goto out;
			}
			skipping = !eof;
			have = 0;
		}
	}
out:
	free(buf);
	close(fd);
	return ret;
}


int
native_open_err(char *errbuf, int err, uint64_t pid, const char *what)
{
	unsigned long long p = (unsigned long long)pid;

	if (err == -ENOENT || err == -ESRCH)
		return plib_error(errbuf, MF_ERR_NOTFOUND, "no process with pid %llu", p);
	if (err == -EACCES || err == -EPERM)
		return plib_error(errbuf, MF_ERR_PERM, "cannot read %s of pid %llu: permission denied", what, p);
	if (err == -ENOMEM)
		return plib_error(errbuf, MF_ERR_NOMEM, "cannot read %s of pid %llu: out of memory", what, p);
	return plib_error_errno(errbuf, MF_ERR_IO, -err, "cannot read %s of pid %llu", what, p);
}

