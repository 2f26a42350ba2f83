/*
 * Parsers of LVM's, device-mapper's and DRBD's output about local
 * disks. Pure: bytes in, struct out, every length checked; anything
 * unexpected is one error line naming what was read.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "error.h"
#include "json_guard.h"
#include "ldisk.h"

/* A report field: a string ("--units b --nosuffix") or a number. */
static int field(yajl_val o, const char *key, char *out, size_t sz)
{
    const char *path[] = { key, NULL };
    yajl_val v = yajl_tree_get(o, path, yajl_t_any);
    const char *s;

    if (!v)
        return -1;
    if (YAJL_IS_STRING(v))
        s = YAJL_GET_STRING(v);
    else if (YAJL_IS_NUMBER(v) && YAJL_IS_INTEGER(v))
        s = YAJL_GET_NUMBER(v);
    else
        return -1;
    if (!s || strlen(s) >= sz)
        return -1;
    strcpy(out, s);
    return 0;
}

static int u64_of(const char *s, uint64_t *out)
{
    uint64_t v = 0;

    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 0;
}

/* Optional name field: "" or an LVM name (lvs puts [..] round some). */
static int name_field(yajl_val o, const char *key, char *out, size_t sz)
{
    size_t n;

    if (field(o, key, out, sz))
        return -1;
    n = strlen(out);
    if (n >= 2 && out[0] == '[' && out[n - 1] == ']') {
        memmove(out, out + 1, n - 2);
        out[n - 2] = 0;
    }
    return !out[0] || xlmig_ldisk_name_ok(out) ? 0 : -1;
}

/* Walk report[*].<section>[*], calling row() on each object. */
static int report_rows(const char *buf, size_t len, const char *what,
                       const char *section,
                       int (*row)(yajl_val o, void *out, unsigned i),
                       void *out, unsigned max, unsigned *n)
{
    const char *rpath[] = { "report", NULL };
    yajl_val root = NULL, rep;
    char err[128];
    size_t i, j;
    int rc;

    *n = 0;
    rc = xlmig_json_parse(buf, len, what, &root, err, sizeof(err));
    if (rc == XLMIG_E_INVAL) {
        xlmig_err(XLMIG_E_EXTERNAL, "%s: not JSON: %s", what, err);
        return XLMIG_E_EXTERNAL;
    }
    if (rc)
        return rc == XLMIG_E_PROTO ? XLMIG_E_EXTERNAL : rc;
    rep = yajl_tree_get(root, rpath, yajl_t_array);
    if (!rep) {
        xlmig_err(XLMIG_E_EXTERNAL, "%s: no \"report\" array", what);
        rc = XLMIG_E_EXTERNAL;
        goto out;
    }
    for (i = 0; i < YAJL_GET_ARRAY(rep)->len; i++) {
        const char *spath[] = { section, NULL };
        yajl_val sec = yajl_tree_get(YAJL_GET_ARRAY(rep)->values[i], spath,
                                     yajl_t_array);

        if (!sec)
            continue;
        for (j = 0; j < YAJL_GET_ARRAY(sec)->len; j++) {
            yajl_val o = YAJL_GET_ARRAY(sec)->values[j];

            if (*n >= max) {
                xlmig_err(XLMIG_E_EXTERNAL, "%s: more than %u rows", what,
                          max);
                rc = XLMIG_E_EXTERNAL;
                goto out;
            }
            if (!YAJL_IS_OBJECT(o) || row(o, out, *n)) {
                xlmig_err(XLMIG_E_EXTERNAL, "%s: row %u of \"%s\" lacks a"
                          " field or has a bad one", what, *n + 1, section);
                rc = XLMIG_E_EXTERNAL;
                goto out;
            }
            (*n)++;
        }
    }
out:
    yajl_tree_free(root);
    return rc;
}

static int lv_row(yajl_val o, void *out, unsigned i)
{
    xlmig_ldisk_lv *lv = (xlmig_ldisk_lv *)out + i;
    char num[32];

    memset(lv, 0, sizeof(*lv));
    if (field(o, "vg_name", lv->vg, sizeof(lv->vg)) ||
        !xlmig_ldisk_name_ok(lv->vg) ||
        name_field(o, "lv_name", lv->lv, sizeof(lv->lv)) || !lv->lv[0] ||
        field(o, "lv_size", num, sizeof(num)) || u64_of(num, &lv->size) ||
        field(o, "lv_attr", lv->attr, sizeof(lv->attr)) ||
        field(o, "segtype", lv->segtype, sizeof(lv->segtype)) ||
        name_field(o, "origin", lv->origin, sizeof(lv->origin)) ||
        name_field(o, "pool_lv", lv->pool, sizeof(lv->pool)))
        return -1;
    return 0;
}

