#!/usr/bin/python3
"""win32-mkimage.py OUT VARIANT NTOSKRNL [OFFSETS]: a raw physical memory image of a Windows
kernel, for tests/win32.bats (x64) and tests/win32-x86.bats (x86, PAE).  Wine's real
ntoskrnl.exe (its x86_64 build, or for x86- and pae- variants its i386 one) is mapped
(headers and sections at their RVAs, as the loader maps it) at a kernel address through
4-level page tables (x64), 2-level ones (x86: a page directory that maps itself at PDE
0x300) or 3-level ones (PAE: a PDPT at a 32-byte aligned address that is no page, its last
directory mapping the four at entries 0-3), with KUSER_SHARED_DATA, an active process list
and a loaded module list at the offsets of the table OFFSETS (default
os/win32/offsets/x86_64-19041.offsets, or x86-18363.offsets for x86 and PAE; read from the
file, not repeated here).

VARIANT: full (default: a processor start block in low memory and a self-referencing
PML4), selfref (no start block: only the self-map finds the root), cyclic (the last
process links back to the second), wild (the third process's link points into unmapped
kernel memory), lyingpe (ntoskrnl's export directory claims 4 GiB), rsds (full, and
ntoskrnl gets a debug directory with a CodeView record naming ntkrnlmp.pdb, which Wine's
build lacks), crashdump (no start block, no self-map entry: a Windows full crash dump,
PAGEDU64 DumpType 1, whose header gives DirectoryTableBase, PsActiveProcessHead and
PsLoadedModuleList, as KeBugCheck writes them).  x86-VARIANT and pae-VARIANT: the same
for an x86 or PAE kernel (full: the self-map, no start block (x64 only); selfref: the
same; cyclic, wild, crashdump: a PAGEDUMP full dump with PaeEnabled 0 or 1); the WoW64
process is an x86 kernel's plain process (there is no WoW64 on x86).

Prints what a reader must find: "dtb 0x..", "kernel 0x..", "selfmap 0x.." (the table
page the self-map entry is in), then one line per process
"process PID PPID NAME" in list order (each followed by "ptime PID CREATE_NS EXIT_NS
STATUS": its times as nanoseconds since 1970, 0 and "-" when running, and "thread PID TID
KTHREAD_STATE [DESCRIPTION]" per thread when the table has the thread members; the cyclic
variant's explorer.exe thread list loops back to its second thread), one per kernel
module "module BASE SIZE NAME" and
one per module of a loader list "umodule PID BASE SIZE NAME PATH ARCH" (explorer.exe's,
and the 32-bit list of the WoW64 process 5120), one per node of explorer.exe's VAD tree
"map PID START END PERMS PATH" (the cyclic variant's tree loops back to its root), and
"run VA PA LEN" for each run of pages the kernel's tables map, merged as a page map
merges them (contiguous VA and PA, the same flags)."""
import os
import struct
import sys

SIZE = 16 << 20
PFN = 0x000FFFFFFFFFF000
P, RW, US, A, D, PS = 1, 2, 4, 0x20, 0x40, 0x80
NX = 1 << 63
BUILD = 19041
HEAD_RVA, MODLIST_RVA = 0x38500, 0x38540   # free bytes in Wine's .bss (both builds)
WOW64_PID = 5120
WOW64_MODS = [("app32.exe", r"C:\Program Files (x86)\App\app32.exe", 0x00400000, 0x52000),
              ("ntdll.dll", r"C:\Windows\SysWOW64\ntdll.dll", 0x77A40000, 0x1A4000)]


