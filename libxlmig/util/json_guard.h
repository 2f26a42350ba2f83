/*
 * yajl's tree parser nests without bound and yajl_tree_free recurses
 * once per level, so a megabyte of '[' from a peer is a stack overflow.
 * Every yajl_tree_parse of bytes from another process or host checks
 * the nesting first.
 */
#ifndef XLMIG_JSON_GUARD_H
#define XLMIG_JSON_GUARD_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

#define XLMIG_JSON_MAX_DEPTH 64

/* 0, or XLMIG_E_PROTO naming `what` if nested deeper than max. */
int xlmig_json_depth_check(const char *text, size_t len, unsigned max,
                           const char *what);

/*
 * Parse len bytes (no NUL needed) of JSON from another process or host
 * into *root: copy and terminate, check the nesting, yajl_tree_parse.
 * Returns 0 with *root set; XLMIG_E_NOMEM; XLMIG_E_PROTO for nesting
 * (recorded, naming `what`); XLMIG_E_INVAL for bad JSON, with yajl's
 * message in err and nothing recorded: callers word that themselves.
 */
int xlmig_json_parse(const char *buf, size_t len, const char *what,
                     yajl_val *root, char *err, size_t errlen);

#endif
