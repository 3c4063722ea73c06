#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/sinks.sh: output sinks that survive their consumers. A TCP collector
# (socat) killed and restarted mid-run, a unix socket collector, fan-out,
# file reopen on SIGHUP and size rotation, a full disk, a closed pipe, a
# stdout reader that stops reading, and --on-full drop under live capture (network namespaces; that part is
# skipped without root). Capture-file input fed through a slow pipe drives
# the output; every line a collector or a file got must be one whole JSON
# record, and the summary must account for every record formed.
# Only loopback addresses; every process is started here and killed by PID.
. "$SRCDIR/tests/lib.sh"

command -v socat >/dev/null 2>&1 || skip "no socat (scripts/deps --test installs it)"
command -v python3 >/dev/null 2>&1 || skip "no python3"
SAMPLE="$SRCDIR/tests/data/sample.pcap"
PIDS=""
MNT=""
NS_S=""
NS_R=""

cleanup() {
	for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done
	[ -n "$MNT" ] && umount "$MNT" 2>/dev/null
	[ -n "$NS_S" ] && ip netns del "$NS_S" 2>/dev/null
	[ -n "$NS_R" ] && ip netns del "$NS_R" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# ---- helpers -------------------------------------------------------------

# feed.py PCAP PASSES CHUNK DELAY DIR [FRACTION,...]: the capture's packets
# PASSES times as one pcap stream on stdout, CHUNK packets then DELAY
# seconds; at each FRACTION of the stream it creates DIR/paused.N and waits
# (30 s at most) for DIR/resume.N. A slow, controllable live-like input.
cat >"$TMP/feed.py" <<'EOF'
import os, sys, time
pcap, passes, chunk, delay, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
data = open(pcap, 'rb').read()
big = data[:4] in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d')
recs, off = [], 24
while off + 16 <= len(data):
    incl = int.from_bytes(data[off + 8:off + 12], 'big' if big else 'little')
    recs.append(data[off:off + 16 + incl])
    off += 16 + incl
total = len(recs) * passes
pauses = [int(float(f) * total) for f in sys.argv[6].split(',')] if len(sys.argv) > 6 else []
out = sys.stdout.buffer
out.write(data[:24])
n = 0
for p in range(passes):
    for r in recs:
        if n in pauses:
            out.flush()
            i = pauses.index(n)
            open(os.path.join(d, 'paused.%d' % i), 'w').close()
            t0 = time.time()
            while not os.path.exists(os.path.join(d, 'resume.%d' % i)) and time.time() - t0 < 30:
                time.sleep(0.02)
        out.write(r)
        n += 1
        if delay and n % chunk == 0:
            out.flush()
            time.sleep(delay)
out.flush()
EOF

# check.py FILE...: every line of every file is a whole JSON object ending
# in a newline; prints the number of lines. With --tail-ok the last file may
# end with an unterminated fragment (a collector killed mid-stream), which
# is not counted.
cat >"$TMP/check.py" <<'EOF'
import json, sys
args = sys.argv[1:]
tail_ok = args and args[0] == '--tail-ok'
if tail_ok:
    args = args[1:]
n = 0
for f in args:
    data = open(f, 'rb').read()
    lines = data.split(b'\n')
    last = lines.pop()
    if last and not tail_ok:
        sys.exit('%s: ends with a partial line: %r' % (f, last[:80]))
    for i, l in enumerate(lines):
        try:
            o = json.loads(l)
            assert isinstance(o, dict) and 'ts' in o
        except Exception:
            sys.exit('%s:%d: not a whole JSON record: %r' % (f, i + 1, l[:80]))
        n += 1
print(n)
EOF

# Big input: the 10k-message bench capture, else the sample 300 times over.
BIG="$DNSRING_CORPUS/bench/dns-10k.pcap"
if [ ! -f "$BIG" ]; then
	BIG="$TMP/big.pcap"
	python3 "$TMP/feed.py" "$SAMPLE" 300 1 0 "$TMP" >"$BIG"
fi

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for FILE [TENTHS]: until FILE exists (default 10 s).
wait_for() {
	i=0
	while [ ! -e "$1" ] && [ $i -lt "${2:-100}" ]; do sleep 0.1; i=$((i + 1)); done
	[ -e "$1" ]
}

# collector OUT ADDRESS: socat appending what it reads to OUT; sets COL.
collector() {
	socat -u "$2" "OPEN:$1,creat,append" 2>>"$TMP/socat.err" &
	COL=$!
	PIDS="$PIDS $COL"
}

# listening PORT: until something listens on 127.0.0.1:PORT (5 s at most).
listening() {
	i=0
	until grep -qi ":$(printf %04X "$1") 00000000:0000 0A" /proc/net/tcp; do
		[ $i -ge 50 ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}

# wait_pid PID WHAT [SECONDS]: wait for a process we started (default 60 s);
# kill it if it overstays. Sets RC.
wait_pid() {
	i=0
	lim=$((${3:-60} * 10))
	while kill -0 "$1" 2>/dev/null && [ $i -lt $lim ]; do sleep 0.1; i=$((i + 1)); done
	if kill -0 "$1" 2>/dev/null; then
		fail "$2: still running after ${3:-60} s"
		kill -KILL "$1" 2>/dev/null
	fi
	wait "$1"
	RC=$?
}

# Summary fields.
formed() { sed -n 's/^  records: *\([0-9]*\) formed.*/\1/p' "$1"; }
written() { sed -n 's/^  records: *[0-9]* formed, \([0-9]*\) written.*/\1/p' "$1"; }
lost() { v=$(sed -n 's/.*, \([0-9]*\) LOST.*/\1/p' "$1"); echo "${v:-0}"; }
# sinkf ERRFILE NAME FIELD: a number from NAME's "output:" summary line,
# FIELD one of written, dropped, lost, reconnects, resent.
sinkf() {
	case $3 in
	written) re='\([0-9]*\) written' ;;
	dropped) re='\([0-9]*\) dropped (backlog full)' ;;
	lost) re='\([0-9]*\) lost at exit' ;;
	reconnects) re='\([0-9]*\) reconnects' ;;
	resent) re='\([0-9]*\) resent' ;;
	esac
	grep -F "  output:      $2: " "$1" | sed -n "s/.* $re.*/\\1/p" | head -n 1
}

