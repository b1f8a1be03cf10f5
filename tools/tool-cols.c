/* tool-cols.c: what each record type looks like, in one place: its table columns (the
 * tool that writes a type and mf-cat, which prints any stream, show it the same way) and
 * which of its fields are addresses (msgpack carries them as plain integers, JSON as
 * "0x..." strings: mf-cat types them again). */
#include "config.h"
#include "tool.h"

#include <stdlib.h>
#include <string.h>

#define COLS(a) a, sizeof a / sizeof *a

static const struct mf_col cols_process[] = {
	{ "pid", "PID", 7 },
	{ "ppid", "PPID", 7 },
	{ "uid", "UID", 5 },
	{ "state", "S", -1 },
	{ "name", "NAME", -16 },
	{ "cmdline", "CMDLINE", -1 },
};
static const struct mf_col cols_process_tree[] = {
	{ "pid", "PID", 7 },
	{ "ppid", "PPID", 7 },
	{ "uid", "UID", 5 },
	{ "state", "S", -1 },
	{ "tree_name", "NAME", -24 },
	{ "cmdline", "CMDLINE", -1 },
};
static const struct mf_col cols_process_times[] = {
	{ "pid", "PID", 7 },
	{ "ppid", "PPID", 7 },
	{ "state", "S", -1 },
	{ "start_time", "START", -20 },
	{ "exit_time", "EXIT", -20 },
	{ "exit_status", "STATUS", 10 },
	{ "name", "NAME", -1 },
};
static const struct mf_col cols_process_env[] = {
	{ "pid", "PID", 7 },
	{ "name", "NAME", -16 },
	{ "env", "ENVIRONMENT", -1 },
};
static const struct mf_col cols_module[] = {
	{ "pid", "PID", 7 },
	{ "base", "BASE", 18 },
	{ "size", "SIZE", 10 },
	{ "name", "NAME", -24 },
	{ "path", "PATH", -1 },
};
static const struct mf_col cols_map[] = {
	{ "pid", "PID", 7 },
	{ "start", "START", 18 },
	{ "end", "END", 18 },
	{ "perms", "PERMS", -5 },
	{ "offset", "OFFSET", 10 },
	{ "path", "PATH", -1 },
};
static const struct mf_col cols_hit[] = {
	{ "addr", "ADDR", 18 },
	{ "space", "SPACE", -6 },
	{ "pid", "PID", 7 },
	{ "len", "LEN", 5 },
	{ "pattern", "PATTERN", -16 },
	{ "rule", "RULE", -12 },
	{ "value", "VALUE", 10 },
	{ "data", "DATA", -1 },
};
static const struct mf_col cols_xlat[] = {
	{ "va", "VA", 18 },
	{ "pa", "PA", 18 },
	{ "page_size", "PAGE", 10 },
	{ "perms", "PERMS", -5 },
	{ "flags", "FLAGS", -5 },
	{ "error", "ERROR", -1 },
};
static const struct mf_col cols_pagemap[] = {
	{ "va", "VA", 18 },
	{ "end", "END", 18 },
	{ "pa", "PA", 18 },
	{ "size", "SIZE", 12 },
	{ "page_size", "PAGE", 10 },
	{ "perms", "PERMS", -5 },
	{ "flags", "FLAGS", -1 },
};
static const struct mf_col cols_p2v[] = {
	{ "pa", "PA", 18 },
	{ "va", "VA", -18 },
};
static const struct mf_col cols_symbol[] = {
	{ "pid", "PID", 7 },
	{ "addr", "ADDR", 18 },
	{ "size", "SIZE", 8 },
	{ "kind", "KIND", -8 },
	{ "module", "MODULE", -16 },
	{ "name", "NAME", -1 },
};
static const struct mf_col cols_pdb_symbol[] = {
	{ "addr", "RVA", 18 },
	{ "kind", "KIND", -8 },
	{ "scope", "SCOPE", -6 },
	{ "section", "SEC", 3 },
	{ "offset", "OFFSET", 10 },
	{ "name", "NAME", -1 },
};
static const struct mf_col cols_type[] = {
	{ "name", "TYPE", -32 },
	{ "kind", "KIND", -6 },
	{ "size", "SIZE", 8 },
	{ "members", "MEMBERS", 7 },
};
static const struct mf_col cols_member[] = {
	{ "offset", "OFFSET", 8 },
	{ "size", "SIZE", 6 },
	{ "bit_pos", "BIT", 3 },
	{ "bits", "BITS", 4 },
	{ "count", "COUNT", 5 },
	{ "name", "NAME", -28 },
	{ "ctype", "TYPE", -1 },
};
static const struct mf_col cols_enumerator[] = {
	{ "value", "VALUE", 12 },
	{ "name", "NAME", -1 },
};
static const struct mf_col cols_thread[] = {
	{ "pid", "PID", 7 },
	{ "tid", "TID", 7 },
	{ "state", "S", -1 },
	{ "addr", "ADDR", 18 },
	{ "name", "NAME", -1 },
};

/* the address fields of each type (the space fields dtb and dtb_hi of every type) */
static const struct {
	const char *type;
	const char *const keys[8];
} tool_addr_keys[] = {
	{ "process", { "dtb", "addr" } },
	{ "module", { "base", "size" } },
	{ "map", { "start", "end", "offset" } },
	{ "mem", { "addr" } },
	{ "gap", { "addr", "len" } },
	{ "hit", { "addr" } },
	{ "xlat", { "va", "pa", "page_size" } },
	{ "pagemap", { "va", "end", "pa", "size", "page_size" } },
	{ "p2v", { "pa", "va" } },
	{ "symbol", { "addr" } },
	{ "thread", { "addr" } },
};

