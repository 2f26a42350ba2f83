/*
 * Parsers for what drbdadm and drbdsetup print, and for the disks in a
 * libxl domain config. Pure: a buffer and its length in, a struct out.
 * Strict on purpose: a state name we do not know, a line we cannot
 * place, or output that stops early is an error naming the resource,
 * because acting on a guess about replication state is how data is lost.
 */
#include "drbd.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "error.h"

#define WORD_MAX 256
#define DEPTH_MAX 16
#define STMT_WORDS 8

static const char *const roles[] = { "Primary", "Secondary", "Unknown",
                                     NULL };
static const char *const disk_states[] = {
    "Diskless", "Attaching", "Detaching", "Failed", "Negotiating",
    "Inconsistent", "Outdated", "DUnknown", "Consistent", "UpToDate", NULL
};
/* 8.4 cstate covers both connection and replication. */
static const char *const cstates84[] = {
    "StandAlone", "Disconnecting", "Unconnected", "Timeout", "BrokenPipe",
    "NetworkFailure", "ProtocolError", "TearDown", "WFConnection",
    "WFReportParams", "Connected", "StartingSyncS", "StartingSyncT",
    "WFBitMapS", "WFBitMapT", "WFSyncUUID", "SyncSource", "SyncTarget",
    "VerifyS", "VerifyT", "PausedSyncS", "PausedSyncT", "Ahead", "Behind",
    NULL
};
static const char *const unconnected84[] = {
    "StandAlone", "Disconnecting", "Unconnected", "Timeout", "BrokenPipe",
    "NetworkFailure", "ProtocolError", "TearDown", "WFConnection",
    "WFReportParams", NULL
};
static const char *const cstates9[] = {
    "StandAlone", "Disconnecting", "Unconnected", "Timeout", "BrokenPipe",
    "NetworkFailure", "ProtocolError", "TearDown", "Connecting", "Connected",
    NULL
};
static const char *const repl9[] = {
    "Off", "Established", "StartingSyncS", "StartingSyncT", "WFBitMapS",
    "WFBitMapT", "WFSyncUUID", "SyncSource", "SyncTarget", "VerifyS",
    "VerifyT", "PausedSyncS", "PausedSyncT", "Ahead", "Behind", NULL
};

const char *xlmig_drbd_role_str(xlmig_drbd_role r)
{
    switch (r) {
    case XLMIG_DRBD_ROLE_PRIMARY: return "Primary";
    case XLMIG_DRBD_ROLE_SECONDARY: return "Secondary";
    default: return "Unknown";
    }
}

void xlmig_drbd_state_init(xlmig_drbd_state *s)
{
    memset(s, 0, sizeof(*s));
    s->minor = -1;
}

bool xlmig_drbd_state_synced(const xlmig_drbd_state *s)
{
    return !strcmp(s->cstate, "Connected") &&
           !strcmp(s->repl, "Established") &&
           !strcmp(s->disk, "UpToDate") && !strcmp(s->peer_disk, "UpToDate");
}

static bool in_list(const char *const *list, const char *w)
{
    for (; *list; list++)
        if (!strcmp(*list, w))
            return true;
    return false;
}

static xlmig_drbd_role role_of(const char *w)
{
    if (!strcmp(w, "Primary"))
        return XLMIG_DRBD_ROLE_PRIMARY;
    if (!strcmp(w, "Secondary"))
        return XLMIG_DRBD_ROLE_SECONDARY;
    return XLMIG_DRBD_ROLE_UNKNOWN;
}

/* Keep the first value that is not `good`: one bad volume shows. */
static void merge(char *dst, const char *val, const char *good)
{
    if (!dst[0] || (!strcmp(dst, good) && strcmp(val, good)))
        snprintf(dst, XLMIG_DRBD_NAME_MAX, "%s", val);
}

/* Copy a name into a XLMIG_DRBD_NAME_MAX field; false if too long. */
static bool setname(char *dst, const char *src)
{
    size_t n = strlen(src);

    if (n >= XLMIG_DRBD_NAME_MAX)
        return false;
    memcpy(dst, src, n + 1);
    return true;
}

static bool printable(const char *s)
{
    for (; *s; s++)
        if (!isprint((unsigned char)*s))
            return false;
    return true;
}

/* Quote a short excerpt of bad output for an error message. */
static const char *excerpt(const char *p, size_t n, char *buf, size_t sz)
{
    size_t i, o = 0;

    for (i = 0; i < n && o + 5 < sz; i++)
        buf[o++] = isprint((unsigned char)p[i]) ? p[i] : '?';
    if (i < n && o + 4 <= sz) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = 0;
    return buf;
}