# ---- options: one line and exit 2 for a bad value; --pid-file -------------
# usage CODE WHAT ARGS...: dnsring exits CODE with exactly one line on stderr.
usage() {
	want=$1; what=$2; shift 2
	"$DNSRING" "$@" >/dev/null 2>"$TMP/u.err" </dev/null
	got=$?
	if [ "$got" -eq "$want" ] && [ "$(wc -l <"$TMP/u.err")" -eq 1 ] && grep -q '^dnsring: ' "$TMP/u.err"; then
		pass "$what: exit $got: $(cat "$TMP/u.err")"
	else
		fail "$what: exit $got (want $want): $(cat "$TMP/u.err")"
	fi
}
usage 2 "-o tcp without a port" -r "$SAMPLE" -o tcp://127.0.0.1
usage 2 "-o tcp IPv6 without brackets" -r "$SAMPLE" -o tcp://::1:9000
usage 2 "-o tcp port 0" -r "$SAMPLE" -o tcp://127.0.0.1:0
usage 2 "-o unix: without a path" -r "$SAMPLE" -o unix:
usage 2 "nine -o" -r "$SAMPLE" -o - -o - -o - -o - -o - -o - -o - -o - -o -
usage 2 "--on-full bad" -r "$SAMPLE" --on-full maybe
usage 2 "--on-full drop with file input" -r "$SAMPLE" --on-full drop
usage 2 "--rotate-mb without a file" -r "$SAMPLE" --rotate-mb 1 -o -
usage 2 "--backlog-mb 0" -r "$SAMPLE" --backlog-mb 0 -o tcp://127.0.0.1:9
usage 1 "--pid-file unwritable" -q -r "$SAMPLE" --pid-file "$TMP/no/such/dir/pid"
mkfifo "$TMP/pfifo"
"$DNSRING" -q -r - -o /dev/null --pid-file "$TMP/dr.pid" <"$TMP/pfifo" &
DR=$!
PIDS="$PIDS $DR"
exec 7>"$TMP/pfifo"
head -c 24 "$SAMPLE" >&7
wait_for "$TMP/dr.pid" 50
assert_eq "--pid-file while running" "$DR" "$(cat "$TMP/dr.pid" 2>/dev/null)"
exec 7>&-
wait_pid "$DR" "--pid-file: dnsring" 10
assert_eq "--pid-file: exit" 0 "$RC"
[ ! -e "$TMP/dr.pid" ] && pass "--pid-file removed at exit" || fail "--pid-file left behind"

# ---- (a) TCP collector killed and restarted ------------------------------
# a1: killed while the input pauses (nothing in flight), down while records
# keep coming (a 1 MiB backlog fills, so the writer holds batches and the
# input waits: --on-full block), restarted: exactly every record arrives.
PORT=$(free_port)
collector "$TMP/a1.out" "TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr"
listening "$PORT" || fail "a1: collector did not start"
mkfifo "$TMP/fifo"
python3 "$TMP/feed.py" "$BIG" 4 1000 0.02 "$TMP" 0.4 >"$TMP/fifo" &
FEED=$!
PIDS="$PIDS $FEED"
"$DNSRING" -r - -w 2 --batch-kb 64 --backlog-mb 1 -o "tcp://127.0.0.1:$PORT" \
	<"$TMP/fifo" >/dev/null 2>"$TMP/a1.err" &
