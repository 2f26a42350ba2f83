#include "recover.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "error.h"
#include "json_gen.h"
#include "json_guard.h"
#include "json_out.h"
#include "names.h"
#include "throttle_cap.h"

static const char *copy_words[XLMIG_COPY__COUNT] = {
    "name", "incoming", "migratedaway",
};

/* Each goes on the peer's command line: names.h's strict rules. */
int xlmig_domain_name_ok(const char *name)
{
    return xlmig_name_word_ok(name);
}

int xlmig_uuid_text_ok(const char *s)
{
    return !*s || xlmig_name_uuid_ok(s);
}

int xlmig_lock_text_ok(const char *s)
{
    size_t i, n = strlen(s);

    if (n >= XLMIG_VIEW_LOCK_LEN)
        return 0;
    for (i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr(" ().:,-", s[i]))
            return 0;
    return 1;
}

int xlmig_resource_list_ok(const char *s)
{
    char one[XLMIG_VIEW_RES_LEN];
    size_t n;

    if (strlen(s) >= XLMIG_VIEW_RES_LEN)
        return 0;
    while (*s) {
        n = strcspn(s, ",");
        memcpy(one, s, n);
        one[n] = 0;
        if (!xlmig_name_resource_ok(one) || (s[n] == ',' && !s[n + 1]))
            return 0;
        s += n + (s[n] == ',');
    }
    return 1;
}

int xlmig_host_view_to_json(const xlmig_host_view *v, const char *host,
                            const char *domain, char **out)
{
    char name[160];
    int c, rc = XLMIG_E_NOMEM;
    yajl_gen g = yajl_gen_alloc(NULL);

    *out = NULL;
    if (!g)
        return rc;
    yajl_gen_map_open(g);
    GS(g, "host");
    GS(g, host);
    GS(g, "domain");
    GS(g, domain);
    GS(g, "copies");
    yajl_gen_map_open(g);
    for (c = 0; c < XLMIG_COPY__COUNT; c++) {
        if (xlmig_copy_name(domain, (xlmig_copy)c, name, sizeof(name)))
            goto out;
        GS(g, name);
        GS(g, xlmig_dom_state_str(v->copy[c]));
    }
    yajl_gen_map_close(g);
    GS(g, "drbd");
    GS(g, xlmig_disk_role_str(v->drbd));
    GS(g, "window");
    yajl_gen_bool(g, v->window);
    GS(g, "tokens");
    yajl_gen_integer(g, v->tokens);
    GS(g, "uuid");
    GS(g, v->uuid);
    xlmig_jout_list(g, "resources", v->resources);
    GS(g, "capped");
    yajl_gen_bool(g, v->capped);
    if (v->locked_by[0]) {
        GS(g, "locked_by");
        GS(g, v->locked_by);
    }
    yajl_gen_map_close(g);
    rc = xlmig_json_gen_take(g, out, NULL);
out:
    yajl_gen_free(g);
    return rc;
}

static yajl_val get(yajl_val obj, const char *key)
{
    const char *path[] = { key, NULL };

    return yajl_tree_get(obj, path, yajl_t_any);
}

/* An optional string key, copied to buf only if ok() accepts it. */
static int opt_text(yajl_val root, const char *key, int (*ok)(const char *),
                    char *buf, size_t len)
{
    yajl_val x = get(root, key);

    if (!x)
        return 0;
    if (!YAJL_IS_STRING(x) || !ok(YAJL_GET_STRING(x))) {
        xlmig_err(XLMIG_E_PROTO, "peer's inspection: not a valid \"%s\"",
                  key);
        return XLMIG_E_PROTO;
    }
    snprintf(buf, len, "%s", YAJL_GET_STRING(x));
    return 0;
}

/* "resources": an array of names (or, from older peers, "r0,r1"). */
static int opt_list(yajl_val root, const char *key, int (*ok)(const char *),
                    char *buf, size_t len)
{
    yajl_val x = get(root, key), e;
    size_t i, used = 0;
    const char *w;

    if (!x || !YAJL_IS_ARRAY(x))
        return opt_text(root, key, ok, buf, len);
    buf[0] = 0;
    for (i = 0; i < x->u.array.len; i++) {
        e = x->u.array.values[i];
        w = YAJL_IS_STRING(e) ? YAJL_GET_STRING(e) : NULL;
        if (!w || !*w || strchr(w, ',') || used + strlen(w) + 2 > len)
            break;
        used += (size_t)snprintf(buf + used, len - used, "%s%s",
                                 used ? "," : "", w);
    }
    if (i < x->u.array.len || !ok(buf)) {
        buf[0] = 0;
        xlmig_err(XLMIG_E_PROTO, "peer's inspection: not a valid \"%s\"",
                  key);
        return XLMIG_E_PROTO;
    }
    return 0;
}

