#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""gen_seeds.py: writes the committed seed corpora tests/fuzz/seeds/TARGET/,
built by hand byte by byte (tests/pktbuild.py), documentation addresses
only. Deterministic: run it again to regenerate (it replaces the three
directories). Seeds from real captures come from tests/fuzz/make-seeds
instead and are not committed.

  fuzz_dns    one DNS message per file: the common types, EDNS options,
              DNSSEC, and the malformed shapes (loops, bad pointers, label
              types, lying counts, cut RDATA, trailing bytes)
  fuzz_frame  option bytes + frames (fuzz_frame.c): query/response pairs on
              every link type, VLAN, IPv6, both decoders, small batches
  fuzz_reasm  option byte + [len][step][frame] records (fuzz_reasm.c): IPv4
              and IPv6 fragments in order, reversed, duplicated,
              overlapping, never completed; DNS over TCP with and without
              SYN, split, out of order, RST, FIN, timeouts
"""
import os
import shutil
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pktbuild import *  # noqa: E402,F401,F403

SEP = b"\xffDR\xff"  # fuzz_frame.c FRAME_SEP


def dns_messages():
    """(name, wire) pairs."""
    m = []
    cookie = edns_option(10, bytes.fromhex("0102030405060708"))
    m.append(("query_a_edns_cookie", header(0x1001, 0x0120, ar=1) + question("www.example.com.", 1)
              + opt(options=cookie)))
    m.append(("resp_cname_a", header(0x1001, 0x81a0, an=2, ar=1) + question("www.example.com.", 1)
              + rr(b"\xc0\x0c", 5, 300, name("web.example.com."))
              + rr(name("web.example.com."), 1, 60, bytes([192, 0, 2, 80])) + opt(options=cookie)))
    m.append(("resp_aaaa", header(0x2002, 0x8180, an=1) + question("example.net.", 28)
              + rr(b"\xc0\x0c", 28, 3600, bytes.fromhex("20010db8000000000000000000000080"))))
    soa = (name("ns1.example.org.") + name("hostmaster.example.org.")
           + struct.pack("!5I", 2026112701, 7200, 3600, 1209600, 300))
    m.append(("resp_nxdomain_soa", header(0x3003, 0x8183, ns=1) + question("nope.example.org.", 15)
              + rr(name("example.org."), 6, 300, soa)))
    txt = b'say "hi" \\ caf\xc3\xa9 \x00\x7f\xff'
    m.append(("resp_txt_escapes", header(0x4004, 0x8180, an=1) + question("txt.example.com.", 16)
              + rr(b"\xc0\x0c", 16, 60, bytes([len(txt)]) + txt + b"\x00" + b"\x03abc")))
    big = b"".join(bytes([255]) + bytes([0x41 + i % 26]) * 255 for i in range(16))
    m.append(("resp_txt_4k", header(0x4005, 0x8180, an=1) + question("big.example.com.", 16)
              + rr(b"\xc0\x0c", 16, 60, big)))
    m.append(("mx", header(0x4006, 0x8180, an=2) + question("example.com.", 15)
              + rr(b"\xc0\x0c", 15, 300, struct.pack("!H", 10) + b"\x04mail\xc0\x0c")
              + rr(b"\xc0\x0c", 15, 300, struct.pack("!H", 20) + name("mx2.example.net."))))
    # malformed names
    loop = header(0x5005, 0x8180, an=1) + question("loop.example.com.", 1)
    m.append(("name_pointer_loop", loop + b"\xc0\x22" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes(4)))
    m.append(("name_pointer_self", header(0x5006, 0x0100) + b"\xc0\x0c\x00\x01\x00\x01"))
    m.append(("name_pointer_forward", header(0x5007, 0x0100) + b"\xc0\x12\x00\x01\x00\x01\x03abc\x00"))
    m.append(("name_pointer_past_end", header(0x5008, 0x0100) + b"\xc3\xff\x00\x01\x00\x01"))
    m.append(("name_label_0x40", header(0x5009, 0x0100) + b"\x41\x08\xff\x00\x00\x01\x00\x01"))
    m.append(("name_label_0x80", header(0x500a, 0x0100) + b"\x81abc\x00\x00\x01\x00\x01"))
    long_name = b"".join(b"\x3f" + b"a" * 63 for _ in range(4)) + b"\0"
    m.append(("name_too_long", header(0x500b, 0x0100) + long_name + b"\x00\x01\x00\x01"))
    chain = header(0x500c, 0x8180, an=1) + question(b"\x3f" + b"b" * 63 + b"\x3f" + b"c" * 63 + b"\0", 1)
    m.append(("name_too_long_by_pointer", chain + b"\x3f" + b"d" * 63 + b"\x3f" + b"e" * 63
              + b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 1, 4) + bytes(4)))
    m.append(("name_past_end", header(0x500d, 0x0100) + b"\x07exam"))
    m.append(("name_escapes", header(0x500e, 0x0100)
              + b"\x05a.b c\x04\\\"()\x03\x00\x01\xff\x01*\x00" + b"\x00\x10\x00\x01"))
    m.append(("root_query", header(0x500f, 0x0100) + b"\x00\x00\x02\x00\x01"))
    # lying headers
    m.append(("short_header", bytes.fromhex("1234010000")))
    m.append(("empty", b""))
    m.append(("header_only", header(0x6001, 0x0100, qd=0)))
    m.append(("qdcount_65535", header(0x6002, 0x0100, qd=65535) + question("a.example.", 1)))
    m.append(("counts_65535", header(0x6003, 0x8180, 65535, 65535, 65535, 65535)
              + question("a.example.", 1) + rr(b"\xc0\x0c", 1, 1, bytes(4))))
    m.append(("rdata_past_end", header(0x6004, 0x8180, an=1) + question("a.example.", 1)
              + b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 200) + bytes(4)))
    m.append(("a_rdlen_2", header(0x6005, 0x8180, an=1) + question("a.example.", 1)
              + rr(b"\xc0\x0c", 1, 60, b"\xc0\x00")))
    m.append(("trailing_bytes", header(0x6006, 0x0100) + question("a.example.", 1) + b"\xde\xad\xbe\xef"))
    m.append(("rr_header_cut", header(0x6007, 0x8180, an=1) + question("a.example.", 1) + b"\xc0\x0c\x00\x01"))
    # EDNS
    ecs = edns_option(8, struct.pack("!HBB", 1, 24, 0) + bytes([192, 0, 2]))
    ecs6 = edns_option(8, struct.pack("!HBB", 2, 56, 48) + bytes.fromhex("20010db8000000"))
    opts = (ecs + edns_option(3, b"ns1") + edns_option(15, struct.pack("!H", 18) + b"prohibited")
            + edns_option(12, bytes(8)) + edns_option(11, struct.pack("!H", 300))
            + edns_option(9, struct.pack("!I", 3600)) + edns_option(13, name("example."))
            + edns_option(5, bytes([8, 13, 15])) + edns_option(14, struct.pack("!HH", 20326, 38696))
            + edns_option(65001, b"\x01\x02") + ecs6)
    m.append(("edns_options", header(0x7001, 0x0100, ar=1) + question("example.com.", 1) + opt(options=opts)))
    m.append(("edns_ecs_bad", header(0x7002, 0x0100, ar=1) + question("example.com.", 1)
              + opt(options=edns_option(8, struct.pack("!HBB", 1, 33, 0) + bytes(5)))))
    m.append(("edns_option_overrun", header(0x7003, 0x0100, ar=1) + question("example.com.", 1)
              + opt(options=struct.pack("!HH", 10, 40) + bytes(8))))
    m.append(("edns_badvers", header(0x7004, 0x8180, ar=1) + question("example.com.", 1)
              + opt(ext_rcode=1, version=1, do=False)))
    m.append(("edns_two_opt", header(0x7005, 0x0100, ar=2) + question("example.com.", 1) + opt() + opt(udp=512)))
    m.append(("edns_opt_not_root", header(0x7006, 0x0100, ar=1) + question("example.com.", 1)
              + b"\xc0\x0c" + opt()[1:]))
    tsig = rr(name("key.example."), 250, 0, name("hmac-sha256.") + struct.pack("!HIH", 0, 1795766950, 300)
              + struct.pack("!H", 32) + bytes(32) + struct.pack("!HHH", 0x7008, 0, 0), c=255)
    m.append(("tsig", header(0x7008, 0x0100, ar=1) + question("example.com.", 6) + tsig))
    m.append(("tsig_not_last", header(0x7009, 0x0100, ar=2) + question("example.com.", 6) + tsig + opt()))
    m.append(("tsig_twice", header(0x700a, 0x0100, ar=2) + question("example.com.", 6) + tsig + tsig))
    # DNSSEC and other types
    q = question("example.com.", 255)
    recs = [
        (48, struct.pack("!HBB", 257, 3, 13) + bytes(range(64))),                 # DNSKEY
        (43, struct.pack("!HBB", 20326, 8, 2) + bytes(32)),                        # DS
        (46, struct.pack("!HBBIIIH", 1, 13, 2, 3600, 1795766950, 1795000000, 20326)
         + name("example.com.") + bytes(64)),                                      # RRSIG
        (47, name("a.example.com.") + bytes([0, 6, 0x40, 0, 0, 0, 0, 3])),         # NSEC
        (50, struct.pack("!BBHB", 1, 0, 10, 4) + b"\xaa\xbb\xcc\xdd" + bytes([20]) + bytes(20)
         + bytes([0, 1, 0x40])),                                                   # NSEC3
        (51, struct.pack("!BBHB", 1, 0, 10, 0)),                                   # NSEC3PARAM
        (33, struct.pack("!HHH", 0, 5, 5060) + name("sip.example.com.")),         # SRV
        (35, struct.pack("!HH", 100, 10) + b"\x01S\x07SIP+D2U\x00" + name("_sip._udp.example.com.")),  # NAPTR
        (257, b"\x00\x05issue" + b"ca.example.net"),                               # CAA
        (44, bytes([1, 1]) + bytes(20)),                                           # SSHFP
        (52, bytes([3, 1, 1]) + bytes(32)),                                        # TLSA
        (64, struct.pack("!H", 1) + b"\x00" + struct.pack("!HH", 1, 3) + b"\x02h2"),  # SVCB
        (65, struct.pack("!H", 1) + b"\x00" + struct.pack("!HH", 4, 4) + bytes([192, 0, 2, 1])),  # HTTPS
        (29, bytes([0, 0x12, 0x16, 0x13]) + struct.pack("!III", 0x89171B2E, 0x7F3C3B4B, 0x00989680)),  # LOC
        (13, b"\x03x86\x05Linux"),                                                 # HINFO
        (42, struct.pack("!HBB", 1, 24, 3) + bytes([192, 0, 2])),                 # APL
        (12, name("host.example.com.")),                                           # PTR
        (2, name("ns1.example.com.")),                                             # NS
        (39, name("example.net.")),                                                # DNAME
        (16, b""),                                                                 # TXT, empty
        (65280, bytes([1, 2, 3, 4])),                                              # unknown (RFC 3597)
        (11, bytes([192, 0, 2, 1, 6]) + bytes([0x40, 0, 0, 0x80])),               # WKS
        (108, bytes(6)), (109, bytes(8)),                                          # EUI48, EUI64
        (37, struct.pack("!HHB", 1, 0, 8) + bytes(16)),                            # CERT
        (49, bytes(12)),                                                           # DHCID
        (256, struct.pack("!HH", 10, 1) + b"https://example.com/"),                # URI
        (45, bytes([10, 1, 2]) + bytes([192, 0, 2, 1]) + bytes(16)),               # IPSECKEY
    ]
    body = b"".join(rr(b"\xc0\x0c", t, 3600, d) for t, d in recs)
    m.append(("many_types", header(0x8001, 0x8580, an=len(recs)) + q + body))
    for t, d in recs:
        m.append(("type_%d" % t, header(0x8100 + (t & 0xff), 0x8180, an=1) + q + rr(b"\xc0\x0c", t, 60, d)))
        if len(d) > 2:
            m.append(("type_%d_cut" % t, header(0x8200 + (t & 0xff), 0x8180, an=1) + q
                      + rr(b"\xc0\x0c", t, 60, d[: len(d) // 2])))
    m.append(("update", header(0x9001, 0x2800, qd=1, an=0, ns=1) + question("example.com.", 6)
              + rr(name("new.example.com."), 1, 0, bytes([192, 0, 2, 9]), c=254)))
    m.append(("chaos_version", header(0x9002, 0x0100) + question("version.bind.", 16, c=3)))
    m.append(("mdns_cache_flush", header(0, 0x8400, qd=0, an=1)
              + rr(name("printer.local."), 1, 120, bytes([192, 0, 2, 7]), c=0x8001)))
    m.append(("opcode_15_rcode_15", header(0x9003, 0xf80f)))
    m.append(("axfr_soa", header(0x9004, 0x8480, an=2) + question("example.org.", 252)
              + rr(b"\xc0\x0c", 6, 300, soa) + rr(b"\xc0\x0c", 6, 300, soa)))
    return m


def frame_seeds(msgs):
    """(name, bytes) for fuzz_frame."""
    out = []
    d = dict(msgs)
    q, r = d["query_a_edns_cookie"], d["resp_cname_a"]

    def pair4(lt, qm, rm, vlan=None, sport=53211):
        return (link(lt, udp4(SRC4, DST4, sport, 53, qm), vlan) + SEP
                + link(lt, udp4(DST4, SRC4, 53, sport, rm), vlan))

    def pair6(lt, qm, rm):
        return (link(lt, udp6(SRC6, DST6, 40000, 53, qm)) + SEP
                + link(lt, udp6(DST6, SRC6, 53, 40000, rm)))

    names = ["ether", "sll", "sll2", "raw", "null", "loop", "ipv4", "ipv6"]
    for i, lt in enumerate(FUZZ_LINKS):
        v6 = lt == LINK_IPV6
        body = pair6(lt, q, r) if v6 else pair4(lt, q, r)
        out.append(("%s_pair_fast" % names[i], bytes([i, 5]) + body))
        out.append(("%s_pair_ldns" % names[i], bytes([i | 8, 5]) + body))
        if lt not in (LINK_IPV4, LINK_IPV6):
            out.append(("%s_v6_pair" % names[i], bytes([i, 5]) + pair6(lt, q, r)))
    out.append(("ether_vlan", bytes([0, 5]) + pair4(LINK_ETHERNET, q, r, vlan=100)))
    qinq = MAC_S + MAC_C + struct.pack("!HHHH", 0x88A8, 200, 0x8100, 100) + struct.pack("!H", 0x0800) \
        + udp4(SRC4, DST4, 5353, 5353, d["mdns_cache_flush"])
    out.append(("ether_qinq_mdns", bytes([0x40, 5]) + qinq))
    out.append(("ether_worker_id_cut", bytes([0x30, 5]) + pair4(LINK_ETHERNET, q, r)))
    out.append(("ether_small_batch_txt", bytes([0x80, 5]) + pair4(LINK_ETHERNET, q, d["resp_txt_4k"])))
    out.append(("ether_time_back", bytes([0x00, 0x20 | 5]) + pair4(LINK_ETHERNET, q, r)))
    out.append(("ether_time_max", bytes([0x08, 0x40 | 15]) + pair4(LINK_ETHERNET, q, r)))
    out.append(("ether_filters", bytes([0, 0x10 | 5]) + pair4(LINK_ETHERNET, q, r) + SEP
                + pair4(LINK_ETHERNET, d["resp_aaaa"], d["resp_nxdomain_soa"], sport=40000)))
    out.append(("ether_unanswered", bytes([0, 0x80 | 5]) + link(LINK_ETHERNET, udp4(SRC4, DST4, 5000, 53, q))
                + SEP + link(LINK_ETHERNET, udp4(SRC4, DST4, 5001, 53, d["mx"][:12] + d["mx"][12:]))))
    long_name = b"".join(b"\x3f" + b"x" * 63 for _ in range(3)) + b"\x3d" + b"y" * 61 + b"\0"
    bomb = header(0x4444, 0x0100, qd=1, an=310) + question(long_name, 1) \
        + b"".join(b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 0) for _ in range(310))
    out.append(("ether_unanswered_bomb_small_batch", bytes([0x80, 0x80 | 5])
                + link(LINK_ETHERNET, udp4(SRC4, DST4, 5000, 53, bomb))))
    for nm in ("name_pointer_loop", "counts_65535", "edns_options", "many_types", "tsig",
               "resp_txt_escapes", "short_header", "empty"):
        out.append(("ether_" + nm, bytes([0, 5]) + link(LINK_ETHERNET, udp4(DST4, SRC4, 53, 53211, d[nm]))))
    # non-DNS and odd frames: every skip counter
    out.append(("ether_ntp", bytes([0, 5]) + link(LINK_ETHERNET, udp4(SRC4, DST4, 123, 123, bytes(48)))))
    out.append(("ether_arp", bytes([0, 5]) + MAC_S + MAC_C + b"\x08\x06" + bytes(28)))
    out.append(("ether_icmp", bytes([0, 5]) + link(LINK_ETHERNET, ip4(SRC4, DST4, 1, b"\x08\x00" + bytes(6)))))
    out.append(("ether_tcp53", bytes([0, 5]) + link(LINK_ETHERNET, tcp4(SRC4, DST4, 40000, 53, 1000,
                                                                        struct.pack("!H", len(q)) + q))))
    out.append(("ether_frag", bytes([0, 5]) + b"".join(
        link(LINK_ETHERNET, f) + SEP for f in frags4(SRC4, DST4, 17, udp(53, 5000, r), 77, 48))[:-4]))
    out.append(("ether_udp_empty", bytes([0, 5]) + link(LINK_ETHERNET, udp4(SRC4, DST4, 5000, 53, b""))))
    pppoe = MAC_S + MAC_C + b"\x88\x64" + struct.pack("!BBHH", 0x11, 0, 1, 2 + 20 + 8 + len(q)) + b"\x00\x21" \
        + udp4(SRC4, DST4, 5000, 53, q)
    out.append(("ether_pppoe", bytes([0, 5]) + pppoe))
    ext6 = ip6(SRC6, DST6, 0, bytes([60, 0]) + bytes(6) + bytes([17, 0]) + bytes(6) + udp(40000, 53, q))
    out.append(("raw_ip6_ext_headers", bytes([3, 5]) + ext6))
    return out


def rec(frame, step=1):
    return struct.pack("!HB", len(frame), step) + frame


def reasm_seeds(msgs):
    out = []
    d = dict(msgs)
    r = d["resp_txt_4k"]
    u4 = udp(53, 53211, r)
    f4 = frags4(DST4, SRC4, 17, u4, 0x4242, 1480)
    E = lambda p: link(LINK_ETHERNET, p)  # noqa: E731
    out.append(("ip4_frags_in_order", bytes([0x08]) + b"".join(rec(E(f)) for f in f4)))
    out.append(("ip4_frags_reversed", bytes([0x08]) + b"".join(rec(E(f)) for f in reversed(f4))))
    out.append(("ip4_frags_dup", bytes([0x08]) + b"".join(rec(E(f)) + rec(E(f)) for f in f4)))
    small = frags4(DST4, SRC4, 17, udp(53, 53211, d["resp_cname_a"]), 0x4343, 16)
    ov = ip4(DST4, SRC4, 17, bytes(24), ident=0x4343, mf=True, off8=1)
    out.append(("ip4_frags_overlap", bytes([0x08]) + b"".join(rec(E(f)) for f in small[:2]) + rec(E(ov))
                + b"".join(rec(E(f)) for f in small[2:])))
    out.append(("ip4_frags_tcp", bytes([0x08]) + b"".join(
        rec(E(f)) for f in frags4(SRC4, DST4, 6, tcp(40000, 53, 1, struct.pack("!H", len(r)) + r, 0x18), 9, 1024))))
    u6 = udp(53, 40000, r)
    f6 = frags6(DST6, SRC6, 17, u6, 0xabcdef, 1232)
    out.append(("ip6_frags", bytes([0x08]) + b"".join(rec(E(f)) for f in f6)))
    out.append(("ip6_frags_raw", bytes([0x0b]) + b"".join(rec(f) for f in f6[::-1])))
    # incomplete datagrams filling a 4-slot table, then time passes
    inc = [E(ip4(SRC4, DST4, 17, bytes(64), ident=i, mf=True)) for i in range(12)]
    out.append(("ip4_never_complete", bytes([0x00]) + b"".join(rec(f) for f in inc) + rec(E(f4[0]), 0xff)))
    out.append(("ip4_timeout_1ms", bytes([0x20]) + rec(E(f4[0])) + rec(E(f4[1]), 5) + rec(E(f4[2]))))
    out.append(("ip4_too_big", bytes([0x08]) + rec(E(ip4(SRC4, DST4, 17, bytes(64), ident=5, off8=8185)))))
    # TCP
    q = d["query_a_edns_cookie"]
    resp = d["resp_txt_4k"]
    lq, lr = struct.pack("!H", len(q)) + q, struct.pack("!H", len(resp)) + resp
    C, S = (SRC4, DST4, 40000, 53), (DST4, SRC4, 53, 40000)

    def T(ep, seq, payload=b"", flags=0x18):
        return E(tcp4(ep[0], ep[1], ep[2], ep[3], seq, payload, flags))
    hs = [T(C, 1000, flags=0x02), T(S, 5000, flags=0x12), T(C, 1001, flags=0x10)]
    body = [T(C, 1001, lq)] + [T(S, 5001 + o, lr[o:o + 1000]) for o in range(0, len(lr), 1000)]
    fin = [T(C, 1001 + len(lq), flags=0x11), T(S, 5001 + len(lr), flags=0x11)]
    out.append(("tcp_syn_split", bytes([0x08]) + b"".join(rec(f) for f in hs + body + fin)))
    ooo = [body[0]] + body[1:][::-1]
    out.append(("tcp_out_of_order", bytes([0x08]) + b"".join(rec(f) for f in hs + ooo + fin)))
    out.append(("tcp_no_syn_two_msgs", bytes([0x08]) + rec(T(C, 77777, lq + lq))))
    out.append(("tcp_prefix_split", bytes([0x08]) + rec(T(C, 10, lq[:1])) + rec(T(C, 11, lq[1:]))))
    out.append(("tcp_retransmit_rst", bytes([0x08]) + b"".join(rec(f) for f in hs + body[:2] + body[:2])
                + rec(T(C, 1001 + len(lq), flags=0x04))))
    out.append(("tcp_gap_idle", bytes([0x28]) + b"".join(rec(f) for f in hs) + rec(body[2], 0x85)
                + rec(body[1], 0xfe) + rec(T(C, 1001, lq), 0xff)))
    many = [T((SRC4, DST4, 40000 + i, 53), 1, lq[:5]) for i in range(10)]
    out.append(("tcp_half_open_streams", bytes([0x00]) + b"".join(rec(f) for f in many)))
    six = [E(ip6(SRC6, DST6, 6, tcp(40001, 53, 1, lq))), E(ip6(DST6, SRC6, 6, tcp(53, 40001, 9, lr[:300])))]
    out.append(("tcp6", bytes([0x10]) + b"".join(rec(f) for f in six)))
    out.append(("tcp_expire_each", bytes([0x88 | 0x40]) + b"".join(rec(f, 0x81) for f in hs + body)))
    return out


def main():
    top = os.path.dirname(os.path.abspath(__file__))
    seeds = os.path.join(top, "seeds")
    msgs = dns_messages()
    sets = {
        "fuzz_dns": msgs,
        "fuzz_frame": frame_seeds(msgs),
        "fuzz_reasm": reasm_seeds(msgs),
    }
    for target, items in sets.items():
        d = os.path.join(seeds, target)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        for nm, data in items:
            with open(os.path.join(d, nm), "wb") as f:
                f.write(data)
        print("%s: %d seeds" % (target, len(items)))


if __name__ == "__main__":
    main()
