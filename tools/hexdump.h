/* hexdump.h: `hexdump -C` lines with absolute addresses, as mf-read's table output: 16
 * bytes a line, repeated lines squeezed into "*", breaks where the data is not contiguous. */
#ifndef MF_HEXDUMP_H
#define MF_HEXDUMP_H

#include "tool.h"

struct hexdump {
	struct tool *tl;
	uint64_t addr;           /* address of the first byte in line */
	uint8_t line[16];
	size_t n;
	uint8_t prev[16];
	bool have_prev;          /* prev holds the last full line printed, contiguous */
	bool star;
	uint64_t end;            /* address after the last byte shown */
	bool any;
};

void hexdump_init(struct hexdump *hx, struct tool *tl);
void hexdump_data(struct hexdump *hx, uint64_t addr, const uint8_t *p, size_t n);
/* Before a line of other text (a gap): finish the partial line, start afresh. */
void hexdump_break(struct hexdump *hx);
/* A line for LEN unreadable bytes at ADDR: "00000008  -- unreadable to 0000000b: 4 bytes
 * (WHY) --", after finishing the partial line. */
void hexdump_gap(struct hexdump *hx, uint64_t addr, uint64_t len, const char *why);
/* At the end: the partial line and the address after the last byte. */
void hexdump_end(struct hexdump *hx);

#endif
