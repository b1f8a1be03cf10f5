#!/usr/bin/python3
"""win32-mkimage.py OUT VARIANT NTOSKRNL [OFFSETS]: a raw physical memory image of an x64
Windows kernel, for tests/win32.bats.  Wine's real ntoskrnl.exe is mapped (headers and
sections at their RVAs, as the loader maps it) at a kernel address through 4-level page
tables, with KUSER_SHARED_DATA, an active process list and a loaded module list at the
offsets of the table OFFSETS (default os/win32/offsets/x86_64-19041.offsets; read from the
file, not repeated here).

VARIANT: full (default: a processor start block in low memory and a self-referencing
PML4), selfref (no start block: only the self-map finds the root), cyclic (the last
process links back to the second), wild (the third process's link points into unmapped
kernel memory), lyingpe (ntoskrnl's export directory claims 4 GiB), rsds (full, and
ntoskrnl gets a debug directory with a CodeView record naming ntkrnlmp.pdb, which Wine's
build lacks), crashdump (no start block, no self-map entry: a Windows full crash dump,
PAGEDU64 DumpType 1, whose header gives DirectoryTableBase, PsActiveProcessHead and
PsLoadedModuleList, as KeBugCheck writes them).

Prints what a reader must find: "dtb 0x..", "kernel 0x..", then one line per process
"process PID PPID NAME" in list order (each followed by "ptime PID CREATE_NS EXIT_NS
STATUS": its times as nanoseconds since 1970, 0 and "-" when running, and "thread PID TID
KTHREAD_STATE [DESCRIPTION]" per thread; the cyclic variant's explorer.exe thread list
loops back to its second thread), one per kernel module "module BASE SIZE NAME" and
one per module of a loader list "umodule PID BASE SIZE NAME PATH ARCH" (explorer.exe's,
and the 32-bit list of the WoW64 process 5120), one per node of explorer.exe's VAD tree
"map PID START END PERMS PATH" (the cyclic variant's tree loops back to its root)."""
import os
import struct
import sys

SIZE = 16 << 20
PFN = 0x000FFFFFFFFFF000
P, RW, A, D = 1, 2, 0x20, 0x40
NX = 1 << 63
KBASE = 0xFFFFF80312400000
KPA = 0x400000
KSD_VA, KSD_PA = 0xFFFFF78000000000, 0x300000
POOL_VA, POOL_PA, POOL_PAGES = 0xFFFFA00000000000, 0x800000, 256
PML4 = 0x100000
SELFREF = 0x1ED
BUILD = 19041
HEAD_RVA, MODLIST_RVA = 0x38500, 0x38540   # free bytes in Wine's .bss
WOW64_PID = 5120
WOW64_MODS = [("app32.exe", r"C:\Program Files (x86)\App\app32.exe", 0x00400000, 0x52000),
              ("ntdll.dll", r"C:\Windows\SysWOW64\ntdll.dll", 0x77A40000, 0x1A4000)]
UMODS = [("explorer.exe", r"C:\Windows\Explorer.EXE", 0x7FF6A0000000, 0x3D5000),
         ("ntdll.dll", r"C:\Windows\SYSTEM32\ntdll.dll", 0x7FFB5E7D0000, 0x1F8000)]

mem = bytearray(SIZE)
next_table = [PML4 + 0x1000]


def u64(pa, v):
    struct.pack_into("<Q", mem, pa, v)


def u32(pa, v):
    struct.pack_into("<I", mem, pa, v)


def new_table():
    pa = next_table[0]
    next_table[0] += 0x1000
    return pa


