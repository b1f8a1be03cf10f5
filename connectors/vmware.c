/* vmware.c: the VMware snapshot connector: guest memory in a .vmem file, laid out by the
 * `memory` group of the .vmss/.vmsn state file (regionsCount, regionPPN, regionPageNum,
 * regionSize); 1:1 when there are no regions; memory inline in an old .vmsn (`Memory`). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mftools/plugin.h>
#include "pluginlib/bytes.h"
#include "pluginlib/fileio.h"
#include "pluginlib/rangemap.h"

#define VMW_PAGE 4096u
#define VMW_MAX_GROUPS 4096u
#define VMW_MAX_TAGS 1000000u
#define VMW_MAX_REGIONS 65536u

struct vmw {
	int fd;           /* the memory: .vmem, or the state file with inline memory */
	uint64_t fsize;   /* bytes of memory data available from mem_base */
	struct rmap map;         /* guest physical -> offset in fd */
};

struct vmw_region {
	uint64_t ppn, pagenum, size;
	unsigned have;    /* bits: 1 ppn, 2 pagenum, 4 size */
};

static const char *const vmw_keys[] = { "path", "vmss", "vmem", NULL };

static int
vmw_magic_ok(const uint8_t *p)
{
	uint32_t m = get_le32(p);

	return m == 0xbed2bed0u || m == 0xbad1bad1u || m == 0xbed2bed2u || m == 0xbed3bed3u;
}

static int
vmw_probe(const uint8_t *head, size_t len, uint64_t file_size)
{
	if (len >= 12 && vmw_magic_ok(head))
		return 90;
	return 0;
}

static int
vmw_has_suffix(const char *path, const char *ext)
{
	size_t n = strlen(path), e = strlen(ext);

	return n > e && strcmp(path + n - e, ext) == 0;
}

/* PATH with its extension replaced by ext (malloc'd), or NULL. */
static char *
vmw_sibling(const char *path, const char *ext)
{
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
	size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - path) : strlen(path);
	char *s = malloc(stem + strlen(ext) + 1);

	if (s == NULL)
		return NULL;
	memcpy(s, path, stem);
	strcpy(s + stem, ext);
	return s;
}

static int
vmw_probe_path(const char *path, const uint8_t *head, size_t len, uint64_t file_size)
{
	char *s;
	int found = 0;

	if (len >= 12 && vmw_magic_ok(head))
		return 90;
	if (path == NULL || !vmw_has_suffix(path, ".vmem"))
		return 0;
	for (int i = 0; i < 2 && !found; i++) {
		s = vmw_sibling(path, i == 0 ? ".vmss" : ".vmsn");
		if (s && access(s, R_OK) == 0)
			found = 1;
		free(s);
	}
	return found ? 80 : 0;
}

static int
vmw_read(void *handle, struct mf_iov *iov, size_t n, char *errbuf)
{
	struct vmw *v = handle;

	fio_read_located(v->fd, v->fsize, iov, n, rmap_locate, &v->map);
	return 0;
}

static size_t
vmw_ranges(void *handle, const struct mf_range **out)
{
	struct vmw *v = handle;

	*out = v->map.ranges;
	return v->map.nranges;
}

static void
vmw_close(void *handle)
{
	struct vmw *v = handle;

	if (v == NULL)
		return;
	if (v->fd >= 0)
		close(v->fd);
	rmap_free(&v->map);
	free(v);
}

/* What the state file's `memory` group says. */
struct vmw_state {
	uint64_t regions_count;
	int have_count;
	struct vmw_region *regions;   /* VMW_MAX_REGIONS entries */
	uint64_t inline_off, inline_size;
	int have_inline;
};

