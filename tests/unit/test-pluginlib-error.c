/* test-pluginlib-error.c: plib_error and plib_error_errno (pluginlib/error.c), and libmf's
 * mf_error / mf_error_errno, which are built on them and must say the same. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <mftools/mf.h>

#include "pluginlib/error.h"
#include "tap.h"

static void
test_error(void)
{
	char err[MF_ERRBUF_SIZE] = "old", long_arg[400];

	is_int(plib_error(err, MF_ERR_FORMAT, "cannot open %s: bad magic 0x%x", "x.lime", 0x1234),
	       MF_ERR_FORMAT, "plib_error returns its code");
	is_str(err, "cannot open x.lime: bad magic 0x1234", "... and formats the message");
	is_int(plib_error(NULL, MF_ERR_IO, "no buffer %d", 1), MF_ERR_IO, "a NULL errbuf: the code, nothing written");
	is_int(plib_error_errno(err, MF_ERR_NOTFOUND, ENOENT, "cannot open %s", "/nope"), MF_ERR_NOTFOUND,
	       "plib_error_errno returns its code");
	is_str(err, "cannot open /nope: No such file or directory", "... and appends \": strerror\"");
	is_int(plib_error_errno(NULL, MF_ERR_IO, EIO, "x"), MF_ERR_IO, "plib_error_errno with a NULL errbuf");
	plib_error_errno(err, MF_ERR_IO, 0, "cannot read");
	is_str(err, "cannot read: Success", "errno 0 is appended like any other");

	memset(long_arg, 'a', sizeof long_arg - 1);
	long_arg[sizeof long_arg - 1] = '\0';
	plib_error(err, MF_ERR_ARG, "%s", long_arg);
	is_int((int)strlen(err), MF_ERRBUF_SIZE - 1, "a long message is cut at the buffer");
	plib_error_errno(err, MF_ERR_ARG, ENOENT, "%s", long_arg);
	is_int((int)strlen(err), MF_ERRBUF_SIZE - 1, "... with errno too, and nothing appended past it");
	ok(strstr(err, "No such") == NULL, "... the strerror text does not fit");
	long_arg[MF_ERRBUF_SIZE - 5] = '\0';
	plib_error_errno(err, MF_ERR_ARG, ENOENT, "%s", long_arg);
	is_int((int)strlen(err), MF_ERRBUF_SIZE - 1, "a message that nearly fills the buffer");
	ok(memcmp(err + MF_ERRBUF_SIZE - 5, ": No", 4) == 0, "... gets as much of \": strerror\" as fits");
}

static void
test_libmf_same(void)
{
	char a[MF_ERRBUF_SIZE], b[MF_ERRBUF_SIZE];

	is_int(mf_error(a, MF_ERR_LIMIT, "more than %u ranges", 7u), MF_ERR_LIMIT, "mf_error returns its code");
	plib_error(b, MF_ERR_LIMIT, "more than %u ranges", 7u);
	is_str(a, b, "mf_error says what plib_error says");
	is_int(mf_error_errno(a, MF_ERR_PERM, EACCES, "cannot open %s", "/x"), MF_ERR_PERM,
	       "mf_error_errno returns its code");
	plib_error_errno(b, MF_ERR_PERM, EACCES, "cannot open %s", "/x");
	is_str(a, b, "mf_error_errno says what plib_error_errno says");
	is_str(a, "cannot open /x: Permission denied", "... which is the errno text appended");
}

int
main(void)
{
	test_error();
	test_libmf_same();
	return done_testing();
}
