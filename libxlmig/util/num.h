/*
 * Whole numbers from text that another process, a file or the command
 * line wrote. strtoul(3) alone takes a sign (and wraps "-1" to the
 * largest value), leading spaces and trailing bytes; these take only
 * digits.
 */
#ifndef XLMIG_NUM_H
#define XLMIG_NUM_H

#include <stdint.h>

enum {
    XLMIG_NUM_OK = 0,
    XLMIG_NUM_BAD = -1,         /* not digits only, or overflows */
    XLMIG_NUM_RANGE = -2,       /* a number, outside [lo, hi] */
};

/*
 * s as a number in base 10 or 16 (digits only: no sign, space or
 * "0x", at least one digit, nothing after) within [lo, hi]. Records
 * no error: callers name the thing. *out is set only on XLMIG_NUM_OK.
 */
int xlmig_num_u64(const char *s, int base, uint64_t lo, uint64_t hi,
                  uint64_t *out);

#endif
