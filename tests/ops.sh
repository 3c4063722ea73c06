#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/ops.sh: operations features end to end:
#   - the man page documents every option of --help with the same defaults,
#     and names no option --help does not have;
#   - filters (--only, --qtype, --rcode, --qname-suffix, --exclude-suffix,
#     --sample): on tests/data/sample.pcap and, when the corpus is there, on
#     dns-10k.pcap, the output is exactly the lines of the unfiltered output
#     that a jq predicate selects (byte-identical, same order, -w 1); --sample
#     keeps whole flows (tests/filter_check.py); bad values exit 2;
#   - --stats-json and --metrics: every line valid JSON, totals = sum of the
#     workers = the summary = the records written; the Prometheus file passes
#     promtool when installed and the strict reader tests/prom_check.py
#     always; periodic writes, rotation of --stats-json, no FILE.tmp left,
#     never a partial --metrics file seen, unwritable paths exit 1;
#   - packaging: the generated systemd unit (paths substituted, required
#     hardening, `systemd-analyze verify` when it works here), the logrotate
#     snippet (`logrotate -d` when installed), the unit's default options.
# Corpus parts are skipped without the corpus; python3 and jq are needed.
. "$SRCDIR/tests/lib.sh"
SAMPLE="$SRCDIR/tests/data/sample.pcap"
BUILDDIR=$(dirname "$DNSRING")
[ -x "$DNSRING" ] || { fail "no dnsring binary at $DNSRING"; finish; exit 1; }
command -v jq >/dev/null 2>&1 || skip "jq not installed"
PY=$(command -v python3) || skip "python3 not installed"
PYTHONDONTWRITEBYTECODE=1
export PYTHONDONTWRITEBYTECODE

# expect_exit CODE WHAT ARGS...: exit code, and one 'dnsring: ' line on failure.
expect_exit() {
	want=$1; what=$2; shift 2
	"$DNSRING" "$@" >"$TMP/x.out" 2>"$TMP/x.err" </dev/null
	got=$?
	if [ "$got" -ne "$want" ]; then
		fail "$what: exit $got, expected $want ($(head -c 300 "$TMP/x.err"))"
		return
	fi
	if [ "$want" -ne 0 ] && { [ "$(wc -l <"$TMP/x.err")" -ne 1 ] || ! grep -q '^dnsring: ' "$TMP/x.err"; }; then
		fail "$what: expected one 'dnsring: ...' line on stderr: $(cat "$TMP/x.err")"
		return
	fi
	pass "$what (exit $got)"
}

lines() { wc -l <"$1" | tr -d ' '; }

# ---- man page <-> --help ---------------------------------------------------
"$DNSRING" --help >"$TMP/help.txt"
"$PY" - "$TMP/help.txt" "$SRCDIR/docs/dnsring.8" >"$TMP/man.log" 2>&1 <<'EOF'
import re, sys
help_text = open(sys.argv[1]).read()
man = open(sys.argv[2]).read()
# --help: option lines start with "  -x, --name" or "      --name"; the text
# up to the next option line belongs to it.
hopts, cur = {}, None
for line in help_text.splitlines():
    m = re.match(r'^  (?:-[A-Za-z], |    )--([a-z0-9-]+)', line)
    if m:
        cur = m.group(1)
        hopts[cur] = line
    elif cur and line.startswith('      '):
        hopts[cur] += ' ' + line.strip()
    else:
        cur = None
# man: an option entry is .TP then a line with \-\-name; its text runs to the
# next .TP/.SS/.SH. Escapes are undone for the comparison.
def plain(s):
    s = re.sub(r'\\f[BIRP]', '', s).replace('\\-', '-').replace('\\(dq', '"')
    s = re.sub(r'^\.(?:BR|B|IR|I|RB|IB|BI)\s+', '', s, flags=re.M)
    return s.replace('"', ' ')
