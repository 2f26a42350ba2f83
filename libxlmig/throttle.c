#include "throttle.h"

#include <math.h>

#include "error.h"

void xlmig_throttle_params_init(xlmig_throttle_params *par)
{
    /*
     * Aiming at half the link rate makes each round at most half the
     * size of the previous one, so pre-copy converges geometrically.
     */
    par->target_ratio = 0.5;
    par->engage_ratio = 0.9;
    par->min_share = 0.02;
    par->max_step_down = 0.5;
    par->max_step_up = 1.5;
    par->min_interval_ns = 50 * 1000000ULL;
}

void xlmig_throttle_init(xlmig_throttle *t, const xlmig_throttle_params *par,
                         xlmig_throttle_apply_fn apply, void *arg)
{
    *t = (xlmig_throttle){ 0 };
    if (par)
        t->par = *par;
    else
        xlmig_throttle_params_init(&t->par);
    t->apply = apply;
    t->apply_arg = arg;
    t->share = 1.0;
    t->min_share_seen = 1.0;
}

static void account(xlmig_throttle *t, uint64_t now)
{
    if (t->active && now > t->t_acct)
        t->lost_ns += (double)(now - t->t_acct) * (1.0 - t->share);
    t->t_acct = now;
}

static int set_share(xlmig_throttle *t, double share, uint64_t now)
{
    int r = 0;

    account(t, now);
    if (t->apply)
        r = t->apply(t->apply_arg, share);
    if (r)
        return r;
    t->share = share;
    t->active = share < 1.0;
    if (share < t->min_share_seen)
        t->min_share_seen = share;
    t->t_last = now;
    t->adjustments++;
    return 0;
}

static int adjust(xlmig_throttle *t, double dirty_Bps, double tx_Bps,
                  uint64_t now_ns, bool may_loosen)
{
    double want, ratio;

    account(t, now_ns);
    if (!(tx_Bps > 0) || !(dirty_Bps >= 0) || !isfinite(dirty_Bps))
        return 0;
    if (t->t_last && now_ns - t->t_last < t->par.min_interval_ns)
        return 0;
    ratio = dirty_Bps / tx_Bps;
    if (!t->active && ratio <= t->par.engage_ratio)
        return 0;

    /*
     * Dirty rate is roughly proportional to the CPU the guest gets:
     * scale the share by how far we are from the target.
     */
    if (ratio > 0)
        want = t->share * t->par.target_ratio / ratio;
    else
        want = t->share * t->par.max_step_up;
    if (want < t->share * t->par.max_step_down)
        want = t->share * t->par.max_step_down;
    if (want > t->share * t->par.max_step_up)
        want = t->share * t->par.max_step_up;
    if (want < t->par.min_share)
        want = t->par.min_share;
    if (!may_loosen && want >= t->share)
        return 0;
    if (want >= 1.0) {
        /* No longer needed: give the guest its own cap back. */
        return t->active ? set_share(t, 1.0, now_ns) : 0;
    }
    if (fabs(want - t->share) < 0.005)
        return 0;
    XLMIG_DBG("throttle: %s: dirty %.2f MiB/s against %.2f MiB/s carried"
              " (ratio %.2f): share %.2f -> %.2f",
              may_loosen ? "round" : "mid-round", dirty_Bps / 1048576.0,
              tx_Bps / 1048576.0, ratio, t->share, want);
    t->engaged = true;
    return set_share(t, want, now_ns);
}

int xlmig_throttle_update(xlmig_throttle *t, double dirty_Bps, double tx_Bps,
                          uint64_t now_ns)
{
    return adjust(t, dirty_Bps, tx_Bps, now_ns, true);
}

int xlmig_throttle_tighten(xlmig_throttle *t, double dirty_Bps,
                           double tx_Bps, uint64_t now_ns)
{
    return adjust(t, dirty_Bps, tx_Bps, now_ns, false);
}

int xlmig_throttle_release(xlmig_throttle *t, uint64_t now_ns)
{
    if (!t->active)
        return 0;
    return set_share(t, 1.0, now_ns);
}

void xlmig_throttle_dispose(xlmig_throttle *t, uint64_t now_ns)
{
    xlmig_throttle_release(t, now_ns);
}

double xlmig_throttle_pct(const xlmig_throttle *t)
{
    return t->active ? (1.0 - t->share) * 100.0 : 0.0;
}

uint64_t xlmig_throttle_lost_ns(const xlmig_throttle *t, uint64_t now_ns)
{
    double lost = t->lost_ns;

    if (t->active && now_ns > t->t_acct)
        lost += (double)(now_ns - t->t_acct) * (1.0 - t->share);
    return (uint64_t)lost;
}
