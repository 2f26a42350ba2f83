/* DRBD 9: drbdsetup status --json (yajl) and events2 --now. */
#include "drbd.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "drbd_parse_priv.h"
#include "error.h"
#include "num.h"
#include "json_guard.h"

/* ---- DRBD 9 status --json (yajl) ---- */

const char *dp_jstr(yajl_val obj, const char *key)
{
    const char *path[] = { key, NULL };
    yajl_val v = yajl_tree_get(obj, path, yajl_t_string);

    return v ? YAJL_GET_STRING(v) : NULL;
}

static bool jint(yajl_val obj, const char *key, long long *out)
{
    const char *path[] = { key, NULL };
    yajl_val v = yajl_tree_get(obj, path, yajl_t_number);

    if (!v || !YAJL_IS_INTEGER(v))
        return false;
    *out = YAJL_GET_INTEGER(v);
    return true;
}

static yajl_val jarr(yajl_val obj, const char *key)
{
    const char *path[] = { key, NULL };

    return yajl_tree_get(obj, path, yajl_t_array);
}

/* A string field that must be one of list. */
static int jstate(yajl_val obj, const char *key, const char *const *list,
                  const char *res, const char **out)
{
    const char *v = dp_jstr(obj, key);

    if (!v) {
        xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: status: \"%s\" missing or"
                  " not a string", res, key);
        return XLMIG_E_EXTERNAL;
    }
    if (!dp_in_list(list, v))
        return dp_bad(res, key, v, strlen(v));
    *out = v;
    return 0;
}

/*
 * Over several peers, the one that matters most: Primary if any is
 * (each counted), else Unknown if any is, else Secondary.
 */
static void merge_peer_role(xlmig_drbd_state *s, xlmig_drbd_role r,
                            bool first)
{
    if (r == XLMIG_DRBD_ROLE_PRIMARY)
        s->peer_primaries++;
    if (first || r == XLMIG_DRBD_ROLE_PRIMARY ||
        (r == XLMIG_DRBD_ROLE_UNKNOWN &&
         s->peer_role != XLMIG_DRBD_ROLE_PRIMARY))
        s->peer_role = r;
}

/* The volumes: each needs a minor; disk states merge worst-first. */
static int status_devices(yajl_val devs, const char *res,
                          xlmig_drbd_state *s)
{
    const char *v;
    long long minor;
    size_t i;
    int rc;

    if (!devs->u.array.len) {
        xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: status shows no volumes", res);
        return XLMIG_E_EXTERNAL;
    }
    if (devs->u.array.len > XLMIG_DRBD_MAX_VOL)
        return dp_bad(res, "more volumes than supported", "devices", 7);
    for (i = 0; i < devs->u.array.len; i++) {
        yajl_val d = devs->u.array.values[i];

        if (!YAJL_IS_OBJECT(d) || !jint(d, "minor", &minor) || minor < 0 ||
            minor > 0xfffff) {
            xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: status: device without"
                      " a valid \"minor\"", res);
            return XLMIG_E_EXTERNAL;
        }
        rc = jstate(d, "disk-state", dp_disk_states, res, &v);
        if (rc)
            return rc;
        dp_merge(s->disk, v, "UpToDate");
        if (!i)
            s->minor = (int)minor;
    }
    s->nvol = devs->u.array.len;
    return 0;
}

/* One connection (the first names the peer) and its peer devices. */
static int status_connection(yajl_val c, bool first, const char *res,
                             xlmig_drbd_state *s)
{
    yajl_val pds;
    const char *v;
    size_t j;
    int rc;

    if (!YAJL_IS_OBJECT(c) || !dp_jstr(c, "name")) {
        xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: status: connection"
                  " without a name", res);
        return XLMIG_E_EXTERNAL;
    }
    if (first)
        snprintf(s->peer_name, sizeof(s->peer_name), "%s",
                 dp_jstr(c, "name"));
    rc = jstate(c, "connection-state", dp_cstates9, res, &v);
    if (rc)
        return rc;
    dp_merge(s->cstate, v, "Connected");
    rc = jstate(c, "peer-role", dp_roles, res, &v);
    if (rc)
        return rc;
    merge_peer_role(s, dp_role_of(v), first);
    pds = jarr(c, "peer_devices");
    if (!pds || pds->u.array.len != s->nvol) {
        xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: status: peer_devices"
                  " missing or not one per volume", res);
        return XLMIG_E_EXTERNAL;
    }
    for (j = 0; j < pds->u.array.len; j++) {
        yajl_val pd = pds->u.array.values[j];

        if (!YAJL_IS_OBJECT(pd))
            return dp_bad(res, "status: peer device not an object",
                       "?", 1);
        rc = jstate(pd, "replication-state", dp_repl9, res, &v);
        if (rc)
            return rc;
        dp_merge(s->repl, v, "Established");
        rc = jstate(pd, "peer-disk-state", dp_disk_states, res, &v);
        if (rc)
            return rc;
        dp_merge(s->peer_disk, v, "UpToDate");
    }
    return 0;
}

