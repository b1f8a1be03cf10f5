/* target.c: opening a target (connector + os layer) from specs or a target record,
 * closing it, its name, hints and target record. */
#include "target-int.h"

#include <mftools/vat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
target_open_conn(struct mf_target *t, struct mfint_targs *a, char *errbuf)
{
	struct mf_args view;
	char why[MF_ERRBUF_SIZE];
	int r;

	if (strcmp(a->name, "file") == 0) {
		if ((r = mfint_detect_file(a, errbuf)) < 0)
			return r;
		/* raw is the guess for a file with no known magic: never write on a guess */
		if ((t->flags & MF_TARGET_WRITE) && strcmp(a->name, "raw") == 0)
			return mf_error(errbuf, MF_ERR_ARG, "cannot open %s for writing: no known format; to write it as a raw "
			                "image, name the connector (-c raw:%s)", mfint_targs_get(a, "path"),
			                mfint_targs_get(a, "path"));
	}
	if ((r = mfint_plugin_load(MF_PLUGIN_CONNECTOR, a->name, &t->conn, errbuf)) < 0)
		return r;
	if ((r = mfint_targs_normalise(a, "connector", t->conn->u.conn.keys, errbuf)) < 0)
		return r;
	if ((t->flags & MF_TARGET_WRITE) && !(t->conn->u.conn.flags & MF_CONN_WRITE) && t->conn->u.conn.write == NULL)
		return mf_error(errbuf, MF_ERR_READONLY, "connector %s cannot write", a->name);
	view = mfint_targs_view(a);
	why[0] = '\0';
	r = t->conn->u.conn.open(&t->conn->host, &view, (t->flags & MF_TARGET_WRITE) != 0, t->hints, &t->ch, why);
	if (r < 0) {
		t->ch = NULL;
		return mf_error(errbuf, r, "%s", why[0] ? why : mf_strerror(r));
	}
	t->nranges = t->conn->u.conn.ranges(t->ch, &t->ranges);
	if (t->nranges > 0 && t->ranges == NULL)
		t->nranges = 0;
	mfint_target_merge_saved(t);
	return 0;
}

static int
target_open_os(struct mf_target *t, struct mfint_targs *a, char *errbuf)
{
	struct mf_args view;
	char why[MF_ERRBUF_SIZE];
	int r;

	if ((r = mfint_plugin_load(MF_PLUGIN_OS, a->name, &t->os, errbuf)) < 0)
		return r;
	if ((r = mfint_targs_normalise(a, "os layer", t->os->u.os.keys, errbuf)) < 0)
		return r;
	if (t->conn == NULL && !(t->os->u.os.flags & MF_OS_NO_PHYS))
		return mf_error(errbuf, MF_ERR_ARG, "os layer %s needs physical memory: give a connector with -c", a->name);
	mfint_target_os_phys(t);
	view = mfint_targs_view(a);
	why[0] = '\0';
	r = t->os->u.os.open(&t->os->host, t->conn ? &t->phys : NULL, &view, t->hints, &t->oh, why);
	if (r < 0) {
		t->oh = NULL;
		return mf_error(errbuf, r, "%s", why[0] ? why : mf_strerror(r));
	}
	return 0;
}

static int
target_name(struct mf_target *t)
{
	char buf[1024];
	size_t len = 0;

	buf[0] = '\0';
	if (t->conn != NULL) {
		const char *path = mfint_targs_get(&t->cargs, "path");

		len += (size_t)snprintf(buf, sizeof buf, "%s%s%s", t->cargs.name, path ? ":" : "", path ? path : "");
	}
	if (t->os != NULL && len < sizeof buf)
		snprintf(buf + len, sizeof buf - len, "%s%s", len ? "/" : "", t->oargs.name);
	return (t->name = strdup(buf)) ? 0 : MF_ERR_NOMEM;
}

/* Open with args already collected (from specs or a record). */
static int
target_open_args(struct mf_target *t, char *errbuf)
{
	int r;

	const char *dflt;

	if (t->cargs.name != NULL && (r = target_open_conn(t, &t->cargs, errbuf)) < 0)
		return r;
	/* a connector that knows its os layer names it (a minidump: the minidump layer) */
	if (t->conn != NULL && t->oargs.name == NULL && (dflt = mf_hints_get_str(t->hints, "default_os")) != NULL &&
	    (r = mfint_targs_from_string(&t->oargs, dflt, false, errbuf)) < 0)
		return r;
	if (t->oargs.name != NULL && (r = target_open_os(t, &t->oargs, errbuf)) < 0)
		return r;
	return target_name(t);
}