class Arch:
    """Where things are, and how page tables and pointers look, for one architecture."""

    def __init__(self, name):
        self.name = name
        self.is64 = name == "x86_64"
        self.ptr = 8 if self.is64 else 4
        self.pfmt = "<Q" if self.is64 else "<I"
        self.usfmt = "<HHxxxxQ" if self.is64 else "<HHI"   # UNICODE_STRING
        self.ussize = 16 if self.is64 else 8
        if self.is64:
            self.kbase, self.ksd_va = 0xFFFFF80312400000, 0xFFFFF78000000000
            self.pool_va = 0xFFFFA00000000000
            self.mods = [("hal.dll", r"\SystemRoot\system32\hal.dll", 0xFFFFF80312200000, 0xA6000),
                         ("ACPI.sys", r"\SystemRoot\System32\drivers\ACPI.sys", 0xFFFFF80314A00000, 0xD2000)]
            self.umods = [("explorer.exe", r"C:\Windows\Explorer.EXE", 0x7FF6A0000000, 0x3D5000),
                          ("ntdll.dll", r"C:\Windows\SYSTEM32\ntdll.dll", 0x7FFB5E7D0000, 0x1F8000)]
            self.root = 0x100000
        else:
            self.kbase, self.ksd_va, self.pool_va = 0x82400000, 0xFFDF0000, 0x84000000
            self.mods = [("hal.dll", r"\SystemRoot\system32\hal.dll", 0x82300000, 0x3D000),
                         ("ACPI.sys", r"\SystemRoot\System32\drivers\ACPI.sys", 0x8A200000, 0x72000)]
            self.umods = [("explorer.exe", r"C:\Windows\Explorer.EXE", 0x00C20000, 0x3A2000),
                          ("ntdll.dll", r"C:\Windows\SYSTEM32\ntdll.dll", 0x77A40000, 0x1A4000)]
            # PAE: the PDPT 32-byte aligned inside a page of its own, as Windows allocates them
            self.root = 0x100000 if name == "x86" else 0xF00E0
        # the user pages of explorer.exe's PEB and parameters, its VAD tree (start, end
        # exclusive, MM protection, private, file); in address order, the root the second
        # (the image), the PEB's pages to its left, ntdll to its right
        self.peb, self.params = 0x7FFDE000, 0x7FFDF000
        self.vads = [(0x7FFDE000, 0x7FFE0000, 4, 1, None) if self.is64 else (0x00A00000, 0x00A10000, 4, 1, None),
                     (self.umods[0][2], self.umods[0][2] + self.umods[0][3], 7, 0, r"\Windows\explorer.exe"),
                     (self.umods[1][2], self.umods[1][2] + self.umods[1][3], 7, 0, r"\Windows\System32\ntdll.dll")]


arch = None
mem = bytearray(SIZE)
next_table = [0x101000]
KPA = 0x400000
KSD_PA = 0x300000
POOL_PA, POOL_PAGES = 0x800000, 256
SELFREF = 0x1ED


def u64(pa, v):
    struct.pack_into("<Q", mem, pa, v)


def u32(pa, v):
    struct.pack_into("<I", mem, pa, v)


def uptr(pa, v):
    struct.pack_into(arch.pfmt, mem, pa, v)


def rd(pa, n):
    return struct.unpack_from("<Q" if n == 8 else "<I", mem, pa)[0]


def new_table():
    pa = next_table[0]
    next_table[0] += 0x1000
    return pa


def levels():
    """(shift, bits, entry size) of each level, top first."""
    if arch.name == "x86_64":
        return [(39, 9, 8), (30, 9, 8), (21, 9, 8), (12, 9, 8)]
    if arch.name == "x86-pae":
        return [(30, 2, 8), (21, 9, 8), (12, 9, 8)]
    return [(22, 10, 4), (12, 10, 4)]


def new_root():
    """The kernel's top-level table (PAE: a PDPT and its four directories)."""
    root = arch.root
    if arch.name != "x86-pae":
        return root
    pds = [new_table() for _ in range(4)]
    for i, pd in enumerate(pds):
        u64(root + 8 * i, pd | P)
    return root


def pae_selfmap(root):
    """The last directory maps the four (the PTEs at 0xc0000000, the PDEs at 0xc0600000)."""
    pd3 = rd(root + 24, 8) & PFN
    for i in range(4):
        u64(pd3 + 8 * i, (rd(root + 8 * i, 8) & PFN) | P | RW | A | D)
    return pd3


def map_page(root, va, pa, nx=False, user=False):
    """Map one 4 KiB page, creating the tables on the way."""
    t = root
    lv = levels()
    for k, (shift, bits, es) in enumerate(lv[:-1]):
        i = (va >> shift) & ((1 << bits) - 1)
        e = rd(t + es * i, es)
        if not e & P:
            e = new_table() | P | RW | A | (US if user else 0)
            struct.pack_into("<Q" if es == 8 else "<I", mem, t + es * i, e)
        elif user and k > 0 or (user and arch.name != "x86-pae"):
            struct.pack_into("<Q" if es == 8 else "<I", mem, t + es * i, e | US)
        t = e & (PFN if es == 8 else 0xFFFFF000)
    shift, bits, es = lv[-1]
    v = pa | P | RW | A | D | (US if user else 0) | (NX if nx and es == 8 else 0)
    struct.pack_into("<Q" if es == 8 else "<I", mem, t + es * ((va >> 12) & ((1 << bits) - 1)), v)