static int status_resource(yajl_val r, const char *res, xlmig_drbd_state *s)
{
    yajl_val devs, conns;
    const char *v;
    size_t i;
    int rc;

    rc = jstate(r, "role", dp_roles, res, &v);
    if (rc)
        return rc;
    s->role = dp_role_of(v);
    devs = jarr(r, "devices");
    conns = jarr(r, "connections");
    if (!devs || !conns) {
        xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: status: \"devices\" or"
                  " \"connections\" missing", res);
        return XLMIG_E_EXTERNAL;
    }
    rc = status_devices(devs, res, s);
    if (rc)
        return rc;
    s->nconn = conns->u.array.len;
    if (!s->nconn) {
        snprintf(s->cstate, sizeof(s->cstate), "StandAlone");
        snprintf(s->repl, sizeof(s->repl), "Off");
        snprintf(s->peer_disk, sizeof(s->peer_disk), "DUnknown");
        return 0;
    }
    /*
     * Every connection counts: a third node may be Primary, or out of
     * sync, as well as the migration's peer.
     */
    for (i = 0; i < s->nconn; i++) {
        rc = status_connection(conns->u.array.values[i], !i, res, s);
        if (rc)
            return rc;
    }
    return 0;
}

int xlmig_drbd_parse_status_json(const char *buf, size_t len,
                                 const char *res, xlmig_drbd_state *s)
{
    char err[128];
    yajl_val root = NULL;
    bool found = false;
    size_t i;
    int rc;

    if (len > XLMIG_DRBD_OUT_MAX)
        return dp_bad(res, "status output too large", buf, 16);
    if (memchr(buf, 0, len))
        return dp_bad(res, "NUL byte in status output", buf, len);
    rc = xlmig_json_parse(buf, len, "drbd status --json", &root, err,
                          sizeof(err));
    if (rc == XLMIG_E_NOMEM || rc == XLMIG_E_PROTO)
        goto out;
    if (!root) {
        char *nl;

        while ((nl = strchr(err, '\n')))
            *nl = ' ';
        xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: status --json is not valid"
                  " JSON (truncated?): %s", res, err[0] ? err : "?");
        rc = XLMIG_E_EXTERNAL;
        goto out;
    }
    if (!YAJL_IS_ARRAY(root)) {
        rc = dp_bad(res, "status --json: top level is not an array", buf, len);
        goto out;
    }
    for (i = 0; i < root->u.array.len; i++) {
        yajl_val r = root->u.array.values[i];
        const char *name;

        if (!YAJL_IS_OBJECT(r) || !(name = dp_jstr(r, "name"))) {
            rc = dp_bad(res, "status --json: entry without a name", buf, len);
            goto out;
        }
        if (strcmp(name, res))
            continue;
        if (found) {
            rc = dp_bad(res, "status --json lists the resource twice", name,
                     strlen(name));
            goto out;
        }
        found = true;
        rc = status_resource(r, res, s);
        if (rc)
            goto out;
    }
    if (!found) {
        xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: not in drbdsetup status"
                  " (resource down or unknown)", res);
        rc = XLMIG_E_EXTERNAL;
        goto out;
    }
    rc = 0;
out:
    if (root)
        yajl_tree_free(root);
    return rc;
}

/* ---- DRBD 9 events2 --now: "exists <object> key:value ..." ---- */

static int ev_field(const char *line, size_t n, const char *key, char *val,
                    size_t vsz)
{
    size_t klen = strlen(key), i = 0;

    while (i < n) {
        size_t s, e;

        while (i < n && line[i] == ' ')
            i++;
        s = i;
        while (i < n && line[i] != ' ')
            i++;
        e = i;
        if (e - s > klen && !memcmp(line + s, key, klen) &&
            line[s + klen] == ':') {
            if (e - s - klen - 1 >= vsz)
                return -1;
            memcpy(val, line + s + klen + 1, e - s - klen - 1);
            val[e - s - klen - 1] = 0;
            return 1;
        }
    }
    return 0;
}

static int ev_need(const char *line, size_t n, const char *key,
                   const char *const *list, const char *res, char *val,
                   size_t vsz)
{
    int r = ev_field(line, n, key, val, vsz);

    if (r <= 0)
        return dp_bad(res, r < 0 ? "events2: value too long" :
                   "events2: field missing", line, n);
    if (list && !dp_in_list(list, val))
        return dp_bad(res, "events2: unexpected state", val, strlen(val));
    return 0;
}

/* An events2 "connection" line: every peer counts, not only the first
 * (a third node). */