DR=$!
PIDS="$PIDS $DR"
wait_for "$TMP/paused.0" || fail "a1: the feeder never paused"
sleep 0.5
kill "$COL"; wait "$COL"
sleep 0.3
touch "$TMP/resume.0"
sleep 1.5
collector "$TMP/a2.out" "TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr"
wait_pid "$DR" "a1: dnsring"
assert_eq "a1: exit" 0 "$RC"
wait_pid "$COL" "a1: collector" 10
F=$(formed "$TMP/a1.err")
N=$(python3 "$TMP/check.py" "$TMP/a1.out" "$TMP/a2.out") || fail "a1: $N"
[ "${F:-0}" -gt 5000 ] || fail "a1: only '$F' records formed: $(head -c 300 "$TMP/a1.err")"
assert_eq "a1: records received by the two collectors = formed" "$F" "$N"
assert_eq "a1: written" "$F" "$(written "$TMP/a1.err")"
assert_eq "a1: reconnects" 1 "$(sinkf "$TMP/a1.err" "tcp://127.0.0.1:$PORT" reconnects)"
assert_eq "a1: dropped (backlog full)" 0 "$(sinkf "$TMP/a1.err" "tcp://127.0.0.1:$PORT" dropped)"
assert_eq "a1: lost at exit" 0 "$(sinkf "$TMP/a1.err" "tcp://127.0.0.1:$PORT" lost)"
grep -q 'reconnected, [0-9]* records in the backlog' "$TMP/a1.err" ||
	fail "a1: no 'reconnected' line: $(cat "$TMP/a1.err")"
pass "a1: $(wc -l <"$TMP/a1.out") + $(wc -l <"$TMP/a2.out") lines, all whole records"

# a2: killed while records flow. What the collector had not read when it
# died is gone (TCP cannot tell a sender); the point here: dnsring keeps
# running, reconnects, the new connection starts on a record boundary (the
# second file holds only whole records), and the summary adds up.
# The first collector reads slowly, so the socket is full and a record is
# usually half way out when it dies: that record is sent again, whole
# ("resent"; 0 when the break fell between two records).
cat >"$TMP/slowcol.py" <<'EOF'
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(1)
c, _ = s.accept()
with open(sys.argv[2], "wb") as f:
    while True:
        b = c.recv(16384)
        if not b:
            break
        f.write(b)
        f.flush()
        time.sleep(0.005)
EOF
rm -f "$TMP"/paused.* "$TMP"/resume.*
python3 "$TMP/slowcol.py" "$PORT" "$TMP/a3.out" &
COL=$!
PIDS="$PIDS $COL"
listening "$PORT" || fail "a2: collector did not start"
python3 "$TMP/feed.py" "$BIG" 3 200 0.01 "$TMP" >"$TMP/fifo" &
FEED=$!
PIDS="$PIDS $FEED"
"$DNSRING" -r - -w 2 --batch-kb 64 -o "tcp://127.0.0.1:$PORT" \
	<"$TMP/fifo" >/dev/null 2>"$TMP/a2.err" &
DR=$!
PIDS="$PIDS $DR"
sleep 0.7
kill "$COL"; wait "$COL"
sleep 0.3
collector "$TMP/a4.out" "TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr"
wait_pid "$DR" "a2: dnsring"
assert_eq "a2: exit" 0 "$RC"
wait_pid "$COL" "a2: collector" 10
F=$(formed "$TMP/a2.err")
W=$(written "$TMP/a2.err")
L=$(lost "$TMP/a2.err")
assert_eq "a2: formed = written + lost" "$F" "$((W + L))"
N2=$(python3 "$TMP/check.py" "$TMP/a4.out") || fail "a2: after the reconnect: $N2"
N1=$(python3 "$TMP/check.py" --tail-ok "$TMP/a3.out") || fail "a2: before: $N1"
R=$(sinkf "$TMP/a2.err" "tcp://127.0.0.1:$PORT" reconnects)
RS=$(sinkf "$TMP/a2.err" "tcp://127.0.0.1:$PORT" resent)
if [ "${R:-0}" -ge 1 ] && [ "$((N1 + N2))" -le "$W" ] && [ "${N2:-0}" -gt 0 ]; then
	pass "a2: $N1 + $N2 whole records received of $W written (the rest died in the collector's socket), $R reconnect(s), $RS resent whole"
else
	fail "a2: reconnects '$R', received $N1 + $N2, written $W: $(cat "$TMP/a2.err")"
fi

# a3: no collector at all: the input ends, dnsring waits for one (file
# input never drops); SIGTERM gives it WRITER_GRACE_MS (5 s), then what is
# left counts as lost at exit: exit 0, every record accounted for.
DEAD=$(free_port)
"$DNSRING" -w 1 -r "$SAMPLE" -o "tcp://127.0.0.1:$DEAD" >/dev/null 2>"$TMP/a3.err" &
DR=$!
PIDS="$PIDS $DR"
sleep 1
kill -0 "$DR" 2>/dev/null && pass "a3: still waiting for a collector after the input ended" ||
	fail "a3: dnsring gave up without a signal"
