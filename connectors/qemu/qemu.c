/* qemu.c: the `qemu` connector: live guest physical memory of a running QEMU process.
 *
 * Guest RAM lives in QEMU's own address space; we read and write it there with batched
 * process_vm_readv/process_vm_writev after translating each guest physical address (GPA)
 * to a host virtual address (HVA).  The layout comes from QEMU itself over QMP
 * (`info mtree -f` for the flat view of the system address space, `gpa2hva` for the host
 * address of each RAM block) or, without QMP, from /proc/PID/maps and the -m size on the
 * command line with the machine's known split around the PCI hole.
 *
 * The QMP socket is used only while opening (QEMU serves one QMP client at a time): the
 * layout and CPU 0's control registers are read, then the connection is closed. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include <mftools/plugin.h>

#include "qemu.h"

/* ---- small helpers ------------------------------------------------------------------- */

__attribute__((format(printf, 3, 4))) static int
qemu_err(char *errbuf, int code, const char *fmt, ...)
{
	va_list ap;

	if (errbuf != NULL) {
		va_start(ap, fmt);
		vsnprintf(errbuf, MF_ERRBUF_SIZE, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* Read a whole small file into a fresh NUL-terminated buffer (at most `cap` bytes).
 * Returns the length or -errno. */
static ssize_t
qemu_slurp(const char *path, size_t cap, char **out)
{
	size_t len = 0, size = 4096;
	char *buf = malloc(size + 1);
	int fd;

	*out = NULL;
	if (buf == NULL)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		int e = errno;

		free(buf);
		return -e;
	}
	for (;;) {
		ssize_t n;

		if (len == size) {
			char *nb;

			if (size >= cap)
				break;   /* truncated at cap */
			size = size * 2 > cap ? cap : size * 2;
			nb = realloc(buf, size + 1);
			if (nb == NULL) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = nb;
		}
		n = read(fd, buf + len, size - len);
		if (n < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			free(buf);
			close(fd);
			return -e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	return (ssize_t)len;
}

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

/* The value of QEMU option `opt` (e.g. "-name") in an argv of n strings, or NULL.  QEMU
 * accepts -opt and --opt; the last occurrence wins. */
static const char *
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

/* From a QEMU option string "implied,key=value,..." (",," escapes a comma) copy the value
 * of `key` (or of the implied first element when it has no '=') into out.  Returns 1 if
 * found. */
static int
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
		n++;   /* last argument without its NUL (buf has one extra byte: see qemu_slurp) */
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
	n = qemu_slurp(path, QEMU_CMDLINE_MAX, &buf);
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
	if (qemu_slurp(path, 64, &comm) > 0 && strncmp(comm, "qemu-system-", 12) == 0)
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
		return qemu_err(errbuf, MF_ERR_IO, "cannot open /proc: %s", strerror(errno));
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
		return qemu_err(errbuf, r, "no process with pid %d", (int)pid);
	if (r < 0)
		return qemu_err(errbuf, r, "cannot read /proc/%d/cmdline: %s", (int)pid,
		                r == MF_ERR_PERM ? "permission denied" : "out of memory");
	if (c->argc == 0 || !qemu_is_qemu(pid, c)) {
		qemu_cmdline_free(c);
		return qemu_err(errbuf, MF_ERR_ARG, "process %d is not a qemu-system process", (int)pid);
	}
	if (name_arg != NULL && strcmp(c->name, name_arg) != 0) {
		r = qemu_err(errbuf, MF_ERR_ARG, "qemu process %d has %s%s%s, not -name %s", (int)pid,
		             c->has_name ? "-name '" : "no -name", c->name, c->has_name ? "'" : "", name_arg);
		qemu_cmdline_free(c);
		return r;
	}
	*out = pid;
	*cmd = c;
	return 0;
}

/* Pick the QEMU process from pid= / name= / nothing. */
static int
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
			return qemu_err(errbuf, MF_ERR_ARG, "invalid pid '%s'", pid_arg);
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
			return qemu_err(errbuf, MF_ERR_NOTFOUND, "no QEMU process with -name %s", name_arg);
		}
		if (hits > 1) {
			struct qemu_cand same[QEMU_MAX_CANDS];
			size_t k = 0;

			for (i = 0; i < n && i < QEMU_MAX_CANDS; i++)
				if (cands[i].has_name && strcmp(cands[i].name, name_arg) == 0)
					same[k++] = cands[i];
			qemu_cand_list(same, k, k, list, 160);
			return qemu_err(errbuf, MF_ERR_ARG, "%zu QEMU processes have -name %s, give pid=: %s",
			                hits, name_arg, list);
		}
		return qemu_find_pid(cands[hit].pid, NULL, out, cmd, errbuf);
	}
	if (n == 0)
		return qemu_err(errbuf, MF_ERR_NOTFOUND, "no running QEMU process found");
	if (n > 1) {
		qemu_cand_list(cands, n, n < QEMU_MAX_CANDS ? n : QEMU_MAX_CANDS, list, 180);
		return qemu_err(errbuf, MF_ERR_ARG, "%zu QEMU processes are running, choose one with "
		                "pid= or name=: %s", n, list);
	}
	return qemu_find_pid(cands[0].pid, NULL, out, cmd, errbuf);
}

/* ---- layouts --------------------------------------------------------------------------- */

static int
qemu_region_cmp(const void *a, const void *b)
{
	const struct qemu_region *x = a, *y = b;

	return x->gpa < y->gpa ? -1 : x->gpa > y->gpa;
}

