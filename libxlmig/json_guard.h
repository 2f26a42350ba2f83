/*
 * yajl's tree parser nests without bound and yajl_tree_free recurses
 * once per level, so a megabyte of '[' from a peer is a stack overflow.
 * Every yajl_tree_parse of bytes from another process or host checks
 * the nesting first.
 */
#ifndef XLMIG_JSON_GUARD_H
#define XLMIG_JSON_GUARD_H

#include <stddef.h>

#define XLMIG_JSON_MAX_DEPTH 64

/* 0, or XLMIG_E_PROTO naming `what` if nested deeper than max. */
int xlmig_json_depth_check(const char *text, size_t len, unsigned max,
                           const char *what);

#endif
