#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""tests/filter_check.py FULL SAMPLED N: checks `--sample N` output against
the unfiltered output of the same run (-w 1):
  - SAMPLED is FULL with whole lines left out, byte-identical, same order;
  - flows (transport + the unordered pair of address/port endpoints) are
    kept or left out whole: a query and its response stay together;
  - the share of flows kept is near 1/N (within 3 standard deviations
    plus 1 flow, so a fixed capture cannot fail by bad luck).
Prints "flows kept/total, records kept/total"; exit 1 on failure.
"""
import json
import math
import sys


def flow(line):
    r = json.loads(line)
    a = (r['src_ip'], r['src_port'])
    b = (r['dst_ip'], r['dst_port'])
    return (r['transport'],) + tuple(sorted([a, b]))


def main():
    full = open(sys.argv[1], 'rb').read().splitlines()
    kept = open(sys.argv[2], 'rb').read().splitlines()
    n = int(sys.argv[3])
    errors = []
    # subsequence, byte for byte
    i = 0
    inset = [False] * len(full)
    for line in kept:
        while i < len(full) and full[i] != line:
            i += 1
        if i == len(full):
            errors.append('a sampled line is not in the full output (or out of order): %r'
                          % line[:120])
            break
        inset[i] = True
        i += 1
    flows = {}
    for line, k in zip(full, inset):
        flows.setdefault(flow(line), set()).add(k)
    split = [f for f, ks in flows.items() if len(ks) == 2]
    if split:
        errors.append('%d flows split between kept and left out, e.g. %r' % (len(split), split[0]))
    nk = sum(1 for ks in flows.values() if True in ks)
    total = len(flows)
    mean = total / n
    sd = math.sqrt(total * (1 / n) * (1 - 1 / n))
    if abs(nk - mean) > 3 * sd + 1:
        errors.append('%d of %d flows kept, expected about %.0f' % (nk, total, mean))
    for e in errors:
        print('filter_check: ' + e, file=sys.stderr)
    print('flows kept %d/%d, records kept %d/%d' % (nk, total, len(kept), len(full)))
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
