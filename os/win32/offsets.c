/* offsets.c: the structure offsets the walkers need, as data.
 *
 * From the PDB the user gives (pdb=FILE: ntkrnlmp.pdb, read with pluginlib/pdb.c; or
 * symdir=DIR, a symbol server's cache, where the host opens DIR/ntkrnlmp.pdb/GUIDAGE/
 * ntkrnlmp.pdb by the name ntoskrnl's CodeView record gives), else from the installed
 * table of this build, else of the nearest lower build (said in the log).  Tables are
 * text files named ARCH-BUILD.offsets (x86_64-19041.offsets for x64 kernels,
 * x86-18363.offsets for x86 and PAE ones: the same structures), the host's data files of
 * kind "win32" (host->data_files: $(pkgdatadir)/win32, or DIR/win32 for each DIR of
 * MF_DATA_PATH): the layer opens no file itself.  Their format is documented in
 * os/win32/offsets/README.md:
 *
 *   # comment
 *   build 19041
 *   arch x86_64
 *   source <where the numbers come from>
 *   _EPROCESS.UniqueProcessId 0x440
 *
 * The table's keys are the PDB's TYPE.MEMBER paths, so a PDB and a table answer the same
 * question.  When nothing fits, the error names the build and the PDB (name, GUID and age
 * from ntoskrnl's CodeView record) to fetch from a symbol server. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pluginlib/pdb.h"
#include "win32.h"

#define W32_TABLE_MAX (256u << 10)

const char *const w32_off_names[W32_NOFFS] = {
	[W32_KPROCESS_DTB] = "_KPROCESS.DirectoryTableBase",
	[W32_EPROCESS_PID] = "_EPROCESS.UniqueProcessId",
	[W32_EPROCESS_LINKS] = "_EPROCESS.ActiveProcessLinks",
	[W32_EPROCESS_CREATE_TIME] = "_EPROCESS.CreateTime",
	[W32_EPROCESS_PPID] = "_EPROCESS.InheritedFromUniqueProcessId",
	[W32_EPROCESS_PEB] = "_EPROCESS.Peb",
	[W32_EPROCESS_WOW64] = "_EPROCESS.WoW64Process",
	[W32_EPROCESS_NAME] = "_EPROCESS.ImageFileName",
	[W32_EPROCESS_AUDIT] = "_EPROCESS.SeAuditProcessCreationInfo",
	[W32_EPROCESS_EXIT_STATUS] = "_EPROCESS.ExitStatus",
	[W32_EPROCESS_VAD_ROOT] = "_EPROCESS.VadRoot",
	[W32_EPROCESS_EXIT_TIME] = "_EPROCESS.ExitTime",
	[W32_LDR_LINKS] = "_KLDR_DATA_TABLE_ENTRY.InLoadOrderLinks",
	[W32_LDR_BASE] = "_KLDR_DATA_TABLE_ENTRY.DllBase",
	[W32_LDR_SIZE] = "_KLDR_DATA_TABLE_ENTRY.SizeOfImage",
	[W32_LDR_FULL_NAME] = "_KLDR_DATA_TABLE_ENTRY.FullDllName",
	[W32_LDR_BASE_NAME] = "_KLDR_DATA_TABLE_ENTRY.BaseDllName",
	[W32_EWOW64_PEB] = "_EWOW64PROCESS.Peb",
	[W32_VAD_LEFT] = "_RTL_BALANCED_NODE.Left",
	[W32_VAD_RIGHT] = "_RTL_BALANCED_NODE.Right",
	[W32_VAD_START] = "_MMVAD_SHORT.StartingVpn",
	[W32_VAD_END] = "_MMVAD_SHORT.EndingVpn",
	[W32_VAD_START_HIGH] = "_MMVAD_SHORT.StartingVpnHigh",
	[W32_VAD_END_HIGH] = "_MMVAD_SHORT.EndingVpnHigh",
	[W32_VAD_FLAGS] = "_MMVAD_SHORT.u",
	[W32_VADF_PROTECTION] = "_MMVAD_FLAGS.Protection",
	[W32_VADF_PRIVATE] = "_MMVAD_FLAGS.PrivateMemory",
	[W32_VAD_SUBSECTION] = "_MMVAD.Subsection",
	[W32_SUBSECTION_CA] = "_SUBSECTION.ControlArea",
	[W32_CA_FILE] = "_CONTROL_AREA.FilePointer",
	[W32_FILE_NAME] = "_FILE_OBJECT.FileName",
	[W32_EPROCESS_THREADS] = "_EPROCESS.ThreadListHead",
	[W32_ETHREAD_LINKS] = "_ETHREAD.ThreadListEntry",
	[W32_ETHREAD_TID] = "_ETHREAD.Cid.UniqueThread",
	[W32_KTHREAD_STATE] = "_KTHREAD.State",
	[W32_ETHREAD_NAME] = "_ETHREAD.ThreadName",
};

/* Does this kernel read member i (x64-only members are not read on x86)? */
static bool
w32_off_used(const struct w32 *w, unsigned i)
{
	return w->is64 || !w32_off_x64_only(i);
}

