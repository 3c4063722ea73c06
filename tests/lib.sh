# SPDX-License-Identifier: BSD-2-Clause
# tests/lib.sh: shared helpers for the shell tests (sourced, not run).
# Environment (set by `make check`, see Makefile.am): DNSRING (the binary),
# SRCDIR (source tree), DNSRING_CORPUS (../shared/corpus, may be absent).
set -u
: "${DNSRING:=./dnsring}"
: "${SRCDIR:=.}"
: "${DNSRING_CORPUS:=$SRCDIR/../shared/corpus}"

TEST_NAME=$(basename "$0")
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dnsring-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
FAILS=0
PASSES=0

fail() { echo "FAIL: $TEST_NAME: $*" >&2; FAILS=$((FAILS + 1)); }
pass() { echo "ok: $*"; PASSES=$((PASSES + 1)); }
skip() { echo "SKIP: $TEST_NAME: $*"; exit 77; }

# Python with the jsonschema module (Debian: python3-jsonschema in /usr/bin).
find_python() {
	for p in /usr/bin/python3 python3; do
		if "$p" -c 'import jsonschema' >/dev/null 2>&1; then echo "$p"; return 0; fi
	done
	return 1
}

need_corpus() {
	[ -d "$DNSRING_CORPUS" ] || skip "no corpus at $DNSRING_CORPUS (../shared is absent in a user's clone)"
}

# assert_eq WHAT EXPECTED ACTUAL
assert_eq() {
	if [ "$2" = "$3" ]; then pass "$1 = $3"; else fail "$1: expected '$2', got '$3'"; fi
}

finish() {
	echo "$TEST_NAME: $PASSES passed, $FAILS failed"
	[ "$FAILS" -eq 0 ]
}
