#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/limits.sh: hostile traffic built to grow every table must keep
# dnsring's memory bounded, and what could not be kept must be counted.
#
# tests/limits_gen.py writes four captures (see there): fragments that never
# complete, half-open TCP streams, unanswered queries, and huge or lying DNS
# messages (a 65,507-byte TXT as one datagram, as fragments and over TCP; a
# record far larger than a batch; 65,535-count headers). Each runs through
# `dnsring -w 1 -r`, and the test asserts:
#  (a) peak RSS (/usr/bin/time %M, else getrusage from Python) stays under
#      RSS_BOUND_KB. With one worker everything dnsring allocates is capped:
#      8 output batches of 1 MiB, the query table (~4.5 MiB), the fragment
#      table (~4.6 MiB), the TCP table (~10 MiB), 16 file blocks of up to
#      512 KiB (what is used of them), decoder scratch (~0.4 MiB): at most
#      about 35 MiB, plus the process itself (libc, ldns, libuv, libpcap:
#      ~8 MiB). The bound, 48 MiB, leaves
#      room for allocator slack, not for growth with the input: each capture
#      more than fills the tables it aims at. Not checked under ASan
#      (shadow memory and quarantine are not dnsring's; (c) still is).
#  (b) the summary accounts for everything: fragments and streams are
#      either evicted or timed out (or open at exit), queries matched,
#      evicted or unanswered, every message a record, the oversized record a
#      stub, the lying headers malformed;
#  (c) peak RSS is flat: the captures with twice as many datagrams,
#      streams or queries (frags2, tcp2, queries2) peak within
#      RSS_FLAT_KB of the first ones;
#  (d) every output line is a JSON object, as many as records written.
# Needs python3 (the generator). Sub-checks whose summary line is missing
# (a build without reassembly) skip with a message.
. "${SRCDIR:-.}/tests/lib.sh"

RSS_BOUND_KB=49152
RSS_FLAT_KB=2048
PY=python3
command -v "$PY" >/dev/null 2>&1 || skip "python3 not found"
"$PY" "$SRCDIR/tests/limits_gen.py" "$TMP" >"$TMP/expect" || { fail "limits_gen.py failed"; finish; exit 1; }

asan=0
grep -q __asan_init "$DNSRING" 2>/dev/null && asan=1

# expect NAME KEY: a count limits_gen.py promised
expect() { sed -n "s/^$1 \(.* \)\{0,1\}$2=\([0-9]*\).*/\2/p" "$TMP/expect"; }

# num LABEL PHRASE: the number just before PHRASE on the summary line LABEL
num() {
	grep -F "$1" "$TMP/sum" | head -1 | sed -n "s/.*[^0-9]\([0-9][0-9]*\) $2.*/\1/p"
}

has() { grep -qF "$1" "$TMP/sum"; }

# run NAME [nojson]: dnsring -w 1 on NAME.pcap; sets RSS (peak, KiB),
# leaves the summary in $TMP/sum; checks the RSS bound and (unless nojson)
# that the output is one JSON object per record written.
run() {
	name=$1
	out=$TMP/out
	[ "${2:-}" = nojson ] && out=/dev/null
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M -o "$TMP/rss" "$DNSRING" -w 1 -r "$TMP/$name.pcap" \
			-o "$out" 2>"$TMP/sum"
	else
		"$PY" -c 'import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
open(sys.argv[1], "w").write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)' "$TMP/rss" "$DNSRING" -w 1 -r "$TMP/$name.pcap" -o "$out" 2>"$TMP/sum"
	fi
	rc=$?
	if [ "$rc" -ne 0 ]; then
		fail "$name: dnsring exited $rc"
		cat "$TMP/sum" >&2
		return 1
	fi
	RSS=$(tail -1 "$TMP/rss")
	if [ "$asan" -eq 1 ]; then
		echo "ok: $name: peak RSS ${RSS} KiB (ASan build: bound not checked)"
	elif [ "$RSS" -le "$RSS_BOUND_KB" ]; then
		pass "$name: peak RSS ${RSS} KiB <= $RSS_BOUND_KB KiB"
	else
		fail "$name: peak RSS ${RSS} KiB > $RSS_BOUND_KB KiB"
	fi
	[ "$out" = /dev/null ] && return 0
	lines=$("$PY" -c 'import json, sys
n = 0
for line in open(sys.argv[1], "rb"):
    if not isinstance(json.loads(line.decode("utf-8")), dict):
        raise SystemExit("not an object: %r" % line[:80])
    n += 1
print(n)' "$TMP/out") || { fail "$name: output is not one JSON object per line"; return 1; }
	assert_eq "$name: JSON lines = records written" "$(num 'records:' written)" "$lines"
	rm -f "$TMP/out"
	return 0
}

