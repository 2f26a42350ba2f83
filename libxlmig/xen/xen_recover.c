/*
 * recover on a Xen host: the states of a guest's three names through
 * libxl, the DRBD role and window of its resources and its migration
 * tokens; and the actions recover_plan may ask for. Destroying a copy
 * runs its disks' hotplug remove, which demotes a DRBD resource no
 * longer used. With no copy here (any more), the guest's uuid and
 * resources come from the hint recover got from the other host.
 */
#include "recover.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drbd.h"
#include "error.h"
#include "throttle_cap.h"
#include "xen_priv.h"

typedef struct {
    xlmig_xen_host h;
    xlmig_drbd drbd;
    bool drbd_up;
    bool res_found;
    const xlmig_guest_hint *hint;
    uint32_t domid[XLMIG_COPY__COUNT];
    char uuid[XLMIG_COPY__COUNT][XLMIG_VIEW_UUID_LEN];
} xhost;

static void xhost_init(xhost *x, const xlmig_guest_hint *hint)
{
    int c;

    memset(x, 0, sizeof(*x));
    x->hint = hint;
    xlmig_xen_host_init(&x->h);
    for (c = 0; c < XLMIG_COPY__COUNT; c++)
        x->domid[c] = XLMIG_NO_DOMID;
}

static void xhost_dispose(xhost *x)
{
    if (x->drbd_up)
        xlmig_drbd_dispose(&x->drbd);
    x->drbd_up = false;
    xlmig_xen_host_dispose(&x->h);
}

static xlmig_dom_state state_of(const libxl_dominfo *i)
{
    if (i->dying)
        return XLMIG_DS_OTHER;
    if (i->shutdown)
        return i->shutdown_reason == LIBXL_SHUTDOWN_REASON_SUSPEND
            ? XLMIG_DS_SUSPENDED : XLMIG_DS_OTHER;
    return i->paused ? XLMIG_DS_PAUSED : XLMIG_DS_RUNNING;
}

/* Find the copies; fill v->copy and the domids. */
static int find_copies(xhost *x, const char *domain, xlmig_host_view *v)
{
    char name[160];
    libxl_dominfo info;
    uint32_t domid;
    int c;

    for (c = 0; c < XLMIG_COPY__COUNT; c++) {
        if (xlmig_copy_name(domain, (xlmig_copy)c, name, sizeof(name)))
            return XLMIG_E_INVAL;
        v->copy[c] = XLMIG_DS_NONE;
        if (libxl_name_to_domid(x->h.ctx, name, &domid))
            continue;
        libxl_dominfo_init(&info);
        if (!libxl_domain_info(x->h.ctx, &info, domid)) {
            x->domid[c] = domid;
            v->copy[c] = state_of(&info);
            snprintf(x->uuid[c], sizeof(x->uuid[c]), LIBXL_UUID_FMT,
                     LIBXL_UUID_BYTES(info.uuid));
        }
        libxl_dominfo_dispose(&info);
    }
    return 0;
}

/* The resources of the hint's list "r0,r1", into x->drbd. */
static int hinted_resources(xhost *x)
{
    char list[XLMIG_VIEW_RES_LEN], *save = NULL, *r;
    int rc = 0;

    if (!x->hint)
        return 0;
    snprintf(list, sizeof(list), "%s", x->hint->resources);
    for (r = strtok_r(list, ",", &save); r && !rc;
         r = strtok_r(NULL, ",", &save))
        rc = xlmig_drbd_add_resource(&x->drbd, r);
    return rc;
}

/*
 * The DRBD resources of the first copy's disks, into x->drbd; with no
 * copy, the hint's. Once per xhost.
 */
static int find_resources(xhost *x)
{
    libxl_domain_config cfg;
    char *json = NULL;
    int c, rc;

    if (x->res_found)
        return 0;
    if (!x->drbd_up) {
        rc = xlmig_drbd_init(&x->drbd);
        if (rc)
            return rc;
        x->drbd_up = true;
    }
    x->drbd.nres = 0;
    for (c = 0; c < XLMIG_COPY__COUNT; c++)
        if (x->domid[c] != XLMIG_NO_DOMID)
            break;
    libxl_domain_config_init(&cfg);
    if (c == XLMIG_COPY__COUNT) {
        rc = hinted_resources(x);
        goto out;
    }
    if (libxl_retrieve_domain_configuration(x->h.ctx, x->domid[c], &cfg,
                                            NULL)) {
        xlmig_err(XLMIG_E_BACKEND, "cannot read the configuration of"
                  " domain %u", x->domid[c]);
        rc = XLMIG_E_BACKEND;
        goto out;
    }
    json = libxl_domain_config_to_json(x->h.ctx, &cfg);
    rc = json ? xlmig_drbd_find_resources(&x->drbd, json) : XLMIG_E_NOMEM;
out:
    if (!rc)
        x->res_found = true;
    free(json);
    libxl_domain_config_dispose(&cfg);
    return rc;
}

