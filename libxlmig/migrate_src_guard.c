/*
 * The source's pre-check guards and bookkeeping around the phases: the
 * guest's lock, the DRBD peer check, the learned switchover costs and
 * the guest's xl config that follows it (migrate_src_run.h).
 */
#include "migrate_src_run.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "downtime_surprise.h"
#include "restore_cost.h"
#include "switchover_cost.h"

/* The guest's xl config file and autostart entry go with it. */
void xlmig_src_carry_check(src_run *r)
{
    const xlmig_autostart_dirs *d = r->o->xen_dirs;
    char detail[512];

    if (!d)
        return;
    if (xlmig_placement_find(d, r->di.name, &r->placement)) {
        /* Not a reason to keep the guest here: its files stay. */
        XLMIG_WARN("the guest's config stays on this host: %s",
                   xlmig_errmsg());
        xlmig_err_clear();
        xlmig_placement_dispose(&r->placement);
        return;
    }
    xlmig_placement_describe(&r->placement, d, detail, sizeof(detail));
    xlmig_checks_add(r->checks, "source", "config", true, "%s", detail);
}

/* After the commit: the autostart entry now lives over there. */
void xlmig_src_carry_release(src_run *r)
{
    if (!r->o->xen_dirs || xlmig_placement_empty(&r->placement))
        return;
    if (!r->placed) {
        XLMIG_WARN("the guest's config and autostart entry stay on this"
                   " host: %s", r->placed_why);
        return;
    }
    if (xlmig_autostart_release(r->o->xen_dirs, &r->placement)) {
        XLMIG_WARN("%s", xlmig_errmsg());
        xlmig_err_clear();
    }
}

/*
 * Costs are kept under the DRBD peer's name, however the operator
 * reached it (name, address, user@host): one host, one history. With
 * no DRBD peer to go by, under the host as the operator named it.
 */
static const char *swcost_key(const src_run *r)
{
    if (r->drbd_peer[0])
        return r->drbd_peer;
    return r->o->dest_host ? r->o->dest_host : "?";
}

/* Is the host that answered a DRBD peer of all the guest's resources? */
int xlmig_src_peer_check(src_run *r)
{
    const xlmig_hooks *h = r->o->hooks;
    const xlmig_dest *d = r->o->dest;
    xlmig_inv_res *res;
    const char *match;
    xlmig_dest given;
    unsigned n = 0;
    int rc = 0;

    if (!d) {
        memset(&given, 0, sizeof(given));
        given.given = given.address = r->o->dest_host ? r->o->dest_host
                                                      : "?";
        d = &given;
    }
    res = calloc(XLMIG_INV_MAX_RES, sizeof(*res));
    if (!res)
        return XLMIG_E_NOMEM;
    if (h && h->src_peers)
        rc = h->src_peers(h->arg, &r->di, res, XLMIG_INV_MAX_RES, &n);
    if (!rc) {
        match = xlmig_peer_check(r->checks, d, r->said, res, n);
        snprintf(r->drbd_peer, sizeof(r->drbd_peer), "%s",
                 match ? match : d->peer ? d->peer : "");
    }
    free(res);
    return rc;
}

/* What earlier switchovers to this host cost (switchover_cost.h). */
void xlmig_src_learned_check(src_run *r)
{
    r->learned_ns = xlmig_swcost_precheck(r->o->swcost_dir, swcost_key(r),
                                          &r->o->policy, r->checks,
                                          &r->learned_n);
}

/*
 * The destination's word on its own restores: a prior for a host never
 * moved to (two round trips alone said 225 ms where 9 s were paid).
 */
void xlmig_src_restore_prior(src_run *r, uint64_t restore_ns)
{
    if (!restore_ns || restore_ns > XLMIG_RESTORE_COST_MAX_NS)
        return;
    r->dst_restore_ns = restore_ns;
    if (!r->learned_n)
        xlmig_checks_add(r->checks, "source", "restore-cost", true,
                         "%s restores a guest in up to %.0f ms (its own"
                         " recent receives): planned with that",
                         xlmig_src_peer_name(r), (double)restore_ns / 1e6);
}

/* After a commit: what this one cost, remembered for the next. */
void xlmig_src_learn(src_run *r)
{
    xlmig_swcost_learn(r->o->swcost_dir, swcost_key(r), &r->pol.par,
                       r->rep->final_pages * r->di.page_size,
                       xlmig_policy_tx_Bps(&r->pol), r->rep);
    /* Over a hard bound was said already, louder. */
    if (!r->rep->over_bound)
        xlmig_downtime_surprise_check(r->rep, xlmig_src_peer_name(r));
}

/*
 * Nothing else moves this guest while we do (lock.h): taken before
 * anything is looked at or touched; a dry run only looks.
 */
int xlmig_src_lock_guest(src_run *r)
{
    char name[XLMIG_LOCK_NAME_LEN], what[200], who[128];
    xlmig_lock_holder h;
    int rc;

    if (!r->o->lock_dir)
        return 0;
    snprintf(what, sizeof(what), "guest %s (uuid %s)", r->di.name,
             r->di.uuid ? r->di.uuid : "?");
    rc = xlmig_lock_guest_name(r->di.uuid, name, sizeof(name));
    if (rc)
        return rc;
    if (r->o->dry_run) {
        rc = xlmig_lock_probe(r->o->lock_dir, name, &h);
        if (rc < 0)
            return rc;
        xlmig_lock_holder_str(&h, who, sizeof(who));
        xlmig_checks_add(r->checks, "source", "guest-lock", !rc, rc ?
                         "%s is locked by %s; try again when it ends" :
                         "%s is not locked", what, who);
        return 0;
    }
    rc = xlmig_lock_take(&r->lock, r->o->lock_dir, name, "migrate", what,
                         NULL);
    if (rc == XLMIG_E_CHECK) {
        xlmig_checks_add(r->checks, "source", "guest-lock", false, "%s",
                         xlmig_errmsg());
        r->rep->outcome = XLMIG_OUT_REFUSED;
        return rc;
    }
    if (!rc)
        xlmig_checks_add(r->checks, "source", "guest-lock", true,
                         "%s locked for this migration", what);
    return rc;
}