def map_page(root, va, pa, nx=False):
    """Map one 4 KiB page, creating the tables on the way."""
    t = root
    for shift in (39, 30, 21):
        i = (va >> shift) & 511
        e = struct.unpack_from("<Q", mem, t + 8 * i)[0]
        if not e & P:
            e = new_table() | P | RW | A
            u64(t + 8 * i, e)
        t = e & PFN
    u64(t + 8 * ((va >> 12) & 511), pa | P | RW | A | D | (NX if nx else 0))


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
    """The image as the loader maps it, and its exports by name (RVA)."""
    raw = open(path, "rb").read()
    pe = struct.unpack_from("<I", raw, 0x3C)[0]
    nsec = struct.unpack_from("<H", raw, pe + 6)[0]
    optsz = struct.unpack_from("<H", raw, pe + 20)[0]
    opt = pe + 24
    size_image = struct.unpack_from("<I", raw, opt + 56)[0]
    size_headers = struct.unpack_from("<I", raw, opt + 60)[0]
    img = bytearray(size_image)
    img[:size_headers] = raw[:size_headers]
    for s in range(nsec):
        sh = opt + optsz + 40 * s
        vsize, rva, rawsize, rawoff = struct.unpack_from("<IIII", raw, sh + 8)
        n = min(rawsize, vsize) if vsize else rawsize
        img[rva:rva + n] = raw[rawoff:rawoff + n]
    erva = struct.unpack_from("<I", img, opt + 112)[0]
    nfun, nnames, afun, anames, aords = struct.unpack_from("<IIIII", img, erva + 20)
    exports = {}
    for i in range(nnames):
        nrva = struct.unpack_from("<I", img, anames + 4 * i)[0]
        name = bytes(img[nrva:img.index(0, nrva)]).decode()
        ordi = struct.unpack_from("<H", img, aords + 2 * i)[0]
        exports[name] = struct.unpack_from("<I", img, afun + 4 * ordi)[0]
    return img, exports, opt


class Pool:
    """Kernel pool: objects carved from mapped pages, by VA."""

    def __init__(self):
        self.next = POOL_VA

    def alloc(self, n, align=16):
        self.next = (self.next + align - 1) & ~(align - 1)
        va = self.next
        self.next += n
        assert self.next <= POOL_VA + POOL_PAGES * 4096
        return va

    def pa(self, va):
        return POOL_PA + (va - POOL_VA)

    def ustring(self, s):
        """A UNICODE_STRING (16 bytes) and its buffer; returns the string's VA."""
        b = s.encode("utf-16-le")
        buf = self.alloc(len(b) + 2)
        mem[self.pa(buf):self.pa(buf) + len(b)] = b
        us = self.alloc(16)
        struct.pack_into("<HHxxxxQ", mem, self.pa(us), len(b), len(b) + 2, buf)
        return us


def ustring_at(pa_of, va, s, bufva):
    """Fill a UNICODE_STRING at va whose buffer is at bufva (user memory of one process)."""
    b = s.encode("utf-16-le")
    struct.pack_into("<HHxxxxQ", mem, pa_of(va), len(b), len(b) + 2, bufva)
    mem[pa_of(bufva):pa_of(bufva) + len(b)] = b


# The loader's LDR_DATA_TABLE_ENTRY layouts (the public ones pluginlib/peb.c reads):
# pointer format, DllBase, SizeOfImage, FullDllName, BaseDllName, UNICODE_STRING format,
# the entries' stride
LDR = {64: ("<Q", 0x30, 0x40, 0x48, 0x58, "<HHxxxxQ", 0x100),
       32: ("<I", 0x18, 0x20, 0x24, 0x2C, "<HHI", 0x80)}


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


# explorer.exe's VAD tree: (start, end exclusive, MM protection, private, file); in address
# order, the root the second (the image), the PEB's pages to its left, ntdll to its right
VADS = [(0x7FFDE000, 0x7FFE0000, 4, 1, None),
        (0x7FF6A0000000, 0x7FF6A03D5000, 7, 0, r"\Windows\explorer.exe"),
        (0x7FFB5E7D0000, 0x7FFB5E9C8000, 7, 0, r"\Windows\System32\ntdll.dll")]
PERMS = ["---", "r--", "--x", "r-x", "rw-", "rw-", "rwx", "rwx"]


