#!/usr/bin/env python3
"""Hostile variants of a PDB file written by lld-link, for tests/pdb.bats.

  corrupt.py KIND IN OUT
    blockmap      the superblock's block map address past the end of the file
    dircount      the stream directory claims 2^30 streams
    streamblock   the TPI stream's first block index past the file
    tpibytes      the TPI header claims more record bytes than the stream holds
    fieldloop     _EPROCESS's field list ends in an LF_INDEX continuation to itself
"""
import struct
import sys


def u32(b, o):
    return struct.unpack_from("<I", b, o)[0]


def directory(f):
    """block size, the directory's block list, and (stream sizes, block lists)"""
    bs, ndirbytes, mapblock = u32(f, 32), u32(f, 44), u32(f, 52)
    ndir = (ndirbytes + bs - 1) // bs
    dblocks = [u32(f, mapblock * bs + 4 * i) for i in range(ndir)]
    d = b"".join(f[b * bs:(b + 1) * bs] for b in dblocks)
    n = u32(d, 0)
    sizes = [u32(d, 4 + 4 * i) for i in range(n)]
    pos, blocks = 4 + 4 * n, []
    for s in sizes:
        nb = 0 if s == 0xFFFFFFFF else (s + bs - 1) // bs
        blocks.append([u32(d, pos + 4 * j) for j in range(nb)])
        pos += 4 * nb
    return bs, dblocks, sizes, blocks


def stream_offset(bs, blocks, idx, off):
    """the file offset of byte off of stream idx"""
    return blocks[idx][off // bs] * bs + off % bs


def main():
    kind, src, dst = sys.argv[1:4]
    f = bytearray(open(src, "rb").read())
    bs, dblocks, sizes, blocks = directory(f)
    if kind == "blockmap":
        struct.pack_into("<I", f, 52, len(f) // bs + 100)
    elif kind == "dircount":
        struct.pack_into("<I", f, dblocks[0] * bs, 1 << 30)
    elif kind == "streamblock":
        # the TPI's first block index in the directory: after the count, the sizes and the
        # block lists of streams 0 and 1 (all within the directory's first block here)
        n = len(sizes)
        pos = 4 + 4 * n + 4 * (len(blocks[0]) + len(blocks[1]))
        assert pos + 4 <= bs
        struct.pack_into("<I", f, dblocks[0] * bs + pos, 0x7FFFFFF)
    elif kind == "tpibytes":
        struct.pack_into("<I", f, stream_offset(bs, blocks, 2, 16), 0x7FFFFFF0)
    elif kind == "fieldloop":
        tpi = b"".join(f[b * bs:(b + 1) * bs] for b in blocks[2])[:sizes[2]]
        hdr, begin, end = u32(tpi, 4), u32(tpi, 8), u32(tpi, 12)
        recs, pos = [], hdr
        for _ in range(end - begin):
            ln = struct.unpack_from("<H", tpi, pos)[0]
            recs.append((pos, ln))
            pos += 2 + ln
        fl = None
        for pos, ln in recs:
            kind_ = struct.unpack_from("<H", tpi, pos + 2)[0]
            props = struct.unpack_from("<H", tpi, pos + 6)[0]
            # LF_STRUCTURE: kind, count, property, field list, derived, vshape, a 2-byte size, name
            if kind_ == 0x1505 and not props & 0x80 and tpi[pos + 22:pos + 32] == b"_EPROCESS\0":
                fl = u32(tpi, pos + 8)
        assert fl is not None, "no _EPROCESS definition"
        pos, ln = recs[fl - begin]
        rec = tpi[pos:pos + 2 + ln]
        last = rec.rfind(b"\x10\x15\x00\x00")   # the last LF_NESTTYPE: 12 bytes to the end
        assert last == len(rec) - 12, "the field list does not end in an LF_NESTTYPE"
        patch = struct.pack("<HHI", 0x1404, 0, fl) + b"\xf4\xf3\xf2\xf1"
        for i, byte in enumerate(patch):
            f[stream_offset(bs, blocks, 2, pos + last + i)] = byte
    else:
        raise SystemExit("unknown kind " + kind)
    open(dst, "wb").write(f)


main()
