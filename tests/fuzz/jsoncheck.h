/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * jsoncheck.h: a strict JSON validator for the fuzz targets (prefix jsonc_).
 *
 * RFC 8259 to the letter, plus what a dnsring record must also be: valid
 * UTF-8 throughout (no overlong forms, no surrogates, nothing past
 * U+10FFFF), \u escapes that pair surrogates correctly, no duplicate keys
 * in an object, and nesting no deeper than JSONC_MAX_DEPTH. It only
 * validates: nothing is built, nothing allocated.
 */
#ifndef DR_JSONCHECK_H
#define DR_JSONCHECK_H

#include <stddef.h>
#include <stdint.h>

#define JSONC_MAX_DEPTH 32

/**
 * Validate s[0..n) as exactly one JSON text (whitespace around allowed).
 * @param top_object  1: the value must be an object
 * @param err_off     where validation stopped (set on failure), may be NULL
 * @return 0 valid, -1 invalid (why: jsonc_why())
 */
int jsonc_check(const char *s, size_t n, int top_object, size_t *err_off);

/**
 * Validate NDJSON: every line ends with '\n', is a JSON object and holds no
 * other bytes; an empty buffer has 0 lines.
 * @param nlines   lines found (set on success)
 * @param err_off  as above, from the buffer start
 * @return 0 valid, -1 invalid
 */
int jsonc_ndjson(const char *s, size_t n, uint32_t *nlines, size_t *err_off);

/** Why the last failed check failed (a static string). Not thread-safe. */
const char *jsonc_why(void);

/** Print a failure with context around err_off to stderr. */
void jsonc_report(const char *what, const char *s, size_t n, size_t err_off);

#endif /* DR_JSONCHECK_H */
