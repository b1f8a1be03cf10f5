/* find.c: the QEMU process: finding it by pid= or name= (or as the only one running), and
 * what its command line says (-name, -m, -machine, -qmp). */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qemu.h"

/* Parse a non-negative decimal pid; 0 on failure. */
static pid_t
qemu_parse_pid(const char *s)
{
	unsigned long v = 0;
	const char *p;

	if (s == NULL || *s == '\0')
		return 0;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > INT_MAX)
			return 0;
	}
	return (pid_t)v;
}

/* ---- QEMU command lines ---------------------------------------------------------------- */

/* QEMU accepts -opt and --opt; the last occurrence wins. */
const char *
qemu_opt(char *const *argv, size_t n, const char *opt)
{
	const char *v = NULL;
	size_t i;

	for (i = 1; i + 1 < n; i++) {
		const char *a = argv[i];

		if (a[0] == '-' && a[1] == '-')
			a++;
		if (strcmp(a, opt) == 0)
			v = argv[++i];
	}
	return v;
}

/* ",," escapes a comma; the implied first element is the one without '='. */
int
qemu_opt_value(const char *s, const char *key, char *out, size_t cap)
{
	int first = 1;

	while (*s) {
		char elem[512];
		size_t k = 0;
		const char *eq;

		while (*s) {
			if (*s == ',') {
				if (s[1] == ',') {
					if (k + 1 < sizeof elem)
						elem[k++] = ',';
					s += 2;
					continue;
				}
				s++;
				break;
			}
			if (k + 1 < sizeof elem)
				elem[k++] = *s;
			s++;
		}
		elem[k] = '\0';
		eq = strchr(elem, '=');
		if (eq == NULL && first) {
			snprintf(out, cap, "%s", elem);
			return 1;
		}
		if (eq != NULL && (size_t)(eq - elem) == strlen(key) && strncmp(elem, key, strlen(key)) == 0) {
			snprintf(out, cap, "%s", eq + 1);
			return 1;
		}
		first = 0;
	}
	return 0;
}

void
qemu_cmdline_free(struct qemu_cmdline *c)
{
	if (c == NULL)
		return;
	free(c->argv);
	free(c->buf);
	free(c);
}

/* Split a NUL-separated /proc/PID/cmdline image of len bytes (takes ownership of buf). */
int
qemu_cmdline_parse(char *buf, size_t len, struct qemu_cmdline **out)
{
	struct qemu_cmdline *c = calloc(1, sizeof *c);
	size_t i, n = 0, k = 0;
	const char *v;

	*out = NULL;
	if (c == NULL) {
		free(buf);
		return MF_ERR_NOMEM;
	}
	c->buf = buf;
	for (i = 0; i < len; i++)
		if (buf[i] == '\0')
			n++;
	if (len > 0 && buf[len - 1] != '\0')
		n++;   /* last argument without its NUL (buf has one extra byte: see fio_read_file) */
	c->argv = calloc(n + 1, sizeof *c->argv);
	if (c->argv == NULL) {
		qemu_cmdline_free(c);
		return MF_ERR_NOMEM;
	}
	for (i = 0; i < len && k < n; ) {
		c->argv[k++] = buf + i;
		i += strlen(buf + i) + 1;
	}
	c->argc = k;
	v = qemu_opt(c->argv, c->argc, "-name");
	if (v != NULL && !qemu_opt_value(v, "guest", c->name, sizeof c->name))
		c->name[0] = '\0';
	c->has_name = v != NULL && c->name[0] != '\0';
	*out = c;
	return 0;
}

static int
qemu_cmdline_read(pid_t pid, struct qemu_cmdline **out)
{
	char path[64], *buf;
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
	n = fio_read_file(path, QEMU_CMDLINE_MAX, &buf);
	if (n < 0)
		return n == -ENOMEM ? MF_ERR_NOMEM : (n == -EACCES || n == -EPERM ? MF_ERR_PERM : MF_ERR_NOTFOUND);
	return qemu_cmdline_parse(buf, (size_t)n, out);
}

/* Is this a QEMU system emulator?  By comm or argv[0]'s base name. */
static int
qemu_is_qemu(pid_t pid, const struct qemu_cmdline *c)
{
	char path[64], *comm = NULL;
	const char *base = NULL;
	int yes = 0;

	snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
	if (fio_read_file(path, 64, &comm) > 0 && strncmp(comm, "qemu-system-", 12) == 0)
		yes = 1;
	free(comm);
	if (!yes && c->argc > 0) {
		base = strrchr(c->argv[0], '/');
		base = base ? base + 1 : c->argv[0];
		yes = strncmp(base, "qemu-system-", 12) == 0 || strcmp(base, "qemu-kvm") == 0;
	}
	return yes;
}