static int
vmw_parse_state(const struct mf_host *host, int fd, uint64_t fsize, const char *path, struct vmw_state *st,
                char *errbuf)
{
	uint8_t hdr[12], g[80], t[2 + 255 + 12 + 16 + 2];
	uint32_t magic, ngroups, version;
	uint64_t mem_off = UINT64_MAX, off;
	int64_t got;

	got = fio_pread_full(fd, hdr, sizeof hdr, 0);
	if (got < (int64_t)sizeof hdr || !vmw_magic_ok(hdr))
		return host->error(errbuf, MF_ERR_FORMAT, "%s: not a vmware state file (no .vmss/.vmsn magic)", path);
	magic = get_le32(hdr);
	version = magic & 0xf;
	ngroups = get_le32(hdr + 8);
	if (ngroups > VMW_MAX_GROUPS || 12 + (uint64_t)ngroups * 80 > fsize)
		return host->error(errbuf, MF_ERR_FORMAT, "%s: vmware groupCount %" PRIu32 " does not fit the file", path, ngroups);
	for (uint32_t i = 0; i < ngroups; i++) {
		got = fio_pread_full(fd, g, sizeof g, 12 + (uint64_t)i * 80);
		if (got < (int64_t)sizeof g)
			return host->error(errbuf, MF_ERR_FORMAT, "%s: cannot read vmware group %" PRIu32, path, i);
		if (memcmp(g, "memory", 7) == 0) {
			mem_off = get_le64(g + 64);
			break;
		}
	}
	if (mem_off == UINT64_MAX)
		return host->error(errbuf, MF_ERR_FORMAT, "%s: vmware state file has no memory group", path);
	if (mem_off >= fsize)
		return host->error(errbuf, MF_ERR_FORMAT, "%s: vmware memory group tags at 0x%" PRIx64 " beyond end of file", path,
		         mem_off);
	off = mem_off;
	for (uint32_t ntags = 0;; ntags++) {
		uint8_t flags, name_len;
		uint32_t nidx, idx[3] = { 0, 0, 0 }, dlen;
		char name[256];
		uint64_t hlen, value = 0, data_off, data_size;
		size_t avail;

		if (ntags >= VMW_MAX_TAGS)
			return host->error(errbuf, MF_ERR_LIMIT, "%s: vmware memory group has more than %u tags", path, VMW_MAX_TAGS);
		got = fio_pread_full(fd, t, sizeof t, off);
		if (got < 2)
			return host->error(errbuf, MF_ERR_FORMAT, "%s: vmware tag list cut off at 0x%" PRIx64, path, off);
		avail = (size_t)got;
		flags = t[0];
		name_len = t[1];
		if (flags == 0 && name_len == 0)
			break;
		nidx = (flags >> 6) & 3;
		dlen = flags & 0x3f;
		hlen = 2 + (uint64_t)name_len + 4 * nidx;
		if (hlen > avail)
			return host->error(errbuf, MF_ERR_FORMAT, "%s: vmware tag at 0x%" PRIx64 " cut off", path, off);
		memcpy(name, t + 2, name_len);
		name[name_len] = '\0';
		for (uint32_t i = 0; i < nidx; i++)
			idx[i] = get_le32(t + 2 + name_len + 4 * i);
		if (dlen == 62 || dlen == 63) {
			uint32_t w = version == 0 ? 4 : 8;
			uint16_t pad;

			if (hlen + 2 * w + 2 > avail)
				return host->error(errbuf, MF_ERR_FORMAT, "%s: vmware tag %.64s at 0x%" PRIx64 " cut off", path, name, off);
			data_size = w == 4 ? get_le32(t + hlen) : get_le64(t + hlen);
			pad = get_le16(t + hlen + 2 * w);
			data_off = off + hlen + 2 * w + 2 + pad;
			if (data_off > fsize || data_size > fsize - data_off)
				return host->error(errbuf, MF_ERR_FORMAT, "%s: vmware tag %.64s data (0x%" PRIx64 " bytes at 0x%" PRIx64
				         ") beyond end of file", path, name, data_size, data_off);
			if (strcmp(name, "Memory") == 0) {
				st->inline_off = data_off;
				st->inline_size = data_size;
				st->have_inline = 1;
			}
			off = data_off + data_size;
		} else {
			if (hlen + dlen > avail)
				return host->error(errbuf, MF_ERR_FORMAT, "%s: vmware tag %.64s at 0x%" PRIx64 " cut off", path, name, off);
			for (uint32_t i = 0; i < dlen && i < 8; i++)
				value |= (uint64_t)t[hlen + i] << (8 * i);
			off += hlen + dlen;
			if (strcmp(name, "regionsCount") == 0 && nidx == 0) {
				st->regions_count = value;
				st->have_count = 1;
			} else if (nidx == 1 && idx[0] < VMW_MAX_REGIONS) {
				struct vmw_region *r = &st->regions[idx[0]];

				if (strcmp(name, "regionPPN") == 0) {
					r->ppn = value;
					r->have |= 1;
				} else if (strcmp(name, "regionPageNum") == 0) {
					r->pagenum = value;
					r->have |= 2;
				} else if (strcmp(name, "regionSize") == 0) {
					r->size = value;
					r->have |= 4;
				}
			}
		}
		if (off >= fsize)
			return host->error(errbuf, MF_ERR_FORMAT, "%s: vmware tag list has no end", path);
	}
	(void)host;
	return 0;
}

