#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""limits_gen.py OUTDIR: hostile captures for tests/limits.sh, built to grow
every table dnsring keeps: each one more than fills a cap, so that the run
must evict or time out, count it, and keep its memory bounded. Deterministic,
documentation addresses only (tests/pktbuild.py). Prints one line per file:
NAME key=value... with the counts the test expects.

  frags.pcap    FRAGS first fragments (IPv4 and IPv6), each of its own
                datagram, none ever completed: more datagrams than the
                reassembly table holds (1024) and more bytes than its pool
                (4 MiB); then, 40 s later, FRAGS_LATE more, which time the
                first ones out
  tcp.pcap      STREAMS half-open DNS-over-TCP streams (no SYN, a message
                of 1000 bytes announced, 600 sent): more than the stream table
                (4096) and its pool (8 MiB) hold
  queries.pcap  QUERIES queries that are never answered, within the match
                timeout: more than the match table holds (98,304 in flight:
                3/4 of 131,072 slots for WORKER_MATCH_CAPACITY 65,536)
  big.pcap      a 65,507-byte TXT response (the largest UDP payload) three
                ways: one datagram, 45 IPv4 fragments, and 33 TCP segments
                after a SYN; a 65,507-byte response of 5,000 compression
                pointers to a 255-octet name (a record far larger than a
                batch); and COUNTS messages claiming 65,535 records in every
                section
  frags2.pcap, tcp2.pcap, queries2.pcap: the same with twice as many
                datagrams, streams or queries: peak RSS must not grow
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pktbuild import (DST4, DST6, SRC4, SRC6, LINK_ETHERNET, frags4, header,  # noqa: E402
                      ip4, ip6_frag, link, name, question, rr, tcp4, udp, udp4, write_pcap)

FRAGS, FRAGS_LATE = 6000, 10
STREAMS = 12000
QUERIES = 120000
COUNTS = 5000
US = 1
SEC = 1000000


def addr4(i):
    """A source address in 198.51.100.0/24 and 203.0.113.0/24 by index."""
    return bytes([198, 51, 100, i & 255]) if i & 256 else bytes([203, 0, 113, i & 255])


def frags(k):
    out, t = [], 0
    payload = bytes(1400)
    for i in range(k * FRAGS + FRAGS_LATE):
        if i == k * FRAGS:
            t += 40 * SEC
        if i % 2:
            ip = ip6_frag(SRC6, DST6, 17, payload, ident=i, mf=True)
        else:
            ip = ip4(addr4(i), DST4, 17, payload, ident=i & 0xFFFF, mf=True)
        out.append((link(LINK_ETHERNET, ip), t))
        t += 100 * US
    return out, {"fragments": k * FRAGS + FRAGS_LATE, "datagrams": k * FRAGS + FRAGS_LATE}


def tcp(k):
    out = []
    part = struct.pack("!H", 1000) + header(1, 0x0100, qd=1) + bytes(586)
    for i in range(k * STREAMS):
        seg = tcp4(addr4(i), DST4, 1024 + i // 512, 53, 1000 + i, part)
        out.append((link(LINK_ETHERNET, seg), i * 50 * US))
    return out, {"segments": k * STREAMS, "streams": k * STREAMS}


def queries(k):
    out = []
    for i in range(k * QUERIES):
        q = header(i & 0xFFFF, 0x0100) + question("q%d.example.com." % i, 1)
        out.append((link(LINK_ETHERNET, udp4(addr4(i), DST4, 1024 + i // 512, 53, q)), i * 20 * US))
    return out, {"queries": k * QUERIES}


def big_txt():
    """A TXT response of exactly 65,507 bytes (65,535 - 20 - 8)."""
    hdr = header(0xB16, 0x8180, an=1) + question("big.example.com.", 16)
    room = 65507 - len(hdr) - (2 + 10)
    strings = b""
    while room - len(strings) >= 256:
        strings += b"\xff" + b"T" * 255
    rest = room - len(strings)
    strings += bytes([rest - 1]) + b"t" * (rest - 1)
    msg = hdr + rr(b"\xc0\x0c", 16, 60, strings)
    assert len(msg) == 65507, len(msg)
    return msg


def bomb():
    """5,000 RRs whose owner is a pointer to a 255-octet name."""
    long_name = b"".join(b"\x3f" + b"x" * 63 for _ in range(3)) + b"\x3d" + b"y" * 61 + b"\0"
    assert len(long_name) == 255
    hdr = header(0xB0B, 0x8180, an=5000) + question(long_name, 1)
    body = b"".join(b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 0) for _ in range(5000))
    msg = hdr + body
    return msg + bytes(65507 - len(msg))


def big(k):
    out, t = [], 0
    msg = big_txt()

    def add(fr):
        nonlocal t
        out.append((fr, t))
        t += 1000 * US
    add(link(LINK_ETHERNET, udp4(DST4, SRC4, 53, 40001, msg)))
    for f in frags4(DST4, SRC4, 17, udp(53, 40002, msg), 0xF00D, 1480):
        add(link(LINK_ETHERNET, f))
    stream = struct.pack("!H", len(msg)) + msg
    add(link(LINK_ETHERNET, tcp4(DST4, SRC4, 53, 40003, 5000, b"", 0x12)))
    for off in range(0, len(stream), 2000):
        add(link(LINK_ETHERNET, tcp4(DST4, SRC4, 53, 40003, 5001 + off, stream[off:off + 2000])))
    add(link(LINK_ETHERNET, tcp4(DST4, SRC4, 53, 40003, 5001 + len(stream), b"", 0x11)))
    add(link(LINK_ETHERNET, udp4(DST4, SRC4, 53, 40004, bomb())))
    counts = header(0xC0C, 0x8180, 65535, 65535, 65535, 65535) + question("c.example.", 1) \
        + rr(b"\xc0\x0c", 1, 60, bytes(4))
    for i in range(COUNTS):
        add(link(LINK_ETHERNET, udp4(DST4, addr4(i), 53, 1024 + i, counts)))
    return out, {"messages": 4 + COUNTS, "stubs": 1, "counts": COUNTS}


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: limits_gen.py OUTDIR\n")
        return 2
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    for nm, fn, k in (("frags", frags, 1), ("frags2", frags, 2), ("tcp", tcp, 1), ("tcp2", tcp, 2),
                      ("queries", queries, 1), ("queries2", queries, 2), ("big", big, 1)):
        frames, expect = fn(k)
        write_pcap(os.path.join(d, nm + ".pcap"), [(f, us) for f, us in frames],
                   snaplen=262144)
        print(nm, " ".join("%s=%d" % kv for kv in sorted(expect.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