def vad_tree(pool, off, ep_pa, variant):
    nodes = []
    for start, end, prot, private, path in VADS:
        v = pool.alloc(0x80, 16)
        nodes.append(v)
        pa = pool.pa(v)
        sv, ev = start >> 12, (end >> 12) - 1
        u32(pa + off["_MMVAD_SHORT.StartingVpn"], sv & 0xFFFFFFFF)
        u32(pa + off["_MMVAD_SHORT.EndingVpn"], ev & 0xFFFFFFFF)
        mem[pa + off["_MMVAD_SHORT.StartingVpnHigh"]] = sv >> 32
        mem[pa + off["_MMVAD_SHORT.EndingVpnHigh"]] = ev >> 32
        ppos, pbits = off["_MMVAD_FLAGS.Protection"]
        xpos, _ = off["_MMVAD_FLAGS.PrivateMemory"]
        u32(pa + off["_MMVAD_SHORT.u"], prot << ppos | private << xpos | 2 << 4)   # VadType 2 (image)
        if path is not None:
            # Subsection -> ControlArea -> FilePointer (an _EX_FAST_REF: low 4 bits a count) -> FileName
            fo = pool.alloc(0xD8, 16)
            us = pool.ustring(path)
            mem[pool.pa(fo) + off["_FILE_OBJECT.FileName"]:pool.pa(fo) + off["_FILE_OBJECT.FileName"] + 16] = \
                mem[pool.pa(us):pool.pa(us) + 16]
            ca = pool.alloc(0x80, 16)
            u64(pool.pa(ca) + off["_CONTROL_AREA.FilePointer"], fo | 0x5)
            sub = pool.alloc(0x40, 16)
            u64(pool.pa(sub) + off["_SUBSECTION.ControlArea"], ca)
            u64(pa + off["_MMVAD.Subsection"], sub)
    root, left, right = nodes[1], nodes[0], nodes[2]
    u64(pool.pa(root) + off["_RTL_BALANCED_NODE.Left"], left)
    u64(pool.pa(root) + off["_RTL_BALANCED_NODE.Right"], right)
    if variant == "cyclic":
        u64(pool.pa(right) + off["_RTL_BALANCED_NODE.Right"], root)   # a tree with a loop
    u64(ep_pa + off["_EPROCESS.VadRoot"], root)


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
        u64(pa + off["_ETHREAD.Cid.UniqueThread"], tid)
        mem[pa + off["_KTHREAD.State"]] = state
        if name is not None:
            u64(pa + off["_ETHREAD.ThreadName"], pool.ustring(name))
        links.append(et + off["_ETHREAD.ThreadListEntry"])
    chain = [head_va] + links
    for k, e in enumerate(chain):
        pa = head_pa if k == 0 else pool.pa(e)
        u64(pa, chain[(k + 1) % len(chain)])
        u64(pa + 8, chain[k - 1])
    if variant == "cyclic" and len(links) > 2:
        u64(pool.pa(links[-1]), links[1])   # the last thread leads back to the second


