#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""corpus_compare.py: compare dnsring records with tshark's expectations.

Usage:
    corpus_compare.py [options] REAL_DIR OUT_DIR

For every capture of REAL_DIR/MANIFEST.json in the chosen categories (default
"core"), reads tshark's expectation REAL_DIR/<capture>.expected.jsonl (made by
corpus/tools/tshark_oracle.py) and dnsring's output OUT_DIR/<capture>.ndjson
(dnsring -r REAL_DIR/<capture> -p 53,5353,5355 -w 1), and compares them as
corpus/README.md "Comparing with the expectations" says:

  * Messages are matched in order by (src, sport, dst, dport, id, qr), with one
    queue per key, so repeated keys (retransmissions) match in order.
  * Expected messages are *considered* when std_port is true, tunnel is false,
    proto is in --transports (default udp) and the frame is not an IP fragment
    (dnsring does not reassemble IP fragments yet: "not yet supported";
    --include-fragments considers them too). Fragments are found by reading
    the capture itself (pcap/pcapng, the link types of the core captures): the
    expectation of an IPv4 message reassembled from fragments looks exactly
    like an unfragmented one ("layers" only shows ipv6.fraghdr for IPv6).
  * Every considered expected message must have a dnsring record and every
    dnsring record (of a transport in --transports) must match an expected
    message; a record that matches an expected message outside the job
    (tunnel, fragment, TCP when only udp is compared) is counted, not failed.
  * Compared exactly: ts, addresses (as IP address values), ports, transport,
    ip_version, number of VLAN tags, id, qr, opcode, rcode (rcode_ext when an
    OPT is present), flags, header counts, the name <-> number tables
    (opcode_name, rcode_name, class_name, type_name), question name/type/class,
    the RRs of every section (count, name, type, class, TTL, RDATA), EDNS
    (presence, UDP size, version, DO, option codes).
  * RDATA: against tshark's "data" (A, AAAA, NS, CNAME, PTR, DNAME, MX, SOA,
    SRV, TXT, SPF), else against a rendering of the exact RDATA bytes
    (rdata_hex) in ldns presentation format for the types implemented below
    (RFC 3597 generic "\\# LEN HEX", DS, DNSKEY, RRSIG, NSEC, NSEC3, SSHFP,
    TLSA, CAA, HINFO, ...); otherwise counted as "rdata not compared".
  * Names exactly when names_exact is true, loosely (escapes decoded, case
    folded, trailing dot ignored) otherwise.
  * An expected message that is malformed, short (cut by the snap length) or
    has a name_error must be a malformed dnsring record; then only the header
    is compared (dnsring keeps the header, the sections are empty).