int xlmig_ldisk_parse_lvs(const char *buf, size_t len, const char *what,
                          xlmig_ldisk_lv *out, unsigned max, unsigned *n)
{
    return report_rows(buf, len, what, "lv", lv_row, out, max, n);
}

static int vg_row(yajl_val o, void *out, unsigned i)
{
    xlmig_ldisk_vg *vg = (xlmig_ldisk_vg *)out + i;
    char num[32];

    memset(vg, 0, sizeof(*vg));
    if (field(o, "vg_name", vg->vg, sizeof(vg->vg)) ||
        !xlmig_ldisk_name_ok(vg->vg) ||
        field(o, "vg_free", num, sizeof(num)) || u64_of(num, &vg->free) ||
        field(o, "vg_extent_size", num, sizeof(num)) ||
        u64_of(num, &vg->extent) || !vg->extent)
        return -1;
    return 0;
}

int xlmig_ldisk_parse_vgs(const char *buf, size_t len, const char *what,
                          xlmig_ldisk_vg *out, unsigned max, unsigned *n)
{
    return report_rows(buf, len, what, "vg", vg_row, out, max, n);
}

/* The next whitespace-separated word of [*p, end) into out. */
static int word(const char **p, const char *end, char *out, size_t sz)
{
    size_t n = 0;

    while (*p < end && (**p == ' ' || **p == '\t'))
        (*p)++;
    while (*p < end && **p != ' ' && **p != '\t') {
        if (n + 1 >= sz)
            return -1;
        out[n++] = *(*p)++;
    }
    out[n] = 0;
    return n ? 0 : -1;
}

static int table_line(const char *p, const char *end, xlmig_ldisk_table *t,
                      const char *what)
{
    char a[32], b[32];
    unsigned i = t->n;
    size_t alen;

    if (i >= XLMIG_LDISK_MAX_SEGS) {
        xlmig_err(XLMIG_E_EXTERNAL, "%s: more than %u segments", what,
                  XLMIG_LDISK_MAX_SEGS);
        return XLMIG_E_EXTERNAL;
    }
    if (word(&p, end, a, sizeof(a)) || u64_of(a, &t->seg[i].start) ||
        word(&p, end, b, sizeof(b)) || u64_of(b, &t->seg[i].len) ||
        !t->seg[i].len ||
        word(&p, end, t->seg[i].target, sizeof(t->seg[i].target))) {
        xlmig_err(XLMIG_E_EXTERNAL, "%s: segment %u is not \"start length"
                  " target args\"", what, i + 1);
        return XLMIG_E_EXTERNAL;
    }
    if (t->seg[i].start != t->sectors) {
        xlmig_err(XLMIG_E_EXTERNAL, "%s: segment %u starts at %" PRIu64
                  ", not %" PRIu64, what, i + 1, t->seg[i].start,
                  t->sectors);
        return XLMIG_E_EXTERNAL;
    }
    if (strcmp(t->seg[i].target, "linear") &&
        strcmp(t->seg[i].target, "striped")) {
        xlmig_err(XLMIG_E_EXTERNAL, "%s: segment %u is a %s target; only"
                  " linear and striped map straight onto extents", what,
                  i + 1, t->seg[i].target);
        return XLMIG_E_EXTERNAL;
    }
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    alen = (size_t)(end - p);
    if (!alen || alen >= sizeof(t->seg[i].args)) {
        xlmig_err(XLMIG_E_EXTERNAL, "%s: segment %u has %s arguments",
                  what, i + 1, alen ? "overlong" : "no");
        return XLMIG_E_EXTERNAL;
    }
    memcpy(t->seg[i].args, p, alen);
    t->seg[i].args[alen] = 0;
    if (t->seg[i].len > UINT64_MAX - t->sectors) {
        xlmig_err(XLMIG_E_EXTERNAL, "%s: table too long", what);
        return XLMIG_E_EXTERNAL;
    }
    t->sectors += t->seg[i].len;
    t->n++;
    return 0;
}

