#!/usr/bin/env python3
"""Seeds for fuzz-w32walk: a small Windows kernel in fuzz-w32walk.c's struct layout.

Kernel memory at FZ_KBASE: PsActiveProcessHead (+0), PsLoadedModuleList (+0x10),
PsInitialSystemProcess (+0x20); three processes (System pid 4, smss.exe with an image
path, cmd.exe with a PEB, a command line and a loader list of one module and a VAD tree of two nodes, read through user addresses that see the same
bytes) and two kernel modules.  Usage: w32walk-seeds.py DIR (writes DIR/hinted, where the
first byte keeps the list-head hint, and DIR/from-system, where it drops it; x86-hinted
and x86-from-system the same for an x86 kernel)."""
import os
import struct
import sys

KBASE = 0xfffff80000000000
KBASE32 = 0x80000000


def image(flags, x86=False):
    """The kernel (x64, or with x86 4-byte pointers, the 32-bit UNICODE_STRING, PEB and
    loader entry, the kernel at KBASE32: byte 0x3f's bit 0 says so)."""
    m = bytearray(0x1000)
    kb = KBASE32 if x86 else KBASE
    P = "I" if x86 else "Q"

    def put(off, fmt, *v):
        struct.pack_into("<" + fmt.replace("P", P), m, off, *v)

    def ustr(off, s, buf, kernel=True):
        b = s.encode("utf-16-le")
        put(off, "HHI" if x86 else "HHxxxxQ", len(b), len(b) + 2, (kb if kernel else 0) + buf)
        m[buf:buf + len(b)] = b

    # the public user structures: PEB.Ldr, .ProcessParameters; PEB_LDR_DATA's load-order
    # list; LDR_DATA_TABLE_ENTRY.DllBase, .SizeOfImage, .BaseDllName; the command line
    o_ldr, o_params, o_list, o_base, o_size, o_name, o_cmd = \
        (0x0c, 0x10, 0x0c, 0x18, 0x20, 0x2c, 0x40) if x86 else (0x18, 0x20, 0x10, 0x30, 0x40, 0x58, 0x70)
    eps = [0x100, 0x200, 0x300]
    chain = [0] + [e + 0x18 for e in eps]
    for i, e in enumerate(chain):
        put(e, "PP", kb + chain[(i + 1) % len(chain)], kb + chain[i - 1])
    for e, pid, ppid, name in zip(eps, (4, 356, 2000), (0, 4, 356), (b"System", b"smss.exe", b"cmd.exe")):
        put(e + 0x08, "P", 0x1ab000)
        put(e + 0x10, "P", pid)
        put(e + 0x30, "P", ppid)
        m[e + 0x48:e + 0x48 + len(name)] = name
    ustr(0x400, r"\Device\HarddiskVolume3\Windows\System32\smss.exe", 0x420)
    put(0x200 + 0x58, "P", kb + 0x400)
    put(0x300 + 0x38, "P", 0x800)                 # Peb (a user address)
    put(0x800 + o_ldr, "P", 0xb00)                # Ldr: its load-order list
    put(0xb00 + o_list, "PP", 0xb80, 0xb80)       # one LDR_DATA_TABLE_ENTRY at 0xb80
    put(0xb80, "PP", 0xb00 + o_list, 0xb00 + o_list)
    put(0xb80 + o_base, "P", 0x400000)
    put(0xb80 + o_size, "I", 0x5000)
    ustr(0xb80 + o_name, "cmd.exe", 0xf00, kernel=False)
    put(0x800 + o_params, "P", 0x900)             # ProcessParameters
    # cmd.exe's VAD tree: a mapped image at 0x600 (root), a private page at 0x680 (left)
    put(0x300 + 0x68, "P", kb + 0x600)
    put(0x600, "PP", kb + 0x680, 0)
    put(0x600 + 0x18, "IIBB", 0x400, 0x404, 0, 0)
    put(0x600 + 0x30, "I", 7 << 7)
    put(0x600 + 0x48, "P", kb + 0x700)            # Subsection -> ControlArea -> FilePointer
    put(0x700, "P", kb + 0x740)
    put(0x740 + 0x40, "P", kb + 0x7c0 + 3)
    ustr(0x7c0 + 0x58, r"\Windows\cmd.exe", 0xf80)
    put(0x680 + 0x18, "IIBB", 0x100, 0x100, 0, 0)
    put(0x680 + 0x30, "I", 4 << 7 | 1 << 20)
    ustr(0x900 + o_cmd, "cmd.exe /c dir", 0xa00, kernel=False)
    put(0x20, "P", kb + eps[0])
    ents = [0xc00, 0xd00]
    chain = [0x10] + ents
    for i, e in enumerate(chain):
        put(e, "PP", kb + chain[(i + 1) % len(chain)], kb + chain[i - 1])
    for e, name, s in zip(ents, ("ntoskrnl.exe", "hal.dll"), (0x1000, 0x2000)):
        put(e + 0x30, "P", kb)
        put(e + 0x40, "I", s)
        ustr(e + 0x58, name, e + 0x80)
    m[0] = m[0] & ~1 | flags   # the head's low byte carries the flag bit: the pointer stays aligned
    m[0x3f] = 1 if x86 else 0
    return bytes(m)


def main():
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    for name, flags, x86 in (("hinted", 0, False), ("from-system", 1, False), ("x86-hinted", 0, True),
                             ("x86-from-system", 1, True)):
        with open(os.path.join(d, name), "wb") as f:
            f.write(image(flags, x86))


main()
