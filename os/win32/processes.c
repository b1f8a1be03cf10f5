/* processes.c: processes from the kernel's active process list.
 *
 * The list head is PsActiveProcessHead (a hint: a crash dump's debugger data, a saved
 * target record, or the PDB); without it the list is entered at the System process
 * (PsInitialSystemProcess, an export) and the head is the one entry that lies inside
 * ntoskrnl's image.  Each EPROCESS gives pid, parent pid, image name, page-table root,
 * create and exit times and the exit status of one that has exited; the full image path comes from SeAuditProcessCreationInfo (the kernel's
 * OBJECT_NAME_INFORMATION), the command line from the PEB read through the process's own
 * page tables (pluginlib/peb.c).  Walks are bounded (W32_MAX_PROCESSES, a visited set):
 * a list that loops or leads into unreadable memory ends with a warning after the
 * processes it gave. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "pluginlib/bytes.h"
#include "pluginlib/peb.h"
#include "pluginlib/seen.h"
#include "win32.h"

int
w32_process_head(struct w32 *w, char *errbuf)
{
	struct seen seen = { 0 };
	uint64_t sys, e;
	unsigned n;
	int r = MF_ERR_NOTFOUND;

	if (w->ps_active_process_head != 0)
		return 0;
	if (w->ps_initial_system_process == 0 || w32_kread_ptr(w, w->ps_initial_system_process, &sys) < 0 ||
	    !w32_kptr_ok(w, sys))
		return w->host->error(errbuf, MF_ERR_NOTFOUND,
		                      "win32: no PsActiveProcessHead (no hint, no PDB) and no readable PsInitialSystemProcess");
	e = sys + w->off[W32_EPROCESS_LINKS];
	for (n = 0; n < W32_MAX_PROCESSES; n++) {
		if (e - w->kbase < w->ksize) {
			w->ps_active_process_head = e;
			w->host->log(1, "win32: PsActiveProcessHead 0x%" PRIx64 " (the process list's entry in ntoskrnl.exe)", e);
			r = 0;
			break;
		}
		if (seen_add(&seen, e) <= 0 || w32_kread_ptr(w, e, &e) < 0 || !w32_kptr_ok(w, e))
			break;
	}
	seen_free(&seen);
	if (r < 0)
		return w->host->error(errbuf, r, "win32: the System process's list (from 0x%" PRIx64 ") leads back to no"
		                      " list head in ntoskrnl.exe", sys);
	return 0;
}

int64_t
w32_filetime_ns(uint64_t ft)
{
	const uint64_t epoch = UINT64_C(116444736000000000);   /* 1970-01-01 in FILETIME units */

	if (ft <= epoch || ft - epoch > (uint64_t)INT64_MAX / 100)
		return 0;
	return (int64_t)(ft - epoch) * 100;
}

struct w32_proc_walk {
	uint64_t only_pid;             /* UINT64_MAX: every process */
	mf_process_cb cb;
	void *ctx;
	bool found;
};

/* Read one EPROCESS and hand it on. */
static int
w32_process_emit(struct w32 *w, uint64_t ep, struct w32_proc_walk *pw)
{
	const uint64_t *o = w->off;
	uint8_t name[16] = { 0 }, b[8];
	uint64_t pid, ppid, dtb, peb = 0, create_time = 0, exit_time = 0, audit = 0;
	uint32_t exit_status = 0;
	char *path = NULL, state[2] = "";
	struct peb_info info = { 0 };
	char eb[MF_ERRBUF_SIZE];
	unsigned i;
	int r;

	if (w32_kread_ptr(w, ep + o[W32_EPROCESS_PID], &pid) < 0 || w32_kread_ptr(w, ep + o[W32_EPROCESS_PPID], &ppid) < 0 ||
	    w32_kread_ptr(w, ep + o[W32_KPROCESS_DTB], &dtb) < 0 || w32_kread(w, ep + o[W32_EPROCESS_NAME], name, 15) < 0)
		return MF_ERR_NOTMAPPED;
	if (pw->only_pid != UINT64_MAX && pid != pw->only_pid)
		return 0;
	for (i = 0; i < 15 && name[i] != 0; i++)
		if (name[i] < 0x20 || name[i] > 0x7e)
			name[i] = '?';
	if (w32_kread(w, ep + o[W32_EPROCESS_CREATE_TIME], b, 8) == 0)
		create_time = get_le64(b);
	if (w32_kread(w, ep + o[W32_EPROCESS_EXIT_TIME], b, 8) == 0)
		exit_time = get_le64(b);
	if (exit_time != 0) {
		state[0] = 'Z';   /* exited, its object still referenced */
		if (w32_kread(w, ep + o[W32_EPROCESS_EXIT_STATUS], b, 4) == 0)
			exit_status = get_le32(b);
	}
	w32_kread_ptr(w, ep + o[W32_EPROCESS_PEB], &peb);
	if (w32_kread_ptr(w, ep + o[W32_EPROCESS_AUDIT], &audit) == 0 && w32_kptr_ok(w, audit))
		peb_ustring(audit, w->is64, w32_pe_read, w, &path, eb);
	if (w32_uptr_ok(w, peb)) {
		struct w32_uspace pc = { .w = w, .sp = { .arch = w->kspace.arch, .root = w32_root_of(w->kspace.arch, dtb) } };

		if (peb_read(peb, w->is64, w32_uread, &pc, &info, eb) < 0)
			memset(&info, 0, sizeof info);
	}
	struct mf_process p = {
		.struct_size = sizeof p,
		.pid = pid,
		.ppid = ppid,
		.name = (const char *)name,
		.path = path != NULL && path[0] ? path : info.image_path != NULL ? info.image_path : "",
		.cmdline = info.cmdline != NULL ? info.cmdline : "",
		.state = state,
		.uid = -1,
		.arch = w->kspace.arch,
		.dtb = w32_root_of(w->kspace.arch, dtb),
		.addr = ep,
		.start_time = w32_filetime_ns(create_time),
		.exit_time = w32_filetime_ns(exit_time),
		/* an NTSTATUS (or the exit code), as Windows shows it: unsigned 32 bits */
		.exit_status = exit_status,
		.exited = exit_time != 0,
	};
	pw->found = true;
	r = pw->cb(pw->ctx, &p);
	free(path);
	peb_info_free(&info);
	return r;
}

