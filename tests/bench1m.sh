#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/bench1m.sh: the 1.4 M-message capture (../shared/corpus/bench/
# dns-1m.pcap.zst: UDP and TCP, IPv4 and IPv6, IP fragments, multi-segment
# TCP messages) end to end: exactly one record per DNS message, with the
# totals of the stats file made with the capture; identical records with 1
# and 2 workers (up to order); rtt_us on every response whose query is in
# the file (the capture has no unanswered response). Skips without the
# corpus or zstd. About a minute; needs ~3 GB in $TMPDIR.
. "$SRCDIR/tests/lib.sh"
need_corpus
ZST=$DNSRING_CORPUS/bench/dns-1m.pcap.zst
STATS=$DNSRING_CORPUS/bench/dns-1m.stats.txt
[ -f "$ZST" ] || skip "no $ZST"
command -v zstd >/dev/null 2>&1 || skip "no zstd"
zstd -q -d -c "$ZST" >"$TMP/dns-1m.pcap" || { fail "zstd -d failed"; finish; exit 1; }

stat_value() { awk -v k="$1" '$1 == k { print $2; exit }' "$STATS"; }
want=$(stat_value dns_messages)
want_q=$(stat_value queries)
want_r=$(stat_value responses)
want_tcp=$(( $(stat_value msgs_ipv4_tcp) + $(stat_value msgs_ipv6_tcp) ))

for w in 1 2; do
	if ! "$DNSRING" -w $w -r "$TMP/dns-1m.pcap" -o "$TMP/w$w.out" 2>"$TMP/w$w.err"; then
		fail "-w $w: dnsring failed: $(tail -n 1 "$TMP/w$w.err")"
		finish
		exit 1
	fi
done
assert_eq "records (dns_messages in dns-1m.stats.txt)" "$want" "$(wc -l <"$TMP/w1.out" | tr -d ' ')"
assert_eq "queries" "$want_q" "$(grep -c '"qr":"query"' "$TMP/w1.out")"
assert_eq "responses" "$want_r" "$(grep -c '"qr":"response"' "$TMP/w1.out")"
assert_eq "messages over TCP (msgs_ipv4_tcp + msgs_ipv6_tcp)" "$want_tcp" \
	"$(grep -c '"transport":"tcp"' "$TMP/w1.out")"
assert_eq "malformed records" 0 "$(grep -c '"malformed":true' "$TMP/w1.out")"
assert_eq "responses without rtt_us" 0 \
	"$(grep '"qr":"response"' "$TMP/w1.out" | grep -vc '"rtt_us":')"
grep -q "^  dns: *$want messages ($want_q queries, $want_r responses), 0 malformed" "$TMP/w1.err" ||
	fail "summary: $(grep '^  dns:' "$TMP/w1.err")"
grep -q "^  records: *$want formed, $want written" "$TMP/w1.err" ||
	fail "summary: $(grep '^  records:' "$TMP/w1.err")"
LC_ALL=C sort -S 1G -T "$TMP" "$TMP/w1.out" | md5sum >"$TMP/w1.sum"
LC_ALL=C sort -S 1G -T "$TMP" "$TMP/w2.out" | md5sum >"$TMP/w2.sum"
if cmp -s "$TMP/w1.sum" "$TMP/w2.sum"; then
	pass "-w 1 and -w 2: the same $want records"
else
	fail "-w 1 and -w 2 records differ"
fi
finish
