/* plugin.c: finding, loading and checking connector and os-layer plugins.
 *
 * Search order: each directory of $MF_PLUGIN_PATH (absolute paths only; a directory may hold
 * the .so files directly or under connectors/ and os/), then the install directory.  Never
 * the current directory: empty and relative entries are ignored.  The first file of a name
 * wins; a refused file is reported, not skipped, so a user sees why their plugin is not used.
 */
#include "mf-int.h"
#include "plugin-int.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void
plugin_host_log(int level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	mf_log(level, "%s", buf);
}

const struct mf_host mfint_host = {
	.struct_size = sizeof(struct mf_host),
	.abi_version = MF_ABI_VERSION,
	.log = plugin_host_log,
	.strerror = mf_strerror,
	.parse_u64 = mf_parse_u64,
	.arg = mf_args_get,
	.hint_set_u64 = mf_hints_set_u64,
	.hint_set_str = mf_hints_set_str,
	.hint_set_bin = mf_hints_set_bin,
	.hint_get_u64 = mf_hints_get_u64,
	.hint_get_str = mf_hints_get_str,
	.hint_get_bin = mf_hints_get_bin,
	.arch_name = mf_arch_name,
	.arch_parse = mf_arch_parse,
	.error = mf_error,
	.error_errno = mf_error_errno,
	.open_symbol_file = mf_symbol_file_open,
	.close_symbol_file = mf_symbol_file_close,
	.open_symbol_file_in = mf_symbol_file_open_in,
	.data_files = mf_data_files,
	.open_data_file = mf_data_file_open,
};

MF_API const struct mf_host *
mf_host(void)
{
	return &mfint_host;
}

static const char *const plugin_kind_dir[] = { "connectors", "os" };
static const char *const plugin_kind_prefix[] = { "mf-connector-", "mf-os-" };
static const char *const plugin_kind_word[] = { "connector", "os layer" };

/* Plugins loaded by this process: kept for its lifetime (the descriptors are static data
 * of the shared objects). */
static struct mfint_plugin *plugin_loaded;

const char *
mfint_plugin_kind_word(enum mf_plugin_kind kind)
{
	return plugin_kind_word[kind];
}

MF_API const char *
mf_plugin_dir(void)
{
	return MF_PLUGIN_DIR;
}

/* Call fn(dir) for each directory holding plugins of `kind`, in search order. */
static int
plugin_foreach_dir(enum mf_plugin_kind kind, int (*fn)(void *ctx, const char *dir), void *ctx)
{
	const char *env = getenv("MF_PLUGIN_PATH");
	char buf[4096];
	int r;

	if (env != NULL) {
		const char *p = env;

		while (*p) {
			size_t len = strcspn(p, ":");

			if (len > 0 && p[0] == '/' && len < sizeof buf - 32) {
				memcpy(buf, p, len);
				buf[len] = '\0';
				if ((r = fn(ctx, buf)) != 0)
					return r;
				snprintf(buf + len, sizeof buf - len, "/%s", plugin_kind_dir[kind]);
				if ((r = fn(ctx, buf)) != 0)
					return r;
			} else if (len > 0) {
				mf_log(1, "ignoring relative directory '%.*s' in MF_PLUGIN_PATH", (int)len, p);
			}
			p += len;
			if (*p == ':')
				p++;
		}
	}
	snprintf(buf, sizeof buf, "%s/%s", MF_PLUGIN_DIR, plugin_kind_dir[kind]);
	return fn(ctx, buf);
}

static void
plugin_free(struct mfint_plugin *p)
{
	if (p == NULL)
		return;
	mfint_plugin_drop(p);
	if (p->dl != NULL)
		dlclose(p->dl);
	free(p->path);
	free(p->name);
	free(p);
}

/* dlopen a file and check its descriptor.  Returns the plugin, or NULL with the reason in
 * errbuf and in *abi what the plugin declares (0 when it got not that far). */