/* The table's name prefix for this kernel: x86 and PAE kernels share their structures. */
static const char *
w32_table_arch(const struct w32 *w)
{
	return w->is64 ? "x86_64" : "x86";
}

/* Are all the members of the optional group [first, end) known (those this kernel reads)?
 * Logged when one is not: then there is no WHAT. */
static bool
w32_group_check(const struct w32 *w, const bool *have, const char *from, unsigned first, unsigned end,
                const char *what)
{
	unsigned i;

	for (i = first; i < end; i++)
		if (!have[i] && w32_off_used(w, i)) {
			w->host->log(1, "win32: %s has no %s: no %s", from, w32_off_names[i], what);
			return false;
		}
	return true;
}

static void
w32_optional_check(struct w32 *w, const bool *have, const char *from)
{
	w->have_vad = w32_group_check(w, have, from, W32_VAD_FIRST, W32_VAD_END_, "memory maps");
	w->have_threads = w32_group_check(w, have, from, W32_THREAD_FIRST, W32_THREAD_END_, "threads");
}

/* The largest offset a table may give: a member beyond it is a typing error. */
#define W32_OFF_MAX 0x4000u

/* Parse the table at path into w->off: 0, or MF_ERR_FORMAT with "PATH:LINE: why". */
static int
w32_table_parse(struct w32 *w, const char *path, char *text, char *errbuf)
{
	bool have[W32_NOFFS] = { false };
	char *line, *next;
	unsigned lineno = 0, i;

	for (line = text; line != NULL; line = next) {
		char key[128], *val, *end;
		size_t kl;
		uint64_t v;

		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		line += strspn(line, " \t");
		if (*line == '#' || *line == '\0' || *line == '\r')
			continue;
		kl = strcspn(line, " \t");
		if (kl >= sizeof key)
			return w->host->error(errbuf, MF_ERR_FORMAT, "%s:%u: key too long", path, lineno);
		memcpy(key, line, kl);
		key[kl] = '\0';
		val = line + kl + strspn(line + kl, " \t");
		val[strcspn(val, "\r")] = '\0';
		if (strcmp(key, "build") == 0 || strcmp(key, "arch") == 0 || strcmp(key, "source") == 0)
			continue;
		for (i = 0; i < W32_NOFFS && strcmp(w32_off_names[i], key) != 0; i++)
			;
		errno = 0;
		v = strtoull(val, &end, 0);
		if (i < W32_NOFFS && w32_off_is_bits(i)) {
			/* a bitfield: BITPOS:BITS */
			unsigned long n = *end == ':' ? strtoul(end + 1, &end, 0) : 0;

			if (*val == '\0' || *end != '\0' || errno != 0 || v > 63 || n == 0 || n > 64 - v)
				return w->host->error(errbuf, MF_ERR_FORMAT, "%s:%u: %s: invalid bitfield '%s' (BITPOS:BITS)",
				                      path, lineno, key, val);
			v = W32_BITS(v, n);
		} else if (*val == '\0' || *end != '\0' || errno != 0 || v > W32_OFF_MAX) {
			return w->host->error(errbuf, MF_ERR_FORMAT, "%s:%u: %s: invalid offset '%s'", path, lineno, key, val);
		}
		if (i == W32_NOFFS)
			continue;   /* a member a later version of the layer reads */
		w->off[i] = v;
		have[i] = true;
	}
	for (i = 0; i < W32_FIRST_OPTIONAL; i++)
		if (!have[i] && w32_off_used(w, i))
			return w->host->error(errbuf, MF_ERR_FORMAT, "%s: no %s", path, w32_off_names[i]);
	w32_optional_check(w, have, path);
	return 0;
}

/* The tables of one architecture: the build itself, else the highest below it (the first
 * directory's on a tie); and every directory looked in, for the message when none fits. */
struct w32_table_pick {
	const char *arch;
	uint32_t build;
	uint32_t best_build;           /* UINT32_MAX: none yet */
	char best[256];
	char dirs[1024];
};

