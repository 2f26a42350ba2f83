/* The DRBD config syntax: drbdsetup show and drbdadm dump. */
#include "drbd.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "drbd_parse_priv.h"
#include "error.h"
#include "num.h"

/* ---- drbdsetup show / drbdadm dump: the DRBD config syntax ---- */

enum { T_EOF, T_WORD, T_OPEN, T_CLOSE, T_SEMI };

typedef struct {
    const char *p, *end;
    const char *res, *what;
} lexer;

static int lex(lexer *lx, char *w, size_t wsz, int *type)
{
    const char *p = lx->p, *e = lx->end;
    size_t o = 0;

    for (;;) {
        while (p < e && isspace((unsigned char)*p))
            p++;
        if (p < e && *p == '#') {
            while (p < e && *p != '\n')
                p++;
            continue;
        }
        break;
    }
    if (p >= e) {
        lx->p = p;
        *type = T_EOF;
        return 0;
    }
    if (*p == '{' || *p == '}' || *p == ';') {
        *type = *p == '{' ? T_OPEN : *p == '}' ? T_CLOSE : T_SEMI;
        lx->p = p + 1;
        return 0;
    }
    if (*p == '"') {
        for (p++; p < e && *p != '"'; p++) {
            if (*p == '\\' && p + 1 < e)
                p++;
            if (!*p || *p == '\n' || o + 1 >= wsz)
                return dp_bad(lx->res, lx->what ? lx->what : "bad string",
                           lx->p, e - lx->p);
            w[o++] = *p;
        }
        if (p >= e)
            return dp_bad(lx->res, "output truncated inside a string", lx->p,
                       e - lx->p);
        p++;
    } else {
        for (; p < e && !isspace((unsigned char)*p) && *p != '{' &&
               *p != '}' && *p != ';'; p++) {
            if (!isprint((unsigned char)*p) || o + 1 >= wsz)
                return dp_bad(lx->res, "unexpected word", lx->p,
                           e - lx->p);
            w[o++] = *p;
        }
    }
    w[o] = 0;
    lx->p = p;
    *type = T_WORD;
    return 0;
}

typedef struct {
    unsigned n;
    int end;
    char w[STMT_WORDS][WORD_MAX];
} stmt;

/* Words up to ';' or '{', or a lone '}', or the end. */
static int read_stmt(lexer *lx, stmt *st)
{
    char w[WORD_MAX];
    int t, r;

    st->n = 0;
    /* A bare ";" has no words: callers still look at the first two. */
    st->w[0][0] = st->w[1][0] = 0;
    for (;;) {
        r = lex(lx, w, sizeof(w), &t);
        if (r)
            return r;
        if (t == T_WORD) {
            if (st->n >= STMT_WORDS)
                return dp_bad(lx->res, "statement too long", lx->p - 1, 1);
            memcpy(st->w[st->n++], w, sizeof(w));
            continue;
        }
        if ((t == T_CLOSE || t == T_EOF) && st->n)
            return dp_bad(lx->res, t == T_EOF ? "output truncated" :
                       "statement without ';'", st->w[0],
                       strlen(st->w[0]));
        if (t == T_OPEN && !st->n)
            return dp_bad(lx->res, "section without a name", lx->p - 1, 1);
        st->end = t;
        return 0;
    }
}

int dp_parse_int(const char *s, long max, int *out)
{
    uint64_t v;

    if (max < 0 || xlmig_num_u64(s, 10, 0, (uint64_t)max, &v))
        return -1;
    *out = (int)v;
    return 0;
}

/* "device [/dev/drbdN] [minor N]": the minor, or -1 if none given. */
static int device_minor(const stmt *st, const char *res, int *minor)
{
    unsigned i;

    *minor = -1;
    for (i = 1; i < st->n; i++) {
        const char *w = st->w[i];

        if (!strcmp(w, "minor")) {
            if (i + 1 >= st->n || dp_parse_int(st->w[i + 1], 0xfffff, minor))
                return dp_bad(res, "device line: bad minor", w, strlen(w));
            return 0;
        }
        if (!strncmp(w, "/dev/drbd", 9) && isdigit((unsigned char)w[9]) &&
            dp_parse_int(w + 9, 0xfffff, minor))
            return dp_bad(res, "device line: bad device", w, strlen(w));
    }
    return 0;
}

int dp_valid_name(const char *s)
{
    size_t n = strlen(s), i;

    if (!n || n >= XLMIG_DRBD_NAME_MAX || s[0] == '-' || s[0] == '.')
        return 0;
    for (i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("_-.+", s[i]))
            return 0;
    return 1;
}

/* Section names are short keywords; longer ones never match anyway. */
static void sect_name(char *dst, const char *w)
{
    size_t n = strnlen(w, 31);

    memcpy(dst, w, n);
    dst[n] = 0;
}

static bool under(char stack[][32], int depth, const char *name)
{
    int i;

    for (i = 0; i < depth; i++)
        if (!strcmp(stack[i], name))
            return true;
    return false;
}

