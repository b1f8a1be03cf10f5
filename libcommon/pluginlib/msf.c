/* msf.c: the MSF 7.00 container of PDB files: superblock, block map, stream directory. */
#include "pluginlib/msf.h"
#include "pluginlib/bytes.h"
#include "pluginlib/error.h"

#include <mftools/plugin.h>
#include <stdlib.h>
#include <string.h>

static const char msf_magic[32] = "Microsoft C/C++ MSF 7.00\r\n\x1a" "DS\0\0";
static const char msf_magic_old[] = "Microsoft C/C++ program database 2.00\r\n\x1a" "JG";

#define MSF_SUPER_SIZE 56u

bool
msf_probe(const uint8_t *data, size_t len)
{
	return len >= sizeof msf_magic && memcmp(data, msf_magic, sizeof msf_magic) == 0;
}

static uint64_t
msf_nblocks_of(uint64_t bytes, uint32_t bs)
{
	return bytes / bs + (bytes % bs != 0);
}

/* The directory's bytes, gathered from the blocks the block map lists. */
static int
msf_read_directory(struct msf *m, uint32_t dir_bytes, uint32_t map_block, uint8_t **out, char *errbuf)
{
	uint32_t bs = m->block_size, i, n = (uint32_t)msf_nblocks_of(dir_bytes, bs);
	const uint8_t *map;
	uint8_t *dir;

	if (map_block >= m->nblocks)
		return plib_error(errbuf, MF_ERR_FORMAT, "the block map is at block %u, past the file's %u blocks",
		                  map_block, m->nblocks);
	if ((uint64_t)n * 4 > bs)
		return plib_error(errbuf, MF_ERR_FORMAT, "a stream directory of %u bytes needs more than one block map block",
		                  dir_bytes);
	map = m->data + (uint64_t)map_block * bs;
	if ((dir = malloc((size_t)n * bs + 1)) == NULL)
		return plib_error(errbuf, MF_ERR_NOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		uint32_t b = get_le32(map + 4 * i);

		if (b >= m->nblocks || b == 0) {
			free(dir);
			return plib_error(errbuf, MF_ERR_FORMAT, "stream directory block %u is block %u, not in the file's 1..%u",
			                  i, b, m->nblocks - 1);
		}
		memcpy(dir + (size_t)i * bs, m->data + (uint64_t)b * bs, bs);
	}
	*out = dir;
	return 0;
}

/* Sizes and block lists of every stream, from the directory. */
static int
msf_parse_directory(struct msf *m, const uint8_t *dir, uint32_t dir_bytes, char *errbuf)
{
	uint64_t pos, total = 0, k;
	uint32_t i, n;

	if (dir_bytes < 4)
		return plib_error(errbuf, MF_ERR_FORMAT, "the stream directory (%u bytes) holds no stream count", dir_bytes);
	n = get_le32(dir);
	if (n == 0 || (uint64_t)n * 4 > dir_bytes - 4)
		return plib_error(errbuf, MF_ERR_FORMAT, "the stream directory (%u bytes) claims %u streams", dir_bytes, n);
	pos = 4 + (uint64_t)n * 4;
	for (i = 0; i < n; i++) {
		uint32_t s = get_le32(dir + 4 + 4 * (uint64_t)i);

		if (s != MSF_NIL_STREAM)
			total += msf_nblocks_of(s, m->block_size);
	}
	if (total > (dir_bytes - pos) / 4)
		return plib_error(errbuf, MF_ERR_FORMAT,
		                  "the stream directory (%u bytes) lists %u streams of %llu blocks: more than it holds",
		                  dir_bytes, n, (unsigned long long)total);
	m->sizes = malloc((size_t)n * sizeof *m->sizes);
	m->first = malloc((size_t)n * sizeof *m->first);
	m->blocks = malloc((size_t)(total ? total : 1) * sizeof *m->blocks);
	if (m->sizes == NULL || m->first == NULL || m->blocks == NULL)
		return plib_error(errbuf, MF_ERR_NOMEM, "out of memory");
	m->nstreams = n;
	for (i = 0, k = 0; i < n; i++) {
		uint32_t s = get_le32(dir + 4 + 4 * (uint64_t)i);
		uint64_t j, nb;

		m->sizes[i] = s == MSF_NIL_STREAM ? 0 : s;
		if (m->sizes[i] > m->size)   /* blocks listed twice cannot make a stream larger */
			return plib_error(errbuf, MF_ERR_FORMAT, "stream %u claims %u bytes in a file of %llu", i, s,
			                  (unsigned long long)m->size);
		m->first[i] = k;
		nb = msf_nblocks_of(m->sizes[i], m->block_size);
		for (j = 0; j < nb; j++, k++) {
			uint32_t b = get_le32(dir + pos + 4 * k);

			if (b >= m->nblocks)
				return plib_error(errbuf, MF_ERR_FORMAT, "stream %u block %llu is block %u, past the file's %u blocks",
				                  i, (unsigned long long)j, b, m->nblocks);
			m->blocks[k] = b;
		}
	}
	return 0;
}

