#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/files.sh: end to end on the benchmark captures $DNSRING_CORPUS/bench/
# dns-10k.pcap and its VLAN-tagged twin dns-10k-vlan.pcap:
#   - one record per DNS message over UDP that is not in IP fragments, the
#     number derived independently of dnsring (tshark, else the stats file);
#   - the twin gives the same records plus "vlan":[100] on every one;
#   - every line valid against docs/schema.json;
#   - -w 1 and -w 2 give the same records; -c 100 gives 100; -r - (stdin)
#     and a pcapng copy give the same output as -r FILE;
#   - the summary counts the TCP segments and IP fragments it does not
#     decode yet.
# Skips (77) without the corpus.
. "$SRCDIR/tests/lib.sh"

need_corpus
BENCH=$DNSRING_CORPUS/bench
F=$BENCH/dns-10k.pcap
FV=$BENCH/dns-10k-vlan.pcap
STATS=$BENCH/dns-10k.stats.txt
for f in "$F" "$FV" "$STATS"; do
	[ -f "$f" ] || skip "missing $f"
done
[ -x "$DNSRING" ] || { fail "no dnsring binary at $DNSRING"; finish; exit 1; }

PY=$(find_python) || PY=
ANYPY=$PY
[ -n "$ANYPY" ] || ANYPY=$(command -v python3 || true)
HAVE_TSHARK=
command -v tshark >/dev/null 2>&1 && HAVE_TSHARK=1

# run NAME ARGS...: dnsring ARGS > $TMP/NAME.out, stderr in $TMP/NAME.err
run() {
	name=$1
	shift
	if ! "$DNSRING" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"; then
		fail "dnsring $* exited with $?: $(tail -n 1 "$TMP/$name.err")"
		return 1
	fi
	return 0
}

lines() { wc -l <"$1" | tr -d ' '; }

stat_value() { awk -v k="$1" '$1 == k { print $2; exit }' "$STATS"; }

# ---- the expected number of records --------------------------------------
# Every DNS message on port 53: over UDP (including the ones carried in IP
# fragments) and over TCP (several messages per segment count separately,
# one message over several segments once). The stats file made with the
# capture gives the totals; tshark, when installed, confirms them on its own:
# it reports each message's dns.id once, in the frame that completes it
# (ICMP errors quoting a query are not messages).
want=$(stat_value dns_messages)
want_tcp=$(( $(stat_value msgs_ipv4_tcp) + $(stat_value msgs_ipv6_tcp) ))
how="$(basename "$STATS")"
want_defrag=
want_frags=
if [ -n "$HAVE_TSHARK" ]; then
	ids() { tshark -n -r "$F" -Y "$1" -T fields -e dns.id 2>/dev/null | tr ',' '\n' | grep -c .; }
	assert_eq "tshark: DNS messages (dns_messages in $how)" "$want" "$(ids 'dns && !icmp && !icmpv6')"
	assert_eq "tshark: DNS messages over TCP (msgs_*_tcp in $how)" "$want_tcp" \
		"$(ids 'dns && tcp && !icmp && !icmpv6')"
	want_defrag=$(ids 'dns && udp && !icmp && !icmpv6 && (ip.fragments || ipv6.fragments)')
	want_frags=$(tshark -n -r "$F" -o ip.defragment:FALSE -o ipv6.defragment:FALSE \
		-Y '(ip.flags.mf == 1 || ip.frag_offset > 0 || ipv6.fragment) && !icmp && !icmpv6' \
		2>/dev/null | wc -l | tr -d ' ')
	how="$how, confirmed by tshark"
fi

# ---- counts, VLAN twin, schema ---------------------------------------------
run plain -r "$F" -w 1
run vlan -r "$FV" -w 1
if [ -n "$want" ]; then
	assert_eq "records from dns-10k.pcap (expected from $how)" "$want" "$(lines "$TMP/plain.out")"
	assert_eq "records from dns-10k-vlan.pcap (expected from $how)" "$want" "$(lines "$TMP/vlan.out")"
else
	echo "SKIP: record count: neither tshark nor python3 to derive it"
fi

