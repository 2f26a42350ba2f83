/* Disk targets and the disks of a libxl domain config (yajl). */
#include "drbd.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "drbd_parse_priv.h"
#include "error.h"
#include "json_guard.h"

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

        if (l >= sizeof(name) ||
            (slash && dp_parse_int(slash + 1, 65535, &vol)))
            goto dp_bad;
        memcpy(name, n, l);
        name[l] = 0;
        if (!dp_valid_name(name))
            goto dp_bad;
        snprintf(d->res, sizeof(d->res), "%s", name);
        return 0;
    }
    if (!strncmp(t, "/dev/drbd", 9)) {
        if (dp_parse_int(t + 9, 0xfffff, &minor))
            goto dp_bad;
        d->minor = minor;
        return 0;
    }
    if (!dp_valid_name(t))
        goto dp_bad;
    snprintf(d->res, sizeof(d->res), "%s", t);
    return 0;
dp_bad:
    xlmig_err(XLMIG_E_INVAL, "disk %s: target '%s' is neither a DRBD"
              " resource name nor a /dev/drbdN device",
              d->vdev[0] ? d->vdev : "?", target);
    return XLMIG_E_INVAL;
}

bool xlmig_drbd_is_disk(const char *script, const char *target)
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
    char err[128];
    yajl_val root = NULL, disks;
    size_t i;
    unsigned j;
    int rc;

    *n = 0;
    if (len > XLMIG_DRBD_OUT_MAX || memchr(buf, 0, len)) {
        xlmig_err(XLMIG_E_INVAL, "domain config: too large or not text");
        return XLMIG_E_INVAL;
    }
    rc = xlmig_json_parse(buf, len, "domain config", &root, err,
                          sizeof(err));
    if (rc == XLMIG_E_NOMEM)
        return XLMIG_E_NOMEM;
    if (rc == XLMIG_E_PROTO)
        goto out;
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
        target = dp_jstr(d, "pdev_path");
        script = dp_jstr(d, "script");
        vdev = dp_jstr(d, "vdev");
        if (!target || !*target || !xlmig_drbd_is_disk(script, target))
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
    return rc;
}
