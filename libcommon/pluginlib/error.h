/* pluginlib/error.h: filling a caller's errbuf, for the pluginlib parts (which run without
 * a host table: libmf calls them too).  The same contract as host->error and
 * host->error_errno in <mftools/plugin.h>: the message goes into errbuf (MF_ERRBUF_SIZE
 * bytes, may be NULL) and `code` is returned, so `return plib_error(...)` reads well.
 * Part of libmfplugin.la (see vmcoreinfo.h for how to link it). */
#ifndef MF_PLUGINLIB_ERROR_H
#define MF_PLUGINLIB_ERROR_H

#include <stdarg.h>

int plib_error(char *errbuf, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same, with ": strerror(errnum)" appended. */
int plib_error_errno(char *errbuf, int code, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The va_list form (libmf's mf_error and mf_error_errno are built on it); errnum
 * PLIB_NO_ERRNO appends nothing. */
#define PLIB_NO_ERRNO (-1)
int plib_verror(char *errbuf, int code, int errnum, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

/* Defines the variadic pair over plib_verror with the linkage `attr`: plib_error and
 * plib_error_errno here, libmf's exported mf_error and mf_error_errno. */
#define PLIB_DEFINE_ERROR_FUNCS(attr, error, error_errno)                                   \
	attr int error(char *errbuf, int code, const char *fmt, ...)                        \
	{                                                                                   \
		va_list ap;                                                                 \
		va_start(ap, fmt);                                                          \
		plib_verror(errbuf, code, PLIB_NO_ERRNO, fmt, ap);                          \
		va_end(ap);                                                                 \
		return code;                                                                \
	}                                                                                   \
	attr int error_errno(char *errbuf, int code, int errnum, const char *fmt, ...)      \
	{                                                                                   \
		va_list ap;                                                                 \
		va_start(ap, fmt);                                                          \
		plib_verror(errbuf, code, errnum, fmt, ap);                                 \
		va_end(ap);                                                                 \
		return code;                                                                \
	}

#endif