# Records carry ts first and no iface for file input, so the VLAN member
# directly follows ts. Every twin record must have exactly [100] there, and
# without it the twin's output must be byte-identical to the untagged one.
tagged=$(grep -c '^{"ts":"[^"]*","vlan":\[100\],"src_ip":' "$TMP/vlan.out")
assert_eq "records with \"vlan\":[100] in the twin" "$(lines "$TMP/vlan.out")" "$tagged"
untagged_vlan=$(grep -c '^{"ts":"[^"]*","vlan":' "$TMP/plain.out")
assert_eq "records with a vlan member in the untagged file" 0 "$untagged_vlan"
sed 's/^\({"ts":"[^"]*"\),"vlan":\[100\],/\1,/' "$TMP/vlan.out" >"$TMP/vlan.stripped"
if cmp -s "$TMP/plain.out" "$TMP/vlan.stripped"; then
	pass "twin records = untagged records + \"vlan\":[100]"
else
	fail "twin records differ from the untagged ones beyond \"vlan\":[100]:"
	diff "$TMP/plain.out" "$TMP/vlan.stripped" | head -n 6 | cut -c 1-300 >&2
fi

if [ -n "$PY" ]; then
	for n in plain vlan; do
		if "$PY" "$SRCDIR/tests/validate_schema.py" "$SRCDIR/docs/schema.json" \
			"$TMP/$n.out" >"$TMP/$n.val" 2>&1; then
			pass "$n: $(tail -n 1 "$TMP/$n.val")"
		else
			cat "$TMP/$n.val" >&2
			fail "$n: records do not validate against docs/schema.json"
		fi
	done
else
	echo "SKIP: schema validation: no python3 with jsonschema"
fi

# ---- transports, reassembly, and the summary -----------------------------
assert_eq "records over TCP" "$want_tcp" "$(grep -c '"transport":"tcp"' "$TMP/plain.out")"
multi=$(grep -c '"tcp_reassembled":true' "$TMP/plain.out")
[ "$multi" -gt 0 ] && pass "TCP messages over several segments: $multi" ||
	fail "no record has tcp_reassembled:true"
if [ -n "$want_defrag" ]; then
	assert_eq "records from reassembled IP fragments (tshark)" "$want_defrag" \
		"$(grep -c '"ip_defragmented":true' "$TMP/plain.out")"
fi
# "  ip frags:    N fragments, M datagrams reassembled; dropped: 0 ..."
frag_line=$(grep '^  ip frags:' "$TMP/plain.err")
nfr=$(printf '%s\n' "$frag_line" | sed -n 's/^  ip frags: *\([0-9]*\) fragments.*/\1/p')
[ -n "$want_frags" ] && assert_eq "summary: IP fragment frames (tshark)" "$want_frags" "$nfr"
case $frag_line in
*"dropped: 0 incomplete (timed out or at exit), 0 evicted, 0 overlapping, 0 too big, 0 cut by snaplen, 0 inconsistent"*)
	pass "summary: no fragment dropped" ;;
*) fail "summary: fragments dropped or line missing: '$frag_line'" ;;
esac
tcp_line=$(grep '^  tcp:' "$TMP/plain.err")
ntcp=$(printf '%s\n' "$tcp_line" | sed -n 's/.* segments, \([0-9]*\) messages.*/\1/p')
assert_eq "summary: TCP messages" "$want_tcp" "$ntcp"
case $tcp_line in
*" 0 bytes skipped unsynced, 0 gaps (bytes never seen), 0 streams evicted"*) pass "summary: no TCP bytes lost" ;;
*) fail "summary: TCP loss or line missing: '$tcp_line'" ;;
esac
grep -q 'not yet supported' "$TMP/plain.err" && fail "summary still says 'not yet supported'"
assert_eq "summary of the twin: same reassembly lines" "$frag_line$tcp_line" \
	"$(grep '^  ip frags:' "$TMP/vlan.err")$(grep '^  tcp:' "$TMP/vlan.err")"

# ---- workers, -c, stdin, pcapng --------------------------------------------
run w2 -r "$F" -w 2
sort "$TMP/plain.out" >"$TMP/plain.sorted"
sort "$TMP/w2.out" >"$TMP/w2.sorted"
if cmp -s "$TMP/plain.sorted" "$TMP/w2.sorted"; then
	pass "-w 1 and -w 2: the same $(lines "$TMP/w2.out") records"
else
	fail "-w 1 and -w 2 give different records ($(lines "$TMP/plain.out") vs $(lines "$TMP/w2.out") lines)"
fi

run count -r "$F" -c 100
assert_eq "-c 100 lines" 100 "$(lines "$TMP/count.out")"

