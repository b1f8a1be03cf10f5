/* paths.c: the path of a struct file, as the kernel's d_path builds it: names from the
 * dentry up to its mount's root, then across to the mountpoint in the parent mount, until
 * the root of the mount tree.  Bounded: at most LX_PATH_DEPTH steps, names of at most
 * 255 bytes, and the result fits the caller's buffer or the path is "". */
#include "config.h"

#include <string.h>

#include "tasks.h"

#define LX_PATH_DEPTH 256

/* Prepend "/NAME" (len bytes at kernel address `name`) at *pos in buf. */
static int
lx_path_prepend(const struct lx *lx, uint64_t name, uint64_t len, char *buf, size_t *pos)
{
	size_t i;

	if (len == 0 || len > 255 || len + 1 > *pos)
		return -1;
	*pos -= len;
	if (lx_kread(lx, name, buf + *pos, len) < 0)
		return -1;
	for (i = 0; i < len; i++)
		if (buf[*pos + i] == '\0' || buf[*pos + i] == '/')
			return -1;
	buf[--*pos] = '/';
	return 0;
}

size_t
lx_file_path(const struct lx *lx, uint64_t file, char *buf, size_t cap)
{
	const struct lx_off *o = &lx->types->off;
	uint64_t dentry, vfsmnt, mount, root, parent, name, len;
	size_t pos;
	int step;

	if (cap < 2)
		return 0;
	buf[0] = '\0';
	if (!lx_has(o->file_dentry) || !lx_has(o->file_mnt) || !lx_has(o->dentry_parent) ||
	    !lx_has(o->dentry_name) || !lx_has(o->dentry_len) || !lx_has(o->mount_mnt) ||
	    !lx_has(o->mount_parent) || !lx_has(o->mount_mountpoint) || !lx_has(o->vfsmount_root) ||
	    o->dentry_len.size != 4)
		return 0;
	if (lx_kread_u64(lx, file + o->file_dentry.off, &dentry) < 0 ||
	    lx_kread_u64(lx, file + o->file_mnt.off, &vfsmnt) < 0 || vfsmnt < o->mount_mnt.off)
		return 0;
	mount = vfsmnt - o->mount_mnt.off;
	pos = cap - 1;
	buf[pos] = '\0';
	for (step = 0; step < LX_PATH_DEPTH; step++) {
		uint8_t l4[4];

		if (lx_kread_u64(lx, mount + o->mount_mnt.off + o->vfsmount_root.off, &root) < 0)
			return 0;
		if (dentry == root) {
			if (lx_kread_u64(lx, mount + o->mount_parent.off, &parent) < 0)
				return 0;
			if (parent == mount)
				break;   /* the root of the mount tree */
			if (lx_kread_u64(lx, mount + o->mount_mountpoint.off, &dentry) < 0)
				return 0;
			mount = parent;
			continue;
		}
		if (lx_kread_u64(lx, dentry + o->dentry_parent.off, &parent) < 0)
			return 0;
		if (parent == dentry)
			break;   /* a filesystem root that is no mount's root: as far as it goes */
		if (lx_kread_u64(lx, dentry + o->dentry_name.off, &name) < 0 ||
		    lx_kread(lx, dentry + o->dentry_len.off, l4, 4) < 0)
			return 0;
		len = lx_get(l4, 4, (struct lx_field){ 0, 4 });
		if (lx_path_prepend(lx, name, len, buf, &pos) < 0)
			return 0;
		dentry = parent;
	}
	if (step == LX_PATH_DEPTH)
		return 0;
	if (pos == cap - 1)
		buf[--pos] = '/';
	memmove(buf, buf + pos, cap - pos);
	return cap - 1 - pos;
}