Disagreements that are legitimate (tshark and ldns differ on purpose, or tshark
is lenient where ldns is right) are listed in ACCEPTED below (or in --allow
FILE.json, same layout), each with its reason, keyed by capture, frame and
field. Exit status 1 when a disagreement is not accepted, a considered expected
message has no record, or a record has no expected counterpart; 0 otherwise.
"""

import argparse
import base64
import collections
import datetime
import fnmatch
import ipaddress
import json
import os
import re
import struct
import sys

# --------------------------------------------------------------------------
# Accepted disagreements: (capture, frames, field pattern) -> reason.
# capture: path relative to REAL_DIR; frames: list of frame numbers or "*";
# field: an fnmatch pattern over the field names printed in the report.
# Every entry must say why the difference is tshark's leniency or a legitimate
# format difference, never a dnsring bug.
ACCEPTED = [
    {"capture": "zeek/testing/btest/Traces/dns-edns-ecs-weirds.pcap", "frames": [1, 2, 3, 4],
     "field": "malformed",
     "reason": "ECS options whose address does not fit the prefix (IPv4 /32 with 3 octets, /255; "
               "IPv6 /66 with 7 octets, /255): RFC 7871 section 6 makes ADDRESS exactly "
               "ceil(SOURCE PREFIX-LENGTH/8) octets of a 32/128-bit family (FORMERR otherwise); "
               "tshark only checks the octets fit (it flags frame 5 as dnsring does); Zeek's tests "
               "use this capture as its malformed-ECS case. dnsring lists the option as hex with "
               "\"malformed\":true and flags the message opt_invalid"},
    # Trailing bytes. tshark shows bytes after the last RR the header counts as
    # "Extraneous Data (N bytes)" but does not flag the message (corpus README: "it
    # does not flag trailing bytes"); dnsring writes the record in full and flags it
    # "error":"trailing_bytes". In every case below the bytes are inside the UDP
    # payload (the UDP length counts them), not Ethernet padding. A malformed record
    # is compared up to its header only, so the sections of these are not compared.
    {"capture": "arkime/tests/pcap/arkime_synthetic.pcap", "frames": [325, 327, 329],
     "field": "malformed",
     "reason": "trailing bytes: synthetic responses with more RRs than the header "
               "counts (ANCOUNT 1/ARCOUNT 1 or ANCOUNT 1/ARCOUNT 0, then 62, 66 and 27 "
               "bytes of further A RRs); tshark: \"Extraneous Data\", not malformed"},
    {"capture": "arkime/tests/pcap/dns-update.pcap", "frames": [2],
     "field": "malformed",
     "reason": "trailing bytes: an UPDATE with UPCOUNT 3 followed by a fourth RR "
               "(16 bytes: an A RR the count leaves out); tshark: \"Extraneous Data\", "
               "not malformed"},
    {"capture": "dnscap/src/test/dnspad.pcap", "frames": [1],
     "field": "malformed",
     "reason": "trailing bytes: 3 bytes (00 01 00) after the only question, inside the "
               "UDP length (39 = 8 + 31); tshark: \"Extraneous Data\", not malformed"},
    {"capture": "nDPI/tests/cfgs/default/pcap/dns-exf.pcap", "frames": [2],
     "field": "malformed",
     "reason": "trailing bytes: ANCOUNT 1 (an OPT RR sent in the answer section) "
               "followed by an uncounted A RR (16 bytes); tshark: \"Extraneous Data\", "
               "not malformed. (The sections, not compared for a malformed record, "
               "differ too: the oracle takes any OPT RR as EDNS, while RFC 6891 6.1.1 "
               "gives OPT meaning only in the additional section, so dnsring (ldns) "
               "lists it as an ordinary answer RR.)"},
    {"capture": "suricata-verify/tests/detect-bytetest-03/input.pcap", "frames": [1],
     "field": "malformed",
     "reason": "trailing bytes: one zero byte after the only question, inside the UDP "
               "length (26 = 8 + 18); tshark: \"Extraneous Data\", not malformed"},
    {"capture": "zeek/testing/btest/Traces/tunnels/Teredo.pcap", "frames": [61],
     "field": "malformed",
     "reason": "trailing bytes: a 512-byte UDP payload whose 53-byte query is followed "
               "by 459 zero bytes of padding, which is no part of a DNS message (EDNS "
               "padding is an option inside the OPT RR); tshark: \"Extraneous Data\", "
               "not malformed"},
]

# --------------------------------------------------------------------------
# Tables

STD_PORTS = {53, 5353, 5355}

# The same RR type mnemonics as corpus/tools/tshark_oracle.py (IANA), used to
# render type lists (RRSIG type covered, NSEC bitmaps) from RDATA bytes.
RRTYPES = {
    1: "A", 2: "NS", 3: "MD", 4: "MF", 5: "CNAME", 6: "SOA", 7: "MB", 8: "MG",
    9: "MR", 10: "NULL", 11: "WKS", 12: "PTR", 13: "HINFO", 14: "MINFO",
    15: "MX", 16: "TXT", 17: "RP", 18: "AFSDB", 19: "X25", 20: "ISDN",
    21: "RT", 22: "NSAP", 23: "NSAP-PTR", 24: "SIG", 25: "KEY", 26: "PX",
    27: "GPOS", 28: "AAAA", 29: "LOC", 30: "NXT", 31: "EID", 32: "NIMLOC",
    33: "SRV", 34: "ATMA", 35: "NAPTR", 36: "KX", 37: "CERT", 38: "A6",
    39: "DNAME", 40: "SINK", 41: "OPT", 42: "APL", 43: "DS", 44: "SSHFP",
    45: "IPSECKEY", 46: "RRSIG", 47: "NSEC", 48: "DNSKEY", 49: "DHCID",
    50: "NSEC3", 51: "NSEC3PARAM", 52: "TLSA", 53: "SMIMEA", 55: "HIP",
    56: "NINFO", 57: "RKEY", 58: "TALINK", 59: "CDS", 60: "CDNSKEY",
    61: "OPENPGPKEY", 62: "CSYNC", 63: "ZONEMD", 64: "SVCB", 65: "HTTPS",
    99: "SPF", 100: "UINFO", 101: "UID", 102: "GID", 103: "UNSPEC",
    104: "NID", 105: "L32", 106: "L64", 107: "LP", 108: "EUI48",
    109: "EUI64", 249: "TKEY", 250: "TSIG", 251: "IXFR", 252: "AXFR",
    253: "MAILB", 254: "MAILA", 255: "ANY", 256: "URI", 257: "CAA",
    258: "AVC", 259: "DOA", 260: "AMTRELAY", 32768: "TA", 32769: "DLV",
}

OPCODE_NAMES = {0: "QUERY", 1: "IQUERY", 2: "STATUS", 4: "NOTIFY", 5: "UPDATE", 6: "DSO"}
RCODE_NAMES = {
    0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP",
    5: "REFUSED", 6: "YXDOMAIN", 7: "YXRRSET", 8: "NXRRSET", 9: "NOTAUTH",
    10: "NOTZONE", 11: "DSOTYPENI", 16: "BADVERS", 17: "BADKEY", 18: "BADTIME",
    19: "BADMODE", 20: "BADNAME", 21: "BADALG", 22: "BADTRUNC", 23: "BADCOOKIE",
}
CLASS_NAMES = {1: "IN", 3: "CH", 4: "HS", 254: "NONE", 255: "ANY"}

FLAGS = ("aa", "tc", "rd", "ra", "z", "ad", "cd")
SECTIONS = (("answers", "answers"), ("authority", "authorities"),
            ("additional", "additionals"))

# --------------------------------------------------------------------------
# Finding IP fragments in a capture (pcap or pcapng).


def _l3_offset(linktype, frame):
    """(offset of the IP header, ethertype-ish hint) or None if unknown."""
    if linktype == 1:  # Ethernet, VLAN/QinQ, PPPoE session
        off = 12
        while len(frame) >= off + 2:
            et = struct.unpack_from("!H", frame, off)[0]
            if et in (0x8100, 0x88A8, 0x9100, 0x9200):
                off += 4
                continue
            if et == 0x8864:  # PPPoE session: 6-byte header, then PPP protocol
                if len(frame) < off + 10:
                    return None
                proto = struct.unpack_from("!H", frame, off + 8)[0]
                return off + 10 if proto in (0x0021, 0x0057) else None
            return off + 2 if et in (0x0800, 0x86DD) else None
        return None
    if linktype in (12, 14, 101, 228, 229):  # raw IP
        return 0
    if linktype in (0, 108):  # BSD loopback / OpenBSD loop: 4-byte family
        return 4
    if linktype == 113:  # Linux SLL
        return 16
    if linktype == 276:  # Linux SLL2
        return 20
    return None


def _ip_is_fragment(b):
    if not b:
        return False
    v = b[0] >> 4
    if v == 4 and len(b) >= 20:
        fo = struct.unpack_from("!H", b, 6)[0]
        return (fo & 0x3FFF) != 0  # MF set or offset != 0
    if v == 6 and len(b) >= 40:
        nh = b[6]
        off = 40
        for _ in range(16):
            if nh == 44:
                # An atomic fragment (offset 0, M clear; RFC 6946) is a whole
                # datagram, not a fragment.
                if len(b) < off + 8:
                    return False
                return (struct.unpack_from("!H", b, off + 2)[0] & 0xFFF9) != 0
            if nh in (0, 43, 60, 135, 139, 140):
                if len(b) < off + 2:
                    return False
                nh, off = b[off], off + 8 + 8 * b[off + 1]
            elif nh == 51:  # AH
                if len(b) < off + 2:
                    return False
                nh, off = b[off], off + 4 * (b[off + 1] + 2)
            else:
                return False
    return False


def _pcap_frames(data):
    """Yield (linktype, frame bytes) for every packet of a pcap/pcapng image."""
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    elif magic == b"\x0a\x0d\x0d\x0a":
        yield from _pcapng_frames(data)
        return
    else:
        return
    linktype = struct.unpack_from(e + "I", data, 20)[0] & 0x0FFFFFFF
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack_from(e + "I", data, off + 8)[0]
        yield linktype, data[off + 16:off + 16 + incl]
        off += 16 + incl


def _pcapng_frames(data):
    e = "<"
    links = []
    off = 0
    while off + 12 <= len(data):
        btype = struct.unpack_from(e + "I", data, off)[0]
        if btype == 0x0A0D0D0A:
            bom = data[off + 8:off + 12]
            e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            links = []
        blen = struct.unpack_from(e + "I", data, off + 4)[0]
        if blen < 12:
            return
        body = data[off + 8:off + blen - 4]
        if btype == 1 and len(body) >= 2:  # IDB
            links.append(struct.unpack_from(e + "H", body, 0)[0])
        elif btype == 6 and len(body) >= 20:  # EPB
            ifc, _, _, cap = struct.unpack_from(e + "IIII", body, 0)
            yield (links[ifc] if ifc < len(links) else None), body[20:20 + cap]
        elif btype == 3 and len(body) >= 4:  # SPB
            yield (links[0] if links else None), body[4:]
        elif btype == 2 and len(body) >= 20:  # obsolete PB
            ifc = struct.unpack_from(e + "H", body, 0)[0]
            cap = struct.unpack_from(e + "I", body, 12)[0]
            yield (links[ifc] if ifc < len(links) else None), body[20:20 + cap]
        off += blen


def fragment_frames(path):
    """Frame numbers (1-based, as tshark counts) whose IP header is a fragment."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return set()
    out = set()
    for n, (lt, fr) in enumerate(_pcap_frames(data), 1):
        off = _l3_offset(lt, fr)
        if off is not None and _ip_is_fragment(fr[off:]):
            out.add(n)
    return out