/* QEMU sizes: a number with an optional fraction and suffix K/M/G/T (default M). */
int
qemu_parse_size(const char *s, uint64_t *out)
{
	uint64_t whole = 0, frac_num = 0, frac_den = 1, unit = 1ull << 20, r;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return MF_ERR_ARG;
	for (; isdigit((unsigned char)*p); p++) {
		if (whole > (UINT64_MAX - 9) / 10)
			return MF_ERR_RANGE;
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++)
			if (frac_den < 1000000000ull) {
				frac_num = frac_num * 10 + (uint64_t)(*p - '0');
				frac_den *= 10;
			}
	}
	switch (*p) {
	case '\0': break;
	case 'b': case 'B': unit = 1; p++; break;
	case 'k': case 'K': unit = 1ull << 10; p++; break;
	case 'm': case 'M': unit = 1ull << 20; p++; break;
	case 'g': case 'G': unit = 1ull << 30; p++; break;
	case 't': case 'T': unit = 1ull << 40; p++; break;
	default: return MF_ERR_ARG;
	}
	if (*p == 'i' && p[1] == 'B')
		p += 2;
	else if (*p == 'B')
		p++;
	if (*p != '\0')
		return MF_ERR_ARG;
	if (whole > UINT64_MAX / unit)
		return MF_ERR_RANGE;
	r = whole * unit + (uint64_t)((unsigned __int128)frac_num * unit / frac_den);
	if (r < whole * unit)
		return MF_ERR_RANGE;
	*out = r;
	return 0;
}

/* ---- finding the process --------------------------------------------------------------- */

struct qemu_cand {
	pid_t pid;
	char name[QEMU_NAME_MAX];
	int has_name;
};

/* Every QEMU process we can see (up to cap). */
static int
qemu_scan(struct qemu_cand *cands, size_t cap, size_t *count, char *errbuf)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	size_t n = 0, seen = 0;
	pid_t self = getpid();

	*count = 0;
	if (d == NULL)
		return plib_error_errno(errbuf, MF_ERR_IO, errno, "cannot open /proc");
	while ((de = readdir(d)) != NULL && seen < QEMU_MAX_PROCS) {
		struct qemu_cmdline *c;
		pid_t pid = qemu_parse_pid(de->d_name);

		seen++;
		if (pid <= 0 || pid == self)
			continue;
		if (qemu_cmdline_read(pid, &c) < 0)
			continue;
		if (c->argc > 0 && qemu_is_qemu(pid, c)) {
			if (n < cap) {
				cands[n].pid = pid;
				snprintf(cands[n].name, sizeof cands[n].name, "%s", c->name);
				cands[n].has_name = c->has_name;
			}
			n++;
		}
		qemu_cmdline_free(c);
	}
	closedir(d);
	*count = n;
	return 0;
}

/* "123 (name), 456 (no -name), ..." into a buffer of cap bytes. */
static void
qemu_cand_list(const struct qemu_cand *cands, size_t n, size_t shown, char *out, size_t cap)
{
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < shown; i++) {
		char one[QEMU_NAME_MAX + 40];
		int w = cands[i].has_name ? snprintf(one, sizeof one, "%s%d (-name %s)", i ? ", " : "",
		                                     (int)cands[i].pid, cands[i].name)
		                          : snprintf(one, sizeof one, "%s%d (no -name)", i ? ", " : "",
		                                     (int)cands[i].pid);

		if (w < 0 || len + (size_t)w + 5 >= cap) {
			snprintf(out + len, cap - len, ", ...");
			return;
		}
		memcpy(out + len, one, (size_t)w + 1);
		len += (size_t)w;
	}
	if (shown < n && len + 5 < cap)
		snprintf(out + len, cap - len, ", ...");
}