static int bad(const char *res, const char *what, const char *p, size_t n)
{
    char ex[64];

    xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: %s: '%s'", res ? res : "?", what,
              excerpt(p, n, ex, sizeof(ex)));
    return XLMIG_E_EXTERNAL;
}

/*
 * Lines: the tools end every line with '\n'; a last line without one
 * means the output was cut, and is reported as truncated.
 */
typedef struct {
    const char *p, *end;
} cursor;

static int next_line(cursor *c, const char **line, size_t *n,
                     const char *res)
{
    const char *nl;

    if (c->p >= c->end)
        return 1;
    nl = memchr(c->p, '\n', c->end - c->p);
    if (!nl)
        return bad(res, "output truncated (no end of line)", c->p,
                   c->end - c->p);
    *line = c->p;
    *n = nl - c->p;
    c->p = nl + 1;
    if (*n && (*line)[*n - 1] == '\r')
        (*n)--;
    if (memchr(*line, 0, *n))
        return bad(res, "NUL byte in output", *line, *n);
    return 0;
}

static bool blank(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!isspace((unsigned char)p[i]))
            return false;
    return true;
}

/* Copy one line into a bounded buffer, trimming surrounding blanks. */
static int line_word(const char *p, size_t n, char *w, size_t wsz)
{
    while (n && isspace((unsigned char)*p)) {
        p++;
        n--;
    }
    while (n && isspace((unsigned char)p[n - 1]))
        n--;
    if (!n || n >= wsz)
        return -1;
    memcpy(w, p, n);
    w[n] = 0;
    return 0;
}

int xlmig_drbd_parse_version(const char *buf, size_t len, int *version,
                             char *kver, size_t kver_len)
{
    cursor c = { buf, buf + len };
    const char *line;
    char val[64];
    unsigned long code = 0;
    bool have = false;
    size_t n;
    int r;

    if (kver && kver_len)
        kver[0] = 0;
    while (!(r = next_line(&c, &line, &n, "version"))) {
        const char *key = "DRBD_KERNEL_VERSION_CODE=";
        const char *kv = "DRBD_KERNEL_VERSION=";
        char *end;

        if (n > strlen(kv) && !memcmp(line, kv, strlen(kv)) && kver &&
            !line_word(line + strlen(kv), n - strlen(kv), val, sizeof(val)))
            snprintf(kver, kver_len, "%s", val);
        if (n <= strlen(key) || memcmp(line, key, strlen(key)))
            continue;
        if (line_word(line + strlen(key), n - strlen(key), val, sizeof(val)))
            return bad("version", "bad DRBD_KERNEL_VERSION_CODE", line, n);
        code = strtoul(val, &end, 16);
        if (*end || strncmp(val, "0x", 2) || code > 0xffffff)
            return bad("version", "bad DRBD_KERNEL_VERSION_CODE", line, n);
        have = true;
    }
    if (r < 0)
        return r;
    if (!have)
        return bad("version", "drbdadm --version printed no"
                   " DRBD_KERNEL_VERSION_CODE", buf, len);
    if (code == 0) {
        xlmig_err(XLMIG_E_EXTERNAL, "drbd: the DRBD kernel module is not"
                  " loaded (drbdadm --version shows kernel version 0)");
        return XLMIG_E_EXTERNAL;
    }
    if ((code >> 16) == 8 && ((code >> 8) & 0xff) == 4)
        *version = XLMIG_DRBD_V84;
    else if ((code >> 16) == 9)
        *version = XLMIG_DRBD_V9;
    else {
        xlmig_err(XLMIG_E_EXTERNAL, "drbd: kernel module version code"
                  " 0x%06lx is neither 8.4 nor 9", code);
        return XLMIG_E_EXTERNAL;
    }
    return 0;
}

/* 8.4 "role", "cstate", "dstate": one word (or pair) per volume line. */
typedef int (*line84_fn)(const char *w, unsigned idx, const char *res,
                         xlmig_drbd_state *s, const char *line, size_t n);