/* The sections open around a statement, outermost first. */
typedef struct {
    char name[DEPTH_MAX][32];
    int depth;
    const char *kind;               /* "show" or "dump", for errors */
} nest;

/*
 * The next statement, and the section it closes ('}' leaves one): 1,
 * 0 at the end of input, or an error (input that ends with a section
 * open, a '}' with none to close).
 */
static int nest_next(lexer *lx, nest *ns, stmt *st)
{
    const char *res = lx->res;
    char msg[64];
    int rc;

    rc = read_stmt(lx, st);
    if (rc)
        return rc;
    if (st->end == T_EOF && ns->depth) {
        snprintf(msg, sizeof(msg), "%s output truncated (unclosed"
                 " section)", ns->kind);
        return dp_bad(res, msg, ns->name[ns->depth - 1],
                      strlen(ns->name[ns->depth - 1]));
    }
    if (st->end == T_CLOSE) {
        if (!ns->depth) {
            snprintf(msg, sizeof(msg), "%s: unbalanced '}'", ns->kind);
            return dp_bad(res, msg, "}", 1);
        }
        ns->depth--;
    }
    return st->end != T_EOF;
}

/* A section opens: its name on the stack, within bounds. */
static int nest_push(nest *ns, const char *res, const stmt *st)
{
    char msg[64];

    if (ns->depth >= DEPTH_MAX) {
        snprintf(msg, sizeof(msg), "%s: sections nested too deep",
                 ns->kind);
        return dp_bad(res, msg, st->w[0], strlen(st->w[0]));
    }
    sect_name(ns->name[ns->depth++], st->w[0]);
    return 0;
}

const xlmig_drbd_show_res *xlmig_drbd_show_find(const xlmig_drbd_show *s,
                                                const char *name)
{
    unsigned i;

    for (i = 0; i < s->n; i++)
        if (!strcmp(s->res[i].name, name))
            return &s->res[i];
    return NULL;
}

const xlmig_drbd_show_res *xlmig_drbd_show_by_minor(const xlmig_drbd_show *s,
                                                    int minor)
{
    unsigned i, j;

    for (i = 0; i < s->n; i++)
        for (j = 0; j < s->res[i].nminors; j++)
            if (s->res[i].minors[j] == minor)
                return &s->res[i];
    return NULL;
}

static int show_stmt(const stmt *st, char stack[][32], int depth,
                     xlmig_drbd_show_res *cur, const char *what)
{
    const char *top = stack[depth - 1];
    const char *k = st->w[0], *v = st->n > 1 ? st->w[1] : "";
    int minor;

    if (!strcmp(top, "net") &&
        (depth == 2 || (depth == 3 && !strcmp(stack[1], "connection") &&
                        cur->nconn == 1))) {
        if (!strcmp(k, "protocol")) {
            if (st->n != 2 || strlen(v) != 1 || !strchr("ABC", v[0]))
                return dp_bad(cur->name, "show: unexpected protocol", v,
                           strlen(v));
            cur->protocol = v[0];
        } else if (!strcmp(k, "allow-two-primaries")) {
            if (st->n != 2 || (strcmp(v, "yes") && strcmp(v, "no")))
                return dp_bad(cur->name, "show: unexpected"
                           " allow-two-primaries", v, strlen(v));
            cur->two_primaries = !strcmp(v, "yes");
        } else if (!strcmp(k, "_name") && st->n == 2) {
            if (!dp_setname(cur->peer_name, v))
                return dp_bad(cur->name, "show: peer name too long", v,
                           strlen(v));
        }
        return 0;
    }
    if (!strcmp(k, "device") && !strcmp(top, "volume") &&
        under(stack, depth, "_this_host")) {
        if (device_minor(st, cur->name, &minor))
            return XLMIG_E_EXTERNAL;
        if (minor < 0)
            return dp_bad(cur->name, "show: device without a minor", k, 6);
        if (cur->nminors >= XLMIG_DRBD_MAX_VOL)
            return dp_bad(cur->name, "more volumes than supported", k, 6);
        cur->minors[cur->nminors++] = minor;
    }
    (void)what;
    return 0;
}

int xlmig_drbd_parse_show(const char *buf, size_t len, const char *what,
                          xlmig_drbd_show *out)
{
    lexer lx = { buf, buf + len, what ? what : "show", NULL };
    nest ns = { .kind = "show" };
    xlmig_drbd_show_res *cur = NULL;
    int rc;
    stmt *st;

    memset(out, 0, sizeof(*out));
    st = malloc(sizeof(*st));
    if (!st)
        return XLMIG_E_NOMEM;
    while ((rc = nest_next(&lx, &ns, st)) > 0) {
        if (st->end == T_CLOSE) {
            if (!ns.depth)
                cur = NULL;
            continue;
        }
        if (!ns.depth) {
            if (st->end != T_OPEN || st->n != 2 ||
                strcmp(st->w[0], "resource") || !dp_valid_name(st->w[1])) {
                rc = dp_bad(lx.res, "show: expected 'resource NAME {'",
                         st->w[0], strlen(st->w[0]));
                goto out;
            }
            if (out->n >= XLMIG_DRBD_MAX_SHOW) {
                rc = dp_bad(lx.res, "show: too many resources", st->w[1],
                         strlen(st->w[1]));
                goto out;
            }
            cur = &out->res[out->n++];
            dp_setname(cur->name, st->w[1]);
            cur->two_primaries = -1;
            lx.res = cur->name;
        } else if (st->end == T_SEMI) {
            rc = show_stmt(st, ns.name, ns.depth, cur, what);
            if (rc)
                goto out;
            continue;
        }
        rc = nest_push(&ns, lx.res, st);
        if (rc)
            goto out;
        if (ns.depth == 2 && !strcmp(st->w[0], "connection"))
            cur->nconn++;
    }
out:
    free(st);
    return rc;
}

