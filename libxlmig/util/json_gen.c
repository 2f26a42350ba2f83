/* Writing JSON with yajl_gen: see json_gen.h. */
#include "json_gen.h"

#include <stdlib.h>

#include "error.h"

int xlmig_json_gen_take(yajl_gen g, char **out, size_t *len)
{
    const unsigned char *buf;
    size_t n;

    *out = NULL;
    if (yajl_gen_get_buf(g, &buf, &n) != yajl_gen_status_ok)
        return XLMIG_E_NOMEM;
    *out = malloc(n + 1);
    if (!*out)
        return XLMIG_E_NOMEM;
    memcpy(*out, buf, n);
    (*out)[n] = 0;
    if (len)
        *len = n;
    return 0;
}