static struct mfint_plugin *
plugin_open_file(enum mf_plugin_kind kind, const char *path, const char *name, uint32_t *abi, char *errbuf)
{
	struct mfint_plugin *p = calloc(1, sizeof *p);
	const char *sym = kind == MF_PLUGIN_CONNECTOR ? MF_CONNECTOR_ENTRY_SYM : MF_OS_ENTRY_SYM;
	const void *(*entry)(void);
	int dlflags = RTLD_NOW | RTLD_LOCAL;
	const void *desc;

	*abi = 0;
#ifdef MF_SANITIZERS
	dlflags |= RTLD_NODELETE;   /* keep symbols for leak reports */
#endif
	if (p == NULL || (p->path = strdup(path)) == NULL || (p->name = strdup(name)) == NULL) {
		plugin_free(p);
		mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
		return NULL;
	}
	p->kind = kind;
	p->dl = dlopen(path, dlflags);
	if (p->dl == NULL) {
		const char *e = dlerror();

		mf_error(errbuf, MF_ERR_GENERIC, "cannot load %s: %s", path, e ? e : "unknown error");
		goto fail;
	}
	*(void **)&entry = dlsym(p->dl, sym);
	if (entry == NULL) {
		mf_error(errbuf, MF_ERR_ABI, "%s is not an mftools %s plugin: no %s symbol", path, plugin_kind_word[kind], sym);
		goto fail;
	}
	if ((desc = entry()) == NULL) {
		mf_error(errbuf, MF_ERR_ABI, "%s returned no descriptor", path);
		goto fail;
	}
	if (mfint_plugin_adopt(p, kind, desc, path, name, errbuf) < 0) {
		*abi = p->abi;
		goto fail;
	}
	*abi = p->abi;
	return p;
fail:
	plugin_free(p);
	return NULL;
}

int
mfint_plugin_register(enum mf_plugin_kind kind, const char *name, const void *desc, char *errbuf)
{
	struct mfint_plugin *p = calloc(1, sizeof *p);
	int r;

	if (p == NULL || (p->path = strdup("(built in)")) == NULL || (p->name = strdup(name)) == NULL) {
		plugin_free(p);
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	}
	p->kind = kind;
	if ((r = mfint_plugin_adopt(p, kind, desc, p->path, name, errbuf)) < 0) {
		plugin_free(p);
		return r;
	}
	p->next = plugin_loaded;
	plugin_loaded = p;
	return 0;
}

struct plugin_find {
	enum mf_plugin_kind kind;
	const char *name;
	char *found;
};

static int
plugin_find_cb(void *ctx, const char *dir)
{
	struct plugin_find *f = ctx;
	char path[4352];
	struct stat st;

	snprintf(path, sizeof path, "%s/%s%s.so", dir, plugin_kind_prefix[f->kind], f->name);
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		f->found = strdup(path);
		return 1;
	}
	return 0;
}

static int
plugin_valid_name(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
		      name[i] == '_' || name[i] == '-'))
			return 0;
	return 1;
}

int
mfint_plugin_load(enum mf_plugin_kind kind, const char *name, struct mfint_plugin **out, char *errbuf)
{
	struct plugin_find f = { kind, name, NULL };
	struct mfint_plugin *p;
	char why[MF_ERRBUF_SIZE];
	uint32_t abi;

	*out = NULL;
	if (!plugin_valid_name(name))
		return mf_error(errbuf, MF_ERR_ARG, "invalid %s name '%s': only a-z, 0-9, '_' and '-' are allowed",
		                plugin_kind_word[kind], name);
	for (p = plugin_loaded; p != NULL; p = p->next)
		if (p->kind == kind && strcmp(p->name, name) == 0)
			return *out = p, 0;
	plugin_foreach_dir(kind, plugin_find_cb, &f);
	if (f.found == NULL)
		return mf_error(errbuf, MF_ERR_NOTFOUND, "unknown %s '%s' (see mf-attach --list)", plugin_kind_word[kind], name);
	p = plugin_open_file(kind, f.found, name, &abi, why);
	free(f.found);
	if (p == NULL)
		return mf_error(errbuf, MF_ERR_ABI, "%s '%s' refused: %s", plugin_kind_word[kind], name, why);
	p->next = plugin_loaded;
	plugin_loaded = p;
	*out = p;
	return 0;
}

/* ---- listing ---- */

struct plugin_list {
	enum mf_plugin_kind kind;
	mf_plugin_info_cb cb;
	void *ctx;
	char **seen;
	size_t nseen, capseen;
	char *visited[64];
	size_t nvisited;
	int stop;
};