/* Sort, reject overlaps, merge adjacent pieces of one region, cut out the VGA window. */
static int
qemu_regions_finish(struct qemu_region *reg, size_t cap, size_t *n, char *errbuf)
{
	size_t i, k = 0;

	qsort(reg, *n, sizeof *reg, qemu_region_cmp);
	for (i = 0; i < *n; i++) {
		struct qemu_region *p = k ? &reg[k - 1] : NULL;

		if (p != NULL && reg[i].gpa < p->gpa + p->size)
			return qemu_err(errbuf, MF_ERR_FORMAT, "overlapping memory ranges at 0x%" PRIx64,
			                reg[i].gpa);
		if (p != NULL && reg[i].gpa == p->gpa + p->size && strcmp(p->name, reg[i].name) == 0 &&
		    reg[i].offset == p->offset + p->size && reg[i].readonly == p->readonly) {
			p->size += reg[i].size;
			continue;
		}
		reg[k++] = reg[i];
	}
	*n = k;
	/* the VGA window is MMIO to the guest even where QEMU has bytes behind it */
	for (i = 0; i < *n; i++) {
		struct qemu_region *r = &reg[i];
		uint64_t end = r->gpa + r->size;

		if (end <= QEMU_VGA_START || r->gpa >= QEMU_VGA_END)
			continue;
		if (r->gpa < QEMU_VGA_START && end > QEMU_VGA_END) {
			if (*n >= cap)
				return qemu_err(errbuf, MF_ERR_LIMIT, "more than %zu memory ranges", cap);
			memmove(r + 1, r, (*n - i) * sizeof *r);
			(*n)++;
			r->size = QEMU_VGA_START - r->gpa;
			r[1].offset += QEMU_VGA_END - r[1].gpa;
			r[1].size = end - QEMU_VGA_END;
			r[1].gpa = QEMU_VGA_END;
			i++;
		} else if (r->gpa < QEMU_VGA_START) {
			r->size = QEMU_VGA_START - r->gpa;
		} else if (end > QEMU_VGA_END) {
			r->offset += QEMU_VGA_END - r->gpa;
			r->size = end - QEMU_VGA_END;
			r->gpa = QEMU_VGA_END;
		} else {
			memmove(r, r + 1, (*n - i - 1) * sizeof *r);
			(*n)--;
			i--;
		}
	}
	return 0;
}

/* One flat-view line: "  START-END (prio P, TYPE): NAME[ @OFFSET][ ...]". */
static int
qemu_mtree_line(const char *line, struct qemu_region *r)
{
	unsigned long long start, end, off = 0;
	char type[16], name[64];
	const char *at;
	int prio, used = 0;

	if (sscanf(line, " %llx-%llx (prio %d, %15[^)]): %n", &start, &end, &prio, type, &used) < 4 ||
	    used == 0)
		return 0;
	if (strcmp(type, "ram") != 0 && strcmp(type, "rom") != 0 && strcmp(type, "romd") != 0)
		return 0;
	if (end < start || end == UINT64_MAX)
		return -1;
	if (sscanf(line + used, "%63s", name) != 1)
		return -1;
	at = strstr(line + used, " @");
	if (at != NULL && sscanf(at + 2, "%llx", &off) != 1)
		return -1;
	memset(r, 0, sizeof *r);
	r->gpa = start;
	r->size = end - start + 1;
	r->offset = off;
	r->readonly = strcmp(type, "ram") != 0;
	snprintf(r->name, sizeof r->name, "%s", name);
	return 1;
}

int
qemu_parse_mtree(const char *text, struct qemu_region *reg, size_t cap, size_t *n, char *errbuf)
{
	const char *p = text;
	int in_view = 0, system = 0, in_ranges = 0, found = 0;

	*n = 0;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char line[512];

		if (len >= sizeof line)
			len = sizeof line - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		if (len > 0 && line[len - 1] == '\r')
			line[len - 1] = '\0';
		p = eol ? eol + 1 : p + strlen(p);

		if (strncmp(line, "FlatView #", 10) == 0) {
			if (found)
				break;   /* the system view is done */
			in_view = 1;
			system = 0;
			in_ranges = 0;
			continue;
		}
		if (!in_view)
			continue;
		if (strncmp(line, " AS \"memory\"", 12) == 0) {
			system = 1;
			continue;
		}
		if (strncmp(line, " Root memory region:", 20) == 0) {
			in_ranges = system;
			found |= system;
			continue;
		}
		if (!in_ranges)
			continue;
		if (line[0] == '\0') {
			in_ranges = 0;
			continue;
		}
		if (*n >= cap)
			return qemu_err(errbuf, MF_ERR_LIMIT, "more than %zu memory ranges in info mtree", cap);
		switch (qemu_mtree_line(line, &reg[*n])) {
		case 1:
			(*n)++;
			break;
		case -1:
			return qemu_err(errbuf, MF_ERR_FORMAT, "cannot parse info mtree line '%.80s'", line);
		default:
			break;
		}
	}
	if (!found)
		return qemu_err(errbuf, MF_ERR_FORMAT, "info mtree -f has no flat view of AS \"memory\"");
	if (*n == 0)
		return qemu_err(errbuf, MF_ERR_FORMAT, "info mtree -f shows no RAM in the system address space");
	return qemu_regions_finish(reg, cap, n, errbuf);
}

