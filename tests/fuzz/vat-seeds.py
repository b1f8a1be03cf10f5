#!/usr/bin/env python3
"""Write the seeds of fuzz-vat (tests/fuzz/seeds/vat/): for each architecture a small
physical memory holding valid page tables (a table per level, large pages where the
architecture has them, one entry mapping the top table itself) and the virtual addresses
to translate.  Input format (fuzz-vat.c): a 16-byte header (arch index, granule/VA-bits
selector, root as 6 bytes, root_hi flag and offset, VA count), the VAs, then memory.
Usage: tests/fuzz/vat-seeds.py DIR"""
import os
import struct
import sys

PG = 4096
X86 = dict(table=0x3, leaf=0x3, large=0x83)
ARM = dict(table=0x3, leaf=0x403, large=0x401)


def riscv(pa, leaf):
    return ((pa >> 12) << 10) | (0xcf if leaf else 0x1)


def build(levels, bits, esize, fmt, big_levels):
    """levels tables at pages 0..levels-1, the data page after them; each table's entry 0
    points to the next level (the last to the data page), entry 1 is a large page where
    the level allows one, entry 5 of the last table maps page 0 (the top table)."""
    mem = bytearray(PG * (levels + 1))
    for lvl in range(levels):
        base = lvl * PG
        nxt = (lvl + 1) * PG
        last = lvl == levels - 1
        e0 = fmt(nxt, last)
        mem[base:base + esize] = struct.pack('<Q' if esize == 8 else '<I', e0)
        if lvl in big_levels:
            span = 1 << bits[lvl]
            mem[base + esize:base + 2 * esize] = struct.pack('<Q' if esize == 8 else '<I', fmt(span, None))
        if last:
            mem[base + 5 * esize:base + 6 * esize] = struct.pack('<Q' if esize == 8 else '<I', fmt(0, True))
    for i in range(PG):
        mem[levels * PG + i] = (i * 7 + 3) & 0xff
    return bytes(mem)


def x86fmt(flags):
    def f(pa, leaf):
        return pa | (flags['large'] if leaf is None else flags['leaf'] if leaf else flags['table'])
    return f


def seed(arch, sel, mem, vas, root=0):
    hdr = bytes([arch, sel]) + struct.pack('<Q', root)[:6] + bytes([0, 0, len(vas)]) + bytes(5)
    return hdr + b''.join(struct.pack('<Q', v) for v in vas) + mem


def main(out):
    os.makedirs(out, exist_ok=True)
    common = [0x0, 0x1000, 0x1234, 0x5000, 0x6000, 0xfff, 0x7ffffffff000]
    seeds = {
        # x86_32: 2 levels of 4-byte entries, 4 MiB pages (PSE)
        'x86-32': seed(0, 0, build(2, [22, 12], 4, x86fmt(X86), {0}), common + [0x400000, 0x401234]),
        # x86_64: 4 levels, 1 GiB and 2 MiB pages, the top table mapped at 0x5000
        'x86_64': seed(2, 12, build(4, [39, 30, 21, 12], 8, x86fmt(X86), {1, 2}),
                       common + [0x40000000, 0x201234, 0xffffff8000000000, 0xffff800000001000]),
        # x86_64 with 5 levels (LA57)
        'x86_64-la57': seed(3, 12, build(5, [48, 39, 30, 21, 12], 8, x86fmt(X86), {2, 3}),
                            common + [0x40000000, 0x200000, 0xff00000000000000]),
        # aarch64, 4 KiB granule, 48-bit VAs: 1 GiB and 2 MiB blocks
        'aarch64-4k': seed(4, 12, build(4, [39, 30, 21, 12], 8, x86fmt(ARM), {1, 2}),
                           common + [0x40000000, 0x200000, 0xffff000000001000]),
        # RISC-V Sv39 and Sv48: gigapages and megapages
        'riscv-sv39': seed(5, 0, build(3, [30, 21, 12], 8, riscv, {0, 1}),
                           common + [0x40000000, 0x200000, 0xffffffc000000000]),
        'riscv-sv48': seed(6, 0, build(4, [39, 30, 21, 12], 8, riscv, {1, 2}),
                           common + [0x40000000, 0x200000, 0xffff800000000000]),
    }
    # PAE: a 4-entry PDPT at 0 (present bit only), then a PD with 2 MiB pages and a PT
    pae = bytearray(build(3, [30, 21, 12], 8, x86fmt(X86), {1}))
    pae[0:8] = struct.pack('<Q', 0x1000 | 1)
    seeds['x86-pae'] = seed(1, 0, bytes(pae), common + [0x200000, 0x201234, 0xc0000000])
    for name, data in sorted(seeds.items()):
        with open(os.path.join(out, name + '.bin'), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main(sys.argv[1])