mopts, lines = {}, man.replace('\\-', '-').splitlines()
for i, line in enumerate(lines):
    if line == '.TP' and i + 1 < len(lines):
        m = re.search(r'--([a-z0-9-]+)', lines[i + 1])
        if not m:
            continue
        body = []
        for l in lines[i + 1:]:
            if body and re.match(r'^\.(TP|SS|SH)\b', l):
                break
            body.append(l)
        mopts[m.group(1)] = ' '.join(plain(l) for l in body)
mentioned = set(re.findall(r'--([a-z][a-z0-9-]*)', man.replace('\\-', '-')))
bad = 0
for o in sorted(set(hopts) - set(mopts)):
    print('in --help, not in the man page: --' + o); bad = 1
for o in sorted(set(mopts) - set(hopts)):
    print('in the man page, not in --help: --' + o); bad = 1
for o in sorted(mentioned - set(hopts)):
    print('the man page mentions --%s, which --help does not have' % o); bad = 1
# Same defaults: every "default X" of an option's help is in its man entry.
for o, text in sorted(hopts.items()):
    for d in re.findall(r'default:? ([A-Za-z0-9.]+)', text):
        if o in mopts and not re.search(r'default:? ' + re.escape(d) + r'\b', mopts[o]):
            print('--%s: --help says "default %s", the man page does not' % (o, d)); bad = 1
print('%d options in --help, %d in the man page' % (len(hopts), len(mopts)))
sys.exit(bad)
EOF
if [ $? -eq 0 ]; then pass "man page <-> --help: $(tail -n 1 "$TMP/man.log")"
else fail "man page <-> --help: $(cat "$TMP/man.log")"; fi
if command -v groff >/dev/null 2>&1; then
	if groff -man -ww -z "$SRCDIR/docs/dnsring.8" >"$TMP/groff.log" 2>&1 && [ ! -s "$TMP/groff.log" ]; then
		pass "man page renders without groff warnings"
	else
		fail "groff warnings: $(head -5 "$TMP/groff.log")"
	fi
fi

# ---- filter options: bad values --------------------------------------------
expect_exit 2 "--only both" -r "$SAMPLE" --only both
expect_exit 2 "--qtype unknown name" -r "$SAMPLE" --qtype NOPE
expect_exit 2 "--qtype out of range" -r "$SAMPLE" --qtype 65536
expect_exit 2 "--qtype empty entry" -r "$SAMPLE" --qtype A,,AAAA
expect_exit 2 "--rcode unknown name" -r "$SAMPLE" --rcode BOGUS
expect_exit 2 "--rcode out of range" -r "$SAMPLE" --rcode 4096
expect_exit 2 "--qname-suffix empty label" -r "$SAMPLE" --qname-suffix 'a..example'
expect_exit 2 "--qname-suffix label too long" -r "$SAMPLE" \
	--qname-suffix "$(printf '%064d' 0).example"
expect_exit 2 "--exclude-suffix empty" -r "$SAMPLE" --exclude-suffix ''
expect_exit 2 "--sample 0" -r "$SAMPLE" --sample 0
expect_exit 2 "--sample text" -r "$SAMPLE" --sample ten
expect_exit 0 "--qtype names, numbers, TYPEnnn, any case" -q -r "$SAMPLE" -o /dev/null \
	--qtype a,AAAA,28,TYPE65280,https,nsec3param
expect_exit 0 "--rcode names, numbers, RCODEnnn" -q -r "$SAMPLE" -o /dev/null \
	--rcode nxdomain,SERVFAIL,0,RCODE23,BADCOOKIE

# ---- filters: exact subsets -------------------------------------------------
# jq helpers: sfx(s): the first question's name is s or ends in "." + s
# (s lower case with the trailing dot); a label-boundary suffix match.
QNDEFS='def qn: (.queries[0].name // null); def qt: (.queries[0].type_name // null);'
SFXDEF='def sfx($s): qn as $n | if $n == null then false
	else ($n | ascii_downcase) as $l | ($s == "." or $l == $s or ($l | endswith("." + $s))) end;'
