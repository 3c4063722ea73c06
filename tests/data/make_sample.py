#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""make_sample.py: writes tests/data/sample.pcap, the small capture the quick
start and the tests use. Every byte is built here by hand (no third-party
data), with documentation addresses only (192.0.2.0/24, 198.51.100.0/24,
2001:db8::/32). Run it again to regenerate: the output is deterministic.

Contents (frame: what):
 1/2  A query + response (EDNS 1232, DO, COOKIE option) over IPv4, with CNAME
 3/4  AAAA query + response over IPv6
 5/6  MX query + NXDOMAIN response with SOA in authority
 7/8  TXT query + response in an 802.1Q VLAN 100 frame; TXT with a quote,
      a backslash and a non-ASCII byte
 9    a non-DNS UDP packet (port 123)        -> skipped, counted
 10   a malformed DNS response (pointer loop)-> record with malformed:true
"""
import struct
import sys

SRC4, DST4 = bytes([192, 0, 2, 10]), bytes([192, 0, 2, 53])
SRC6 = bytes.fromhex("20010db8000000000000000000000010")
DST6 = bytes.fromhex("20010db8000000000000000000000053")
MAC_C, MAC_S = bytes.fromhex("020000000010"), bytes.fromhex("020000000053")


def name(n):
    out = b""
    for label in n.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def header(id_, flags, qd=1, an=0, ns=0, ar=0):
    return struct.pack("!6H", id_, flags, qd, an, ns, ar)


def question(n, t, c=1):
    return name(n) + struct.pack("!HH", t, c)


def rr(owner, t, ttl, rdata, c=1):
    o = owner if isinstance(owner, bytes) else name(owner)
    return o + struct.pack("!HHIH", t, c, ttl, len(rdata)) + rdata


def opt(udp=1232, do=True, options=b""):
    return b"\0" + struct.pack("!HHIH", 41, udp, 0x8000 if do else 0, len(options)) + options


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def udp4(src, dst, sport, dport, payload):
    u = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(u), 0x1234, 0, 64, 17, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + u


def udp6(src, dst, sport, dport, payload):
    u = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    return struct.pack("!IHBB16s16s", 0x60000000, len(u), 17, 64, src, dst) + u


def eth(src, dst, ethertype, payload, vlan=None):
    if vlan is not None:
        return dst + src + struct.pack("!HH", 0x8100, vlan) + struct.pack("!H", ethertype) + payload
    return dst + src + struct.pack("!H", ethertype) + payload


def frames():
    cookie = struct.pack("!HH", 10, 8) + bytes.fromhex("0102030405060708")
    q1 = header(0x1001, 0x0120, ar=1) + question("www.example.com.", 1) + opt(options=cookie)
    r1 = (header(0x1001, 0x81a0, an=2, ar=1) + question("www.example.com.", 1)
          + rr(b"\xc0\x0c", 5, 300, name("web.example.com."))
          + rr(name("web.example.com."), 1, 60, bytes([192, 0, 2, 80]))
          + opt(options=cookie))
    q2 = header(0x2002, 0x0100) + question("example.net.", 28)
    r2 = (header(0x2002, 0x8180, an=1) + question("example.net.", 28)
          + rr(b"\xc0\x0c", 28, 3600, bytes.fromhex("20010db8000000000000000000000080")))
    q3 = header(0x3003, 0x0100) + question("nope.example.org.", 15)
    soa = (name("ns1.example.org.") + name("hostmaster.example.org.")
           + struct.pack("!5I", 2026112701, 7200, 3600, 1209600, 300))
    r3 = (header(0x3003, 0x8183, ns=1) + question("nope.example.org.", 15)
          + rr(name("example.org."), 6, 300, soa))
    q4 = header(0x4004, 0x0100) + question("txt.example.com.", 16)
    txt = b'say "hi" \\ caf\xc3\xa9'
    r4 = (header(0x4004, 0x8180, an=1) + question("txt.example.com.", 16)
          + rr(b"\xc0\x0c", 16, 60, bytes([len(txt)]) + txt))
    loop = header(0x5005, 0x8180, an=1) + question("loop.example.com.", 1) + b"\xc0\x22" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes(4)
    loop = loop[:0x22] + b"\xc0\x22" + loop[0x24:]
    out = [
        eth(MAC_C, MAC_S, 0x0800, udp4(SRC4, DST4, 53211, 53, q1)),
        eth(MAC_S, MAC_C, 0x0800, udp4(DST4, SRC4, 53, 53211, r1)),
        eth(MAC_C, MAC_S, 0x86DD, udp6(SRC6, DST6, 40000, 53, q2)),
        eth(MAC_S, MAC_C, 0x86DD, udp6(DST6, SRC6, 53, 40000, r2)),
        eth(MAC_C, MAC_S, 0x0800, udp4(SRC4, DST4, 53212, 53, q3)),
        eth(MAC_S, MAC_C, 0x0800, udp4(DST4, SRC4, 53, 53212, r3)),
        eth(MAC_C, MAC_S, 0x0800, udp4(SRC4, DST4, 53213, 53, q4), vlan=100),
        eth(MAC_S, MAC_C, 0x0800, udp4(DST4, SRC4, 53, 53213, r4), vlan=100),
        eth(MAC_C, MAC_S, 0x0800, udp4(SRC4, bytes([198, 51, 100, 1]), 123, 123, bytes(48))),
        eth(MAC_S, MAC_C, 0x0800, udp4(DST4, SRC4, 53, 53214, loop)),
    ]
    return out


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "sample.pcap"
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        t = 1795766950
        for i, fr in enumerate(frames()):
            f.write(struct.pack("<IIII", t, 1000 * i, len(fr), len(fr)) + fr)


if __name__ == "__main__":
    main()
