/* snapshot/output.h: where a snapshot goes: a temporary file in the destination directory
 * (O_TMPFILE, else a hidden named one), fsynced and then given its final name (never
 * replacing a file without `force`), so that a crash, a full disk or a signal never leaves
 * a truncated file under the final name; strftime names and the --keep rotation of older
 * snapshots.  Implemented in output.c and rotate.c. */
#ifndef MF_SNAPSHOT_OUTPUT_H
#define MF_SNAPSHOT_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>

struct snap_out;

/* Open the temporary output for path.  0; MF_ERR_ARG when path names no file ("invalid output
 * path 'x/': not a file name"); MF_ERR_IO / MF_ERR_GENERIC when the directory cannot be
 * opened, path exists (without force) or is a directory, or no temporary can be made; the
 * message in errbuf. */
int snap_out_open(const char *path, bool force, struct snap_out **out, char *errbuf);
int snap_out_fd(const struct snap_out *o);
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

/* The output name: pattern with its %-conversions expanded by strftime(3) at the current
 * time (local, or UTC).  0 and *out (the caller's, free()), or MF_ERR_ARG ("invalid output
 * pattern 'x'"), MF_ERR_GENERIC, MF_ERR_NOMEM, with the message in errbuf. */
int snap_name_expand(const char *pattern, bool utc, char **out, char *errbuf);
/* The pattern as a glob: each %-conversion becomes '*', glob characters are escaped.  NULL on
 * out of memory. */
char *snap_name_glob(const char *pattern);
/* --keep: of the regular files matching the pattern's glob, delete the oldest (by mtime, then
 * name) beyond the newest keep, never `written`.  done(ctx, path, 0) for each deleted file,
 * done(ctx, path, errno) for each that could not be.  0, or MF_ERR_NOMEM. */
int snap_keep(const char *pattern, uint64_t keep, const char *written,
              void (*done)(void *ctx, const char *path, int err), void *ctx);

#endif /* MF_SNAPSHOT_OUTPUT_H */
