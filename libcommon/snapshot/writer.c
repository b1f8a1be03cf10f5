/* writer.c: the physical-memory writers' interface: the format by name or file suffix, the
 * calls each format implements (raw.c, lime.c, elf.c, kdump.c), and the search for the
 * kernel's VMCOREINFO in memory that the ELF and kdump writers share. */
#include "config.h"
#include "snapshot-int.h"
#include "pluginlib/vmcoreinfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	enum snap_format fmt;
	const struct snap_format_ops *ops;
} snap_formats[] = {
	{ "raw", SNAP_F_RAW, &snap_raw_ops },
	{ "lime", SNAP_F_LIME, &snap_lime_ops },
	{ "elf", SNAP_F_ELF, &snap_elf_ops },
	{ "kdump", SNAP_F_KDUMP, &snap_kdump_ops },
};

int
snap_format_parse(const char *s, enum snap_format *fmt)
{
	size_t i;

	for (i = 0; i < sizeof snap_formats / sizeof *snap_formats; i++)
		if (strcmp(s, snap_formats[i].name) == 0) {
			*fmt = snap_formats[i].fmt;
			return 0;
		}
	return -1;
}

int
snap_format_from_name(const char *path, enum snap_format *fmt)
{
	static const struct { const char *suffix; enum snap_format f; } map[] = {
		{ ".raw", SNAP_F_RAW }, { ".img", SNAP_F_RAW }, { ".lime", SNAP_F_LIME }, { ".elf", SNAP_F_ELF },
		{ ".core", SNAP_F_ELF }, { ".kdump", SNAP_F_KDUMP },
	};
	size_t i, n = strlen(path);

	for (i = 0; i < sizeof map / sizeof *map; i++) {
		size_t k = strlen(map[i].suffix);

		if (n > k && strcmp(path + n - k, map[i].suffix) == 0) {
			*fmt = map[i].f;
			return 0;
		}
	}
	return -1;
}

int
snap_writer_new(enum snap_format fmt, struct snap_file *f, const struct snap_source *src, struct snap_writer **out)
{
	struct snap_writer *w = calloc(1, sizeof *w);
	size_t i;

	*out = NULL;
	if (w == NULL)
		return snap_oom(f);
	for (i = 0; i < sizeof snap_formats / sizeof *snap_formats; i++)
		if (snap_formats[i].fmt == fmt)
			w->ops = snap_formats[i].ops;
	if (w->ops == NULL) {
		free(w);
		snprintf(f->err, MF_ERRBUF_SIZE, "unknown snapshot format");
		return -1;
	}
	w->f = f;
	w->src = src;
	if (src->nranges > 0)
		w->end = src->ranges[src->nranges - 1].base + src->ranges[src->nranges - 1].size;
	*out = w;
	return w->ops->begin(w);
}

int
snap_writer_data(struct snap_writer *w, uint64_t addr, const uint8_t *buf, size_t len)
{
	return len == 0 ? 0 : w->ops->run(w, addr, buf, len, true);
}

int
snap_writer_hole(struct snap_writer *w, uint64_t addr, uint64_t len)
{
	return len == 0 ? 0 : w->ops->run(w, addr, NULL, len, false);
}

int
snap_writer_flush(struct snap_writer *w)
{
	return w->ops->flush != NULL ? w->ops->flush(w) : 0;
}

int
snap_writer_finish(struct snap_writer *w)
{
	return w->ops->finish(w);
}

const char *
snap_writer_found_vmcoreinfo(const struct snap_writer *w)
{
	return w != NULL && w->ops->found_vmcoreinfo != NULL ? w->ops->found_vmcoreinfo(w) : NULL;
}

void
snap_writer_free(struct snap_writer *w)
{
	if (w == NULL)
		return;
	w->ops->free(w);
	free(w);
}

size_t
snap_note_size(const char *name, size_t descsz)
{
	return 12 + ((strlen(name) + 1 + 3) & ~(size_t)3) + ((descsz + 3) & ~(size_t)3);
}

void
snap_note_put(uint8_t *out, const char *name, uint32_t type, const void *desc, size_t descsz)
{
	size_t namesz = strlen(name) + 1;

	memset(out, 0, snap_note_size(name, descsz));
	put_le32(out, (uint32_t)namesz);
	put_le32(out + 4, (uint32_t)descsz);
	put_le32(out + 8, type);
	memcpy(out + 12, name, namesz);
	if (descsz > 0)
		memcpy(out + 12 + ((namesz + 3) & ~(size_t)3), desc, descsz);
}

int
snap_cpu_notes_each(const uint8_t *p, size_t n,
                    int (*fn)(void *ctx, const char *name, uint32_t type, const uint8_t *desc, size_t descsz),
                    void *ctx)
{
	size_t pos = 0;
	int r;

	while (n - pos >= 12) {
		uint32_t namesz = get_le32(p + pos), descsz = get_le32(p + pos + 4), type = get_le32(p + pos + 8);
		size_t name = pos + 12, desc = name + (((size_t)namesz + 3) & ~(size_t)3);

		if (namesz > n - name || desc > n || descsz > n - desc)
			break;   /* cut short: what came before is whole */
		if ((namesz == 4 || (namesz == 5 && p[name + 4] == '\0')) &&
		    (memcmp(p + name, "CORE", 4) == 0 || memcmp(p + name, "QEMU", 4) == 0) &&
		    (r = fn(ctx, p[name] == 'C' ? "CORE" : "QEMU", type, p + desc, descsz)) < 0)
			return r;
		pos = desc + (((size_t)descsz + 3) & ~(size_t)3);
		if (pos > n)
			break;
	}
	return 0;
}

char *
snap_vmci_search(const uint8_t *buf, size_t len)
{
	static const char needle[] = "OSRELEASE=";
	const uint8_t *p = buf, *end = buf + len;

	while (p < end && (p = memmem(p, (size_t)(end - p), needle, sizeof needle - 1)) != NULL) {
		if (p - buf >= 24) {
			const uint8_t *h = p - 24;
			uint32_t namesz = get_le32(h), descsz = get_le32(h + 4), type = get_le32(h + 8);

			if (namesz == 11 && type == 0 && memcmp(h + 12, "VMCOREINFO\0", 11) == 0 && descsz > 10 &&
			    descsz <= SNAP_VMCI_MAX && descsz <= (size_t)(end - p))
				return vmci_dup(p, descsz);
		}
		p++;
	}
	return NULL;
}