/* The hex value after "KEY=" (KEY preceded by start of text or a blank), 1 if found. */
static int
qemu_reg_value(const char *text, const char *key, uint64_t *v)
{
	size_t kl = strlen(key);
	const char *p = text;

	while ((p = strstr(p, key)) != NULL) {
		if ((p == text || p[-1] == ' ' || p[-1] == '\n') && p[kl] == '=') {
			char *end;
			unsigned long long x;

			errno = 0;
			x = strtoull(p + kl + 1, &end, 16);
			if (errno == 0 && end != p + kl + 1) {
				*v = x;
				return 1;
			}
		}
		p += kl;
	}
	return 0;
}

int
qemu_parse_regs(const char *text, uint32_t *arch, uint64_t *dtb, char *errbuf)
{
	uint64_t cr0, cr3, cr4, efer = 0;

	if (!qemu_reg_value(text, "CR0", &cr0) || !qemu_reg_value(text, "CR3", &cr3) ||
	    !qemu_reg_value(text, "CR4", &cr4))
		return qemu_err(errbuf, MF_ERR_UNSUPPORTED, "info registers shows no CR0/CR3/CR4 "
		                "(not an x86 guest)");
	qemu_reg_value(text, "EFER", &efer);
	*dtb = cr3 & ~0xfffull;
	if (!(cr0 & (1ull << 31)))
		*arch = MF_ARCH_UNKNOWN;       /* paging off: no page tables to walk */
	else if (efer & (1ull << 10))
		*arch = cr4 & (1ull << 12) ? MF_ARCH_X86_64_LA57 : MF_ARCH_X86_64;
	else if (cr4 & (1ull << 5))
		*arch = MF_ARCH_X86_PAE;
	else
		*arch = MF_ARCH_X86_32;
	if (*arch == MF_ARCH_X86_PAE)
		*dtb = cr3 & ~0x1full;         /* PAE: the PDPT is 32-byte aligned */
	return 0;
}

int
qemu_layout_guess(const char *prog, const char *machine, uint64_t ram, struct qemu_region *reg,
                  size_t cap, size_t *n, char *errbuf)
{
	const char *base = prog ? strrchr(prog, '/') : NULL;
	uint64_t low = ram, lowmem;

	base = base ? base + 1 : (prog ? prog : "");
	*n = 0;
	if (cap < 3)
		return qemu_err(errbuf, MF_ERR_LIMIT, "no room for the layout");
	if (strstr(base, "aarch64") != NULL || strstr(base, "-arm") != NULL) {
		if (machine == NULL || strncmp(machine, "virt", 4) != 0)
			return qemu_err(errbuf, MF_ERR_UNSUPPORTED, "no known RAM layout for machine '%s' "
			                "without QMP (give qmp=)", machine ? machine : "(default)");
		reg[0] = (struct qemu_region){ .gpa = 0x40000000, .size = ram, .name = "mach-virt.ram" };
		*n = 1;
		return 0;
	}
	if (strstr(base, "x86_64") == NULL && strstr(base, "i386") == NULL && strcmp(base, "qemu-kvm") != 0)
		return qemu_err(errbuf, MF_ERR_UNSUPPORTED, "no known RAM layout for %s without QMP "
		                "(give qmp=)", base);
	if (machine == NULL || strcmp(machine, "pc") == 0 || strncmp(machine, "pc-i440fx", 9) == 0 ||
	    (strncmp(machine, "pc-", 3) == 0 && strstr(machine, "q35") == NULL)) {
		/* hw/i386/pc_piix.c: 3.5 GiB below 4 GiB, or 3 GiB (gigabyte_align) when RAM
		 * reaches 3.5 GiB; the rest from 4 GiB */
		lowmem = ram >= 0xe0000000ull ? 0xc0000000ull : 0xe0000000ull;
	} else if (strcmp(machine, "q35") == 0 || strstr(machine, "q35") != NULL) {
		lowmem = ram >= 0xb0000000ull ? 0x80000000ull : 0xb0000000ull;
	} else {
		return qemu_err(errbuf, MF_ERR_UNSUPPORTED, "no known RAM layout for machine '%s' "
		                "without QMP (give qmp=)", machine);
	}
	if (low > lowmem)
		low = lowmem;
	reg[(*n)++] = (struct qemu_region){ .gpa = 0, .size = low, .name = "pc.ram" };
	if (ram > low)
		reg[(*n)++] = (struct qemu_region){ .gpa = 1ull << 32, .size = ram - low, .offset = low,
		                                    .name = "pc.ram" };
	return qemu_regions_finish(reg, cap, n, errbuf);
}

/* ---- QMP ------------------------------------------------------------------------------- */

struct qemu_qmp {
	int fd;
	char *buf;          /* received, not yet consumed */
	size_t len, size;
	const char *path;
};

static void
qemu_qmp_close(struct qemu_qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	free(q->buf);
	q->buf = NULL;
	q->len = q->size = 0;
}

