/*
 * Source side of the Xen backend: find the domain, describe it, and the
 * lifecycle steps around the save (xen_save.c): resume it with
 * suspend-cancel after a failed switchover, destroy it after the commit.
 */
#include "xen_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "num.h"

/* Suspend (guest handshake) plus resume on failure, a rough figure. */
#define SWITCHOVER_NS XLMIG_MS(100)

int xlmig_xen_src_open(xlmig_xen_src **out, const char *domain,
                       const xlmig_xen_opts *opts)
{
    xlmig_xen_src *x;
    int rc;

    *out = NULL;
    if (!domain || !*domain) {
        xlmig_err(XLMIG_E_INVAL, "no domain given");
        return XLMIG_E_INVAL;
    }
    x = calloc(1, sizeof(*x));
    if (!x) {
        xlmig_err(XLMIG_E_NOMEM, "no memory for the Xen backend");
        return XLMIG_E_NOMEM;
    }
    xlmig_xen_host_init(&x->h);
    libxl_dominfo_init(&x->info);
    libxl_domain_config_init(&x->cfg);
    libxl_domain_sched_params_init(&x->sched_orig);
    x->domid = XLMIG_NO_DOMID;
    x->debug = opts && opts->debug;
    x->keep_domid = opts && opts->keep_domid;
    x->config_override = opts ? opts->config_override : NULL;
    x->want = strdup(domain);
    if (!x->want) {
        xlmig_err(XLMIG_E_NOMEM, "no memory for the Xen backend");
        rc = XLMIG_E_NOMEM;
        goto out;
    }
    rc = xlmig_xen_host_open(&x->h, x->debug);
out:
    if (rc)
        xlmig_xen_src_close(x);
    else
        *out = x;
    return rc;
}

void xlmig_xen_src_close(xlmig_xen_src *x)
{
    if (!x)
        return;
    /* Never leave our cap behind, whatever path got us here. */
    if (x->sched_read && x->h.ctx)
        xlmig_xen_src_set_share(x, 1.0);
    libxl_domain_sched_params_dispose(&x->sched_orig);
    libxl_domain_config_dispose(&x->cfg);
    libxl_dominfo_dispose(&x->info);
    xlmig_xen_host_dispose(&x->h);
    free(x->want);
    free(x->name);
    free(x);
}

/* Resolve the name (or a domid) and read the domain's state. */
int xlmig_xen_src_lookup(xlmig_xen_src *x)
{
    libxl_ctx *ctx = x->h.ctx;
    uint32_t domid;
    char *name;
    uint64_t n;
    int r;

    if (!libxl_name_to_domid(ctx, x->want, &domid)) {
        name = strdup(x->want);
    } else {
        if (xlmig_num_u64(x->want, 10, 0, DOMID_FIRST_RESERVED - 1, &n)) {
            xlmig_err(XLMIG_E_CHECK, "no domain %s on this host", x->want);
            return XLMIG_E_CHECK;
        }
        domid = (uint32_t)n;
        name = libxl_domid_to_name(ctx, domid);
        if (!name) {
            xlmig_err(XLMIG_E_CHECK, "no domain %s on this host", x->want);
            return XLMIG_E_CHECK;
        }
    }
    if (!name) {
        xlmig_err(XLMIG_E_NOMEM, "no memory");
        return XLMIG_E_NOMEM;
    }
    free(x->name);
    x->name = name;
    x->domid = domid;
    libxl_dominfo_dispose(&x->info);
    libxl_dominfo_init(&x->info);
    r = libxl_domain_info(ctx, &x->info, domid);
    if (r) {
        xlmig_err(XLMIG_E_CHECK, "domain %s (id %u) vanished", name, domid);
        return XLMIG_E_CHECK;
    }
    x->found = true;
    return 0;
}

libxl_domain_type xlmig_xen_src_type(const xlmig_xen_src *x)
{
    if (x->have_cfg && x->cfg.c_info.type != LIBXL_DOMAIN_TYPE_INVALID)
        return x->cfg.c_info.type;
    return x->info.domain_type;
}

static int read_override(xlmig_xen_src *x, char **json)
{
    void *data = NULL;
    int len = 0, r, rc;

    *json = NULL;
    r = libxl_read_file_contents(x->h.ctx, x->config_override, &data, &len);
    if (r) {
        xlmig_err(XLMIG_E_INVAL, "cannot read -C %s", x->config_override);
        rc = XLMIG_E_INVAL;
        goto out;
    }
    *json = calloc(1, (size_t)len + 1);
    if (!*json) {
        rc = XLMIG_E_NOMEM;
        goto out;
    }
    memcpy(*json, data, (size_t)len);
    libxl_domain_config_dispose(&x->cfg);
    libxl_domain_config_init(&x->cfg);
    r = libxl_domain_config_from_json(x->h.ctx, &x->cfg, *json);
    if (r) {
        xlmig_err(XLMIG_E_INVAL, "-C %s is not a libxl JSON domain config"
                  " (make one with: xl create -n <xl.cfg>)",
                  x->config_override);
        rc = XLMIG_E_INVAL;
        goto out;
    }
    rc = 0;
out:
    free(data);
    if (rc) {
        free(*json);
        *json = NULL;
    }
    return rc;
}

