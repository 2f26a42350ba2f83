#include "json_guard.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

int xlmig_json_depth_check(const char *text, size_t len, unsigned max,
                           const char *what)
{
    bool in_str = false, esc = false;
    unsigned depth = 0;
    size_t i;

    for (i = 0; i < len; i++) {
        char c = text[i];

        if (in_str) {
            if (esc)
                esc = false;
            else if (c == '\\')
                esc = true;
            else if (c == '"')
                in_str = false;
            continue;
        }
        if (c == '"') {
            in_str = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max) {
                xlmig_err(XLMIG_E_PROTO, "%s: JSON nested deeper than %u"
                          " levels", what, max);
                return XLMIG_E_PROTO;
            }
        } else if ((c == ']' || c == '}') && depth) {
            depth--;
        }
    }
    return 0;
}

int xlmig_json_parse(const char *buf, size_t len, const char *what,
                     yajl_val *root, char *err, size_t errlen)
{
    char *text;
    int rc = 0;

    *root = NULL;
    if (errlen)
        err[0] = 0;
    text = malloc(len + 1);
    if (!text)
        return XLMIG_E_NOMEM;
    memcpy(text, buf, len);
    text[len] = 0;
    if (xlmig_json_depth_check(text, len, XLMIG_JSON_MAX_DEPTH, what)) {
        rc = XLMIG_E_PROTO;
        goto out;
    }
    *root = yajl_tree_parse(text, err, errlen);
    if (!*root)
        rc = XLMIG_E_INVAL;
out:
    free(text);
    return rc;
}