int xlmig_ldisk_parse_table(const char *buf, size_t len, const char *what,
                            xlmig_ldisk_table *t)
{
    size_t pos = 0, i;
    int rc;

    memset(t, 0, sizeof(*t));
    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)buf[i];

        if (ch != '\n' && ch != '\t' && (ch < 0x20 || ch > 0x7e)) {
            xlmig_err(XLMIG_E_EXTERNAL, "%s: byte 0x%02x at offset %zu",
                      what, ch, i);
            return XLMIG_E_EXTERNAL;
        }
    }
    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) : len;

        if (end - pos > XLMIG_LDISK_LINE_MAX) {
            xlmig_err(XLMIG_E_EXTERNAL, "%s: a line over %u bytes", what,
                      XLMIG_LDISK_LINE_MAX);
            return XLMIG_E_EXTERNAL;
        }
        if (end > pos) {
            rc = table_line(buf + pos, buf + end, t, what);
            if (rc)
                return rc;
        }
        pos = end + 1;
    }
    if (!t->n) {
        xlmig_err(XLMIG_E_EXTERNAL, "%s: empty table (device not active?)",
                  what);
        return XLMIG_E_EXTERNAL;
    }
    return 0;
}

int xlmig_ldisk_table_text(const xlmig_ldisk_table *t, char **out)
{
    size_t sz = (size_t)t->n * (XLMIG_LDISK_LINE_MAX + 80) + 1, o = 0;
    char *buf = malloc(sz);
    unsigned i;

    *out = NULL;
    if (!buf)
        return XLMIG_E_NOMEM;
    buf[0] = 0;
    for (i = 0; i < t->n; i++)
        o += (size_t)snprintf(buf + o, sz - o, "%" PRIu64 " %" PRIu64
                              " %s %s\n", t->seg[i].start, t->seg[i].len,
                              t->seg[i].target, t->seg[i].args);
    *out = buf;
    return 0;
}

bool xlmig_ldisk_sync_done(const xlmig_ldisk_sync *s)
{
    return s->found && !s->oos_bytes && !strcmp(s->disk, "UpToDate") &&
           !strcmp(s->peer_disk, "UpToDate");
}

/* "key:value" in the words of one /proc/drbd line. */
static void proc_words(const char *p, const char *end, xlmig_ldisk_sync *s,
                       int *bad)
{
    char w[96];

    while (!word(&p, end, w, sizeof(w))) {
        char *colon = strchr(w, ':'), *slash;
        uint64_t v;

        if (!colon)
            continue;
        *colon++ = 0;
        if (!strcmp(w, "cs") && strlen(colon) < sizeof(s->repl)) {
            strcpy(s->repl, colon);
        } else if (!strcmp(w, "ds") && (slash = strchr(colon, '/')) &&
                   (size_t)(slash - colon) < sizeof(s->disk) &&
                   strlen(slash + 1) < sizeof(s->peer_disk)) {
            *slash = 0;
            strcpy(s->disk, colon);
            strcpy(s->peer_disk, slash + 1);
        } else if (!strcmp(w, "oos")) {
            if (u64_of(colon, &v) || v > UINT64_MAX / 1024)
                *bad = 1;
            else
                s->oos_bytes = v * 1024;
        }
    }
}

int xlmig_ldisk_parse_proc(const char *buf, size_t len, int minor,
                           xlmig_ldisk_sync *s)
{
    char head[32];
    size_t pos = 0, hl;
    bool in = false;
    int bad = 0;

    memset(s, 0, sizeof(*s));
    hl = (size_t)snprintf(head, sizeof(head), "%d:", minor);
    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) : len;
        const char *p = buf + pos;

        while (p < buf + end && *p == ' ')
            p++;
        /* A device's entry opens with "N:"; its lines follow. */
        if (p < buf + end && *p >= '0' && *p <= '9')
            in = (size_t)(buf + end - p) >= hl && !memcmp(p, head, hl);
        if (in) {
            s->found = true;
            proc_words(p, buf + end, s, &bad);
        }
        pos = end + 1;
    }
    if (bad || (s->found && (!s->repl[0] || !s->disk[0]))) {
        xlmig_err(XLMIG_E_EXTERNAL, "/proc/drbd: minor %d: no cs:/ds:, or"
                  " a bad oos:", minor);
        return XLMIG_E_EXTERNAL;
    }
    return 0;
}

