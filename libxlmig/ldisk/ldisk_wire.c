/*
 * The local disks as the source describes them to the destination in
 * the migrate request: {"disks":[{"vdev","vg","lv","size","dst_vg",
 * "minor","port","md"}],"src":{"name","addr"},"dst":{"name","addr"}}.
 * Generated and parsed with yajl; from another host, so every field is
 * checked before it can reach a command line or a resource file.
 */
#include <inttypes.h>
#include <string.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "error.h"
#include "json_gen.h"
#include "json_get.h"
#include "json_guard.h"
#include "ldisk_hooks.h"

static void gstr(yajl_gen g, const char *k, const char *v)
{
    yajl_gen_string(g, (const unsigned char *)k, strlen(k));
    yajl_gen_string(g, (const unsigned char *)v, strlen(v));
}

static void gnum(yajl_gen g, const char *k, uint64_t v)
{
    char buf[32];

    snprintf(buf, sizeof(buf), "%" PRIu64, v);
    yajl_gen_string(g, (const unsigned char *)k, strlen(k));
    yajl_gen_number(g, buf, strlen(buf));
}

static void gend(yajl_gen g, const char *k, const xlmig_ldisk_end *e)
{
    yajl_gen_string(g, (const unsigned char *)k, strlen(k));
    yajl_gen_map_open(g);
    gstr(g, "name", e->name);
    gstr(g, "addr", e->addr);
    yajl_gen_map_close(g);
}

int xlmig_ldisk_wire_encode(const xlmig_ldisk_ctx *l, char **out)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    size_t len;
    unsigned i;
    int rc;

    *out = NULL;
    if (!g)
        return XLMIG_E_NOMEM;
    yajl_gen_map_open(g);
    yajl_gen_string(g, (const unsigned char *)"disks", 5);
    yajl_gen_array_open(g);
    for (i = 0; i < l->n; i++) {
        const xlmig_ldisk_disk *d = &l->disks[i];

        yajl_gen_map_open(g);
        gstr(g, "vdev", d->vdev);
        gstr(g, "vg", d->lv.vg);
        gstr(g, "lv", d->lv.lv);
        gnum(g, "size", d->lv.size);
        gstr(g, "dst_vg", d->dst_vg);
        gnum(g, "minor", (uint64_t)d->minor);
        gnum(g, "port", (uint64_t)d->port);
        gnum(g, "md", d->md_bytes);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    gend(g, "src", &l->self);
    gend(g, "dst", &l->peer);
    yajl_gen_map_close(g);
    rc = xlmig_json_gen_take(g, out, &len);
    yajl_gen_free(g);
    return rc;
}

static const xlmig_json_src SRC = { XLMIG_E_PROTO, "local disks", true };

/* The member key of o (NULL when absent: the getters say so). */
static yajl_val mem(yajl_val o, const char *key)
{
    const char *path[] = { key, NULL };

    return yajl_tree_get(o, path, yajl_t_any);
}

static int end_of(yajl_val root, const char *key, xlmig_ldisk_end *e)
{
    const char *path[] = { key, NULL };
    yajl_val o = yajl_tree_get(root, path, yajl_t_object);

    if (!o)
        return xlmig_json_bad(&SRC, "", key, "is missing");
    char where[16];

    snprintf(where, sizeof(where), "%s.", key);
    if (xlmig_json_str(&SRC, where, mem(o, "name"), "name", e->name,
                       sizeof(e->name)) ||
        xlmig_json_str(&SRC, where, mem(o, "addr"), "addr", e->addr,
                       sizeof(e->addr)))
        return XLMIG_E_PROTO;
    return 0;
}

#define W "disk: "