static int
w32_table_pick_cb(void *ctx, const char *dir, const char *name)
{
	struct w32_table_pick *t = ctx;
	size_t al = strlen(t->arch), l = strlen(t->dirs);
	unsigned b;
	char tail[16];

	if (name == NULL) {
		if (snprintf(t->dirs + l, sizeof t->dirs - l, "%s%s", l ? ", " : "", dir) >= (int)(sizeof t->dirs - l))
			t->dirs[sizeof t->dirs - 1] = '\0';
		return 0;
	}
	if (strncmp(name, t->arch, al) != 0 || name[al] != '-' || sscanf(name + al + 1, "%u.%15s", &b, tail) != 2 ||
	    strcmp(tail, "offsets") != 0 || b > t->build || strlen(name) >= sizeof t->best)
		return 0;
	if (t->best_build != UINT32_MAX && b <= t->best_build)
		return 0;
	t->best_build = b;
	snprintf(t->best, sizeof t->best, "%s", name);
	return 0;
}

static int
w32_offsets_table(struct w32 *w, char *dirs, size_t dcap, char *errbuf)
{
	const struct mf_host *host = w->host;
	struct w32_table_pick t = { .arch = w32_table_arch(w), .build = w->build, .best_build = UINT32_MAX };
	struct mf_symfile f = { .struct_size = sizeof f };
	char *text, path[4096];
	int r;

	if (!MF_HOST_HAS(host, data_files) || !MF_HOST_HAS(host, open_data_file))
		return host->error(errbuf, MF_ERR_UNSUPPORTED, "win32: this mftools gives its plugins no data files (an"
		                   " older host): give pdb=FILE");
	host->data_files("win32", w32_table_pick_cb, &t);
	snprintf(dirs, dcap, "%s", t.dirs);
	if (t.best_build == UINT32_MAX)
		return MF_ERR_NOTFOUND;
	if ((r = host->open_data_file("win32", t.best, &f, errbuf)) < 0)
		return r;
	snprintf(path, sizeof path, "%s", f.path);
	if (f.size > W32_TABLE_MAX || (text = malloc((size_t)f.size + 1)) == NULL) {
		host->close_symbol_file(&f);
		return host->error(errbuf, f.size > W32_TABLE_MAX ? MF_ERR_LIMIT : MF_ERR_NOMEM,
		                   "win32: %s: %s", path, f.size > W32_TABLE_MAX ? "larger than 256 KiB" : "out of memory");
	}
	memcpy(text, f.data, (size_t)f.size);
	text[f.size] = '\0';
	host->close_symbol_file(&f);
	r = w32_table_parse(w, path, text, errbuf);
	free(text);
	if (r < 0)
		return r;
	if (t.best_build == w->build)
		snprintf(w->offsets_from, sizeof w->offsets_from, "the table of build %" PRIu32 " (%.160s)", t.best_build, path);
	else
		snprintf(w->offsets_from, sizeof w->offsets_from,
		         "the table of build %" PRIu32 ", the nearest lower build: none for %" PRIu32 " (%.160s)", t.best_build,
		         w->build, path);
	return 0;
}

/* ntoskrnl's PDB from symdir=DIR, a symbol server's cache: DIR/NAME/GUIDAGE/NAME, named by
 * ntoskrnl's CodeView record.  0 (f open), MF_ERR_NOTFOUND (no symdir=, or the PDB is not
 * in it: said as a warning, and the tables are tried), or an error. */
static int
w32_symdir_open(struct w32 *w, struct mf_symfile *f, char *errbuf)
{
	const struct mf_host *host = w->host;
	const char *dir = host->arg(w->args, "symdir"), *name;
	struct pe_rsds rs;
	char key[41], rel[3 * PE_MAX_NAME], eb[MF_ERRBUF_SIZE];
	int r;

	if (dir == NULL || dir[0] == '\0')
		return MF_ERR_NOTFOUND;
	if (!MF_HOST_HAS(host, open_symbol_file_in))
		return host->error(errbuf, MF_ERR_UNSUPPORTED, "win32: symdir=: this mftools cannot open files in a directory"
		                   " for its plugins (an older host)");
	if (pe_rsds(&w->kpe, &rs, eb) < 0) {
		host->log(0, "win32: symdir=%s: ntoskrnl.exe names no PDB (%s)", dir, eb);
		return MF_ERR_NOTFOUND;
	}
	name = strrchr(rs.pdb, '\\') != NULL ? strrchr(rs.pdb, '\\') + 1 : rs.pdb;
	pe_rsds_key(&rs, key, sizeof key);
	snprintf(rel, sizeof rel, "%s/%s/%s", name, key, name);
	if ((r = host->open_symbol_file_in(w->args, "symdir", rel, f, errbuf)) == MF_ERR_NOTFOUND) {
		host->log(0, "win32: %s", errbuf);
		errbuf[0] = '\0';
	}
	return r;
}

/* The offsets and the list heads from pdb=FILE, else from symdir=DIR: 0, MF_ERR_NOTFOUND
 * (neither given, or the PDB not in DIR), or an error. */
