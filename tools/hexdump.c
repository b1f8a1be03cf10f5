/* hexdump.c: `hexdump -C` formatting with absolute addresses (mf-read -f table). */
#include "config.h"
#include "hexdump.h"

#include <stdio.h>
#include <string.h>

void
hexdump_init(struct hexdump *hx, struct tool *tl)
{
	memset(hx, 0, sizeof *hx);
	hx->tl = tl;
}

/* Every address of the dump, in one format: at least 8 hex digits, as hexdump -C. */
static int
hexdump_addr(char *buf, size_t size, uint64_t addr)
{
	return snprintf(buf, size, "%08llx", (unsigned long long)addr);
}

static void
hexdump_line(struct hexdump *hx, uint64_t addr, const uint8_t *p, size_t n)
{
	char line[128];
	size_t i, len;

	/* squeeze repeated full lines into "*", as hexdump does */
	if (n == 16 && hx->have_prev && memcmp(p, hx->prev, 16) == 0) {
		if (!hx->star)
			tool_printf(hx->tl, "*\n");
		hx->star = true;
		return;
	}
	hx->star = false;
	len = (size_t)hexdump_addr(line, sizeof line, addr);
	line[len++] = ' ';
	for (i = 0; i < 16; i++) {
		if (i == 8)
			line[len++] = ' ';
		if (i < n)
			len += (size_t)snprintf(line + len, sizeof line - len, " %02x", p[i]);
		else
			len += (size_t)snprintf(line + len, sizeof line - len, "   ");
	}
	len += (size_t)snprintf(line + len, sizeof line - len, "  |");
	for (i = 0; i < n; i++)
		line[len++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
	line[len++] = '|';
	line[len++] = '\n';
	tool_raw(hx->tl, line, len);
	if (n == 16) {
		memcpy(hx->prev, p, 16);
		hx->have_prev = true;
	} else {
		hx->have_prev = false;
	}
}

static void
hexdump_flush(struct hexdump *hx)
{
	if (hx->n > 0)
		hexdump_line(hx, hx->addr, hx->line, hx->n);
	hx->n = 0;
}

void
hexdump_data(struct hexdump *hx, uint64_t addr, const uint8_t *p, size_t n)
{
	if (hx->any && addr != hx->end) {
		hexdump_flush(hx);
		hx->have_prev = false;
		hx->star = false;
	}
	hx->any = true;
	while (n > 0) {
		size_t take;

		if (hx->n == 0)
			hx->addr = addr;
		if (hx->n == 0 && n >= 16) {
			hexdump_line(hx, addr, p, 16);
			take = 16;
		} else {
			take = 16 - hx->n < n ? 16 - hx->n : n;
			memcpy(hx->line + hx->n, p, take);
			hx->n += take;
			if (hx->n == 16)
				hexdump_flush(hx);
		}
		addr += take;
		p += take;
		n -= take;
	}
	hx->end = addr;
}

void
hexdump_break(struct hexdump *hx)
{
	hexdump_flush(hx);
	hx->have_prev = false;
	hx->star = false;
	hx->any = false;
}

void
hexdump_gap(struct hexdump *hx, uint64_t addr, uint64_t len, const char *why)
{
	char a[24], b[24];

	hexdump_break(hx);
	hexdump_addr(a, sizeof a, addr);
	hexdump_addr(b, sizeof b, addr + len - 1);
	tool_printf(hx->tl, "%s  -- unreadable to %s: %llu bytes (%s) --\n", a, b, (unsigned long long)len, why);
}

void
hexdump_end(struct hexdump *hx)
{
	char a[24];

	hexdump_flush(hx);
	if (hx->any) {
		hexdump_addr(a, sizeof a, hx->end);
		tool_printf(hx->tl, "%s\n", a);
	}
}