if "$DNSRING" -r - -w 1 <"$F" >"$TMP/stdin.out" 2>"$TMP/stdin.err"; then
	if cmp -s "$TMP/plain.out" "$TMP/stdin.out"; then
		pass "-r - (stdin) = -r FILE"
	else
		fail "-r - (stdin) differs from -r FILE ($(lines "$TMP/stdin.out") vs $(lines "$TMP/plain.out") lines)"
	fi
else
	fail "dnsring -r - exited with $?: $(tail -n 1 "$TMP/stdin.err")"
fi

if command -v editcap >/dev/null 2>&1; then
	if editcap -F pcapng "$F" "$TMP/dns-10k.pcapng" >/dev/null 2>&1; then
		if run pcapng -r "$TMP/dns-10k.pcapng" -w 1; then
			if cmp -s "$TMP/plain.out" "$TMP/pcapng.out"; then
				pass "pcapng copy (editcap -F pcapng) = pcap"
			else
				fail "pcapng copy gives different records ($(lines "$TMP/pcapng.out") vs $(lines "$TMP/plain.out") lines)"
				diff "$TMP/plain.out" "$TMP/pcapng.out" | head -n 4 | cut -c 1-300 >&2
			fi
		fi
	else
		fail "editcap -F pcapng failed"
	fi
else
	echo "SKIP: pcapng: no editcap (Wireshark's command-line tools)"
fi

# Query/response matching, checked independently of dnsring's table: pair
# records by (client, server, ports, id, question) with the query earlier;
# every such response must carry rtt_us = its ts minus the query's ts.
if [ -n "$PY" ]; then
	if "$PY" - "$TMP/plain.out" >"$TMP/rtt.txt" 2>&1 <<'PYEOF'
import json, sys
from datetime import datetime
def us(ts):
    d = datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ")
    return int(d.timestamp()) * 1000000 + d.microsecond
queries, bad, paired, unpaired = {}, 0, 0, 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("malformed") or not r["queries"]:
        continue
    q = r["queries"][0]
    qk = (q["name"].lower(), q["type"], q["class"])
    if r["qr"] == "query":
        k = (r["src_ip"], r["src_port"], r["dst_ip"], r["dst_port"], r["id"]) + qk
        queries.setdefault(k, us(r["ts"]))
        continue
    k = (r["dst_ip"], r["dst_port"], r["src_ip"], r["src_port"], r["id"]) + qk
    if k not in queries:
        unpaired += 1
        continue
    want = us(r["ts"]) - queries.pop(k)
    paired += 1
    if r.get("rtt_us") != want:
        bad += 1
        if bad < 4:
            print("rtt mismatch:", r.get("rtt_us"), "want", want, k)
print(paired, unpaired, bad)
sys.exit(1 if bad else 0)
PYEOF
	then
		read -r paired unpaired bad <"$TMP/rtt.txt"
		assert_eq "responses whose query is in the file without the right rtt_us" 0 "$bad"
		[ "$paired" -gt 4000 ] && pass "rtt_us checked on $paired responses ($unpaired without their query in the file)" ||
			fail "only $paired responses paired with their queries"
	else
		fail "rtt_us check: $(cat "$TMP/rtt.txt")"
	fi
fi

# --unanswered: each query that never got its response is logged once more,
# as itself plus "unanswered":true; so each such line without the flag must
# be one of the query records of the normal run, and their number must be
# the summary's unanswered count.
if run unans -r "$F" -w 1 --unanswered; then
	grep '"unanswered":true' "$TMP/unans.out" | sed 's/,"unanswered":true//' | sort >"$TMP/unans.q"
	n_un=$(lines "$TMP/unans.q")
	want_un=$(sed -n 's/.*; \([0-9]*\) queries unanswered.*/\1/p' "$TMP/plain.err")
	assert_eq "--unanswered records (the summary's unanswered queries)" "$want_un" "$n_un"
	grep '"qr":"query"' "$TMP/plain.out" | sort >"$TMP/plain.q"
	assert_eq "--unanswered records that are not a query of the normal run" 0 \
		"$(comm -23 "$TMP/unans.q" "$TMP/plain.q" | wc -l | tr -d ' ')"
	assert_eq "--unanswered: the other records unchanged" "$(lines "$TMP/plain.out")" \
		"$(grep -vc '"unanswered":true' "$TMP/unans.out")"
fi

finish
