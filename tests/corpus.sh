#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/corpus.sh: dnsring over every "core" capture of the real-world corpus
# ($DNSRING_CORPUS/real, see its MANIFEST.json), each output line checked
# against docs/schema.json, and the records compared with tshark's
# expectations (*.expected.jsonl) by tests/corpus_compare.py.
# Skips (77) without the corpus or without Python + jsonschema.
. "$SRCDIR/tests/lib.sh"

need_corpus
REAL=$DNSRING_CORPUS/real
[ -f "$REAL/MANIFEST.json" ] || skip "no $REAL/MANIFEST.json"
PY=$(find_python) || skip "no python3 with the jsonschema module (python3-jsonschema)"
[ -x "$DNSRING" ] || { fail "no dnsring binary at $DNSRING"; finish; exit 1; }

# The core captures, one relative path per line.
"$PY" -c '
import json, sys
for f in json.load(open(sys.argv[1]))["files"]:
    if f["category"] == "core":
        print(f["file"])
' "$REAL/MANIFEST.json" >"$TMP/captures" || { fail "cannot read MANIFEST.json"; finish; exit 1; }
ncap=$(wc -l <"$TMP/captures")
[ "$ncap" -gt 0 ] || fail "no core captures in MANIFEST.json"

# One worker keeps the records in frame order (the comparison matches per key
# in order anyway). -p: the oracle decodes DNS, mDNS and LLMNR.
OUT=$TMP/out
runfail=0
while IFS= read -r cap; do
	mkdir -p "$OUT/$(dirname "$cap")"
	if ! "$DNSRING" -r "$REAL/$cap" -o "$OUT/$cap.ndjson" -p 53,5353,5355 -w 1 \
		2>"$OUT/$cap.stderr"; then
		fail "dnsring failed on $cap (exit $?): $(tail -n 1 "$OUT/$cap.stderr")"
		runfail=$((runfail + 1))
	fi
done <"$TMP/captures"
[ "$runfail" -eq 0 ] && pass "dnsring ran on $ncap core captures"

# Every line of every output against the schema (and its member order).
while IFS= read -r cap; do
	[ -f "$OUT/$cap.ndjson" ] && cat "$OUT/$cap.ndjson"
done <"$TMP/captures" >"$TMP/all.ndjson"
if "$PY" "$SRCDIR/tests/validate_schema.py" "$SRCDIR/docs/schema.json" \
	"$TMP/all.ndjson" >"$TMP/validate.log" 2>&1; then
	pass "$(tail -n 1 "$TMP/validate.log")"
else
	cat "$TMP/validate.log" >&2
	fail "records do not validate against docs/schema.json"
fi

# Against tshark.
"$PY" "$SRCDIR/tests/corpus_compare.py" --transports udp,tcp --include-fragments "$REAL" "$OUT" >"$TMP/compare.log" 2>&1
rc=$?
grep -v '^agreement:' "$TMP/compare.log"
grep '^agreement:' "$TMP/compare.log"
if [ "$rc" -eq 0 ]; then
	pass "records agree with tshark's expectations"
else
	fail "corpus_compare.py found unaccepted disagreements, missing or unexpected records (exit $rc)"
fi

finish