def page_runs(root, lo, hi):
    """The page map of [lo, hi) as libmf's translator merges it (VA and PA contiguous, the
    same page size, W/X/U at every level and the leaf's A/D), an oracle of our own."""
    lv = levels()
    runs = []

    def walk(t, level, va0, w, x, u):
        shift, bits, es = lv[level]
        for i in range(1 << bits):
            va = va0 | i << shift
            if arch.is64 and va >> 47:
                va |= 0xFFFF000000000000
            span = 1 << shift
            if va + span <= lo or va >= hi:
                continue
            e = rd(t + es * i, es)
            if not e & P:
                continue
            top_pae = arch.name == "x86-pae" and level == 0
            ww = w and (top_pae or bool(e & RW))
            xx = x and not (es == 8 and e & NX)
            uu = u and (top_pae or bool(e & US))
            nxt = e & (PFN if es == 8 else 0xFFFFF000)
            leaf = level == len(lv) - 1 or (level > 0 and e & PS)
            if not leaf:
                walk(nxt, level + 1, va0 | i << shift, ww, xx, uu)
                continue
            pa = e & (PFN if es == 8 else 0xFFFFF000) & ~(span - 1)
            fl = (ww, xx, uu, bool(e & A), bool(e & D), span)
            if runs and runs[-1][0] + runs[-1][2] == va and runs[-1][1] + runs[-1][2] == pa and runs[-1][3] == fl:
                runs[-1][2] += span
            else:
                runs.append([va, pa, span, fl])
    walk(root, 0, 0, True, True, True)
    return runs


def offsets(path):
    off = {}
    with open(path) as f:
        for line in f:
            k = line.split()
            if len(k) == 2 and "." in k[0]:
                # a bitfield is BITPOS:BITS
                off[k[0]] = tuple(int(x, 0) for x in k[1].split(":")) if ":" in k[1] else int(k[1], 0)
    return off


def pe_load(path):
    """The image as the loader maps it, its exports by name (RVA), and the offset of its
    data directories (PE32 or PE32+)."""
    raw = open(path, "rb").read()
    pe = struct.unpack_from("<I", raw, 0x3C)[0]
    nsec = struct.unpack_from("<H", raw, pe + 6)[0]
    optsz = struct.unpack_from("<H", raw, pe + 20)[0]
    opt = pe + 24
    ddir = opt + (112 if struct.unpack_from("<H", raw, opt)[0] == 0x20B else 96)
    size_image = struct.unpack_from("<I", raw, opt + 56)[0]
    size_headers = struct.unpack_from("<I", raw, opt + 60)[0]
    img = bytearray(size_image)
    img[:size_headers] = raw[:size_headers]
    for s in range(nsec):
        sh = opt + optsz + 40 * s
        vsize, rva, rawsize, rawoff = struct.unpack_from("<IIII", raw, sh + 8)
        n = min(rawsize, vsize) if vsize else rawsize
        img[rva:rva + n] = raw[rawoff:rawoff + n]
    erva = struct.unpack_from("<I", img, ddir)[0]
    nfun, nnames, afun, anames, aords = struct.unpack_from("<IIIII", img, erva + 20)
    exports = {}
    for i in range(nnames):
        nrva = struct.unpack_from("<I", img, anames + 4 * i)[0]
        name = bytes(img[nrva:img.index(0, nrva)]).decode()
        ordi = struct.unpack_from("<H", img, aords + 2 * i)[0]
        exports[name] = struct.unpack_from("<I", img, afun + 4 * ordi)[0]
    return img, exports, opt, ddir


class Pool:
    """Kernel pool: objects carved from mapped pages, by VA."""

    def __init__(self):
        self.next = arch.pool_va

    def alloc(self, n, align=16):
        self.next = (self.next + align - 1) & ~(align - 1)
        va = self.next
        self.next += n
        assert self.next <= arch.pool_va + POOL_PAGES * 4096
        return va

    def pa(self, va):
        return POOL_PA + (va - arch.pool_va)

    def ustring(self, s):
        """A UNICODE_STRING and its buffer; returns the string's VA."""
        b = s.encode("utf-16-le")
        buf = self.alloc(len(b) + 2)
        mem[self.pa(buf):self.pa(buf) + len(b)] = b
        us = self.alloc(16)
        struct.pack_into(arch.usfmt, mem, self.pa(us), len(b), len(b) + 2, buf)
        return us


