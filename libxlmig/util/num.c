/* Whole numbers from text: see num.h. */
#include "num.h"

#include <errno.h>
#include <stdlib.h>

static int digit(char c, int base)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (base == 16 && c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (base == 16 && c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int xlmig_num_u64(const char *s, int base, uint64_t lo, uint64_t hi,
                  uint64_t *out)
{
    unsigned long long v;
    const char *p;
    char *end;

    if (!s || (base != 10 && base != 16) || !*s)
        return XLMIG_NUM_BAD;
    for (p = s; *p; p++)
        if (digit(*p, base) < 0)
            return XLMIG_NUM_BAD;
    errno = 0;
    v = strtoull(s, &end, base);
    if (errno || *end)
        return XLMIG_NUM_BAD;
    if (v < lo || v > hi)
        return XLMIG_NUM_RANGE;
    *out = v;
    return XLMIG_NUM_OK;
}