# --------------------------------------------------------------------------
# Presentation helpers (ldns format)


def norm_ip(s):
    try:
        return str(ipaddress.ip_address(s))
    except (ValueError, TypeError):
        return s


def label_pres(lab):
    out = []
    for c in lab:
        ch = chr(c)
        if ch in ".;()\\":
            out.append("\\" + ch)
        elif 0x21 <= c <= 0x7E:
            out.append(ch)
        else:
            out.append("\\%03d" % c)
    return "".join(out)


def wire_name(b, i):
    """Uncompressed wire name at b[i:] -> (presentation, next offset). A name
    that ends in a compression pointer (mDNS compresses NSEC's next name, RFC
    6762 18.14) cannot be expanded from the RDATA alone: it is returned as
    None, a wildcard token that matches whatever dnsring printed."""
    labels = []
    while True:
        if i >= len(b):
            raise ValueError("name past end")
        n = b[i]
        if n == 0:
            i += 1
            break
        if n & 0xC0 == 0xC0:
            if i + 2 > len(b):
                raise ValueError("pointer past end")
            return None, i + 2
        if n & 0xC0:
            raise ValueError("extended label type")
        labels.append(b[i + 1:i + 1 + n])
        if len(labels[-1]) != n:
            raise ValueError("label past end")
        i += 1 + n
    return (".".join(label_pres(lab) for lab in labels) + ".") if labels else ".", i


