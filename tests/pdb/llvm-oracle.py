#!/usr/bin/env python3
"""The oracle of tests/pdb.bats: what `llvm-pdbutil-14 dump -types -globals -publics
-section-headers` says about a PDB, in the line format the test makes of mf-syms --pdb's
JSON output.

  llvm-oracle.py members DUMP TYPE...   "TYPE NAME OFFSET SIZE BITPOS BITS" per member
                                        ("-" for no bitfield), then "TYPE sizeof N"
  llvm-oracle.py enums DUMP ENUM...     "ENUM NAME VALUE" per enumerator
  llvm-oracle.py symbols DUMP           "SCOPE NAME RVA" (hex) per public, global and
                                        file-static symbol, sorted
"""
import re
import sys

# sizes of the simple types by the names llvm-pdbutil gives them
SIMPLE = {
    "void": 0, "char": 1, "signed char": 1, "unsigned char": 1, "wchar_t": 2, "char16_t": 2,
    "char32_t": 4, "bool": 1, "short": 2, "unsigned short": 2, "long": 4, "unsigned long": 4,
    "int": 4, "unsigned": 4, "__int64": 8, "unsigned __int64": 8, "float": 4, "double": 8,
    "HRESULT": 4,
}


def parse_types(text):
    """type index -> dict(kind=..., lines=[record text lines])"""
    recs, cur = {}, None
    for line in text.splitlines():
        m = re.match(r"\s+0x([0-9A-F]+) \| (LF_\w+) \[size = \d+\](?: `(.*)`)?", line)
        if m:
            cur = {"kind": m.group(2), "name": m.group(3), "lines": []}
            recs[int(m.group(1), 16)] = cur
        elif cur is not None and line.startswith("           "):
            cur["lines"].append(line.strip())
        elif not line.strip() or "Global Symbols" in line:
            if "Global Symbols" in line:
                break
    return recs


def typeref(s):
    """'0x0022 (unsigned long)' or '0x1006' -> (index, name or None)"""
    m = re.match(r"0x([0-9A-F]+)(?: \((.*)\))?", s)
    return int(m.group(1), 16), m.group(2)


def size_of(recs, ti, name=None, depth=0):
    if depth > 32:
        raise SystemExit("type chain too deep at 0x%x" % ti)
    if ti < 0x1000:
        if (ti >> 8) & 7:
            return 8 if (ti >> 8) & 7 == 6 else 4
        return SIMPLE[name]
    r = recs[ti]
    body = " ".join(r["lines"])
    k = r["kind"]
    if k == "LF_POINTER":
        return 8 if "kind = ptr64" in body else 4
    if k == "LF_MODIFIER":
        t, n = typeref(re.search(r"referent = (0x[0-9A-F]+(?: \([^)]*\))?)", body).group(1))
        return size_of(recs, t, n, depth + 1)
    if k == "LF_ARRAY":
        return int(re.search(r"size: (\d+)", body).group(1))
    if k in ("LF_STRUCTURE", "LF_CLASS", "LF_UNION"):
        fwd = re.search(r"forward ref \(-> 0x([0-9A-F]+)\)", body)
        if fwd:
            return size_of(recs, int(fwd.group(1), 16), None, depth + 1)
        return int(re.search(r"sizeof (\d+)", body).group(1))
    if k == "LF_ENUM":
        t, n = typeref(re.search(r"underlying type: (0x[0-9A-F]+(?: \([^)]*\))?)", body).group(1))
        return size_of(recs, t, n, depth + 1)
    if k == "LF_BITFIELD":
        t, n = typeref(re.search(r"type = (0x[0-9A-F]+(?: \([^)]*\))?)", body).group(1))
        return size_of(recs, t, n, depth + 1)
    raise SystemExit("no size for %s 0x%x" % (k, ti))


def members(text, names):
    recs = parse_types(text)
    out = []
    for want in names:
        defs = [ti for ti, r in recs.items()
                if r["kind"] in ("LF_STRUCTURE", "LF_CLASS", "LF_UNION") and r["name"] == want
                and "forward ref" not in " ".join(r["lines"])]
        if len(defs) != 1:
            raise SystemExit("%s: %d definitions" % (want, len(defs)))
        body = " ".join(recs[defs[0]]["lines"])
        fl = int(re.search(r"field list: 0x([0-9A-F]+)", body).group(1), 16)
        for line in recs[fl]["lines"]:
            m = re.match(r"- LF_MEMBER \[name = `(\w+)`, Type = (0x[0-9A-F]+(?: \([^)]*\))?), offset = (\d+)", line)
            if not m:
                continue
            ti, tname = typeref(m.group(2))
            bitpos = bits = "-"
            if ti >= 0x1000 and recs[ti]["kind"] == "LF_BITFIELD":
                bm = re.search(r"bit offset = (\d+), # bits = (\d+)", " ".join(recs[ti]["lines"]))
                bitpos, bits = bm.group(1), bm.group(2)
            out.append("%s %s %s %d %s %s" % (want, m.group(1), m.group(3), size_of(recs, ti, tname), bitpos, bits))
        out.append("%s sizeof %s" % (want, re.search(r"sizeof (\d+)", body).group(1)))
    return out


def enums(text, names):
    recs = parse_types(text)
    out = []
    for want in names:
        defs = [r for r in recs.values() if r["kind"] == "LF_ENUM" and r["name"] == want]
        if len(defs) != 1:
            raise SystemExit("%s: %d definitions" % (want, len(defs)))
        body = " ".join(defs[0]["lines"])
        fl = int(re.search(r"field list: 0x([0-9A-F]+)", body).group(1), 16)
        # llvm-pdbutil prints the leaf as stored (-3 of an int enum as 4294967293): the
        # value is the underlying type's, as C has it
        signed32 = "underlying type: 0x0074 (int)" in body
        for line in recs[fl]["lines"]:
            m = re.match(r"- LF_ENUMERATE \[(\w+) = (-?\d+)\]", line)
            if m:
                v = int(m.group(2))
                if signed32 and v >= 1 << 31:
                    v -= 1 << 32
                out.append("%s %s %d" % (want, m.group(1), v))
    return out


def symbols(text):
    va = {}
    for m in re.finditer(r"SECTION HEADER #(\d+)\s*\n\s*\S+ name\s*\n\s*[0-9A-F]+ virtual size\s*\n\s*([0-9A-F]+) virtual address",
                         text):
        va[int(m.group(1))] = int(m.group(2), 16)
    out = []
    for m in re.finditer(r"(S_PUB32|S_GDATA32|S_LDATA32) \[size = \d+\] `([^`]*)`\s*\n\s*(?:flags|type) = [^\n]*?addr = (\d{4}):(\d{4,})",
                         text):
        scope = {"S_PUB32": "public", "S_GDATA32": "global", "S_LDATA32": "local"}[m.group(1)]
        out.append("%s %s 0x%x" % (scope, m.group(2), va[int(m.group(3))] + int(m.group(4))))
    return sorted(out)


def main():
    text = open(sys.argv[2]).read()
    if sys.argv[1] == "members":
        lines = members(text, sys.argv[3:])
    elif sys.argv[1] == "enums":
        lines = enums(text, sys.argv[3:])
    else:
        lines = symbols(text)
    print("\n".join(lines))


main()
