/* libmf/hexval.h: the value of a hex digit, header-only: for libmf (args, values, records)
 * and the scanners (libcommon/scan), which link libmf but cannot see its hidden symbols. */
#ifndef MF_HEXVAL_H
#define MF_HEXVAL_H

/* 0 to 15 for '0'-'9', 'a'-'f', 'A'-'F'; -1 for anything else. */
static inline int
mfint_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif /* MF_HEXVAL_H */