def char_strings(b, i=0, end=None):
    """ldns rendering of <character-string>s: "..." with \\" \\\\ and \\DDD."""
    end = len(b) if end is None else end
    out = []
    while i < end:
        n = b[i]
        s = b[i + 1:i + 1 + n]
        if len(s) != n:
            raise ValueError("string past end")
        out.append(quote(s))
        i += 1 + n
    return out


def quote(s):
    chars = []
    for c in s:
        ch = chr(c)
        if ch in '"\\':
            chars.append("\\" + ch)
        elif 0x20 <= c <= 0x7E:
            chars.append(ch)
        else:
            chars.append("\\%03d" % c)
    return '"' + "".join(chars) + '"'


def type_mnemonic(t):
    return RRTYPES.get(t, "TYPE%d" % t)


def bitmap_types(b, i):
    types = []
    while i < len(b):
        win, ln = b[i], b[i + 1]
        bm = b[i + 2:i + 2 + ln]
        if len(bm) != ln:
            raise ValueError("bitmap past end")
        for j, byte in enumerate(bm):
            for bit in range(8):
                if byte & (0x80 >> bit):
                    types.append(type_mnemonic(win * 256 + j * 8 + bit))
        i += 2 + ln
    return types


def ldns_time(v):
    return datetime.datetime.fromtimestamp(v, datetime.timezone.utc).strftime("%Y%m%d%H%M%S")


def b64(b):
    return base64.b64encode(b).decode()


# Renderings of RDATA bytes, as lists of tokens (compared token by token, since
# ldns's spacing is its own: NSEC/NSEC3 bitmaps end with a space, NSEC3 puts
# two spaces after the salt, TSIG after the time) or as one exact string
# (types holding quoted strings, where spaces are data).
def render_tokens(t, b):
    # (An empty digest / key / signature field is an empty token: dropped.)
    if t in (43, 59, 32769):  # DS, CDS, DLV
        kt, alg, dt = struct.unpack_from("!HBB", b)
        return [str(kt), str(alg), str(dt), b[4:].hex()]
    if t == 44:  # SSHFP
        return [str(b[0]), str(b[1]), b[2:].hex()]
    if t in (52, 53):  # TLSA, SMIMEA
        return [str(b[0]), str(b[1]), str(b[2]), b[3:].hex()]
    if t in (25, 48, 60):  # KEY, DNSKEY, CDNSKEY
        fl, pr, alg = struct.unpack_from("!HBB", b)
        return [str(fl), str(pr), str(alg), b64(b[4:])]
    if t in (24, 46):  # SIG, RRSIG
        tc, alg, lab, ottl, exp, inc, kt = struct.unpack_from("!HBBIIIH", b)
        signer, i = wire_name(b, 18)
        return [type_mnemonic(tc), str(alg), str(lab), str(ottl), ldns_time(exp),
                ldns_time(inc), str(kt), signer, b64(b[i:])]
    if t == 47:  # NSEC
        nxt, i = wire_name(b, 0)
        return [nxt] + bitmap_types(b, i)
    if t == 50:  # NSEC3
        alg, fl, it, sl = struct.unpack_from("!BBHB", b)
        salt = b[5:5 + sl].hex() if sl else "-"
        hl = b[5 + sl]
        nxt = base64.b32hexencode(b[6 + sl:6 + sl + hl]).decode().rstrip("=").lower()
        return [str(alg), str(fl), str(it), salt, nxt] + bitmap_types(b, 6 + sl + hl)
    if t == 51:  # NSEC3PARAM
        alg, fl, it, sl = struct.unpack_from("!BBHB", b)
        return [str(alg), str(fl), str(it), b[5:5 + sl].hex() if sl else "-"]
    if t == 250:  # TSIG
        alg, i = wire_name(b, 0)
        hi, lo, fudge, ms = struct.unpack_from("!HIHH", b, i)
        mac = b[i + 10:i + 10 + ms]
        oid, err, ol = struct.unpack_from("!HHH", b, i + 10 + ms)
        other = b[i + 16 + ms:i + 16 + ms + ol]
        toks = [alg, str(hi << 32 | lo), str(fudge), str(ms), b64(mac), str(oid),
                str(err), str(ol)]
        if ol:
            toks.append(b64(other))
        return toks
    return None


def render_exact(t, b):
    if t in (16, 99):  # TXT, SPF
        return " ".join(char_strings(b))
    if t == 13:  # HINFO
        return " ".join(char_strings(b))
    if t == 257:  # CAA: flags tag "value"
        fl, tl = b[0], b[1]
        return "%d %s %s" % (fl, b[2:2 + tl].decode("latin-1"), quote(b[2 + tl:]))
    if t == 256:  # URI: priority weight "target"
        pr, w = struct.unpack_from("!HH", b)
        return "%d %d %s" % (pr, w, quote(b[4:]))
    return None

# --------------------------------------------------------------------------
# Names