static int dump_stmt(const stmt *st, char stack[][32], int depth,
                     xlmig_drbd_conf *c, int host)
{
    int minor;

    if (strcmp(st->w[0], "device"))
        return 0;
    if (device_minor(st, c->name, &minor))
        return XLMIG_E_EXTERNAL;
    if (minor < 0)
        return 0;
    if (host >= 0 && under(stack, depth, "on")) {
        if (c->hosts[host].minor < 0)
            c->hosts[host].minor = minor;
    } else if (c->minor < 0) {
        c->minor = minor;
    }
    return 0;
}

/* A top-level statement: `resource NAME {` (ours or another's), or
 * global/common, which drbdadm dump may list too and we skip. */
static int dump_top(const stmt *st, const char *res, bool *mine,
                    bool *found)
{
    if (st->end == T_OPEN && st->n == 1 &&
        (!strcmp(st->w[0], "global") || !strcmp(st->w[0], "common")))
        return 0;
    if (st->end != T_OPEN || st->n != 2 || strcmp(st->w[0], "resource"))
        return dp_bad(res, "dump: expected 'resource NAME {'", st->w[0],
                      strlen(st->w[0]));
    *mine = !strcmp(st->w[1], res);
    if (*mine && *found)
        return dp_bad(res, "dump lists the resource twice", st->w[1],
                      strlen(st->w[1]));
    *found |= *mine;
    return 0;
}

/* A section opened inside our resource: `on HOST {` starts a host;
 * floating and stacked set-ups are refused (two named hosts expected). */
static int dump_section(const stmt *st, const char *res,
                        xlmig_drbd_conf *out, int *host)
{
    if (!strcmp(st->w[0], "floating") ||
        !strcmp(st->w[0], "stacked-on-top-of"))
        return dp_bad(res, "dump: section not supported (two named hosts"
                      " expected)", st->w[0], strlen(st->w[0]));
    if (strcmp(st->w[0], "on"))
        return 0;
    if (st->n != 2 || !dp_printable(st->w[1]) ||
        strlen(st->w[1]) >= XLMIG_DRBD_NAME_MAX)
        return dp_bad(res, "dump: 'on' section must name one host",
                      st->w[0], strlen(st->w[0]));
    if (out->nhosts >= XLMIG_DRBD_MAX_HOSTS)
        return dp_bad(res, "dump: too many hosts", st->w[1],
                      strlen(st->w[1]));
    *host = out->nhosts++;
    dp_setname(out->hosts[*host].name, st->w[1]);
    out->hosts[*host].minor = -1;
    return 0;
}

int xlmig_drbd_parse_dump(const char *buf, size_t len, const char *res,
                          xlmig_drbd_conf *out)
{
    lexer lx = { buf, buf + len, res, NULL };
    nest ns = { .kind = "dump" };
    bool mine = false, found = false;
    int host = -1, rc;
    stmt *st;

    memset(out, 0, sizeof(*out));
    out->minor = -1;
    snprintf(out->name, sizeof(out->name), "%s", res);
    st = malloc(sizeof(*st));
    if (!st)
        return XLMIG_E_NOMEM;
    while ((rc = nest_next(&lx, &ns, st)) > 0) {
        if (st->end == T_CLOSE) {
            if (ns.depth == 1)
                host = -1;
            if (!ns.depth)
                mine = false;
            continue;
        }
        if (!ns.depth) {
            rc = dump_top(st, res, &mine, &found);
            if (rc)
                goto out;
            goto push;
        }
        if (!mine)
            goto next;
        if (st->end == T_SEMI) {
            rc = dump_stmt(st, ns.name, ns.depth, out, host);
            if (rc)
                goto out;
            continue;
        }
        if (ns.depth == 1) {
            rc = dump_section(st, res, out, &host);
            if (rc)
                goto out;
        }
    next:
        if (st->end != T_OPEN)
            continue;
    push:
        rc = nest_push(&ns, res, st);
        if (rc)
            goto out;
    }
    if (rc)
        goto out;
    if (!found) {
        xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: not in drbdadm dump (no such"
                  " resource for this host)", res);
        rc = XLMIG_E_EXTERNAL;
        goto out;
    }
    if (!out->nhosts) {
        xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: drbdadm dump names no hosts",
                  res);
        rc = XLMIG_E_EXTERNAL;
        goto out;
    }
    rc = 0;
out:
    free(st);
    return rc;
}
