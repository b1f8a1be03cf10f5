/* test-tool-getopt: tools/tool-getopt.c: negative numbers as operands where an option
 * could start, operands behind the options in their order, option arguments untouched,
 * groups of short options, "--", and an option that takes the next argument itself. */
#include "config.h"
#include "tool-getopt.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

static const struct option longopts[] = {
	{ "between", required_argument, NULL, 'B' },
	{ "eq", required_argument, NULL, 'E' },
	{ "quiet", no_argument, NULL, 'q' },
	{ NULL, 0, NULL, 0 },
};

/* Parse a space-separated command line: the options seen ("q", "T=i32", "B=-10,-5") and
 * the operands, as one string "opts | operands". */
static void
parse(const char *line, char *out, size_t size)
{
	char buf[256], *argv[32], *tok, *save = NULL;
	int argc = 0, c, i;
	size_t o = 0;

	snprintf(buf, sizeof buf, "prog %s", line);
	for (tok = strtok_r(buf, " ", &save); tok != NULL && argc < 31; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	out[0] = '\0';
	optind = 0;
	opterr = 0;
	while ((c = tool_getopt_long(argc, argv, "T:qv", longopts)) != -1) {
		if (c == 'B' && optind < argc)
			o += (size_t)snprintf(out + o, size - o, "B=%s,%s ", optarg, argv[optind++]);
		else if (optarg != NULL && (c == 'T' || c == 'E'))
			o += (size_t)snprintf(out + o, size - o, "%c=%s ", c, optarg);
		else
			o += (size_t)snprintf(out + o, size - o, "%c ", c);
	}
	o += (size_t)snprintf(out + o, size - o, "|");
	for (i = optind; i < argc; i++)
		o += (size_t)snprintf(out + o, size - o, " %s", argv[i]);
}

static void
check(const char *line, const char *want)
{
	char got[512];

	parse(line, got, sizeof got);
	is_str(got, want, "%s", line);
}

int
main(void)
{
	check("-T i32 -5", "T=i32 | -5");
	check("-5 -T i32", "T=i32 | -5");
	check("-T f64 -1.5 -q", "T=f64 q | -1.5");
	check("-T f64 -.5", "T=f64 | -.5");
	check("-T f64 -inf -q", "T=f64 q | -inf");
	check("-T i64 -0x10", "T=i64 | -0x10");
	check("--between -10 -5 -T i32", "B=-10,-5 T=i32 |");
	check("--eq -5 -T i8", "E=-5 T=i8 |");
	check("lt -4 -q between -10 -5", "q | lt -4 between -10 -5");
	check("-qv -3", "q v | -3");
	check("-qT u8 -3 7", "q T=u8 | -3 7");
	check("-T u8 -- -q -3", "T=u8 | -q -3");
	check("-x", "? |");
	check("- -7", "| - -7");
	/* a negative number in argv[1] of a second parse in the same process */
	check("-9", "| -9");
	ok(tool_negative_number("-5") && tool_negative_number("-0x1") && tool_negative_number("-.5") &&
	   !tool_negative_number("-x") && !tool_negative_number("-") && !tool_negative_number("5") &&
	   !tool_negative_number("-.") && !tool_negative_number("--5") && tool_negative_number("-inf") &&
	   tool_negative_number("-Infinity") && !tool_negative_number("-in") && !tool_negative_number("-info"),
	   "tool_negative_number");
	return done_testing();
}
