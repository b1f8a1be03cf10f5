#!/usr/bin/python3
"""carve-mkraw.py IMAGE: a raw memory image with packets at known addresses, for
tests/mf-scan-carve.bats.  Prints what is in it, one line per packet that mf-scan --carve
net must find (address link proto src dst sport dport csum), in address order; the hostile
ones (bad header checksum, a length past the end of memory, a truncated header, an IPv6
packet whose checksum does not hold) are in the image but not in the list.  The checksums
are computed here from RFC 791/768/793/4443, independently of the carver."""
import struct
import sys

SIZE = 256 * 1024


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def ip4(src, dst, proto, payload, ttl=64, bad=False):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0x1234, 0x4000, ttl, proto, 0,
                    bytes(src), bytes(dst))
    c = csum(h) ^ (0x5555 if bad else 0)
    return h[:10] + struct.pack("!H", c) + h[12:] + payload


def l4_4(src, dst, proto, seg, off, mode):
    """Fill the checksum at off of seg: ok, bad, partial (the pseudo-header sum only)."""
    pseudo = bytes(src) + bytes(dst) + struct.pack("!BBH", 0, proto, len(seg))
    return l4_fill(pseudo, seg, off, mode)


def l4_6(src, dst, nh, seg, off, mode):
    pseudo = bytes(src) + bytes(dst) + struct.pack("!IxxxB", len(seg), nh)
    return l4_fill(pseudo, seg, off, mode)


def l4_fill(pseudo, seg, off, mode):
    seg = seg[:off] + b"\0\0" + seg[off + 2:]
    if mode == "partial":
        s = sum(struct.unpack("!%dH" % (len(pseudo) // 2), pseudo))
        c = fold(s)
    else:
        c = csum(pseudo + seg) ^ (0x0F0F if mode == "bad" else 0)
    return seg[:off] + struct.pack("!H", c) + seg[off + 2:]


def udp4(src, dst, sp, dp, data, mode="ok", bad=False):
    seg = struct.pack("!HHHH", sp, dp, 8 + len(data), 0) + data
    return ip4(src, dst, 17, l4_4(src, dst, 17, seg, 6, mode), bad=bad)


def tcp4(src, dst, sp, dp, data):
    seg = struct.pack("!HHIIBBHHH", sp, dp, 1000, 2000, 5 << 4, 0x18, 512, 0, 0) + data
    return ip4(src, dst, 6, l4_4(src, dst, 6, seg, 16, "ok"))


def icmp4(src, dst, data):
    m = struct.pack("!BBHHH", 8, 0, 0, 0x77, 1) + data
    m = m[:2] + struct.pack("!H", csum(m)) + m[4:]
    return ip4(src, dst, 1, m)


def udp6(src, dst, sp, dp, data, mode="ok"):
    seg = struct.pack("!HHHH", sp, dp, 8 + len(data), 0) + data
    seg = l4_6(src, dst, 17, seg, 6, mode)
    return struct.pack("!IHBB16s16s", 0x60000000, len(seg), 17, 64, bytes(src), bytes(dst)) + seg


def icmp6_echo(src, dst, data, code):
    """An echo request; busybox's ping -6 -p fills the code with its pattern."""
    m = struct.pack("!BBHHH", 128, code, 0, 0x77, 1) + data
    m = l4_6(src, dst, 58, m, 2, "ok")
    return struct.pack("!IHBB16s16s", 0x60000000, len(m), 58, 64, bytes(src), bytes(dst)) + m


def ether(dst, src, etype, pkt):
    return bytes(dst) + bytes(src) + struct.pack("!H", etype) + pkt


def main():
    img = bytearray(SIZE)
    # text around the packets: letters 0x40-0x6f are candidates of the first-byte filter
    txt = b"Hello LOOK at `this` and the mmmooo JKLMNO abcdefghijklmno " * 40
    img[0x9000:0x9000 + len(txt)] = txt
    a = [10, 1, 2, 3]
    b = [10, 9, 8, 7]
    lo = [127, 0, 0, 1]
    lo6 = [0] * 15 + [1]
    m1, m2 = [2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]
    want = []

    def put(addr, data, line):
        img[addr:addr + len(data)] = data
        if line:
            want.append("0x%x %d %s" % (addr, len(data), line))

    put(0x1000, udp4(a, b, 40000, 53, b"MFCARVE-UDP4"), "ip udp 10.1.2.3 10.9.8.7 40000 53 ok")
    put(0x2000, ether(m2, m1, 0x0800, udp4(a, b, 40001, 69, b"MFCARVE-ETH4")),
        "ethernet udp 10.1.2.3 10.9.8.7 40001 69 ok")
    put(0x3000, icmp4(lo, lo, b"MFCARVE-ICMP"), "ip icmp 127.0.0.1 127.0.0.1 - - ok")
    put(0x4000, udp6(lo6, lo6, 40002, 53, b"MFCARVE-UDP6", "partial"), "ip udp ::1 ::1 40002 53 partial")
    put(0x5000, tcp4(a, b, 40003, 80, b"MFCARVE-TCP4"), "ip tcp 10.1.2.3 10.9.8.7 40003 80 ok")
    put(0x6000, udp4(a, b, 40004, 53, b"MFCARVE-BADU"), "ip udp 10.1.2.3 10.9.8.7 40004 53 bad")
    img[0x6000 + 28] ^= 0xFF   # payload changed after the checksum: bad
    put(0x7000, udp4(a, b, 40000, 53, b"MFCARVE-UDP4"), "ip udp 10.1.2.3 10.9.8.7 40000 53 ok")
    put(0x7100, ether(m2, m1, 0x86DD, udp6(lo6, lo6, 40005, 53, b"MFCARVE-ETH6")),
        "ethernet udp ::1 ::1 40005 53 ok")
    put(0x7800, icmp6_echo(lo6, lo6, b"MFCARVE-PNG6" + b"\xc3" * 5, 0xC3), "ip icmpv6 ::1 ::1 - - ok")
    # hostile: a header checksum that does not hold; an IPv6 packet whose one does not
    put(0x8000, udp4(a, b, 40006, 53, b"MFCARVE-BADH", bad=True), None)
    put(0x8100, udp6(lo6, lo6, 40007, 53, b"MFCARVE-BAD6", "bad"), None)
    # across the boundary of 64 KiB chunks, Ethernet header in the one before
    put(0x10000 - 20, ether(m2, m1, 0x0800, udp4(a, b, 40008, 53, b"MFCARVE-EDGE")),
        "ethernet udp 10.1.2.3 10.9.8.7 40008 53 ok")
    # at the end of memory: a valid header claiming 1500 bytes, then a truncated header
    h = bytearray(ip4(a, b, 17, b"\0" * 1480)[:20])
    put(SIZE - 40, bytes(h), None)
    put(SIZE - 10, bytes(h[:10]), None)
    open(sys.argv[1], "wb").write(img)
    print("\n".join(want))


main()
