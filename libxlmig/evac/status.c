/* Host status JSON: see status.h. */
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "error.h"
#include "json_gen.h"
#include "json_get.h"
#include "json_guard.h"
#include "status.h"


int xlmig_status_encode(const xlmig_status *s, const xlmig_inventory *inv,
                        char **out, size_t *len)
{
    unsigned i, r, p;
    yajl_gen g;
    int rc;

    *out = NULL;
    g = yajl_gen_alloc(NULL);
    if (!g) {
        xlmig_err(XLMIG_E_NOMEM, "out of memory");
        return XLMIG_E_NOMEM;
    }
    yajl_gen_map_open(g);
    GS(g, "host");
    GS(g, s->host);
    GS(g, "free_mib");
    yajl_gen_integer(g, (long long)s->free_mib);
    GS(g, "maintenance");
    yajl_gen_bool(g, s->maintenance);
    GS(g, "maintenance_since");
    GS(g, s->since);
    GS(g, "open_journals");
    yajl_gen_integer(g, s->njournals);
    GS(g, "journals");
    GS(g, s->journals);
    GS(g, "throttled");
    GS(g, s->throttled);
    GS(g, "guests");
    yajl_gen_array_open(g);
    for (i = 0; inv && i < inv->nguests; i++) {
        const xlmig_inv_guest *gu = &inv->guests[i];

        yajl_gen_map_open(g);
        GS(g, "name");
        GS(g, gu->name);
        GS(g, "mem_mib");
        yajl_gen_integer(g, (long long)gu->mem_mib);
        GS(g, "drbd");
        yajl_gen_array_open(g);
        for (r = 0; r < gu->nres; r++) {
            yajl_gen_map_open(g);
            GS(g, "resource");
            GS(g, gu->res[r].name);
            GS(g, "peers");
            yajl_gen_array_open(g);
            for (p = 0; p < gu->res[r].npeers; p++)
                GS(g, gu->res[r].peers[p]);
            yajl_gen_array_close(g);
            yajl_gen_map_close(g);
        }
        yajl_gen_array_close(g);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
    rc = xlmig_json_gen_take(g, out, len);
    if (rc)
        xlmig_err(rc, "status: cannot encode");
    yajl_gen_free(g);
    return rc;
}

static const xlmig_json_src src = { XLMIG_E_PROTO, "host status", false };

static int bad(const char *key, const char *what)
{
    return xlmig_json_bad(&src, "", key, what);
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
            rc = xlmig_json_str(&src, "", v, k, s->host, sizeof(s->host));
            if (!rc && !xlmig_inv_name_ok(s->host))
                rc = bad(k, "is not a usable host name");
            seen |= 1;
        } else if (!strcmp(k, "free_mib")) {
            rc = xlmig_json_u64(&src, "", v, k, 1ULL << 40, &s->free_mib);
            seen |= 2;
        } else if (!strcmp(k, "maintenance")) {
            rc = xlmig_json_bool(&src, "", v, k, &s->maintenance);
            seen |= 4;
        } else if (!strcmp(k, "maintenance_since")) {
            rc = xlmig_json_str(&src, "", v, k, s->since, sizeof(s->since));
        } else if (!strcmp(k, "open_journals")) {
            rc = xlmig_json_u64(&src, "", v, k, 1u << 20, &u);
            s->njournals = (unsigned)u;
        } else if (!strcmp(k, "journals")) {
            rc = xlmig_json_str(&src, "", v, k, s->journals,
                                sizeof(s->journals));
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
