/* read-out.h: mf-read's output of bytes and gaps (raw, hexdump table, mem/gap records);
 * gaps are merged while contiguous with the same error, and shown before the next data. */
#ifndef MF_READ_OUT_H
#define MF_READ_OUT_H

#include "tool.h"
#include "hexdump.h"

struct read_out {
	struct tool *tl;
	struct mf_rec *rec;              /* scratch record */
	bool zero_fill;                  /* -f raw: zeros for gaps (still warned) */
	int status;                      /* TOOL_EXIT_FAIL once a gap was shown */
	const struct mf_aspace_id *id;   /* the space the records name */
	bool gap;                        /* the pending gap */
	uint64_t gap_addr, gap_len;
	int gap_err;
	struct hexdump hx;
	struct mf_progress *progress;    /* the read's progress line, or NULL: pieces add to it */
};

/* Start the output of a space (set tl, rec and zero_fill once before). */
void read_out_start(struct read_out *o, const struct mf_aspace_id *id);
void read_out_data(struct read_out *o, uint64_t addr, const uint8_t *d, uint64_t n);
void read_out_gap(struct read_out *o, uint64_t addr, uint64_t len, int err);
/* Show the pending gap (before other output). */
void read_out_flush(struct read_out *o);
/* An mf_span_cb: data and gap pieces. */
int read_out_piece(void *ctx, const struct mf_span_piece *p);
/* The pending gap, and the hexdump's last line and end address. */
void read_out_end(struct read_out *o);

#endif
