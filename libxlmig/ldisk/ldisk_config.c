/*
 * The carried domain config as the destination runs it: each carried
 * local disk's pdev_path names the new LV in this host's VG, in the
 * form the source used (/dev/VG/LV or /dev/mapper/VG-LV, "phy:" kept);
 * every other disk and key is copied as it came. From another host: a
 * config that does not parse, or whose disks are not the plan's, is
 * one error and nothing is rewritten.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "error.h"
#include "json_gen.h"
#include "json_guard.h"
#include "ldisk.h"

typedef struct {
    yajl_val node;                       /* the pdev_path string */
    char path[XLMIG_LDISK_PATH_MAX];
} repl;

static yajl_val member(yajl_val o, const char *key)
{
    size_t i;

    for (i = 0; YAJL_IS_OBJECT(o) && i < YAJL_GET_OBJECT(o)->len; i++)
        if (!strcmp(YAJL_GET_OBJECT(o)->keys[i], key))
            return YAJL_GET_OBJECT(o)->values[i];
    return NULL;
}

int xlmig_ldisk_lv_path(const xlmig_ldisk_disk *d, const char *vg,
                        bool mapper, const char *prefix, char *out,
                        size_t sz)
{
    char dm[2 * XLMIG_LDISK_NAME_MAX + 2];
    int r = -1;

    if (!mapper)
        r = snprintf(out, sz, "%s/dev/%s/%s", prefix, vg, d->lv.lv);
    else if (!xlmig_ldisk_dm_name(vg, d->lv.lv, dm, sizeof(dm)))
        r = snprintf(out, sz, "%s/dev/mapper/%s", prefix, dm);
    if (r < 0 || (size_t)r >= sz) {
        xlmig_err(XLMIG_E_INVAL, "local disk %s: %s/%s: path too long",
                  d->vdev, vg, d->lv.lv);
        return XLMIG_E_INVAL;
    }
    return 0;
}

/* The new path of d in target's form. */
static int new_path(const xlmig_ldisk_disk *d, const char *target,
                    char *out, size_t sz)
{
    const char *phy = strncmp(target, "phy:", 4) ? "" : "phy:";
    const char *t = target + strlen(phy);

    return xlmig_ldisk_lv_path(d, d->dst_vg, !strncmp(t, "/dev/mapper/", 12),
                               phy, out, sz);
}

/* Disk d's entry of the config's disks: there once, naming d's LV. */
static int find_disk(yajl_val disks, const xlmig_ldisk_disk *d, repl *out)
{
    char vg[XLMIG_LDISK_NAME_MAX], lv[XLMIG_LDISK_NAME_MAX];
    yajl_val found = NULL;
    size_t i;

    for (i = 0; i < YAJL_GET_ARRAY(disks)->len; i++) {
        yajl_val o = YAJL_GET_ARRAY(disks)->values[i];
        yajl_val v = member(o, "vdev");

        if (!YAJL_IS_STRING(v) || strcmp(v->u.string, d->vdev))
            continue;
        if (found) {
            xlmig_err(XLMIG_E_PROTO, "local disk %s: the guest's domain"
                      " config names it twice", d->vdev);
            return XLMIG_E_PROTO;
        }
        found = member(o, "pdev_path");
        if (!YAJL_IS_STRING(found)) {
            xlmig_err(XLMIG_E_PROTO, "local disk %s: the guest's domain"
                      " config gives it no pdev_path", d->vdev);
            return XLMIG_E_PROTO;
        }
    }
    if (!found) {
        xlmig_err(XLMIG_E_PROTO, "local disk %s: not among the disks of"
                  " the guest's domain config", d->vdev);
        return XLMIG_E_PROTO;
    }
    if (!xlmig_ldisk_target_lv(found->u.string, vg, lv, sizeof(vg)) ||
        strcmp(vg, d->lv.vg) || strcmp(lv, d->lv.lv)) {
        xlmig_err(XLMIG_E_PROTO, "local disk %s: the guest's domain config"
                  " names %.120s, not the LV %s/%s being carried", d->vdev,
                  found->u.string, d->lv.vg, d->lv.lv);
        return XLMIG_E_PROTO;
    }
    out->node = found;
    return new_path(d, found->u.string, out->path,
                    sizeof(out->path));
}

