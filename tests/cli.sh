#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/cli.sh: command-line behaviour as a user meets it: exit codes (0 ok,
# 1 runtime failure, 2 usage), one clear line per error, --help/--version,
# and the bundled sample capture decoded to exactly the records it holds.
. "$SRCDIR/tests/lib.sh"
SAMPLE="$SRCDIR/tests/data/sample.pcap"

# expect_exit CODE WHAT ARGS...: runs dnsring, checks the code and that
# stderr is exactly one line on failure.
expect_exit() {
	want=$1; what=$2; shift 2
	"$DNSRING" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
	got=$?
	if [ "$got" -ne "$want" ]; then
		fail "$what: exit $got, expected $want (stderr: $(head -c 300 "$TMP/err"))"
		return
	fi
	if [ "$want" -ne 0 ]; then
		lines=$(wc -l <"$TMP/err")
		if [ "$lines" -ne 1 ] || ! grep -q '^dnsring: ' "$TMP/err"; then
			fail "$what: expected one 'dnsring: ...' line on stderr, got $lines: $(cat "$TMP/err")"
			return
		fi
	fi
	pass "$what (exit $got)"
}

expect_exit 0 "--help" --help
grep -q -- '--read FILE' "$TMP/out" || fail "--help does not mention --read"
expect_exit 0 "--version" --version
grep -q '^dnsring [0-9]' "$TMP/out" || fail "--version: $(cat "$TMP/out")"
grep -q 'ldns' "$TMP/out" || fail "--version does not name ldns"

expect_exit 2 "unknown option" --bogus
expect_exit 2 "missing value" -r
expect_exit 2 "bad -w" -r "$SAMPLE" -w 0
expect_exit 2 "bad -w text" -r "$SAMPLE" -w two
expect_exit 2 "bad -c" -r "$SAMPLE" -c -5
expect_exit 2 "bad -p" -r "$SAMPLE" -p 70000
expect_exit 2 "bad -p range" -r "$SAMPLE" -p 60-50
expect_exit 2 "bad --decoder" -r "$SAMPLE" --decoder nope
expect_exit 2 "bad --duration" -r "$SAMPLE" --duration 0
expect_exit 2 "bad --block-kb" -i lo --block-kb 3000
expect_exit 2 "bad --fanout" -i lo --fanout spray
expect_exit 2 "-i with -r" -i lo -r "$SAMPLE"
expect_exit 2 "-f with -r" -f "udp" -r "$SAMPLE"
expect_exit 2 "stray argument" -r "$SAMPLE" extra
expect_exit 1 "missing file" -q -r "$TMP/nonexistent.pcap"
printf 'not a pcap file at all' >"$TMP/junk.pcap"
expect_exit 1 "not a capture" -q -r "$TMP/junk.pcap"
expect_exit 1 "unwritable output" -q -r "$SAMPLE" -o "$TMP/no/such/dir/out"

# The sample: 10 frames = 9 DNS messages (one malformed) + 1 NTP packet.
"$DNSRING" -w 1 -r "$SAMPLE" -o "$TMP/s.ndjson" 2>"$TMP/s.err"
assert_eq "sample exit" 0 $?
assert_eq "sample records" 9 "$(wc -l <"$TMP/s.ndjson")"
assert_eq "sample malformed" 1 "$(grep -c '"malformed":true' "$TMP/s.ndjson")"
assert_eq "sample loop error" 1 "$(grep -c '"error":"name_pointer_loop"' "$TMP/s.ndjson")"
assert_eq "sample vlan records" 2 "$(grep -c '"vlan":\[100\]' "$TMP/s.ndjson")"
grep -q 'not_dns_port=1' "$TMP/s.err" || fail "summary does not count the NTP packet: $(cat "$TMP/s.err")"
grep -q '9 messages (4 queries, 5 responses), 1 malformed' "$TMP/s.err" ||
	fail "summary counts: $(cat "$TMP/s.err")"
