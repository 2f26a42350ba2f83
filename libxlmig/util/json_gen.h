/* Writing JSON with yajl_gen: the one spelling of a string. */
#ifndef XLMIG_JSON_GEN_H
#define XLMIG_JSON_GEN_H

#include <string.h>
#include <yajl/yajl_gen.h>

/* A NUL-terminated string (key or value) into the generator. */
#define GS(g, s) yajl_gen_string(g, (const unsigned char *)(s), strlen(s))

#endif