def ustring_at(pa_of, va, s, bufva):
    """Fill a UNICODE_STRING at va whose buffer is at bufva (user memory of one process)."""
    b = s.encode("utf-16-le")
    struct.pack_into(arch.usfmt, mem, pa_of(va), len(b), len(b) + 2, bufva)
    mem[pa_of(bufva):pa_of(bufva) + len(b)] = b


# The loader's LDR_DATA_TABLE_ENTRY layouts (the public ones pluginlib/peb.c reads):
# pointer format, DllBase, SizeOfImage, FullDllName, BaseDllName, UNICODE_STRING format,
# the entries' stride
LDR = {64: ("<Q", 0x30, 0x40, 0x48, 0x58, "<HHxxxxQ", 0x100),
       32: ("<I", 0x18, 0x20, 0x24, 0x2C, "<HHI", 0x80)}
# PEB: ImageBaseAddress, Ldr, ProcessParameters; PEB_LDR_DATA's load-order list;
# RTL_USER_PROCESS_PARAMETERS' ImagePathName and CommandLine
PEB = {64: (0x10, 0x18, 0x20, 0x10, 0x60, 0x70), 32: (0x08, 0x0C, 0x10, 0x0C, 0x38, 0x40)}


def loader_list(pa_of, head, first, strings, mods, bits):
    """A load-order list at head: one entry per module from first, names at strings."""
    ptr, o_base, o_size, o_full, o_name, us, stride = LDR[bits]
    ents = []
    for k, (mname, mpath, mbase, msize) in enumerate(mods):
        le = first + stride * k
        ents.append(le)
        struct.pack_into(ptr, mem, pa_of(le + o_base), mbase)
        u32(pa_of(le + o_size), msize)
        for so, text, bo in ((o_full, mpath, 0x100 * k), (o_name, mname, 0x100 * k + 0xC0)):
            b = text.encode("utf-16-le")
            struct.pack_into(us, mem, pa_of(le + so), len(b), len(b) + 2, strings + bo)
            mem[pa_of(strings + bo):pa_of(strings + bo) + len(b)] = b
    chain = [head] + ents
    for k, e in enumerate(chain):
        struct.pack_into(ptr[0] + ptr[1] * 2, mem, pa_of(e), chain[(k + 1) % len(chain)], chain[k - 1])


PERMS = ["---", "r--", "--x", "r-x", "rw-", "rw-", "rwx", "rwx"]


def vad_tree(pool, off, ep_pa, variant):
    nodes = []
    for start, end, prot, private, path in arch.vads:
        v = pool.alloc(0x80, 16)
        nodes.append(v)
        pa = pool.pa(v)
        sv, ev = start >> 12, (end >> 12) - 1
        u32(pa + off["_MMVAD_SHORT.StartingVpn"], sv & 0xFFFFFFFF)
        u32(pa + off["_MMVAD_SHORT.EndingVpn"], ev & 0xFFFFFFFF)
        if arch.is64:
            mem[pa + off["_MMVAD_SHORT.StartingVpnHigh"]] = sv >> 32
            mem[pa + off["_MMVAD_SHORT.EndingVpnHigh"]] = ev >> 32
        ppos, pbits = off["_MMVAD_FLAGS.Protection"]
        xpos, _ = off["_MMVAD_FLAGS.PrivateMemory"]
        u32(pa + off["_MMVAD_SHORT.u"], prot << ppos | private << xpos | 2 << 4)   # VadType 2 (image)
        if path is not None:
            # Subsection -> ControlArea -> FilePointer (an _EX_FAST_REF: low bits a count) -> FileName
            fo = pool.alloc(0xD8, 16)
            us = pool.ustring(path)
            fn = pool.pa(fo) + off["_FILE_OBJECT.FileName"]
            mem[fn:fn + arch.ussize] = mem[pool.pa(us):pool.pa(us) + arch.ussize]
            ca = pool.alloc(0x80, 16)
            uptr(pool.pa(ca) + off["_CONTROL_AREA.FilePointer"], fo | (0x5 if arch.is64 else 0x3))
            sub = pool.alloc(0x40, 16)
            uptr(pool.pa(sub) + off["_SUBSECTION.ControlArea"], ca)
            uptr(pa + off["_MMVAD.Subsection"], sub)
    root, left, right = nodes[1], nodes[0], nodes[2]
    if not arch.is64:
        root, left = nodes[1], nodes[0]
    uptr(pool.pa(root) + off["_RTL_BALANCED_NODE.Left"], left)
    uptr(pool.pa(root) + off["_RTL_BALANCED_NODE.Right"], right)
    if variant == "cyclic":
        uptr(pool.pa(right) + off["_RTL_BALANCED_NODE.Right"], root)   # a tree with a loop
    uptr(ep_pa + off["_EPROCESS.VadRoot"], root)


