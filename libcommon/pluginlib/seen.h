/* pluginlib/seen.h: a set of the addresses a walk has visited (kernel objects, list
 * entries), so that a list or tree that loops back in hostile memory ends the walk instead
 * of repeating it.  Shared by the os layers (linux, win32).  Zero-initialise; free with
 * seen_free.  Part of libmfplugin.la (see vmcoreinfo.h for how to link it). */
#ifndef MF_PLUGINLIB_SEEN_H
#define MF_PLUGINLIB_SEEN_H

#include <stddef.h>
#include <stdint.h>

struct seen {
	uint64_t *slot;
	size_t cap, n;
};
/* 1 if A (non-zero) was added, 0 if it was already there, -1 out of memory. */
int seen_add(struct seen *s, uint64_t a);
void seen_free(struct seen *s);

#endif