static struct mf_target *
target_new(unsigned flags)
{
	struct mf_target *t = calloc(1, sizeof *t);

	if (t == NULL)
		return NULL;
	if ((t->hints = mf_hints_new()) == NULL) {
		free(t);
		return NULL;
	}
	pthread_mutex_init(&t->lock, NULL);
	t->flags = flags;
	t->name = NULL;
	return t;
}

MF_API int
mf_target_open(const char *conn, const char *os, unsigned flags, struct mf_target **out, char *errbuf)
{
	struct mf_target *t;
	int r;

	*out = NULL;
	if ((t = target_new(flags)) == NULL)
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	if (conn == NULL && os == NULL)
		os = "native";
	if (conn != NULL && (r = mfint_targs_from_string(&t->cargs, conn, true, errbuf)) < 0)
		goto fail;
	if (os != NULL && (r = mfint_targs_from_string(&t->oargs, os, false, errbuf)) < 0)
		goto fail;
	if ((r = target_open_args(t, errbuf)) < 0)
		goto fail;
	*out = t;
	return 0;
fail:
	mf_target_close(t);
	return r;
}

MF_API int
mf_target_open_rec(const struct mf_rec *rec, unsigned flags, struct mf_target **out, char *errbuf)
{
	struct mf_target *t;
	struct mf_rec *hints;
	uint64_t v;
	int r;

	*out = NULL;
	if (strcmp(mf_rec_type(rec), "target") != 0)
		return mf_error(errbuf, MF_ERR_FORMAT, "not a target record (type \"%s\")", mf_rec_type(rec));
	if (mf_rec_get_u64(rec, "v", &v) < 0)
		return mf_error(errbuf, MF_ERR_FORMAT, "target record without a version (\"v\")");
	if (v != 1)
		return mf_error(errbuf, MF_ERR_UNSUPPORTED, "target record version %llu is not supported (this mftools reads version 1)",
		                (unsigned long long)v);
	if ((t = target_new(flags)) == NULL)
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	if ((r = mfint_targs_from_rec(&t->cargs, rec, "connector", "connector_args", errbuf)) < 0 ||
	    (r = mfint_targs_from_rec(&t->oargs, rec, "os", "os_args", errbuf)) < 0)
		goto fail;
	if (t->cargs.name == NULL && t->oargs.name == NULL) {
		r = mf_error(errbuf, MF_ERR_FORMAT, "target record names neither a connector nor an os layer");
		goto fail;
	}
	if ((hints = mf_rec_get_map(rec, "hints")) != NULL && (r = mfint_hints_from_rec(t->hints, hints)) < 0)
		goto fail;
	if ((r = target_open_args(t, errbuf)) < 0)
		goto fail;
	*out = t;
	return 0;
fail:
	if (r == MF_ERR_NOMEM)
		mf_error(errbuf, r, "out of memory");
	mf_target_close(t);
	return r;
}

MF_API void
mf_target_close(struct mf_target *t)
{
	if (t == NULL)
		return;
	if (t->oh != NULL)
		t->os->u.os.close(t->oh);
	if (t->ch != NULL)
		t->conn->u.conn.close(t->ch);
	mfint_target_free_vats(t);
	pthread_mutex_destroy(&t->lock);
	mfint_targs_clear(&t->cargs);
	mfint_targs_clear(&t->oargs);
	mf_hints_free(t->hints);
	free(t->name);
	free(t);
}

MF_API int
mf_target_rec(const struct mf_target *t, struct mf_rec *r)
{
	struct mf_rec *h;
	int e;

	mf_rec_reset(r, "target");
	if ((e = mf_rec_add_uint(r, "v", 1)) < 0 ||
	    (e = mfint_targs_to_rec(r, "connector", "connector_args", &t->cargs)) < 0 ||
	    (e = mfint_targs_to_rec(r, "os", "os_args", &t->oargs)) < 0)
		return e;
	if ((h = mf_rec_add_map(r, "hints")) == NULL)
		return MF_ERR_NOMEM;
	return mfint_hints_to_rec(t->hints, h);
}

MF_API const char *
mf_target_name(const struct mf_target *t)
{
	return t->name ? t->name : "target";
}

MF_API struct mf_hints *
mf_target_hints(struct mf_target *t)
{
	return t->hints;
}

MF_API bool
mf_target_has_phys(const struct mf_target *t)
{
	return t->conn != NULL;
}

MF_API bool
mf_target_has_os(const struct mf_target *t)
{
	return t->os != NULL;
}
