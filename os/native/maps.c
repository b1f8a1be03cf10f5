/* maps.c: the memory maps of a process, /proc/PID/maps. */
#include "config.h"

#include "native.h"

int
native_parse_map_line(char *line, size_t len, struct mf_map *m, char perms[8])
{
	const char *end = line + len, *p;
	size_t i;

	if (native_parse_hex(line, end, &m->start, &p) < 0 || p >= end || *p != '-')
		return -1;
	if (native_parse_hex(p + 1, end, &m->end, &p) < 0 || p >= end || *p != ' ')
		return -1;
	p++;
	for (i = 0; i < 4 && p < end && *p != ' '; i++)
		perms[i] = *p++;
	perms[i] = '\0';
	if (p >= end || *p != ' ')
		return -1;
	if (native_parse_hex(p + 1, end, &m->offset, &p) < 0 || p >= end || *p != ' ')
		return -1;
	/* dev (maj:min) and inode */
	p++;
	while (p < end && *p != ' ')
		p++;
	if (p < end)
		p++;
	while (p < end && *p != ' ')
		p++;
	while (p < end && *p == ' ')
		p++;
	m->path = p;
	m->perms = perms;
	return 0;
}

struct native_maps_ctx {
	uint64_t pid;
	mf_map_cb cb;
	void *ctx;
};

static int
native_maps_line(void *ctx, char *line, size_t len)
{
	struct native_maps_ctx *c = ctx;
	struct mf_map m = { .struct_size = sizeof m };
	char perms[8];

	if (native_parse_map_line(line, len, &m, perms) < 0)
		return 0;   /* not a maps line: skip */
	m.pid = c->pid;
	return c->cb(c->ctx, &m);
}

int
native_maps(void *handle, uint64_t pid, mf_map_cb cb, void *ctx, char *errbuf)
{
	struct native_maps_ctx c = { .pid = pid, .cb = cb, .ctx = ctx };
	char path[64];
	int r, over;

	(void)handle;
	if (!native_pid_ok(pid))
		return plib_error(errbuf, MF_ERR_NOTFOUND, "no process with pid %llu", (unsigned long long)pid);
	native_path(path, sizeof path, (long long)pid, "maps");
	r = native_lines(path, native_maps_line, &c, NATIVE_MAX_MAPS, &over);
	if (r < 0)
		return native_open_err(errbuf, r, pid, "maps");
	if (over)
		return plib_error(errbuf, MF_ERR_LIMIT, "cannot read maps of pid %llu: more than %u mappings",
		                  (unsigned long long)pid, NATIVE_MAX_MAPS);
	return r;
}
