/*
 * Reading fields of a parsed JSON tree (json_guard.h) that another
 * process, a peer or a file wrote: each getter checks the type and
 * the bounds, and a bad field is one error line naming the document,
 * where in it, the key, and what is wrong with it.
 */
#ifndef XLMIG_JSON_GET_H
#define XLMIG_JSON_GET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>

/* Whose document it is, for the error line. */
typedef struct {
    int rc;             /* XLMIG_E_PROTO from a peer, _INVAL a file */
    const char *what;   /* "host status", "journal", ... */
    bool quote;         /* "key \"k\"" rather than "k" */
} xlmig_json_src;

/* "<what>: <where><key> <why>", recorded; returns src->rc. */
int xlmig_json_bad(const xlmig_json_src *src, const char *where,
                   const char *key, const char *why);
/* A string of at most max bytes, left in the tree. */
int xlmig_json_str_ref(const xlmig_json_src *src, const char *where,
                       yajl_val v, const char *key, size_t max,
                       const char **out);
/* A string copied into out[size] (so at most size - 1 bytes). */
int xlmig_json_str(const xlmig_json_src *src, const char *where,
                   yajl_val v, const char *key, char *out, size_t size);
/* An integer 0..max (UINT64_MAX: any that is not negative). */
int xlmig_json_u64(const xlmig_json_src *src, const char *where,
                   yajl_val v, const char *key, uint64_t max,
                   uint64_t *out);
/* An integer lo..hi. */
int xlmig_json_int(const xlmig_json_src *src, const char *where,
                   yajl_val v, const char *key, long long lo, long long hi,
                   long long *out);
int xlmig_json_bool(const xlmig_json_src *src, const char *where,
                    yajl_val v, const char *key, bool *out);

#endif