# The malformed record of sample.pcap lists no question (the reference
# decoder refuses the whole message), but its question was read:
# loop.example.com. A (tests/data/make_sample.py). Filters judge what was read.
SAMPLEDEFS='def qn: (.queries[0].name // (if .malformed and .id == 20485 then "loop.example.com." else null end));
def qt: (.queries[0].type_name // (if .malformed and .id == 20485 then "A" else null end));'

# select PRED FULL: the lines of FULL for which the jq predicate is true, as is.
select_lines() {
	jq "${EXTRADEFS:-$QNDEFS} $SFXDEF ($1) == true" "$2" >"$TMP/sel.bool" || return 1
	[ "$(lines "$TMP/sel.bool")" = "$(lines "$2")" ] || return 1
	paste -d '\t' "$TMP/sel.bool" "$2" | sed -n 's/^true\t//p'
}

# subset NAME INPUT FULL PRED ARGS...: dnsring -w 1 ARGS on INPUT must give
# exactly the lines of FULL that PRED selects; the summary accounts for them.
subset() {
	name=$1 input=$2 full=$3 pred=$4
	shift 4
	if ! "$DNSRING" -w 1 -r "$input" "$@" >"$TMP/f.out" 2>"$TMP/f.err"; then
		fail "$name: dnsring exited with $?: $(tail -n 1 "$TMP/f.err")"
		return
	fi
	if ! select_lines "$pred" "$full" >"$TMP/f.want"; then
		fail "$name: jq failed on the predicate"
		return
	fi
	if ! cmp -s "$TMP/f.want" "$TMP/f.out"; then
		fail "$name: $(lines "$TMP/f.out") records, expected the $(lines "$TMP/f.want") that jq selects"
		return
	fi
	n=$(lines "$TMP/f.out")
	out=$(sed -n 's/^  filters: *\([0-9]*\) decoded messages filtered out.*/\1/p' "$TMP/f.err")
	dns=$(sed -n 's/^  dns: *\([0-9]*\) messages.*/\1/p' "$TMP/f.err")
	if [ -z "$out" ] || [ $((out + n)) -ne "$dns" ]; then
		fail "$name: summary: filtered out '$out' + kept $n != $dns messages"
		return
	fi
	pass "$name: $n of $(lines "$full") records, as jq selects them"
}

"$DNSRING" -q -w 1 -r "$SAMPLE" >"$TMP/sample.full" || fail "sample.pcap unfiltered"
S=$SAMPLE SF=$TMP/sample.full EXTRADEFS=$SAMPLEDEFS
subset "sample: --only queries" "$S" "$SF" '.qr == "query"' --only queries
subset "sample: --only responses" "$S" "$SF" '.qr == "response"' --only responses
subset "sample: --qtype AAAA,MX" "$S" "$SF" 'qt == "AAAA" or qt == "MX"' --qtype AAAA,MX
subset "sample: --rcode NXDOMAIN" "$S" "$SF" '.qr == "response" and .rcode_name == "NXDOMAIN"' \
	--rcode NXDOMAIN
subset "sample: --qname-suffix example.com" "$S" "$SF" 'sfx("example.com.")' \
	--qname-suffix example.com
subset "sample: --exclude-suffix Example.COM." "$S" "$SF" 'sfx("example.com.") | not' \
	--exclude-suffix Example.COM.
subset "sample: --qname-suffix . (any question)" "$S" "$SF" 'qn != null' --qname-suffix .
subset "sample: --rcode NOERROR --only responses --qtype TXT" "$S" "$SF" \
	'.qr == "response" and .rcode_name == "NOERROR" and qt == "TXT"' \
	--rcode NOERROR --only responses --qtype TXT
# A response kept by --rcode still gets rtt_us from its filtered-out query.
"$DNSRING" -q -w 1 -r "$SAMPLE" --rcode NXDOMAIN >"$TMP/nx.out"
if [ "$(jq -r '.rtt_us // "none"' "$TMP/nx.out")" = "$(jq -r 'select(.rcode_name == "NXDOMAIN") | .rtt_us // "none"' "$SF")" ] &&
   jq -e '.rtt_us >= 0' "$TMP/nx.out" >/dev/null; then
	pass "--rcode NXDOMAIN: the response keeps rtt_us from its filtered-out query"
else
	fail "--rcode NXDOMAIN: rtt_us lost: $(cat "$TMP/nx.out")"
fi

EXTRADEFS=
F=$DNSRING_CORPUS/bench/dns-10k.pcap
if [ -f "$F" ]; then
	"$DNSRING" -q -w 1 -r "$F" >"$TMP/10k.full" || fail "dns-10k unfiltered"
	FF=$TMP/10k.full
	subset "10k: --only queries" "$F" "$FF" '.qr == "query"' --only queries
	subset "10k: --only responses" "$F" "$FF" '.qr == "response"' --only responses
	subset "10k: --qtype AAAA" "$F" "$FF" 'qt == "AAAA"' --qtype AAAA
	subset "10k: --qtype a,28,TYPE16,https" "$F" "$FF" \
		'qt == "A" or qt == "AAAA" or qt == "TXT" or qt == "HTTPS"' --qtype a,28,TYPE16,https
	subset "10k: --rcode NXDOMAIN" "$F" "$FF" '.qr == "response" and .rcode_name == "NXDOMAIN"' \
		--rcode NXDOMAIN
	subset "10k: --rcode 3,refused --only responses" "$F" "$FF" \
		'.qr == "response" and (.rcode_name == "NXDOMAIN" or .rcode_name == "REFUSED")' \
		--rcode 3,refused --only responses
	subset "10k: --qname-suffix example.com" "$F" "$FF" 'sfx("example.com.")' \
		--qname-suffix example.com
	subset "10k: --qname-suffix EXAMPLE.NET.,in-addr.arpa --qname-suffix ip6.arpa" "$F" "$FF" \
		'sfx("example.net.") or sfx("in-addr.arpa.") or sfx("ip6.arpa.")' \
		--qname-suffix EXAMPLE.NET.,in-addr.arpa --qname-suffix ip6.arpa
	# Label boundaries: "xample.com" is a string suffix of most names here,
	# and a domain suffix of none.
	naive=$(jq -r 'select((.queries[0].name // "" | ascii_downcase) | endswith("xample.com.")) | 1' "$FF" | wc -l)
	[ "$naive" -gt 0 ] || fail "10k: expected names ending in the string xample.com."
	subset "10k: --qname-suffix xample.com (label boundary: none)" "$F" "$FF" 'false' \
		--qname-suffix xample.com
	subset "10k: --exclude-suffix example.com,EXAMPLE.org" "$F" "$FF" \
		'(sfx("example.com.") or sfx("example.org.")) | not' --exclude-suffix example.com,EXAMPLE.org
	subset "10k: --only responses --qtype A --qname-suffix example.com,example.net --exclude-suffix cdn.example.com" \
		"$F" "$FF" '.qr == "response" and qt == "A" and (sfx("example.com.") or sfx("example.net.")) and (sfx("cdn.example.com.") | not)' \
		--only responses --qtype A --qname-suffix example.com,example.net --exclude-suffix cdn.example.com
	# Several workers: the same records, in another interleaving.
	"$DNSRING" -q -w 2 -r "$F" --qtype AAAA --only responses | sort >"$TMP/w2.sorted"
	select_lines 'qt == "AAAA" and .qr == "response"' "$FF" | sort >"$TMP/w2.want"
	if cmp -s "$TMP/w2.sorted" "$TMP/w2.want"; then pass "10k: -w 2 --qtype AAAA --only responses: same records"
	else fail "10k: -w 2 filtered output differs from the -w 1 selection"; fi
	# --sample: whole flows, about 1 in N, the same with any -w; 1 keeps all.
	"$DNSRING" -q -w 1 -r "$F" --sample 4 >"$TMP/s4.out" 2>"$TMP/s4.err"
	if "$PY" "$SRCDIR/tests/filter_check.py" "$FF" "$TMP/s4.out" 4 >"$TMP/fc.log" 2>&1; then
		pass "10k: --sample 4: $(cat "$TMP/fc.log")"
	else
		fail "10k: --sample 4: $(cat "$TMP/fc.log")"
	fi
	"$DNSRING" -q -w 2 -r "$F" --sample 4 | sort >"$TMP/s4w2.sorted"
	sort "$TMP/s4.out" >"$TMP/s4.sorted"
	cmp -s "$TMP/s4.sorted" "$TMP/s4w2.sorted" && pass "10k: --sample 4 -w 2 = -w 1" ||
		fail "10k: --sample 4 differs between -w 1 and -w 2"
	"$DNSRING" -q -w 1 -r "$F" --sample 1 >"$TMP/s1.out"
	cmp -s "$TMP/s1.out" "$FF" && pass "10k: --sample 1 keeps everything" || fail "10k: --sample 1 lost records"
	"$DNSRING" -w 1 -r "$F" --sample 4 --only responses -o /dev/null 2>"$TMP/s4r.err"
	sampled=$(sed -n 's/.* \([0-9]*\) sampled out before decoding.*/\1/p' "$TMP/s4r.err")
	dns=$(sed -n 's/^  dns: *\([0-9]*\) messages.*/\1/p' "$TMP/s4r.err")
	if [ -n "$sampled" ] && [ -n "$dns" ] && [ $((sampled + dns)) -eq 10000 ]; then
		pass "10k: summary: $sampled sampled out + $dns decoded = 10000"
	else
		fail "10k: --sample summary: sampled '$sampled' decoded '$dns'"
	fi
else
	echo "SKIP: $TEST_NAME: filter checks on dns-10k.pcap (no corpus at $DNSRING_CORPUS)"
fi

# ---- --stats-json and --metrics ---------------------------------------------
# A 10 s test of the default interval for files runs in the background while
# the rest goes on: no --stats-interval, --metrics given: ticks, no line.
( (cat "$SAMPLE"; sleep 11) | "$DNSRING" -r - -o /dev/null --stats-json "$TMP/d.json" \
	--metrics "$TMP/d.prom" >/dev/null 2>"$TMP/d.err" ) &
bg_default=$!

IN=$SAMPLE TOTAL=
if [ -f "$F" ]; then IN=$F TOTAL=10000; fi
"$DNSRING" -w 2 -r "$IN" -o "$TMP/m.out" --stats-json "$TMP/m.json" --metrics "$TMP/m.prom" \
	--sample 3 --only responses 2>"$TMP/m.err" || fail "stats run: exit $?: $(tail -n 1 "$TMP/m.err")"
nrec=$(lines "$TMP/m.out")
"$PY" - "$TMP/m.json" "$nrec" "${TOTAL:-0}" >"$TMP/j.log" 2>&1 <<'EOF'
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
nrec, total = int(sys.argv[2]), int(sys.argv[3])
bad = []
last = objs[-1]
if not last['final'] or any(o['final'] for o in objs[:-1]):
    bad.append('"final" must be true on the last line only')
t, ws = last['total'], last['workers']
if t['workers'] != len(ws) or len(ws) != 2:
    bad.append('expected 2 workers')
for k, v in t.items():
    if k == 'workers':
        continue
    if isinstance(v, dict):
        for r, x in v.items():
            if x != sum(w[k][r] for w in ws):
                bad.append('total %s.%s != sum of workers' % (k, r))
    elif v != sum(w[k] for w in ws):
        bad.append('total %s != sum of workers' % k)
if t['records_formed'] != nrec or last['writer']['records_written'] != nrec:
    bad.append('records formed/written %d/%d, output has %d lines'
               % (t['records_formed'], last['writer']['records_written'], nrec))
if t['dns_messages'] != t['filtered_out'] + t['records_formed']:
    bad.append('dns_messages != filtered_out + records_formed')
if total and t['dns_messages'] + t['sampled_out'] != total:
    bad.append('decoded + sampled out = %d, expected %d' % (t['dns_messages'] + t['sampled_out'], total))
if last['file']['input_packets'] != t['packets']:
    bad.append('input packets != packets handed to workers')
for k in ('malformed', 'packets_skipped'):
    if not isinstance(t[k], dict) or not t[k]:
        bad.append('no %s object' % k)
print('\n'.join(bad) or '%d line(s), %d records, %d decoded, %d sampled out, %d filtered out'
      % (len(objs), nrec, t['dns_messages'], t['sampled_out'], t['filtered_out']))
sys.exit(1 if bad else 0)
EOF
if [ $? -eq 0 ]; then pass "--stats-json: $(cat "$TMP/j.log")"; else fail "--stats-json: $(cat "$TMP/j.log")"; fi
[ -e "$TMP/m.prom.tmp" ] && fail "--metrics: m.prom.tmp left behind"
dns=$(jq '.total.dns_messages' "$TMP/m.json" | tail -n 1)
filt=$(jq '.total.filtered_out' "$TMP/m.json" | tail -n 1)
if "$PY" "$SRCDIR/tests/prom_check.py" "$TMP/m.prom" dnsring_records_written_total="$nrec" \
	dnsring_records_formed_total="$nrec" dnsring_dns_messages_total="$dns" \
	dnsring_filtered_out_total="$filt" dnsring_running=0 dnsring_workers=2 >"$TMP/p.log" 2>&1; then
	pass "--metrics: strict reader: $(wc -l <"$TMP/p.log" | tr -d ' ') families, sums match the JSON"
else
	fail "--metrics: $(head -20 "$TMP/p.log")"
fi
grep -q '^dnsring_malformed_total{worker="1",reason="name_pointer_loop"} 0$' "$TMP/m.prom" ||
	fail "--metrics: no malformed{worker,reason} series"
if command -v promtool >/dev/null 2>&1; then
	if promtool check metrics <"$TMP/m.prom" >"$TMP/pt.log" 2>&1; then pass "promtool check metrics"
	else fail "promtool: $(head -5 "$TMP/pt.log")"; fi
fi
if /usr/bin/python3 -c 'import prometheus_client' 2>/dev/null; then
	if /usr/bin/python3 -c '
import sys
from prometheus_client.parser import text_string_to_metric_families
n = sum(1 for _ in text_string_to_metric_families(open(sys.argv[1]).read()))
print(n)' "$TMP/m.prom" >"$TMP/pc.log" 2>&1; then
		pass "prometheus_client parses it: $(cat "$TMP/pc.log") families"
	else
		fail "prometheus_client: $(tail -3 "$TMP/pc.log")"
	fi
fi

# Periodic writes (1 s) from a pipe held open 3.5 s; --stats-json moved away
# after the first line (logrotate): later lines go to a new file. Meanwhile
# the --metrics file is read over and over: always whole.
( (cat "$SAMPLE"; sleep 3.5) | "$DNSRING" -r - -o /dev/null --stats-interval 1 \
	--stats-json "$TMP/p.json" --metrics "$TMP/p.prom" >/dev/null 2>"$TMP/p.err" ) &
bg=$!
"$PY" - "$TMP/p.prom" "$TMP/p.json" "$SRCDIR/tests" >"$TMP/atomic.log" 2>&1 <<'EOF'
import os, sys, time
prom, js = sys.argv[1], sys.argv[2]
sys.path.insert(0, sys.argv[3])
from prom_check import check_text
reads = bad = moved = 0
end = time.time() + 3
while time.time() < end:
    if not moved and os.path.exists(js) and os.path.getsize(js) > 0:
        os.rename(js, js + '.1')
        moved = 1
    try:
        data = open(prom).read()
    except FileNotFoundError:
        continue  # not written yet
    reads += 1
    errors, fams = check_text(data, [])
    if errors:
        bad += 1
        print(errors[0])
print('%d reads, %d partial, moved %d' % (reads, bad, moved))
sys.exit(1 if bad or not moved or not reads else 0)
EOF
rc=$?
wait "$bg" || fail "periodic run exited with $?: $(tail -n 1 "$TMP/p.err")"
[ $rc -eq 0 ] && pass "--metrics never seen partial: $(cat "$TMP/atomic.log")" ||
	fail "--metrics atomic/rotation: $(cat "$TMP/atomic.log")"
n1=$(cat "$TMP/p.json.1" 2>/dev/null | wc -l)
n2=$(cat "$TMP/p.json" 2>/dev/null | wc -l)
if [ "$n1" -ge 1 ] && [ "$n2" -ge 2 ] && [ "$(tail -n 1 "$TMP/p.json" | jq .final)" = true ] &&
   [ "$(jq -s '[.[] | select(.final)] | length' "$TMP/p.json.1" "$TMP/p.json")" = 1 ]; then
	pass "--stats-interval 1: $n1 line(s) before the move, $n2 after, the last final"
else
	fail "--stats-interval 1: $n1 line(s) before the move, $n2 after"
fi
grep -q '^dnsring: [0-9]*s pkts=' "$TMP/p.err" && pass "--stats-interval given: stats line on stderr" ||
	fail "--stats-interval 1: no stats line on stderr: $(head -3 "$TMP/p.err")"
"$PY" "$SRCDIR/tests/prom_check.py" "$TMP/p.prom" dnsring_running=0 >/dev/null 2>"$TMP/p2.log" ||
	fail "periodic --metrics: $(head -5 "$TMP/p2.log")"

# Live capture (root, in a network namespace of its own): the kernel and
# ring counters per worker, in both files.
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1 &&
   unshare -n true 2>/dev/null; then
	TMP=$TMP DNSRING=$DNSRING PY=$PY unshare -n sh -c '
		ip link set lo up
		"$DNSRING" -i lo -w 2 --duration 3 --metrics "$TMP/live.prom" --stats-json "$TMP/live.json" \
			-o "$TMP/live.out" 2>"$TMP/live.err" &
		i=0
		while ! grep -q listening "$TMP/live.err" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		"$PY" -c "
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
q = struct.pack(\"!HHHHHH\", 0x1234, 0x0100, 1, 0, 0, 0) + b\"\\x03www\\x07example\\x03com\\x00\" + struct.pack(\"!HH\", 1, 1)
for i in range(50):
    s.sendto(q, (\"127.0.0.1\", 53))
"
		wait'
	# On lo every datagram is seen twice (outgoing and incoming).
	if "$PY" "$SRCDIR/tests/prom_check.py" "$TMP/live.prom" dnsring_kernel_packets_total=100 \
		dnsring_kernel_drops_total=0 dnsring_packets_total=100 dnsring_dns_messages_total=100 \
		dnsring_records_written_total=100 dnsring_running=0 >/dev/null 2>"$TMP/live.log" &&
	   [ "$(jq -s '.[-1].total.kernel_packets == 100 and .[-1].final' "$TMP/live.json")" = true ]; then
		pass "live (lo in a namespace): kernel and ring counters in --metrics and --stats-json"
	else
		fail "live metrics: $(head -5 "$TMP/live.log") $(tail -3 "$TMP/live.err")"
	fi
else
	echo "SKIP: $TEST_NAME: live metrics (needs root and unshare -n)"
fi

expect_exit 1 "--metrics in a missing directory" -r "$SAMPLE" --metrics "$TMP/no/such/dir/m.prom"
expect_exit 1 "--stats-json in a missing directory" -r "$SAMPLE" --stats-json "$TMP/no/such/dir/s.json"

wait "$bg_default" || fail "default-interval run exited with $?: $(tail -n 1 "$TMP/d.err")"
nd=$(cat "$TMP/d.json" 2>/dev/null | wc -l)
if [ "$nd" -eq 2 ] && ! grep -q '^dnsring: [0-9]*s ' "$TMP/d.err"; then
	pass "files + --metrics, no --stats-interval: a 10 s tick and the final line, no stats line"
else
	fail "default interval for files: $nd JSON lines (expected 2); stderr: $(head -3 "$TMP/d.err")"
fi

# ---- packaging ----------------------------------------------------------------
UNIT=$BUILDDIR/packaging/dnsring.service
if [ ! -f "$UNIT" ]; then
	fail "no generated unit at $UNIT"
else
	grep -q '@[a-z]*@' "$UNIT" && fail "unit: unsubstituted @...@: $(grep '@[a-z]*@' "$UNIT")"
	grep -q '^ExecStart=/[^ ]*/dnsring \$DNSRING_OPTS$' "$UNIT" || fail "unit: ExecStart: $(grep ExecStart= "$UNIT")"
	missing=
	for want in 'AmbientCapabilities=CAP_NET_RAW CAP_IPC_LOCK' \
		'CapabilityBoundingSet=CAP_NET_RAW CAP_IPC_LOCK' 'NoNewPrivileges=yes' \
		'ProtectSystem=strict' 'ProtectHome=yes' 'PrivateTmp=yes' 'LogsDirectory=dnsring' \
		'ReadWritePaths=/var/log/dnsring' \
		'RestrictAddressFamilies=AF_PACKET AF_UNIX AF_INET AF_INET6' 'User=dnsring'; do
		grep -q "^$want" "$UNIT" || missing="$missing [$want]"
	done
	[ -z "$missing" ] && pass "unit: paths substituted, capabilities and hardening present" ||
		fail "unit: missing$missing"
	# The unit's default options work (paths moved to $TMP).
	opts=$(sed -n 's/^Environment="DNSRING_OPTS=\(.*\)"$/\1/p' "$UNIT" |
		sed -e "s|/var/log/dnsring|$TMP|g" -e "s|/run/dnsring|$TMP|g")
	# shellcheck disable=SC2086
	if [ -n "$opts" ] && "$DNSRING" -q -r "$SAMPLE" $opts 2>"$TMP/u.err" &&
	   [ "$(lines "$TMP/dns.ndjson")" = 9 ] && [ -s "$TMP/dnsring.prom" ] && [ -s "$TMP/stats.ndjson" ]; then
		pass "unit's DNSRING_OPTS run: $opts"
	else
		fail "unit's DNSRING_OPTS '$opts': $(cat "$TMP/u.err")"
	fi
	if command -v systemd-analyze >/dev/null 2>&1; then
		sed "s|^ExecStart=[^ ]*|ExecStart=$DNSRING|" "$UNIT" >"$TMP/dnsring.service"
		if systemd-analyze verify --man=no "$TMP/dnsring.service" >"$TMP/sa.log" 2>&1 &&
		   ! grep -q 'dnsring.service:' "$TMP/sa.log"; then
			pass "systemd-analyze verify: no warnings"
		elif grep -qi 'dnsring.service' "$TMP/sa.log"; then
			fail "systemd-analyze verify: $(grep -i 'dnsring.service' "$TMP/sa.log" | head -5)"
		else
			echo "note: systemd-analyze verify does not work here: $(head -n 1 "$TMP/sa.log")"
		fi
	fi
fi
LR=$SRCDIR/packaging/logrotate.d/dnsring
LOGROTATE=$(command -v logrotate || ls /usr/sbin/logrotate 2>/dev/null)
if [ -n "$LOGROTATE" ]; then
	sed "s|/var/log/dnsring|$TMP/lr|" "$LR" >"$TMP/lr.conf"
	mkdir -p "$TMP/lr" && echo x >"$TMP/lr/dns.ndjson"
	if "$LOGROTATE" -d -s "$TMP/lr.state" "$TMP/lr.conf" >"$TMP/lr.log" 2>&1 &&
	   ! grep -qi 'error' "$TMP/lr.log"; then
		pass "logrotate -d accepts the snippet"
	else
		fail "logrotate -d: $(grep -i error "$TMP/lr.log" | head -3)"
	fi
fi
grep -q 'systemctl kill -s HUP' "$LR" || fail "logrotate snippet: no SIGHUP via systemctl kill"

finish