static int
w32_offsets_pdb(struct w32 *w, char *errbuf)
{
	const struct mf_host *host = w->host;
	struct mf_symfile f = { .struct_size = sizeof f };
	struct pdb *p;
	struct pe_rsds rs;
	char want[41], have[41], eb[MF_ERRBUF_SIZE];
	bool got[W32_NOFFS] = { false };
	unsigned i;
	int r;

	if ((r = host->open_symbol_file(w->args, "pdb", &f, errbuf)) == MF_ERR_NOTFOUND)
		r = w32_symdir_open(w, &f, errbuf);
	if (r < 0)
		return r;
	if ((r = pdb_open(f.data, f.size, &p, errbuf)) < 0) {
		r = host->error(errbuf, r, "win32: %s: %s", f.path, strcpy(eb, errbuf));
		host->close_symbol_file(&f);
		return r;
	}
	pdb_guid_age(pdb_info(p), have);
	if (pe_rsds(&w->kpe, &rs, eb) == 0) {
		pe_rsds_key(&rs, want, sizeof want);
		if (strcmp(want, have) != 0)
			host->log(0, "win32: %s is %s, ntoskrnl.exe names %s %s: offsets may not fit", f.path, have, rs.pdb, want);
	}
	for (i = 0; i < W32_NOFFS && r == 0; i++) {
		const char *name = w32_off_names[i], *dot = strchr(name, '.');
		char type[64];
		uint64_t size;
		uint32_t ti;
		struct pdb_member m;

		snprintf(type, sizeof type, "%.*s", (int)(dot - name), name);
		if (w32_off_is_bits(i)) {
			if ((r = pdb_type_find(p, type, &ti, eb)) == 0 && (r = pdb_member_path(p, ti, dot + 1, &m, eb)) == 0)
				w->off[i] = W32_BITS(m.bitpos, m.bits ? m.bits : m.size * 8);
		} else {
			r = pdb_offset(p, type, dot + 1, &w->off[i], &size, eb);
		}
		got[i] = r == 0;
		if (r < 0 && (i >= W32_FIRST_OPTIONAL || !w32_off_used(w, i)) && r != MF_ERR_NOMEM)
			r = 0;   /* optional */
		else if (r < 0)
			r = host->error(errbuf, r, "win32: %s: no %s (%s)", f.path, name, eb);
	}
	if (r == 0)
		w32_optional_check(w, got, f.path);
	if (r == 0) {
		struct pdb_sym s;

		if (w->ps_active_process_head == 0 && pdb_symbol_find(p, "PsActiveProcessHead", &s) == 0 && s.has_rva)
			w->ps_active_process_head = w->kbase + s.rva;
		if (w->ps_loaded_module_list == 0 && pdb_symbol_find(p, "PsLoadedModuleList", &s) == 0 && s.has_rva)
			w->ps_loaded_module_list = w->kbase + s.rva;
		snprintf(w->offsets_from, sizeof w->offsets_from, "the PDB %s (%s)", f.path, have);
	}
	pdb_close(p);
	host->close_symbol_file(&f);
	return r;
}

int
w32_offsets_load(struct w32 *w, char *errbuf)
{
	struct pe_rsds rs;
	char dirs[1024], key[41], eb[MF_ERRBUF_SIZE];
	int r;

	if ((r = w32_offsets_pdb(w, errbuf)) != MF_ERR_NOTFOUND && r != 0)
		return r;
	if (r == MF_ERR_NOTFOUND && (r = w32_offsets_table(w, dirs, sizeof dirs, errbuf)) == MF_ERR_NOTFOUND) {
		if (pe_rsds(&w->kpe, &rs, eb) == 0) {
			const char *name = strrchr(rs.pdb, '\\') != NULL ? strrchr(rs.pdb, '\\') + 1 : rs.pdb;

			pe_rsds_key(&rs, key, sizeof key);
			return w->host->error(errbuf, MF_ERR_NOTFOUND,
			                      "win32: no structure offsets for build %" PRIu32 "%s: give pdb=FILE or symdir=DIR,"
			                      " from a symbol server %s/%s/%s (no table at or below the build in %s)",
			                      w->build, w->is64 ? "" : " (x86)", name, key, name, dirs);
		}
		return w->host->error(errbuf, MF_ERR_NOTFOUND,
		                      "win32: no structure offsets for build %" PRIu32 "%s: give pdb=FILE (ntoskrnl.exe names no"
		                      " PDB: %s; no table at or below the build in %s)", w->build, w->is64 ? "" : " (x86)", eb, dirs);
	}
	if (r < 0)
		return r;
	w->host->log(1, "win32: structure offsets from %s", w->offsets_from);
	return 0;
}