# Appending: -o adds to an existing file.
"$DNSRING" -q -w 1 -r "$SAMPLE" -o "$TMP/s.ndjson"
assert_eq "append doubles" 18 "$(wc -l <"$TMP/s.ndjson")"
# Several -r in order, and -c cutting exactly.
"$DNSRING" -q -w 1 -r "$SAMPLE" -r "$SAMPLE" >"$TMP/two.ndjson"
assert_eq "two inputs" 18 "$(wc -l <"$TMP/two.ndjson")"
"$DNSRING" -q -w 1 -r "$SAMPLE" -r "$SAMPLE" -c 11 >"$TMP/c.ndjson"
assert_eq "-c 11" 11 "$(wc -l <"$TMP/c.ndjson")"
head -n 11 "$TMP/two.ndjson" | cmp -s - "$TMP/c.ndjson" || fail "-c output is not the first 11 records"
# A closed pipe ends dnsring cleanly (exit 0, summary printed).
"$DNSRING" -w 1 -r "$SAMPLE" -r "$SAMPLE" -r "$SAMPLE" 2>"$TMP/pipe.err" | head -n 1 >/dev/null
grep -q 'summary' "$TMP/pipe.err" || fail "no summary after a closed pipe: $(cat "$TMP/pipe.err")"
# The record contents of the sample, field by field (hand-built bytes, see
# tests/data/make_sample.py).
if command -v jq >/dev/null 2>&1; then
	got=$(jq -r 'select(.id==4097 and .qr=="response") | [.answers[0].type_name, .answers[0].rdata, .answers[1].rdata, .edns.udp_size, .edns.do, .edns.options[0].name] | @tsv' "$TMP/two.ndjson" | head -n 1)
	assert_eq "sample CNAME/A/EDNS" "$(printf 'CNAME\tweb.example.com.\t192.0.2.80\t1232\ttrue\tCOOKIE')" "$got"
	got=$(jq -r 'select(.id==12291 and .qr=="response") | [.rcode_name, .authorities[0].type_name, .authorities[0].rdata] | @tsv' "$TMP/two.ndjson" | head -n 1)
	assert_eq "sample NXDOMAIN/SOA" "$(printf 'NXDOMAIN\tSOA\tns1.example.org. hostmaster.example.org. 2026112701 7200 3600 1209600 300')" "$got"
	got=$(jq -r 'select(.id==16388 and .qr=="response") | .answers[0].rdata' "$TMP/two.ndjson" | head -n 1)
	assert_eq "sample TXT escaping" '"say \"hi\" \\ caf\195\169"' "$got"
	got=$(jq -r 'select(.id==8194 and .qr=="response") | [.src_ip, .dst_ip, .ip_version, .answers[0].rdata] | @tsv' "$TMP/two.ndjson" | head -n 1)
	assert_eq "sample IPv6" "$(printf '2001:db8::53\t2001:db8::10\t6\t2001:db8::80')" "$got"
fi
# Regressions found by fuzz_frame (see tests/fuzz/open/README):
# end of input counts what never completed, even at the end of time ...
"$DNSRING" -w 1 -r "$SRCDIR/tests/data/ts-near-2p64.pcapng" -o /dev/null 2>"$TMP/t64.err"
grep -q '^  ip frags: .*dropped: 1 incomplete' "$TMP/t64.err" ||
	fail "incomplete datagram near 2^64 ns not counted: $(grep 'ip frags' "$TMP/t64.err")"
grep -q '^  tcp: .* 1 ended idle or open at exit' "$TMP/t64.err" ||
	fail "open stream near 2^64 ns not counted: $(grep 'tcp:' "$TMP/t64.err")"
# ... and an unanswered query whose record exceeds a batch becomes a counted stub.
"$DNSRING" -w 1 --unanswered --batch-kb 64 -r "$SRCDIR/tests/data/unanswered-larger-than-batch.pcap" \
	-o "$TMP/big.ndjson" 2>"$TMP/big.err"
assert_eq "oversized records as stubs (query + its unanswered record)" 2 \
	"$(grep -c '"error":"record_too_large"' "$TMP/big.ndjson")"
assert_eq "the unanswered stub" 1 "$(grep -c '"unanswered":true' "$TMP/big.ndjson")"
grep -q '2 cut to a stub (record_too_large), 1 of them unanswered' "$TMP/big.err" ||
	fail "summary: $(grep 'records:' "$TMP/big.err")"

# Standard input twice: the second read finds its end, says so and fails.
# stdin keeps the read buffer dnsring gives it (libpcap never closes stdin),
# so that buffer is never freed and is set once; ASan and valgrind builds
# would catch a use of a freed one here.
"$DNSRING" -w 1 -r - -r - -o "$TMP/twice.ndjson" <"$SAMPLE" 2>"$TMP/twice.err"
assert_eq "-r - -r -: exit" 1 "$?"
grep -q '^dnsring: cannot read standard input: ' "$TMP/twice.err" ||
	fail "-r - -r -: $(head -c 300 "$TMP/twice.err")"
assert_eq "-r - -r -: the first read's records" 9 "$(wc -l <"$TMP/twice.ndjson" | tr -d ' ')"

finish