/*
 * One role for all of the guest's resources, and whether the window is
 * open on one of them. With no copy here and no hint there is nothing
 * to find them by: unknown, and recover leaves the DRBD side to the
 * hotplug scripts.
 */
static xlmig_disk_role disk_role(xhost *x, const xlmig_host_view *v,
                                 bool *window)
{
    bool any = false, pri = false, sec = false;
    xlmig_drbd_show_res n;
    xlmig_drbd_state s;
    unsigned i;
    int c;

    *window = false;
    for (c = 0; c < XLMIG_COPY__COUNT; c++)
        any |= v->copy[c] != XLMIG_DS_NONE;
    if (!any && (!x->hint || !x->hint->resources[0]))
        return XLMIG_DISKS_UNKNOWN;
    if (find_resources(x))
        return XLMIG_DISKS_UNKNOWN;
    if (!x->drbd.nres)
        return XLMIG_DISKS_NONE;
    for (i = 0; i < x->drbd.nres; i++) {
        xlmig_drbd_state_init(&s);
        if (xlmig_drbd_query(&x->drbd, x->drbd.res[i].name, &s))
            return XLMIG_DISKS_UNKNOWN;
        pri |= s.role == XLMIG_DRBD_ROLE_PRIMARY;
        sec |= s.role != XLMIG_DRBD_ROLE_PRIMARY;
        /* Not connected: no net options to show, no window either. */
        if (!xlmig_drbd_query_net(&x->drbd, x->drbd.res[i].name, &n))
            *window |= n.two_primaries == 1;
        else
            xlmig_err_clear();
    }
    return pri && sec ? XLMIG_DISKS_MIXED
         : pri ? XLMIG_DISKS_PRIMARY : XLMIG_DISKS_SECONDARY;
}

/* "r0,r1" of the resources found, for the view. */
static void resource_list(const xhost *x, char *buf, size_t len)
{
    size_t n = 0;
    unsigned i;
    int r;

    buf[0] = 0;
    for (i = 0; i < x->drbd.nres; i++) {
        r = snprintf(buf + n, len - n, "%s%s", i ? "," : "",
                     x->drbd.res[i].name);
        if (r < 0 || (size_t)r >= len - n) {
            buf[n] = 0;
            return;
        }
        n += (size_t)r;
    }
}

/* <uuid>.<resource>.ready or .took beside a token (drbd_prepared.c). */
static bool side_file(const char *name)
{
    size_t n = strlen(name);

    return (n > 6 && !strcmp(name + n - 6, ".ready")) ||
           (n > 5 && !strcmp(name + n - 5, ".took"));
}

/*
 * Tokens are TOKEN_DIR/<uuid>.<resource>: any copy's uuid counts, and
 * with no copy here the hint's.
 */
static unsigned tokens(xhost *x, bool drop)
{
    struct dirent *e;
    unsigned n = 0;
    char p[600];
    bool any = false;
    DIR *d;
    int c;

    if (!x->drbd_up && xlmig_drbd_init(&x->drbd))
        return 0;
    x->drbd_up = true;
    for (c = 0; c < XLMIG_COPY__COUNT; c++)
        any |= x->uuid[c][0] != 0;
    if (!any && x->hint)
        snprintf(x->uuid[0], sizeof(x->uuid[0]), "%s", x->hint->uuid);
    d = opendir(x->drbd.token_dir);
    while (d && (e = readdir(d))) {
        for (c = 0; c < XLMIG_COPY__COUNT; c++) {
            size_t l = strlen(x->uuid[c]);

            if (!l || strncmp(e->d_name, x->uuid[c], l) ||
                e->d_name[l] != '.')
                continue;
            /* The hotplug script's note and timing go with it. */
            if (!side_file(e->d_name))
                n++;
            snprintf(p, sizeof(p), "%s/%s", x->drbd.token_dir, e->d_name);
            if (drop && unlink(p))
                XLMIG_WARN("cannot remove token %s", p);
            break;
        }
    }
    if (d)
        closedir(d);
    return n;
}

/* The record a dead migration left of the guest's own cap, if any. */
static int stale_cap(xhost *x, const char *domain, xlmig_capfile *f)
{
    const char *uuid = NULL;
    char dir[4096];
    int c, rc;

    for (c = 0; c < XLMIG_COPY__COUNT && !uuid; c++)
        if (x->uuid[c][0])
            uuid = x->uuid[c];
    if (!uuid && x->hint && x->hint->uuid[0])
        uuid = x->hint->uuid;
    rc = xlmig_capfile_dir(NULL, dir, sizeof(dir));
    return rc ? rc : xlmig_capfile_stale(dir, "xen", domain, uuid, f);
}