static int each_line84(const char *buf, size_t len, const char *res,
                       xlmig_drbd_state *s, const char *what, line84_fn fn)
{
    cursor c = { buf, buf + len };
    const char *line;
    char w[WORD_MAX];
    unsigned lines = 0;
    size_t n;
    int r;

    while (!(r = next_line(&c, &line, &n, res))) {
        if (blank(line, n))
            continue;
        if (line_word(line, n, w, sizeof(w)) || strpbrk(w, " \t"))
            return bad(res, what, line, n);
        r = fn(w, lines, res, s, line, n);
        if (r)
            return r;
        if (++lines > XLMIG_DRBD_MAX_VOL)
            return bad(res, "more volumes than supported", line, n);
    }
    if (r < 0)
        return r;
    if (!lines) {
        xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: empty %s output", res, what);
        return XLMIG_E_EXTERNAL;
    }
    if (s->nvol && s->nvol != lines) {
        xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: %s shows %u volumes, earlier"
                  " output %u", res, what, lines, s->nvol);
        return XLMIG_E_EXTERNAL;
    }
    s->nvol = lines;
    return 0;
}

static int split_pair(char *w, char **a, char **b)
{
    char *slash = strchr(w, '/');

    if (!slash || strchr(slash + 1, '/'))
        return -1;
    *slash = 0;
    *a = w;
    *b = slash + 1;
    return 0;
}

static int role_line(const char *w0, unsigned idx, const char *res,
                     xlmig_drbd_state *s, const char *line, size_t n)
{
    char w[WORD_MAX], *a, *b;
    xlmig_drbd_role ra, rb;

    snprintf(w, sizeof(w), "%s", w0);
    if (split_pair(w, &a, &b) || !in_list(roles, a) || !in_list(roles, b))
        return bad(res, "unexpected role (want Local/Peer)", line, n);
    ra = role_of(a);
    rb = role_of(b);
    /* 8.4 roles are per resource: volumes that disagree are news. */
    if (idx && (s->role != ra || s->peer_role != rb))
        return bad(res, "volumes report different roles", line, n);
    s->role = ra;
    s->peer_role = rb;
    return 0;
}

int xlmig_drbd_parse_role84(const char *buf, size_t len, const char *res,
                            xlmig_drbd_state *s)
{
    return each_line84(buf, len, res, s, "role", role_line);
}

static int cstate_line(const char *w, unsigned idx, const char *res,
                       xlmig_drbd_state *s, const char *line, size_t n)
{
    (void)idx;
    if (!in_list(cstates84, w))
        return bad(res, "unexpected connection state", line, n);
    /*
     * 8.4 folds replication into cstate: Connected is an established
     * link, SyncSource etc. are connected but resyncing.
     */
    if (in_list(unconnected84, w)) {
        merge(s->cstate, w, "Connected");
        merge(s->repl, "Off", "Established");
    } else {
        merge(s->cstate, "Connected", "Connected");
        merge(s->repl, strcmp(w, "Connected") ? w : "Established",
              "Established");
    }
    s->nconn = 1;
    return 0;
}

int xlmig_drbd_parse_cstate84(const char *buf, size_t len, const char *res,
                              xlmig_drbd_state *s)
{
    return each_line84(buf, len, res, s, "cstate", cstate_line);
}

static int dstate_line(const char *w0, unsigned idx, const char *res,
                       xlmig_drbd_state *s, const char *line, size_t n)
{
    char w[WORD_MAX], *a, *b;

    (void)idx;
    snprintf(w, sizeof(w), "%s", w0);
    if (split_pair(w, &a, &b) || !in_list(disk_states, a) ||
        !in_list(disk_states, b))
        return bad(res, "unexpected disk state (want Local/Peer)", line, n);
    merge(s->disk, a, "UpToDate");
    merge(s->peer_disk, b, "UpToDate");
    return 0;
}

int xlmig_drbd_parse_dstate84(const char *buf, size_t len, const char *res,
                              xlmig_drbd_state *s)
{
    return each_line84(buf, len, res, s, "dstate", dstate_line);
}

/* ---- DRBD 9 status --json (yajl) ---- */

static const char *jstr(yajl_val obj, const char *key)
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
    const char *v = jstr(obj, key);

    if (!v) {
        xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: status: \"%s\" missing or"
                  " not a string", res, key);
        return XLMIG_E_EXTERNAL;
    }
    if (!in_list(list, v))
        return bad(res, key, v, strlen(v));
    *out = v;
    return 0;
}

