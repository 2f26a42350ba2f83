/* The evacuation journal in JSON through yajl: see journal.h. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "error.h"
#include "json_gen.h"
#include "json_get.h"
#include "json_guard.h"
#include "hoststate.h"
#include "journal.h"
#include "kv.h"

static const char *const jresult_names[XLMIG_JR__COUNT] = {
    "planned", "moved", "failed", "stayed", "undefined", "returned",
    "gone",
};
static const char *const jstate_names[XLMIG_JS__COUNT] = {
    "running", "evacuated", "done",
};

const char *xlmig_jresult_str(xlmig_jresult r)
{
    return (unsigned)r < XLMIG_JR__COUNT ? jresult_names[r] : "?";
}

const char *xlmig_jstate_str(xlmig_jstate s)
{
    return (unsigned)s < XLMIG_JS__COUNT ? jstate_names[s] : "?";
}

void xlmig_journal_init(xlmig_journal *j)
{
    memset(j, 0, sizeof(*j));
}

void xlmig_journal_dispose(xlmig_journal *j)
{
    free(j->guests);
    xlmig_journal_init(j);
}

int xlmig_journal_start(xlmig_journal *j, const char *host, unsigned n)
{
    struct timespec ts;
    char stamp[32];
    unsigned i;

    xlmig_journal_dispose(j);
    if (n > XLMIG_INV_MAX_GUESTS) {
        xlmig_err(XLMIG_E_INVAL, "journal: more than %d guests",
                  XLMIG_INV_MAX_GUESTS);
        return XLMIG_E_INVAL;
    }
    j->guests = calloc(n ? n : 1, sizeof(*j->guests));
    if (!j->guests) {
        xlmig_err(XLMIG_E_NOMEM, "out of memory");
        return XLMIG_E_NOMEM;
    }
    j->n = n;
    for (i = 0; i < n; i++)
        j->guests[i].exit_code = -1;
    clock_gettime(CLOCK_REALTIME, &ts);
    xlmig_utc_stamp(ts.tv_sec, j->started, sizeof(j->started));
    /* sortable by name: the newest is the largest */
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", gmtime(&ts.tv_sec));
    snprintf(j->id, sizeof(j->id), "evac-%s-%09ld-%ld", stamp,
             ts.tv_nsec, (long)getpid());
    snprintf(j->host, sizeof(j->host), "%s", host);
    j->state = XLMIG_JS_RUNNING;
    return 0;
}

int xlmig_journal_add_guest(xlmig_journal *j, unsigned *idx)
{
    xlmig_jguest *g;

    if (j->n >= XLMIG_INV_MAX_GUESTS) {
        xlmig_err(XLMIG_E_INVAL, "journal: more than %d guests",
                  XLMIG_INV_MAX_GUESTS);
        return XLMIG_E_INVAL;
    }
    g = realloc(j->guests, (j->n + 1) * sizeof(*g));
    if (!g) {
        xlmig_err(XLMIG_E_NOMEM, "out of memory");
        return XLMIG_E_NOMEM;
    }
    j->guests = g;
    memset(&g[j->n], 0, sizeof(*g));
    g[j->n].exit_code = -1;
    *idx = j->n++;
    return 0;
}

int xlmig_journal_find_guest(const xlmig_journal *j, const char *name)
{
    unsigned i;

    for (i = 0; i < j->n; i++)
        if (!strcmp(j->guests[i].name, name))
            return (int)i;
    return -1;
}

/* ---- encoding ---- */


static void put_str(yajl_gen g, const char *k, const char *v)
{
    GS(g, k);
    GS(g, v);
}

