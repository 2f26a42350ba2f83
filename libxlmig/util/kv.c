/* key=value arguments and lines: see kv.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "kv.h"
#include "num.h"

static bool key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.' || c == ':';
}

static int set_kv(const char *where, const char *k, size_t klen,
                  const char *v, size_t vlen, xlmig_kv *kv)
{
    size_t i;

    if (!klen) {
        xlmig_err(XLMIG_E_INVAL, "%sempty key", where);
        return XLMIG_E_INVAL;
    }
    if (klen >= sizeof(kv->key)) {
        xlmig_err(XLMIG_E_INVAL, "%skey \"%.20s...\" is too long", where, k);
        return XLMIG_E_INVAL;
    }
    for (i = 0; i < klen; i++) {
        if (!key_char(k[i])) {
            xlmig_err(XLMIG_E_INVAL, "%skey \"%.*s\" has a character other"
                      " than a-z 0-9 _ - . :", where, (int)klen, k);
            return XLMIG_E_INVAL;
        }
    }
    memcpy(kv->key, k, klen);
    kv->key[klen] = 0;
    if (vlen >= sizeof(kv->val)) {
        xlmig_err(XLMIG_E_INVAL, "%s%s: value is longer than %zu bytes",
                  where, kv->key, sizeof(kv->val) - 1);
        return XLMIG_E_INVAL;
    }
    for (i = 0; i < vlen; i++) {
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) {
            xlmig_err(XLMIG_E_INVAL, "%s%s: value has a control character",
                      where, kv->key);
            return XLMIG_E_INVAL;
        }
    }
    memcpy(kv->val, v, vlen);
    kv->val[vlen] = 0;
    return 0;
}

int xlmig_kv_split(const char *arg, size_t len, xlmig_kv *kv)
{
    const char *eq = memchr(arg, '=', len);

    if (!eq) {
        xlmig_err(XLMIG_E_INVAL, "\"%.*s\" is not key=value",
                  (int)(len > 40 ? 40 : len), arg);
        return XLMIG_E_INVAL;
    }
    return set_kv("", arg, (size_t)(eq - arg), eq + 1,
                  len - (size_t)(eq - arg) - 1, kv);
}

static bool space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

int xlmig_kv_line(const char *buf, size_t len, size_t *pos,
                  unsigned *lineno, const char *what, xlmig_kv *kv)
{
    char where[300];

    while (*pos < len) {
        const char *l = buf + *pos, *nl, *eq, *k, *v;
        size_t n, klen, vlen;

        nl = memchr(l, '\n', len - *pos);
        n = nl ? (size_t)(nl - l) : len - *pos;
        *pos += n + (nl ? 1 : 0);
        ++*lineno;
        snprintf(where, sizeof(where), "%s:%u: ", what, *lineno);
        if (memchr(l, 0, n)) {
            xlmig_err(XLMIG_E_INVAL, "%sNUL byte", where);
            return XLMIG_E_INVAL;
        }
        while (n && space(*l)) {
            l++;
            n--;
        }
        while (n && space(l[n - 1]))
            n--;
        if (!n || *l == '#')
            continue;
        eq = memchr(l, '=', n);
        if (!eq) {
            xlmig_err(XLMIG_E_INVAL, "%sexpected key = value, got \"%.*s\"",
                      where, (int)(n > 40 ? 40 : n), l);
            return XLMIG_E_INVAL;
        }
        k = l;
        klen = (size_t)(eq - l);
        while (klen && space(k[klen - 1]))
            klen--;
        v = eq + 1;
        vlen = n - (size_t)(v - l);
        while (vlen && space(*v)) {
            v++;
            vlen--;
        }
        return set_kv(where, k, klen, v, vlen, kv) ? XLMIG_E_INVAL : 1;
    }
    return 0;
}

int xlmig_kv_u64(const char *what, const char *val, uint64_t lo,
                 uint64_t hi, uint64_t *out)
{
    int r = xlmig_num_u64(val, 10, lo, hi, out);

    if (r == XLMIG_NUM_RANGE) {
        xlmig_err(XLMIG_E_INVAL, "%s: %s is out of range (%llu to %llu)",
                  what, val, (unsigned long long)lo, (unsigned long long)hi);
        return XLMIG_E_INVAL;
    }
    if (r) {
        xlmig_err(XLMIG_E_INVAL, "%s: \"%.40s\" is not a whole number",
                  what, val);
        return XLMIG_E_INVAL;
    }
    return 0;
}

int xlmig_kv_double(const char *what, const char *val, double lo,
                    double hi, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(val, &end);
    if (!*val || *end || errno || !isfinite(v) || space(*val)) {
        xlmig_err(XLMIG_E_INVAL, "%s: \"%.40s\" is not a number", what, val);
        return XLMIG_E_INVAL;
    }
    if (v < lo || v > hi) {
        xlmig_err(XLMIG_E_INVAL, "%s: %s is out of range (%g to %g)", what,
                  val, lo, hi);
        return XLMIG_E_INVAL;
    }
    *out = v;
    return 0;
}

int xlmig_kv_bool(const char *what, const char *val, bool *out)
{
    if (!strcmp(val, "true") || !strcmp(val, "yes") || !strcmp(val, "1")) {
        *out = true;
        return 0;
    }
    if (!strcmp(val, "false") || !strcmp(val, "no") || !strcmp(val, "0")) {
        *out = false;
        return 0;
    }
    xlmig_err(XLMIG_E_INVAL, "%s: \"%.40s\" is not true or false", what,
              val);
    return XLMIG_E_INVAL;
}
