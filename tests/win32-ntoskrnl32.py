#!/usr/bin/python3
"""win32-ntoskrnl32.py: the path of Wine's 32-bit ntoskrnl.exe (package libwine:i386,
/usr/lib/i386-linux-gnu/wine/i386-windows/ntoskrnl.exe), for tests/win32-x86.bats.

libwine:i386 cannot be installed next to the 64-bit Wine here, so its .deb is downloaded
with apt-get download (the i386 architecture is added by scripts/install-deps), as
tests/guest/mkguest downloads kernel packages: into CACHE/debs, CACHE being
$MF_GUEST_CACHE, else $MF_TOP_BUILDDIR/tests/guest/cache; the file is extracted to
CACHE/wine-i386/.  An installed copy is used as it is.  Exit status 77 (skip) with the
reason on stderr when the package cannot be had, 1 on other errors."""
import fcntl
import glob
import os
import subprocess
import sys

MEMBER = "usr/lib/i386-linux-gnu/wine/i386-windows/ntoskrnl.exe"


def skip(why):
    print("win32-ntoskrnl32: skip: " + why, file=sys.stderr)
    sys.exit(77)


def candidate():
    try:
        out = subprocess.run(["apt-cache", "policy", "libwine:i386"], capture_output=True, text=True).stdout
    except OSError:
        return None
    for line in out.splitlines():
        k = line.split()
        if len(k) == 2 and k[0] == "Candidate:" and k[1] != "(none)":
            return k[1]
    return None


def main():
    if os.access("/" + MEMBER, os.R_OK):
        print("/" + MEMBER)
        return
    cache = os.environ.get("MF_GUEST_CACHE") or os.path.join(os.environ.get("MF_TOP_BUILDDIR", "."), "tests", "guest",
                                                                "cache")
    debs, out = os.path.join(cache, "debs"), os.path.join(cache, "wine-i386")
    os.makedirs(debs, exist_ok=True)
    os.makedirs(out, exist_ok=True)
    exe = os.path.join(out, "ntoskrnl.exe")
    with open(os.path.join(out, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)   # one fetch at a time per cache
        if os.path.exists(exe):
            print(exe)
            return
        have = sorted(glob.glob(os.path.join(debs, "libwine_*_i386.deb")))
        if not have:
            cand = candidate()
            if cand is None:
                skip("apt-cache has no candidate for libwine:i386 (is the i386 architecture added and apt-get update run?"
                     " scripts/install-deps does both) and none is cached in " + debs)
            r = subprocess.run(["apt-get", "download", "-q", "libwine:i386=" + cand], cwd=debs, capture_output=True,
                               text=True)
            have = sorted(glob.glob(os.path.join(debs, "libwine_*_i386.deb")))
            if r.returncode != 0 or not have:
                err = [l for l in (r.stderr + r.stdout).splitlines() if l.startswith("E:")]
                skip("apt-get download libwine:i386=%s failed: %s" % (cand, err[0] if err else "exit %d" % r.returncode))
        tmp = exe + ".tmp"
        with open(tmp, "wb") as f:
            deb = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", have[-1]], stdout=subprocess.PIPE)
            tar = subprocess.run(["tar", "-xO", "./" + MEMBER], stdin=deb.stdout, stdout=f)
            deb.stdout.close()
            if deb.wait() != 0 or tar.returncode != 0 or f.tell() == 0:
                os.unlink(tmp)
                print("win32-ntoskrnl32: cannot extract %s from %s" % (MEMBER, have[-1]), file=sys.stderr)
                sys.exit(1)
        os.rename(tmp, exe)
        print(exe)


main()