int xlmig_journal_encode(const xlmig_journal *j, char **out, size_t *len)
{
    unsigned i;
    yajl_gen g;
    int rc;

    *out = NULL;
    g = yajl_gen_alloc(NULL);
    if (!g) {
        xlmig_err(XLMIG_E_NOMEM, "out of memory");
        return XLMIG_E_NOMEM;
    }
    yajl_gen_config(g, yajl_gen_beautify, 1);
    yajl_gen_map_open(g);
    GS(g, "version");
    yajl_gen_integer(g, XLMIG_JOURNAL_VERSION);
    put_str(g, "id", j->id);
    put_str(g, "host", j->host);
    put_str(g, "state", xlmig_jstate_str(j->state));
    put_str(g, "started", j->started);
    put_str(g, "finished", j->finished);
    put_str(g, "episode", j->episode);
    GS(g, "guests");
    yajl_gen_array_open(g);
    for (i = 0; i < j->n; i++) {
        const xlmig_jguest *jg = &j->guests[i];

        yajl_gen_map_open(g);
        put_str(g, "name", jg->name);
        put_str(g, "dest", jg->dest);
        GS(g, "mem_mib");
        yajl_gen_integer(g, (long long)jg->mem_mib);
        put_str(g, "result", xlmig_jresult_str(jg->result));
        put_str(g, "reason", jg->reason);
        put_str(g, "started", jg->started);
        put_str(g, "finished", jg->finished);
        GS(g, "exit");
        yajl_gen_integer(g, jg->exit_code);
        GS(g, "total_ms");
        yajl_gen_integer(g, (long long)jg->total_ms);
        GS(g, "downtime_ms");
        yajl_gen_integer(g, (long long)jg->downtime_ms);
        GS(g, "bytes");
        yajl_gen_integer(g, (long long)jg->bytes);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
    rc = xlmig_json_gen_take(g, out, len);
    if (rc)
        xlmig_err(rc, "journal: cannot encode");
    yajl_gen_free(g);
    return rc;
}

/* ---- decoding ---- */

static const xlmig_json_src src = { XLMIG_E_INVAL, "journal", false };

static int bad(const char *where, const char *key, const char *what)
{
    return xlmig_json_bad(&src, where, key, what);
}

static int get_str(const char *where, yajl_val v, const char *key,
                   char *out, size_t max)
{
    return xlmig_json_str(&src, where, v, key, out, max);
}

static int get_enum(const char *where, yajl_val v, const char *key,
                    const char *const *names, unsigned n, unsigned *out)
{
    const char *s;
    unsigned i;

    if (!YAJL_IS_STRING(v) || !(s = YAJL_GET_STRING(v)))
        return bad(where, key, "is not a string");
    for (i = 0; i < n; i++) {
        if (!strcmp(s, names[i])) {
            *out = i;
            return 0;
        }
    }
    return bad(where, key, "has an unknown value");
}

static int get_int(const char *where, yajl_val v, const char *key,
                   long long lo, long long hi, long long *out)
{
    return xlmig_json_int(&src, where, v, key, lo, hi, out);
}

static int decode_guest(yajl_val o, unsigned idx, xlmig_jguest *jg)
{
    char where[48];
    unsigned seen = 0, e = 0;
    long long x = 0;
    size_t i;
    int rc = 0;

    snprintf(where, sizeof(where), "guests[%u].", idx);
    if (!YAJL_IS_OBJECT(o))
        return bad(where, "", "is not an object");
    for (i = 0; i < o->u.object.len && !rc; i++) {
        const char *k = o->u.object.keys[i];
        yajl_val v = o->u.object.values[i];

        if (!strcmp(k, "name")) {
            rc = get_str(where, v, k, jg->name, sizeof(jg->name));
            if (!rc && !xlmig_inv_name_ok(jg->name))
                rc = bad(where, k, "is not a usable guest name");
            seen |= 1;
        } else if (!strcmp(k, "dest")) {
            rc = get_str(where, v, k, jg->dest, sizeof(jg->dest));
            if (!rc && jg->dest[0] && !xlmig_inv_name_ok(jg->dest))
                rc = bad(where, k, "is not a usable host name");
        } else if (!strcmp(k, "mem_mib")) {
            rc = get_int(where, v, k, 0, 1LL << 40, &x);
            jg->mem_mib = (uint64_t)x;
        } else if (!strcmp(k, "result")) {
            rc = get_enum(where, v, k, jresult_names, XLMIG_JR__COUNT, &e);
            jg->result = (xlmig_jresult)e;
            seen |= 2;
        } else if (!strcmp(k, "reason")) {
            rc = get_str(where, v, k, jg->reason, sizeof(jg->reason));
        } else if (!strcmp(k, "started")) {
            rc = get_str(where, v, k, jg->started, sizeof(jg->started));
        } else if (!strcmp(k, "finished")) {
            rc = get_str(where, v, k, jg->finished, sizeof(jg->finished));
        } else if (!strcmp(k, "exit")) {
            rc = get_int(where, v, k, -1, 255, &x);
            jg->exit_code = (int)x;
        } else if (!strcmp(k, "total_ms")) {
            rc = get_int(where, v, k, 0, 1LL << 40, &x);
            jg->total_ms = (uint64_t)x;
        } else if (!strcmp(k, "downtime_ms")) {
            rc = get_int(where, v, k, 0, 1LL << 40, &x);
            jg->downtime_ms = (uint64_t)x;
        } else if (!strcmp(k, "bytes")) {
            rc = get_int(where, v, k, 0, 1LL << 60, &x);
            jg->bytes = (uint64_t)x;
        } else {
            rc = bad(where, k, "is not a journal key");
        }
    }
    if (rc)
        return rc;
    if (seen != 3)
        return bad(where, seen & 1 ? "result" : "name", "is missing");
    if ((jg->result == XLMIG_JR_MOVED || jg->result == XLMIG_JR_RETURNED)
        && !jg->dest[0])
        return bad(where, "dest", "is empty for a guest that moved");
    return 0;
}

static int decode_guests(yajl_val v, xlmig_journal *j)
{
    size_t i;
    int rc;

    if (!YAJL_IS_ARRAY(v))
        return bad("", "guests", "is not an array");
    if (v->u.array.len > XLMIG_INV_MAX_GUESTS)
        return bad("", "guests", "has too many entries");
    free(j->guests);
    j->n = 0;
    j->guests = calloc(v->u.array.len + 1, sizeof(*j->guests));
    if (!j->guests) {
        xlmig_err(XLMIG_E_NOMEM, "out of memory");
        return XLMIG_E_NOMEM;
    }
    for (i = 0; i < v->u.array.len; i++) {
        j->guests[i].exit_code = -1;
        rc = decode_guest(v->u.array.values[i], (unsigned)i, &j->guests[i]);
        if (rc)
            return rc;
        j->n++;
    }
    return 0;
}

int xlmig_journal_decode(const char *buf, size_t len, xlmig_journal *j)
{
    yajl_val root = NULL;
    char err[128];
    unsigned seen = 0, e = 0;
    long long ver = 0;
    size_t i;
    int rc = 0;

    xlmig_journal_dispose(j);
    if (len > XLMIG_JOURNAL_MAX_BYTES) {
        xlmig_err(XLMIG_E_INVAL, "journal: larger than %u bytes",
                  XLMIG_JOURNAL_MAX_BYTES);
        return XLMIG_E_INVAL;
    }
    if (memchr(buf, 0, len)) {
        xlmig_err(XLMIG_E_INVAL, "journal: NUL byte in the text");
        return XLMIG_E_INVAL;
    }
    rc = xlmig_json_parse(buf, len, "journal", &root, err, sizeof(err));
    if (rc == XLMIG_E_NOMEM) {
        xlmig_err(XLMIG_E_NOMEM, "out of memory");
        return XLMIG_E_NOMEM;
    }
    if (rc == XLMIG_E_PROTO)
        goto out;
    rc = 0;
    if (!root) {
        err[strcspn(err, "\n")] = 0;
        xlmig_err(XLMIG_E_INVAL, "journal: not JSON: %s", err);
        rc = XLMIG_E_INVAL;
        goto out;
    }
    if (!YAJL_IS_OBJECT(root)) {
        rc = bad("", "top level", "is not an object");
        goto out;
    }
    for (i = 0; i < root->u.object.len && !rc; i++) {
        const char *k = root->u.object.keys[i];
        yajl_val v = root->u.object.values[i];

        if (!strcmp(k, "version")) {
            rc = get_int("", v, k, XLMIG_JOURNAL_VERSION,
                         XLMIG_JOURNAL_VERSION, &ver);
            seen |= 1;
        } else if (!strcmp(k, "id")) {
            rc = get_str("", v, k, j->id, sizeof(j->id));
            if (!rc && (!xlmig_inv_name_ok(j->id)))
                rc = bad("", k, "is not a usable file name");
            seen |= 2;
        } else if (!strcmp(k, "host")) {
            rc = get_str("", v, k, j->host, sizeof(j->host));
            if (!rc && !xlmig_inv_name_ok(j->host))
                rc = bad("", k, "is not a usable host name");
            seen |= 4;
        } else if (!strcmp(k, "state")) {
            rc = get_enum("", v, k, jstate_names, XLMIG_JS__COUNT, &e);
            j->state = (xlmig_jstate)e;
            seen |= 8;
        } else if (!strcmp(k, "started")) {
            rc = get_str("", v, k, j->started, sizeof(j->started));
        } else if (!strcmp(k, "finished")) {
            rc = get_str("", v, k, j->finished, sizeof(j->finished));
        } else if (!strcmp(k, "episode")) {
            rc = get_str("", v, k, j->episode, sizeof(j->episode));
        } else if (!strcmp(k, "guests")) {
            rc = decode_guests(v, j);
            seen |= 16;
        } else {
            rc = bad("", k, "is not a journal key");
        }
    }
    if (!rc && seen != 31) {
        static const char *const req[] = { "version", "id", "host", "state",
                                           "guests" };

        for (i = 0; i < 5; i++)
            if (!(seen & (1u << i)))
                break;
        rc = bad("", req[i], "is missing");
    }
out:
    if (rc)
        xlmig_journal_dispose(j);
    yajl_tree_free(root);
    return rc;
}

/* ---- files ---- */

int xlmig_journal_save(const char *dir, const xlmig_journal *j)
{
    char path[4096], *text = NULL;
    size_t len;
    int rc;

    rc = xlmig_state_dir_make(dir);
    if (!rc)
        rc = xlmig_journal_encode(j, &text, &len);
    if (rc)
        return rc;
    snprintf(path, sizeof(path), "%s/journal/%s.json", dir, j->id);
    rc = xlmig_write_atomic(path, text, len);
    free(text);
    return rc;
}

int xlmig_journal_load(const char *path, xlmig_journal *j)
{
    char *buf = NULL;
    size_t len;
    int rc;

    rc = xlmig_read_file(path, XLMIG_JOURNAL_MAX_BYTES, &buf, &len);
    if (!rc) {
        rc = xlmig_journal_decode(buf, len, j);
        if (rc)
            xlmig_err_replace(rc, "%s: %s", path, xlmig_errmsg());
    }
    free(buf);
    return rc;
}

static int journal_names(const char *dir, struct dirent ***list)
{
    char path[4096];
    int n;

    snprintf(path, sizeof(path), "%s/journal", dir);
    n = scandir(path, list, NULL, alphasort);
    if (n < 0) {
        *list = NULL;
        return 0;           /* no journal directory: no journals */
    }
    return n;
}

static bool is_journal(const char *name)
{
    size_t n = strlen(name);

    return !strncmp(name, "evac-", 5) && n > 5 &&
           !strcmp(name + n - 5, ".json");
}

/* Walk journals newest first; fn stops the walk with non-zero. */
static int walk_open(const char *dir,
                     int (*fn)(const char *path, xlmig_journal *j,
                               void *arg), void *arg)
{
    struct dirent **list = NULL;
    char path[4096];
    xlmig_journal j;
    int n, i, rc = 0;

    xlmig_journal_init(&j);
    n = journal_names(dir, &list);
    for (i = n - 1; i >= 0; i--) {
        if (!rc && is_journal(list[i]->d_name)) {
            snprintf(path, sizeof(path), "%s/journal/%s", dir,
                     list[i]->d_name);
            rc = xlmig_journal_load(path, &j);
            if (!rc && j.state != XLMIG_JS_DONE)
                rc = fn(path, &j, arg);
            xlmig_journal_dispose(&j);
        }
        free(list[i]);
    }
    free(list);
    return rc;
}

typedef struct {
    char *buf;
    size_t len;
    unsigned n;
} list_acc;

static int add_id(const char *path, xlmig_journal *j, void *arg)
{
    list_acc *a = arg;
    size_t used = strlen(a->buf);

    (void)path;
    if (used + strlen(j->id) + 2 < a->len)
        snprintf(a->buf + used, a->len - used, "%s%s", used ? "," : "",
                 j->id);
    a->n++;
    return 0;
}

int xlmig_journal_list_open(const char *dir, char *buf, size_t len,
                            unsigned *n)
{
    list_acc a = { buf, len, 0 };
    int rc;

    if (len)
        buf[0] = 0;
    rc = walk_open(dir, add_id, &a);
    *n = a.n;
    return rc;
}

typedef struct {
    const char *episode;
    xlmig_journal *out;
} episode_acc;

static int take_episode(const char *path, xlmig_journal *j, void *arg)
{
    episode_acc *a = arg;

    (void)path;
    if (strcmp(j->episode, a->episode))
        return 0;
    *a->out = *j;
    xlmig_journal_init(j);      /* ownership moves to the caller */
    return 1;                   /* newest first: this is the one */
}

int xlmig_journal_find_episode(const char *dir, const char *episode,
                               xlmig_journal *j)
{
    episode_acc a = { episode, j };

    xlmig_journal_dispose(j);
    if (!episode[0])
        return 0;
    return walk_open(dir, take_episode, &a);
}

int xlmig_journal_prune_done(const char *dir, unsigned keep, unsigned *n)
{
    struct dirent **list = NULL;
    char path[4096];
    xlmig_journal j;
    unsigned done = 0;
    int nn, i, rc = 0;

    *n = 0;
    xlmig_journal_init(&j);
    nn = journal_names(dir, &list);
    for (i = nn - 1; i >= 0; i--) {
        if (!rc && is_journal(list[i]->d_name)) {
            snprintf(path, sizeof(path), "%s/journal/%s", dir,
                     list[i]->d_name);
            /* one that cannot be read is left for the operator */
            if (!xlmig_journal_load(path, &j) &&
                j.state == XLMIG_JS_DONE && ++done > keep) {
                if (unlink(path)) {
                    xlmig_err(XLMIG_E_IO, "cannot remove %s", path);
                    rc = XLMIG_E_IO;
                } else {
                    (*n)++;
                }
            }
            xlmig_journal_dispose(&j);
            if (!rc)
                xlmig_err_clear();
        }
        free(list[i]);
    }
    free(list);
    return rc;
}

/* ---- return, across journals ---- */

unsigned xlmig_journal_mark_returned(xlmig_journal *j, const char *name)
{
    unsigned i, n = 0;

    for (i = 0; i < j->n; i++) {
        if (j->guests[i].result == XLMIG_JR_MOVED &&
            !strcmp(j->guests[i].name, name)) {
            j->guests[i].result = XLMIG_JR_RETURNED;
            n++;
        }
    }
    return n;
}

bool xlmig_journal_has_moved(const xlmig_journal *j)
{
    unsigned i;

    for (i = 0; i < j->n; i++)
        if (j->guests[i].result == XLMIG_JR_MOVED)
            return true;
    return false;
}

void xlmig_journal_set_init(xlmig_journal_set *s)
{
    memset(s, 0, sizeof(*s));
}

void xlmig_journal_set_dispose(xlmig_journal_set *s)
{
    unsigned i;

    for (i = 0; i < s->n; i++)
        xlmig_journal_dispose(&s->j[i]);
    xlmig_journal_set_init(s);
}

typedef struct {
    const char *dir;
    xlmig_journal_set *s;
} set_acc;

static int take_all(const char *path, xlmig_journal *j, void *arg)
{
    set_acc *a = arg;

    (void)path;
    if (a->s->n == XLMIG_JOURNAL_MAX_OPEN) {
        xlmig_err(XLMIG_E_INVAL, "%s/journal: more than %d evacuations not"
                  " returned; move the oldest journals away", a->dir,
                  XLMIG_JOURNAL_MAX_OPEN);
        return XLMIG_E_INVAL;
    }
    a->s->j[a->s->n++] = *j;
    xlmig_journal_init(j);      /* ownership moves to the set */
    return 0;
}

int xlmig_journal_load_open(const char *dir, xlmig_journal_set *s)
{
    set_acc a = { dir, s };
    int rc;

    xlmig_journal_set_dispose(s);
    rc = walk_open(dir, take_all, &a);
    if (rc)
        xlmig_journal_set_dispose(s);
    return rc;
}

typedef struct {
    const char *name;
    xlmig_jref r;
} named_ref;

static int cmp_place(const xlmig_jref *x, const xlmig_jref *y)
{
    if (x->j != y->j)
        return x->j < y->j ? -1 : 1;
    return (x->g > y->g) - (x->g < y->g);
}

static int by_name_newest(const void *a, const void *b)
{
    const named_ref *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    return c ? c : cmp_place(&x->r, &y->r);
}

static int by_place(const void *a, const void *b)
{
    return cmp_place(&((const named_ref *)a)->r, &((const named_ref *)b)->r);
}

int xlmig_journal_set_moved(const xlmig_journal_set *s, xlmig_jref **refs,
                            unsigned *n)
{
    named_ref *all = NULL;
    unsigned i, k, m = 0, total = 0;
    int rc;

    *n = 0;
    for (i = 0; i < s->n; i++)
        total += s->j[i].n;
    all = calloc(total + 1, sizeof(*all));
    *refs = calloc(total + 1, sizeof(**refs));
    if (!all || !*refs) {
        xlmig_err(XLMIG_E_NOMEM, "out of memory");
        rc = XLMIG_E_NOMEM;
        goto out;
    }
    for (i = 0; i < s->n; i++)
        for (k = 0; k < s->j[i].n; k++)
            if (s->j[i].guests[k].result == XLMIG_JR_MOVED)
                all[m++] = (named_ref){ s->j[i].guests[k].name, { i, k } };
    /* sorted, a name's newest entry comes first: keep only it */
    qsort(all, m, sizeof(*all), by_name_newest);
    for (i = 0, k = 0; i < m; i++)
        if (!k || strcmp(all[i].name, all[k - 1].name))
            all[k++] = all[i];
    qsort(all, k, sizeof(*all), by_place);
    for (i = 0; i < k; i++)
        (*refs)[i] = all[i].r;
    *n = k;
    rc = 0;
out:
    free(all);
    if (rc) {
        free(*refs);
        *refs = NULL;
    }
    return rc;
}