def unescape(s):
    """Presentation text -> bytes (\\DDD and \\X decoded)."""
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 3 < len(s) + 0 and s[i + 1:i + 4].isdigit():
            out.append(int(s[i + 1:i + 4]) & 0xFF)
            i += 4
        elif c == "\\" and i + 1 < len(s):
            out.extend(s[i + 1].encode("utf-8"))
            i += 2
        else:
            out.extend(c.encode("utf-8"))
            i += 1
    return bytes(out)


def loose_name(s):
    """tshark lost information in some names (names_exact false): it shows
    odd bytes as UTF-8 text, escapes or U+FFFD (one per byte, where Python
    makes one per invalid sequence) and may drop the trailing dot. Compare
    the decoded bytes as text, case-folded, every run of characters outside
    printable ASCII collapsed to one "?", without the trailing dot."""
    if s is None:
        return None
    t = unescape(s).decode("utf-8", "replace").lower().rstrip(".")
    return re.sub(r"[^\x20-\x7e]+", "?", t)


def loose_text(s):
    """Same, for whole RDATA strings that contain names (MX, SOA, SRV...)."""
    return " ".join(loose_name(tok) for tok in s.split(" "))

# --------------------------------------------------------------------------
# Comparing one message


class Diff:
    def __init__(self):
        self.items = []  # (field, expected, got, note)
        self.compared = 0
        self.rdata_skipped = collections.Counter()
        self.rdata_how = collections.Counter()

    def eq(self, field, exp, got, note=""):
        self.compared += 1
        if exp != got:
            self.items.append((field, exp, got, note))
            return False
        return True

    def add(self, field, exp, got, note=""):
        self.compared += 1
        self.items.append((field, exp, got, note))


def iso_ts(epoch):
    """tshark "SECONDS.MICROSECONDS" -> dnsring's ISO 8601 form."""
    sec, _, frac = epoch.partition(".")
    dt = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=int(sec))
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + "." + (frac + "000000")[:6] + "Z"


def name_table(d, field, num, table, prefix, got):
    exp = table.get(num, "%s%d" % (prefix, num))
    d.eq(field, exp, got)


def compare_name(d, field, exp, got, exact):
    if exp is None:
        return  # tshark could not give this name at all
    if exact:
        d.eq(field, exp, got)
    elif loose_name(exp) != loose_name(got):
        d.add(field, exp, got, "loose")
    else:
        d.compared += 1


def compare_rdata(d, field, err, got, exact):
    """err: the expected RR; got: dnsring's RR."""
    t = err.get("type_num")
    rd = got.get("rdata")
    hexs = err.get("rdata_hex")
    raw = bytes.fromhex(hexs) if hexs is not None else None
    if rd is not None and rd.startswith("\\# "):
        # RFC 3597 generic form: exactly the RDATA bytes.
        if raw is None:
            d.rdata_skipped[got.get("type_name")] += 1
            return
        d.rdata_how["RFC 3597 form vs rdata_hex"] += 1
        d.eq(field, "\\# %d %s" % (len(raw), raw.hex()), rd)
        return
    data = err.get("data")
    if data is not None:
        d.rdata_how["tshark text"] += 1
        if t == 28:
            # AAAA: tshark and inet_ntop may print the same address differently
            # (IPv4-mapped and IPv4-compatible forms); compare address values.
            d.eq(field, norm_ip(data), norm_ip(rd))
        elif exact or t in (1, 28, 16, 99):
            d.eq(field, data, rd)
        elif loose_text(data) != loose_text(rd):
            d.add(field, data, rd, "loose")
        else:
            d.compared += 1
        return
    if raw is None:
        d.rdata_skipped[got.get("type_name")] += 1
        return
    if len(raw) == 0:
        # ldns has no fields to print for empty RDATA (UPDATE deletions).
        d.rdata_how["empty"] += 1
        d.eq(field, "", rd)
        return
    try:
        toks = render_tokens(t, raw)
        exact_s = None if toks is not None else render_exact(t, raw)
    except (struct.error, ValueError, IndexError):
        toks = exact_s = None
        d.rdata_skipped["%s(unparsable)" % got.get("type_name")] += 1
        return
    if toks is not None or exact_s is not None:
        d.rdata_how["rendered from rdata_hex"] += 1
    if toks is not None:
        toks = [tk for tk in toks if tk != ""]
        gt = rd.split()
        if len(toks) == len(gt):
            # None: a compressed name in RDATA, not comparable from the bytes
            toks = [gt[i] if tk is None else tk for i, tk in enumerate(toks)]
        d.eq(field, " ".join(str(tk) for tk in toks), " ".join(gt))
    elif exact_s is not None:
        d.eq(field, exact_s, rd)
    else:
        d.rdata_skipped[got.get("type_name")] += 1


def compare_rr(d, field, e, g, exact, question):
    compare_name(d, field + ".name", e.get("name"), g.get("name"), exact)
    d.eq(field + ".type", e.get("type_num"), g.get("type"))
    if e.get("type") and not e["type"].startswith("TYPE"):
        d.eq(field + ".type_name", e["type"], g.get("type_name"))
    elif isinstance(g.get("type"), int) and g.get("type_name", "").startswith("TYPE"):
        d.eq(field + ".type_name", "TYPE%d" % g["type"], g.get("type_name"))
    d.eq(field + ".class", e.get("class"), g.get("class"))
    if isinstance(g.get("class"), int):
        name_table(d, field + ".class_name", g["class"], CLASS_NAMES, "CLASS",
                   g.get("class_name"))
    if question:
        return
    if "ttl" in e:
        d.eq(field + ".ttl", e.get("ttl"), g.get("ttl"))
        compare_rdata(d, field + ".rdata", e, g, exact)


