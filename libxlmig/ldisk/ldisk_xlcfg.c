/*
 * The guest's xl config file as the destination keeps it (autostart,
 * config follows): each carried local disk's LV, wherever the text
 * names it as a whole path (/dev/VG/LV or /dev/mapper/VG-LV, inside a
 * disk spec's quotes, after "phy:" or "target="), is replaced by the
 * same form in this host's VG. Text, not a parse: the file stays as
 * its owner wrote it. A carried disk the text does not name is an
 * error, so a file that would start the guest on the wrong disk is
 * never written here.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autostart.h"
#include "error.h"
#include "ldisk.h"

typedef struct {
    char from[2][XLMIG_LDISK_PATH_MAX];  /* /dev/VG/LV, /dev/mapper/.. */
    char to[2][XLMIG_LDISK_PATH_MAX];
} paths;

static int disk_paths(const xlmig_ldisk_disk *d, paths *p)
{
    int f, rc = 0;

    for (f = 0; !rc && f < 2; f++) {
        rc = xlmig_ldisk_lv_path(d, d->lv.vg, f, "", p->from[f],
                                 sizeof(p->from[f]));
        if (!rc)
            rc = xlmig_ldisk_lv_path(d, d->dst_vg, f, "", p->to[f],
                                     sizeof(p->to[f]));
    }
    return rc;
}

static bool opens(char c)
{
    return c == '\'' || c == '"' || c == ':' || c == '=' || c == ',' ||
           c == ' ' || c == '\t' || c == '\n' || c == '[';
}

static bool closes(char c)
{
    return c == 0 || c == '\'' || c == '"' || c == ',' || c == ' ' ||
           c == '\t' || c == '\n' || c == ']';
}

/* Replace whole-path occurrences of from by to in *text; count them. */
static int replace(char **text, const char *from, const char *to,
                   unsigned *count)
{
    size_t fl = strlen(from), tl = strlen(to), o = 0;
    const char *s = *text, *hit;
    char *out;

    /* Each hit grows the text by tl - fl at most: bound it first. */
    out = malloc(XLMIG_XL_CONFIG_MAX + 1);
    if (!out)
        return XLMIG_E_NOMEM;
    while ((hit = strstr(s, from))) {
        size_t pre = (size_t)(hit - s);
        bool whole = (hit == *text || opens(hit[-1])) && closes(hit[fl]);
        size_t put = whole ? tl : fl;

        if (o + pre + put > XLMIG_XL_CONFIG_MAX)
            goto too_long;
        memcpy(out + o, s, pre);
        memcpy(out + o + pre, whole ? to : from, put);
        o += pre + put;
        *count += whole;
        s = hit + fl;
    }
    if (o + strlen(s) > XLMIG_XL_CONFIG_MAX)
        goto too_long;
    strcpy(out + o, s);
    free(*text);
    *text = out;
    return 0;
too_long:
    free(out);
    xlmig_err(XLMIG_E_INVAL, "the guest's xl config file would exceed %u"
              " bytes with the LVs renamed", XLMIG_XL_CONFIG_MAX);
    return XLMIG_E_INVAL;
}

int xlmig_ldisk_xlcfg_rewrite(const xlmig_ldisk_disk *disks, unsigned n,
                              const char *text, char **out)
{
    char *t = NULL;
    unsigned i, f, count;
    paths p;
    int rc;

    *out = NULL;
    if (strlen(text) > XLMIG_XL_CONFIG_MAX) {
        xlmig_err(XLMIG_E_INVAL, "the guest's xl config file is over %u"
                  " bytes", XLMIG_XL_CONFIG_MAX);
        return XLMIG_E_INVAL;
    }
    t = strdup(text);
    if (!t)
        return XLMIG_E_NOMEM;
    for (i = 0; i < n; i++) {
        if (!strcmp(disks[i].dst_vg, disks[i].lv.vg))
            continue;
        rc = disk_paths(&disks[i], &p);
        for (f = 0, count = 0; !rc && f < 2; f++)
            rc = replace(&t, p.from[f], p.to[f], &count);
        if (rc)
            goto out;
        if (!count) {
            xlmig_err(XLMIG_E_INVAL, "local disk %s: the guest's xl config"
                      " file does not name %s or %s, so it cannot be"
                      " pointed at volume group %s", disks[i].vdev,
                      p.from[0], p.from[1], disks[i].dst_vg);
            rc = XLMIG_E_INVAL;
            goto out;
        }
    }
    *out = t;
    t = NULL;
    rc = 0;
out:
    free(t);
    return rc;
}
