/* pluginlib/msf.h: the MSF container of PDB files (the "Microsoft C/C++ MSF 7.00" format
 * that MSVC's and LLVM's linkers write): a superblock, a block map, a stream directory and
 * numbered streams made of blocks scattered over the file.  Every block index, size and
 * count is checked against the file: a hostile PDB gives MF_ERR_FORMAT and a message,
 * never a read outside the buffer.  pdb.h reads the streams' contents.  Part of
 * libmfplugin.la (see vmcoreinfo.h for how to link it). */
#ifndef MF_PLUGINLIB_MSF_H
#define MF_PLUGINLIB_MSF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MSF_NIL_STREAM 0xffffffffu      /* a stream size that means "no stream" */

struct msf {
	const uint8_t *data;     /* borrowed: the file's bytes, for the life of the msf */
	uint64_t size;
	uint32_t block_size;     /* 512, 1024, 2048 or 4096 */
	uint32_t nblocks;
	uint32_t nstreams;
	uint32_t *sizes;         /* per stream, bytes (0 for a nil stream) */
	uint64_t *first;         /* per stream, its first entry in blocks[] */
	uint32_t *blocks;        /* every stream's block indices, in order */
};

/* Does the buffer start with the MSF 7.00 magic? */
bool msf_probe(const uint8_t *data, size_t len);

/* Parse the superblock and the stream directory of data[0..size) (borrowed until
 * msf_close).  0, or MF_ERR_FORMAT / MF_ERR_UNSUPPORTED (the older "JG 2.00" format) /
 * MF_ERR_NOMEM with the reason in errbuf (MF_ERRBUF_SIZE bytes). */
int msf_open(struct msf *m, const uint8_t *data, uint64_t size, char *errbuf);
void msf_close(struct msf *m);

/* The bytes of stream idx, gathered into a new buffer *out (the caller frees it; at least
 * one byte is allocated, so an empty stream is not NULL) of *len bytes.  MF_ERR_NOTFOUND
 * for a stream number past the directory's, MF_ERR_NOMEM. */
int msf_stream(const struct msf *m, uint32_t idx, uint8_t **out, uint32_t *len, char *errbuf);

#endif
