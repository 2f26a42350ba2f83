/*
 * The connection to the local Xen: one logger, one libxl context and one
 * libxc handle per backend object.
 */
#include "xen_priv.h"

#include <errno.h>
#include <string.h>

#include "error.h"

/*
 * Our own children (the transport, drbdadm) are reaped by us with
 * waitpid; libxl must reap only its own (save helper, hotplug scripts).
 */
static const libxl_childproc_hooks childproc_hooks = {
    .chldowner = libxl_sigchld_owner_libxl_always_selective_reap,
};

void xlmig_xen_host_init(xlmig_xen_host *h)
{
    memset(h, 0, sizeof(*h));
}

int xlmig_xen_host_open(xlmig_xen_host *h, bool debug)
{
    int rc, r;

    h->lg = xtl_createlogger_stdiostream(stderr,
                                         debug ? XTL_DEBUG : XTL_ERROR,
                                         XTL_STDIOSTREAM_HIDE_PROGRESS);
    if (!h->lg) {
        xlmig_err(XLMIG_E_NOMEM, "cannot create the Xen logger");
        rc = XLMIG_E_NOMEM;
        goto out;
    }
    r = libxl_ctx_alloc(&h->ctx, LIBXL_VERSION, 0,
                        (xentoollog_logger *)h->lg);
    if (r) {
        h->ctx = NULL;
        xlmig_err(XLMIG_E_BACKEND, "cannot open libxl (is this a Xen dom0,"
                  " and are we root?)");
        rc = XLMIG_E_BACKEND;
        goto out;
    }
    libxl_childproc_setmode(h->ctx, &childproc_hooks, NULL);
    h->xch = xc_interface_open((xentoollog_logger *)h->lg,
                               (xentoollog_logger *)h->lg, 0);
    if (!h->xch) {
        xlmig_err(XLMIG_E_BACKEND, "cannot open libxenctrl: %s",
                  strerror(errno));
        rc = XLMIG_E_BACKEND;
        goto out;
    }
    rc = 0;
out:
    if (rc)
        xlmig_xen_host_dispose(h);
    return rc;
}

void xlmig_xen_host_dispose(xlmig_xen_host *h)
{
    if (h->xch)
        xc_interface_close(h->xch);
    if (h->ctx)
        libxl_ctx_free(h->ctx);
    if (h->lg)
        xtl_logger_destroy((xentoollog_logger *)h->lg);
    memset(h, 0, sizeof(*h));
}
