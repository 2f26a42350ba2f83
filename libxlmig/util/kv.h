/*
 * key=value, the two ways it reaches us: one argument as xe takes them
 * (`vm=web01`), and the lines of a small file (xlmig.conf, simulator
 * records). Pure and bounded: (buf, len) in, no NUL needed; anything
 * too long, a missing '=', an empty key or a control character is an
 * error naming what and where.
 */
#ifndef XLMIG_KV_H
#define XLMIG_KV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "read_file.h"

#define XLMIG_KV_KEY_MAX   96     /* migration_address.<63-byte name> */
#define XLMIG_KV_VAL_MAX   512
#define XLMIG_KV_FILE_MAX  (64 * 1024)

typedef struct {
    char key[XLMIG_KV_KEY_MAX];
    char val[XLMIG_KV_VAL_MAX];
} xlmig_kv;

/* One "key=value" argument; keys are [a-z0-9_.:-]. */
int xlmig_kv_split(const char *arg, size_t len, xlmig_kv *kv);

/*
 * The next "key = value" line of buf from *pos (blank lines and lines
 * starting with # skipped, spaces around key and value trimmed).
 * Returns 1 with *kv and *lineno set, 0 at the end, or an error whose
 * message starts with "<what>:<line>: ".
 */
int xlmig_kv_line(const char *buf, size_t len, size_t *pos,
                  unsigned *lineno, const char *what, xlmig_kv *kv);

/* Strict values; errors name `what` (e.g. "file:3: bandwidth"). */
int xlmig_kv_u64(const char *what, const char *val, uint64_t lo,
                 uint64_t hi, uint64_t *out);
int xlmig_kv_double(const char *what, const char *val, double lo,
                    double hi, double *out);
int xlmig_kv_bool(const char *what, const char *val, bool *out);

#endif