/* Connect to the unix socket at path (long paths through /proc/self/fd/N/NAME). */
static int
qemu_qmp_connect(struct qemu_qmp *q, const char *path, char *errbuf)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int dfd = -1, r;

	q->fd = -1;
	q->buf = NULL;
	q->len = q->size = 0;
	q->path = path;
	if (strlen(path) >= sizeof sa.sun_path) {
		char dir[PATH_MAX];
		const char *slash = strrchr(path, '/');

		if (slash == NULL || (size_t)(slash - path) >= sizeof dir)
			return qemu_err(errbuf, MF_ERR_ARG, "QMP socket path too long: %.100s...", path);
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
		dfd = open(dir[0] ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			return qemu_err(errbuf, MF_ERR_IO, "cannot open directory of QMP socket %s: %s", path,
			                strerror(errno));
		r = snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d/%s", dfd, slash + 1);
		if (r < 0 || (size_t)r >= sizeof sa.sun_path) {
			close(dfd);
			return qemu_err(errbuf, MF_ERR_ARG, "QMP socket name too long: %.100s", slash + 1);
		}
	} else {
		memcpy(sa.sun_path, path, strlen(path) + 1);
	}
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (q->fd < 0) {
		r = errno;
		if (dfd >= 0)
			close(dfd);
		return qemu_err(errbuf, MF_ERR_IO, "cannot create a socket: %s", strerror(r));
	}
	r = connect(q->fd, (struct sockaddr *)&sa, sizeof sa);
	if (r < 0) {
		int e = errno;

		if (dfd >= 0)
			close(dfd);
		close(q->fd);
		q->fd = -1;
		return qemu_err(errbuf, e == ENOENT ? MF_ERR_NOTFOUND : e == EACCES ? MF_ERR_PERM : MF_ERR_IO,
		                "cannot connect to QMP socket %s: %s", path, strerror(e));
	}
	if (dfd >= 0)
		close(dfd);
	return 0;
}

/* Next JSON message (one per line); NULL with the error in errbuf. */
static json_t *
qemu_qmp_recv(struct qemu_qmp *q, char *errbuf)
{
	for (;;) {
		char *nl = q->buf ? memchr(q->buf, '\n', q->len) : NULL;
		struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
		ssize_t n;
		int pr;

		if (nl != NULL) {
			size_t ll = (size_t)(nl - q->buf) + 1;
			json_error_t je;
			json_t *j = json_loadb(q->buf, ll, JSON_DISABLE_EOF_CHECK, &je);

			memmove(q->buf, q->buf + ll, q->len - ll);
			q->len -= ll;
			if (j == NULL || !json_is_object(j)) {
				json_decref(j);
				qemu_err(errbuf, MF_ERR_FORMAT, "QMP socket %s: not a JSON object: %s", q->path,
				         je.text);
				return NULL;
			}
			return j;
		}
		if (q->len >= QEMU_REPLY_MAX) {
			qemu_err(errbuf, MF_ERR_LIMIT, "QMP socket %s: reply longer than %u bytes", q->path,
			         QEMU_REPLY_MAX);
			return NULL;
		}
		if (q->size - q->len < 65536) {
			size_t ns = q->size ? q->size * 2 : 131072;
			char *nb = realloc(q->buf, ns);

			if (nb == NULL) {
				qemu_err(errbuf, MF_ERR_NOMEM, "QMP reply: out of memory");
				return NULL;
			}
			q->buf = nb;
			q->size = ns;
		}
		pr = poll(&pfd, 1, QEMU_QMP_TIMEOUT_MS);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0) {
			qemu_err(errbuf, MF_ERR_IO, "QMP socket %s: no answer within %d s (another client "
			         "connected?)", q->path, QEMU_QMP_TIMEOUT_MS / 1000);
			return NULL;
		}
		n = recv(q->fd, q->buf + q->len, q->size - q->len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			qemu_err(errbuf, MF_ERR_IO, "QMP socket %s: %s", q->path,
			         n == 0 ? "connection closed by QEMU" : strerror(errno));
			return NULL;
		}
		q->len += (size_t)n;
	}
}

/* Send one command; the reply's "return" (a new reference), NULL on error. */
static json_t *
qemu_qmp_cmd(struct qemu_qmp *q, json_t *cmd, char *errbuf)
{
	char *text = json_dumps(cmd, JSON_COMPACT);
	size_t len, off = 0;
	const char *what = json_string_value(json_object_get(cmd, "execute"));

	json_decref(cmd);
	if (text == NULL) {
		qemu_err(errbuf, MF_ERR_NOMEM, "QMP command: out of memory");
		return NULL;
	}
	len = strlen(text);
	text[len++] = '\n';   /* json_dumps leaves room for the NUL we replace */
	while (off < len) {
		ssize_t n = send(q->fd, text + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			qemu_err(errbuf, MF_ERR_IO, "QMP socket %s: cannot send: %s", q->path, strerror(errno));
			free(text);
			return NULL;
		}
		off += (size_t)n;
	}
	free(text);
	for (;;) {
		json_t *m = qemu_qmp_recv(q, errbuf), *ret, *err;

		if (m == NULL)
			return NULL;
		if ((ret = json_object_get(m, "return")) != NULL) {
			json_incref(ret);
			json_decref(m);
			return ret;
		}
		if ((err = json_object_get(m, "error")) != NULL) {
			qemu_err(errbuf, MF_ERR_IO, "QMP command %s failed: %s: %s", what ? what : "?",
			         json_string_value(json_object_get(err, "class")) ?: "?",
			         json_string_value(json_object_get(err, "desc")) ?: "?");
			json_decref(m);
			return NULL;
		}
		json_decref(m);   /* an event */
	}
}

/* Greeting and capabilities negotiation. */
static int
qemu_qmp_start(struct qemu_qmp *q, char *errbuf)
{
	json_t *g = qemu_qmp_recv(q, errbuf), *r;

	if (g == NULL)
		return MF_ERR_IO;
	if (json_object_get(g, "QMP") == NULL) {
		json_decref(g);
		return qemu_err(errbuf, MF_ERR_FORMAT, "%s is not a QMP socket (no greeting)", q->path);
	}
	json_decref(g);
	r = qemu_qmp_cmd(q, json_pack("{s:s}", "execute", "qmp_capabilities"), errbuf);
	if (r == NULL)
		return MF_ERR_IO;
	json_decref(r);
	return 0;
}