def compare_message(e, g, frag_frames):
    """e: expected line, g: dnsring record -> Diff."""
    d = Diff()
    d.eq("ts", iso_ts(e["ts"]), g.get("ts"))
    d.eq("src_ip", norm_ip(e["src"]), norm_ip(g.get("src_ip")))
    d.eq("dst_ip", norm_ip(e["dst"]), norm_ip(g.get("dst_ip")))
    d.eq("src_port", e["sport"], g.get("src_port"))
    d.eq("dst_port", e["dport"], g.get("dst_port"))
    d.eq("transport", e["proto"], g.get("transport"))
    d.eq("ip_version", e["ipv"], g.get("ip_version"))
    layers = (e.get("layers") or "").split(":")
    d.eq("vlan.count", layers.count("vlan"), len(g.get("vlan", [])))
    d.eq("ip_defragmented", e["frame"] in frag_frames, g.get("ip_defragmented"))

    exp_bad = bool(e.get("malformed") or e.get("short") or e.get("name_error"))
    got_bad = g.get("malformed") is True
    if exp_bad != got_bad:
        why = [k for k in ("malformed", "short", "name_error") if e.get(k)]
        note = ("tshark: %s%s" % ("+".join(why), ("; " + "; ".join(e.get("expert") or []))
                                  if e.get("expert") else "")) if exp_bad else \
            "dnsring: %s" % g.get("error")
        d.add("malformed", exp_bad, got_bad, note)
    else:
        d.compared += 1
    if exp_bad and got_bad and e.get("short"):
        d.eq("error", "truncated_capture", g.get("error"))
    elif got_bad and g.get("error") == "truncated_capture":
        # tshark's "short" is exactly [Packet size limited]: caplen < frame length
        d.add("error", "not truncated_capture: the frame was captured whole",
              g.get("error"))
    if exp_bad and got_bad and e.get("name_error") and not e.get("short"):
        err = g.get("error") or ""
        if not err.startswith("name_"):
            d.add("error", "name_*", err)

    # Header
    if "id" not in g:
        # A record without the header is right for a message shorter than
        # 12 bytes: tshark then misses some header count (it read what was
        # there). A record_too_large stub has no header either.
        c = e.get("counts") or {}
        if g.get("error") != "record_too_large" and None not in c.values():
            d.add("id", e.get("id"), None, "no header in the record, tshark saw a whole header")
        return d
    d.eq("id", e["id"], g.get("id"))
    d.eq("qr", e["qr"], {"query": 0, "response": 1}.get(g.get("qr")))
    d.eq("opcode", e["opcode"], g.get("opcode"))
    if isinstance(g.get("opcode"), int):
        name_table(d, "opcode_name", g["opcode"], OPCODE_NAMES, "OPCODE",
                   g.get("opcode_name"))
    if got_bad and "edns" not in g:
        # dnsring could not read the OPT RR of a malformed message: it reports
        # the 4 header bits.
        d.eq("rcode", e["rcode"], g.get("rcode"))
    else:
        d.eq("rcode", e["rcode_ext"] if e.get("rcode_ext") is not None else e["rcode"],
             g.get("rcode"))
    if isinstance(g.get("rcode"), int):
        name_table(d, "rcode_name", g["rcode"], RCODE_NAMES, "RCODE", g.get("rcode_name"))
    ef = e.get("flags") or {}
    gf = g.get("flags") or {}
    for f in FLAGS:
        d.eq("flags." + f, ef.get(f), int(gf[f]) if f in gf else None)
    c = e.get("counts") or {}
    for k, gk in (("qd", "qdcount"), ("an", "ancount"), ("ns", "nscount"), ("ar", "arcount")):
        d.eq(gk, c.get(k), g.get(gk))
    if exp_bad or got_bad:
        return d

    exact = bool(e.get("names_exact"))
    # Question section
    eq = e.get("questions") or []
    gq = g.get("queries") or []
    if d.eq("queries.count", len(eq), len(gq)):
        for i, (qe, qg) in enumerate(zip(eq, gq)):
            compare_rr(d, "queries[%d]" % i, qe, qg, exact, True)
    # RR sections
    for ek, gk in SECTIONS:
        er = e.get(ek) or []
        gr = g.get(gk) or []
        if d.eq(gk + ".count", len(er), len(gr)):
            for i, (re_, rg) in enumerate(zip(er, gr)):
                compare_rr(d, "%s[%d]" % (gk, i), re_, rg, exact, False)
    # EDNS
    ee = e.get("edns")
    ge = g.get("edns")
    if d.eq("edns.present", ee is not None, ge is not None) and ee is not None:
        d.eq("edns.udp_size", ee.get("udp_size"), ge.get("udp_size"))
        d.eq("edns.version", ee.get("version"), ge.get("version"))
        d.eq("edns.do", ee.get("do"), int(ge["do"]) if "do" in ge else None)
        d.eq("edns.options", [o.get("code") for o in ee.get("options") or []],
             [o.get("code") for o in ge.get("options") or []])
    return d

