#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/live.sh: live capture end to end. Two network namespaces made for
# this run, joined by a veth pair (documentation addresses only); dnsgen
# sends known DNS frames from one side, dnsring captures on the other, and
# the records are compared exactly with what dnsring -r makes of the same
# frames written to a pcap by dnsgen --write-pcap. Needs root and a working
# `ip netns`; skips (77) otherwise. Everything made here is removed on exit.
# dnsgen arguments are kept in plain variables and split on purpose:
# shellcheck disable=SC2086
. "$SRCDIR/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "live capture tests need root (network namespaces, AF_PACKET)"
command -v ip >/dev/null 2>&1 || skip "no ip(8) (iproute2)"
command -v jq >/dev/null 2>&1 || skip "no jq (scripts/deps --test installs it)"
DNSGEN=${DNSGEN:-$(dirname "$DNSRING")/tests/dnsgen}
[ -x "$DNSGEN" ] || skip "no traffic generator at $DNSGEN (make check builds it)"

NS_S=dnsring-s-$$
NS_R=dnsring-r-$$
DR_PID=""

cleanup() {
	[ -n "$DR_PID" ] && kill -KILL "$DR_PID" 2>/dev/null
	ip netns del "$NS_S" 2>/dev/null
	ip netns del "$NS_R" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

ip netns add "$NS_S" 2>/dev/null || skip "ip netns add failed (no network namespaces here)"
ip netns add "$NS_R" 2>/dev/null || skip "ip netns add failed (no network namespaces here)"
ip -n "$NS_S" link add veth0 type veth peer name veth1 netns "$NS_R" ||
	skip "cannot create a veth pair"
for ns in "$NS_S" "$NS_R"; do
	ip -n "$ns" link set lo up
done
ip -n "$NS_S" link set veth0 up
ip -n "$NS_R" link set veth1 up
ip -n "$NS_S" addr add 192.0.2.1/24 dev veth0
ip -n "$NS_R" addr add 192.0.2.2/24 dev veth1
ip -n "$NS_S" addr add 2001:db8::1/64 dev veth0 nodad
ip -n "$NS_R" addr add 2001:db8::2/64 dev veth1 nodad
# A second pair, left down, for the "interface down" error.
ip -n "$NS_R" link add vdown0 type veth peer name vdown1

# ---- helpers ------------------------------------------------------------

# start_dr NAME ARGS...: dnsring in the receiving namespace, output to
# $TMP/NAME.json; returns once it says it is listening.
start_dr() {
	name=$1
	shift
	ip netns exec "$NS_R" "$DNSRING" "$@" -o "$TMP/$name.json" --stats-interval 0 \
		>"$TMP/$name.out" 2>"$TMP/$name.err" </dev/null &
	DR_PID=$!
	i=0
	until grep -qs 'listening on' "$TMP/$name.err"; do
		if ! kill -0 "$DR_PID" 2>/dev/null || [ $i -ge 150 ]; then
			fail "$name: dnsring did not start: $(head -c 300 "$TMP/$name.err")"
			stop_dr "$name"
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
}

# stop_dr NAME [SIGNAL]: stop it (default SIGINT), wait at most 10 s; sets
# DR_RC, REC (records written), KPKTS (kernel packets from the summary).
stop_dr() {
	[ -n "$DR_PID" ] && kill "-${2:-INT}" "$DR_PID" 2>/dev/null
	wait_dr "$1"
}

wait_dr() {
	i=0
	while kill -0 "$DR_PID" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$DR_PID" 2>/dev/null; then
		fail "$1: dnsring did not stop within 10 s"
		kill -KILL "$DR_PID"
	fi
	wait "$DR_PID"
	DR_RC=$?
	DR_PID=""
	REC=$(wc -l <"$TMP/$1.json" 2>/dev/null || echo 0)
	KPKTS=$(sed -n 's/^  kernel: *\([0-9]*\) packets received.*/\1/p' "$TMP/$1.err")
	if grep -q 'warning' "$TMP/$1.err"; then
		fail "$1: unexpected warning: $(grep warning "$TMP/$1.err")"
	fi
}

# gen ARGS...: dnsgen on veth0 in the sending namespace; sets SENT.
gen() {
	ip netns exec "$NS_S" "$DNSGEN" -i veth0 "$@" >"$TMP/gen.out" 2>&1 ||
		fail "dnsgen $*: $(cat "$TMP/gen.out")"
	SENT=$(sed -n 's/^dnsgen: sent \([0-9]*\) frames.*/\1/p' "$TMP/gen.out")
}

# capture NAME "GEN ARGS" DNSRING ARGS...: start, send, stop with SIGINT
# right after the sender is done (so this also tests that SIGINT loses
# nothing that was sent before it).
capture() {
	name=$1
	g=$2
	shift 2
	start_dr "$name" "$@" || return 1
	gen $g
	stop_dr "$name"
	[ "$DR_RC" -eq 0 ] || fail "$name: dnsring exited $DR_RC: $(head -c 300 "$TMP/$name.err")"
}

# Records as a sorted set, without the fields that differ between live and
# file input (capture time, interface); of rtt_us (a time difference) only
# whether it is there and not negative.
norm() {
	jq -cS 'del(.ts, .iface) | if has("rtt_us") then .rtt_us = (.rtt_us >= 0) else . end' "$1" |
		sort
}

# expect NAME GEN ARGS...: what dnsring -r makes of the frames dnsgen sends.
expect() {
	name=$1
	shift
	"$DNSGEN" --write-pcap "$TMP/$name.pcap" -q "$@" || fail "dnsgen --write-pcap $*"
	"$DNSRING" -r "$TMP/$name.pcap" -w 1 -q -o "$TMP/$name.exp.json" ||
		fail "$name: dnsring -r on the expectation"
}

# same_records NAME EXPNAME: the capture's records equal the expectation's.
same_records() {
	norm "$TMP/$2.exp.json" >"$TMP/a"
	norm "$TMP/$1.json" >"$TMP/b"
	if cmp -s "$TMP/a" "$TMP/b"; then
		pass "$1: $(wc -l <"$TMP/b") records equal the expectation"
	else
		fail "$1: records differ from the expectation ($(wc -l <"$TMP/a") expected," \
			"$(wc -l <"$TMP/b") captured): $(diff "$TMP/a" "$TMP/b" | head -4 | cut -c1-200)"
	fi
}

# One error line on stderr and the given exit code. ARGS after WHAT CODE.
expect_error() {
	what=$1
	want=$2
	shift 2
	ip netns exec "$NS_R" "$DNSRING" -q "$@" -o /dev/null >/dev/null 2>"$TMP/e.err" </dev/null
	got=$?
	lines=$(wc -l <"$TMP/e.err")
	if [ "$got" -eq "$want" ] && [ "$lines" -eq 1 ] && grep -q '^dnsring: ' "$TMP/e.err"; then
		pass "$what: exit $got, '$(cat "$TMP/e.err")'"
	else
		fail "$what: exit $got (want $want), $lines lines: $(cat "$TMP/e.err")"
	fi
}

# ---- 1. exact records, one and two workers -----------------------------
GEN_MIX="-n 2000 --mix --flows 50"
expect mix $GEN_MIX
for w in 1 2; do
	capture "w$w" "$GEN_MIX" -i veth1 -w "$w"
	assert_eq "-w $w: frames sent" 2000 "$SENT"
	assert_eq "-w $w: kernel packets" 2000 "$KPKTS"
	same_records "w$w" mix
	assert_eq "-w $w: records with \"iface\":\"veth1\"" 2000 \
		"$(grep -c '"iface":"veth1"' "$TMP/w$w.json")"
done

# ---- 2. a query and its response reach the same worker -----------------
# --worker-id puts "worker":N in each record: with --fanout hash every flow
# (address/port pair, either direction) is seen by exactly one worker, and
# both workers are used. The same count on --fanout lb (round robin, which
# puts a query and its response on different rings) must find split flows,
# which shows that the check can fail.
flow_workers() {
	jq -r '. as $r | [([$r.src_ip, $r.dst_ip] | sort | join("|")),
		([$r.src_port, $r.dst_port] | sort | map(tostring) | join("|"))]
	       | join("|") + " " + ($r.worker | tostring)' "$1" | sort -u
}
GEN_AFF="-n 4096 --flows 16 --mix"
for mode in hash lb; do
	capture "aff$mode" "$GEN_AFF" -i veth1 -w 2 --fanout "$mode" --worker-id
	flow_workers "$TMP/aff$mode.json" >"$TMP/aff$mode.fw"
	split=$(awk '{print $1}' "$TMP/aff$mode.fw" | uniq -d | wc -l)
	used=$(awk '{print $2}' "$TMP/aff$mode.fw" | sort -u | wc -l)
	flows=$(awk '{print $1}' "$TMP/aff$mode.fw" | sort -u | wc -l)
	assert_eq "--fanout $mode: records" 4096 "$REC"
	if [ "$mode" = hash ]; then
		assert_eq "--fanout hash: flows seen by two workers (of $flows)" 0 "$split"
		assert_eq "--fanout hash: workers used" 2 "$used"
	elif [ "$split" -gt 0 ]; then
		pass "--fanout lb: $split of $flows flows split over workers (the check can fail)"
	else
		fail "--fanout lb: no flow split: the check above proves nothing"
	fi
