/* The fake host of ldisk_world.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ldisk_world.h"

void ldisk_world_init(ldisk_world *w, const char *vg, const char *lv,
                      const char *table)
{
    memset(w, 0, sizeof(*w));
    snprintf(w->lv[w->nlv++], sizeof(w->lv[0]), "%s/%s", vg, lv);
    xlmig_ldisk_dm_name(vg, lv, w->dm[0].name, sizeof(w->dm[0].name));
    snprintf(w->dm[0].live, sizeof(w->dm[0].live), "%s", table);
    w->ndm = 1;
}

static int find_str(char (*arr)[256], unsigned n, const char *s)
{
    unsigned i;

    for (i = 0; i < n; i++)
        if (!strcmp(arr[i], s))
            return (int)i;
    return -1;
}

static w_dm *dm_of(ldisk_world *w, const char *name)
{
    unsigned i;

    for (i = 0; i < w->ndm; i++)
        if (!strcmp(w->dm[i].name, name))
            return &w->dm[i];
    return NULL;
}

const w_dm *ldisk_world_dm(const ldisk_world *w, const char *name)
{
    return dm_of((ldisk_world *)w, name);
}

const char *ldisk_world_file(const ldisk_world *w, const char *path)
{
    int i = find_str((char (*)[256])w->file, w->nfile, path);

    return i < 0 ? NULL : w->text[i];
}

bool ldisk_world_has_lv(const ldisk_world *w, const char *full)
{
    return find_str((char (*)[256])w->lv, w->nlv, full) >= 0;
}

int ldisk_world_find(const ldisk_world *w, const char *prefix)
{
    unsigned i;

    for (i = 0; i < w->nlog; i++)
        if (!strncmp(w->log[i], prefix, strlen(prefix)))
            return (int)i;
    return -1;
}

static void logline(ldisk_world *w, const char *s)
{
    if (w->nlog < W_LOG)
        snprintf(w->log[w->nlog++], sizeof(w->log[0]), "%s", s);
}

static int res_of(ldisk_world *w, const char *name)
{
    unsigned i;

    for (i = 0; i < w->nres; i++)
        if (!strcmp(w->res[i].name, name))
            return (int)i;
    return -1;
}

static void drop(void *arr, unsigned *n, unsigned i, size_t sz)
{
    char *a = arr;

    memmove(a + i * sz, a + (i + 1) * sz, (*n - i - 1) * sz);
    (*n)--;
}

/* Copy of a text that lives elsewhere in the world. */
static void put(char *dst, size_t sz, const char *src)
{
    size_t n = strlen(src);

    if (n >= sz)
        n = sz - 1;
    memmove(dst, src, n);
    dst[n] = 0;
}

/* One command on the fake host: 0 done, 1 refused (exit 1). */
static int apply(ldisk_world *w, const char *const *argv, char **out)
{
    const char *last = NULL;
    unsigned n = 0;
    w_dm *d;
    int i;

    while (argv[n])
        n++;
    last = n ? argv[n - 1] : "";
    if (!strcmp(argv[0], "lvcreate")) {
        const char *name = NULL;
        char full[256];
        unsigned k;

        for (k = 1; k + 1 < n; k++)
            if (!strcmp(argv[k], "--name"))
                name = argv[k + 1];
        snprintf(full, sizeof(full), "%s/%s", last, name ? name : "?");
        if (!name || find_str(w->lv, w->nlv, full) >= 0)
            return 1;
        snprintf(w->lv[w->nlv++], sizeof(w->lv[0]), "%s", full);
        return 0;
    }
    if (!strcmp(argv[0], "lvremove")) {
        if ((i = find_str(w->lv, w->nlv, last)) < 0)
            return 1;
        drop(w->lv, &w->nlv, (unsigned)i, sizeof(w->lv[0]));
        return 0;
    }
    if (!strcmp(argv[0], "dmsetup") && n >= 3) {
        const char *verb = argv[1], *name = argv[2];

        d = dm_of(w, name);
        if (!strcmp(verb, "create")) {
            const char *t = n >= 4 ? ldisk_world_file(w, argv[3]) : NULL;

            if (d || !t || w->ndm >= W_MAX)
                return 1;
            d = &w->dm[w->ndm++];
            memset(d, 0, sizeof(*d));
            snprintf(d->name, sizeof(d->name), "%s", name);
            put(d->live, sizeof(d->live), t);
            return 0;
        }
        if (!d)
            return 1;
        if (!strcmp(verb, "table")) {
            *out = strdup(d->live);
        } else if (!strcmp(verb, "remove")) {
            drop(w->dm, &w->ndm, (unsigned)(d - w->dm), sizeof(*d));
        } else if (!strcmp(verb, "clear")) {
            d->loaded[0] = 0;
        } else if (!strcmp(verb, "mknodes")) {
            /* nothing to model */
        } else if (!strcmp(verb, "suspend")) {
            d->suspended = true;
        } else if (!strcmp(verb, "resume")) {
            if (d->loaded[0]) {
                strcpy(d->live, d->loaded);
                d->loaded[0] = 0;
            }
            d->suspended = false;
        } else if (!strcmp(verb, "reload")) {
            const char *t = n >= 4 ? ldisk_world_file(w, argv[3]) : NULL;

            if (!t)
                return 1;
            put(d->loaded, sizeof(d->loaded), t);
        } else {
            return 1;
        }
        return 0;
    }
    if (!strcmp(argv[0], "drbdadm") && n >= 3) {
        i = res_of(w, last);
        if (!strcmp(argv[1], "create-md"))
            return ldisk_world_file(w, "/etc/drbd.d/xlmig-900.res") ? 0 : 1;
        if (!strcmp(argv[1], "up")) {
            if (i >= 0)
                return 1;
            memset(&w->res[w->nres], 0, sizeof(w->res[0]));
            w->res[w->nres].peer = true;
            snprintf(w->res[w->nres++].name, sizeof(w->res[0].name), "%s",
                     last);
            return 0;
        }
        if (i < 0)
            return 1;
        if (!strcmp(argv[1], "disconnect")) {
            if (w->peer_refuses && strcmp(argv[2], "--force"))
                return 1;
            w->res[i].peer = false;
        } else if (!strcmp(argv[1], "down")) {
            if (w->peer_refuses && w->res[i].peer)
                return 1;
            drop(w->res, &w->nres, (unsigned)i, sizeof(w->res[0]));
        } else if (!strcmp(argv[1], "primary"))
            w->res[i].primary = true;
        else if (!strcmp(argv[1], "secondary"))
            w->res[i].primary = false;
        else if (!strcmp(argv[1], "net-options"))
            w->res[i].two = !strcmp(argv[2], "--allow-two-primaries=yes");
        else
            return 1;
        return 0;
    }
    return 1;
}

