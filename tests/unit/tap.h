/* tap.h: a minimal TAP producer for the C unit tests (run by automake's tap-driver).
 *   plan_lazy();  ok(cond, "name %d", i);  is_u64(got, want, "name");  return done_testing();
 * Header-only, everything static. */
#ifndef MF_TAP_H
#define MF_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

__attribute__((format(printf, 2, 3), unused)) static int
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return cond;
}

__attribute__((format(printf, 3, 4), unused)) static void
tap_diag_fail(int cond, const char *what, const char *fmt, ...)
{
	va_list ap;

	if (cond)
		return;
	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (%s)\n", what);
}

#define is_u64(got, want, ...) do { \
	uint64_t tap_g_ = (uint64_t)(got), tap_w_ = (uint64_t)(want); \
	if (!ok(tap_g_ == tap_w_, __VA_ARGS__)) \
		printf("#   got 0x%" PRIx64 ", want 0x%" PRIx64 "\n", tap_g_, tap_w_); \
} while (0)

#define is_int(got, want, ...) do { \
	long long tap_g_ = (long long)(got), tap_w_ = (long long)(want); \
	if (!ok(tap_g_ == tap_w_, __VA_ARGS__)) \
		printf("#   got %lld, want %lld\n", tap_g_, tap_w_); \
} while (0)

#define is_str(got, want, ...) do { \
	const char *tap_g_ = (got), *tap_w_ = (want); \
	if (!ok(tap_g_ != NULL && tap_w_ != NULL && strcmp(tap_g_, tap_w_) == 0, __VA_ARGS__)) \
		printf("#   got '%s', want '%s'\n", tap_g_ ? tap_g_ : "(null)", tap_w_ ? tap_w_ : "(null)"); \
} while (0)

__attribute__((unused)) static void
diag(const char *msg)
{
	printf("# %s\n", msg);
}

__attribute__((unused)) static int
done_testing(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

__attribute__((unused)) static void
skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
}

#endif
