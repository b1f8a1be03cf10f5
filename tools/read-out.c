/* read-out.c: mf-read's bytes and gaps in each output format: raw bytes (zeros for gaps
 * only with --zero-fill), a hexdump with gap lines (table), `mem` and `gap` records. */
#include "config.h"
#include "read-out.h"

#include <string.h>

#define READ_OUT_RECORD (1u << 20)     /* bytes per mem record */
#define READ_OUT_ZEROS 4096u

void
read_out_start(struct read_out *o, const struct mf_aspace_id *id)
{
	o->id = id;
	o->gap = false;
	hexdump_init(&o->hx, o->tl);
}

static void
read_out_gap_now(struct read_out *o, uint64_t addr, uint64_t len, int err)
{
	struct tool *tl = o->tl;
	uint64_t last = addr + len - 1;

	o->status = TOOL_EXIT_FAIL;
	switch (tl->fmt) {
	case MF_FMT_RAW:
		if (!o->zero_fill)
			tool_die(tl, "cannot read 0x%llx-0x%llx: %s (with -f raw, --zero-fill writes zeros instead)",
			         (unsigned long long)addr, (unsigned long long)last, mf_strerror(err));
		tool_warn(tl, "0x%llx-0x%llx unreadable: %s (zero-filled)", (unsigned long long)addr,
		          (unsigned long long)last, mf_strerror(err));
		{
			static const uint8_t zeros[READ_OUT_ZEROS];

			for (; len > 0; len -= len < sizeof zeros ? len : sizeof zeros)
				tool_raw(tl, zeros, len < sizeof zeros ? (size_t)len : sizeof zeros);
		}
		return;
	case MF_FMT_TABLE:
		hexdump_gap(&o->hx, addr, len, mf_strerror(err));
		break;
	default:
		if (mf_gap_rec(o->id, addr, len, err, o->rec) < 0)
			tool_oom();
		tool_rec(tl, o->rec);
		break;
	}
	tool_warn(tl, "0x%llx-0x%llx unreadable: %s", (unsigned long long)addr, (unsigned long long)last, mf_strerror(err));
}

void
read_out_flush(struct read_out *o)
{
	if (o->gap)
		read_out_gap_now(o, o->gap_addr, o->gap_len, o->gap_err);
	o->gap = false;
}

void
read_out_gap(struct read_out *o, uint64_t addr, uint64_t len, int err)
{
	if (o->gap && o->gap_addr + o->gap_len == addr && o->gap_err == err) {
		o->gap_len += len;
		return;
	}
	read_out_flush(o);
	o->gap = true;
	o->gap_addr = addr;
	o->gap_len = len;
	o->gap_err = err;
}

void
read_out_data(struct read_out *o, uint64_t addr, const uint8_t *d, uint64_t n)
{
	struct tool *tl = o->tl;

	read_out_flush(o);
	if (tl->fmt == MF_FMT_RAW) {
		tool_raw(tl, d, (size_t)n);
		return;
	}
	if (tl->fmt == MF_FMT_TABLE) {
		hexdump_data(&o->hx, addr, d, (size_t)n);
		return;
	}
	for (; n > 0; n -= n < READ_OUT_RECORD ? n : READ_OUT_RECORD) {
		size_t k = n < READ_OUT_RECORD ? (size_t)n : READ_OUT_RECORD;

		if (mf_mem_rec(o->id, addr, d, k, o->rec) < 0)
			tool_oom();
		tool_rec(tl, o->rec);
		addr += k;
		d += k;
	}
}

int
read_out_piece(void *ctx, const struct mf_span_piece *p)
{
	struct read_out *o = ctx;

	mf_progress_add(o->progress, p->len);
	if (p->data == NULL)
		read_out_gap(o, p->addr, p->len, p->err);
	else
		read_out_data(o, p->addr, p->data, p->len);
	return 0;
}

void
read_out_end(struct read_out *o)
{
	read_out_flush(o);
	if (o->tl->fmt == MF_FMT_TABLE)
		hexdump_end(&o->hx);
}
