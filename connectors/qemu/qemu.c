/* qemu.c: the `qemu` connector: live guest physical memory of a running QEMU process.
 *
 * Guest RAM lives in QEMU's own address space; we read and write it there with batched
 * process_vm_readv/process_vm_writev (io.c, through the process-memory engine) after
 * translating each guest physical address (GPA) to a host virtual address (HVA).  The
 * layout (layout.c) comes from QEMU itself over QMP (qmp.c: `info mtree -f` for the flat
 * view of the system address space, `gpa2hva` for the host address of each RAM block) or,
 * without QMP, from /proc/PID/maps and the -m size on the command line (find.c) with the
 * machine's known split around the PCI hole.
 *
 * The QMP socket is used only while opening (QEMU serves one QMP client at a time): the
 * layout and CPU 0's control registers are read, then the connection is closed.  This
 * file: open, close, the hints and the descriptor. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu.h"

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
		return plib_error(errbuf, MF_ERR_UNSUPPORTED, "info registers shows no CR0/CR3/CR4 "
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
		return host->error(errbuf, MF_ERR_ARG, "invalid map '%s' (auto, qmp or maps)", map);
	r = qemu_find(pid_arg, name, &pid, &c, errbuf);
	if (r < 0)
		return r;
	q = calloc(1, sizeof *q);
	if (q == NULL) {
		qemu_cmdline_free(c);
		return host->error(errbuf, MF_ERR_NOMEM, "out of memory");
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
		r = host->error(errbuf, MF_ERR_ARG, "map=qmp needs a QMP socket (qmp=PATH)");
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
