/* kallsyms-scan.c: the kallsyms tables of a kernel whose VMCOREINFO does not list them
 * (before 6.0, or no VMCOREINFO at all), found by scanning the kernel image. */
#include "config.h"

#include "kallsyms.h"
#include "linux.h"

int
lx_ksyms_scan(const struct lx *lx, struct lx_ksyms *where, char *errbuf)
{
	(void)where;
	return lx->host->error(errbuf, MF_ERR_UNSUPPORTED, "kallsyms: VMCOREINFO does not name the tables, and this build cannot scan for them yet");
}