kill -TERM "$DR"
wait_pid "$DR" "a3: dnsring" 10
assert_eq "a3: exit after SIGTERM" 0 "$RC"
assert_eq "a3: lost at exit" 9 "$(sinkf "$TMP/a3.err" "tcp://127.0.0.1:$DEAD" lost)"
assert_eq "a3: 'cannot connect' lines" 1 "$(grep -c 'cannot connect' "$TMP/a3.err")"

# a4: a name (localhost may give ::1 first: each address is tried in turn),
# and an IPv6 literal when the host has ::1.
collector "$TMP/a5.out" "TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr"
listening "$PORT" || fail "a4: collector did not start"
"$DNSRING" -q -w 1 -r "$SAMPLE" -o "tcp://localhost:$PORT" 2>"$TMP/a4.err" </dev/null
assert_eq "a4: tcp://localhost exit" 0 "$?"
wait_pid "$COL" "a4: collector" 10
assert_eq "a4: tcp://localhost records" 9 "$(python3 "$TMP/check.py" "$TMP/a5.out")"
if grep -q '^0\{31\}1 .* lo$' /proc/net/if_inet6 2>/dev/null; then
	collector "$TMP/a6.out" "TCP6-LISTEN:$PORT,bind=[::1],reuseaddr"
	sleep 0.3
	"$DNSRING" -q -w 1 -r "$SAMPLE" -o "tcp://[::1]:$PORT" 2>"$TMP/a6.err" </dev/null
	assert_eq "a4: tcp://[::1] exit" 0 "$?"
	wait_pid "$COL" "a4: collector" 10
	assert_eq "a4: tcp://[::1] records" 9 "$(python3 "$TMP/check.py" "$TMP/a6.out")"
fi

# ---- (b) unix socket collector, fan-out ----------------------------------
collector "$TMP/b.out" "UNIX-LISTEN:$TMP/sock"
wait_for "$TMP/sock" 50 || fail "b: no socket"
"$DNSRING" -r "$BIG" -o "unix:$TMP/sock" -o "$TMP/b.file" -o - >"$TMP/b.stdout" 2>"$TMP/b.err" </dev/null
assert_eq "b: exit" 0 "$?"
wait_pid "$COL" "b: collector" 10
F=$(formed "$TMP/b.err")
assert_eq "b: unix: records received" "$F" "$(python3 "$TMP/check.py" "$TMP/b.out")"
assert_eq "b: fan-out file" "$F" "$(python3 "$TMP/check.py" "$TMP/b.file")"
assert_eq "b: fan-out stdout" "$F" "$(python3 "$TMP/check.py" "$TMP/b.stdout")"
assert_eq "b: unix sink written" "$F" "$(sinkf "$TMP/b.err" "unix:$TMP/sock" written)"
assert_eq "b: file sink written" "$F" "$(sinkf "$TMP/b.err" "$TMP/b.file" written)"
assert_eq "b: total written (sum over 3 sinks)" "$((3 * F))" "$(written "$TMP/b.err")"

# ---- (c) files: SIGHUP reopen, size rotation ------------------------------
# c1: logrotate's way (mv, then SIGHUP) at two pauses, and three more times
# while records flow: all files together hold every record, whole.
rm -f "$TMP"/paused.* "$TMP"/resume.*
python3 "$TMP/feed.py" "$BIG" 3 500 0.02 "$TMP" 0.3,0.7 >"$TMP/fifo" &
FEED=$!
PIDS="$PIDS $FEED"
"$DNSRING" -r - -w 2 --batch-kb 64 -o "$TMP/c.json" <"$TMP/fifo" >/dev/null 2>"$TMP/c1.err" &
DR=$!
PIDS="$PIDS $DR"
for k in 0 1; do
	wait_for "$TMP/paused.$k" || fail "c1: the feeder never paused"
	sleep 0.3
	mv "$TMP/c.json" "$TMP/c.json.p$k"
	kill -HUP "$DR"
	sleep 0.2
	touch "$TMP/resume.$k"
	if [ $k = 0 ]; then
		for f in 1 2 3; do
			sleep 0.15
			mv "$TMP/c.json" "$TMP/c.json.f$f" 2>/dev/null
			kill -HUP "$DR"
		done
	fi
done
wait_pid "$DR" "c1: dnsring"
assert_eq "c1: exit" 0 "$RC"
F=$(formed "$TMP/c1.err")
N=$(python3 "$TMP/check.py" "$TMP"/c.json*) || fail "c1: $N"
assert_eq "c1: lines in $(ls "$TMP"/c.json* | wc -l) files = formed" "$F" "$N"
assert_eq "c1: reopens" 5 "$(sed -n 's/.* \([0-9]*\) reopened (SIGHUP).*/\1/p' "$TMP/c1.err")"
[ "$(wc -l <"$TMP/c.json.p0")" -gt 0 ] && [ "$(wc -l <"$TMP/c.json")" -gt 0 ] ||
	fail "c1: a file before or after the reopen is empty"