static int status_resource(yajl_val r, const char *res, xlmig_drbd_state *s)
{
    yajl_val devs, conns, pds;
    const char *v;
    long long minor;
    size_t i, j;
    int rc;

    rc = jstate(r, "role", roles, res, &v);
    if (rc)
        return rc;
    s->role = role_of(v);
    devs = jarr(r, "devices");
    conns = jarr(r, "connections");
    if (!devs || !conns) {
        xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: status: \"devices\" or"
                  " \"connections\" missing", res);
        return XLMIG_E_EXTERNAL;
    }
    if (!devs->u.array.len) {
        xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: status shows no volumes", res);
        return XLMIG_E_EXTERNAL;
    }
    if (devs->u.array.len > XLMIG_DRBD_MAX_VOL)
        return bad(res, "more volumes than supported", "devices", 7);
    for (i = 0; i < devs->u.array.len; i++) {
        yajl_val d = devs->u.array.values[i];

        if (!YAJL_IS_OBJECT(d) || !jint(d, "minor", &minor) || minor < 0 ||
            minor > 0xfffff) {
            xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: status: device without"
                      " a valid \"minor\"", res);
            return XLMIG_E_EXTERNAL;
        }
        rc = jstate(d, "disk-state", disk_states, res, &v);
        if (rc)
            return rc;
        merge(s->disk, v, "UpToDate");
        if (!i)
            s->minor = (int)minor;
    }
    s->nvol = devs->u.array.len;
    s->nconn = conns->u.array.len;
    if (!s->nconn) {
        snprintf(s->cstate, sizeof(s->cstate), "StandAlone");
        snprintf(s->repl, sizeof(s->repl), "Off");
        snprintf(s->peer_disk, sizeof(s->peer_disk), "DUnknown");
        return 0;
    }
    /* Two-node clusters only: the first connection is the peer. */
    for (i = 0; i < s->nconn; i++) {
        yajl_val c = conns->u.array.values[i];

        if (!YAJL_IS_OBJECT(c) || !jstr(c, "name")) {
            xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: status: connection"
                      " without a name", res);
            return XLMIG_E_EXTERNAL;
        }
        if (i)
            continue;
        snprintf(s->peer_name, sizeof(s->peer_name), "%s", jstr(c, "name"));
        rc = jstate(c, "connection-state", cstates9, res, &v);
        if (rc)
            return rc;
        snprintf(s->cstate, sizeof(s->cstate), "%s", v);
        rc = jstate(c, "peer-role", roles, res, &v);
        if (rc)
            return rc;
        s->peer_role = role_of(v);
        pds = jarr(c, "peer_devices");
        if (!pds || pds->u.array.len != s->nvol) {
            xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: status: peer_devices"
                      " missing or not one per volume", res);
            return XLMIG_E_EXTERNAL;
        }
        for (j = 0; j < pds->u.array.len; j++) {
            yajl_val pd = pds->u.array.values[j];

            if (!YAJL_IS_OBJECT(pd))
                return bad(res, "status: peer device not an object",
                           "?", 1);
            rc = jstate(pd, "replication-state", repl9, res, &v);
            if (rc)
                return rc;
            merge(s->repl, v, "Established");
            rc = jstate(pd, "peer-disk-state", disk_states, res, &v);
            if (rc)
                return rc;
            merge(s->peer_disk, v, "UpToDate");
        }
    }
    return 0;
}