static int jstr(yajl_val o, const char *key, char *out, size_t sz)
{
    const char *path[] = { key, NULL };
    yajl_val v = yajl_tree_get(o, path, yajl_t_string);
    const char *s = v ? YAJL_GET_STRING(v) : NULL;

    if (!s || strlen(s) >= sz)
        return -1;
    strcpy(out, s);
    return 0;
}

static yajl_val jarr(yajl_val o, const char *key)
{
    const char *path[] = { key, NULL };

    return yajl_tree_get(o, path, yajl_t_array);
}

/* One resource's object: the first bad volume or peer device wins. */
static int status_res(yajl_val r, xlmig_ldisk_sync *s)
{
    yajl_val devs = jarr(r, "devices"), conns = jarr(r, "connections");
    const char *oos_path[] = { "out-of-sync", NULL };
    size_t i, j;

    if (!devs || !conns)
        return -1;
    snprintf(s->disk, sizeof(s->disk), "UpToDate");
    snprintf(s->peer_disk, sizeof(s->peer_disk), "DUnknown");
    for (i = 0; i < YAJL_GET_ARRAY(devs)->len; i++) {
        char d[XLMIG_DRBD_NAME_MAX];

        if (jstr(YAJL_GET_ARRAY(devs)->values[i], "disk-state", d,
                 sizeof(d)))
            return -1;
        if (strcmp(d, "UpToDate"))
            strcpy(s->disk, d);
    }
    for (i = 0; i < YAJL_GET_ARRAY(conns)->len; i++) {
        yajl_val pds = jarr(YAJL_GET_ARRAY(conns)->values[i],
                            "peer_devices");

        if (!pds)
            return -1;
        for (j = 0; j < YAJL_GET_ARRAY(pds)->len; j++) {
            yajl_val pd = YAJL_GET_ARRAY(pds)->values[j], oos;
            char rs[XLMIG_DRBD_NAME_MAX], pdisk[XLMIG_DRBD_NAME_MAX];
            long long kb;

            if (jstr(pd, "replication-state", rs, sizeof(rs)) ||
                jstr(pd, "peer-disk-state", pdisk, sizeof(pdisk)))
                return -1;
            if (!s->repl[0] || strcmp(rs, "Established"))
                strcpy(s->repl, rs);
            if (!i && !j)
                strcpy(s->peer_disk, pdisk);
            else if (strcmp(pdisk, "UpToDate"))
                strcpy(s->peer_disk, pdisk);
            oos = yajl_tree_get(pd, oos_path, yajl_t_number);
            if (oos) {
                if (!YAJL_IS_INTEGER(oos) ||
                    (kb = YAJL_GET_INTEGER(oos)) < 0 ||
                    (uint64_t)kb > (UINT64_MAX / 1024) - s->oos_bytes / 1024)
                    return -1;
                s->oos_bytes += (uint64_t)kb * 1024;
            }
        }
    }
    if (!s->repl[0])
        snprintf(s->repl, sizeof(s->repl), "StandAlone");
    return 0;
}

int xlmig_ldisk_parse_status(const char *buf, size_t len, const char *res,
                             xlmig_ldisk_sync *s)
{
    yajl_val root = NULL;
    char err[128], name[XLMIG_DRBD_NAME_MAX];
    size_t i;
    int rc;

    memset(s, 0, sizeof(*s));
    rc = xlmig_json_parse(buf, len, "drbdsetup status --json", &root, err,
                          sizeof(err));
    if (rc == XLMIG_E_INVAL) {
        xlmig_err(XLMIG_E_EXTERNAL, "drbdsetup status %s: not JSON: %s",
                  res, err);
        return XLMIG_E_EXTERNAL;
    }
    if (rc)
        return rc == XLMIG_E_PROTO ? XLMIG_E_EXTERNAL : rc;
    if (!YAJL_IS_ARRAY(root)) {
        rc = XLMIG_E_EXTERNAL;
        goto out;
    }
    for (i = 0; i < YAJL_GET_ARRAY(root)->len && !s->found; i++) {
        yajl_val r = YAJL_GET_ARRAY(root)->values[i];

        if (jstr(r, "name", name, sizeof(name)) || strcmp(name, res))
            continue;
        s->found = true;
        if (status_res(r, s))
            rc = XLMIG_E_EXTERNAL;
    }
out:
    yajl_tree_free(root);
    if (rc == XLMIG_E_EXTERNAL)
        xlmig_err(XLMIG_E_EXTERNAL, "drbdsetup status %s: not the JSON"
                  " expected (devices, connections, peer_devices)", res);
    return rc;
}