# c2: --rotate-mb 1: files of at most 1 MiB, split between records; in
# order they are exactly the unrotated output.
"$DNSRING" -q -w 1 -r "$BIG" -r "$BIG" -o "$TMP/ref.json" </dev/null
REF=$(wc -l <"$TMP/ref.json")
"$DNSRING" -w 1 -r "$BIG" -r "$BIG" -o "$TMP/r.json" --rotate-mb 1 --rotate-keep 50 \
	2>"$TMP/c2.err" </dev/null
assert_eq "c2: exit" 0 "$?"
ROT=$(sed -n 's/.* \([0-9]*\) rotations.*/\1/p' "$TMP/c2.err")
NF=$(ls "$TMP"/r.json* | wc -l)
assert_eq "c2: files = rotations + 1" "$((ROT + 1))" "$NF"
big=$(find "$TMP" -name 'r.json*' -size +1048576c | wc -l)
assert_eq "c2: files over 1 MiB" 0 "$big"
: >"$TMP/r.all"
i=$ROT
while [ "$i" -ge 1 ]; do cat "$TMP/r.json.$i" >>"$TMP/r.all"; i=$((i - 1)); done
cat "$TMP/r.json" >>"$TMP/r.all"
cmp -s "$TMP/r.all" "$TMP/ref.json" && pass "c2: $NF files, in order = the unrotated output ($REF records)" ||
	fail "c2: rotated files differ from the unrotated output"
# c3: --rotate-keep 3: FILE and FILE.1..3 remain: the newest records.
"$DNSRING" -q -w 1 -r "$BIG" -r "$BIG" -o "$TMP/k.json" --rotate-mb 1 --rotate-keep 3 </dev/null
assert_eq "c3: files kept" 4 "$(ls "$TMP"/k.json* | wc -l)"
cat "$TMP/k.json.3" "$TMP/k.json.2" "$TMP/k.json.1" "$TMP/k.json" >"$TMP/k.all"
KN=$(wc -l <"$TMP/k.all")
tail -n "$KN" "$TMP/ref.json" | cmp -s - "$TMP/k.all" &&
	pass "c3: the 4 files hold the newest $KN records, in order" ||
	fail "c3: the kept files are not the tail of the output"

# ---- (d) a full disk -------------------------------------------------------
mkdir "$TMP/full"
if mount -t tmpfs -o size=1m dnsring-test "$TMP/full" 2>/dev/null; then
	MNT="$TMP/full"
	"$DNSRING" -q -r "$BIG" -o "$TMP/full/out.json" >/dev/null 2>"$TMP/d.err" </dev/null
	assert_eq "d: exit on a full disk" 1 "$?"
	assert_eq "d: stderr lines" 1 "$(wc -l <"$TMP/d.err")"
	grep -q '^dnsring: cannot write to .*No space left on device; stopping$' "$TMP/d.err" ||
		fail "d: message: $(cat "$TMP/d.err")"
	rm -f "$TMP/full/out.json"
	"$DNSRING" -r "$BIG" -o "$TMP/full/out.json" >/dev/null 2>"$TMP/d2.err" </dev/null
	F=$(formed "$TMP/d2.err")
	W=$(written "$TMP/d2.err")
	L=$(lost "$TMP/d2.err")
	N=$(python3 "$TMP/check.py" "$TMP/full/out.json") || fail "d: $N"
	assert_eq "d: lines in the file = written" "$W" "$N"
	assert_eq "d: formed = written + lost" "$F" "$((W + L))"
	umount "$MNT" && MNT=""
else
	echo "SKIP: $TEST_NAME: (d) cannot mount a tmpfs here"
fi

# ---- (e) a reader that closes the pipe -------------------------------------
"$DNSRING" -r "$BIG" -r "$BIG" 2>"$TMP/e.err" </dev/null | head -n 5 >/dev/null
F=$(formed "$TMP/e.err")
W=$(written "$TMP/e.err")
L=$(lost "$TMP/e.err")
if [ -n "$F" ] && [ "$F" -eq "$((W + L))" ] && [ "$W" -ge 5 ] && ! grep -q 'cannot write' "$TMP/e.err"; then
	pass "e: closed pipe: summary, $F formed = $W written + $L lost, no error line"
else
	fail "e: closed pipe: $(cat "$TMP/e.err")"
fi