/* The state of each of the guest's three names on the peer. */
static int view_copies(yajl_val copies, const char *domain,
                       xlmig_host_view *v)
{
    const int rc = XLMIG_E_PROTO;
    char name[160];
    yajl_val x;
    int c, s;

    for (c = 0; c < XLMIG_COPY__COUNT; c++) {
        if (xlmig_copy_name(domain, (xlmig_copy)c, name, sizeof(name))) {
            xlmig_err(rc, "peer's inspection: domain name too long");
            return rc;
        }
        x = get(copies, name);
        s = YAJL_IS_STRING(x) ? xlmig_dom_state_parse(YAJL_GET_STRING(x))
                              : -1;
        if (s < 0) {
            xlmig_err(rc, "peer's inspection: no valid state for %s", name);
            return rc;
        }
        v->copy[c] = (xlmig_dom_state)s;
    }
    return 0;
}

/* DRBD role, tokens, and the newer keys (absent: closed / unknown). */
static int view_state(yajl_val root, xlmig_host_view *v)
{
    const int rc = XLMIG_E_PROTO;
    yajl_val x;
    int s;

    x = get(root, "drbd");
    s = YAJL_IS_STRING(x) ? xlmig_disk_role_parse(YAJL_GET_STRING(x)) : -1;
    if (s < 0) {
        xlmig_err(rc, "peer's inspection: no valid \"drbd\" role");
        return rc;
    }
    v->drbd = (xlmig_disk_role)s;
    x = get(root, "tokens");
    if (!YAJL_IS_INTEGER(x) || YAJL_GET_INTEGER(x) < 0 ||
        YAJL_GET_INTEGER(x) > 1000000) {
        xlmig_err(rc, "peer's inspection: no valid \"tokens\" count");
        return rc;
    }
    v->tokens = (unsigned)YAJL_GET_INTEGER(x);
    x = get(root, "window");
    if (x && !YAJL_IS_TRUE(x) && !YAJL_IS_FALSE(x)) {
        xlmig_err(rc, "peer's inspection: \"window\" is not true/false");
        return rc;
    }
    v->window = x && YAJL_IS_TRUE(x);
    x = get(root, "capped");
    if (x && !YAJL_IS_TRUE(x) && !YAJL_IS_FALSE(x)) {
        xlmig_err(rc, "peer's inspection: \"capped\" is not true/false");
        return rc;
    }
    v->capped = x && YAJL_IS_TRUE(x);
    return 0;
}

int xlmig_host_view_parse(const char *buf, size_t len, const char *domain,
                          xlmig_host_view *v, char *host, size_t hostlen)
{
    char errbuf[128] = "";
    yajl_val root = NULL, x, copies;
    const char *d;
    int rc = XLMIG_E_PROTO;

    xlmig_host_view_init(v);
    if (hostlen)
        host[0] = 0;
    if (len > XLMIG_VIEW_JSON_MAX || memchr(buf, 0, len)) {
        xlmig_err(rc, "peer's inspection: not one line of JSON");
        goto out;
    }
    rc = xlmig_json_parse(buf, len, "peer's inspection", &root, errbuf,
                          sizeof(errbuf));
    if (rc == XLMIG_E_NOMEM || rc == XLMIG_E_PROTO)
        goto out;
    rc = XLMIG_E_PROTO;
    if (!root || !YAJL_IS_OBJECT(root)) {
        xlmig_err(rc, "peer's inspection: not a JSON object");
        goto out;
    }
    x = get(root, "domain");
    d = YAJL_IS_STRING(x) ? YAJL_GET_STRING(x) : NULL;
    if (!d || strcmp(d, domain)) {
        xlmig_err(rc, "peer's inspection is not about %s", domain);
        goto out;
    }
    x = get(root, "host");
    /* Printed to the operator: never an escape sequence. */
    if (YAJL_IS_STRING(x) && !xlmig_name_host_ok(YAJL_GET_STRING(x), true)) {
        xlmig_name_refuse("peer's inspection: host", YAJL_GET_STRING(x),
                          XLMIG_NAME_HOST_RULE);
        goto out;
    }
    if (YAJL_IS_STRING(x) && hostlen)
        snprintf(host, hostlen, "%s", YAJL_GET_STRING(x));
    copies = get(root, "copies");
    if (!YAJL_IS_OBJECT(copies)) {
        xlmig_err(rc, "peer's inspection: no \"copies\" object");
        goto out;
    }
    if (view_copies(copies, domain, v) || view_state(root, v))
        goto out;
    /* Both may go on a command line: only what is safe there. */
    if (opt_text(root, "uuid", xlmig_uuid_text_ok, v->uuid,
                 sizeof(v->uuid)) ||
        opt_list(root, "resources", xlmig_resource_list_ok, v->resources,
                 sizeof(v->resources)) ||
        opt_text(root, "locked_by", xlmig_lock_text_ok, v->locked_by,
                 sizeof(v->locked_by)))
        goto out;
    v->reachable = true;
    rc = 0;
out:
    yajl_tree_free(root);
    return rc;
}

