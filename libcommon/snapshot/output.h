/* snapshot/output.h: where a snapshot goes: a temporary file in the destination directory
 * (O_TMPFILE, else a hidden named one), fsynced and then given its final name (never
 * replacing a file without `force`), so that a crash, a full disk or a signal never leaves
 * a truncated file under the final name; strftime names and the --keep rotation of older
 * snapshots.  Implemented in output.c and rotate.c. */
#ifndef MF_SNAPSHOT_OUTPUT_H
#define MF_SNAPSHOT_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct snap_out;

/* Open the temporary output for path, marked with mark (may be NULL), after removing the
 * stale temporaries of earlier runs for path that carry the same mark.  0; MF_ERR_ARG when path names no file ("invalid output
 * path 'x/': not a file name"); MF_ERR_IO / MF_ERR_GENERIC when the directory cannot be
 * opened, path exists (without force) or is a directory, or no temporary can be made; the
 * message in errbuf. */
int snap_out_open(const char *path, bool force, const char *mark, struct snap_out **out, char *errbuf);
int snap_out_fd(const struct snap_out *o);
/* 0 when the output carries mark (snap_out_open's, if not NULL) in its extended attribute,
 * else the errno (ENOTSUP: the filesystem has none). */
int snap_out_marked(const struct snap_out *o);
/* A named temporary ".NAME.mf-dump-XXXXXX": the length of NAME, else 0. */
size_t snap_tmp_base_len(const char *name);
/* Remove dirfd/name when it is a named temporary carrying mark whose writer is gone (nobody
 * holds its lock): 1 when removed, else 0. */
int snap_tmp_remove_stale(int dirfd, const char *name, const char *mark);
/* fsync the data: 0, or MF_ERR_IO ("cannot write PATH: fsync: ..."). */
int snap_out_sync(struct snap_out *o, char *errbuf);
/* Give the file its final name and fsync the directory: 0; 1 when only the directory fsync
 * failed (a warning in errbuf; the file is in place); negative when the file could not be
 * named (it stays a temporary: snap_out_abort removes it). */
int snap_out_publish(struct snap_out *o, char *errbuf);
/* Remove the temporary (nothing appears under the final name) and close it; safe to call
 * more than once, and after a publish (then it only closes). */
void snap_out_abort(struct snap_out *o);
void snap_out_free(struct snap_out *o);
/* Abort and free: a write failed, nothing is to appear. */
void snap_out_discard(struct snap_out *o);
/* Sync, publish and free o, whatever happens: 0; 1 when only the directory fsync failed
 * (a warning in errbuf); negative when the file could not be synced or named (message in
 * errbuf; nothing appears under the final name). */
int snap_out_finish(struct snap_out *o, char *errbuf);

/* The output name: pattern with %{target} replaced by the target's short name and its other
 * %-conversions expanded by strftime(3) at the current time (local, or UTC).  0 and *out
 * (the caller's, free()), or MF_ERR_ARG ("invalid output pattern 'x'"), MF_ERR_GENERIC,
 * MF_ERR_NOMEM, with the message in errbuf. */
int snap_name_expand(const char *pattern, const char *target, bool utc, char **out, char *errbuf);

/* ---- --keep ---------------------------------------------------------------------------- */

/* 0 when --keep can rotate the files of pattern: its conversions have a fixed form (%Y %m %d
 * %H %M %S %s %j %F %T, names of days and months, %{target} ...; not %c %x %X %r %D) and its
 * directory has none; else MF_ERR_ARG with the message in errbuf. */
int snap_keep_check(const char *pattern, char *errbuf);

struct snap_keep_cb {
	void (*done)(void *ctx, const char *path, int err);   /* deleted (err 0) or not (errno) */
	void (*skipped)(void *ctx, const char *path);          /* named like one, but not ours: kept */
	void *ctx;
};

/* --keep: of the regular files in the pattern's directory whose names the pattern can produce
 * for target (the short name) and that carry mark, delete the oldest (by mtime, then name)
 * beyond the newest keep, never `written`.  0, or a negative MF_ERR_* with errbuf. */
int snap_keep(const char *pattern, const char *target, const char *mark, uint64_t keep, const char *written,
              const struct snap_keep_cb *cb, char *errbuf);

/* ---- the marker (mark.c) --------------------------------------------------------------- */

struct mf_target;

/* The marker of t's snapshots ("mftools snapshot of connector=lime,path=/abs/x.lime") and its
 * short name for %{target} ([A-Za-z0-9._-], at most 64 bytes): 0, or a negative MF_ERR_*. */
int snap_target_names(struct mf_target *t, char **mark, char **shortname, char *errbuf);
/* Put the marker into fd's extended attribute user.mftools.snapshot: 0 or an errno. */
int snap_mark_set(int fd, const char *mark);
/* 1 when dirfd/name carries exactly mark (its extended attribute, else its ELF or kdump
 * MFTOOLS note), else 0. */
int snap_mark_check(int dirfd, const char *name, const char *mark);

#endif /* MF_SNAPSHOT_OUTPUT_H */
