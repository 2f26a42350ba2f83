/*
 * Destination side of the Xen backend: libxl_domain_create_restore reads
 * the libxl stream from a pipe in a thread of its own while the phase
 * machine feeds us its records (xen_feeder.c). The guest is built paused as
 * "<name>--incoming"; only the commit renames and unpauses it.
 */
#include "xen_priv.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "wire.h"

int xlmig_xen_dst_open(xlmig_xen_dst **out, const xlmig_xen_opts *opts)
{
    xlmig_xen_dst *d;
    int rc;

    *out = NULL;
    d = calloc(1, sizeof(*d));
    if (!d) {
        xlmig_err(XLMIG_E_NOMEM, "no memory for the Xen backend");
        return XLMIG_E_NOMEM;
    }
    xlmig_xen_host_init(&d->h);
    libxl_domain_config_init(&d->cfg);
    xlmig_xen_feeder_init(&d->feed);
    d->domid = XLMIG_NO_DOMID;
    d->restored = XLMIG_NO_DOMID;
    d->debug = opts && opts->debug;
    d->paused = opts && opts->paused;
    rc = xlmig_xen_host_open(&d->h, d->debug);
    if (rc) {
        xlmig_xen_dst_close(d);
        return rc;
    }
    *out = d;
    return 0;
}

void xlmig_xen_dst_close(xlmig_xen_dst *d)
{
    if (!d)
        return;
    xlmig_xen_feeder_dispose(&d->feed);
    libxl_domain_config_dispose(&d->cfg);
    xlmig_xen_host_dispose(&d->h);
    free(d->name);
    free(d->incoming);
    free(d);
}

/* In the feeder's thread: libxl reads the stream from fd. */
static int restore_fn(void *arg, int fd)
{
    xlmig_xen_dst *d = arg;
    libxl_domain_restore_params par;
    int r;

    libxl_domain_restore_params_init(&par);
    par.checkpointed_stream = LIBXL_CHECKPOINTED_STREAM_NONE;
    par.stream_version = 2;
    d->restored = XLMIG_NO_DOMID;
    r = libxl_domain_create_restore(d->h.ctx, &d->cfg, &d->restored, fd,
                                    -1, &par, NULL, NULL);
    libxl_domain_restore_params_dispose(&par);
    return r;
}

static int xen_begin(void *be, const xlmig_msg *req, uint32_t *page_size)
{
    xlmig_xen_dst *d = be;
    int rc;

    *page_size = 0;
    rc = xlmig_xen_config_incoming(d->h.ctx, req->config, &d->cfg,
                                   &d->name);
    if (rc)
        return rc;
    d->incoming = strdup(d->cfg.c_info.name);
    if (!d->incoming)
        return XLMIG_E_NOMEM;
    libxl_uuid_copy(d->h.ctx, &d->uuid, &d->cfg.c_info.uuid);
    d->have_uuid = !libxl_uuid_is_nil(&d->uuid);
    return xlmig_xen_feeder_open(&d->feed, restore_fn, d);
}

static int xen_feed(void *be, const uint8_t *p, size_t len)
{
    xlmig_xen_dst *d = be;

    return xlmig_xen_feeder_put(&d->feed, p, len);
}

/* The restore returned: what it built is ours to discard or commit. */
static void restore_done(xlmig_xen_dst *d)
{
    if (d->feed.r == 0 && d->feed.bytes)
        d->domid = d->restored;
    xlmig_xen_feeder_dispose(&d->feed);
}

static int xen_end(void *be, const xlmig_msg *end, xlmig_restore_result *res)
{
    xlmig_xen_dst *d = be;
    int rc;

    (void)end;                  /* no digest: libxl checks its stream */
    rc = xlmig_xen_feeder_end(&d->feed, d->incoming, res);
    restore_done(d);
    if (!rc)
        XLMIG_INFO("restored %s as %s (id %u) from %llu MiB of stream",
                   d->name, d->incoming, d->domid,
                   (unsigned long long)(d->feed.bytes >> 20));
    return rc;
}

static void xen_abort(void *be)
{
    xlmig_xen_dst *d = be;

    xlmig_xen_feeder_finish(&d->feed);
    restore_done(d);
}