done

# ---- 3. VLAN: offloaded (rx VLAN offload on and off) and in-band ---------
GEN_VLAN="-n 400 --vlan 100"
expect vlan $GEN_VLAN
if command -v ethtool >/dev/null 2>&1; then
	for off in on off; do
		ip netns exec "$NS_R" ethtool -K veth1 rxvlan "$off" 2>/dev/null ||
			fail "ethtool -K veth1 rxvlan $off"
		capture "vlan$off" "$GEN_VLAN" -i veth1
		same_records "vlan$off" vlan
		assert_eq "rxvlan $off: records with \"vlan\":[100]" 400 \
			"$(grep -c '"vlan":\[100\]' "$TMP/vlan$off.json")"
	done
	ip netns exec "$NS_R" ethtool -K veth1 rxvlan on 2>/dev/null
else
	echo "note: no ethtool: rx VLAN offload not toggled"
	capture vlanon "$GEN_VLAN" -i veth1
	same_records vlanon vlan
fi
# QinQ: the kernel strips the outer tag into metadata, the inner stays in
# the frame (and passes the filter as an in-band tag): outer first.
expect qinq -n 400 --vlan 100 --vlan 200
capture qinq "-n 400 --vlan 100 --vlan 200" -i veth1 -w 2
same_records qinq qinq
assert_eq "QinQ: records with \"vlan\":[100,200]" 400 \
	"$(grep -c '"vlan":\[100,200\]' "$TMP/qinq.json")"

