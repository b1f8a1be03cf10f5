#!/usr/bin/env python3
"""Seeds for fuzz-minidump: small minidumps in the layout pluginlib/minidump.h describes.

    minidump-seeds.py OUTDIR

memlist.dmp: SystemInfo (AMD64), MiscInfo (a pid), a ModuleList of two modules (an RSDS
and an NB10 CodeView record), a ThreadList of two threads (one with an x64 CONTEXT, one
without), a MemoryList of three ranges (two adjacent), a MemoryInfoList of four regions
(image, private, reserved, free).  memory64.dmp: the same with a Memory64ListStream, and
the module list padded by 4 bytes after its count, as some writers do.
"""
import struct
import sys


def mdstring(s):
    b = s.encode('utf-16le')
    return struct.pack('<I', len(b)) + b + b'\0\0'


def build(mem64):
    blobs = []   # (key, bytes), placed after the directory in order
    streams = []  # (type, key)

    def put(key, data):
        blobs.append((key, data))

    # data that streams point at
    put('name0', mdstring('C:\\app\\app.exe'))
    put('name1', mdstring('C:\\windows\\system32\\ntdll.dll'))
    put('cv0', b'RSDS' + bytes(range(16)) + struct.pack('<I', 3) + b'app.pdb\0')
    put('cv1', b'NB10' + struct.pack('<III', 0, 0x5f000000, 2) + b'ntdll.pdb\0')
    ctx = bytearray(0x4d0)
    struct.pack_into('<I', ctx, 0x30, 0x10000b)
    struct.pack_into('<Q', ctx, 0xd8, 0x1122334455667788)
    struct.pack_into('<Q', ctx, 0xf8, 0x140001000)
    struct.pack_into('<Q', ctx, 0x98, 0x7ff000)
    put('ctx0', bytes(ctx))
    ranges = [(0x140000000, b'MZ' + bytes(0xfe)), (0x140000100, bytes(range(256))), (0x7ff000, b'\xcc' * 0x100)]
    for i, (_, data) in enumerate(ranges):
        put('mem%d' % i, data)
    layout = {}

    def place(base):
        at = base
        for key, data in blobs:
            layout[key] = at
            at += len(data)
        return at

    # fixed-size streams first, their sizes known
    sysinfo = struct.pack('<HHHBBIIIII', 9, 6, 0, 2, 1, 10, 0, 19041, 2, 0) + bytes(0x38 - 28)
    misc = struct.pack('<IIII', 24, 1, 4242, 0) + bytes(8)
    nstreams = 7
    head = 32 + 12 * nstreams

    def modlist():
        out = struct.pack('<I', 2) + (b'\0' * 4 if mem64 else b'')
        for base, size, nk, ck in ((0x140000000, 0x10000, 'name0', 'cv0'), (0x170000000, 0x200000, 'name1', 'cv1')):
            e = struct.pack('<QIIII', base, size, 0, 0x5f000000, layout[nk]) + bytes(52)
            e += struct.pack('<II', len(dict(blobs)[ck]), layout[ck]) + bytes(8) + bytes(16)
            assert len(e) == 108
            out += e
        return out

    def threadlist():
        out = struct.pack('<I', 2)
        out += struct.pack('<IIIIQQIIII', 10, 0, 0x20, 0, 0x7fd000, 0x7ff000, 0x100, layout['mem2'], 0x4d0,
                           layout['ctx0'])
        out += struct.pack('<IIIIQQIIII', 11, 1, 0x20, 0, 0x7fe000, 0, 0, 0, 0, 0)
        return out

    def memlist():
        if mem64:
            out = struct.pack('<QQ', len(ranges), layout['mem0'])
            for va, data in ranges:
                out += struct.pack('<QQ', va, len(data))
            return out
        out = struct.pack('<I', len(ranges))
        for i, (va, data) in enumerate(ranges):
            out += struct.pack('<QII', va, len(data), layout['mem%d' % i])
        return out

    def infolist():
        e = [(0x140000000, 0x140000000, 0x80, 0x10000, 0x1000, 0x20, 0x1000000),
             (0x7f0000, 0x7f0000, 0x04, 0x10000, 0x1000, 0x04, 0x20000),
             (0x800000, 0x800000, 0x04, 0x10000, 0x2000, 0, 0x20000),
             (0x810000, 0, 0, 0x10000, 0x10000, 0x01, 0)]
        out = struct.pack('<IIQ', 16, 48, len(e))
        for b, ab, ap, sz, st, pr, ty in e:
            out += struct.pack('<QQIIQIIII', b, ab, ap, 0, sz, st, pr, ty, 0)
        return out

    # two passes: the lists' sizes do not depend on where the data lies
    sizes = [len(sysinfo), len(misc), 4 + (4 if mem64 else 0) + 2 * 108, 4 + 2 * 48,
             (16 + 16 * 3) if mem64 else (4 + 16 * 3), 16 + 4 * 48, 0]
    data_base = head + sum(sizes)
    place(data_base)
    bodies = [(7, sysinfo), (15, misc), (4, modlist()), (3, threadlist()), (9 if mem64 else 5, memlist()),
              (16, infolist()), (0, b'')]
    out = struct.pack('<IIIIIIQ', 0x504d444d, 0xa793, nstreams, 32, 0, 0, 2 if mem64 else 0)
    at = head
    dirs = b''
    for t, body in bodies:
        dirs += struct.pack('<III', t, len(body), at if body else 0)
        at += len(body)
    out += dirs + b''.join(body for _, body in bodies)
    assert len(out) == data_base
    out += b''.join(data for _, data in blobs)
    return out


def main():
    out = sys.argv[1]
    open(out + '/memlist.dmp', 'wb').write(build(False))
    open(out + '/memory64.dmp', 'wb').write(build(True))


main()
