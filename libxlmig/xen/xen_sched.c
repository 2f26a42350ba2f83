/*
 * The throttle's lever on Xen: the credit/credit2 scheduler cap, in % of
 * one physical CPU (credit2 refills budgets every 10 ms, so a cap acts
 * within a round). The guest's own parameters are read once; share 1.0
 * puts its own cap back exactly, whatever happened in between.
 */
#include "xen_priv.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "throttle_cap.h"

int xlmig_xen_cap_for_share(double share, unsigned vcpus, int orig_cap)
{
    double full, cap;

    if (!(share < 1.0))
        return orig_cap;
    if (!(share > 0.0))
        share = 0.0;
    if (vcpus < 1)
        vcpus = 1;
    full = orig_cap > 0 ? (double)orig_cap : 100.0 * vcpus;
    cap = round(share * full);
    /* 0 would mean "uncapped": the opposite of what was asked. */
    return cap < 1.0 ? 1 : (int)cap;
}

static int read_sched(xlmig_xen_src *x)
{
    libxl_scheduler s;
    int r;

    libxl_domain_sched_params_init(&x->sched_orig);
    r = libxl_domain_sched_params_get(x->h.ctx, x->domid, &x->sched_orig);
    if (r) {
        xlmig_err(XLMIG_E_BACKEND, "cannot read the scheduler parameters"
                  " of %s (libxl error %d)", x->name, r);
        return XLMIG_E_BACKEND;
    }
    s = x->sched_orig.sched;
    x->sched_has_cap = s == LIBXL_SCHEDULER_CREDIT ||
                       s == LIBXL_SCHEDULER_CREDIT2;
    x->cap_now = x->sched_orig.cap;
    x->vcpus = x->info.vcpu_online ? x->info.vcpu_online : 1;
    x->sched_read = true;
    if (!x->sched_has_cap)
        XLMIG_WARN("scheduler %s has no cap: the throttle cannot act on %s",
                   libxl_scheduler_to_string(s), x->name);
    return 0;
}

static void uuid_text(const xlmig_xen_src *x, char buf[40])
{
    snprintf(buf, 40, LIBXL_UUID_FMT, LIBXL_UUID_BYTES(x->info.uuid));
}

/*
 * Before the first change: the guest's own cap goes to disk, so that a
 * migration dying while throttling leaves what recover needs. If it
 * cannot be written the guest is not throttled at all.
 */
static int save_cap(xlmig_xen_src *x)
{
    char uuid[40];

    uuid_text(x, uuid);
    if (xlmig_capfile_save(NULL, "xen", x->name, uuid, x->sched_orig.cap))
        x->cap_saved = true;
    else
        x->sched_has_cap = false;
    return 0;
}

/* Its own cap is back (or the guest is gone): forget the record. */
static void drop_cap(xlmig_xen_src *x)
{
    char uuid[40];

    if (!x->cap_saved)
        return;
    uuid_text(x, uuid);
    if (xlmig_capfile_drop(NULL, uuid))
        x->cap_saved = false;
}

int xlmig_xen_src_set_share(void *be, double share)
{
    xlmig_xen_src *x = be;
    libxl_domain_sched_params p;
    int rc, r, cap;

    libxl_domain_sched_params_init(&p);
    if (!x->sched_read) {
        /* Nothing applied yet: nothing to restore either. */
        if (!(share < 1.0))
            return 0;
        rc = read_sched(x);
        if (rc)
            goto out;
    }
    rc = 0;
    if (!x->sched_has_cap || x->destroyed) {
        if (x->destroyed)
            drop_cap(x);
        goto out;
    }
    cap = xlmig_xen_cap_for_share(share, x->vcpus, x->sched_orig.cap);
    /* Each time it leaves its own cap, the record is there first. */
    if (cap != x->sched_orig.cap && !x->cap_saved) {
        save_cap(x);
        if (!x->sched_has_cap)
            goto out;
    }
    if (cap == x->cap_now) {
        if (cap == x->sched_orig.cap)
            drop_cap(x);
        goto out;
    }
    p.sched = x->sched_orig.sched;
    p.cap = cap;
    r = libxl_domain_sched_params_set(x->h.ctx, x->domid, &p);
    if (r) {
        xlmig_err(XLMIG_E_BACKEND, "setting the scheduler cap of %s to %d%%"
                  " failed (libxl error %d)", x->name, cap, r);
        rc = XLMIG_E_BACKEND;
        goto out;
    }
    XLMIG_DBG("cap of %s: %d%% (share %.3f)", x->name, cap, share);
    x->cap_now = cap;
    if (cap == x->sched_orig.cap)
        drop_cap(x);
out:
    libxl_domain_sched_params_dispose(&p);
    return rc;
}