static int
w32_walk(struct w32 *w, struct w32_proc_walk *pw, char *errbuf)
{
	struct seen seen = { 0 };
	uint64_t stop, e, sys;
	unsigned n = 0;
	int r;

	if ((r = w32_process_head(w, errbuf)) == 0) {
		stop = w->ps_active_process_head;
		if (w32_kread_ptr(w, stop, &e) < 0)
			return w->host->error(errbuf, MF_ERR_NOTMAPPED, "win32: PsActiveProcessHead 0x%" PRIx64 " cannot be read",
			                      stop);
	} else if (w->ps_initial_system_process != 0 && w32_kread_ptr(w, w->ps_initial_system_process, &sys) == 0 &&
	           w32_kptr_ok(w, sys)) {
		/* a list that does not lead back to its head: what can be read of it, from System */
		w->host->log(0, "%s: the list is read from the System process", errbuf);
		stop = e = sys + w->off[W32_EPROCESS_LINKS];
	} else {
		return r;
	}
	for (r = 0; r == 0; n++) {
		if (e == stop && (n > 0 || stop == w->ps_active_process_head))
			break;
		if ((r = w32_list_step(w, &seen, e, n, W32_MAX_PROCESSES, "the process list", errbuf)) <= 0)
			break;
		r = 0;
		/* the head (in ntoskrnl's image) is no process */
		if (e - w->kbase >= w->ksize &&
		    (r = w32_process_emit(w, e - w->off[W32_EPROCESS_LINKS], pw)) == MF_ERR_NOTMAPPED) {
			w->host->log(0, "win32: the process at 0x%" PRIx64 " cannot be read: the list ends there",
			             e - w->off[W32_EPROCESS_LINKS]);
			r = 0;
			break;
		}
		if (r != 0 || (pw->found && pw->only_pid != UINT64_MAX))
			break;
		if (w32_kread_ptr(w, e, &e) < 0) {
			w->host->log(0, "win32: the process list entry at 0x%" PRIx64 " cannot be read: the list ends there", e);
			break;
		}
	}
	seen_free(&seen);
	return r;
}

int
w32_processes(void *handle, mf_process_cb cb, void *ctx, char *errbuf)
{
	struct w32_proc_walk pw = { .only_pid = UINT64_MAX, .cb = cb, .ctx = ctx };

	return w32_walk(handle, &pw, errbuf);
}

int
w32_process(void *handle, uint64_t pid, mf_process_cb cb, void *ctx, char *errbuf)
{
	struct w32 *w = handle;
	struct w32_proc_walk pw = { .only_pid = pid, .cb = cb, .ctx = ctx };
	int r;

	if (pid == UINT64_MAX)
		return w->host->error(errbuf, MF_ERR_NOTFOUND, "no process %" PRIu64, pid);
	if ((r = w32_walk(w, &pw, errbuf)) < 0)
		return r;
	if (!pw.found)
		return w->host->error(errbuf, MF_ERR_NOTFOUND, "no process %" PRIu64, pid);
	return r;
}

struct w32_pobj {
	uint64_t ep, dtb;
};

static int
w32_pobj_cb(void *ctx, const struct mf_process *p)
{
	struct w32_pobj *o = ctx;

	o->ep = p->addr;
	o->dtb = p->dtb;
	return 0;
}

int
w32_process_object(struct w32 *w, uint64_t pid, uint64_t *ep, uint64_t *dtb, char *errbuf)
{
	struct w32_pobj o = { 0 };
	int r;

	if ((r = w32_process(w, pid, w32_pobj_cb, &o, errbuf)) < 0)
		return r;
	*ep = o.ep;
	if (dtb != NULL)
		*dtb = o.dtb;
	return 0;
}