# ---- (g) a reader that stops reading standard output ----------------------
# stdout on a pipe is written without blocking (a descriptor of our own,
# fd 1 untouched), so a stalled reader never blocks the writer thread: the
# stats timer and SIGINT still run. stall.py GO OUT: opens the pipe, reads
# nothing until GO exists (30 s at most), then copies all of it to OUT.
cat >"$TMP/stall.py" <<'EOF'
import os, sys, time
go, out = sys.argv[1], sys.argv[2]
t0 = time.time()
while not os.path.exists(go) and time.time() - t0 < 30:
    time.sleep(0.05)
with open(out, 'wb') as f:
    while True:
        b = sys.stdin.buffer.read1(1 << 20)
        if not b:
            break
        f.write(b)
EOF
ms() { echo $(($(date +%s%N) / 1000000)); }
# stalled_run NAME DNSRING-ARGS...: dnsring writing to a FIFO whose reader
# (stall.py) reads nothing until $TMP/NAME.go exists, then copies all to
# $TMP/NAME.out; stderr in $TMP/NAME.err. Sets RD (reader) and DR (dnsring).
stalled_run() {
	sr=$1
	shift
	mkfifo "$TMP/$sr.fifo"
	python3 "$TMP/stall.py" "$TMP/$sr.go" "$TMP/$sr.out" <"$TMP/$sr.fifo" &
	RD=$!
	PIDS="$PIDS $RD"
	"$DNSRING" "$@" >"$TMP/$sr.fifo" 2>"$TMP/$sr.err" </dev/null &
	DR=$!
	PIDS="$PIDS $DR"
}

# g1: the reader never reads while dnsring runs. SIGINT: dnsring waits the
# 5 s grace for it, then gives up and exits 0; every record is either
# written whole (in the pipe) or counted as lost at exit.
stalled_run g1 -r "$BIG" -r "$BIG" --stats-interval 1
sleep 1.5
kill -0 "$DR" 2>/dev/null || fail "g1: dnsring ended although nothing read its output"
T0=$(ms)
kill -INT "$DR"
wait_pid "$DR" "g1: dnsring after SIGINT" 10
T=$(($(ms) - T0))
assert_eq "g1: exit" 0 "$RC"
[ "$T" -le 8000 ] && pass "g1: exited $T ms after SIGINT (grace 5 s)" ||
	fail "g1: took $T ms to exit after SIGINT"
grep -q '^dnsring: 1s ' "$TMP/g1.err" && pass "g1: stats line while the reader was stopped" ||
	fail "g1: no stats line while stalled (writer thread blocked?): $(head -c 300 "$TMP/g1.err")"
touch "$TMP/g1.go"
wait_pid "$RD" "g1: reader" 10
F=$(formed "$TMP/g1.err")
W=$(written "$TMP/g1.err")
L=$(lost "$TMP/g1.err")
LX=$(sed -n 's/^  output:      stdout: .* \([0-9]*\) lost at exit (not read).*/\1/p' "$TMP/g1.err")
assert_eq "g1: formed = written + lost" "${F:-?}" "$((W + L))"
[ "$L" -gt 0 ] && pass "g1: $L records counted as lost, $W written" ||
	fail "g1: nothing lost: $(cat "$TMP/g1.err")"
assert_eq "g1: stdout lost at exit = LOST" "$L" "${LX:-none}"
N=$(python3 "$TMP/check.py" --tail-ok "$TMP/g1.out") || fail "g1: $N"
assert_eq "g1: whole records in the pipe = written" "$W" "$N"

# g2: the reader stalls, SIGINT, and it resumes within the grace: every
# record formed arrives whole and in order (-w 1: a prefix of the same run
# written to a file), nothing is lost. The SIGINT comes twice back to back,
# as GNU timeout sends it (to its child, then to its process group): one
# stop, not "exit at once".
"$DNSRING" -q -w 1 -r "$BIG" -r "$BIG" -o "$TMP/g.ref" </dev/null
stalled_run g2 -w 1 -r "$BIG" -r "$BIG"
sleep 1
kill -INT "$DR"
kill -INT "$DR"
sleep 1
kill -0 "$DR" 2>/dev/null && pass "g2: waiting for the reader in the grace" ||
	fail "g2: dnsring did not wait for the reader"
touch "$TMP/g2.go"
wait_pid "$DR" "g2: dnsring" 10
assert_eq "g2: exit" 0 "$RC"
wait_pid "$RD" "g2: reader" 10
F=$(formed "$TMP/g2.err")
assert_eq "g2: written" "${F:-?}" "$(written "$TMP/g2.err")"
assert_eq "g2: lost" 0 "$(lost "$TMP/g2.err")"
N=$(python3 "$TMP/check.py" "$TMP/g2.out") || fail "g2: $N"
assert_eq "g2: lines received = formed" "$F" "$N"
head -n "${F:-0}" "$TMP/g.ref" | cmp -s - "$TMP/g2.out" &&
	pass "g2: the $F records arrived whole and in order" ||
	fail "g2: the output is not the first $F records of the same run to a file"

