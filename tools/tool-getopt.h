/* tool-getopt.h: getopt_long for tools whose operands may be negative numbers
 * (`mf-scan -T i32 -5`, `--between -10 -5`, `--rescan lt -1.5`).  Where getopt_long would
 * start a new option, an argument that looks like a negative number ("-5", "-0x10",
 * "-1.5", "-.5", "-inf") is an operand instead: no tool has digit options (an option
 * string that has one turns the rule off).  Arguments of options are untouched (`--eq -5` was always a
 * value).  When the options end, the operands stand in argv[optind..argc) in the order
 * given, as getopt_long's permutation leaves them; a tool that takes the next argument of
 * an option itself (argv[optind++], `--between LOW HIGH`) gets it in command-line order.
 * Implemented in tool-getopt.c.  Tools only. */
#ifndef MF_TOOL_GETOPT_H
#define MF_TOOL_GETOPT_H

#include <getopt.h>
#include <stdbool.h>

/* getopt_long's contract (optind, optarg, the return codes); call until it returns -1. */
int tool_getopt_long(int argc, char **argv, const char *optstring, const struct option *longopts);
/* Does s look like a negative number ("-" then a digit, "-." then a digit, "-inf")? */
bool tool_negative_number(const char *s);

#endif