int xlmig_drbd_parse_status_json(const char *buf, size_t len,
                                 const char *res, xlmig_drbd_state *s)
{
    char err[128], *text = NULL;
    yajl_val root = NULL;
    bool found = false;
    size_t i;
    int rc;

    if (len > XLMIG_DRBD_OUT_MAX)
        return bad(res, "status output too large", buf, 16);
    if (memchr(buf, 0, len))
        return bad(res, "NUL byte in status output", buf, len);
    text = malloc(len + 1);
    if (!text) {
        rc = XLMIG_E_NOMEM;
        goto out;
    }
    memcpy(text, buf, len);
    text[len] = 0;
    err[0] = 0;
    root = yajl_tree_parse(text, err, sizeof(err));
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
        rc = bad(res, "status --json: top level is not an array", buf, len);
        goto out;
    }
    for (i = 0; i < root->u.array.len; i++) {
        yajl_val r = root->u.array.values[i];
        const char *name;

        if (!YAJL_IS_OBJECT(r) || !(name = jstr(r, "name"))) {
            rc = bad(res, "status --json: entry without a name", buf, len);
            goto out;
        }
        if (strcmp(name, res))
            continue;
        if (found) {
            rc = bad(res, "status --json lists the resource twice", name,
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
    free(text);
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
        return bad(res, r < 0 ? "events2: value too long" :
                   "events2: field missing", line, n);
    if (list && !in_list(list, val))
        return bad(res, "events2: unexpected state", val, strlen(val));
    return 0;
}

int xlmig_drbd_parse_events2(const char *buf, size_t len, const char *res,
                             xlmig_drbd_state *s)
{
    cursor c = { buf, buf + len };
    const char *line;
    char obj[32], val[WORD_MAX];
    bool seen_res = false, done = false;
    unsigned ndev = 0, npd = 0;
    size_t n;
    int r;

    while (!(r = next_line(&c, &line, &n, res))) {
        size_t i = 0, os;

        if (blank(line, n))
            continue;
        if (done)
            return bad(res, "events2: output after the end marker", line, n);
        if (n == 8 && !memcmp(line, "exists -", 8)) {
            done = true;
            continue;
        }
        if (n < 7 || memcmp(line, "exists ", 7))
            return bad(res, "events2: not an \"exists\" line", line, n);
        i = os = 7;
        while (i < n && line[i] != ' ')
            i++;
        if (i - os >= sizeof(obj))
            return bad(res, "events2: unknown object", line, n);
        memcpy(obj, line + os, i - os);
        obj[i - os] = 0;
        if (ev_need(line, n, "name", NULL, res, val, sizeof(val)))
            return XLMIG_E_EXTERNAL;
        if (strcmp(val, res))
            continue;
        if (!strcmp(obj, "resource")) {
            if (ev_need(line, n, "role", roles, res, val, sizeof(val)))
                return XLMIG_E_EXTERNAL;
            s->role = role_of(val);
            seen_res = true;
        } else if (!strcmp(obj, "connection")) {
            if (++s->nconn > 1)
                continue;
            if (ev_need(line, n, "connection", cstates9, res, val,
                        sizeof(val)))
                return XLMIG_E_EXTERNAL;
            setname(s->cstate, val);  /* a listed state: short */
            if (ev_need(line, n, "role", roles, res, val, sizeof(val)))
                return XLMIG_E_EXTERNAL;
            s->peer_role = role_of(val);
            if (ev_field(line, n, "conn-name", val, sizeof(val)) > 0 &&
                !setname(s->peer_name, val))
                return bad(res, "events2: peer name too long", val,
                           strlen(val));
        } else if (!strcmp(obj, "device")) {
            char *end;
            long m;

            if (ev_need(line, n, "minor", NULL, res, val, sizeof(val)))
                return XLMIG_E_EXTERNAL;
            m = strtol(val, &end, 10);
            if (*end || end == val || m < 0 || m > 0xfffff)
                return bad(res, "events2: bad minor", val, strlen(val));
            if (!ndev)
                s->minor = (int)m;
            if (ev_need(line, n, "disk", disk_states, res, val, sizeof(val)))
                return XLMIG_E_EXTERNAL;
            merge(s->disk, val, "UpToDate");
            if (++ndev > XLMIG_DRBD_MAX_VOL)
                return bad(res, "more volumes than supported", line, n);
        } else if (!strcmp(obj, "peer-device")) {
            if (s->nconn > 1)
                continue;
            if (ev_need(line, n, "replication", repl9, res, val,
                        sizeof(val)))
                return XLMIG_E_EXTERNAL;
            merge(s->repl, val, "Established");
            if (ev_need(line, n, "peer-disk", disk_states, res, val,
                        sizeof(val)))
                return XLMIG_E_EXTERNAL;
            merge(s->peer_disk, val, "UpToDate");
            npd++;
        } else if (strcmp(obj, "path") && strcmp(obj, "helper")) {
            return bad(res, "events2: unknown object", obj, strlen(obj));
        }
    }
    if (r < 0)
        return r;
    if (!done)
        return bad(res, "events2 output truncated (no \"exists -\")",
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
    } else if (s->nconn == 1 && npd != ndev) {
        xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: events2 shows %u volumes but"
                  " %u peer devices", res, ndev, npd);
        return XLMIG_E_EXTERNAL;
    }
    return 0;
}

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
                return bad(lx->res, lx->what ? lx->what : "bad string",
                           lx->p, e - lx->p);
            w[o++] = *p;
        }
        if (p >= e)
            return bad(lx->res, "output truncated inside a string", lx->p,
                       e - lx->p);
        p++;
    } else {
        for (; p < e && !isspace((unsigned char)*p) && *p != '{' &&
               *p != '}' && *p != ';'; p++) {
            if (!isprint((unsigned char)*p) || o + 1 >= wsz)
                return bad(lx->res, "unexpected word", lx->p,
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
    for (;;) {
        r = lex(lx, w, sizeof(w), &t);
        if (r)
            return r;
        if (t == T_WORD) {
            if (st->n >= STMT_WORDS)
                return bad(lx->res, "statement too long", lx->p - 1, 1);
            memcpy(st->w[st->n++], w, sizeof(w));
            continue;
        }
        if ((t == T_CLOSE || t == T_EOF) && st->n)
            return bad(lx->res, t == T_EOF ? "output truncated" :
                       "statement without ';'", st->w[0],
                       strlen(st->w[0]));
        if (t == T_OPEN && !st->n)
            return bad(lx->res, "section without a name", lx->p - 1, 1);
        st->end = t;
        return 0;
    }
}

static int parse_int(const char *s, long max, int *out)
{
    char *end;
    long v;

    if (!isdigit((unsigned char)*s))
        return -1;
    v = strtol(s, &end, 10);
    if (*end || v < 0 || v > max)
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
            if (i + 1 >= st->n || parse_int(st->w[i + 1], 0xfffff, minor))
                return bad(res, "device line: bad minor", w, strlen(w));
            return 0;
        }
        if (!strncmp(w, "/dev/drbd", 9) && isdigit((unsigned char)w[9]) &&
            parse_int(w + 9, 0xfffff, minor))
            return bad(res, "device line: bad device", w, strlen(w));
    }
    return 0;
}