/* The QEMU process `pid` (checked to be one, and to carry -name name_arg if given). */
static int
qemu_find_pid(pid_t pid, const char *name_arg, pid_t *out, struct qemu_cmdline **cmd, char *errbuf)
{
	struct qemu_cmdline *c;
	int r = qemu_cmdline_read(pid, &c);

	if (r == MF_ERR_NOTFOUND)
		return plib_error(errbuf, r, "no process with pid %d", (int)pid);
	if (r < 0)
		return plib_error(errbuf, r, "cannot read /proc/%d/cmdline: %s", (int)pid,
		                  r == MF_ERR_PERM ? "permission denied" : "out of memory");
	if (c->argc == 0 || !qemu_is_qemu(pid, c)) {
		qemu_cmdline_free(c);
		return plib_error(errbuf, MF_ERR_ARG, "process %d is not a qemu-system process", (int)pid);
	}
	if (name_arg != NULL && strcmp(c->name, name_arg) != 0) {
		r = plib_error(errbuf, MF_ERR_ARG, "qemu process %d has %s%s%s, not -name %s", (int)pid,
		               c->has_name ? "-name '" : "no -name", c->name, c->has_name ? "'" : "", name_arg);
		qemu_cmdline_free(c);
		return r;
	}
	*out = pid;
	*cmd = c;
	return 0;
}

int
qemu_find(const char *pid_arg, const char *name_arg, pid_t *out, struct qemu_cmdline **cmd, char *errbuf)
{
	struct qemu_cand cands[QEMU_MAX_CANDS];
	char list[MF_ERRBUF_SIZE];
	size_t n = 0, i, hits = 0, hit = 0;
	int r;

	*cmd = NULL;
	if (pid_arg != NULL) {
		pid_t pid = qemu_parse_pid(pid_arg);

		if (pid <= 0)
			return plib_error(errbuf, MF_ERR_ARG, "invalid pid '%s'", pid_arg);
		return qemu_find_pid(pid, name_arg, out, cmd, errbuf);
	}
	r = qemu_scan(cands, QEMU_MAX_CANDS, &n, errbuf);
	if (r < 0)
		return r;
	if (name_arg != NULL) {
		for (i = 0; i < n && i < QEMU_MAX_CANDS; i++)
			if (cands[i].has_name && strcmp(cands[i].name, name_arg) == 0) {
				hits++;
				hit = i;
			}
		if (hits == 0) {
			/* A number as the positional argument: a pid. */
			pid_t pid = qemu_parse_pid(name_arg);

			for (i = 0; pid > 0 && i < n && i < QEMU_MAX_CANDS; i++)
				if (cands[i].pid == pid)
					return qemu_find_pid(pid, NULL, out, cmd, errbuf);
			return plib_error(errbuf, MF_ERR_NOTFOUND, "no QEMU process with -name %s", name_arg);
		}
		if (hits > 1) {
			struct qemu_cand same[QEMU_MAX_CANDS];
			size_t k = 0;

			for (i = 0; i < n && i < QEMU_MAX_CANDS; i++)
				if (cands[i].has_name && strcmp(cands[i].name, name_arg) == 0)
					same[k++] = cands[i];
			qemu_cand_list(same, k, k, list, 160);
			return plib_error(errbuf, MF_ERR_ARG, "%zu QEMU processes have -name %s, give pid=: %s",
			                  hits, name_arg, list);
		}
		return qemu_find_pid(cands[hit].pid, NULL, out, cmd, errbuf);
	}
	if (n == 0)
		return plib_error(errbuf, MF_ERR_NOTFOUND, "no running QEMU process found");
	if (n > 1) {
		qemu_cand_list(cands, n, n < QEMU_MAX_CANDS ? n : QEMU_MAX_CANDS, list, 180);
		return plib_error(errbuf, MF_ERR_ARG, "%zu QEMU processes are running, choose one with "
		                  "pid= or name=: %s", n, list);
	}
	return qemu_find_pid(cands[0].pid, NULL, out, cmd, errbuf);
}


int
qemu_cmdline_qmp(pid_t pid, const struct qemu_cmdline *c, char *out, size_t cap)
{
	const char *v = qemu_opt(c->argv, c->argc, "-qmp");
	char path[PATH_MAX], cwdl[64], cwd[PATH_MAX];
	ssize_t n;

	if (v == NULL || strncmp(v, "unix:", 5) != 0)
		return 0;
	if (!qemu_opt_value(v + 5, "path", path, sizeof path) || path[0] == '\0')
		return 0;
	if (path[0] == '/') {
		snprintf(out, cap, "%s", path);
		return 1;
	}
	snprintf(cwdl, sizeof cwdl, "/proc/%d/cwd", (int)pid);
	n = readlink(cwdl, cwd, sizeof cwd - 1);
	if (n <= 0)
		return 0;
	cwd[n] = '\0';
	return snprintf(out, cap, "%s/%s", cwd, path) < (int)cap;
}