/* Its own cap back on the copy under its name; then the record goes. */
static int restore_cap(xhost *x, const char *domain)
{
    libxl_domain_sched_params p;
    xlmig_capfile f;
    char dir[4096];
    int rc, r;

    rc = stale_cap(x, domain, &f);
    if (rc <= 0)
        return rc;
    libxl_domain_sched_params_init(&p);
    if (x->domid[XLMIG_COPY_NAME] != XLMIG_NO_DOMID) {
        r = libxl_domain_sched_params_get(x->h.ctx,
                                          x->domid[XLMIG_COPY_NAME], &p);
        if (!r) {
            p.cap = f.cap;
            r = libxl_domain_sched_params_set(x->h.ctx,
                                              x->domid[XLMIG_COPY_NAME],
                                              &p);
        }
        if (r) {
            xlmig_err(XLMIG_E_BACKEND, "setting the CPU cap of %s back to"
                      " %d%% failed (libxl error %d)", domain, f.cap, r);
            rc = XLMIG_E_BACKEND;
            goto out;
        }
    }
    rc = xlmig_capfile_dir(NULL, dir, sizeof(dir));
    if (!rc)
        rc = xlmig_capfile_remove(dir, f.uuid);
out:
    libxl_domain_sched_params_dispose(&p);
    return rc;
}

int xlmig_xen_host_inspect(const char *domain, const xlmig_guest_hint *hint,
                           xlmig_host_view *v)
{
    xlmig_capfile f;
    xhost x;
    int c, rc;

    xlmig_host_view_init(v);
    xhost_init(&x, hint);
    rc = xlmig_xen_host_open(&x.h, false);
    if (!rc)
        rc = find_copies(&x, domain, v);
    if (rc)
        goto out;
    v->drbd = disk_role(&x, v, &v->window);
    if (x.res_found)
        resource_list(&x, v->resources, sizeof(v->resources));
    v->tokens = tokens(&x, false);
    for (c = 0; c < XLMIG_COPY__COUNT && !v->uuid[0]; c++)
        snprintf(v->uuid, sizeof(v->uuid), "%s", x.uuid[c]);
    rc = stale_cap(&x, domain, &f);
    if (rc < 0)
        goto out;
    v->capped = rc == 1;
    rc = 0;
    v->reachable = true;
out:
    xhost_dispose(&x);
    return rc;
}

int xlmig_xen_host_act(const char *domain, const xlmig_guest_hint *hint,
                       const xlmig_action *a)
{
    char from[160], to[160];
    xlmig_host_view v;
    uint32_t domid;
    unsigned i;
    xhost x;
    int rc, r = 0;

    xhost_init(&x, hint);
    rc = xlmig_xen_host_open(&x.h, false);
    if (!rc)
        rc = find_copies(&x, domain, &v);
    if (rc)
        goto out;
    xlmig_copy_name(domain, a->copy, from, sizeof(from));
    xlmig_copy_name(domain, a->to, to, sizeof(to));
    domid = x.domid[a->copy];
    switch (a->act) {
    case XLMIG_ACT_DESTROY:
    case XLMIG_ACT_RENAME:
    case XLMIG_ACT_RESUME:
    case XLMIG_ACT_UNPAUSE:
        if (domid == XLMIG_NO_DOMID) {
            xlmig_err(XLMIG_E_BACKEND, "no domain %s here", from);
            rc = XLMIG_E_BACKEND;
            goto out;
        }
        break;
    default:
        break;
    }
    switch (a->act) {
    case XLMIG_ACT_DESTROY:
        r = libxl_domain_destroy(x.h.ctx, domid, NULL);
        break;
    case XLMIG_ACT_RENAME:
        r = libxl_domain_rename(x.h.ctx, domid, from, to);
        break;
    case XLMIG_ACT_RESUME:
        r = libxl_domain_resume(x.h.ctx, domid, 1, NULL);
        break;
    case XLMIG_ACT_UNPAUSE:
        r = libxl_domain_unpause(x.h.ctx, domid, NULL);
        break;
    case XLMIG_ACT_DEMOTE:
    case XLMIG_ACT_PROMOTE:
    case XLMIG_ACT_CLOSE_WINDOW:
        rc = find_resources(&x);
        for (i = 0; !rc && i < x.drbd.nres; i++)
            rc = a->act == XLMIG_ACT_DEMOTE
                ? xlmig_drbd_demote(&x.drbd, &x.drbd.res[i])
                : a->act == XLMIG_ACT_PROMOTE
                ? xlmig_drbd_promote(&x.drbd, &x.drbd.res[i])
                : xlmig_drbd_close_window(&x.drbd, &x.drbd.res[i], false);
        goto out;
    case XLMIG_ACT_DROP_TOKENS:
        tokens(&x, true);
        goto out;
    case XLMIG_ACT_RESTORE_CAP:
        rc = restore_cap(&x, domain);
        goto out;
    default:
        rc = XLMIG_E_INVAL;
        goto out;
    }
    if (r) {
        xlmig_err(XLMIG_E_BACKEND, "libxl: %s %s failed (%d)",
                  xlmig_act_str(a->act), from, r);
        rc = XLMIG_E_BACKEND;
    }
out:
    xhost_dispose(&x);
    return rc;
}