# g3: a second SIGINT a second or more after the first: exit at once, 1.
stalled_run g3 -r "$BIG" -r "$BIG"
sleep 1
kill -INT "$DR"
sleep 1.5
T0=$(ms)
kill -INT "$DR"
wait_pid "$DR" "g3: dnsring after a second SIGINT" 10
T=$(($(ms) - T0))
assert_eq "g3: exit" 1 "$RC"
[ "$T" -le 1000 ] && pass "g3: exited $T ms after the second SIGINT" ||
	fail "g3: took $T ms to exit after the second SIGINT"
grep -q 'again, exiting without flushing' "$TMP/g3.err" && pass "g3: said so" ||
	fail "g3: no message: $(head -c 300 "$TMP/g3.err")"
touch "$TMP/g3.go"
wait_pid "$RD" "g3: reader" 10

# g4: -c with a reader that stalls past the grace: a count is not a signal,
# so dnsring waits for the reader (as a blocking write did) and, once it
# reads, delivers exactly COUNT whole records; then a SIGINT while it waits
# again still gives up after the grace.
stalled_run g4 -w 1 -c 15000 -r "$BIG" -r "$BIG"
sleep 6.5
kill -0 "$DR" 2>/dev/null && pass "g4: -c waits for a stalled reader past the grace" ||
	fail "g4: dnsring gave up on the reader after -c: $(tail -n 3 "$TMP/g4.err")"
touch "$TMP/g4.go"
wait_pid "$DR" "g4: dnsring" 10
assert_eq "g4: exit" 0 "$RC"
wait_pid "$RD" "g4: reader" 10
assert_eq "g4: lost" 0 "$(lost "$TMP/g4.err")"
N=$(python3 "$TMP/check.py" "$TMP/g4.out") || fail "g4: $N"
assert_eq "g4: records received" 15000 "$N"
head -n 15000 "$TMP/g.ref" | cmp -s - "$TMP/g4.out" &&
	pass "g4: the first 15000 records, whole and in order" ||
	fail "g4: the output is not the first 15000 records of the same run to a file"
# g5: -c reached, the reader stalled, then SIGINT: the grace starts from
# the signal and gives up on the reader.
stalled_run g5 -w 1 -c 15000 -r "$BIG" -r "$BIG"
sleep 1
T0=$(ms)
kill -INT "$DR"
wait_pid "$DR" "g5: dnsring after SIGINT" 10
T=$(($(ms) - T0))
assert_eq "g5: exit" 0 "$RC"
[ "$T" -ge 4000 ] && [ "$T" -le 8000 ] && pass "g5: gave up $T ms after SIGINT (grace 5 s)" ||
	fail "g5: exited $T ms after SIGINT"
touch "$TMP/g5.go"
wait_pid "$RD" "g5: reader" 10
F=$(formed "$TMP/g5.err")
W=$(written "$TMP/g5.err")
L=$(lost "$TMP/g5.err")
assert_eq "g5: written + lost = the count" 15000 "$((W + L))"
[ "$L" -gt 0 ] && pass "g5: $W written, $L counted as lost ($F formed)" ||
	fail "g5: nothing lost: written $W, formed $F"

# ---- (f) --on-full drop under live capture ---------------------------------
setup_ns() {
	[ "$(id -u)" -eq 0 ] || return 1
	command -v ip >/dev/null 2>&1 || return 1
	DNSGEN=${DNSGEN:-$(dirname "$DNSRING")/tests/dnsgen}
	[ -x "$DNSGEN" ] || return 1
	NS_S=dnsring-ss-$$
	NS_R=dnsring-sr-$$
	ip netns add "$NS_S" 2>/dev/null || { NS_S=""; return 1; }
	ip netns add "$NS_R" 2>/dev/null || { NS_R=""; return 1; }
	ip -n "$NS_S" link add veth0 type veth peer name veth1 netns "$NS_R" || return 1
	ip -n "$NS_S" link set lo up && ip -n "$NS_R" link set lo up &&
		ip -n "$NS_S" link set veth0 up && ip -n "$NS_R" link set veth1 up
}

# live NAME ARGS...: dnsring capturing on veth1 (receiving namespace);
# returns once it is listening. Sets DR.
live() {
	name=$1
	shift
	ip netns exec "$NS_R" "$DNSRING" -i veth1 -w 1 --ring-mb 8 --block-kb 256 --stats-interval 0 "$@" \
		2>"$TMP/$name.err" &
	DR=$!
	PIDS="$PIDS $DR"
	i=0
	until grep -qs 'listening on' "$TMP/$name.err"; do
		if ! kill -0 "$DR" 2>/dev/null || [ $i -ge 100 ]; then
			fail "$name: dnsring did not start: $(head -c 300 "$TMP/$name.err")"
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
}

