#!/usr/bin/env python3
"""Write the seeds of fuzz-kallsyms (tests/fuzz/seeds/kallsyms/): small kallsyms tables laid
out as the kernel builds them (token table and index, names as token numbers, s32 offsets
against a relative base or absolute u64 addresses), in the input format of
fuzz-kallsyms.c: flags, num_syms (u16), token-table length (u16), the token table,
token_index (256 u16), the address table, relative_base (u64), then the names.
Usage: tests/fuzz/kallsyms-seeds.py DIR"""
import os
import struct
import sys


def tokens():
    # token i: the character i where it is printable, else a two-letter token
    return [bytes([i]) if 0x21 <= i <= 0x7e else b"t%02x" % i for i in range(256)]


def table(names, addrs, absolute=False, percpu=None, base=0xffffffff81000000, long_names=False):
    toks = tokens()
    tt = b"".join(t + b"\0" for t in toks)
    idx, off = [], 0
    for t in toks:
        idx.append(off)
        off += len(t) + 1
    ti = struct.pack("<256H", *idx)
    stream = b""
    for typ, name in names:
        ids = bytes(ord(c) for c in typ + name)
        if long_names or len(ids) > 0x7f:
            stream += bytes([0x80 | (len(ids) & 0x7f), len(ids) >> 7]) + ids
        else:
            stream += bytes([len(ids)]) + ids
    if absolute:
        at = b"".join(struct.pack("<Q", a) for a in addrs)
    else:
        vals = []
        for i, a in enumerate(addrs):
            if percpu is not None and i in percpu:
                vals.append(a)                   # an absolute per-CPU value
            elif percpu is not None:
                vals.append(-(a - base) - 1)     # relative_base - 1 - offset
            else:
                vals.append(a - base)
        at = b"".join(struct.pack("<i", v) for v in vals)
    head = bytes([1 if absolute else 0]) + struct.pack("<HH", len(names), len(tt))
    return head + tt + ti + at + struct.pack("<Q", base) + stream


def main():
    out = os.path.join(sys.argv[1] if len(sys.argv) > 1 else ".", "kallsyms")
    os.makedirs(out, exist_ok=True)
    names = [("T", "_text"), ("T", "_stext"), ("t", "do_one_initcall"), ("T", "start_kernel"),
             ("D", "init_task"), ("R", "linux_banner"), ("d", "modules"), ("B", "__bss_start")]
    addrs = [0xffffffff81000000, 0xffffffff81000000, 0xffffffff81001000, 0xffffffff81002340,
             0xffffffff82a0c940, 0xffffffff82200100, 0xffffffff82a51230, 0xffffffff83000000]
    seeds = {
        "relative": table(names, addrs),
        "absolute": table(names, addrs, absolute=True),
        "percpu": table([("A", "fixed_percpu_data"), ("A", "cpu_number")] + names,
                        [0, 0x1000] + addrs, percpu={0, 1}),
        "long-names": table([("t", "x" * 200)] + names[1:], addrs, long_names=True),
        "many": table([("t", "fn_%d" % i) for i in range(600)],
                      [0xffffffff81000000 + 16 * i for i in range(600)]),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


main()
