#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""tests/prom_check.py FILE [NAME=VALUE...]: a strict reader of the
Prometheus text exposition format (0.0.4) as node_exporter's textfile
collector takes it, for when promtool is not installed.

Checks: every line is `# HELP name text`, `# TYPE name counter|gauge` or a
sample `name{label="value",...} value` (no timestamps: the textfile
collector refuses them); names match [a-zA-Z_:][a-zA-Z0-9_:]*, label names
[a-zA-Z_][a-zA-Z0-9_]*; each family has exactly one HELP and one TYPE, both
before its samples, and its samples are contiguous; counters end in _total
and are >= 0; all samples of a family have the same label names; no series
twice; the file ends with a newline.

Each NAME=VALUE argument asserts that the samples of family NAME add up to
VALUE. Prints the families as "name type sum" on success; exit 1 with the
reasons otherwise.
"""
import re
import sys

NAME = re.compile(r'[a-zA-Z_:][a-zA-Z0-9_:]*\Z')
LABEL = re.compile(r'[a-zA-Z_][a-zA-Z0-9_]*\Z')
SAMPLE = re.compile(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? ([^ ]+)\Z')
LABELPAIR = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"')


def parse_labels(text, err):
    if not text:
        return ()
    body = text[1:-1]
    pairs, pos = [], 0
    while pos < len(body):
        m = LABELPAIR.match(body, pos)
        if not m:
            err('bad labels %r' % text)
            return None
        pairs.append((m.group(1), m.group(2)))
        pos = m.end()
        if pos < len(body):
            if body[pos] != ',':
                err('bad labels %r' % text)
                return None
            pos += 1
    names = [k for k, _ in pairs]
    if len(set(names)) != len(names):
        err('label repeated in %r' % text)
    return tuple(sorted(pairs))


def check(path, want):
    return check_text(open(path, encoding='utf-8').read(), want)


def check_text(data, want):
    """The errors (a list of strings) and the families of one file's text."""
    errors = []
    if not data.endswith('\n'):
        errors.append('no newline at the end')
    fams = {}      # name -> {'help','type','labels','sum','done'}
    order = []
    series = set()
    current = None
    for no, line in enumerate(data.splitlines(), 1):
        def err(msg):
            errors.append('line %d: %s: %s' % (no, msg, line))
        if line.startswith('#'):
            parts = line.split(' ', 3)
            if len(parts) < 4 or parts[0] != '#' or parts[1] not in ('HELP', 'TYPE'):
                err('comment other than HELP/TYPE')
                continue
            kind, name, rest = parts[1], parts[2], parts[3]
            if not NAME.match(name):
                err('bad metric name')
            f = fams.get(name)
            if f is None:
                f = fams[name] = {'help': None, 'type': None, 'labels': None,
                                  'sum': 0.0, 'samples': 0}
                order.append(name)
            if f['samples']:
                err('%s after samples of %s' % (kind, name))
            key = kind.lower()
            if f[key] is not None:
                err('second %s for %s' % (kind, name))
            if kind == 'TYPE' and rest not in ('counter', 'gauge'):
                err('type %r' % rest)
            if kind == 'HELP' and not rest.strip():
                err('empty HELP')
            f[key] = rest
            current = name
            continue
        if not line.strip():
            err('blank line')
            continue
        m = SAMPLE.match(line)
        if not m:
            err('not a sample (or has a timestamp)')
            continue
        name, ltext, val = m.groups()
        labels = parse_labels(ltext, err)
        if labels is None:
            continue
        f = fams.get(name)
        if f is None or f['help'] is None or f['type'] is None:
            err('sample before HELP and TYPE of its family')
            continue
        if current != name:
            err('samples of %s not contiguous' % name)
        try:
            v = float(val)
        except ValueError:
            err('bad value')
            continue
        if f['type'] == 'counter':
            if not name.endswith('_total'):
                err('counter not named *_total')
            if v < 0:
                err('negative counter')
        lnames = tuple(k for k, _ in labels)
        if f['labels'] is None:
            f['labels'] = lnames
        elif f['labels'] != lnames:
            err('label names differ within the family')
        key = (name, labels)
        if key in series:
            err('duplicate series')
        series.add(key)
        f['sum'] += v
        f['samples'] += 1
    for name in order:
        f = fams[name]
        if f['help'] is None or f['type'] is None:
            errors.append('%s: missing HELP or TYPE' % name)
        if not f['samples']:
            errors.append('%s: no samples' % name)
    for name, value in want:
        if name not in fams:
            errors.append('%s: missing (expected %s)' % (name, value))
        elif fams[name]['sum'] != float(value):
            errors.append('%s: sum %s, expected %s' % (name, fams[name]['sum'], value))
    return errors, [(n, fams[n]['type'], fams[n]['sum']) for n in order]


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    want = [a.split('=', 1) for a in sys.argv[2:]]
    errors, fams = check(sys.argv[1], want)
    for e in errors:
        print('prom_check: %s: %s' % (sys.argv[1], e), file=sys.stderr)
    if errors:
        return 1
    for n, t, s in fams:
        print('%s %s %.17g' % (n, t, s))
    return 0


if __name__ == '__main__':
    sys.exit(main())