# FILETIMEs: 100 ns units since 1601-01-01; 1970-01-01 is 116444736000000000
FT_EPOCH = 116444736000000000
BOOT = 1748764800   # 2025-06-01T08:00:00Z
EXITED_PID = 356    # smss.exe's session instance: exited, its EPROCESS still referenced
STATUS_PENDING, EXIT_STATUS = 0x103, 0xC000013A


def ptimes(n, pid):
    """Create time, exit time (0: running) and ExitStatus of the n-th process."""
    ct = FT_EPOCH + (BOOT + 7 * n) * 10 ** 7 + 1234567 * n
    if pid == EXITED_PID:
        return ct, ct + 42 * 10 ** 7 + 89, EXIT_STATUS
    return ct, 0, STATUS_PENDING


# threads: (tid, KTHREAD_STATE, description or None) per process
THREADS = {4: [(8, 2, None), (12, 5, None)],
           2044: [(2048, 5, "explorer main"), (2052, 1, None), (3104, 6, "worker")],
           5120: [(5124, 4, None)]}


THREAD_KEYS = ("_EPROCESS.ThreadListHead", "_ETHREAD.ThreadListEntry", "_ETHREAD.Cid.UniqueThread", "_KTHREAD.State",
               "_ETHREAD.ThreadName")


def has_threads(off):
    """Does the table have the thread members (a layout without them has no threads)?"""
    return all(k in off for k in THREAD_KEYS)


def thread_list(pool, off, head_pa, head_va, threads, variant):
    """ETHREADs linked at the process's ThreadListHead."""
    links = []
    for tid, state, name in threads:
        et = pool.alloc(0x898, 64)
        pa = pool.pa(et)
        uptr(pa + off["_ETHREAD.Cid.UniqueThread"], tid)
        mem[pa + off["_KTHREAD.State"]] = state
        if name is not None:
            uptr(pa + off["_ETHREAD.ThreadName"], pool.ustring(name))
        links.append(et + off["_ETHREAD.ThreadListEntry"])
    chain = [head_va] + links
    for k, e in enumerate(chain):
        pa = head_pa if k == 0 else pool.pa(e)
        uptr(pa, chain[(k + 1) % len(chain)])
        uptr(pa + arch.ptr, chain[k - 1])
    if variant == "cyclic" and len(links) > 2:
        uptr(pool.pa(links[-1]), links[1])   # the last thread leads back to the second