static int word(const char *const *words, int n, const char *s, size_t len)
{
    int i;

    for (i = 0; i < n; i++)
        if (strlen(words[i]) == len && !strncmp(words[i], s, len))
            return i;
    return -1;
}

int xlmig_action_parse(const char *s, xlmig_action *a)
{
    const char *f[3] = { s, NULL, NULL };
    size_t l[3] = { 0, 0, 0 };
    int i, n = 1, k;
    const char *p;

    memset(a, 0, sizeof(*a));
    for (p = s; *p; p++)
        if (*p == ':') {
            if (n == 3)
                goto bad;
            f[n++] = p + 1;
        }
    for (i = 0; i < n; i++)
        l[i] = i + 1 < n ? (size_t)(f[i + 1] - f[i] - 1) : strlen(f[i]);
    for (k = 0; k < XLMIG_ACT__COUNT; k++)
        if (strlen(xlmig_act_str((xlmig_act)k)) == l[0] &&
            !strncmp(xlmig_act_str((xlmig_act)k), f[0], l[0]))
            break;
    if (k == XLMIG_ACT__COUNT)
        goto bad;
    a->act = (xlmig_act)k;
    if (n > 1 && (k = word(copy_words, XLMIG_COPY__COUNT, f[1], l[1])) < 0)
        goto bad;
    a->copy = n > 1 ? (xlmig_copy)k : XLMIG_COPY_NAME;
    if (n > 2 && (k = word(copy_words, XLMIG_COPY__COUNT, f[2], l[2])) < 0)
        goto bad;
    a->to = n > 2 ? (xlmig_copy)k : XLMIG_COPY_NAME;
    if ((a->act == XLMIG_ACT_RENAME) != (n == 3))
        goto bad;
    return 0;
bad:
    xlmig_err(XLMIG_E_INVAL, "bad action \"%s\" (ACT[:COPY[:TO]])", s);
    return XLMIG_E_INVAL;
}

void xlmig_action_format(const xlmig_action *a, char *buf, size_t len)
{
    if (a->act == XLMIG_ACT_RENAME)
        snprintf(buf, len, "%s:%s:%s", xlmig_act_str(a->act),
                 copy_words[a->copy], copy_words[a->to]);
    else
        snprintf(buf, len, "%s:%s", xlmig_act_str(a->act),
                 copy_words[a->copy]);
}

void xlmig_action_describe(const xlmig_action *a, const char *domain,
                           char *buf, size_t len)
{
    char n1[160], n2[160];

    xlmig_copy_name(domain, a->copy, n1, sizeof(n1));
    xlmig_copy_name(domain, a->to, n2, sizeof(n2));
    switch (a->act) {
    case XLMIG_ACT_RENAME:
        snprintf(buf, len, "rename %s to %s", n1, n2);
        break;
    case XLMIG_ACT_DEMOTE:
        snprintf(buf, len, "demote %s's DRBD resources to Secondary",
                 domain);
        break;
    case XLMIG_ACT_PROMOTE:
        snprintf(buf, len, "promote %s's DRBD resources to Primary",
                 domain);
        break;
    case XLMIG_ACT_DROP_TOKENS:
        snprintf(buf, len, "remove %s's migration tokens", domain);
        break;
    case XLMIG_ACT_CLOSE_WINDOW:
        snprintf(buf, len, "close %s's DRBD window (allow-two-primaries"
                 " off)", domain);
        break;
    case XLMIG_ACT_RESTORE_CAP:
        snprintf(buf, len, "restore %s's CPU cap, left lowered by an"
                 " unfinished migration", domain);
        break;
    default:
        snprintf(buf, len, "%s %s", xlmig_act_str(a->act), n1);
    }
}
