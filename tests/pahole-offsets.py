#!/usr/bin/python3
# pahole-offsets.py BTF OURS: check every "BTF size of TYPE: N" and "BTF offset of
# TYPE.A.B: OFF (SIZE bytes)" line in OURS (the linux layer's `mf-attach -vv` log) against
# what `pahole -F btf -C TYPE BTF` prints of the same blob: struct sizes, and member offsets
# summed along the path (A in TYPE, then B in A's type).  Prints each disagreement; exit 1
# when there is one (or nothing was checked).
import re
import subprocess
import sys

btf, ours_path = sys.argv[1], sys.argv[2]
cache = {}
# a member line: TYPE NAME[N]...; /* OFFSET SIZE */ (bitfields: OFFSET:BIT)
MEMBER = re.compile(r"^\s+(.*?)\s*\b(\w+)((?:\[\d+\])*)(?::\s*\d+)?;\s*/\*\s*(\d+)(?::\s*\d+)?\s+(\d+)\s*\*/")
SIZE = re.compile(r"/\* size: (\d+),")


def pahole(name):
    """Members (name -> (offset, size, type)) and size of struct/union NAME."""
    if name not in cache:
        out = subprocess.run(["pahole", "-F", "btf", "-C", name, btf], capture_output=True, text=True).stdout
        members, size = {}, None
        for line in out.splitlines():
            m = MEMBER.match(line)
            if m and m.group(2) not in members:
                members[m.group(2)] = (int(m.group(4)), int(m.group(5)), m.group(1).strip())
            s = SIZE.search(line)
            if s:
                size = int(s.group(1))
        cache[name] = (members, size)
    return cache[name]


def member_type(t):
    """The struct, union or typedef name a member's type string names, or None (pointers)."""
    if "*" in t:
        return None
    return re.sub(r"^(const |volatile )*(struct |union )?", "", t).strip()


bad, checked = [], 0
for line in open(ours_path):
    m = re.search(r"BTF size of (\w+): (\d+)$", line)
    if m:
        checked += 1
        got = pahole(m.group(1))[1]
        if got != int(m.group(2)):
            bad.append("size of %s: ours %s, pahole %s" % (m.group(1), m.group(2), got))
        continue
    m = re.search(r"BTF offset of (\w+)\.([\w.]+): (\d+) \((\d+) bytes\)$", line)
    if not m:
        continue
    checked += 1
    ty, path, off, size = m.group(1), m.group(2).split("."), int(m.group(3)), int(m.group(4))
    total, cur, msize = 0, ty, None
    for seg in path:
        members = pahole(cur)[0] if cur else {}
        if seg not in members:
            bad.append("%s.%s: pahole has no member %s in %s" % (ty, m.group(2), seg, cur))
            total = None
            break
        o, msize, t = members[seg]
        total += o
        cur = member_type(t)
    if total is not None and (total, msize) != (off, size):
        bad.append("%s.%s: ours %d (%d bytes), pahole %d (%s bytes)" % (ty, m.group(2), off, size, total, msize))
if checked < 20:
    bad.append("only %d offsets and sizes checked" % checked)
print("\n".join(bad))
sys.exit(1 if bad else 0)