static int disk_of(yajl_val o, const xlmig_ldisk_conf *c,
                   xlmig_ldisk_disk *d)
{
    uint64_t minor, port;

    memset(d, 0, sizeof(*d));
    if (!YAJL_IS_OBJECT(o))
        return xlmig_json_bad(&SRC, "", "disks", "has a non-object");
    if (xlmig_json_str(&SRC, W, mem(o, "vdev"), "vdev", d->vdev,
                       sizeof(d->vdev)) ||
        xlmig_json_str(&SRC, W, mem(o, "vg"), "vg", d->lv.vg,
                       sizeof(d->lv.vg)) ||
        xlmig_json_str(&SRC, W, mem(o, "lv"), "lv", d->lv.lv,
                       sizeof(d->lv.lv)) ||
        xlmig_json_str(&SRC, W, mem(o, "dst_vg"), "dst_vg", d->dst_vg,
                       sizeof(d->dst_vg)) ||
        xlmig_json_u64(&SRC, W, mem(o, "size"), "size", UINT64_MAX / 2,
                       &d->lv.size) ||
        xlmig_json_u64(&SRC, W, mem(o, "md"), "md", UINT64_MAX / 2,
                       &d->md_bytes) ||
        xlmig_json_u64(&SRC, W, mem(o, "minor"), "minor", 1048575,
                       &minor) ||
        xlmig_json_u64(&SRC, W, mem(o, "port"), "port", 65535, &port))
        return XLMIG_E_PROTO;
    d->minor = (int)minor;
    d->port = (int)port;
    if (!xlmig_ldisk_name_ok(d->lv.vg) || !xlmig_ldisk_name_ok(d->lv.lv) ||
        !xlmig_ldisk_name_ok(d->dst_vg))
        return xlmig_json_bad(&SRC, d->vdev, " vg/lv/dst_vg",
                              "is not an LVM name");
    if (!d->lv.size || d->lv.size % XLMIG_LDISK_SECTOR ||
        d->md_bytes < xlmig_ldisk_md_bytes(d->lv.size, 1))
        return xlmig_json_bad(&SRC, d->vdev, " size/md",
                              "is not whole sectors, or the metadata is"
                              " smaller than DRBD needs");
    if (d->minor < c->minor_lo || d->minor > c->minor_hi ||
        d->port != c->port_lo + (d->minor - c->minor_lo))
        return xlmig_json_bad(&SRC, d->vdev, " minor/port",
                              "is outside this host's local_disk_minors"
                              " range, or not its port");
    return 0;
}

int xlmig_ldisk_wire_decode(const char *buf, size_t len,
                            xlmig_ldisk_ctx *l)
{
    const char *dpath[] = { "disks", NULL };
    yajl_val root = NULL, disks;
    char err[128];
    size_t i;
    int rc;

    l->n = 0;
    rc = xlmig_json_parse(buf, len, "local disks", &root, err, sizeof(err));
    if (rc == XLMIG_E_INVAL) {
        xlmig_err(XLMIG_E_PROTO, "local disks: not JSON: %s", err);
        return XLMIG_E_PROTO;
    }
    if (rc)
        return rc;
    disks = yajl_tree_get(root, dpath, yajl_t_array);
    if (!disks || !YAJL_GET_ARRAY(disks)->len ||
        YAJL_GET_ARRAY(disks)->len > XLMIG_LDISK_MAX_DISKS) {
        rc = xlmig_json_bad(&SRC, "", "disks", "is not an array of 1 to 8"
                            " disks");
        goto out;
    }
    rc = end_of(root, "src", &l->peer);
    if (!rc)
        rc = end_of(root, "dst", &l->self);
    for (i = 0; !rc && i < YAJL_GET_ARRAY(disks)->len; i++) {
        unsigned j;

        rc = disk_of(YAJL_GET_ARRAY(disks)->values[i], &l->conf,
                     &l->disks[i]);
        for (j = 0; !rc && j < i; j++)
            if (l->disks[j].minor == l->disks[i].minor ||
                !strcmp(l->disks[j].vdev, l->disks[i].vdev))
                rc = xlmig_json_bad(&SRC, l->disks[i].vdev, " minor",
                                    "is given twice");
        if (!rc)
            l->n = (unsigned)i + 1;
    }
out:
    if (rc)
        l->n = 0;
    yajl_tree_free(root);
    return rc;
}
