/* Host status JSON: see status.h. */
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "error.h"
#include "json_guard.h"
#include "json_out.h"
#include "status.h"
#include "status_extra.h"

/*
 * One function per part of the object, in the order printed; a new
 * part is a new function called from xlmig_status_encode.
 */
static void gen_host(yajl_gen g, const xlmig_status *s)
{
    xlmig_jout_str(g, "host", s->host);
    xlmig_jout_u64(g, "free_mib", s->free_mib);
    xlmig_jout_bool(g, "maintenance", s->maintenance);
    xlmig_jout_str_or_null(g, "maintenance_since", s->since);
}

static void gen_journals(yajl_gen g, const xlmig_status *s)
{
    xlmig_jout_u64(g, "open_journals", s->njournals);
    xlmig_jout_list(g, "journals", s->journals);
}

static void gen_throttled(yajl_gen g, const xlmig_status *s)
{
    xlmig_jout_list(g, "throttled", s->throttled);
}

static void gen_guests(yajl_gen g, const xlmig_inventory *inv)
{
    unsigned i, r, p;

    xlmig_jout_key(g, "guests");
    yajl_gen_array_open(g);
    for (i = 0; inv && i < inv->nguests; i++) {
        const xlmig_inv_guest *gu = &inv->guests[i];

        yajl_gen_map_open(g);
        xlmig_jout_str(g, "name", gu->name);
        xlmig_jout_u64(g, "mem_mib", gu->mem_mib);
        xlmig_jout_key(g, "drbd");
        yajl_gen_array_open(g);
        for (r = 0; r < gu->nres; r++) {
            yajl_gen_map_open(g);
            xlmig_jout_str(g, "resource", gu->res[r].name);
            xlmig_jout_key(g, "peers");
            yajl_gen_array_open(g);
            for (p = 0; p < gu->res[r].npeers; p++)
                xlmig_jout_str(g, NULL, gu->res[r].peers[p]);
            yajl_gen_array_close(g);
            xlmig_status_res_gen(g, &gu->res[r].state);
            yajl_gen_map_close(g);
        }
        yajl_gen_array_close(g);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
}

int xlmig_status_encode(const xlmig_status *s, const xlmig_inventory *inv,
                        char **out, size_t *len)
{
    yajl_gen g;

    *out = NULL;
    g = xlmig_jout_new();
    if (!g) {
        xlmig_err(XLMIG_E_NOMEM, "out of memory");
        return XLMIG_E_NOMEM;
    }
    yajl_gen_map_open(g);
    gen_host(g, s);
    gen_journals(g, s);
    gen_throttled(g, s);
    gen_guests(g, inv);
    if (s->extra)
        xlmig_status_extra_gen(g, s->extra);
    yajl_gen_map_close(g);
    return xlmig_jout_take(g, out, len);
}

static int bad(const char *key, const char *what)
{
    xlmig_err(XLMIG_E_PROTO, "host status: %s %s", key, what);
    return XLMIG_E_PROTO;
}

static int get_str(yajl_val v, const char *key, char *out, size_t max)
{
    const char *s;

    if (!YAJL_IS_STRING(v) || !(s = YAJL_GET_STRING(v)))
        return bad(key, "is not a string");
    if (strlen(s) >= max)
        return bad(key, "is too long");
    strcpy(out, s);
    return 0;
}

/* An array of strings, comma-joined; a string, from older peers. */
static int get_list(yajl_val v, const char *key, char *out, size_t max)
{
    size_t i, used = 0, n;
    const char *e;

    if (YAJL_IS_STRING(v))
        return get_str(v, key, out, max);
    if (!YAJL_IS_ARRAY(v))
        return bad(key, "is not an array");
    out[0] = 0;
    for (i = 0; i < v->u.array.len; i++) {
        yajl_val x = v->u.array.values[i];

        if (!YAJL_IS_STRING(x) || !(e = YAJL_GET_STRING(x)) || !*e ||
            strchr(e, ','))
            return bad(key, "has an entry that is not a name");
        n = strlen(e);
        if (used + (used ? 1 : 0) + n >= max)
            return bad(key, "is too long");
        if (used)
            out[used++] = ',';
        memcpy(out + used, e, n + 1);
        used += n;
    }
    return 0;
}

static int get_u64(yajl_val v, const char *key, uint64_t max,
                   uint64_t *out)
{
    if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < 0 ||
        (uint64_t)YAJL_GET_INTEGER(v) > max)
        return bad(key, "is not an integer in range");
    *out = (uint64_t)YAJL_GET_INTEGER(v);
    return 0;
}