# ---- 4. the kernel filter drops a non-DNS flood ----------------------------
start_dr flood -i veth1 -w 2 &&
	gen -n 100000 --nondns -q &&
	gen -n 1000 &&
	stop_dr flood
assert_eq "flood: records" 1000 "$REC"
if [ -n "$KPKTS" ] && [ "$KPKTS" -ge 1000 ] && [ "$KPKTS" -le 1010 ]; then
	pass "flood: kernel packets $KPKTS for 1000 DNS frames after 100000 others"
else
	fail "flood: kernel packets '$KPKTS', expected about 1000 (filter let the flood in?)"
fi

# Ports: a range passes, the default port 53 does not.
capture p5305 "-n 300 --port 5305" -i veth1 -p 53,5300-5310
assert_eq "-p 53,5300-5310: records for port 5305" 300 "$REC"
capture p53 "-n 300 --port 5305" -i veth1
assert_eq "-p 53: kernel packets for port 5305" 0 "$KPKTS"

# ---- 5. -f ----------------------------------------------------------------
capture filt "$GEN_MIX" -i veth1 -w 2 -f 'udp port 53'
same_records filt mix
capture filtany "$GEN_MIX" -i any -w 2 -f 'udp port 53'
same_records filtany mix
expect_error "-f 'garbage ('" 2 -i veth1 -f 'garbage ('

# ---- 6. -u nobody ------------------------------------------------------------
if NOBODY=$(id -u nobody 2>/dev/null); then
	start_dr user -i veth1 -w 2 -u nobody && {
		uid=$(awk '/^Uid:/ {print $2 $3 $4 $5}' "/proc/$DR_PID/status")
		capeff=$(awk '/^CapEff:/ {print $2}' "/proc/$DR_PID/status")
		caps=$(awk '/^CapPrm:/ {print $2}' "/proc/$DR_PID/status")
		assert_eq "-u nobody: real/effective/saved/fs uid" "$NOBODY$NOBODY$NOBODY$NOBODY" "$uid"
		assert_eq "-u nobody: CapEff" 0000000000000000 "$capeff"
		assert_eq "-u nobody: CapPrm" 0000000000000000 "$caps"
		gen $GEN_MIX
		stop_dr user
		same_records user mix
	}
else
	echo "note: no user 'nobody': -u not tested"
fi
expect_error "-u nosuchuser" 2 -i veth1 -u dnsring-no-such-user-$$