static int
vmw_open(const struct mf_host *host, const struct mf_args *args, int writable, struct mf_hints *hints,
         void **handle, char *errbuf)
{
	const char *path = host->arg(args, "path"), *vmss_arg = host->arg(args, "vmss");
	const char *vmem_arg = host->arg(args, "vmem");
	char *vmss = NULL, *vmem = NULL;
	struct vmw *v = NULL;
	struct vmw_state st;
	int sfd = -1, rc, state_is_path = 0;
	size_t bad = 0;
	uint64_t ssize = 0, msize = 0;
	uint8_t magic[4];
	const char *fmt = "vmware";

	memset(&st, 0, sizeof st);
	if (writable)
		return host->error(errbuf, MF_ERR_READONLY, "vmware snapshots cannot be opened writable");
	if (path == NULL)
		path = args->def;
	if (path == NULL && vmss_arg == NULL && vmem_arg == NULL)
		return host->error(errbuf, MF_ERR_ARG, "no file given (path=FILE.vmem or FILE.vmss)");
	v = calloc(1, sizeof *v);
	st.regions = calloc(VMW_MAX_REGIONS, sizeof *st.regions);
	if (v == NULL || st.regions == NULL) {
		free(v);
		free(st.regions);
		return MF_ERR_NOMEM;
	}
	v->fd = -1;

	/* which file is which */
	if (path) {
		int fd;
		uint64_t sz;

		rc = fio_open(path, 0, &fd, &sz, errbuf);
		if (rc < 0)
			goto out;
		if (sz >= 4 && fio_pread_full(fd, magic, 4, 0) == 4 && vmw_magic_ok(magic)) {
			sfd = fd;
			ssize = sz;
			state_is_path = 1;
		} else {
			v->fd = fd;
			msize = sz;
		}
	}
	if (sfd < 0) {
		if (vmss_arg) {
			vmss = strdup(vmss_arg);
		} else if (path) {
			vmss = vmw_sibling(path, ".vmss");
			if (vmss && access(vmss, F_OK) != 0) {
				free(vmss);
				vmss = vmw_sibling(path, ".vmsn");
			}
		}
		if (vmss == NULL && path == NULL) {
			rc = host->error(errbuf, MF_ERR_ARG, "no vmware state file given (vmss=FILE)");
			goto out;
		}
		if (vmss == NULL) {
			rc = MF_ERR_NOMEM;
			goto out;
		}
		rc = fio_open(vmss, 0, &sfd, &ssize, errbuf);
		if (rc < 0) {
			if (rc == MF_ERR_NOTFOUND && path)
				host->error(errbuf, rc, "%s: no vmware state file next to it (tried %s and .vmss)", path,
				         vmss);
			goto out;
		}
	}
	rc = vmw_parse_state(host, sfd, ssize, vmss ? vmss : path, &st, errbuf);
	if (rc < 0)
		goto out;

	if (v->fd < 0) {
		const char *sp = vmss ? vmss : path;

		if (vmem_arg)
			vmem = strdup(vmem_arg);
		else
			vmem = vmw_sibling(sp, ".vmem");
		if (vmem == NULL) {
			rc = MF_ERR_NOMEM;
			goto out;
		}
		rc = fio_open(vmem, 0, &v->fd, &msize, errbuf);
		if (rc == MF_ERR_NOTFOUND && !vmem_arg && st.have_inline) {
			/* an old .vmsn with the memory inline */
			v->fd = sfd;
			sfd = -1;
			msize = st.inline_off + st.inline_size;
			fmt = "vmware-vmsn-inline";
			rc = 0;
		} else if (rc < 0) {
			if (rc == MF_ERR_NOTFOUND)
				host->error(errbuf, rc, "%s: no guest memory: %s not found and no inline Memory tag", sp,
				         vmem);
			goto out;
		}
	}
	(void)state_is_path;
	v->fsize = msize;

	{
		uint64_t base = strcmp(fmt, "vmware") == 0 ? 0 : st.inline_off;
		uint64_t avail = msize - base;

		if (st.have_count && st.regions_count > 0) {
			if (st.regions_count > VMW_MAX_REGIONS) {
				rc = host->error(errbuf, MF_ERR_LIMIT, "vmware regionsCount %" PRIu64 " is more than %u",
				         st.regions_count, VMW_MAX_REGIONS);
				goto out;
			}
			for (uint64_t i = 0; i < st.regions_count; i++) {
				struct vmw_region *r = &st.regions[i];

				if (r->have != 7) {
					rc = host->error(errbuf, MF_ERR_FORMAT, "vmware memory region %" PRIu64 " lacks %s", i,
					         !(r->have & 1) ? "regionPPN" : !(r->have & 2) ? "regionPageNum" : "regionSize");
					goto out;
				}
				if (r->ppn >= (UINT64_C(1) << 40) || r->pagenum >= (UINT64_C(1) << 40) ||
				    r->size >= (UINT64_C(1) << 40)) {
					rc = host->error(errbuf, MF_ERR_FORMAT, "vmware memory region %" PRIu64 " is out of range", i);
					goto out;
				}
				if (r->size == 0)
					continue;
				rc = rmap_add(&v->map, r->ppn * VMW_PAGE, r->size * VMW_PAGE, base + r->pagenum * VMW_PAGE,
				              RMAP_PLAIN, 0);
				if (rc < 0)
					goto out;
				if (r->pagenum + r->size > avail / VMW_PAGE)
					host->log(0, "vmware memory region %" PRIu64 " ends past the end of the memory file: "
					          "missing pages are holes", i);
			}
			rc = rmap_finish(&v->map, 1, &bad);
			if (rc == MF_ERR_FORMAT)
				host->error(errbuf, rc, "vmware memory regions overlap at guest page 0x%" PRIx64,
				         v->map.seg[bad].base / VMW_PAGE);
			if (rc < 0)
				goto out;
		} else {
			/* no regions: the memory file is guest memory 1:1 */
			uint64_t pages = avail / VMW_PAGE;

			if ((rc = rmap_add(&v->map, 0, pages * VMW_PAGE, base, RMAP_PLAIN, 0)) < 0 ||
			    (rc = rmap_finish(&v->map, 0, &bad)) < 0)
				goto out;
		}
	}
	host->hint_set_str(hints, "format", fmt);
	*handle = v;
	v = NULL;
	rc = 0;
out:
	if (sfd >= 0)
		close(sfd);
	free(vmss);
	free(vmem);
	free(st.regions);
	vmw_close(v);
	return rc;
}

static const struct mf_connector vmw_connector = {
	MF_CONNECTOR_INIT,
	.name = "vmware",
	.description = "VMware snapshots: .vmem guest memory laid out by its .vmss/.vmsn",
	.help = "  path=FILE   the .vmem or the .vmss/.vmsn (the other is found by extension)\n"
	        "  vmss=FILE   the state file (.vmss or .vmsn), if not next to the .vmem\n"
	        "  vmem=FILE   the memory file, if not next to the .vmss\n",
	.keys = vmw_keys,
	.flags = MF_CONN_FILE,
	.probe = vmw_probe,
	.open = vmw_open,
	.close = vmw_close,
	.read = vmw_read,
	.ranges = vmw_ranges,
	.probe_path = vmw_probe_path,
};

MF_REGISTER_CONNECTOR(vmw_connector)