# --------------------------------------------------------------------------
# One capture


def msg_key(src, sport, dst, dport, mid, qr):
    return (norm_ip(src), sport, norm_ip(dst), dport, mid, qr)


def load_jsonl(path):
    out = []
    with open(path, "rb") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if line:
                try:
                    out.append(json.loads(line.decode("utf-8")))
                except ValueError as ex:
                    raise SystemExit("%s:%d: not JSON: %s" % (path, n, ex))
    return out


class FileResult:
    def __init__(self, capture):
        self.capture = capture
        self.expected = 0
        self.considered = 0
        self.skipped = collections.Counter()  # why expected messages were not considered
        self.records = 0
        self.matched = 0
        self.identical = 0
        self.accepted_msgs = 0
        self.failed_msgs = 0
        self.missing = []      # considered expected messages without a record
        self.unexpected = []   # records without an expected counterpart
        self.out_of_scope = 0  # records matching a not-considered expected message
        self.problems = []     # (frame, field, exp, got, note)
        self.accepted = []     # (frame, field, exp, got, note, reason)
        self.fields = 0
        self.rdata_skipped = collections.Counter()
        self.rdata_how = collections.Counter()


def find_accept(table, capture, frame, field):
    for i, a in enumerate(table):
        if a["capture"] != capture:
            continue
        frames = a.get("frames", "*")
        if frames != "*" and frame not in frames:
            continue
        if fnmatch.fnmatchcase(field, a["field"]):
            return i
    return None


def compare_file(capture, exp_path, got_path, cap_path, transports, include_frags,
                 table, used):
    r = FileResult(capture)
    expected = load_jsonl(exp_path)
    r.expected = len(expected)
    got = load_jsonl(got_path) if os.path.exists(got_path) else None
    if got is None:
        r.unexpected.append(("no output file", got_path))
        return r
    frags = fragment_frames(cap_path)

    queues = collections.defaultdict(collections.deque)
    for e in expected:
        why = None
        if not e.get("std_port"):
            why = "non-standard port"
        elif e.get("tunnel"):
            why = "tunnel"
        elif e.get("proto") not in transports:
            why = "transport %s not compared" % e.get("proto")
        elif e.get("frame") in frags and not include_frags:
            why = "IP fragments (not yet supported)"
        e["_why"] = why
        if why:
            r.skipped[why] += 1
        else:
            r.considered += 1
        queues[msg_key(e["src"], e["sport"], e["dst"], e["dport"], e.get("id"),
                       e.get("qr"))].append(e)

    for g in got:
        if g.get("transport") not in transports:
            continue
        r.records += 1
        qr = {"query": 0, "response": 1}.get(g.get("qr"))
        k = msg_key(g.get("src_ip"), g.get("src_port"), g.get("dst_ip"),
                    g.get("dst_port"), g.get("id"), qr)
        q = queues.get(k)
        if not q and "id" not in g:
            # No header in the record (fewer than 12 bytes, or a stub): tshark
            # may still have read an ID from the first bytes. Take the
            # earliest unmatched expected message of the same flow.
            heads = [qq for kk, qq in queues.items() if kk[:4] == k[:4] and qq]
            q = min(heads, key=lambda qq: qq[0]["frame"]) if heads else None
        if not q:
            r.unexpected.append((g.get("ts"), "%s:%s > %s:%s id=%s qr=%s" % k[:6]))
            continue
        e = q.popleft()
        e["_matched"] = True
        if e["_why"]:
            r.out_of_scope += 1
            continue
        r.matched += 1
        d = compare_message(e, g, frags)
        r.fields += d.compared
        r.rdata_skipped.update(d.rdata_skipped)
        r.rdata_how.update(d.rdata_how)
        bad = acc = 0
        for field, ev, gv, note in d.items:
            i = find_accept(table, capture, e["frame"], field)
            if i is None:
                bad += 1
                r.problems.append((e["frame"], field, ev, gv, note))
            else:
                acc += 1
                used.add(i)
                r.accepted.append((e["frame"], field, ev, gv, note, table[i]["reason"]))
        if bad:
            r.failed_msgs += 1
        elif acc:
            r.accepted_msgs += 1
        else:
            r.identical += 1

    for e in expected:
        if not e["_why"] and not e.get("_matched"):
            r.missing.append((e["frame"], "%s:%s > %s:%s id=%s qr=%s %s" % (
                e["src"], e["sport"], e["dst"], e["dport"], e.get("id"), e.get("qr"),
                e.get("layers"))))
    return r

# --------------------------------------------------------------------------


def short(v, n=120):
    s = json.dumps(v) if not isinstance(v, str) else v
    return s if len(s) <= n else s[:n] + "..."