def crash_header(kernel_root, mhead, head):
    """A full crash dump's header (64-bit PAGEDU64 or 32-bit PAGEDUMP): unused fields hold
    "PAGE"; one run of every page from 0."""
    if arch.is64:
        h = bytearray(b"PAGE" * (0x2000 // 4))
        h[0:8] = b"PAGEDU64"
        struct.pack_into("<II", h, 0x8, 10, BUILD)                 # MajorVersion, MinorVersion
        struct.pack_into("<QQQQ", h, 0x10, kernel_root, 0, mhead, head)   # DirectoryTableBase .. PsActiveProcessHead
        struct.pack_into("<IIi", h, 0x30, 0x8664, 1, 0xE2)         # machine, processors, bugcheck
        struct.pack_into("<IIQQQ", h, 0x88, 1, 0, SIZE // 4096, 0, SIZE // 4096)
        struct.pack_into("<I", h, 0xF98, 1)                        # DumpType: full
        return h
    h = bytearray(b"PAGE" * (0x1000 // 4))
    h[0:8] = b"PAGEDUMP"
    struct.pack_into("<II", h, 0x8, 15, BUILD)
    struct.pack_into("<IIII", h, 0x10, kernel_root, 0, mhead, head)   # DirectoryTableBase .. PsActiveProcessHead
    struct.pack_into("<IIi", h, 0x20, 0x14C, 1, 0xE2)               # machine, processors, bugcheck
    h[0x5C] = 1 if arch.name == "x86-pae" else 0                    # PaeEnabled
    struct.pack_into("<IIII", h, 0x64, 1, SIZE // 4096, 0, SIZE // 4096)
    struct.pack_into("<I", h, 0xF88, 1)                             # DumpType: full
    return h


def main():
    global arch
    out, variant, ntos = sys.argv[1:4]
    name = "x86_64"
    for prefix, a in (("x86-", "x86"), ("pae-", "x86-pae")):
        if variant.startswith(prefix):
            name, variant = a, variant[len(prefix):]
    arch = Arch(name)
    global BUILD
    BUILD = 19041 if arch.is64 else 18363   # the builds of the installed tables
    here = os.path.dirname(os.path.abspath(__file__))
    off = offsets(sys.argv[4] if len(sys.argv) > 4 else
                  os.path.join(here, "..", "os", "win32", "offsets",
                               "x86_64-19041.offsets" if arch.is64 else "x86-18363.offsets"))
    img, exports, opt, ddir = pe_load(ntos)
    kbase = arch.kbase
    for rva in exports.values():
        assert not (HEAD_RVA <= rva < MODLIST_RVA + 16), "an export in the list heads' bytes"

    # the kernel: its page tables, the self-map entry, the image, KUSER_SHARED_DATA, pool
    kroot = new_root()
    selfmap = kroot
    if variant != "crashdump":
        if arch.name == "x86_64":
            u64(kroot + 8 * SELFREF, kroot | P | RW | A | D | NX)
        elif arch.name == "x86":
            u32(kroot + 4 * 0x300, kroot | P | RW | A | D)
        else:
            selfmap = pae_selfmap(kroot)
    for i in range(0, len(img), 4096):
        map_page(kroot, kbase + i, KPA + i)
    if variant == "lyingpe":
        struct.pack_into("<I", img, ddir + 4, 0xFFFFFFF0)   # export directory size
    if variant == "rsds":
        # IMAGE_DEBUG_DIRECTORY (type 2, CodeView) at RVA 0x800, its RSDS record at 0x840
        rsds = b"RSDS" + bytes(range(0x10, 0x20)) + struct.pack("<I", 3) + b"ntkrnlmp.pdb\0"
        struct.pack_into("<IIHHIIII", img, 0x800, 0, 0, 0, 0, 2, len(rsds), 0x840, 0)
        img[0x840:0x840 + len(rsds)] = rsds
        struct.pack_into("<II", img, ddir + 8 * 6, 0x800, 28)
    map_page(kroot, arch.ksd_va, KSD_PA, nx=True)
    for i in range(POOL_PAGES):
        map_page(kroot, arch.pool_va + 4096 * i, POOL_PA + 4096 * i, nx=True)
    u32(KSD_PA + 0x260, BUILD)
    u32(KSD_PA + 0x26C, 10)
    u32(KSD_PA + 0x270, 0)
    struct.pack_into("<I", img, exports["NtBuildNumber"], 0xF0000000 | BUILD)

    pool = Pool()
    head = kbase + HEAD_RVA
    procs = [(4, 0, "System", None, None), (356, 4, "smss.exe", r"\Device\HarddiskVolume3\Windows\System32\smss.exe", None),
             (468, 356, "csrss.exe", r"\Device\HarddiskVolume3\Windows\System32\csrss.exe", None),
             (2044, 1980, "explorer.exe", r"\Device\HarddiskVolume3\Windows\explorer.exe",
              r"C:\Windows\Explorer.EXE /factory,{75dff2b7-6936-4c06-a8bb-676a7b00b24b}"),
             (5120, 2044, "a_very_long_name_app.exe", None, None)]
    eps, roots = [], []
    bits = 64 if arch.is64 else 32
    for n, (pid, ppid, name, path, cmdline) in enumerate(procs):
        ep = pool.alloc(0xA40, 64)
        eps.append(ep)
        pa = pool.pa(ep)
        if pid == 4:
            root = kroot
        elif arch.name == "x86-pae":
            root = 0x200000 + 0x1000 * n + 0x20 * n   # PDPTs are 32-byte aligned
        else:
            root = 0x200000 + 0x1000 * n
        roots.append(root)
        uptr(pa + off["_KPROCESS.DirectoryTableBase"], root)
        uptr(pa + off["_EPROCESS.UniqueProcessId"], pid)
        uptr(pa + off["_EPROCESS.InheritedFromUniqueProcessId"], ppid)
        ct, et, status = ptimes(n, pid)
        u64(pa + off["_EPROCESS.CreateTime"], ct)
        u64(pa + off["_EPROCESS.ExitTime"], et)
        u32(pa + off["_EPROCESS.ExitStatus"], status)
        if has_threads(off):
            thread_list(pool, off, pa + off["_EPROCESS.ThreadListHead"], ep + off["_EPROCESS.ThreadListHead"],
                        THREADS.get(pid, []), variant)
        nb = name.encode()[:15]
        mem[pa + off["_EPROCESS.ImageFileName"]:pa + off["_EPROCESS.ImageFileName"] + len(nb)] = nb
        if path is not None:
            uptr(pa + off["_EPROCESS.SeAuditProcessCreationInfo"], pool.ustring(path))
        if cmdline is not None or (pid == WOW64_PID and arch.is64):
            # its own top-level table: the kernel half shared
            if arch.name == "x86_64":
                for i in range(256, 512):
                    u64(root + 8 * i, rd(kroot + 8 * i, 8))
                if variant != "crashdump":
                    u64(root + 8 * SELFREF, root | P | RW | A | D | NX)
            elif arch.name == "x86":
                for i in range(512, 1024):
                    u32(root + 4 * i, rd(kroot + 4 * i, 4))
                u32(root + 4 * 0x300, root | P | RW | A | D)
            else:
                for i in range(2):
                    u64(root + 8 * i, new_table() | P)
                for i in range(2, 4):
                    u64(root + 8 * i, rd(kroot + 8 * i, 8))
        if pid == WOW64_PID and arch.is64:
            # WoW64: EPROCESS.WoW64Process -> EWOW64PROCESS, whose Peb is the 32-bit PEB
            # (x86 layout: Ldr at 0x0c; PEB_LDR_DATA's load-order list at 0x0c; entries with
            # DllBase 0x18, SizeOfImage 0x20, FullDllName 0x24, BaseDllName 0x2c)
            peb32 = 0x00A2F000
            map_page(root, peb32, 0x702000, nx=True, user=True)

            def pa32(va):
                return 0x702000 + (va - peb32)
            ew = pool.alloc(0x10, 16)
            u64(pool.pa(ew) + off["_EWOW64PROCESS.Peb"], peb32)
            u64(pa + off["_EPROCESS.WoW64Process"], ew)
            ldr32 = peb32 + 0x400
            u32(pa32(peb32 + 0x0C), ldr32)
            loader_list(pa32, ldr32 + 0x0C, peb32 + 0x500, peb32 + 0x800, WOW64_MODS, 32)
        if cmdline is not None:
            # a PEB and its parameters in user space
            peb, params = arch.peb, arch.params
            upa = {peb: 0x700000, params: 0x701000}
            for va, p in upa.items():
                map_page(root, va, p, nx=True, user=True)

            def pa_of(va):
                return upa[va & ~0xFFF] + (va & 0xFFF)
            o_image, o_ldr, o_params, o_list, o_path, o_cmd = PEB[bits]
            struct.pack_into(arch.pfmt, mem, pa_of(peb + o_image), arch.umods[0][2])
            struct.pack_into(arch.pfmt, mem, pa_of(peb + o_params), params)
            # PEB.Ldr: PEB_LDR_DATA at peb + 0x400, its load-order list; the
            # LDR_DATA_TABLE_ENTRYs in the parameters page
            ldr = peb + 0x400
            struct.pack_into(arch.pfmt, mem, pa_of(peb + o_ldr), ldr)
            loader_list(pa_of, ldr + o_list, params + 0x400, params + 0x800, arch.umods, bits)
            ustring_at(pa_of, params + o_path, r"C:\Windows\explorer.exe", params + 0x100)
            vad_tree(pool, off, pa, variant)
            ustring_at(pa_of, params + o_cmd, cmdline, params + 0x200)
            uptr(pa + off["_EPROCESS.Peb"], peb)
    links = [ep + off["_EPROCESS.ActiveProcessLinks"] for ep in eps]
    lfmt = arch.pfmt + arch.pfmt[1]
    chain = [head] + links
    for i, e in enumerate(chain):
        nxt = chain[(i + 1) % len(chain)]
        prv = chain[i - 1]
        if e == head:
            struct.pack_into(lfmt, img, HEAD_RVA, nxt, prv)
        else:
            struct.pack_into(lfmt, mem, pool.pa(e), nxt, prv)
    listed = procs
    if variant == "cyclic":
        uptr(pool.pa(links[-1]), links[1])
    if variant == "wild":
        uptr(pool.pa(links[2]), arch.pool_va + 0x12345000)
        listed = procs[:3]
    struct.pack_into(arch.pfmt, img, exports["PsInitialSystemProcess"], eps[0])

    mods = [("ntoskrnl.exe", r"\SystemRoot\system32\ntoskrnl.exe", kbase, len(img))] + arch.mods
    ents = []
    for name, path, base, size in mods:
        le = pool.alloc(0xA0, 16)
        ents.append(le)
        pa = pool.pa(le)
        uptr(pa + off["_KLDR_DATA_TABLE_ENTRY.DllBase"], base)
        u32(pa + off["_KLDR_DATA_TABLE_ENTRY.SizeOfImage"], size)
        for key, s in (("FullDllName", path), ("BaseDllName", name)):
            us = pool.ustring(s)
            o = pa + off["_KLDR_DATA_TABLE_ENTRY." + key]
            mem[o:o + arch.ussize] = mem[pool.pa(us):pool.pa(us) + arch.ussize]
    mhead = kbase + MODLIST_RVA
    chain = [mhead] + [le + off["_KLDR_DATA_TABLE_ENTRY.InLoadOrderLinks"] for le in ents]
    for i, e in enumerate(chain):
        nxt, prv = chain[(i + 1) % len(chain)], chain[i - 1]
        if e == mhead:
            struct.pack_into(lfmt, img, MODLIST_RVA, nxt, prv)
        else:
            struct.pack_into(lfmt, mem, pool.pa(e), nxt, prv)

    mem[KPA:KPA + len(img)] = img
    if variant not in ("selfref", "crashdump") and arch.is64:
        # PROCESSOR_START_BLOCK: the jmp, the kernel's entry point (+0x70), its CR3 (+0xa0)
        entry = struct.unpack_from("<I", img, opt + 16)[0]
        u64(0x1000, 0x00000001000600E9)
        u64(0x1000 + 0x70, kbase + entry)
        u64(0x1000 + 0xA0, kroot)
    with open(out, "wb") as f:
        if variant == "crashdump":
            f.write(crash_header(kroot, mhead, head))
        f.write(mem)
    print("dtb 0x%x" % kroot)
    print("kernel 0x%x" % kbase)
    print("selfmap 0x%x" % selfmap)
    for n, (pid, ppid, name, path, cmdline) in enumerate(listed):
        print("process %d %d %s" % (pid, ppid, name[:15]))
        ct, et, status = ptimes(n, pid)
        print("ptime %d %d %d %s" % (pid, (ct - FT_EPOCH) * 100, (et - FT_EPOCH) * 100 if et else 0,
                                     "0x%x" % status if et else "-"))
        for tid, state, tname in THREADS.get(pid, []) if has_threads(off) else []:
            print("thread %d %d %d %s" % (pid, tid, state, tname or ""))
    for name, path, base, size in mods:
        print("module 0x%x 0x%x %s" % (base, size, name))
    for name, path, base, size in arch.umods:
        print("umodule 2044 0x%x 0x%x %s %s %s" % (base, size, name, path, arch.name))
    if arch.is64:
        for name, path, base, size in WOW64_MODS:
            print("umodule %d 0x%x 0x%x %s %s x86" % (WOW64_PID, base, size, name, path))
    for start, end, prot, private, path in arch.vads:
        print("map 2044 0x%x 0x%x %s%s %s" % (start, end, PERMS[prot], "p" if private else "s", path or ""))
    lo, hi = (0xFFFF800000000000, 1 << 64) if arch.is64 else (0x80000000, 1 << 32)
    for va, pa, n, fl in page_runs(kroot, lo, hi):
        print("run 0x%x 0x%x 0x%x" % (va, pa, n))


main()
