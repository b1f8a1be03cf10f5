#!/usr/bin/env python3
"""Broken variants of real minidumps, for tests/minidump.bats.

    minidump-variants.py NORMAL.dmp FULL.dmp OUTDIR

NORMAL.dmp (MiniDumpNormal: a MemoryListStream) and FULL.dmp (MiniDumpWithFullMemory: a
Memory64ListStream) are dumps Wine's dbghelp wrote.  Each variant changes one thing,
found by walking the stream directory as the format defines it (little-endian:
MINIDUMP_HEADER NumberOfStreams @8, StreamDirectoryRva @12; directory entries
{u32 type, u32 size, u32 rva}); OUTDIR/facts lists what the tests need to check.
"""
import struct
import sys


def streams(d):
    n, rva = struct.unpack_from('<II', d, 8)
    return [(i, *struct.unpack_from('<III', d, rva + 12 * i)) for i in range(n)]


def stream(d, want):
    for i, t, size, rva in streams(d):
        if t == want:
            return i, size, rva
    sys.exit('no stream of type %d' % want)


def main():
    normal, full, out = sys.argv[1], sys.argv[2], sys.argv[3]
    n = bytearray(open(normal, 'rb').read())
    f = bytes(open(full, 'rb').read(16 << 20))
    facts = []

    def write(name, data):
        open('%s/%s' % (out, name), 'wb').write(data)

    # the header and half the directory
    _, drva = struct.unpack_from('<II', n, 8)
    write('cut-directory.dmp', n[:drva + 18])
    # the module list's directory entry points past the end of the file
    i, size, rva = stream(n, 4)
    d = bytearray(n)
    struct.pack_into('<I', d, struct.unpack_from('<I', n, 12)[0] + 12 * i + 8, len(n) - 8)
    write('dir-past-end.dmp', d)
    facts.append('dir_past_end_stream %d %d 0x%x' % (i, size, len(n) - 8))
    # a module list that claims 2^32-1 modules
    d = bytearray(n)
    struct.pack_into('<I', d, rva, 0xffffffff)
    write('module-count.dmp', d)
    # the first module's name claims 2 GiB
    name_rva = struct.unpack_from('<I', n, rva + 4 + 0x14)[0]
    d = bytearray(n)
    struct.pack_into('<I', d, name_rva, 0x7ffffffe)
    write('name-length.dmp', d)
    # MemoryList: range 0's size lies (runs far past the end of the file); range 2 overlaps range 1
    i, size, rva = stream(n, 5)
    va0, len0, off0 = struct.unpack_from('<QII', n, rva + 4)
    va1, len1, off1 = struct.unpack_from('<QII', n, rva + 4 + 16)
    d = bytearray(n)
    struct.pack_into('<I', d, rva + 4 + 8, 0xfffffff0)
    write('lying-size.dmp', d)
    facts.append('lying_range 0x%x 0x%x 0x%x' % (va0, 0xfffffff0, len(n) - off0))
    va2, len2, off2 = struct.unpack_from('<QII', n, rva + 4 + 32)
    d = bytearray(n)
    struct.pack_into('<Q', d, rva + 4 + 32, va1)
    write('overlap.dmp', d)
    facts.append('overlap 0x%x %d %d' % (va1, off1, off2))
    # the full dump cut after 16 MiB: its metadata whole, most of its memory gone
    write('cut-memory.dmp', f)
    i, size, rva = stream(f, 9)
    count, base = struct.unpack_from('<QQ', f, rva)
    at = base
    for k in range(count):
        va, ln = struct.unpack_from('<QQ', f, rva + 16 + 16 * k)
        if at + ln > len(f):
            facts.append('cut_range 0x%x 0x%x 0x%x' % (va, len(f) - at, ln))
            break
        at += ln
    # ... and with range 0's size a lie (so every later range's data lies past the end)
    d = bytearray(f)
    struct.pack_into('<Q', d, rva + 16 + 8, 1 << 62)
    write('lying-size64.dmp', d)
    open('%s/facts' % out, 'w').write('\n'.join(facts) + '\n')


main()
