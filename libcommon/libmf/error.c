/* error.c: error codes, messages and logging (a message erases the progress line first). */
#include "mf-int.h"
#include "pluginlib/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char error_progname[64] = "mftools";
static int error_verbosity;

MF_API const char *
mf_strerror(int code)
{
	switch (code) {
	case MF_OK: return "success";
	case MF_ERR_GENERIC: return "error";
	case MF_ERR_NOMEM: return "out of memory";
	case MF_ERR_IO: return "input/output error";
	case MF_ERR_UNMAPPED: return "not present in the source";
	case MF_ERR_PERM: return "permission denied";
	case MF_ERR_NOTFOUND: return "not found";
	case MF_ERR_FORMAT: return "malformed input";
	case MF_ERR_UNSUPPORTED: return "not supported";
	case MF_ERR_ARG: return "invalid argument";
	case MF_ERR_ABI: return "plugin ABI mismatch";
	case MF_ERR_NOTMAPPED: return "address not mapped";
	case MF_ERR_RANGE: return "out of range";
	case MF_ERR_GONE: return "process exited";
	case MF_ERR_READONLY: return "target is read-only";
	case MF_ERR_CORRUPT: return "corrupt data";
	case MF_ERR_NONCANONICAL: return "non-canonical address";
	case MF_ERR_LIMIT: return "limit exceeded";
	default: return "unknown error";
	}
}

PLIB_DEFINE_ERROR_FUNCS(MF_API, mf_error, mf_error_errno)

MF_API void
mf_log_init(const char *progname, int verbosity)
{
	const char *slash = strrchr(progname, '/');

	snprintf(error_progname, sizeof error_progname, "%s", slash ? slash + 1 : progname);
	error_verbosity = verbosity;
	mfint_progress_verbosity(verbosity);
}

MF_API const char *
mf_progname(void)
{
	return error_progname;
}

MF_API void
mf_log(int level, const char *fmt, ...)
{
	static const char *const prefix[] = { "warning: ", "", "debug: " };
	char buf[1024];
	va_list ap;

	if (level > error_verbosity)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	mf_progress_hold();   /* never on the progress line's text */
	fprintf(stderr, "%s: %s%s\n", error_progname, prefix[level < 0 ? 0 : level > 2 ? 2 : level], buf);
	mf_progress_release();
}
