/*
 * Shared pieces of the DRBD output parsers (drbd_parse*.c); not part of
 * the library's interface.
 */
#ifndef XLMIG_DRBD_PARSE_PRIV_H
#define XLMIG_DRBD_PARSE_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include <yajl/yajl_tree.h>

#include "drbd.h"

#define WORD_MAX 256
#define DEPTH_MAX 16
#define STMT_WORDS 8

#pragma GCC visibility push(hidden)

extern const char *const dp_roles[];
extern const char *const dp_disk_states[];
extern const char *const dp_cstates9[];
extern const char *const dp_repl9[];

/*
 * Lines: the tools end every line with '\n'; a last line without one
 * means the output was cut, and is reported as truncated.
 */
typedef struct {
    const char *p, *end;
} dp_cursor;

int dp_bad(const char *res, const char *what, const char *p, size_t n);
bool dp_blank(const char *p, size_t n);
bool dp_in_list(const char *const *list, const char *w);
void dp_merge(char *dst, const char *val, const char *good);
int dp_next_line(dp_cursor *c, const char **line, size_t *n,
                     const char *res);
bool dp_printable(const char *s);
xlmig_drbd_role dp_role_of(const char *w);
bool dp_setname(char *dst, const char *src);

const char *dp_jstr(yajl_val obj, const char *key);
int dp_parse_int(const char *s, long max, int *out);
int dp_valid_name(const char *s);

#pragma GCC visibility pop

#endif