/* layout name, record type, columns */
static const struct {
	const char *layout, *type;
	const struct mf_col *cols;
	size_t n;
} tool_cols[] = {
	{ "process", "process", COLS(cols_process) },
	{ "process-tree", "process", COLS(cols_process_tree) },
	{ "process-env", "process", COLS(cols_process_env) },
	{ "process-times", "process", COLS(cols_process_times) },
	{ "module", "module", COLS(cols_module) },
	{ "map", "map", COLS(cols_map) },
	{ "hit", "hit", COLS(cols_hit) },
	{ "xlat", "xlat", COLS(cols_xlat) },
	{ "pagemap", "pagemap", COLS(cols_pagemap) },
	{ "p2v", "p2v", COLS(cols_p2v) },
	{ "symbol", "symbol", COLS(cols_symbol) },
	{ "thread", "thread", COLS(cols_thread) },
	{ "pdb-symbol", "symbol", COLS(cols_pdb_symbol) },
	{ "type", "type", COLS(cols_type) },
	{ "member", "member", COLS(cols_member) },
	{ "enumerator", "member", COLS(cols_enumerator) },
};

void
tool_columns(struct tool *tl, const char *layout)
{
	size_t i;

	for (i = 0; i < sizeof tool_cols / sizeof *tool_cols; i++) {
		if (strcmp(tool_cols[i].layout, layout) != 0 && strcmp(layout, "all") != 0)
			continue;
		if (strcmp(layout, "all") == 0 && strcmp(tool_cols[i].layout, tool_cols[i].type) != 0)
			continue;
		if (mf_out_columns(tl->out, tool_cols[i].type, tool_cols[i].cols, tool_cols[i].n) < 0)
			tool_oom();
	}
}

static bool
tool_is_addr_key(const char *type, const char *key)
{
	size_t i, k;

	if (strcmp(key, "dtb") == 0 || strcmp(key, "dtb_hi") == 0)
		return true;
	for (i = 0; i < sizeof tool_addr_keys / sizeof *tool_addr_keys; i++)
		if (strcmp(tool_addr_keys[i].type, type) == 0)
			for (k = 0; k < 8 && tool_addr_keys[i].keys[k] != NULL; k++)
				if (strcmp(tool_addr_keys[i].keys[k], key) == 0)
					return true;
	return false;
}

/* A number as msgpack (UINT) or JSON ("0x..." string) carries it; false if it is neither. */
static bool
tool_value_u64(const struct mf_value *v, uint64_t *u)
{
	char buf[32];

	if (v->type == MF_V_UINT || v->type == MF_V_ADDR) {
		*u = v->v.u;
		return true;
	}
	if (v->type != MF_V_STR || v->v.s.n < 3 || v->v.s.n >= sizeof buf || v->v.s.p[0] != '0' || v->v.s.p[1] != 'x')
		return false;
	memcpy(buf, v->v.s.p, v->v.s.n);
	buf[v->v.s.n] = '\0';
	return mf_parse_u64(buf, u) == 0;
}

/* The hints of a target record, each number as its kind (mf_hint_kind). */
static void
tool_hints_typed(const struct mf_rec *in, struct mf_rec *out)
{
	size_t i, n = mf_rec_count(in);
	uint64_t u;
	int e;

	for (i = 0; i < n; i++) {
		const struct mf_field *f = mf_rec_field(in, i);
		enum mf_hint_kind kind = mf_hint_kind(f->key);

		if (!tool_value_u64(&f->val, &u))
			e = mf_rec_add_value(out, f->key, &f->val);
		else if (kind == MF_HINT_FLAG)
			e = mf_rec_add_bool(out, f->key, u != 0);
		else if (kind == MF_HINT_NUMBER)
			e = mf_rec_add_uint(out, f->key, u);
		else
			e = mf_rec_add_addr(out, f->key, u);
		if (e < 0)
			tool_oom();
	}
}

void
tool_rec_typed(const struct mf_rec *in, struct mf_rec *out)
{
	const char *type = mf_rec_type(in);
	size_t i, n = mf_rec_count(in), bn;
	const void *bin;
	uint64_t u;
	int e;

	mf_rec_reset(out, type);
	for (i = 0; i < n; i++) {
		const struct mf_field *f = mf_rec_field(in, i);
		struct mf_rec *m;

		if (i == 0 && strcmp(f->key, "type") == 0)
			continue;
		if (tool_is_addr_key(type, f->key) && tool_value_u64(&f->val, &u)) {
			e = mf_rec_add_addr(out, f->key, u);
		} else if (strcmp(f->key, "data") == 0 && f->val.type == MF_V_STR && mf_rec_get_bin(in, "data", &bin, &bn) == 0) {
			e = mf_rec_add_bin(out, f->key, bin, bn);   /* JSON's hex string */
		} else if (strcmp(type, "target") == 0 && strcmp(f->key, "hints") == 0 && f->val.type == MF_V_MAP) {
			if ((m = mf_rec_add_map(out, f->key)) == NULL)
				tool_oom();
			tool_hints_typed(f->val.v.map, m);
			e = 0;
		} else {
			e = mf_rec_add_value(out, f->key, &f->val);
		}
		if (e < 0)
			tool_oom();
	}
}
