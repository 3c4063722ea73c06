#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""validate_schema.py SCHEMA [FILE...]: check dnsring NDJSON against docs/schema.json.

Reads FILEs (standard input when none; "-" also means standard input) and
checks every line:
  * it is valid UTF-8 and ends with a newline (NDJSON);
  * it parses as one JSON object (no NaN/Infinity, no duplicate keys);
  * it validates against SCHEMA (with format checking: ipv4/ipv6);
  * its members appear in the order of the schema's "properties", at every
    level (flags, sections' items, edns, options): dnsring promises a stable
    member order, and a schema validator alone does not see order.
Prints how many lines were checked and the first few errors with file and line
number; exit status 0 when every line is valid, 1 otherwise, 2 on usage error.
Needs the jsonschema module (Debian: python3-jsonschema).
"""

import argparse
import json
import sys

try:
    import jsonschema
except ImportError:  # pragma: no cover - the shell tests skip without it
    sys.stderr.write("validate_schema.py: the jsonschema module is missing "
                     "(Debian: apt install python3-jsonschema)\n")
    sys.exit(2)


class DuplicateKey(ValueError):
    pass


def pairs_hook(pairs):
    """Keep the members in order (a list of pairs) and refuse duplicates."""
    seen = set()
    for k, _ in pairs:
        if k in seen:
            raise DuplicateKey("duplicate member %r" % k)
        seen.add(k)
    return OrderedObject(pairs)


class OrderedObject(dict):
    """A dict that remembers the member order as sent (dicts keep insertion
    order anyway; this class only marks objects that came from the parser)."""

    def __init__(self, pairs):
        super().__init__(pairs)
        self.order = [k for k, _ in pairs]


def bad_constant(name):
    raise ValueError("not JSON: %s" % name)


def resolve(schema, node):
    """Follow local $ref ("#/$defs/x") chains."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node and "properties" not in node \
            and "items" not in node:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            return node
        cur = schema
        for part in ref[2:].split("/"):
            cur = cur[part]
        node = cur
        seen += 1
        if seen > 32:
            break
    return node


def order_errors(schema, node, value, path):
    """Member-order errors of value against node's "properties" order, recursively."""
    node = resolve(schema, node)
    errs = []
    if not isinstance(node, dict):
        return errs
    if isinstance(value, dict) and "properties" in node:
        props = list(node["properties"].keys())
        rank = {k: i for i, k in enumerate(props)}
        keys = getattr(value, "order", list(value.keys()))
        known = [k for k in keys if k in rank]
        for a, b in zip(known, known[1:]):
            if rank[a] > rank[b]:
                errs.append("%s: member %r comes after %r; schema order is %s"
                            % (path or "record", b, a,
                               ",".join(k for k in props if k in value)))
                break
        for k in known:
            errs.extend(order_errors(schema, node["properties"][k], value[k],
                                     "%s.%s" % (path, k) if path else k))
    elif isinstance(value, list) and "items" in node:
        for i, item in enumerate(value):
            errs.extend(order_errors(schema, node["items"], item, "%s[%d]" % (path, i)))
    return errs


def schema_errors(validator, obj):
    out = []
    for e in sorted(validator.iter_errors(obj), key=lambda e: list(e.absolute_path)):
        where = "".join("[%d]" % p if isinstance(p, int) else ".%s" % p
                        for p in e.absolute_path).lstrip(".") or "record"
        msg = e.message
        if len(msg) > 300:
            msg = msg[:300] + "..."
        out.append("%s: %s" % (where, msg))
    return out


def check_stream(name, f, validator, schema, report, max_errors):
    """Returns (lines, bad_lines)."""
    lines = bad = 0
    lineno = 0
    for raw in f:
        lineno += 1
        lines += 1
        errs = []
        if not raw.endswith(b"\n"):
            errs.append("last line does not end with a newline")
        body = raw.rstrip(b"\n")
        try:
            text = body.decode("utf-8", errors="strict")
        except UnicodeDecodeError as e:
            errs.append("not valid UTF-8: %s" % e)
            text = None
        obj = None
        if text is not None:
            if text.strip() == "":
                errs.append("empty line")
            else:
                try:
                    obj = json.loads(text, object_pairs_hook=pairs_hook,
                                     parse_constant=bad_constant)
                except (ValueError, DuplicateKey) as e:
                    errs.append("not JSON: %s" % e)
                if obj is not None and not isinstance(obj, dict):
                    errs.append("not a JSON object")
                    obj = None
        if obj is not None:
            errs.extend(schema_errors(validator, obj))
            errs.extend(order_errors(schema, schema, obj, ""))
        if errs:
            bad += 1
            for e in errs:
                report(name, lineno, e, body)
    return lines, bad


def main():
    ap = argparse.ArgumentParser(
        description="Validate dnsring NDJSON records against the JSON schema "
        "(and the schema's member order).")
    ap.add_argument("schema", help="docs/schema.json")
    ap.add_argument("files", nargs="*", help="NDJSON files (default: standard input)")
    ap.add_argument("--max-errors", type=int, default=10,
                    help="errors to print (default 10; all are counted)")
    args = ap.parse_args()

    with open(args.schema, "rb") as sf:
        schema = json.loads(sf.read().decode("utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, format_checker=jsonschema.FormatChecker())

    printed = [0]

    def report(name, lineno, msg, body):
        if printed[0] < args.max_errors:
            snippet = body[:200].decode("utf-8", "replace")
            sys.stderr.write("%s:%d: %s\n    %s%s\n" % (name, lineno, msg, snippet,
                                                     "..." if len(body) > 200 else ""))
        elif printed[0] == args.max_errors:
            sys.stderr.write("(more errors not shown)\n")
        printed[0] += 1

    total = total_bad = 0
    files = args.files or ["-"]
    for path in files:
        if path == "-":
            n, b = check_stream("<stdin>", sys.stdin.buffer, validator, schema,
                                report, args.max_errors)
        else:
            try:
                with open(path, "rb") as f:
                    n, b = check_stream(path, f, validator, schema, report,
                                        args.max_errors)
            except OSError as e:
                sys.stderr.write("validate_schema.py: %s\n" % e)
                return 1
        total += n
        total_bad += b
    print("validate_schema: %d lines checked, %d invalid (%d errors) in %d file(s)"
          % (total, total_bad, printed[0], len(files)))
    return 1 if total_bad else 0


if __name__ == "__main__":
    sys.exit(main())
