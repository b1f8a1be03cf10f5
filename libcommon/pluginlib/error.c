/* error.c: formatting a message into a caller's errbuf. */
#include "pluginlib/error.h"

#include <stdio.h>
#include <string.h>

#include <mftools/plugin.h>

int
plib_verror(char *errbuf, int code, int errnum, const char *fmt, va_list ap)
{
	size_t len;

	if (errbuf == NULL)
		return code;
	vsnprintf(errbuf, MF_ERRBUF_SIZE, fmt, ap);
	if (errnum != PLIB_NO_ERRNO) {
		len = strlen(errbuf);
		if (len < MF_ERRBUF_SIZE - 1)
			snprintf(errbuf + len, MF_ERRBUF_SIZE - len, ": %s", strerror(errnum));
	}
	return code;
}

PLIB_DEFINE_ERROR_FUNCS(, plib_error, plib_error_errno)
