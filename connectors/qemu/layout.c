/* layout.c: where guest physical memory is inside QEMU: the flat view of the system
 * address space from QMP (`info mtree -f`, `gpa2hva` for each RAM block), or without QMP
 * the RAM mapping in /proc/PID/maps with the machine's known split around the PCI hole. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu.h"

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
			return plib_error(errbuf, MF_ERR_FORMAT, "overlapping memory ranges at 0x%" PRIx64,
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
				return plib_error(errbuf, MF_ERR_LIMIT, "more than %zu memory ranges", cap);
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
			return plib_error(errbuf, MF_ERR_LIMIT, "more than %zu memory ranges in info mtree", cap);
		switch (qemu_mtree_line(line, &reg[*n])) {
		case 1:
			(*n)++;
			break;
		case -1:
			return plib_error(errbuf, MF_ERR_FORMAT, "cannot parse info mtree line '%.80s'", line);
		default:
			break;
		}
	}
	if (!found)
		return plib_error(errbuf, MF_ERR_FORMAT, "info mtree -f has no flat view of AS \"memory\"");
	if (*n == 0)
		return plib_error(errbuf, MF_ERR_FORMAT, "info mtree -f shows no RAM in the system address space");
	return qemu_regions_finish(reg, cap, n, errbuf);
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
		return plib_error(errbuf, MF_ERR_LIMIT, "no room for the layout");
	if (strstr(base, "aarch64") != NULL || strstr(base, "-arm") != NULL) {
		if (machine == NULL || strncmp(machine, "virt", 4) != 0)
			return plib_error(errbuf, MF_ERR_UNSUPPORTED, "no known RAM layout for machine '%s' "
			                  "without QMP (give qmp=)", machine ? machine : "(default)");
		reg[0] = (struct qemu_region){ .gpa = 0x40000000, .size = ram, .name = "mach-virt.ram" };
		*n = 1;
		return 0;
	}
	if (strstr(base, "x86_64") == NULL && strstr(base, "i386") == NULL && strcmp(base, "qemu-kvm") != 0)
		return plib_error(errbuf, MF_ERR_UNSUPPORTED, "no known RAM layout for %s without QMP "
		                  "(give qmp=)", base);
	if (machine == NULL || strcmp(machine, "pc") == 0 || strncmp(machine, "pc-i440fx", 9) == 0 ||
	    (strncmp(machine, "pc-", 3) == 0 && strstr(machine, "q35") == NULL)) {
		/* hw/i386/pc_piix.c: 3.5 GiB below 4 GiB, or 3 GiB (gigabyte_align) when RAM
		 * reaches 3.5 GiB; the rest from 4 GiB */
		lowmem = ram >= 0xe0000000ull ? 0xc0000000ull : 0xe0000000ull;
	} else if (strcmp(machine, "q35") == 0 || strstr(machine, "q35") != NULL) {
		lowmem = ram >= 0xb0000000ull ? 0x80000000ull : 0xb0000000ull;
	} else {
		return plib_error(errbuf, MF_ERR_UNSUPPORTED, "no known RAM layout for machine '%s' "
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

/* info mtree -f, then gpa2hva for each memory block. */
int
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
		uint64_t hva = 0;

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

/* The RAM size (-m) and the layout guessed for it (-machine), hva left 0. */
int
qemu_layout_ram(struct qemu *q, const struct qemu_cmdline *c, uint64_t *ram_out, char *errbuf)
{
	const char *m = qemu_opt(c->argv, c->argc, "-m"), *mach = qemu_opt(c->argv, c->argc, "-machine");
	char sz[64], type[64];
	uint64_t ram = 128ull << 20;
	int r;

	if (mach == NULL)
		mach = qemu_opt(c->argv, c->argc, "-M");
	if (m != NULL) {
		if (!qemu_opt_value(m, "size", sz, sizeof sz))
			return q->host->error(errbuf, MF_ERR_FORMAT, "cannot find the RAM size in -m %.64s", m);
		r = qemu_parse_size(sz, &ram);
		if (r < 0 || ram == 0)
			return q->host->error(errbuf, MF_ERR_FORMAT, "invalid RAM size in -m %.64s", m);
	}
	if (mach != NULL && !qemu_opt_value(mach, "type", type, sizeof type))
		mach = NULL;
	r = qemu_layout_guess(c->argv[0], mach ? type : NULL, ram, q->reg, QEMU_MAX_REGIONS, &q->n, errbuf);
	if (r < 0)
		return r;
	*ram_out = ram;
	return 0;
}

int
qemu_maps_ram(const struct mf_host *host, const char *path, char *maps, uint64_t ram, uint64_t *base_out,
              char *errbuf)
{
	char *line, *save = NULL;
	uint64_t base = 0;
	int found = 0;

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
		if (found && base != s)
			return host->error(errbuf, MF_ERR_GENERIC, "cannot tell guest RAM in %s: several rw "
			                   "mappings of %" PRIu64 " bytes (give qmp=)", path, ram);
		base = s;
		found = 1;
	}
	if (!found)
		return MF_ERR_NOTFOUND;
	*base_out = base;
	return 0;
}

/* The one rw mapping of the RAM size (-m) in /proc/PID/maps. */
int
qemu_layout_maps(struct qemu *q, const struct qemu_cmdline *c, uint64_t *ram_out, char *errbuf)
{
	const char *m = qemu_opt(c->argv, c->argc, "-m");
	char path[64], *maps;
	uint64_t ram = 0, base = 0;
	int r;
	ssize_t len;
	size_t i;

	if ((r = qemu_layout_ram(q, c, &ram, errbuf)) < 0)
		return r;
	snprintf(path, sizeof path, "/proc/%d/maps", (int)q->pid);
	len = fio_read_file(path, 64u << 20, &maps);
	if (len < 0)
		return q->host->error_errno(errbuf, len == -EACCES || len == -EPERM ? MF_ERR_PERM : MF_ERR_IO, (int)-len,
		                            "cannot read %s", path);
	r = qemu_maps_ram(q->host, path, maps, ram, &base, errbuf);
	free(maps);
	if (r == MF_ERR_NOTFOUND)
		return q->host->error(errbuf, MF_ERR_NOTFOUND, "cannot find guest RAM in %s: no rw mapping of "
		                      "%" PRIu64 " bytes (-m %s; give qmp=)", path, ram, m ? m : "default");
	if (r < 0)
		return r;
	for (i = 0; i < q->n; i++)
		q->reg[i].hva = base + q->reg[i].offset;
	*ram_out = ram;
	return 0;
}

/* Binary search: the regions are sorted and do not overlap. */
const struct qemu_region *
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