# ---- 7. --duration, -c, SIGTERM ----------------------------------------------
start_dr dur -i veth1 --duration 2 && {
	gen -r 1000 -d 1
	t0=$(date +%s)
	wait_dr dur
	el=$(($(date +%s) - t0))
	assert_eq "--duration 2: exit code" 0 "$DR_RC"
	assert_eq "--duration 2: records = frames sent ($SENT)" "$SENT" "$REC"
	if [ "$el" -le 4 ]; then
		pass "--duration 2 stopped by itself"
	else
		fail "--duration 2 took $el s more after the sender"
	fi
}
start_dr count -i veth1 -c 10 && {
	gen -n 100
	wait_dr count
	assert_eq "-c 10: exit code" 0 "$DR_RC"
	assert_eq "-c 10: records" 10 "$REC"
}
start_dr term -i veth1 -w 2 && {
	gen -n 1000 --mix
	stop_dr term TERM
	assert_eq "SIGTERM: exit code" 0 "$DR_RC"
	assert_eq "SIGTERM: records" 1000 "$REC"
}

# ---- 8. errors -----------------------------------------------------------------
expect_error "no such interface" 2 -i dnsring-nosuch0
expect_error "interface down" 1 -i vdown0
expect_error "ring smaller than two blocks" 2 -i veth1 --ring-mb 1 --block-kb 1024

# ---- 9. other link types: any, loopback ------------------------------------------
capture any "$GEN_MIX" -i any -w 2
same_records any mix
assert_eq "-i any: records with \"iface\":\"any\"" 2000 "$(grep -c '"iface":"any"' "$TMP/any.json")"
start_dr lo -i lo -w 2 && {
	ip netns exec "$NS_R" "$DNSGEN" -i lo $GEN_MIX >"$TMP/gen.out" 2>&1 || fail "dnsgen -i lo"
	stop_dr lo
	same_records lo mix
}

# ---- 10. IPv4 fragments: reassembled by the kernel (PACKET_FANOUT_FLAG_DEFRAG) --
# by default, or by dnsring itself with --no-defrag (then the fragments reach
# the rings and the records say ip_defragmented).
capture frag "-n 300 --frag" -i veth1 -w 2
assert_eq "--frag: records (100 queries + 100 reassembled responses)" 200 "$REC"
capture nofrag "-n 300 --frag" -i veth1 -w 2 --no-defrag
assert_eq "--no-defrag: records (100 queries + 100 responses reassembled in userspace)" 200 "$REC"
assert_eq "--no-defrag: kernel packets (fragments pass the filter)" 300 "$KPKTS"
assert_eq "--no-defrag: records marked ip_defragmented" 100 \
	"$(grep -c '"ip_defragmented":true' "$TMP/nofrag.json")"
grep -q '^  ip frags: *200 fragments, 100 datagrams reassembled' "$TMP/nofrag.err" ||
	fail "--no-defrag: summary: $(grep 'ip frags' "$TMP/nofrag.err")"

# ---- 11. logrotate under live traffic: mv + SIGHUP while frames arrive -----
# 30000 frames at 10000/s; after ~1 s the file is moved away and dnsring is
# told to reopen. Every record lands whole in one of the two files.
start_dr rot -i veth1 -w 2 && {
	ip netns exec "$NS_S" "$DNSGEN" -i veth0 -n 30000 -r 10000 --mix >"$TMP/gen.out" 2>&1 &
	GEN_PID=$!
	sleep 1
	mv "$TMP/rot.json" "$TMP/rot.json.1"
	kill -HUP "$DR_PID"
	wait "$GEN_PID" || fail "rotation: dnsgen failed: $(cat "$TMP/gen.out")"
	SENT=$(sed -n 's/^dnsgen: sent \([0-9]*\) frames.*/\1/p' "$TMP/gen.out")
	stop_dr rot
	before=$(wc -l <"$TMP/rot.json.1" | tr -d ' ')
	after=$(wc -l <"$TMP/rot.json" 2>/dev/null | tr -d ' ')
	assert_eq "rotation: records before + after the reopen = frames sent" "$SENT" $((before + ${after:-0}))
	[ "$before" -gt 0 ] && [ "${after:-0}" -gt 0 ] && pass "rotation: both files hold records ($before + $after)" ||
		fail "rotation: a file is empty ($before before, ${after:-0} after)"
	bad=$(cat "$TMP/rot.json.1" "$TMP/rot.json" | jq -c . 2>&1 >/dev/null | head -1)
	[ -z "$bad" ] && pass "rotation: every line is a whole JSON record" || fail "rotation: $bad"
}

finish
