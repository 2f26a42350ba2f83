#include "json_guard.h"

#include <stdbool.h>

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