static int valid_name(const char *s)
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
                return bad(cur->name, "show: unexpected protocol", v,
                           strlen(v));
            cur->protocol = v[0];
        } else if (!strcmp(k, "allow-two-primaries")) {
            if (st->n != 2 || (strcmp(v, "yes") && strcmp(v, "no")))
                return bad(cur->name, "show: unexpected"
                           " allow-two-primaries", v, strlen(v));
            cur->two_primaries = !strcmp(v, "yes");
        } else if (!strcmp(k, "_name") && st->n == 2) {
            if (!setname(cur->peer_name, v))
                return bad(cur->name, "show: peer name too long", v,
                           strlen(v));
        }
        return 0;
    }
    if (!strcmp(k, "device") && !strcmp(top, "volume") &&
        under(stack, depth, "_this_host")) {
        if (device_minor(st, cur->name, &minor))
            return XLMIG_E_EXTERNAL;
        if (minor < 0)
            return bad(cur->name, "show: device without a minor", k, 6);
        if (cur->nminors >= XLMIG_DRBD_MAX_VOL)
            return bad(cur->name, "more volumes than supported", k, 6);
        cur->minors[cur->nminors++] = minor;
    }
    (void)what;
    return 0;
}

int xlmig_drbd_parse_show(const char *buf, size_t len, const char *what,
                          xlmig_drbd_show *out)
{
    lexer lx = { buf, buf + len, what ? what : "show", NULL };
    char stack[DEPTH_MAX][32];
    xlmig_drbd_show_res *cur = NULL;
    int depth = 0, rc;
    stmt *st;

    memset(out, 0, sizeof(*out));
    st = malloc(sizeof(*st));
    if (!st)
        return XLMIG_E_NOMEM;
    for (;;) {
        rc = read_stmt(&lx, st);
        if (rc)
            goto out;
        if (st->end == T_EOF) {
            if (depth) {
                rc = bad(lx.res, "show output truncated (unclosed"
                         " section)", stack[depth - 1],
                         strlen(stack[depth - 1]));
                goto out;
            }
            break;
        }
        if (st->end == T_CLOSE) {
            if (!depth) {
                rc = bad(lx.res, "show: unbalanced '}'", "}", 1);
                goto out;
            }
            if (--depth == 0)
                cur = NULL;
            continue;
        }
        if (!depth) {
            if (st->end != T_OPEN || st->n != 2 ||
                strcmp(st->w[0], "resource") || !valid_name(st->w[1])) {
                rc = bad(lx.res, "show: expected 'resource NAME {'",
                         st->w[0], strlen(st->w[0]));
                goto out;
            }
            if (out->n >= XLMIG_DRBD_MAX_SHOW) {
                rc = bad(lx.res, "show: too many resources", st->w[1],
                         strlen(st->w[1]));
                goto out;
            }
            cur = &out->res[out->n++];
            setname(cur->name, st->w[1]);
            cur->two_primaries = -1;
            lx.res = cur->name;
        } else if (st->end == T_SEMI) {
            rc = show_stmt(st, stack, depth, cur, what);
            if (rc)
                goto out;
            continue;
        }
        if (depth >= DEPTH_MAX) {
            rc = bad(lx.res, "show: sections nested too deep", st->w[0],
                     strlen(st->w[0]));
            goto out;
        }
        if (depth == 1 && !strcmp(st->w[0], "connection"))
            cur->nconn++;
        sect_name(stack[depth++], st->w[0]);
    }
    rc = 0;
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

int xlmig_drbd_parse_dump(const char *buf, size_t len, const char *res,
                          xlmig_drbd_conf *out)
{
    lexer lx = { buf, buf + len, res, NULL };
    char stack[DEPTH_MAX][32];
    bool mine = false, found = false;
    int depth = 0, host = -1, rc;
    stmt *st;

    memset(out, 0, sizeof(*out));
    out->minor = -1;
    snprintf(out->name, sizeof(out->name), "%s", res);
    st = malloc(sizeof(*st));
    if (!st)
        return XLMIG_E_NOMEM;
    for (;;) {
        rc = read_stmt(&lx, st);
        if (rc)
            goto out;
        if (st->end == T_EOF) {
            if (depth) {
                rc = bad(res, "dump output truncated (unclosed section)",
                         stack[depth - 1], strlen(stack[depth - 1]));
                goto out;
            }
            break;
        }
        if (st->end == T_CLOSE) {
            if (!depth) {
                rc = bad(res, "dump: unbalanced '}'", "}", 1);
                goto out;
            }
            depth--;
            if (depth == 1)
                host = -1;
            if (!depth)
                mine = false;
            continue;
        }
        if (!depth) {
            /* drbdadm dump may list global/common too; skip them. */
            if (st->end == T_OPEN && st->n == 1 &&
                (!strcmp(st->w[0], "global") || !strcmp(st->w[0], "common")))
                goto push;
            if (st->end != T_OPEN || st->n != 2 ||
                strcmp(st->w[0], "resource")) {
                rc = bad(res, "dump: expected 'resource NAME {'", st->w[0],
                         strlen(st->w[0]));
                goto out;
            }
            mine = !strcmp(st->w[1], res);
            if (mine && found) {
                rc = bad(res, "dump lists the resource twice", st->w[1],
                         strlen(st->w[1]));
                goto out;
            }
            found |= mine;
            goto push;
        }
        if (!mine)
            goto next;
        if (st->end == T_SEMI) {
            rc = dump_stmt(st, stack, depth, out, host);
            if (rc)
                goto out;
            continue;
        }
        if (depth == 1 && (!strcmp(st->w[0], "floating") ||
                           !strcmp(st->w[0], "stacked-on-top-of"))) {
            rc = bad(res, "dump: section not supported (two named hosts"
                     " expected)", st->w[0], strlen(st->w[0]));
            goto out;
        }
        if (depth == 1 && !strcmp(st->w[0], "on")) {
            if (st->n != 2 || !printable(st->w[1]) ||
                strlen(st->w[1]) >= XLMIG_DRBD_NAME_MAX) {
                rc = bad(res, "dump: 'on' section must name one host",
                         st->w[0], strlen(st->w[0]));
                goto out;
            }
            if (out->nhosts >= XLMIG_DRBD_MAX_HOSTS) {
                rc = bad(res, "dump: too many hosts", st->w[1],
                         strlen(st->w[1]));
                goto out;
            }
            host = out->nhosts++;
            setname(out->hosts[host].name, st->w[1]);
            out->hosts[host].minor = -1;
        }
    next:
        if (st->end != T_OPEN)
            continue;
    push:
        if (depth >= DEPTH_MAX) {
            rc = bad(res, "dump: sections nested too deep", st->w[0],
                     strlen(st->w[0]));
            goto out;
        }
        sect_name(stack[depth++], st->w[0]);
    }
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

/* ---- disks ---- */

int xlmig_drbd_parse_target(const char *target, xlmig_drbd_disk *d)
{
    const char *t = target;
    const char *byres = "/dev/drbd/by-res/";
    char name[XLMIG_DRBD_NAME_MAX];
    int minor, vol;

    d->res[0] = 0;
    d->minor = -1;
    snprintf(d->target, sizeof(d->target), "%s", target);
    if (!strncmp(t, "drbd:", 5))
        t += 5;
    if (!strncmp(t, byres, strlen(byres))) {
        const char *n = t + strlen(byres), *slash = strchr(n, '/');
        size_t l = slash ? (size_t)(slash - n) : strlen(n);

        if (l >= sizeof(name) || (slash && parse_int(slash + 1, 65535, &vol)))
            goto bad;
        memcpy(name, n, l);
        name[l] = 0;
        if (!valid_name(name))
            goto bad;
        snprintf(d->res, sizeof(d->res), "%s", name);
        return 0;
    }
    if (!strncmp(t, "/dev/drbd", 9)) {
        if (parse_int(t + 9, 0xfffff, &minor))
            goto bad;
        d->minor = minor;
        return 0;
    }
    if (!valid_name(t))
        goto bad;
    snprintf(d->res, sizeof(d->res), "%s", t);
    return 0;
bad:
    xlmig_err(XLMIG_E_INVAL, "disk %s: target '%s' is neither a DRBD"
              " resource name nor a /dev/drbdN device",
              d->vdev[0] ? d->vdev : "?", target);
    return XLMIG_E_INVAL;
}

static bool is_drbd_disk(const char *script, const char *target)
{
    const char *base = script ? strrchr(script, '/') : NULL;

    base = base ? base + 1 : script;
    if (base && !strncmp(base, "block-drbd", 10))
        return true;
    return !strncmp(target, "drbd:", 5) || !strncmp(target, "/dev/drbd", 9);
}

int xlmig_drbd_parse_disks(const char *buf, size_t len,
                           xlmig_drbd_disk *out, unsigned max, unsigned *n)
{
    const char *dpath[] = { "disks", NULL };
    char err[128], *text = NULL;
    yajl_val root = NULL, disks;
    size_t i;
    unsigned j;
    int rc;

    *n = 0;
    if (len > XLMIG_DRBD_OUT_MAX || memchr(buf, 0, len)) {
        xlmig_err(XLMIG_E_INVAL, "domain config: too large or not text");
        return XLMIG_E_INVAL;
    }
    text = malloc(len + 1);
    if (!text)
        return XLMIG_E_NOMEM;
    memcpy(text, buf, len);
    text[len] = 0;
    err[0] = 0;
    root = yajl_tree_parse(text, err, sizeof(err));
    if (!root || !YAJL_IS_OBJECT(root)) {
        char *nl;

        while ((nl = strchr(err, '\n')))
            *nl = ' ';
        xlmig_err(XLMIG_E_INVAL, "domain config is not a JSON object: %s",
                  err[0] ? err : "wrong type");
        rc = XLMIG_E_INVAL;
        goto out;
    }
    disks = yajl_tree_get(root, dpath, yajl_t_any);
    if (!disks || YAJL_IS_NULL(disks)) {
        rc = 0;
        goto out;
    }
    if (!YAJL_IS_ARRAY(disks)) {
        xlmig_err(XLMIG_E_INVAL, "domain config: \"disks\" is not an array");
        rc = XLMIG_E_INVAL;
        goto out;
    }
    for (i = 0; i < disks->u.array.len; i++) {
        yajl_val d = disks->u.array.values[i];
        const char *target, *script, *vdev;
        xlmig_drbd_disk k;
        bool dup = false;

        if (!YAJL_IS_OBJECT(d)) {
            xlmig_err(XLMIG_E_INVAL, "domain config: disk %zu is not an"
                      " object", i);
            rc = XLMIG_E_INVAL;
            goto out;
        }
        target = jstr(d, "pdev_path");
        script = jstr(d, "script");
        vdev = jstr(d, "vdev");
        if (!target || !*target || !is_drbd_disk(script, target))
            continue;
        memset(&k, 0, sizeof(k));
        snprintf(k.vdev, sizeof(k.vdev), "%s", vdev ? vdev : "?");
        rc = xlmig_drbd_parse_target(target, &k);
        if (rc)
            goto out;
        for (j = 0; j < *n; j++)
            if ((k.res[0] && !strcmp(out[j].res, k.res)) ||
                (k.minor >= 0 && out[j].minor == k.minor))
                dup = true;
        if (dup)
            continue;
        if (*n >= max) {
            xlmig_err(XLMIG_E_INVAL, "domain has more than %u DRBD disks",
                      max);
            rc = XLMIG_E_INVAL;
            goto out;
        }
        out[(*n)++] = k;
    }
    rc = 0;
out:
    if (root)
        yajl_tree_free(root);
    free(text);
    return rc;
}