/* The tree again, the replaced strings swapped in; depth is bounded
 * by the parse (XLMIG_JSON_MAX_DEPTH). */
static yajl_gen_status emit(yajl_gen g, yajl_val v, const repl *r,
                            unsigned n)
{
    yajl_gen_status s = yajl_gen_status_ok;
    size_t i;
    unsigned k;

    switch (v ? v->type : yajl_t_null) {
    case yajl_t_string:
        for (k = 0; k < n; k++)
            if (r[k].node == v)
                return GS(g, r[k].path);
        return GS(g, v->u.string);
    case yajl_t_number:
        return yajl_gen_number(g, v->u.number.r, strlen(v->u.number.r));
    case yajl_t_object:
        s = yajl_gen_map_open(g);
        for (i = 0; s == yajl_gen_status_ok &&
             i < YAJL_GET_OBJECT(v)->len; i++) {
            s = GS(g, YAJL_GET_OBJECT(v)->keys[i]);
            if (s == yajl_gen_status_ok)
                s = emit(g, YAJL_GET_OBJECT(v)->values[i], r, n);
        }
        return s == yajl_gen_status_ok ? yajl_gen_map_close(g) : s;
    case yajl_t_array:
        s = yajl_gen_array_open(g);
        for (i = 0; s == yajl_gen_status_ok &&
             i < YAJL_GET_ARRAY(v)->len; i++)
            s = emit(g, YAJL_GET_ARRAY(v)->values[i], r, n);
        return s == yajl_gen_status_ok ? yajl_gen_array_close(g) : s;
    case yajl_t_true:
        return yajl_gen_bool(g, 1);
    case yajl_t_false:
        return yajl_gen_bool(g, 0);
    default:
        return yajl_gen_null(g);
    }
}

int xlmig_ldisk_config_rewrite(const xlmig_ldisk_disk *disks, unsigned n,
                               const char *json, size_t len, char **out)
{
    repl r[XLMIG_LDISK_MAX_DISKS];
    yajl_val root = NULL, list;
    yajl_gen g = NULL;
    char err[128];
    size_t glen;
    unsigned i;
    int rc;

    *out = NULL;
    if (n > XLMIG_LDISK_MAX_DISKS) {
        xlmig_err(XLMIG_E_INVAL, "local disks: more than %d",
                  XLMIG_LDISK_MAX_DISKS);
        return XLMIG_E_INVAL;
    }
    rc = xlmig_json_parse(json, len, "domain config", &root, err,
                          sizeof(err));
    if (rc == XLMIG_E_INVAL) {
        xlmig_err(XLMIG_E_PROTO, "the guest's domain config is not JSON:"
                  " %s", err);
        rc = XLMIG_E_PROTO;
    }
    if (rc)
        goto out;
    list = member(root, "disks");
    if (!YAJL_IS_ARRAY(list)) {
        xlmig_err(XLMIG_E_PROTO, "the guest's domain config has no disks"
                  " array");
        rc = XLMIG_E_PROTO;
        goto out;
    }
    for (i = 0; i < n && !rc; i++)
        rc = find_disk(list, &disks[i], &r[i]);
    if (rc)
        goto out;
    g = yajl_gen_alloc(NULL);
    if (!g || emit(g, root, r, n) != yajl_gen_status_ok ||
        xlmig_json_gen_take(g, out, &glen)) {
        xlmig_err(XLMIG_E_NOMEM, "the guest's domain config: out of"
                  " memory writing it again");
        rc = XLMIG_E_NOMEM;
    }
out:
    if (g)
        yajl_gen_free(g);
    yajl_tree_free(root);
    return rc;
}
