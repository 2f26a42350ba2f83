/* The evacuation journal in JSON through yajl: see journal.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "error.h"
#include "json_gen.h"
#include "json_get.h"
#include "json_guard.h"
#include "journal.h"

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

/* The top-level object: every key known, the required ones present. */
static int decode_root(yajl_val root, xlmig_journal *j)
{
    unsigned seen = 0, e = 0;
    long long ver = 0;
    size_t i;
    int rc = 0;

    if (!YAJL_IS_OBJECT(root))
        return bad("", "top level", "is not an object");
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
    return rc;
}

int xlmig_journal_decode(const char *buf, size_t len, xlmig_journal *j)
{
    yajl_val root = NULL;
    char err[128];
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
    rc = decode_root(root, j);
out:
    if (rc)
        xlmig_journal_dispose(j);
    yajl_tree_free(root);
    return rc;
}