static int
plugin_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
plugin_list_cb(void *ctx, const char *dir)
{
	struct plugin_list *l = ctx;
	const char *prefix = plugin_kind_prefix[l->kind];
	size_t plen = strlen(prefix), nnames = 0, cap = 0, i, j;
	char **names = NULL, real[4096];
	struct dirent *de;
	DIR *d;

	/* the same directory reached twice (MF_PLUGIN_PATH=install dir) is listed once */
	if (realpath(dir, real) == NULL)
		return 0;
	for (i = 0; i < l->nvisited; i++)
		if (strcmp(l->visited[i], real) == 0)
			return 0;
	if (l->nvisited < mf_countof(l->visited))
		l->visited[l->nvisited++] = strdup(real);
	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (len > plen + 3 && strncmp(de->d_name, prefix, plen) == 0 && strcmp(de->d_name + len - 3, ".so") == 0) {
			if (nnames == cap) {
				char **n = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof *n);

				if (n == NULL)
					break;
				names = n;
			}
			names[nnames++] = strndup(de->d_name + plen, len - plen - 3);
		}
	}
	closedir(d);
	if (nnames)
		qsort(names, nnames, sizeof *names, plugin_name_cmp);
	for (i = 0; i < nnames && !l->stop; i++) {
		struct mf_plugin_info info = { .kind = l->kind };
		struct mfint_plugin *p = NULL;
		char path[4352], why[MF_ERRBUF_SIZE];
		int valid = names[i] != NULL && plugin_valid_name(names[i]);

		if (names[i] == NULL)
			continue;
		snprintf(path, sizeof path, "%s/%s%s.so", dir, prefix, names[i]);
		info.name = names[i];
		info.path = path;
		for (j = 0; j < l->nseen; j++)
			if (strcmp(l->seen[j], names[i]) == 0)
				info.shadowed = true;
		if (!valid) {
			info.refused = "invalid plugin name (only a-z, 0-9, '_' and '-' are allowed)";
		} else if ((p = plugin_open_file(l->kind, path, names[i], &info.abi, why)) == NULL) {
			info.refused = why;
		} else {
			info.description = l->kind == MF_PLUGIN_CONNECTOR ? p->u.conn.description : p->u.os.description;
			info.help = l->kind == MF_PLUGIN_CONNECTOR ? p->u.conn.help : p->u.os.help;
		}
		if (l->cb(l->ctx, &info) != 0)
			l->stop = 1;
		plugin_free(p);
		if (valid && !info.shadowed && l->nseen < 4096) {
			if (l->nseen == l->capseen) {
				char **s = realloc(l->seen, (l->capseen = l->capseen ? l->capseen * 2 : 16) * sizeof *s);

				if (s == NULL) {
					l->stop = 1;
					break;
				}
				l->seen = s;
			}
			l->seen[l->nseen++] = strdup(names[i]);
		}
	}
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	return l->stop;
}

MF_API int
mf_plugins_list(mf_plugin_info_cb cb, void *ctx)
{
	int kind, stop = 0;
	size_t i;

	for (kind = MF_PLUGIN_CONNECTOR; kind <= MF_PLUGIN_OS && !stop; kind++) {
		struct plugin_list l = { .kind = (enum mf_plugin_kind)kind, .cb = cb, .ctx = ctx };

		plugin_foreach_dir(l.kind, plugin_list_cb, &l);
		stop = l.stop;
		for (i = 0; i < l.nseen; i++)
			free(l.seen[i]);
		free(l.seen);
		for (i = 0; i < l.nvisited; i++)
			free(l.visited[i]);
	}
	return 0;
}

struct plugin_names {
	char **names;
	size_t n, cap;
};

static int
plugin_collect_cb(void *ctx, const struct mf_plugin_info *info)
{
	struct plugin_names *acc = ctx;

	if (info->refused != NULL || info->shadowed)
		return 0;
	if (acc->n == acc->cap) {
		char **v = realloc(acc->names, (acc->cap = acc->cap ? acc->cap * 2 : 16) * sizeof *v);

		if (v == NULL)
			return 1;
		acc->names = v;
	}
	if ((acc->names[acc->n] = strdup(info->name)) != NULL)
		acc->n++;
	return 0;
}

/* Connectors that can recognise files, in search order (the first file of each name). */
int
mfint_plugin_file_connectors(struct mfint_plugin ***out, size_t *n, char *errbuf)
{
	struct plugin_names acc = { 0 };
	struct plugin_list l = { .kind = MF_PLUGIN_CONNECTOR, .cb = plugin_collect_cb, .ctx = &acc };
	struct mfint_plugin **v;
	size_t i, nv = 0;

	plugin_foreach_dir(MF_PLUGIN_CONNECTOR, plugin_list_cb, &l);
	for (i = 0; i < l.nseen; i++)
		free(l.seen[i]);
	free(l.seen);
	for (i = 0; i < l.nvisited; i++)
		free(l.visited[i]);
	v = calloc(acc.n ? acc.n : 1, sizeof *v);
	for (i = 0; i < acc.n; i++) {
		struct mfint_plugin *p;
		char why[MF_ERRBUF_SIZE];

		if (v != NULL && mfint_plugin_load(MF_PLUGIN_CONNECTOR, acc.names[i], &p, why) == 0) {
			if ((p->u.conn.flags & MF_CONN_FILE) && (p->u.conn.probe != NULL || p->u.conn.probe_path != NULL))
				v[nv++] = p;
		}
		free(acc.names[i]);
	}
	free(acc.names);
	if (v == NULL)
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	*out = v;
	*n = nv;
	return 0;
}
