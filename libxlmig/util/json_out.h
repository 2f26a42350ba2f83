/*
 * JSON the tool prints for scripts (docs/json.md): yajl, with numbers
 * of a bounded precision (yajl_gen_double prints 0.02749377500000000155
 * for 0.027493775), wall-clock times in RFC 3339, and one document per
 * line. A NULL key writes a value into the array that is open.
 */
#ifndef XLMIG_JSON_OUT_H
#define XLMIG_JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <yajl/yajl_gen.h>

/* NULL if out of memory. */
yajl_gen xlmig_jout_new(void);
void xlmig_jout_key(yajl_gen g, const char *key);
void xlmig_jout_str(yajl_gen g, const char *key, const char *v);
/* An empty string is null: "no journal", not a journal named "". */
void xlmig_jout_str_or_null(yajl_gen g, const char *key, const char *v);
void xlmig_jout_int(yajl_gen g, const char *key, long long v);
void xlmig_jout_u64(yajl_gen g, const char *key, uint64_t v);
void xlmig_jout_bool(yajl_gen g, const char *key, bool v);
void xlmig_jout_null(yajl_gen g, const char *key);
/*
 * v rounded to `decimals` places (0..9) with trailing zeros dropped:
 * 0.027493775 at 3 is 0.027, 5000.0 is 5000. Not finite: null.
 */
void xlmig_jout_num(yajl_gen g, const char *key, double v, int decimals);
/* The text xlmig_jout_num writes; exposed for tests. */
void xlmig_jout_num_text(char *buf, size_t len, double v, int decimals);
/* "a,b,c" as ["a","b","c"]; empty or NULL: []. */
void xlmig_jout_list(yajl_gen g, const char *key, const char *csv);
/* Now, as "2026-12-01T12:06:31.123Z". */
void xlmig_jout_now(yajl_gen g, const char *key);
void xlmig_jout_time_text(char *buf, size_t len);
/* The document and a newline to out, flushed; frees g. 0 or -1. */
int xlmig_jout_print(yajl_gen g, FILE *out);
/* The document in *out (malloc'd, NUL-terminated); frees g. */
int xlmig_jout_take(yajl_gen g, char **out, size_t *len);

#endif