/* The scripted failure: the n-th action of any kind. */
static bool failing(ldisk_world *w)
{
    return ++w->actions == w->fail_at;
}

static int w_run(void *arg, const char *const *argv, int *status,
                 char **out, size_t *out_len, char *err, size_t errsz)
{
    ldisk_world *w = arg;
    char line[400] = "", *text = NULL;
    size_t o = 0;
    unsigned i;

    for (i = 0; argv[i] && o + 1 < sizeof(line); i++)
        o += (size_t)snprintf(line + o, sizeof(line) - o, "%s%s",
                              i ? " " : "", argv[i]);
    logline(w, line);
    *status = failing(w) ? 5 : apply(w, argv, &text);
    snprintf(err, errsz, "%s", *status ? "scripted failure\n" : "");
    if (out) {
        *out = text ? text : strdup("");
        *out_len = strlen(*out);
    } else {
        free(text);
    }
    return 0;
}

static int w_write(void *arg, const char *path, const char *text)
{
    ldisk_world *w = arg;
    char line[400];
    int i;

    snprintf(line, sizeof(line), "write %s", path);
    logline(w, line);
    if (failing(w)) {
        xlmig_err(XLMIG_E_IO, "%s: scripted failure", path);
        return XLMIG_E_IO;
    }
    i = find_str(w->file, w->nfile, path);
    if (i < 0) {
        i = (int)w->nfile++;
        snprintf(w->file[i], sizeof(w->file[0]), "%s", path);
    }
    snprintf(w->text[i], sizeof(w->text[0]), "%s", text);
    return 0;
}

static int w_unlink(void *arg, const char *path)
{
    ldisk_world *w = arg;
    char line[400];
    int i;

    snprintf(line, sizeof(line), "unlink %s", path);
    logline(w, line);
    if (failing(w)) {
        xlmig_err(XLMIG_E_IO, "%s: scripted failure", path);
        return XLMIG_E_IO;
    }
    i = find_str(w->file, w->nfile, path);
    if (i >= 0) {
        memmove(w->text[i], w->text[i + 1],
                (w->nfile - (unsigned)i - 1) * sizeof(w->text[0]));
        drop(w->file, &w->nfile, (unsigned)i, sizeof(w->file[0]));
    }
    return 0;
}

void ldisk_world_runner(ldisk_world *w, xlmig_ldisk_runner *r)
{
    r->arg = w;
    r->run = w_run;
    r->write = w_write;
    r->unlink = w_unlink;
}

bool ldisk_world_same(const ldisk_world *a, const ldisk_world *b)
{
    unsigned i;

    if (a->nlv != b->nlv || a->ndm != b->ndm || a->nfile != b->nfile ||
        a->nres != b->nres)
        return false;
    for (i = 0; i < a->nlv; i++)
        if (!ldisk_world_has_lv(b, a->lv[i]))
            return false;
    for (i = 0; i < a->ndm; i++) {
        const w_dm *d = ldisk_world_dm(b, a->dm[i].name);

        if (!d || strcmp(d->live, a->dm[i].live) || d->suspended ||
            a->dm[i].suspended)
            return false;
    }
    for (i = 0; i < a->nfile; i++) {
        const char *t = ldisk_world_file(b, a->file[i]);

        if (!t || strcmp(t, a->text[i]))
            return false;
    }
    return true;
}
