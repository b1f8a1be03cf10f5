/* fuzz-qmp.c: libFuzzer target for the qemu connector's QMP client: the input is what a
 * hostile QEMU sends on its monitor socket (JSON lines: greeting, replies, events).  The
 * client negotiates, reads the layout (info mtree -f, gpa2hva per block) and the control
 * registers (info registers), as the connector does when it opens. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "fuzz-host.h"
#include "libmf/mf-int.h"
#include "../../connectors/qemu/qemu.h"

/* what fits in a socket buffer without a writer thread (so that the reads are the same
 * on every run) */
#define FZ_QMP_MAX 65536

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct qemu q;
	struct qemu_qmp m = { .fd = -1, .path = "fuzz.qmp" };
	char err[MF_ERRBUF_SIZE];
	int sv[2];

	if (size > FZ_QMP_MAX || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return 0;
	if (size > 0 && write(sv[1], data, size) != (ssize_t)size)
		abort();
	shutdown(sv[1], SHUT_WR);   /* the end of the input: "connection closed by QEMU" */
	m.fd = sv[0];
	memset(&q, 0, sizeof q);
	q.host = &mfint_host;
	if (qemu_qmp_start(&m, err) == 0 && qemu_layout_qmp(&q, &m, err) == 0) {
		char *regs = qemu_hmp(&m, "info registers", err);
		uint32_t arch;
		uint64_t dtb;

		for (size_t i = 0; i < q.n; i++)
			if (q.reg[i].size == 0 || (i > 0 && q.reg[i].gpa < q.reg[i - 1].gpa + q.reg[i - 1].size) ||
			    qemu_lookup(&q, q.reg[i].gpa) != &q.reg[i])
				abort();   /* the layout must be sorted, disjoint and found again */
		if (regs != NULL)
			qemu_parse_regs(regs, &arch, &dtb, err);
		free(regs);
	}
	qemu_qmp_close(&m);
	close(sv[1]);
	return 0;
}