static int xen_info(void *be, xlmig_domain_info *di)
{
    xlmig_xen_src *x = be;
    char uuid[40], *json = NULL;
    int rc, r;

    rc = xlmig_xen_src_lookup(x);
    if (rc)
        goto out;
    if (x->config_override) {
        rc = read_override(x, &json);
        if (rc)
            goto out;
        /* The override names the guest only if it says nothing else. */
        if (!x->cfg.c_info.name) {
            x->cfg.c_info.name = strdup(x->name);
            free(json);
            json = libxl_domain_config_to_json(x->h.ctx, &x->cfg);
        }
    } else {
        libxl_domain_config_dispose(&x->cfg);
        libxl_domain_config_init(&x->cfg);
        r = libxl_retrieve_domain_configuration(x->h.ctx, x->domid,
                                                &x->cfg, NULL);
        if (r) {
            xlmig_err(XLMIG_E_BACKEND, "cannot retrieve the configuration"
                      " of %s (libxl error %d)", x->name, r);
            rc = XLMIG_E_BACKEND;
            goto out;
        }
        /* The destination chooses the domid, as with xl, unless -D. */
        x->cfg.c_info.domid = x->keep_domid ? x->domid : 0;
        json = libxl_domain_config_to_json(x->h.ctx, &x->cfg);
    }
    x->have_cfg = true;
    if (!json) {
        xlmig_err(XLMIG_E_BACKEND, "cannot write the configuration of %s"
                  " as JSON", x->name);
        rc = XLMIG_E_BACKEND;
        goto out;
    }
    snprintf(uuid, sizeof(uuid), LIBXL_UUID_FMT,
             LIBXL_UUID_BYTES(x->info.uuid));
    di->name = strdup(x->name);
    di->uuid = strdup(uuid);
    di->config = json;
    json = NULL;
    if (!di->name || !di->uuid) {
        rc = XLMIG_E_NOMEM;
        goto out;
    }
    di->mem_bytes = x->info.current_memkb * 1024ULL;
    di->page_size = XC_PAGE_SIZE;
    di->vcpus = x->info.vcpu_online;
    rc = 0;
out:
    free(json);
    return rc;
}

static uint64_t xen_switchover_ns(void *be)
{
    (void)be;
    return SWITCHOVER_NS;
}

static int xen_resume(void *be)
{
    xlmig_xen_src *x = be;
    int r;

    /* Cooperative resume: the guest carries on with its own backends. */
    r = libxl_domain_resume(x->h.ctx, x->domid, 1, NULL);
    if (r) {
        xlmig_err(XLMIG_E_BACKEND, "resuming %s (id %u) with suspend-cancel"
                  " failed (libxl error %d)", x->name, x->domid, r);
        return XLMIG_E_BACKEND;
    }
    x->resumed = true;
    return 0;
}

bool xlmig_xen_src_resumed(const xlmig_xen_src *x, uint32_t *domid)
{
    *domid = x->domid;
    return x->resumed && !x->destroyed;
}

const char *xlmig_xen_src_name(const xlmig_xen_src *x)
{
    return x->name;
}

static int xen_destroy(void *be)
{
    xlmig_xen_src *x = be;
    int r;

    if (x->destroyed)
        return 0;
    r = libxl_domain_destroy(x->h.ctx, x->domid, NULL);
    if (r) {
        xlmig_err(XLMIG_E_BACKEND, "destroying the source copy of %s (id %u)"
                  " failed (libxl error %d)", x->name, x->domid, r);
        return XLMIG_E_BACKEND;
    }
    x->destroyed = true;
    return 0;
}

static bool xen_running(void *be)
{
    xlmig_xen_src *x = be;
    libxl_dominfo info;
    bool run;

    if (x->destroyed || x->domid == XLMIG_NO_DOMID)
        return false;
    libxl_dominfo_init(&info);
    run = !libxl_domain_info(x->h.ctx, &info, x->domid) &&
          !info.shutdown && !info.dying && !info.paused;
    libxl_dominfo_dispose(&info);
    return run;
}

const xlmig_src_ops xlmig_xen_src_ops = {
    .name = "xen",
    .info = xen_info,
    .precheck = xlmig_xen_src_precheck,
    .switchover_ns = xen_switchover_ns,
    .save = xlmig_xen_src_save,
    .resume = xen_resume,
    .destroy = xen_destroy,
    .set_share = xlmig_xen_src_set_share,
    .running = xen_running,
};
