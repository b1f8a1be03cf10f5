/* scan/yara.h: YARA rules through libyara, for the scan engine: compile a rules file, run
 * the rules over one buffer.  Implemented in yara.c, the module mf-scan-yara.so, which the
 * first scan_yara_load opens (optional.c, scan/module.h); built without libyara, or with the
 * module missing, loading fails with MF_ERR_UNSUPPORTED. */
#ifndef MF_SCAN_YARA_H
#define MF_SCAN_YARA_H

#include <stddef.h>
#include <stdint.h>
#include "scan/module.h"

#define SCAN_YARA_OVERLAP (64u << 10) /* the longest match found across a chunk boundary */

struct scan_yara;

/* Compile the rules in the source file `path`.  0, or a negative MF_ERR_* with the message
 * in errbuf ("cannot open R: ...", "cannot compile R: R:3: syntax error ..."). */
int scan_yara_load(const char *path, struct scan_yara **out, char *errbuf);
void scan_yara_free(struct scan_yara *y);
/* The most threads that may scan at once (libyara's limit); UINT32_MAX without libyara. */
unsigned scan_yara_max_threads(void);

/* A matched string: offset in the buffer, length, rule and string identifiers (borrowed
 * from the rules); sid NULL for a rule that matched without a string match (a rule with no
 * strings): offset 0, the buffer's length.  Non-zero stops the reports of the current
 * buffer's later rules. */
typedef int (*scan_yara_fn)(void *ctx, size_t off, size_t len, const char *rule, const char *sid);
/* Every match of the rules in buf[0, n).  0, or libyara's (positive) error code. */
int scan_yara_run(const struct scan_yara *y, const uint8_t *buf, size_t n, scan_yara_fn cb, void *ctx);

/* The table mf-scan-yara.so exports as scan_yara_module: the functions above. */
struct scan_yara_module {
	uint32_t abi;                 /* SCAN_MODULE_ABI */
	int (*load)(const char *path, struct scan_yara **out, char *errbuf);
	void (*free)(struct scan_yara *y);
	unsigned max_threads;
	int (*run)(const struct scan_yara *y, const uint8_t *buf, size_t n, scan_yara_fn cb, void *ctx);
};

#endif /* MF_SCAN_YARA_H */