def main():
    out, variant, ntos = sys.argv[1:4]
    here = os.path.dirname(os.path.abspath(__file__))
    off = offsets(sys.argv[4] if len(sys.argv) > 4 else
                  os.path.join(here, "..", "os", "win32", "offsets", "x86_64-19041.offsets"))
    img, exports, opt = pe_load(ntos)

    # the kernel: its page tables, the self-map entry, the image, KUSER_SHARED_DATA, pool
    if variant != "crashdump":
        u64(PML4 + 8 * SELFREF, PML4 | P | RW | A | D | NX)
    for i in range(0, len(img), 4096):
        map_page(PML4, KBASE + i, KPA + i)
    if variant == "lyingpe":
        struct.pack_into("<I", img, opt + 116, 0xFFFFFFF0)   # export directory size
    if variant == "rsds":
        # IMAGE_DEBUG_DIRECTORY (type 2, CodeView) at RVA 0x800, its RSDS record at 0x840
        rsds = b"RSDS" + bytes(range(0x10, 0x20)) + struct.pack("<I", 3) + b"ntkrnlmp.pdb\0"
        struct.pack_into("<IIHHIIII", img, 0x800, 0, 0, 0, 0, 2, len(rsds), 0x840, 0)
        img[0x840:0x840 + len(rsds)] = rsds
        struct.pack_into("<II", img, opt + 112 + 8 * 6, 0x800, 28)
    map_page(PML4, KSD_VA, KSD_PA, nx=True)
    for i in range(POOL_PAGES):
        map_page(PML4, POOL_VA + 4096 * i, POOL_PA + 4096 * i, nx=True)
    u32(KSD_PA + 0x260, BUILD)
    u32(KSD_PA + 0x26C, 10)
    u32(KSD_PA + 0x270, 0)
    struct.pack_into("<I", img, exports["NtBuildNumber"], 0xF0000000 | BUILD)

    pool = Pool()
    head = KBASE + HEAD_RVA
    procs = [(4, 0, "System", None, None), (356, 4, "smss.exe", r"\Device\HarddiskVolume3\Windows\System32\smss.exe", None),
             (468, 356, "csrss.exe", r"\Device\HarddiskVolume3\Windows\System32\csrss.exe", None),
             (2044, 1980, "explorer.exe", r"\Device\HarddiskVolume3\Windows\explorer.exe",
              r"C:\Windows\Explorer.EXE /factory,{75dff2b7-6936-4c06-a8bb-676a7b00b24b}"),
             (5120, 2044, "a_very_long_name_app.exe", None, None)]
    eps = []
    for n, (pid, ppid, name, path, cmdline) in enumerate(procs):
        ep = pool.alloc(0xA40, 64)
        eps.append(ep)
        pa = pool.pa(ep)
        root = PML4 if pid == 4 else 0x200000 + 0x1000 * n
        u64(pa + off["_KPROCESS.DirectoryTableBase"], root)
        u64(pa + off["_EPROCESS.UniqueProcessId"], pid)
        u64(pa + off["_EPROCESS.InheritedFromUniqueProcessId"], ppid)
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
            u64(pa + off["_EPROCESS.SeAuditProcessCreationInfo"], pool.ustring(path))
        if cmdline is not None or pid == WOW64_PID:
            # its own PML4: the kernel half shared
            for i in range(256, 512):
                u64(root + 8 * i, struct.unpack_from("<Q", mem, PML4 + 8 * i)[0])
            if variant != "crashdump":
                u64(root + 8 * SELFREF, root | P | RW | A | D | NX)
        if pid == WOW64_PID:
            # WoW64: EPROCESS.WoW64Process -> EWOW64PROCESS, whose Peb is the 32-bit PEB
            # (x86 layout: Ldr at 0x0c; PEB_LDR_DATA's load-order list at 0x0c; entries with
            # DllBase 0x18, SizeOfImage 0x20, FullDllName 0x24, BaseDllName 0x2c)
            peb32 = 0x00A2F000
            map_page(root, peb32, 0x702000, nx=True)

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
            peb, params = 0x7FFDE000, 0x7FFDF000
            upa = {peb: 0x700000, params: 0x701000}
            for va, p in upa.items():
                map_page(root, va, p, nx=True)

            def pa_of(va):
                return upa[va & ~0xFFF] + (va & 0xFFF)
            u64(pa_of(peb + 0x10), 0x7FF6A0000000)
            u64(pa_of(peb + 0x20), params)
            # PEB.Ldr: PEB_LDR_DATA at peb + 0x400, its load-order list at +0x10; the
            # LDR_DATA_TABLE_ENTRYs (x64 layout) in the parameters page
            ldr = peb + 0x400
            u64(pa_of(peb + 0x18), ldr)
            loader_list(pa_of, ldr + 0x10, params + 0x400, params + 0x800, UMODS, 64)
            ustring_at(pa_of, params + 0x60, r"C:\Windows\explorer.exe", params + 0x100)
            vad_tree(pool, off, pa, variant)
            ustring_at(pa_of, params + 0x70, cmdline, params + 0x200)
            u64(pa + off["_EPROCESS.Peb"], peb)
    links = [ep + off["_EPROCESS.ActiveProcessLinks"] for ep in eps]
    chain = [head] + links
    for i, e in enumerate(chain):
        nxt = chain[(i + 1) % len(chain)]
        prv = chain[i - 1]
        pa = pool.pa(e) if e != head else KPA + HEAD_RVA
        if e == head:
            struct.pack_into("<QQ", img, HEAD_RVA, nxt, prv)
        else:
            u64(pa, nxt)
            u64(pa + 8, prv)
    listed = procs
    if variant == "cyclic":
        u64(pool.pa(links[-1]), links[1])
    if variant == "wild":
        u64(pool.pa(links[2]), 0xFFFFA00012345000)
        listed = procs[:3]
    struct.pack_into("<Q", img, exports["PsInitialSystemProcess"], eps[0])

    mods = [("ntoskrnl.exe", r"\SystemRoot\system32\ntoskrnl.exe", KBASE, len(img)),
            ("hal.dll", r"\SystemRoot\system32\hal.dll", 0xFFFFF80312200000, 0xA6000),
            ("ACPI.sys", r"\SystemRoot\System32\drivers\ACPI.sys", 0xFFFFF80314A00000, 0xD2000)]
    ents = []
    for name, path, base, size in mods:
        le = pool.alloc(0xA0, 16)
        ents.append(le)
        pa = pool.pa(le)
        u64(pa + off["_KLDR_DATA_TABLE_ENTRY.DllBase"], base)
        u32(pa + off["_KLDR_DATA_TABLE_ENTRY.SizeOfImage"], size)
        for key, s in (("FullDllName", path), ("BaseDllName", name)):
            us = pool.ustring(s)
            mem[pa + off["_KLDR_DATA_TABLE_ENTRY." + key]:pa + off["_KLDR_DATA_TABLE_ENTRY." + key] + 16] = \
                mem[pool.pa(us):pool.pa(us) + 16]
    mhead = KBASE + MODLIST_RVA
    chain = [mhead] + [le + off["_KLDR_DATA_TABLE_ENTRY.InLoadOrderLinks"] for le in ents]
    for i, e in enumerate(chain):
        nxt, prv = chain[(i + 1) % len(chain)], chain[i - 1]
        if e == mhead:
            struct.pack_into("<QQ", img, MODLIST_RVA, nxt, prv)
        else:
            struct.pack_into("<QQ", mem, pool.pa(e), nxt, prv)

    mem[KPA:KPA + len(img)] = img
    if variant not in ("selfref", "crashdump"):
        # PROCESSOR_START_BLOCK: the jmp, the kernel's entry point (+0x70), its CR3 (+0xa0)
        entry = struct.unpack_from("<I", img, opt + 16)[0]
        u64(0x1000, 0x00000001000600E9)
        u64(0x1000 + 0x70, KBASE + entry)
        u64(0x1000 + 0xA0, PML4)
    with open(out, "wb") as f:
        if variant == "crashdump":
            # DUMP_HEADER64: unused fields hold "PAGE"; one run of every page from 0
            h = bytearray(b"PAGE" * (0x2000 // 4))
            h[0:8] = b"PAGEDU64"
            struct.pack_into("<II", h, 0x8, 10, BUILD)                 # MajorVersion, MinorVersion
            struct.pack_into("<QQQQ", h, 0x10, PML4, 0, mhead, head)   # DirectoryTableBase .. PsActiveProcessHead
            struct.pack_into("<IIi", h, 0x30, 0x8664, 1, 0xE2)         # machine, processors, bugcheck
            struct.pack_into("<IIQQQ", h, 0x88, 1, 0, SIZE // 4096, 0, SIZE // 4096)
            struct.pack_into("<I", h, 0xF98, 1)                        # DumpType: full
            f.write(h)
        f.write(mem)
    print("dtb 0x%x" % PML4)
    print("kernel 0x%x" % KBASE)
    for n, (pid, ppid, name, path, cmdline) in enumerate(listed):
        print("process %d %d %s" % (pid, ppid, name[:15]))
        ct, et, status = ptimes(n, pid)
        print("ptime %d %d %d %s" % (pid, (ct - FT_EPOCH) * 100, (et - FT_EPOCH) * 100 if et else 0,
                                     "0x%x" % status if et else "-"))
        for tid, state, tname in THREADS.get(pid, []) if has_threads(off) else []:
            print("thread %d %d %d %s" % (pid, tid, state, tname or ""))
    for name, path, base, size in mods:
        print("module 0x%x 0x%x %s" % (base, size, name))
    for name, path, base, size in UMODS:
        print("umodule 2044 0x%x 0x%x %s %s x86_64" % (base, size, name, path))
    for name, path, base, size in WOW64_MODS:
        print("umodule %d 0x%x 0x%x %s %s x86" % (WOW64_PID, base, size, name, path))
    for start, end, prot, private, path in VADS:
        print("map 2044 0x%x 0x%x %s%s %s" % (start, end, PERMS[prot], "p" if private else "s", path or ""))


main()
