/* fuzz-carve.c: libFuzzer target for the packet carver (mf-scan --carve net).  Input: a
 * byte that places the owned part (own = n * b / 255), then the memory.  The buffer is an
 * allocation of exactly its size, so a read past it is an ASan report.  Every packet must
 * lie in the buffer, start its IP header at or after the position and below own, have a
 * valid IPv4 header checksum (recomputed here), and the position must move forward. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include "scan/carve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned
fz_v4_sum(const uint8_t *h, size_t ihl)
{
	unsigned s = 0;

	for (size_t i = 0; i < ihl; i += 2)
		s += (unsigned)(h[i] << 8 | h[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct carve_pkt p;
	size_t n, own, pos = 0, last;
	uint8_t *buf;

	if (size < 1)
		return 0;
	n = size - 1;
	own = n * data[0] / 255;
	if ((buf = malloc(n ? n : 1)) == NULL)
		return 0;
	memcpy(buf, data + 1, n);
	for (;;) {
		last = pos;
		if (!carve_next(buf, n, own, &pos, &p))
			break;
		if (pos <= last || p.ip_off < last || p.ip_off >= own || p.off > p.ip_off || p.len > n - p.off ||
		    p.ip_off - p.off != (p.ether ? CARVE_ETHER_LEN : 0u))
			abort();
		if (p.ipver == 4 ? fz_v4_sum(buf + p.ip_off, (size_t)(buf[p.ip_off] & 0xf) * 4) != 0xffff
		                 : p.ipver != 6 || (p.csum != CARVE_CSUM_OK && p.csum != CARVE_CSUM_PARTIAL))
			abort();
		if (carve_csum_name(p.csum) == NULL)
			abort();
	}
	if (pos != own)
		abort();
	free(buf);
	return 0;
}