def main():
    ap = argparse.ArgumentParser(description="Compare dnsring NDJSON with tshark expectations.")
    ap.add_argument("real_dir", help="corpus/real (holds MANIFEST.json and the captures)")
    ap.add_argument("out_dir", help="dnsring outputs: OUT_DIR/<capture>.ndjson")
    ap.add_argument("--transports", default="udp",
                    help="comma-separated transports to compare (default udp; later udp,tcp)")
    ap.add_argument("--category", default="core",
                    help="comma-separated MANIFEST categories (default core)")
    ap.add_argument("--only", action="append",
                    help="fnmatch pattern over capture paths (repeatable)")
    ap.add_argument("--include-fragments", action="store_true",
                    help="also consider messages that arrived in IP fragments")
    ap.add_argument("--allow", help="JSON file with more accepted disagreements "
                    "([{capture, frames, field, reason}, ...])")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="also list accepted disagreements and not-compared RDATA")
    ap.add_argument("--max-problems", type=int, default=20,
                    help="problems listed per file (default 20)")
    args = ap.parse_args()

    transports = set(t.strip() for t in args.transports.split(",") if t.strip())
    cats = set(c.strip() for c in args.category.split(","))
    table = list(ACCEPTED)
    if args.allow:
        with open(args.allow) as f:
            table.extend(json.load(f))
    for a in table:
        if not a.get("reason"):
            raise SystemExit("accepted disagreement without a reason: %r" % (a,))

    with open(os.path.join(args.real_dir, "MANIFEST.json")) as f:
        manifest = json.load(f)
    files = [m["file"] for m in manifest["files"] if m.get("category") in cats]
    if args.only:
        files = [p for p in files if any(fnmatch.fnmatchcase(p, o) for o in args.only)]

    used = set()
    results = []
    for p in files:
        r = compare_file(p, os.path.join(args.real_dir, p + ".expected.jsonl"),
                         os.path.join(args.out_dir, p + ".ndjson"),
                         os.path.join(args.real_dir, p), transports,
                         args.include_fragments, table, used)
        results.append(r)

    tot = collections.Counter()
    skipped = collections.Counter()
    rskip = collections.Counter()
    rhow = collections.Counter()
    failing = 0
    for r in results:
        for k in ("expected", "considered", "records", "matched", "identical",
                  "accepted_msgs", "failed_msgs", "out_of_scope", "fields"):
            tot[k] += getattr(r, k)
        tot["missing"] += len(r.missing)
        tot["unexpected"] += len(r.unexpected)
        tot["problems"] += len(r.problems)
        tot["accepted"] += len(r.accepted)
        skipped.update(r.skipped)
        rskip.update(r.rdata_skipped)
        rhow.update(r.rdata_how)
        bad = r.problems or r.missing or r.unexpected
        if bad:
            failing += 1
        if bad or args.verbose:
            print("%s %s: expected %d, considered %d, records %d, matched %d, identical %d, "
                  "accepted %d, disagreeing %d, missing %d, unexpected %d%s" % (
                      "FAIL" if bad else "ok  ", r.capture, r.expected, r.considered,
                      r.records, r.matched, r.identical, r.accepted_msgs, r.failed_msgs,
                      len(r.missing), len(r.unexpected),
                      (", not considered: " + ", ".join("%s %d" % kv for kv in
                                                        sorted(r.skipped.items())))
                      if r.skipped else ""))
        for frame, field, ev, gv, note in r.problems[:args.max_problems]:
            print("    frame %s: %s: expected %s, got %s%s" % (
                frame, field, short(ev), short(gv), (" (%s)" % note) if note else ""))
        if len(r.problems) > args.max_problems:
            print("    ... %d more" % (len(r.problems) - args.max_problems))
        for frame, what in r.missing[:args.max_problems]:
            print("    frame %s: no dnsring record for %s" % (frame, what))
        for ts, what in r.unexpected[:args.max_problems]:
            print("    record %s: no expected message for %s" % (ts, what))
        if args.verbose:
            for frame, field, ev, gv, note, reason in r.accepted:
                print("    accepted frame %s: %s: expected %s, got %s: %s" % (
                    frame, field, short(ev, 60), short(gv, 60), reason))

    for i, a in enumerate(table):
        if i not in used:
            print("note: accepted disagreement not seen (fixed? remove it): %s frames %s %s"
                  % (a["capture"], a.get("frames", "*"), a["field"]))
    print("not considered: " + (", ".join("%s %d" % kv for kv in sorted(skipped.items()))
                               or "none"))
    print("rdata compared: " + (", ".join("%s %d" % kv for kv in sorted(rhow.items()))
                                or "none"))
    if rskip:
        print("rdata not compared (no tshark text, no renderer here): " +
              ", ".join("%s %d" % kv for kv in sorted(rskip.items())))
    cons = tot["considered"]
    agree = tot["identical"] + tot["accepted_msgs"]
    print("corpus_compare: %d captures, %d expected messages, %d considered (%s), "
          "%d records" % (len(results), tot["expected"], cons, ",".join(sorted(transports)),
                          tot["records"]))
    print("corpus_compare: matched %d, identical %d, accepted differences %d (in %d messages), "
          "unaccepted %d (in %d messages), missing %d, unexpected %d, out of scope %d; "
          "%d fields compared" % (
              tot["matched"], tot["identical"], tot["accepted"], tot["accepted_msgs"],
              tot["problems"], tot["failed_msgs"], tot["missing"], tot["unexpected"],
              tot["out_of_scope"], tot["fields"]))
    print("agreement: %d/%d considered messages (%.2f%%) agree with tshark, %d identical "
          "(%.2f%%); %d captures failing" % (
              agree, cons, 100.0 * agree / cons if cons else 100.0, tot["identical"],
              100.0 * tot["identical"] / cons if cons else 100.0, failing))
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
