#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/fuzz/replay.sh: run the fuzz targets, without libFuzzer, over their
# committed seeds (tests/fuzz/seeds/TARGET/) and regression inputs
# (tests/fuzz/regress/TARGET/: crashes found by fuzzing, now fixed). The
# targets assert what they check (valid JSON, the decoders equal, bounded
# reassembly memory, ...), so any broken invariant fails this test.
# The programs are built by `make check` (tests/fuzz/replay_*).
. "${SRCDIR:-.}/tests/lib.sh"

for t in frame dns reasm; do
	bin=./tests/fuzz/replay_$t
	[ -x "$bin" ] || { fail "$bin not built"; continue; }
	dirs=""
	for d in "$SRCDIR/tests/fuzz/seeds/fuzz_$t" "$SRCDIR/tests/fuzz/regress/fuzz_$t"; do
		[ -d "$d" ] && dirs="$dirs $d"
	done
	[ -n "$dirs" ] || { fail "fuzz_$t: no seeds"; continue; }
	# shellcheck disable=SC2086
	if out=$("$bin" $dirs 2>"$TMP/$t.err"); then
		pass "fuzz_$t: $out"
	else
		cat "$TMP/$t.err" >&2
		fail "fuzz_$t: replay failed"
	fi
done
finish
