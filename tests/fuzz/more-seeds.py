#!/usr/bin/env python3
"""Write the seeds of the fuzz targets raw, kcore, qmp, qemumaps, args, targetrec, rescan,
pattern and snapshot into tests/fuzz/seeds/NAME (run from anywhere; the files are
committed).  Each is one valid input of the target's format (see each fuzz-NAME.c)."""
import json, os, struct

top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")


def put(target, name, data):
    d = os.path.join(top, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def pattern(n, k=7):
    return bytes((i * k + (i >> 12)) & 0xff for i in range(n))


# raw: an image; "base=" first lines
put("raw", "pages.raw", pattern(8192))
put("raw", "base.raw", b"base=0x100000\n" + pattern(4096))
put("raw", "base-top.raw", b"base=0xfffffffffffff000\n" + pattern(4096))
put("raw", "base-k.raw", b"base=16K\n" + pattern(100))


# kcore: an ELF core like /proc/kcore: a note, the direct map with p_paddr, a vmalloc
# segment without one (p_paddr -1)
def note(name, ntype, desc):
    n = name.encode() + b"\0"
    pad = lambda b: b + b"\0" * (-len(b) % 4)
    return struct.pack("<III", len(n), len(desc), ntype) + pad(n) + pad(desc)


def kcore(loads, notes):
    phnum = 1 + len(loads)
    off = 64 + 56 * phnum
    notes_off, off = off, off + len(notes)
    phdrs = [struct.pack("<IIQQQQQQ", 4, 0, notes_off, 0, 0, len(notes), 0, 4)]
    data = b""
    for vaddr, paddr, body in loads:
        phdrs.append(struct.pack("<IIQQQQQQ", 1, 7, off + len(data), vaddr, paddr, len(body), len(body), 4096))
        data += body
    eh = b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\0" * 8
    eh += struct.pack("<HHIQQQIHHHHHH", 4, 62, 1, 0, 64, 0, 0, 64, 56, phnum, 64, 0, 0)
    return eh + b"".join(phdrs) + notes + data


vmci = b"OSRELEASE=6.1.0-18-amd64\nPAGESIZE=4096\nSYMBOL(swapper_pg_dir)=ffffffff82a0a000\nKERNELOFFSET=0\n"
put("kcore", "kcore.elf", kcore([(0xffff888000000000, 0, pattern(8192)),
                                 (0xffffc90000000000, 0xffffffffffffffff, pattern(4096, 3)),
                                 (0xffff888000100000, 0x100000, pattern(4096, 5))],
                                note("CORE", 1, b"\0" * 336) + note("VMCOREINFO", 0, vmci)))
put("kcore", "kcore-small.elf", kcore([(0xffff888000001000, 0x1000, pattern(100))], note("CORE", 1, b"\0" * 16)))

# qmp: what QEMU sends: greeting, capabilities, info mtree -f, gpa2hva per block, info registers
mtree = ("FlatView #0\r\n AS \"memory\", root: system\r\n AS \"cpu-memory-0\", root: system\r\n"
         " Root memory region: system\r\n"
         "  0000000000000000-000000000009ffff (prio 0, ram): pc.ram\r\n"
         "  00000000000a0000-00000000000bffff (prio 1, i/o): vga-lowmem\r\n"
         "  00000000000c0000-00000000000c9fff (prio 0, rom): pc.ram @00000000000c0000\r\n"
         "  00000000000ca000-00000000000ccfff (prio 0, ram): pc.ram @00000000000ca000\r\n"
         "  0000000000100000-000000001fffffff (prio 0, ram): pc.ram @0000000000100000\r\n"
         "  00000000fd000000-00000000fdffffff (prio 1, ram): vga.vram\r\n"
         "  00000000fffc0000-00000000ffffffff (prio 0, rom): pc.bios\r\n\r\n"
         "FlatView #1\r\n AS \"I/O\", root: io\r\n Root memory region: io\r\n"
         "  0000000000000000-0000000000000007 (prio 0, i/o): dma-chan\r\n")
regs = ("EAX=00000000 EBX=00000000\r\nCR0=80050033 CR2=00000000005794a9 CR3=0000000002620000 "
        "CR4=000006f0\r\nEFER=0000000000000d01\r\n")
greet = {"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}}, "capabilities": ["oob"]}}


def qmp(*msgs):
    return "".join(json.dumps(m) + "\r\n" for m in msgs)


hva = lambda gpa, blk, h: {"return": "Host virtual address for %x (%s) is 0x%x\r\n" % (gpa, blk, h)}
put("qmp", "boot.qmp", qmp(greet, {"return": {}}, {"return": mtree}, hva(0, "pc.ram", 0x7f0000000000),
                           hva(0xfd000000, "vga.vram", 0x7f1000000000), hva(0xfffc0000, "pc.bios", 0x7f2000000000),
                           {"return": regs}))
put("qmp", "event.qmp", qmp(greet, {"event": "RESUME", "timestamp": {"seconds": 1, "microseconds": 2}},
                            {"return": {}}, {"return": mtree.split("\r\n\r\n")[0]},
                            hva(0, "pc.ram", 0x7f0000000000), hva(0xfd000000, "vga.ram", 1)))
put("qmp", "error.qmp", qmp(greet, {"return": {}},
                            {"error": {"class": "CommandNotFound", "desc": "The command x has not been found"}}))

# qemumaps: /proc/PID/cmdline, "--maps--", /proc/PID/maps
maps = ("55d0c0000000-55d0c0a00000 r-xp 00000000 08:01 1234 /usr/bin/qemu-system-x86_64\n"
        "7f3a40000000-7f3a60000000 rw-p 00000000 00:00 0 \n"
        "7f3a70000000-7f3a90000000 rw-p 00000000 00:00 0 [heap]\n"
        "7f3b00000000-7f3b00200000 rw-s 00000000 00:01 42 /memfd:pc.ram (deleted)\n"
        "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 [stack]\n")
put("qemumaps", "pc-512m", "/usr/bin/qemu-system-x86_64\0-m\0512M\0-machine\0pc,accel=kvm\0-name\0guest=deb,debug-threads=on\0"
    "\n--maps--\n" + maps)
put("qemumaps", "q35-5g", "qemu-system-x86_64\0-M\0q35\0-m\0size=5G,slots=2,maxmem=8G\0-enable-kvm"
    "\n--maps--\n7f0000000000-7f0140000000 rw-p 00000000 00:00 0 \n")
put("qemumaps", "virt-memfd", "qemu-system-aarch64\0-machine\0type=virt\0-m\0" + "2" + "M\0"
    "\n--maps--\n" + maps)

# args: one per line, numbers, arch names, specs
put("args", "lines", "\n".join(["0x1f00", "4096", "16KiB", "2M", "1T", "-0x10", "-3", "1.5", "-2.5e3", "nan",
                                "18446744073709551615", "deadbeef", "de ad be ef", "0xde:ad", "x86_64", "aarch64",
                                "riscv-sv39", "lime:/tmp/x.lime", "raw:path=/x,base=0x1000", "img.raw",
                                "qemu:pid=12,qmp=/run/q.sock", "file:dump.elf", "native", "raw:,path=a"]))

# targetrec: target records (JSON lines) as mf-attach writes them
put("targetrec", "targets.jsonl", "\n".join(json.dumps(r) for r in [
    {"type": "target", "v": 1, "connector": "raw", "connector_args": {"path": "/tmp/img.raw", "base": 4096},
     "os": None, "hints": {"format": "raw", "kernel_base": "0xffffffff81000000"}},
    {"type": "target", "v": 1, "connector": "qemu", "connector_args": {"pid": 1234, "qmp": "/run/q.sock"},
     "os": "linux", "os_args": {"btf": "/sys/kernel/btf/vmlinux", "kaslr": -1},
     "hints": {"format": "qemu", "arch": "x86_64", "cpus": 4, "dtb": "0x2620000"}},
    {"type": "hit", "space": "process", "pid": 42, "addr": "0x1000", "len": 4},
    {"type": "hit", "space": "dtb", "dtb": "0x1000", "arch": "x86_64", "addr": "0x1000", "len": 4}]) + "\n")
put("targetrec", "target.msgpack", open(os.path.join(top, "stream", "target.msgpack"), "rb").read())

# rescan: hit records, untyped and typed
put("rescan", "hits.jsonl", "\n".join(json.dumps(r) for r in [
    {"type": "hit", "space": "phys", "addr": "0x1", "len": 3, "pattern": "07 0e 15", "data": "070e15"},
    {"type": "hit", "space": "kernel", "addr": "0xffffffff81000000", "len": 4, "vtype": "u32", "value": 5,
     "data": "05000000"},
    {"type": "hit", "space": "process", "pid": 7, "addr": "0x7ffd0000", "len": 8, "vtype": "i64", "value": -1,
     "data": "ffffffffffffffff"},
    {"type": "hit", "space": "phys", "addr": "0x10", "len": 4, "vtype": "f32", "value": 1.5, "data": "0000c03f"},
    {"type": "hit", "space": "phys", "addr": "0x20", "len": 8, "vtype": "f64", "value": 2.5},
    {"type": "hit", "space": "dtb", "dtb": "0x1000", "arch": "x86_64", "addr": "0xfffffffffffffffc", "len": 4,
     "vtype": "u32", "value": 16, "data": "10000000"}]) + "\n")


# pattern: mode, align/base, segment bytes, text, NUL, buffer
def pat(mode, ab, s, e, text, buf):
    return bytes([mode, ab, s, e]) + text.encode() + b"\0" + buf


buf = b"hello Hello HELLO " + "hé".encode("utf-16le") + b"\x48\x8b\x05\x10\x20\x30\x40\x05" + pattern(200)
put("pattern", "hex", pat(0, 0, 0x10, 0, "48 8b ?? ?? 20 30", buf))
put("pattern", "hex-packed", pat(0, 0, 0xf3, 5, "488b????", buf))
put("pattern", "str", pat(1, 0, 0x20, 0, "Hello", buf))
put("pattern", "str-icase", pat(2, 0, 0xf0, 0, "hello", buf))
put("pattern", "utf16", pat(3, 0, 0xf0, 0, "hé", buf))
put("pattern", "typed-eq", pat(5, 2 | (3 << 2), 0xf0, 0, "u32 eq 0x40302010", buf))
put("pattern", "typed-between", pat(5, 0, 0xf0, 0, "i16 between -5 300", buf))
put("pattern", "typed-float", pat(5, 3, 0xf0, 0, "f64 gt 1.5", struct.pack("<dddd", 1.0, 2.0, float("nan"), 1.5)))


# snapshot: format, arch, ranges, flags; (gap, size) per range; VMCOREINFO; record; memory
def snap(fmt, arch, flags, ranges, mem, vmci=b"", record=b""):
    h = bytes([fmt, arch, len(ranges), flags])
    h += b"".join(struct.pack("<QQ", g, s) for g, s in ranges)
    return h + vmci + b"\0" + record + b"\0" + mem


rec = open(os.path.join(top, "stream", "target.msgpack"), "rb").read()
two = [(0, 0x3000), (0x1000, 0x2000)]
put("snapshot", "raw", snap(0, 1, 0, two, pattern(0x4000)))
put("snapshot", "lime", snap(1, 1, 0, two, pattern(0x2800)))
put("snapshot", "elf", snap(2, 1, 1 | 2 | 4, two, pattern(0x5000), vmci, rec))
put("snapshot", "kdump", snap(3, 1, 1 | 2 | 8 | 16, two, pattern(0x3000) + b"\0" * 0x2000, vmci))
put("snapshot", "top", snap(3, 4, 2, [(0xffffffffffffe000, 0x2000)], pattern(0x2000), vmci))
put("snapshot", "elf-top", snap(2, 0, 4, [(0x1000, 0x1000), (0xfffffffffffef000, 0x10000)], pattern(0x1800), b"", rec))
