/* Reading fields of a JSON tree: see json_get.h. */
#include "json_get.h"

#include <string.h>

#include "error.h"

int xlmig_json_bad(const xlmig_json_src *src, const char *where,
                   const char *key, const char *why)
{
    xlmig_err(src->rc, "%s: %s%s%s%s %s", src->what,
              src->quote ? "key \"" : "", where ? where : "", key,
              src->quote ? "\"" : "", why);
    return src->rc;
}

int xlmig_json_str_ref(const xlmig_json_src *src, const char *where,
                       yajl_val v, const char *key, size_t max,
                       const char **out)
{
    const char *s;

    if (!YAJL_IS_STRING(v) || !(s = YAJL_GET_STRING(v)))
        return xlmig_json_bad(src, where, key, "is not a string");
    if (strlen(s) > max)
        return xlmig_json_bad(src, where, key, "is too long");
    *out = s;
    return 0;
}

int xlmig_json_str(const xlmig_json_src *src, const char *where,
                   yajl_val v, const char *key, char *out, size_t size)
{
    const char *s;
    int rc;

    if (!size)
        return xlmig_json_bad(src, where, key, "has no room");
    rc = xlmig_json_str_ref(src, where, v, key, size - 1, &s);
    if (!rc)
        memcpy(out, s, strlen(s) + 1);
    return rc;
}

int xlmig_json_u64(const xlmig_json_src *src, const char *where,
                   yajl_val v, const char *key, uint64_t max,
                   uint64_t *out)
{
    if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < 0 ||
        (uint64_t)YAJL_GET_INTEGER(v) > max)
        return xlmig_json_bad(src, where, key, max == UINT64_MAX
                              ? "is not a non-negative integer"
                              : "is not an integer in range");
    *out = (uint64_t)YAJL_GET_INTEGER(v);
    return 0;
}

int xlmig_json_int(const xlmig_json_src *src, const char *where,
                   yajl_val v, const char *key, long long lo, long long hi,
                   long long *out)
{
    if (!YAJL_IS_INTEGER(v))
        return xlmig_json_bad(src, where, key, "is not an integer");
    if (YAJL_GET_INTEGER(v) < lo || YAJL_GET_INTEGER(v) > hi)
        return xlmig_json_bad(src, where, key, "is out of range");
    *out = YAJL_GET_INTEGER(v);
    return 0;
}

int xlmig_json_bool(const xlmig_json_src *src, const char *where,
                    yajl_val v, const char *key, bool *out)
{
    if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
        return xlmig_json_bad(src, where, key, "is not a boolean");
    *out = YAJL_IS_TRUE(v);
    return 0;
}
