/* tool-getopt.c: getopt_long in argument order ("-" optstrings), with negative numbers as
 * operands, and the operands moved behind the options at the end. */
#include "config.h"
#include "tool-getopt.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TOOL_OPTSTRING_MAX 128

static struct {
	char optstring[TOOL_OPTSTRING_MAX + 2];
	bool negatives;               /* negative numbers are operands */
	bool boundary;                /* getopt_long finished its last argument */
	int *operands;                /* argv indices of operands found so far */
	int noperands;
} tool_go = { .boundary = true };

bool
tool_negative_number(const char *s)
{
	if (s[0] != '-')
		return false;
	if (strcasecmp(s + 1, "inf") == 0 || strcasecmp(s + 1, "infinity") == 0)
		return true;
	if (s[1] == '.')
		return isdigit((unsigned char)s[2]) != 0;
	return isdigit((unsigned char)s[1]) != 0;
}

static void
tool_go_operand(int i, int argc)
{
	if (tool_go.operands == NULL && (tool_go.operands = calloc((size_t)argc, sizeof *tool_go.operands)) == NULL)
		abort();
	tool_go.operands[tool_go.noperands++] = i;
}

/* The operands found (and argv[first..argc), after "--") behind everything else, each
 * group in its order; optind to the first of them. */
static void
tool_go_finish(int argc, char **argv, int first)
{
	char **tmp = calloc((size_t)argc + 1, sizeof *tmp);
	int n = 1, i, k = 0, nops = tool_go.noperands + (argc - first);

	if (tmp == NULL)
		abort();
	for (i = 1; i < first; i++) {
		if (k < tool_go.noperands && tool_go.operands[k] == i) {
			k++;
			continue;
		}
		tmp[n++] = argv[i];
	}
	for (k = 0; k < tool_go.noperands; k++)
		tmp[n++] = argv[tool_go.operands[k]];
	for (i = first; i < argc; i++)
		tmp[n++] = argv[i];
	memcpy(argv + 1, tmp + 1, (size_t)(argc - 1) * sizeof *argv);
	free(tmp);
	free(tool_go.operands);
	tool_go.operands = NULL;
	tool_go.noperands = 0;
	optind = argc - nops;
}

int
tool_getopt_long(int argc, char **argv, const char *optstring, const struct option *longopts)
{
	int before, c;

	if (strcmp(tool_go.optstring + 1, optstring) != 0 || tool_go.optstring[0] == '\0') {
		size_t n = strlen(optstring);

		if (n > TOOL_OPTSTRING_MAX)
			abort();            /* a tool's option string is short */
		tool_go.optstring[0] = '-';   /* non-options come back in order, as code 1 */
		memcpy(tool_go.optstring + 1, optstring, n + 1);
		tool_go.negatives = strpbrk(optstring, "0123456789") == NULL;
	}
	if (optind == 0) {
		/* a new parse (getopt's convention): reset getopt_long on an empty argv first, so
		 * that a negative number in argv[1] is seen before getopt_long looks at it */
		char *none[] = { argv[0], NULL };

		free(tool_go.operands);
		tool_go.operands = NULL;
		tool_go.noperands = 0;
		tool_go.boundary = true;
		getopt_long(1, none, tool_go.optstring, longopts, NULL);
		optind = 1;
	}
	for (;;) {
		if (tool_go.boundary && optind < argc && tool_go.negatives && tool_negative_number(argv[optind])) {
			tool_go_operand(optind++, argc);
			continue;
		}
		before = optind;
		c = getopt_long(argc, argv, tool_go.optstring, longopts, NULL);
		if (c == -1) {
			/* optind is past "--" (what follows are operands) or at argc */
			tool_go_finish(argc, argv, optind);
			tool_go.boundary = true;
			return -1;
		}
		/* the same index again: getopt_long is inside a group of short options ("-qv") */
		tool_go.boundary = optind != before;
		if (c == 1) {
			tool_go_operand(optind - 1, argc);
			continue;
		}
		return c;
	}
}
