/* fuzz-qemumaps.c: libFuzzer target for the qemu connector's layout without QMP: the input
 * is QEMU's /proc/PID/cmdline (NUL-separated), a line "--maps--", then its /proc/PID/maps.
 * The command line is parsed, the layout guessed from -m and -machine, the RAM mapping
 * found in the maps, as qemu_layout_maps does. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include "fuzz-host.h"
#include "fuzz-util.h"
#include "libmf/mf-int.h"
#include "../../connectors/qemu/qemu.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct qemu q;
	struct qemu_cmdline *c = NULL;
	char err[MF_ERRBUF_SIZE], *cmd, name[QEMU_NAME_MAX];
	struct fz_parts in;
	uint64_t ram = 0, base = 0;

	fz_split(data, size, "\n--maps--\n", &in);
	if (in.n != 2 || (cmd = malloc(in.len[0] + 1)) == NULL) {
		fz_parts_free(&in);
		return 0;
	}
	memcpy(cmd, in.p[0], in.len[0] + 1);
	memset(&q, 0, sizeof q);
	q.host = &mfint_host;
	if (qemu_cmdline_parse(cmd, in.len[0], &c) == 0) {   /* owns cmd */
		if (c->argc > 0) {
			qemu_opt_value(c->argv[c->argc - 1], "guest", name, sizeof name);
			if (qemu_layout_ram(&q, c, &ram, err) == 0 &&
			    qemu_maps_ram(&mfint_host, "maps", in.p[1], ram, &base, err) == 0) {
				for (size_t i = 0; i < q.n; i++)
					if (q.reg[i].size == 0 ||
					    (i > 0 && q.reg[i].gpa < q.reg[i - 1].gpa + q.reg[i - 1].size) ||
					    q.reg[i].offset + q.reg[i].size > ram)
						abort();   /* sorted, disjoint, inside the RAM block */
			}
		}
		qemu_cmdline_free(c);
	}
	fz_parts_free(&in);
	return 0;
}