int
msf_open(struct msf *m, const uint8_t *data, uint64_t size, char *errbuf)
{
	uint32_t bs, dir_bytes, map_block;
	uint8_t *dir = NULL;
	int r;

	memset(m, 0, sizeof *m);
	if (size >= sizeof msf_magic_old - 1 && memcmp(data, msf_magic_old, sizeof msf_magic_old - 1) == 0)
		return plib_error(errbuf, MF_ERR_UNSUPPORTED, "a PDB 2.00 (small MSF) file: only MSF 7.00 is supported");
	if (size < MSF_SUPER_SIZE || !msf_probe(data, (size_t)size))
		return plib_error(errbuf, MF_ERR_FORMAT, "not a PDB file (no MSF 7.00 magic)");
	bs = get_le32(data + 32);
	if (bs != 512 && bs != 1024 && bs != 2048 && bs != 4096)
		return plib_error(errbuf, MF_ERR_FORMAT, "MSF block size %u is none of 512, 1024, 2048, 4096", bs);
	m->data = data;
	m->size = size;
	m->block_size = bs;
	m->nblocks = get_le32(data + 40);
	dir_bytes = get_le32(data + 44);
	map_block = get_le32(data + 52);
	if (m->nblocks < 3 || (uint64_t)m->nblocks * bs > size)
		return plib_error(errbuf, MF_ERR_FORMAT, "the MSF superblock claims %u blocks of %u bytes in a file of %llu bytes",
		                  m->nblocks, bs, (unsigned long long)size);
	if (dir_bytes == 0 || dir_bytes > (uint64_t)m->nblocks * bs)
		return plib_error(errbuf, MF_ERR_FORMAT, "a stream directory of %u bytes in a file of %u blocks", dir_bytes,
		                  m->nblocks);
	if ((r = msf_read_directory(m, dir_bytes, map_block, &dir, errbuf)) == 0)
		r = msf_parse_directory(m, dir, dir_bytes, errbuf);
	free(dir);
	if (r < 0)
		msf_close(m);
	return r;
}

void
msf_close(struct msf *m)
{
	free(m->sizes);
	free(m->first);
	free(m->blocks);
	m->sizes = NULL;
	m->first = NULL;
	m->blocks = NULL;
	m->nstreams = 0;
}

int
msf_stream(const struct msf *m, uint32_t idx, uint8_t **out, uint32_t *len, char *errbuf)
{
	uint32_t size, bs = m->block_size, done, i;
	uint8_t *buf;

	*out = NULL;
	*len = 0;
	if (idx >= m->nstreams)
		return plib_error(errbuf, MF_ERR_NOTFOUND, "no stream %u (the PDB has %u)", idx, m->nstreams);
	size = m->sizes[idx];
	if ((buf = malloc(size ? size : 1)) == NULL)
		return plib_error(errbuf, MF_ERR_NOMEM, "out of memory for stream %u (%u bytes)", idx, size);
	for (i = 0, done = 0; done < size; i++) {
		uint32_t n = size - done < bs ? size - done : bs;

		memcpy(buf + done, m->data + (uint64_t)m->blocks[m->first[idx] + i] * bs, n);
		done += n;
	}
	*out = buf;
	*len = size;
	return 0;
}