/* One HMP command; its text (malloc'd, caller frees), NULL on error. */
static char *
qemu_hmp(struct qemu_qmp *q, const char *cmdline, char *errbuf)
{
	json_t *r = qemu_qmp_cmd(q, json_pack("{s:s,s:{s:s}}", "execute", "human-monitor-command",
	                                      "arguments", "command-line", cmdline), errbuf);
	char *s;

	if (r == NULL)
		return NULL;
	if (!json_is_string(r)) {
		json_decref(r);
		qemu_err(errbuf, MF_ERR_FORMAT, "QMP: human-monitor-command '%s' did not return text", cmdline);
		return NULL;
	}
	s = strdup(json_string_value(r));
	json_decref(r);
	if (s == NULL)
		qemu_err(errbuf, MF_ERR_NOMEM, "QMP reply: out of memory");
	return s;
}

/* gpa2hva: host address of gpa and the name of its memory region. */
static int
qemu_gpa2hva(struct qemu_qmp *q, uint64_t gpa, const char *want, uint64_t *hva, char *errbuf)
{
	char cmd[64], name[64];
	unsigned long long a, h;
	char *t;
	int ok;

	snprintf(cmd, sizeof cmd, "gpa2hva 0x%" PRIx64, gpa);
	t = qemu_hmp(q, cmd, errbuf);
	if (t == NULL)
		return MF_ERR_IO;
	ok = sscanf(t, "Host virtual address for %llx (%63[^)]) is %llx", &a, name, &h) == 3 && a == gpa;
	if (!ok) {
		size_t l = strcspn(t, "\r\n");

		qemu_err(errbuf, MF_ERR_FORMAT, "QMP: gpa2hva 0x%" PRIx64 " answered '%.*s'", gpa,
		         (int)(l > 120 ? 120 : l), t);
		free(t);
		return MF_ERR_FORMAT;
	}
	free(t);
	if (strcmp(name, want) != 0)
		return qemu_err(errbuf, MF_ERR_FORMAT, "QMP: gpa2hva 0x%" PRIx64 " is in %s, info mtree "
		                "said %s", gpa, name, want);
	*hva = h;
	return 0;
}

/* ---- the connector --------------------------------------------------------------------- */

struct qemu {
	const struct mf_host *host;
	pid_t pid;
	int writable;
	size_t n;
	struct qemu_region reg[QEMU_MAX_REGIONS];
	struct mf_range ranges[QEMU_MAX_REGIONS];
};

/* The QMP socket of `-qmp unix:PATH[,...]` on the command line, relative paths resolved
 * against QEMU's working directory.  1 if found (path in out). */
static int
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

/* Layout from QMP: info mtree -f, then gpa2hva for each memory block. */
static int
qemu_layout_qmp(struct qemu *q, struct qemu_qmp *m, char *errbuf)
{
	char *t = qemu_hmp(m, "info mtree -f", errbuf);
	size_t i, j;
	int r;

	if (t == NULL)
		return MF_ERR_IO;
	r = qemu_parse_mtree(t, q->reg, QEMU_MAX_REGIONS, &q->n, errbuf);
	free(t);
	if (r < 0)
		return r;
	for (i = 0; i < q->n; i++) {
		uint64_t hva;

		for (j = 0; j < i; j++)
			if (strcmp(q->reg[j].name, q->reg[i].name) == 0)
				break;
		if (j < i) {   /* same block: same base */
			q->reg[i].hva = q->reg[j].hva - q->reg[j].offset + q->reg[i].offset;
			continue;
		}
		r = qemu_gpa2hva(m, q->reg[i].gpa, q->reg[i].name, &hva, errbuf);
		if (r < 0)
			return r;
		q->reg[i].hva = hva;
	}
	return 0;
}

