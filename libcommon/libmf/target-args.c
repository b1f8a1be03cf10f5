/* target-args.c: a target's connector and os-layer arguments, owned by the target: from a
 * spec string or a target record, checked against the plugin's keys, back into a record. */
#include "target-int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
mfint_targs_clear(struct mfint_targs *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		free((char *)a->kv[i].key);
		free((char *)a->kv[i].value);
	}
	free(a->kv);
	free(a->name);
	free(a->def);
	memset(a, 0, sizeof *a);
}

int
mfint_targs_add(struct mfint_targs *a, const char *key, const char *value)
{
	struct mf_kv *kv = realloc(a->kv, (a->n + 1) * sizeof *kv);
	char *k, *v;

	if (kv == NULL)
		return MF_ERR_NOMEM;
	a->kv = kv;
	k = strdup(key);
	v = strdup(value);
	if (k == NULL || v == NULL) {
		free(k);
		free(v);
		return MF_ERR_NOMEM;
	}
	kv[a->n].key = k;
	kv[a->n].value = v;
	a->n++;
	return 0;
}

static int
targs_from_spec(struct mfint_targs *a, const struct mf_spec *spec)
{
	size_t i;
	int r;

	if ((a->name = strdup(spec->name)) == NULL)
		return MF_ERR_NOMEM;
	if (spec->args.def && (a->def = strdup(spec->args.def)) == NULL)
		return MF_ERR_NOMEM;
	for (i = 0; i < spec->args.n; i++)
		if ((r = mfint_targs_add(a, spec->args.kv[i].key, spec->args.kv[i].value)) < 0)
			return r;
	return 0;
}

struct mf_args
mfint_targs_view(const struct mfint_targs *a)
{
	struct mf_args v = { NULL, a->n, a->kv };

	return v;
}

const char *
mfint_targs_get(const struct mfint_targs *a, const char *key)
{
	struct mf_args v = mfint_targs_view(a);

	return mf_args_get(&v, key);
}

/* The values every plugin reads the same way: a pid is a process id. */
static int
targs_check_values(const struct mfint_targs *a, const char *kind, char *errbuf)
{
	const char *pid = mfint_targs_get(a, "pid");
	uint64_t v;

	if (pid != NULL && (mf_parse_u64(pid, &v) < 0 || v == 0 || v > INT32_MAX))
		return mf_error(errbuf, MF_ERR_ARG, "invalid pid '%s' for %s %s", pid, kind, a->name);
	return 0;
}

static bool
targs_has_key(const char *const *keys, const char *key)
{
	size_t j;

	for (j = 0; keys != NULL && keys[j] != NULL; j++)
		if (strcmp(keys[j], key) == 0)
			return true;
	return false;
}

/* Move the positional argument to keys[0] (a number to "pid" when the plugin takes one:
 * qemu:4242 is the QEMU process 4242), check every key against the plugin's list and the
 * values of the common keys, and make a "path" absolute so that a saved target works from
 * any directory. */
int
mfint_targs_normalise(struct mfint_targs *a, const char *kind, const char *const *keys, char *errbuf)
{
	size_t i, j;
	int r;

	if (a->def != NULL) {
		const char *key = keys != NULL ? keys[0] : NULL;

		if (key == NULL)
			return mf_error(errbuf, MF_ERR_ARG, "%s %s takes no arguments", kind, a->name);
		if (a->def[0] != '\0' && strspn(a->def, "0123456789") == strlen(a->def) && targs_has_key(keys, "pid"))
			key = "pid";
		if (mfint_targs_get(a, key) != NULL)
			return mf_error(errbuf, MF_ERR_ARG, "%s %s: '%s' given twice", kind, a->name, key);
		if ((r = mfint_targs_add(a, key, a->def)) < 0)
			return r;
		/* keep the positional argument first */
		if (a->n > 1) {
			struct mf_kv last = a->kv[a->n - 1];

			memmove(a->kv + 1, a->kv, (a->n - 1) * sizeof *a->kv);
			a->kv[0] = last;
		}
		free(a->def);
		a->def = NULL;
	}
	for (i = 0; i < a->n; i++) {
		if (!targs_has_key(keys, a->kv[i].key)) {
			char list[160] = "";
			size_t len = 0;

			for (j = 0; keys != NULL && keys[j] != NULL && len < sizeof list - 1; j++)
				len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", j ? ", " : "", keys[j]);
			return mf_error(errbuf, MF_ERR_ARG, "unknown argument '%s' for %s %s (%s%s)", a->kv[i].key, kind,
			                a->name, len ? "accepted: " : "it takes none", list);
		}
		if (strcmp(a->kv[i].key, "path") == 0 && a->kv[i].value[0] != '/') {
			char real[PATH_MAX];

			if (realpath(a->kv[i].value, real) != NULL) {
				char *v = strdup(real);

				if (v == NULL)
					return MF_ERR_NOMEM;
				free((char *)a->kv[i].value);
				a->kv[i].value = v;
			}
		}
	}
	return targs_check_values(a, kind, errbuf);
}

static bool
targs_looks_like_path(const char *s)
{
	size_t n = strcspn(s, ":,");

	return memchr(s, '/', n) != NULL || memchr(s, '.', n) != NULL || n == 0;
}

