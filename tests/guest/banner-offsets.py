#!/usr/bin/python3
"""banner-offsets.py VMLINUZ: where the kernel image holds "Linux version " strings.

Prints one line per hit, the hit's offset in hex (0x...) from where /proc/iomem's
"Kernel code" starts: _stext on arm64, _text on x86 (there _text = _stext). linux_banner
is one of them (Debian's 6.1 also keeps the weak copy from init/version.c, which lacks the
build number). For kernels whose kallsyms has text symbols only (arm64, i386, no
KALLSYMS_ALL): linux_banner is at _stext + offset, physical Kernel code + offset.

Formats: an arm64 Image (file offset 0 is _text; _stext is the start of the PE/COFF
.text section: head.S ends its EFI header with .balign SEGMENT_ALIGN and vmlinux.lds.S
starts .text there) and an x86 bzImage whose payload is an xz, gzip, zstd or LZ4 compressed ELF
vmlinux (the offset is the string's link-time virtual address minus the first PT_LOAD's,
which is _text). Exit 1 with a message on anything else.
"""
import gzip
import lzma
import struct
import subprocess
import sys

NEEDLE = b"Linux version "


def fail(msg):
    sys.stderr.write("banner-offsets.py: %s\n" % msg)
    sys.exit(1)


def hits(buf):
    out = []
    i = buf.find(NEEDLE)
    while i >= 0:
        out.append(i)
        i = buf.find(NEEDLE, i + 1)
    return out


def unpack(cmd, payload):
    """The ELF a command-line decompressor makes of the payload.  The payload ends with the
    image's size, which zstd and lz4 read as trailing garbage and exit 1: the output
    counts, not the status."""
    out = subprocess.run(cmd, input=payload, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL).stdout
    if not out.startswith(b"\x7fELF"):
        fail("%s could not unpack the bzImage payload" % cmd[0])
    return out


def decompress(payload):
    if payload.startswith(b"\xfd7zXZ\x00"):
        return lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(payload)
    if payload.startswith(b"\x1f\x8b"):
        return gzip.decompress(payload)
    if payload.startswith(b"\x28\xb5\x2f\xfd"):
        return unpack(["zstd", "-q", "-d", "-c"], payload)
    if payload.startswith(b"\x02\x21\x4c\x18"):
        # the kernel's LZ4 is the legacy frame format, which the lz4 command reads
        return unpack(["lz4", "-q", "-d", "-c"], payload)
    fail("unknown bzImage payload compression %r" % payload[:6])


def elf_offsets(elf):
    if elf[:4] != b"\x7fELF":
        fail("the bzImage payload is not an ELF file")
    if elf[4] == 1:
        phoff, = struct.unpack_from("<I", elf, 28)
        phentsize, phnum = struct.unpack_from("<HH", elf, 42)
        fmt = "<IIIIII"
    else:
        phoff, = struct.unpack_from("<Q", elf, 32)
        phentsize, phnum = struct.unpack_from("<HH", elf, 54)
        fmt = None
    loads = []
    for k in range(phnum):
        at = phoff + k * phentsize
        if fmt:
            p_type, p_off, p_va, _, p_filesz, _ = struct.unpack_from(fmt, elf, at)
        else:
            p_type, _, p_off, p_va, _, p_filesz = struct.unpack_from("<IIQQQQ", elf, at)
        if p_type == 1:
            loads.append((p_off, p_va, p_filesz))
    if not loads:
        fail("the vmlinux has no PT_LOAD")
    text = min(va for _, va, _ in loads)
    out = []
    for h in hits(elf):
        for off, va, size in loads:
            if off <= h < off + size:
                out.append(va + (h - off) - text)
    return out


def arm64_stext(img):
    pe, = struct.unpack_from("<I", img, 0x3c)
    if pe + 24 > len(img) or img[pe:pe + 4] != b"PE\0\0":
        fail("the arm64 Image has no PE/COFF header (no EFI stub?)")
    nsec, = struct.unpack_from("<H", img, pe + 6)
    optsize, = struct.unpack_from("<H", img, pe + 20)
    sec = pe + 24 + optsize
    for k in range(nsec):
        at = sec + 40 * k
        if at + 40 > len(img):
            break
        if img[at:at + 8].rstrip(b"\0") == b".text":
            return struct.unpack_from("<I", img, at + 12)[0]
    fail("the arm64 Image's PE/COFF header has no .text section")


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: banner-offsets.py VMLINUZ\n")
        sys.exit(2)
    data = open(sys.argv[1], "rb").read()
    if len(data) > 0x40 and data[0x38:0x3c] == b"ARM\x64":
        offsets = [h - arm64_stext(data) for h in hits(data)]
    elif len(data) > 0x250 and data[0x202:0x206] == b"HdrS":
        setup_sects = data[0x1f1] or 4
        pm = (setup_sects + 1) * 512
        poff, plen = struct.unpack_from("<II", data, 0x248)
        if pm + poff + plen > len(data):
            fail("bzImage payload beyond the end of the file")
        offsets = elf_offsets(decompress(data[pm + poff:pm + poff + plen]))
    else:
        fail("%s is neither an arm64 Image nor an x86 bzImage" % sys.argv[1])
    if not offsets:
        fail("no \"Linux version \" string in the kernel image")
    for o in offsets:
        print("0x%x" % o)


main()