kpkts() { sed -n 's/^  kernel: *\([0-9]*\) packets received.*/\1/p' "$1"; }
kdrops() { sed -n 's/^  kernel: *[0-9]* packets received, \([0-9]*\) dropped.*/\1/p' "$1"; }
onfull() { v=$(sed -n 's/^  on-full: *\([0-9]*\) records dropped.*/\1/p' "$1"); echo "${v:-0}"; }
GEN="-n 200000 -r 100000 --flows 256"

if setup_ns; then
	# f1: a collector that accepts and never reads. The 1 MiB backlog
	# fills; records that do not fit are dropped and counted; capture
	# never waits (an 8 MiB ring would overflow within 0.3 s if it did).
	cat >"$TMP/deaf.py" <<'EOF'
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(1)
open(sys.argv[2], "w").close()
c, _ = s.accept()
time.sleep(120)
EOF
	ip netns exec "$NS_R" python3 "$TMP/deaf.py" 9000 "$TMP/deaf.up" &
	COL=$!
	PIDS="$PIDS $COL"
	wait_for "$TMP/deaf.up" 50 || fail "f1: no collector"
	if live f1 --on-full drop --batch-kb 64 --backlog-mb 1 -o tcp://127.0.0.1:9000; then
		# shellcheck disable=SC2086
		ip netns exec "$NS_S" "$DNSGEN" -i veth0 $GEN -q
		sleep 0.5
		kill -INT "$DR"
		wait_pid "$DR" "f1: dnsring" 20
		assert_eq "f1: exit" 0 "$RC"
		F=$(formed "$TMP/f1.err")
		W=$(written "$TMP/f1.err")
		L=$(lost "$TMP/f1.err")
		O=$(onfull "$TMP/f1.err")
		D=$(sinkf "$TMP/f1.err" tcp://127.0.0.1:9000 dropped)
		assert_eq "f1: kernel packets" 200000 "$(kpkts "$TMP/f1.err")"
		assert_eq "f1: kernel drops (capture never waited)" 0 "$(kdrops "$TMP/f1.err")"
		assert_eq "f1: formed = written + lost + on-full" "$F" "$((W + L + O))"
		[ "${D:-0}" -gt 0 ] && pass "f1: $D records dropped (backlog full), $W written, $L lost in all" ||
			fail "f1: no backlog drops: $(cat "$TMP/f1.err")"
	fi
	kill "$COL" 2>/dev/null

	# f2/f3: a slow reader on stdout (the writer holds its batches while the
	# pipe is full).
	# drop: workers drop batches instead of waiting, the ring never fills;
	# block (the control): workers wait and the small ring overflows.
	cat >"$TMP/slow.py" <<'EOF'
import os, sys, time
fin, fout = sys.stdin.buffer, open(sys.argv[1], "wb")
while not os.path.exists(sys.argv[2]):
    b = fin.read1(8192)
    if not b:
        break
    fout.write(b)
    time.sleep(0.01)
while True:
    b = fin.read1(1 << 20)
    if not b:
        break
    fout.write(b)
EOF
	for mode in drop block; do
		rm -f "$TMP/fast"
		mkfifo "$TMP/f-$mode"
		python3 "$TMP/slow.py" "$TMP/f-$mode.json" "$TMP/fast" <"$TMP/f-$mode" &
		SLOW=$!
		PIDS="$PIDS $SLOW"
		live "f-$mode" --on-full "$mode" --batch-kb 64 -o - >"$TMP/f-$mode" || continue
		# shellcheck disable=SC2086
		ip netns exec "$NS_S" "$DNSGEN" -i veth0 $GEN -q
		touch "$TMP/fast"
		sleep 0.5
		kill -INT "$DR"
		wait_pid "$DR" "f-$mode: dnsring" 30
		wait_pid "$SLOW" "f-$mode: reader" 10
		E="$TMP/f-$mode.err"
		F=$(formed "$E")
		W=$(written "$E")
		O=$(onfull "$E")
		KD=$(kdrops "$E")
		assert_eq "f-$mode: exit" 0 "$RC"
		assert_eq "f-$mode: lines = written" "$W" "$(python3 "$TMP/check.py" "$TMP/f-$mode.json")"
		assert_eq "f-$mode: formed = written + on-full drops" "$F" "$((W + O))"
		if [ $mode = drop ]; then
			assert_eq "f-drop: kernel drops" 0 "$KD"
			[ "$O" -gt 0 ] && pass "f-drop: $O records dropped by workers (counted), $W written" ||
				fail "f-drop: nothing dropped: the reader was not slow enough"
		elif [ "${KD:-0}" -gt 0 ]; then
			pass "f-block: the control: $KD packets dropped by the kernel while workers waited"
		else
			fail "f-block: the control saw no kernel drops: the check above proves nothing"
		fi
	done
else
	echo "SKIP: $TEST_NAME: (f) needs root, ip netns and tests/dnsgen"
fi

finish
