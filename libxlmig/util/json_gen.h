/* Writing JSON with yajl_gen: the one spelling of a string. */
#ifndef XLMIG_JSON_GEN_H
#define XLMIG_JSON_GEN_H

#include <stddef.h>
#include <string.h>
#include <yajl/yajl_gen.h>

/* A NUL-terminated string (key or value) into the generator. */
#define GS(g, s) yajl_gen_string(g, (const unsigned char *)(s), strlen(s))

/*
 * What g generated so far, as a malloc'd NUL-terminated copy in *out
 * (*len its length, if len): 0, or XLMIG_E_NOMEM with nothing
 * recorded, so that each caller words its own error.
 */
int xlmig_json_gen_take(yajl_gen g, char **out, size_t *len);

#endif