/* Layout from /proc/PID/maps and -m: the one rw mapping of the RAM size. */
static int
qemu_layout_maps(struct qemu *q, const struct qemu_cmdline *c, uint64_t *ram_out, char *errbuf)
{
	const char *m = qemu_opt(c->argv, c->argc, "-m"), *mach = qemu_opt(c->argv, c->argc, "-machine");
	char sz[64], type[64], path[64], *maps, *line, *save = NULL;
	uint64_t ram = 128ull << 20, base = 0;
	int found = 0, r;
	ssize_t len;
	size_t i;

	if (mach == NULL)
		mach = qemu_opt(c->argv, c->argc, "-M");
	if (m != NULL) {
		if (!qemu_opt_value(m, "size", sz, sizeof sz))
			return qemu_err(errbuf, MF_ERR_FORMAT, "cannot find the RAM size in -m %.64s", m);
		r = qemu_parse_size(sz, &ram);
		if (r < 0 || ram == 0)
			return qemu_err(errbuf, MF_ERR_FORMAT, "invalid RAM size in -m %.64s", m);
	}
	if (mach != NULL && !qemu_opt_value(mach, "type", type, sizeof type))
		mach = NULL;
	r = qemu_layout_guess(c->argv[0], mach ? type : NULL, ram, q->reg, QEMU_MAX_REGIONS, &q->n, errbuf);
	if (r < 0)
		return r;
	snprintf(path, sizeof path, "/proc/%d/maps", (int)q->pid);
	len = qemu_slurp(path, 64u << 20, &maps);
	if (len < 0)
		return qemu_err(errbuf, len == -EACCES || len == -EPERM ? MF_ERR_PERM : MF_ERR_IO,
		                "cannot read %s: %s", path, strerror((int)-len));
	for (line = strtok_r(maps, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long s, e, off;
		char perms[8];
		int used = 0;

		if (sscanf(line, "%llx-%llx %7s %llx %*s %*s%n", &s, &e, perms, &off, &used) < 4 || used == 0)
			continue;
		if (e - s != ram || strncmp(perms, "rw-", 3) != 0)
			continue;
		while (line[used] == ' ')
			used++;
		/* anonymous RAM, or a memory backend's file / memfd */
		if (line[used] != '\0' && line[used] == '[')
			continue;
		if (line[used] != '\0' && perms[3] == 'p' && line[used] == '/' && strstr(line + used, ".so"))
			continue;
		if (found && base != s) {
			free(maps);
			return qemu_err(errbuf, MF_ERR_GENERIC, "cannot tell guest RAM in %s: several rw "
			                "mappings of %" PRIu64 " bytes (give qmp=)", path, ram);
		}
		base = s;
		found = 1;
	}
	free(maps);
	if (!found)
		return qemu_err(errbuf, MF_ERR_NOTFOUND, "cannot find guest RAM in %s: no rw mapping of "
		                "%" PRIu64 " bytes (-m %s; give qmp=)", path, ram, m ? m : "default");
	for (i = 0; i < q->n; i++)
		q->reg[i].hva = base + q->reg[i].offset;
	*ram_out = ram;
	return 0;
}

static int
qemu_open(const struct mf_host *host, const struct mf_args *args, int writable,
          struct mf_hints *hints, void **handle, char *errbuf)
{
	const char *name = host->arg(args, "name"), *pid_arg = host->arg(args, "pid");
	const char *qmp_arg = host->arg(args, "qmp"), *map = host->arg(args, "map");
	struct qemu_cmdline *c = NULL;
	struct qemu_qmp m = { .fd = -1 };
	char qmp_path[PATH_MAX], layout[2048];
	int have_qmp = 0, use_qmp_map, r;
	uint64_t ram = 0;
	struct qemu *q;
	size_t i, ll = 0;
	pid_t pid;

	*handle = NULL;
	if (name == NULL && args != NULL && args->def != NULL)
		name = args->def;
	if (map == NULL)
		map = "auto";
	if (strcmp(map, "auto") != 0 && strcmp(map, "qmp") != 0 && strcmp(map, "maps") != 0)
		return qemu_err(errbuf, MF_ERR_ARG, "invalid map '%s' (auto, qmp or maps)", map);
	r = qemu_find(pid_arg, name, &pid, &c, errbuf);
	if (r < 0)
		return r;
	q = calloc(1, sizeof *q);
	if (q == NULL) {
		qemu_cmdline_free(c);
		return qemu_err(errbuf, MF_ERR_NOMEM, "out of memory");
	}
	q->host = host;
	q->pid = pid;
	q->writable = writable;

	/* QMP: given, else the command line's -qmp unix: socket */
	if (qmp_arg != NULL) {
		snprintf(qmp_path, sizeof qmp_path, "%s", qmp_arg);
		r = qemu_qmp_connect(&m, qmp_path, errbuf);
		if (r == 0)
			r = qemu_qmp_start(&m, errbuf);
		if (r < 0)
			goto fail;
		have_qmp = 1;
	} else if (qemu_cmdline_qmp(pid, c, qmp_path, sizeof qmp_path)) {
		char why[MF_ERRBUF_SIZE];

		r = qemu_qmp_connect(&m, qmp_path, why);
		if (r == 0)
			r = qemu_qmp_start(&m, why);
		if (r == 0) {
			have_qmp = 1;
		} else {
			host->log(1, "qemu: no QMP (%s)", why);
			qemu_qmp_close(&m);
		}
	} else {
		host->log(1, "qemu: no QMP socket (no qmp= and no -qmp unix: on the command line of %d)",
		          (int)pid);
	}
	if (!have_qmp && strcmp(map, "qmp") == 0) {
		r = qemu_err(errbuf, MF_ERR_ARG, "map=qmp needs a QMP socket (qmp=PATH)");
		goto fail;
	}
	use_qmp_map = have_qmp && strcmp(map, "maps") != 0;
	if (use_qmp_map) {
		r = qemu_layout_qmp(q, &m, errbuf);
		if (r < 0)
			goto fail;
		host->log(1, "qemu: guest RAM layout of pid %d from QMP (info mtree -f, gpa2hva) on %s",
		          (int)pid, qmp_path);
	} else {
		r = qemu_layout_maps(q, c, &ram, errbuf);
		if (r < 0)
			goto fail;
		host->log(1, "qemu: guest RAM layout of pid %d from /proc/%d/maps and -m (%" PRIu64
		          " bytes)", (int)pid, (int)pid, ram);
	}
	for (i = 0; i < q->n; i++) {
		int w;

		q->ranges[i].base = q->reg[i].gpa;
		q->ranges[i].size = q->reg[i].size;
		w = snprintf(layout + ll, sizeof layout - ll, "%s0x%" PRIx64 "-0x%" PRIx64 " %s@0x%" PRIx64
		             "%s hva 0x%" PRIx64, i ? "\n" : "", q->reg[i].gpa, q->reg[i].gpa + q->reg[i].size,
		             q->reg[i].name, q->reg[i].offset, q->reg[i].readonly ? " ro" : "", q->reg[i].hva);
		if (w > 0 && (size_t)w < sizeof layout - ll)
			ll += (size_t)w;
		host->log(2, "qemu: 0x%" PRIx64 "-0x%" PRIx64 " %s @0x%" PRIx64 " at host 0x%" PRIx64,
		          q->reg[i].gpa, q->reg[i].gpa + q->reg[i].size, q->reg[i].name, q->reg[i].offset,
		          q->reg[i].hva);
	}

	/* hints */
	host->hint_set_u64(hints, "live", 1);
	host->hint_set_str(hints, "format", "qemu");
	host->hint_set_u64(hints, "qemu_pid", (uint64_t)pid);
	if (c->has_name)
		host->hint_set_str(hints, "guest_name", c->name);
	host->hint_set_str(hints, "qemu_map", use_qmp_map ? "qmp" : "maps");
	host->hint_set_str(hints, "qemu_layout", layout);
	if (have_qmp) {
		char why[MF_ERRBUF_SIZE];
		char *t = qemu_hmp(&m, "info registers", errbuf);
		uint32_t arch;
		uint64_t dtb;

		if (t == NULL) {
			r = MF_ERR_IO;
			goto fail;
		}
		r = qemu_parse_regs(t, &arch, &dtb, why);
		free(t);
		if (r < 0) {
			host->log(1, "qemu: no arch/dtb hints: %s", why);
		} else if (arch == MF_ARCH_UNKNOWN) {
			host->log(1, "qemu: no arch/dtb hints: CPU 0 has paging disabled");
		} else {
			host->hint_set_str(hints, "arch", host->arch_name(arch));
			host->hint_set_u64(hints, "dtb", dtb);
			if (arch == MF_ARCH_X86_64 || arch == MF_ARCH_X86_64_LA57)
				host->hint_set_u64(hints, "kernel_dtb", dtb);
			host->log(1, "qemu: CPU 0: %s, CR3 0x%" PRIx64, host->arch_name(arch), dtb);
		}
	} else {
		host->log(1, "qemu: no QMP: no arch or dtb hints (give qmp=PATH)");
	}
	qemu_qmp_close(&m);
	qemu_cmdline_free(c);
	*handle = q;
	return 0;
fail:
	qemu_qmp_close(&m);
	qemu_cmdline_free(c);
	free(q);
	return r;
}

static void
qemu_close(void *handle)
{
	free(handle);
}

static size_t
qemu_ranges(void *handle, const struct mf_range **out)
{
	struct qemu *q = handle;

	*out = q->ranges;
	return q->n;
}

/* ---- memory I/O ------------------------------------------------------------------------ */

static void
qemu_perm_msg(char *errbuf, int wr, pid_t pid)
{
	char *scope = NULL;
	ssize_t n = qemu_slurp("/proc/sys/kernel/yama/ptrace_scope", 16, &scope);
	int s = n > 0 && scope[0] >= '0' && scope[0] <= '3' ? scope[0] - '0' : -1;

	free(scope);
	if (s >= 0)
		qemu_err(errbuf, MF_ERR_PERM, "cannot %s memory of qemu process %d: permission denied "
		         "(needs CAP_SYS_PTRACE or ptrace rights over it; kernel.yama.ptrace_scope is %d)",
		         wr ? "write" : "read", (int)pid, s);
	else
		qemu_err(errbuf, MF_ERR_PERM, "cannot %s memory of qemu process %d: permission denied "
		         "(needs CAP_SYS_PTRACE or ptrace rights over it)", wr ? "write" : "read", (int)pid);
}

/* A whole-call failure from errno, or 0 when the failure belongs to the entries. */
static int
qemu_call_err(int err, int wr, pid_t pid, char *errbuf)
{
	if (err == ESRCH)
		return qemu_err(errbuf, MF_ERR_GONE, "qemu process %d exited", (int)pid);
	if (err == EPERM || err == EACCES) {
		qemu_perm_msg(errbuf, wr, pid);
		return MF_ERR_PERM;
	}
	if (err == EFAULT || err == ENOMEM || err == EIO)
		return 0;
	return qemu_err(errbuf, MF_ERR_IO, "cannot %s memory of qemu process %d: %s",
	                wr ? "write" : "read", (int)pid, strerror(err));
}

static ssize_t
qemu_vm(int wr, pid_t pid, const struct iovec *l, const struct iovec *rmt, unsigned long n)
{
	ssize_t r;

	do {
		r = wr ? process_vm_writev(pid, l, n, rmt, n, 0) : process_vm_readv(pid, l, n, rmt, n, 0);
	} while (r < 0 && errno == EINTR);
	return r;
}

/* The region holding gpa, or NULL. */
static const struct qemu_region *
qemu_lookup(const struct qemu *q, uint64_t gpa)
{
	size_t lo = 0, hi = q->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct qemu_region *r = &q->reg[mid];

		if (gpa < r->gpa)
			hi = mid;
		else if (gpa - r->gpa >= r->size)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

struct qemu_batch {
	struct iovec local[QEMU_IOV_MAX], remote[QEMU_IOV_MAX];
	size_t owner[QEMU_IOV_MAX];
	size_t k;
	uint64_t bytes;
};

/* One piece that a batched call stopped in, from byte `from`: page by page.  Returns 0,
 * or a whole-call error; a page that cannot be transferred fails the owner entry. */
static int
qemu_piece_slow(struct qemu *q, struct qemu_batch *b, size_t p, uint64_t from, int wr,
                struct mf_iov *iov, char *errbuf)
{
	uint8_t *l = (uint8_t *)b->local[p].iov_base;
	uint64_t a = (uint64_t)(uintptr_t)b->remote[p].iov_base, len = b->local[p].iov_len;

	while (from < len) {
		uint64_t plen = QEMU_PAGE - ((a + from) & (QEMU_PAGE - 1));
		struct iovec l1, r1;
		ssize_t r;

		if (plen > len - from)
			plen = len - from;
		l1.iov_base = l + from;
		l1.iov_len = (size_t)plen;
		r1.iov_base = (void *)(uintptr_t)(a + from);
		r1.iov_len = (size_t)plen;
		r = qemu_vm(wr, q->pid, &l1, &r1, 1);
		if (r < 0) {
			int e = qemu_call_err(errno, wr, q->pid, errbuf);

			if (e < 0)
				return e;
		}
		if (r != (ssize_t)plen) {
			iov[b->owner[p]].err = MF_ERR_UNMAPPED;
			return 0;
		}
		from += plen;
	}
	return 0;
}

/* Transfer the gathered pieces; short transfers are finished page by page. */
static int
qemu_flush(struct qemu *q, struct qemu_batch *b, int wr, struct mf_iov *iov, char *errbuf)
{
	size_t s = 0;

	while (s < b->k) {
		ssize_t r = qemu_vm(wr, q->pid, b->local + s, b->remote + s, b->k - s);
		uint64_t done;
		size_t p;

		if (r < 0) {
			int e = qemu_call_err(errno, wr, q->pid, errbuf);

			if (e < 0)
				return e;
			r = 0;
		}
		done = (uint64_t)r;
		for (p = s; p < b->k && done >= b->local[p].iov_len; p++)
			done -= b->local[p].iov_len;
		if (p == b->k)
			break;
		/* stopped in piece p after `done` bytes */
		r = qemu_piece_slow(q, b, p, done, wr, iov, errbuf);
		if (r < 0)
			return (int)r;
		s = p + 1;
	}
	b->k = 0;
	b->bytes = 0;
	return 0;
}

static int
qemu_rw(struct qemu *q, struct mf_iov *iov, size_t n, int wr, char *errbuf)
{
	struct qemu_batch bb, *b = &bb;   /* 40 KiB on the stack, like the native layer's */
	size_t i;
	int r = 0;

	b->k = 0;
	b->bytes = 0;
	for (i = 0; i < n; i++) {
		uint64_t off = 0;

		iov[i].err = 0;
		if (iov[i].len == 0)
			continue;
		if (iov[i].buf == NULL) {
			iov[i].err = MF_ERR_ARG;
			continue;
		}
		if (iov[i].addr + iov[i].len < iov[i].addr) {
			iov[i].err = MF_ERR_UNMAPPED;
			continue;
		}
		/* check the whole entry first: it is either all RAM or fails */
		while (off < iov[i].len) {
			const struct qemu_region *g = qemu_lookup(q, iov[i].addr + off);

			if (g == NULL) {
				iov[i].err = MF_ERR_UNMAPPED;
				break;
			}
			if (wr && g->readonly) {
				iov[i].err = MF_ERR_READONLY;
				break;
			}
			off += g->size - (iov[i].addr + off - g->gpa);
		}
		if (iov[i].err != 0)
			continue;
		for (off = 0; off < iov[i].len; ) {
			const struct qemu_region *g = qemu_lookup(q, iov[i].addr + off);
			uint64_t in = iov[i].addr + off - g->gpa, take = g->size - in;

			if (take > iov[i].len - off)
				take = iov[i].len - off;
			if (take > QEMU_PIECE_MAX)
				take = QEMU_PIECE_MAX;
			if (b->k == QEMU_IOV_MAX || b->bytes + take > QEMU_CALL_MAX) {
				r = qemu_flush(q, b, wr, iov, errbuf);
				if (r < 0)
					goto out;
			}
			b->local[b->k].iov_base = (uint8_t *)iov[i].buf + off;
			b->local[b->k].iov_len = (size_t)take;
			b->remote[b->k].iov_base = (void *)(uintptr_t)(g->hva + in);
			b->remote[b->k].iov_len = (size_t)take;
			b->owner[b->k] = i;
			b->k++;
			b->bytes += take;
			off += take;
		}
	}
	if (b->k > 0)
		r = qemu_flush(q, b, wr, iov, errbuf);
out:
	return r;
}

static int
qemu_read(void *handle, struct mf_iov *iov, size_t n, char *errbuf)
{
	return qemu_rw(handle, iov, n, 0, errbuf);
}

static int
qemu_write(void *handle, struct mf_iov *iov, size_t n, char *errbuf)
{
	struct qemu *q = handle;

	if (!q->writable)
		return qemu_err(errbuf, MF_ERR_READONLY, "qemu process %d was not opened writable", (int)q->pid);
	return qemu_rw(q, iov, n, 1, errbuf);
}

static const char *const qemu_keys[] = { "name", "pid", "qmp", "map", NULL };

static const struct mf_connector qemu_connector = {
	MF_CONNECTOR_INIT,
	.name = "qemu",
	.description = "live guest physical memory of a running QEMU process",
	.help =
		"  name=NAME   the guest's -name (also guest=NAME,...); a number is taken as a pid\n"
		"  pid=PID     the QEMU process; with neither, the only running qemu-system-*\n"
		"  qmp=PATH    QMP unix socket (default: the -qmp unix: socket on QEMU's command line);\n"
		"              gives the exact layout (info mtree -f, gpa2hva) and arch/dtb hints\n"
		"  map=MODE    auto (QMP if available, else maps), qmp, or maps (/proc/PID/maps and -m)\n"
		"  needs ptrace rights over QEMU (same user, or CAP_SYS_PTRACE)\n",
	.keys = qemu_keys,
	.flags = MF_CONN_WRITE,
	.open = qemu_open,
	.close = qemu_close,
	.read = qemu_read,
	.write = qemu_write,
	.ranges = qemu_ranges,
};

MF_REGISTER_CONNECTOR(qemu_connector)