# flat NAME RSS1 RSS2: twice the input, (nearly) the same peak
flat() {
	if [ "$3" -le $(($2 + RSS_FLAT_KB)) ]; then
		pass "$1: RSS flat: ${2} KiB, ${3} KiB with twice the input"
	else
		fail "$1: RSS grows with the input: ${2} KiB, then ${3} KiB with twice as much"
	fi
}

# ---- fragments that never complete ----
frags() {
	if ! has "ip frags:"; then
		echo "SKIP: $1: no 'ip frags:' summary line (fragment reassembly not in this build)"
		return
	fi
	assert_eq "$1: fragments counted" "$(expect "$1" fragments)" "$(num 'ip frags:' fragments)"
	ev=$(num 'ip frags:' evicted)
	inc=$(num 'ip frags:' incomplete)
	assert_eq "$1: datagrams evicted + timed out" "$(expect "$1" datagrams)" "$((ev + inc))"
	[ "$ev" -gt 0 ] && pass "$1: $ev evicted (table full)" || fail "$1: nothing evicted"
	[ "$inc" -gt 1000 ] && pass "$1: $inc timed out" || fail "$1: only $inc timed out"
}
run frags && { frags frags; r1=$RSS; } && run frags2 nojson && { frags frags2; flat frags "$r1" "$RSS"; }

# ---- half-open TCP streams ----
tcp() {
	if ! has "tcp:"; then
		echo "SKIP: $1: no 'tcp:' summary line (TCP reassembly not in this build)"
		return
	fi
	assert_eq "$1: segments counted" "$(expect "$1" segments)" "$(num 'tcp:' segments)"
	ev=$(num 'tcp:' 'streams evicted')
	open=$(num 'tcp:' 'ended idle')
	assert_eq "$1: streams evicted + open at exit" "$(expect "$1" streams)" "$((ev + open))"
	[ "$ev" -gt 0 ] && pass "$1: $ev streams evicted" || fail "$1: nothing evicted"
	assert_eq "$1: messages" 0 "$(num 'tcp:' messages)"
}
run tcp && { tcp tcp; r1=$RSS; } && run tcp2 nojson && { tcp tcp2; flat tcp "$r1" "$RSS"; }

# ---- unanswered queries ----
queries() {
	n=$(expect "$1" queries)
	assert_eq "$1: records" "$n" "$(num 'records:' formed)"
	ev=$(num 'matching:' 'evicted')
	un=$(num 'matching:' 'queries unanswered')
	assert_eq "$1: evicted + unanswered" "$n" "$((ev + un))"
	[ "$ev" -gt 0 ] && pass "$1: $ev evicted (table full)" || fail "$1: nothing evicted"
}
run queries && { queries queries; r1=$RSS; } && run queries2 nojson && { queries queries2; flat queries "$r1" "$RSS"; }

# ---- huge and lying messages ----
if run big; then
	n=$(expect big messages)
	if has "tcp:" && has "ip frags:"; then
		assert_eq "big: DNS messages" "$n" "$(num 'dns:' messages)"
		assert_eq "big: datagrams reassembled" 1 "$(num 'ip frags:' 'datagrams reassembled')"
		assert_eq "big: TCP messages" 1 "$(num 'tcp:' messages)"
	else
		echo "SKIP: big: fragment/TCP counts (reassembly not in this build)"
	fi
	assert_eq "big: records cut to a stub" "$(expect big stubs)" "$(num 'records:' 'cut to a stub')"
	mal=$(num 'dns:' malformed)
	[ "${mal:-0}" -ge "$(expect big counts)" ] && pass "big: $mal malformed (lying counts)" ||
		fail "big: $mal malformed, expected at least $(expect big counts)"
fi
finish
