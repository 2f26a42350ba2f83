/* The disk pre-check: see disks.h. */
#include "disks.h"

#include <stdio.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "drbd.h"
#include "error.h"
#include "json_guard.h"

/* A "." or ".." component anywhere in an absolute path. */
static bool has_dot_part(const char *p)
{
    const char *s;

    for (s = p; (s = strchr(s, '/')); s++)
        if (s[1] == '.' && (!s[2] || s[2] == '/' ||
                            (s[2] == '.' && (!s[3] || s[3] == '/'))))
            return true;
    return false;
}

int xlmig_shared_storage_parse(const char *where, const char *val,
                               xlmig_shared_storage *ss)
{
    const char *p = val;
    char *pf;
    size_t n, i;

    memset(ss, 0, sizeof(*ss));
    for (;;) {
        p += strspn(p, " \t,");
        if (!*p)
            break;
        n = strcspn(p, " \t,");
        for (i = 0; i < n; i++)
            if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
                break;
        if (i < n || n >= XLMIG_SHARED_LEN) {
            xlmig_err(XLMIG_E_INVAL, "%s: \"%.40s\" has a control character"
                      " or is longer than %d bytes", where, p,
                      XLMIG_SHARED_LEN - 1);
            return XLMIG_E_INVAL;
        }
        if (ss->n >= XLMIG_SHARED_MAX) {
            xlmig_err(XLMIG_E_INVAL, "%s: more than %d prefixes", where,
                      XLMIG_SHARED_MAX);
            return XLMIG_E_INVAL;
        }
        pf = ss->prefix[ss->n];
        memcpy(pf, p, n);
        pf[n] = 0;
        /* "/" alone would declare every disk shared: never meant. */
        if (pf[0] == '/' ? has_dot_part(pf) || !strcmp(pf, "/")
                         : !strchr(pf, ':')) {
            xlmig_err(XLMIG_E_INVAL, "%s: \"%s\" is neither an absolute"
                      " path below / (without . or ..) nor a target prefix"
                      " such as rbd:pool/", where, pf);
            return XLMIG_E_INVAL;
        }
        ss->n++;
        p += n;
    }
    if (!ss->n) {
        xlmig_err(XLMIG_E_INVAL, "%s: no prefix given", where);
        return XLMIG_E_INVAL;
    }
    return 0;
}

const char *xlmig_shared_storage_match(const xlmig_shared_storage *ss,
                                       const char *target)
{
    unsigned i;
    size_t n;

    if (!ss || (target[0] == '/' && has_dot_part(target)))
        return NULL;
    for (i = 0; i < ss->n; i++) {
        const char *pre = ss->prefix[i];

        n = strlen(pre);
        if (strncmp(target, pre, n))
            continue;
        /* Paths match whole components; other targets literally. */
        if (pre[0] != '/' || pre[n - 1] == '/' || target[n] == '/' ||
            !target[n])
            return pre;
    }
    return NULL;
}

bool xlmig_disk_verdict(const char *target, const char *script,
                        bool cdrom, const xlmig_shared_storage *ss,
                        char *why, size_t len)
{
    const char *pre;
    xlmig_drbd_disk d;

    if (!target || !*target) {
        snprintf(why, len, "%s", cdrom ? "empty CD-ROM drive"
                                       : "no backing (empty)");
        return true;
    }
    if (xlmig_drbd_is_disk(script, target)) {
        memset(&d, 0, sizeof(d));
        if (xlmig_drbd_parse_target(target, &d)) {
            xlmig_err_clear();
            snprintf(why, len, "%s: looks like DRBD but names no DRBD"
                     " resource or device", target);
            return false;
        }
        if (d.res[0])
            snprintf(why, len, "%s: DRBD resource %s", target, d.res);
        else
            snprintf(why, len, "%s: DRBD device minor %d", target, d.minor);
        return true;
    }
    pre = xlmig_shared_storage_match(ss, target);
    if (pre) {
        snprintf(why, len, "%s: on shared storage %s", target, pre);
        return true;
    }
    snprintf(why, len, "%s: not a DRBD resource and not on shared storage",
             target);
    return false;
}

static const char *jstr(yajl_val obj, const char *key)
{
    const char *path[] = { key, NULL };
    yajl_val v = yajl_tree_get(obj, path, yajl_t_string);

    return v ? YAJL_GET_STRING(v) : NULL;
}

static bool jtrue(yajl_val obj, const char *key)
{
    const char *path[] = { key, NULL };
    yajl_val v = yajl_tree_get(obj, path, yajl_t_any);

    return v && (YAJL_IS_TRUE(v) ||
                 (YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v)));
}

void xlmig_disks_check(const char *config_json,
                       const xlmig_shared_storage *ss, const char *where,
                       xlmig_checks *c)
{
    const char *dpath[] = { "disks", NULL };
    char err[128] = "", name[48], why[256];
    yajl_val root = NULL, disks;
    size_t i;
    int rc;

    rc = xlmig_json_parse(config_json, strlen(config_json),
                          "domain config", &root, err, sizeof(err));
    if (rc || !YAJL_IS_OBJECT(root)) {
        xlmig_checks_add(c, where, "disks", false, "cannot read the"
                         " disks of the domain config: %s", rc ==
                         XLMIG_E_PROTO ? xlmig_errmsg() : "not a JSON"
                         " object");
        xlmig_err_clear();
        goto out;
    }
    disks = yajl_tree_get(root, dpath, yajl_t_any);
    if (disks && !YAJL_IS_NULL(disks) && (!YAJL_IS_ARRAY(disks) ||
        disks->u.array.len > XLMIG_DISKS_MAX)) {
        xlmig_checks_add(c, where, "disks", false, "\"disks\" is not an"
                         " array of at most %d disks", XLMIG_DISKS_MAX);
        goto out;
    }
    for (i = 0; disks && YAJL_IS_ARRAY(disks) && i < disks->u.array.len;
         i++) {
        yajl_val d = disks->u.array.values[i];
        const char *vdev = YAJL_IS_OBJECT(d) ? jstr(d, "vdev") : NULL;
        bool ok;

        snprintf(name, sizeof(name), "disk %.40s", vdev && *vdev ? vdev
                 : "?");
        if (!YAJL_IS_OBJECT(d)) {
            xlmig_checks_add(c, where, name, false, "disk %zu is not a"
                             " JSON object", i);
            continue;
        }
        ok = xlmig_disk_verdict(jstr(d, "pdev_path"), jstr(d, "script"),
                                jtrue(d, "is_cdrom"), ss, why, sizeof(why));
        xlmig_checks_add(c, where, name, ok, "%s", why);
    }
out:
    if (root)
        yajl_tree_free(root);
}
