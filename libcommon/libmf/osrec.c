/* osrec.c: the records every tool writes for os objects, so the fields agree everywhere. */
#include "mf-int.h"

MF_API int
mf_process_rec(const struct mf_process *p, struct mf_rec *r)
{
	int e;

	mf_rec_reset(r, "process");
	if ((e = mf_rec_add_uint(r, "pid", p->pid)) < 0 ||
	    (e = mf_rec_add_uint(r, "ppid", p->ppid)) < 0 ||
	    (e = mf_rec_add_str(r, "name", p->name ? p->name : "")) < 0 ||
	    (e = mf_rec_add_str(r, "path", p->path ? p->path : "")) < 0 ||
	    (e = mf_rec_add_str(r, "cmdline", p->cmdline ? p->cmdline : "")) < 0 ||
	    (e = mf_rec_add_str(r, "state", p->state ? p->state : "")) < 0)
		return e;
	if (p->uid >= 0 && (e = mf_rec_add_int(r, "uid", p->uid)) < 0)
		return e;
	if ((e = mf_rec_add_str(r, "arch", mf_arch_name(p->arch))) < 0 ||
	    (e = mf_rec_add_addr(r, "dtb", p->dtb)) < 0 ||
	    (e = mf_rec_add_addr(r, "addr", p->addr)) < 0)
		return e;
	if ((p->start_time != 0 && (e = mf_rec_add_time(r, "start_time", p->start_time)) < 0) ||
	    (p->exit_time != 0 && (e = mf_rec_add_time(r, "exit_time", p->exit_time)) < 0) ||
	    (p->exited && (e = mf_rec_add_int(r, "exit_status", p->exit_status)) < 0))
		return e;
	return 0;
}

MF_API int
mf_module_rec(const struct mf_module *m, struct mf_rec *r)
{
	int e;

	mf_rec_reset(r, "module");
	if ((e = mf_rec_add_uint(r, "pid", m->pid)) < 0 ||
	    (e = mf_rec_add_str(r, "name", m->name ? m->name : "")) < 0 ||
	    (e = mf_rec_add_str(r, "path", m->path ? m->path : "")) < 0 ||
	    (e = mf_rec_add_addr(r, "base", m->base)) < 0 ||
	    (e = mf_rec_add_addr(r, "size", m->size)) < 0 ||
	    (e = mf_rec_add_str(r, "arch", mf_arch_name(m->arch))) < 0)
		return e;
	if ((m->format != NULL && m->format[0] != '\0' && (e = mf_rec_add_str(r, "format", m->format)) < 0) ||
	    (m->pdb_id != NULL && m->pdb_id[0] != '\0' &&
	     ((e = mf_rec_add_str(r, "pdb", m->pdb ? m->pdb : "")) < 0 || (e = mf_rec_add_str(r, "pdb_id", m->pdb_id)) < 0)))
		return e;
	return 0;
}

MF_API int
mf_map_rec(const struct mf_map *m, struct mf_rec *r)
{
	int e;

	mf_rec_reset(r, "map");
	if ((e = mf_rec_add_uint(r, "pid", m->pid)) < 0 ||
	    (e = mf_rec_add_addr(r, "start", m->start)) < 0 ||
	    (e = mf_rec_add_addr(r, "end", m->end)) < 0 ||
	    (e = mf_rec_add_str(r, "perms", m->perms ? m->perms : "")) < 0 ||
	    (e = mf_rec_add_addr(r, "offset", m->offset)) < 0 ||
	    (e = mf_rec_add_str(r, "path", m->path ? m->path : "")) < 0)
		return e;
	return 0;
}