static int ev_connection(const char *line, size_t n, const char *res,
                         xlmig_drbd_state *s)
{
    char val[WORD_MAX];

    if (++s->nconn > XLMIG_DRBD_MAX_HOSTS)
        return dp_bad(res, "more peers than supported", line, n);
    if (ev_need(line, n, "connection", dp_cstates9, res, val, sizeof(val)))
        return XLMIG_E_EXTERNAL;
    dp_merge(s->cstate, val, "Connected");
    if (ev_need(line, n, "role", dp_roles, res, val, sizeof(val)))
        return XLMIG_E_EXTERNAL;
    merge_peer_role(s, dp_role_of(val), s->nconn == 1);
    if (s->nconn == 1 &&
        ev_field(line, n, "conn-name", val, sizeof(val)) > 0 &&
        !dp_setname(s->peer_name, val))
        return dp_bad(res, "events2: peer name too long", val, strlen(val));
    return 0;
}

/* An events2 "device" line: its minor (the first names the resource's)
 * and disk state. */
static int ev_device(const char *line, size_t n, const char *res,
                     xlmig_drbd_state *s, unsigned *ndev)
{
    char val[WORD_MAX];
    uint64_t m;

    if (ev_need(line, n, "minor", NULL, res, val, sizeof(val)))
        return XLMIG_E_EXTERNAL;
    if (xlmig_num_u64(val, 10, 0, 0xfffff, &m))
        return dp_bad(res, "events2: bad minor", val, strlen(val));
    if (!*ndev)
        s->minor = (int)m;
    if (ev_need(line, n, "disk", dp_disk_states, res, val, sizeof(val)))
        return XLMIG_E_EXTERNAL;
    dp_merge(s->disk, val, "UpToDate");
    if (++*ndev > XLMIG_DRBD_MAX_VOL)
        return dp_bad(res, "more volumes than supported", line, n);
    return 0;
}

int xlmig_drbd_parse_events2(const char *buf, size_t len, const char *res,
                             xlmig_drbd_state *s)
{
    dp_cursor c = { buf, buf + len };
    const char *line;
    char obj[32], val[WORD_MAX];
    bool seen_res = false, done = false;
    unsigned ndev = 0, npd = 0;
    size_t n;
    int r;

    while (!(r = dp_next_line(&c, &line, &n, res))) {
        size_t i = 0, os;

        if (dp_blank(line, n))
            continue;
        if (done)
            return dp_bad(res, "events2: output after the end marker", line, n);
        if (n == 8 && !memcmp(line, "exists -", 8)) {
            done = true;
            continue;
        }
        if (n < 7 || memcmp(line, "exists ", 7))
            return dp_bad(res, "events2: not an \"exists\" line", line, n);
        i = os = 7;
        while (i < n && line[i] != ' ')
            i++;
        if (i - os >= sizeof(obj))
            return dp_bad(res, "events2: unknown object", line, n);
        memcpy(obj, line + os, i - os);
        obj[i - os] = 0;
        if (ev_need(line, n, "name", NULL, res, val, sizeof(val)))
            return XLMIG_E_EXTERNAL;
        if (strcmp(val, res))
            continue;
        if (!strcmp(obj, "resource")) {
            if (ev_need(line, n, "role", dp_roles, res, val, sizeof(val)))
                return XLMIG_E_EXTERNAL;
            s->role = dp_role_of(val);
            seen_res = true;
        } else if (!strcmp(obj, "connection")) {
            if (ev_connection(line, n, res, s))
                return XLMIG_E_EXTERNAL;
        } else if (!strcmp(obj, "device")) {
            if (ev_device(line, n, res, s, &ndev))
                return XLMIG_E_EXTERNAL;
        } else if (!strcmp(obj, "peer-device")) {
            if (ev_need(line, n, "replication", dp_repl9, res, val,
                        sizeof(val)))
                return XLMIG_E_EXTERNAL;
            dp_merge(s->repl, val, "Established");
            if (ev_need(line, n, "peer-disk", dp_disk_states, res, val,
                        sizeof(val)))
                return XLMIG_E_EXTERNAL;
            dp_merge(s->peer_disk, val, "UpToDate");
            npd++;
        } else if (strcmp(obj, "path") && strcmp(obj, "helper")) {
            return dp_bad(res, "events2: unknown object", obj, strlen(obj));
        }
    }
    if (r < 0)
        return r;
    if (!done)
        return dp_bad(res, "events2 output truncated (no \"exists -\")",
                   buf, len);
    if (!seen_res || !ndev) {
        xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: not in drbdsetup events2"
                  " (resource down or unknown)", res);
        return XLMIG_E_EXTERNAL;
    }
    s->nvol = ndev;
    if (!s->nconn) {
        snprintf(s->cstate, sizeof(s->cstate), "StandAlone");
        snprintf(s->repl, sizeof(s->repl), "Off");
        snprintf(s->peer_disk, sizeof(s->peer_disk), "DUnknown");
    } else if (npd != ndev * s->nconn) {
        xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: events2 shows %u volumes and"
                  " %u peers but %u peer devices", res, ndev, s->nconn, npd);
        return XLMIG_E_EXTERNAL;
    }
    return 0;
}
