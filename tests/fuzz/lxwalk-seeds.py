#!/usr/bin/env python3
"""Seeds for fuzz-lxwalk: small guest kernels in fuzz-lxwalk.c's struct layout.

Each seed is a flags byte (bit 0: the VMA list instead of the maple tree) and kernel memory
at FZ_KBASE: init_task, a process "sh" (pid 1) with an mm of two VMAs (its executable
/bin/sh from a file, and its stack) and a command line, and a kernel thread (pid 2).
Usage: lxwalk-seeds.py DIR (writes DIR/tree and DIR/list)."""
import os
import struct
import sys

KBASE = 0xffff888000000000
MT_LEAF_64 = 1


def image(vma_list):
    m = bytearray(0x4000)

    def put(off, fmt, *v):
        struct.pack_into("<" + fmt, m, off, *v)

    def task(off, pid, parent, comm, mm, flags, nxt, prv):
        put(off + 0x10, "QQ", KBASE + nxt + 0x10, KBASE + prv + 0x10)   # tasks
        put(off + 0x20, "II", pid, pid)                                 # pid, tgid
        put(off + 0x28, "QQ", KBASE + parent, KBASE + off)              # real_parent, group_leader
        m[off + 0x38:off + 0x38 + len(comm)] = comm                     # comm
        put(off + 0x48, "IIIxxxx", 1, 0, flags)                         # state, exit_state, flags
        put(off + 0x58, "QQ", KBASE + mm if mm else 0, KBASE + 0x1800)  # mm, cred
        put(off + 0x70, "QQ", KBASE + off + 0x70, KBASE + off + 0x70)   # thread_group: alone

    task(0x000, 0, 0x000, b"swapper/0", 0, 0x200000, 0x200, 0x400)
    task(0x200, 1, 0x000, b"sh", 0x1000, 0, 0x400, 0x000)
    task(0x400, 2, 0x000, b"kthreadd", 0, 0x200000, 0x000, 0x200)
    # the mm: the tree's root or the list's head, the command line, the stack's start
    vma1, vma2 = 0x2400, 0x2480
    if vma_list:
        put(0x1010, "Q", KBASE + vma1)
    else:
        put(0x1010, "Q", KBASE + 0x2000 | MT_LEAF_64 << 3 | 2)
    put(0x1000, "Q", KBASE + 0x3800)                                # pgd
    put(0x1018, "QQQQQ", 0x3000, 0x3000 + 8, 0x3010, 0x3010 + 4,    # arg_*, env_*
        KBASE + 0x2800)                                             # exe_file
    put(0x1050, "Q", 0x7ffffffde100)                                # start_stack
    m[0x3000:0x3008] = b"sh\0-c\0x\0"
    m[0x3010:0x3014] = b"A=1\0"
    # a maple leaf: two VMAs, the rest empty (its end in the metadata byte)
    put(0x2000 + 8, "QQ", 0x401fff, 0x7ffffffff000)
    put(0x2000 + 128, "QQ", KBASE + vma1, KBASE + vma2)
    m[0x2000 + 248] = 1
    # the VMAs: start, end, flags, pgoff, file, next
    put(vma1, "QQQQQQ", 0x400000, 0x402000, 0x5, 0, KBASE + 0x2800, KBASE + vma2 if vma_list else 0)
    put(vma2, "QQQQQQ", 0x7ffffffde000, 0x7ffffffff000, 0x3, 0, 0, 0)
    # /bin/sh: file -> dentry "sh" -> dentry "bin" -> the root, in one mount
    root, dbin, dsh, mnt = 0x2a80, 0x2a40, 0x2a00, 0x2900
    put(0x2800, "QQ", KBASE + mnt + 0x10, KBASE + dsh)              # f_path.mnt, f_path.dentry
    put(mnt, "QQQ", KBASE + mnt, KBASE + root, KBASE + root)        # parent, mountpoint, mnt.mnt_root
    for d, parent, name, off in ((dsh, dbin, b"sh", 0x2b00), (dbin, root, b"bin", 0x2b10), (root, root, b"/", 0x2b20)):
        put(d, "QIxxxxQ", KBASE + parent, len(name), KBASE + off)
        m[off:off + len(name)] = name
    return bytes([1 if vma_list else 0]) + bytes(m)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, vma_list in (("tree", False), ("list", True)):
        with open(os.path.join(out, name), "wb") as f:
            f.write(image(vma_list))


if __name__ == "__main__":
    main()