/* After a failed unpause: certainly never ran? */
static bool still_paused(xlmig_xen_dst *d)
{
    libxl_dominfo info;
    bool paused;

    libxl_dominfo_init(&info);
    paused = !libxl_domain_info(d->h.ctx, &info, d->domid) && info.paused;
    libxl_dominfo_dispose(&info);
    return paused;
}

static int xen_activate(void *be)
{
    xlmig_xen_dst *d = be;
    int r;

    if (d->domid == XLMIG_NO_DOMID) {
        xlmig_err(XLMIG_E_BACKEND, "nothing was restored to activate");
        return XLMIG_E_BACKEND;
    }
    r = libxl_domain_rename(d->h.ctx, d->domid, d->incoming, d->name);
    if (r) {
        xlmig_err(XLMIG_E_BACKEND, "renaming %s to %s failed (libxl error"
                  " %d)", d->incoming, d->name, r);
        return XLMIG_E_BACKEND;
    }
    /* -p, as xl migrate -p: the guest is here, paused, for the operator. */
    r = d->paused ? 0 : libxl_domain_unpause(d->h.ctx, d->domid, NULL);
    if (r && !still_paused(d)) {
        /* The device model or a vCPU may have run: recover decides. */
        xlmig_err(XLMIG_E_UNDEFINED, "unpausing %s (id %u) failed (libxl"
                  " error %d) and it is not paused any more", d->name,
                  d->domid, r);
        return XLMIG_E_UNDEFINED;
    }
    if (r) {
        /* Give the name back: the source resumes its copy. */
        libxl_domain_rename(d->h.ctx, d->domid, d->name, d->incoming);
        xlmig_err(XLMIG_E_BACKEND, "unpausing %s (id %u) failed (libxl"
                  " error %d)", d->name, d->domid, r);
        return XLMIG_E_BACKEND;
    }
    d->active = true;
    return 0;
}

/* Our copy, found by id or else by its incoming name and UUID. */
static uint32_t find_ours(xlmig_xen_dst *d)
{
    libxl_dominfo info;
    uint32_t domid = d->domid;
    bool ok;

    if (domid == XLMIG_NO_DOMID && d->incoming &&
        libxl_name_to_domid(d->h.ctx, d->incoming, &domid))
        return XLMIG_NO_DOMID;
    if (domid == XLMIG_NO_DOMID)
        return XLMIG_NO_DOMID;
    libxl_dominfo_init(&info);
    ok = !libxl_domain_info(d->h.ctx, &info, domid) &&
         (!d->have_uuid || !libxl_uuid_compare(&info.uuid, &d->uuid));
    libxl_dominfo_dispose(&info);
    return ok ? domid : XLMIG_NO_DOMID;
}

static int xen_discard(void *be)
{
    xlmig_xen_dst *d = be;
    uint32_t domid;
    int r;

    if (d->active || !d->h.ctx)
        return 0;
    domid = find_ours(d);
    if (domid == XLMIG_NO_DOMID)
        return 0;
    r = libxl_domain_destroy(d->h.ctx, domid, NULL);
    if (r) {
        xlmig_err(XLMIG_E_BACKEND, "destroying the incoming copy %s (id %u)"
                  " failed (libxl error %d)", d->incoming ? d->incoming
                  : "?", domid, r);
        return XLMIG_E_BACKEND;
    }
    d->domid = XLMIG_NO_DOMID;
    return 0;
}

uint32_t xlmig_xen_dst_domid(const xlmig_xen_dst *d)
{
    return d->active && d->domid != XLMIG_NO_DOMID ? d->domid : 0;
}

const char *xlmig_xen_dst_name(const xlmig_xen_dst *d)
{
    return d->name;
}

const xlmig_dst_ops xlmig_xen_dst_ops = {
    .name = "xen",
    .check = xlmig_xen_dst_check,
    .rec_type = XLMIG_REC_XEN,
    .begin = xen_begin,
    .feed = xen_feed,
    .end = xen_end,
    .abort = xen_abort,
    .activate = xen_activate,
    .discard = xen_discard,
};
