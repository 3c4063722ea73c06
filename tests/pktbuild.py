# SPDX-License-Identifier: BSD-2-Clause
"""pktbuild.py: byte-level builders for DNS messages, IP/UDP/TCP packets,
link headers and pcap files, shared by tests/fuzz/gen_seeds.py (the
committed fuzz seeds) and tests/limits_gen.py (the hostile captures of
tests/limits.sh). Python 3 with struct only. Documentation addresses only
(192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32).
"""
import struct

SRC4, DST4 = bytes([192, 0, 2, 10]), bytes([192, 0, 2, 53])
SRC6 = bytes.fromhex("20010db8000000000000000000000010")
DST6 = bytes.fromhex("20010db8000000000000000000000053")
MAC_C, MAC_S = bytes.fromhex("020000000010"), bytes.fromhex("020000000053")

# pcap LINKTYPE_ values (capture/block.h)
LINK_NULL, LINK_ETHERNET, LINK_RAW, LINK_LOOP = 0, 1, 101, 108
LINK_SLL, LINK_IPV4, LINK_IPV6, LINK_SLL2 = 113, 228, 229, 276
# the order of the link types in fuzz_frame.c / fuzz_reasm.c option byte
FUZZ_LINKS = [LINK_ETHERNET, LINK_SLL, LINK_SLL2, LINK_RAW,
              LINK_NULL, LINK_LOOP, LINK_IPV4, LINK_IPV6]


# ---- DNS ----------------------------------------------------------------

def name(n):
    """Wire form of a presentation name (no escapes)."""
    out = b""
    for label in n.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def header(id_, flags, qd=1, an=0, ns=0, ar=0):
    return struct.pack("!6H", id_, flags, qd, an, ns, ar)


def question(n, t, c=1):
    return (n if isinstance(n, bytes) else name(n)) + struct.pack("!HH", t, c)


def rr(owner, t, ttl, rdata, c=1):
    o = owner if isinstance(owner, bytes) else name(owner)
    return o + struct.pack("!HHIH", t, c, ttl, len(rdata)) + rdata


def opt(udp=1232, do=True, options=b"", ext_rcode=0, version=0):
    ttl = ext_rcode << 24 | version << 16 | (0x8000 if do else 0)
    return b"\0" + struct.pack("!HHIH", 41, udp, ttl, len(options)) + options


def edns_option(code, data):
    return struct.pack("!HH", code, len(data)) + data


# ---- IP / UDP / TCP -----------------------------------------------------

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(src, dst, proto, payload, ident=0x1234, mf=False, off8=0, total=None):
    """IPv4 header + payload; off8 is the fragment offset in 8-byte units."""
    ff = (0x2000 if mf else 0) | off8
    tl = 20 + len(payload) if total is None else total
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tl, ident, ff, 64, proto, 0, src, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ip6(src, dst, nh, payload):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nh, 64, src, dst) + payload


def ip6_frag(src, dst, nh, payload, ident, off8=0, mf=False):
    fh = struct.pack("!BBHI", nh, 0, off8 << 3 | (1 if mf else 0), ident)
    return ip6(src, dst, 44, fh + payload)


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp(sport, dport, seq, payload=b"", flags=0x18, ack=0):
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload


def udp4(src, dst, sport, dport, payload):
    return ip4(src, dst, 17, udp(sport, dport, payload))


def udp6(src, dst, sport, dport, payload):
    return ip6(src, dst, 17, udp(sport, dport, payload))


def tcp4(src, dst, sport, dport, seq, payload=b"", flags=0x18):
    return ip4(src, dst, 6, tcp(sport, dport, seq, payload, flags))


def frags4(src, dst, proto, payload, ident, size=8):
    """Split an L4 payload into IPv4 fragments of size bytes (multiple of 8)."""
    out = []
    for off in range(0, len(payload), size):
        part = payload[off:off + size]
        out.append(ip4(src, dst, proto, part, ident=ident,
                       mf=off + size < len(payload), off8=off // 8))
    return out


def frags6(src, dst, nh, payload, ident, size=8):
    out = []
    for off in range(0, len(payload), size):
        part = payload[off:off + size]
        out.append(ip6_frag(src, dst, nh, part, ident, off8=off // 8,
                            mf=off + size < len(payload)))
    return out


# ---- link layers ----------------------------------------------------------

def link(linktype, ip, vlan=None):
    """Wrap an IP packet (v4 or v6, from its first nibble) in a link header."""
    v6 = ip[0] >> 4 == 6
    et = 0x86DD if v6 else 0x0800
    if linktype == LINK_ETHERNET:
        tag = struct.pack("!HH", 0x8100, vlan) if vlan is not None else b""
        return MAC_S + MAC_C + tag + struct.pack("!H", et) + ip
    if linktype == LINK_SLL:
        return struct.pack("!HHH", 0, 1, 6) + MAC_C + b"\0\0" + struct.pack("!H", et) + ip
    if linktype == LINK_SLL2:
        return struct.pack("!HHIHBB", et, 0, 2, 1, 0, 6) + MAC_C + b"\0\0" + ip
    if linktype == LINK_NULL:
        return struct.pack("<I", 30 if v6 else 2) + ip
    if linktype == LINK_LOOP:
        return struct.pack("!I", 24 if v6 else 2) + ip
    return ip  # RAW, IPV4, IPV6


# ---- pcap -----------------------------------------------------------------

def write_pcap(path, frames, linktype=LINK_ETHERNET, t0=1795766950, step_us=1000,
               snaplen=65535):
    """frames: bytes, or (bytes, ts_us offset) pairs."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype))
        for i, fr in enumerate(frames):
            if isinstance(fr, tuple):
                fr, us = fr
            else:
                us = i * step_us
            sec, usec = t0 + us // 1000000, us % 1000000
            cap = fr[:snaplen]
            f.write(struct.pack("<IIII", sec, usec, len(cap), len(fr)) + cap)