static int get_guests(yajl_val v, xlmig_status *s)
{
    size_t i;

    if (!YAJL_IS_ARRAY(v))
        return bad("guests", "is not an array");
    if (v->u.array.len > XLMIG_INV_MAX_GUESTS)
        return bad("guests", "has too many entries");
    for (i = 0; i < v->u.array.len; i++) {
        const char *path[] = { "name", NULL };
        yajl_val g = v->u.array.values[i], n;

        if (!YAJL_IS_OBJECT(g))
            return bad("guests", "has an entry that is not an object");
        n = yajl_tree_get(g, path, yajl_t_string);
        if (!n || !xlmig_inv_name_ok(YAJL_GET_STRING(n)))
            return bad("guests", "has an entry without a usable name");
    }
    s->nguests = (unsigned)v->u.array.len;
    return 0;
}

int xlmig_status_decode(const char *buf, size_t len, xlmig_status *s)
{
    yajl_val root = NULL;
    char err[128];
    unsigned seen = 0;
    uint64_t u = 0;
    size_t i;
    int rc = 0;

    memset(s, 0, sizeof(*s));
    if (len > XLMIG_STATUS_MAX_BYTES || memchr(buf, 0, len)) {
        xlmig_err(XLMIG_E_PROTO, "host status: too large or not text");
        return XLMIG_E_PROTO;
    }
    rc = xlmig_json_parse(buf, len, "host status", &root, err,
                          sizeof(err));
    if (rc == XLMIG_E_NOMEM) {
        xlmig_err(XLMIG_E_NOMEM, "out of memory");
        return XLMIG_E_NOMEM;
    }
    if (rc == XLMIG_E_PROTO)
        goto out;
    rc = 0;
    if (!root || !YAJL_IS_OBJECT(root)) {
        err[strcspn(err, "\n")] = 0;
        xlmig_err(XLMIG_E_PROTO, "host status: not a JSON object%s%s",
                  err[0] ? ": " : "", err);
        rc = XLMIG_E_PROTO;
        goto out;
    }
    for (i = 0; i < root->u.object.len && !rc; i++) {
        const char *k = root->u.object.keys[i];
        yajl_val v = root->u.object.values[i];

        if (!strcmp(k, "host")) {
            rc = get_str(v, k, s->host, sizeof(s->host));
            if (!rc && !xlmig_inv_name_ok(s->host))
                rc = bad(k, "is not a usable host name");
            seen |= 1;
        } else if (!strcmp(k, "free_mib")) {
            rc = get_u64(v, k, 1ULL << 40, &s->free_mib);
            seen |= 2;
        } else if (!strcmp(k, "maintenance")) {
            if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
                rc = bad(k, "is not a boolean");
            s->maintenance = YAJL_IS_TRUE(v);
            seen |= 4;
        } else if (!strcmp(k, "maintenance_since")) {
            if (!YAJL_IS_NULL(v))
                rc = get_str(v, k, s->since, sizeof(s->since));
        } else if (!strcmp(k, "open_journals")) {
            rc = get_u64(v, k, 1u << 20, &u);
            s->njournals = (unsigned)u;
        } else if (!strcmp(k, "journals")) {
            rc = get_list(v, k, s->journals, sizeof(s->journals));
        } else if (!strcmp(k, "guests")) {
            rc = get_guests(v, s);
        }
    }
    if (!rc && seen != 7)
        rc = bad(!(seen & 1) ? "host" : !(seen & 2) ? "free_mib"
                 : "maintenance", "is missing");
out:
    yajl_tree_free(root);
    return rc;
}