int
mfint_targs_from_string(struct mfint_targs *a, const char *s, bool conn, char *errbuf)
{
	struct mf_spec *spec;
	int r;

	if (conn && targs_looks_like_path(s)) {
		a->name = strdup("file");
		a->def = strdup(s);
		return a->name && a->def ? 0 : MF_ERR_NOMEM;
	}
	if ((r = mf_spec_parse(s, &spec, errbuf)) < 0)
		return r;
	r = targs_from_spec(a, spec);
	mf_spec_free(spec);
	if (r < 0)
		return mf_error(errbuf, r, "out of memory");
	/* "name" that is no connector but an existing file: a bare relative path */
	if (conn && access(s, F_OK) == 0) {
		char why[MF_ERRBUF_SIZE];
		struct mfint_plugin *p;

		if (mfint_plugin_load(MF_PLUGIN_CONNECTOR, a->name, &p, why) == MF_ERR_NOTFOUND) {
			mfint_targs_clear(a);
			a->name = strdup("file");
			a->def = strdup(s);
			return a->name && a->def ? 0 : MF_ERR_NOMEM;
		}
	}
	return 0;
}

/* One target string as written: its syntax, its plugin (a name no plugin has is a usage
 * error, MF_ERR_NOTFOUND), its keys when the plugin loads (a plugin that is refused and a
 * file are left to the open, which says what is wrong), the common values. */
static int
targs_check_string(const char *s, enum mf_plugin_kind kind, char *errbuf)
{
	const char *word = kind == MF_PLUGIN_CONNECTOR ? "connector" : "os layer";
	char why[MF_ERRBUF_SIZE];
	struct mfint_plugin *p;
	struct mfint_targs a;
	int r, load = MF_ERR_ARG;

	memset(&a, 0, sizeof a);
	if ((r = mfint_targs_from_string(&a, s, kind == MF_PLUGIN_CONNECTOR, errbuf)) < 0)
		;
	else if (strcmp(a.name, "file") != 0 && (load = mfint_plugin_load(kind, a.name, &p, why)) == 0)
		r = mfint_targs_normalise(&a, word, kind == MF_PLUGIN_CONNECTOR ? p->u.conn.keys : p->u.os.keys, errbuf);
	else if (load == MF_ERR_NOTFOUND)
		r = mf_error(errbuf, load, "%s", why);
	else
		r = targs_check_values(&a, word, errbuf);
	mfint_targs_clear(&a);
	return r;
}

MF_API int
mf_target_spec_check(const char *conn, const char *os, char *errbuf)
{
	int r = 0;

	if (conn != NULL)
		r = targs_check_string(conn, MF_PLUGIN_CONNECTOR, errbuf);
	if (r == 0 && os != NULL)
		r = targs_check_string(os, MF_PLUGIN_OS, errbuf);
	return r == MF_ERR_NOMEM ? mf_error(errbuf, r, "out of memory") : r;
}

/* connector/os name and args from a target record */
int
mfint_targs_from_rec(struct mfint_targs *a, const struct mf_rec *rec, const char *key, const char *argkey, char *errbuf)
{
	const struct mf_value *v = mf_rec_get(rec, key);
	struct mf_rec *args;
	size_t i, n;
	int r;

	if (v == NULL || v->type == MF_V_NIL)
		return 0;
	if (v->type != MF_V_STR)
		return mf_error(errbuf, MF_ERR_FORMAT, "target record: \"%s\" is not a string", key);
	if ((a->name = strndup(v->v.s.p, v->v.s.n)) == NULL)
		return MF_ERR_NOMEM;
	if ((args = mf_rec_get_map(rec, argkey)) == NULL)
		return 0;
	n = mf_rec_count(args);
	for (i = 0; i < n; i++) {
		const struct mf_field *f = mf_rec_field(args, i);
		char num[32], *s;

		switch (f->val.type) {
		case MF_V_STR:
			if ((s = strndup(f->val.v.s.p, f->val.v.s.n)) == NULL)
				return MF_ERR_NOMEM;
			r = mfint_targs_add(a, f->key, s);
			free(s);
			break;
		case MF_V_UINT:
		case MF_V_ADDR:
			snprintf(num, sizeof num, "0x%llx", (unsigned long long)f->val.v.u);
			r = mfint_targs_add(a, f->key, num);
			break;
		case MF_V_INT:
			snprintf(num, sizeof num, "%lld", (long long)f->val.v.i);
			r = mfint_targs_add(a, f->key, num);
			break;
		default:
			return mf_error(errbuf, MF_ERR_FORMAT, "target record: argument \"%s\" of %s is not a string", f->key, a->name);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

int
mfint_targs_to_rec(struct mf_rec *r, const char *key, const char *argkey, const struct mfint_targs *a)
{
	struct mf_rec *m;
	size_t i;
	int e;

	if (a->name == NULL)
		return mf_rec_add_nil(r, key);
	if ((e = mf_rec_add_str(r, key, a->name)) < 0)
		return e;
	if ((m = mf_rec_add_map(r, argkey)) == NULL)
		return MF_ERR_NOMEM;
	for (i = 0; i < a->n; i++) {
		char abs[PATH_MAX];
		/* a file the host opened by a relative path: its absolute path, as "path" has */
		const char *v = mfint_symfile_abs(&a->kv[i], abs, sizeof abs) == 0 ? abs : a->kv[i].value;

		if ((e = mf_rec_add_str(m, a->kv[i].key, v)) < 0)
			return e;
	}
	return 0;
}
