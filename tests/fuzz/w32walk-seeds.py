#!/usr/bin/env python3
"""Seeds for fuzz-w32walk: a small Windows kernel in fuzz-w32walk.c's struct layout.

Kernel memory at FZ_KBASE: PsActiveProcessHead (+0), PsLoadedModuleList (+0x10),
PsInitialSystemProcess (+0x20); three processes (System pid 4, smss.exe with an image
path, cmd.exe with a PEB, a command line and a loader list of one module and a VAD tree of two nodes, read through user addresses that see the same
bytes) and two kernel modules.  Usage: w32walk-seeds.py DIR (writes DIR/hinted, where the
first byte keeps the list-head hint, and DIR/from-system, where it drops it)."""
import os
import struct
import sys

KBASE = 0xfffff80000000000


def image(flags):
    m = bytearray(0x1000)

    def put(off, fmt, *v):
        struct.pack_into("<" + fmt, m, off, *v)

    def ustr(off, s, buf, kernel=True):
        b = s.encode("utf-16-le")
        put(off, "HHxxxxQ", len(b), len(b) + 2, (KBASE if kernel else 0) + buf)
        m[buf:buf + len(b)] = b

    eps = [0x100, 0x200, 0x300]
    chain = [0] + [e + 0x18 for e in eps]
    for i, e in enumerate(chain):
        put(e, "QQ", KBASE + chain[(i + 1) % len(chain)], KBASE + chain[i - 1])
    for e, pid, ppid, name in zip(eps, (4, 356, 2000), (0, 4, 356), (b"System", b"smss.exe", b"cmd.exe")):
        put(e + 0x08, "Q", 0x1ab000)
        put(e + 0x10, "Q", pid)
        put(e + 0x30, "Q", ppid)
        m[e + 0x48:e + 0x48 + len(name)] = name
    ustr(0x400, r"\Device\HarddiskVolume3\Windows\System32\smss.exe", 0x420)
    put(0x200 + 0x58, "Q", KBASE + 0x400)
    put(0x300 + 0x38, "Q", 0x800)                 # Peb (a user address)
    put(0x800 + 0x18, "Q", 0xb00)                 # Ldr: its load-order list at +0x10
    put(0xb10, "QQ", 0xb80, 0xb80)                # one LDR_DATA_TABLE_ENTRY at 0xb80
    put(0xb80, "QQ", 0xb10, 0xb10)
    put(0xb80 + 0x30, "QI", 0x400000, 0)
    put(0xb80 + 0x40, "I", 0x5000)
    ustr(0xb80 + 0x58, "cmd.exe", 0xf00, kernel=False)
    put(0x800 + 0x20, "Q", 0x900)                 # ProcessParameters
    # cmd.exe's VAD tree: a mapped image at 0x600 (root), a private page at 0x680 (left)
    put(0x300 + 0x68, "Q", KBASE + 0x600)
    put(0x600, "QQ", KBASE + 0x680, 0)
    put(0x600 + 0x18, "IIBB", 0x400, 0x404, 0, 0)
    put(0x600 + 0x30, "I", 7 << 7)
    put(0x600 + 0x48, "Q", KBASE + 0x700)         # Subsection -> ControlArea -> FilePointer
    put(0x700, "Q", KBASE + 0x740)
    put(0x740 + 0x40, "Q", KBASE + 0x7c0 + 3)
    ustr(0x7c0 + 0x58, r"\Windows\cmd.exe", 0xf80)
    put(0x680 + 0x18, "IIBB", 0x100, 0x100, 0, 0)
    put(0x680 + 0x30, "I", 4 << 7 | 1 << 20)
    ustr(0x900 + 0x70, "cmd.exe /c dir", 0xa00, kernel=False)
    put(0x20, "Q", KBASE + eps[0])
    ents = [0xc00, 0xd00]
    chain = [0x10] + ents
    for i, e in enumerate(chain):
        put(e, "QQ", KBASE + chain[(i + 1) % len(chain)], KBASE + chain[i - 1])
    for e, name, s in zip(ents, ("ntoskrnl.exe", "hal.dll"), (0x1000, 0x2000)):
        put(e + 0x30, "Q", KBASE)
        put(e + 0x40, "I", s)
        ustr(e + 0x58, name, e + 0x80)
    m[0] = m[0] & ~1 | flags   # the head's low byte carries the flag bit: the pointer stays 8-aligned
    return bytes(m)


def main():
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    for name, flags in (("hinted", 0), ("from-system", 1)):
        with open(os.path.join(d, name), "wb") as f:
            f.write(image(flags))


main()
