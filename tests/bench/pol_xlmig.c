/*
 * xlmig: libxlmig's own policy and SDPS throttle, set up as the source's
 * prepare phase does (migrate_src.c): the switchover estimate is two
 * round trips plus the backend's fixed cost, the link rate is measured
 * (no --bandwidth), and the throttle's share becomes the guest's CPU
 * share. The cap is lifted at suspend, as on_suspended() does.
 */
#include "policies.h"

#include <math.h>

#include "throttle.h"

typedef struct {
    xlmig_policy pol;
    xlmig_throttle thr;
} xlmig_pt;

static int apply(void *arg, double share)
{
    bm_model *m = arg;

    m->share = share;
    return 0;
}

static void init(void *priv, bm_model *m)
{
    xlmig_pt *x = priv;
    xlmig_policy_params pp;

    xlmig_policy_params_init(&pp);
    pp.max_downtime_ns = (uint64_t)llround(m->sc->max_downtime_s * 1e9);
    pp.switchover_ns = (uint64_t)llround((2 * m->sc->link.rtt_s +
                                          m->sc->switch_fixed_s) * 1e9);
    pp.page_size = m->sc->page_size;
    pp.allow_long_downtime = bm_pol.xlmig_allow_long;
    xlmig_throttle_init(&x->thr, NULL, apply, m);
    xlmig_policy_init(&x->pol, &pp, &x->thr);
}

static int decide(void *priv, bm_model *m, const xlmig_precopy_stats *st)
{
    xlmig_pt *x = priv;
    int d = xlmig_policy_decide(&x->pol, st, m->now_ns);

    if (d != XLMIG_POLICY_CONTINUE)
        bm_stop_reason(m, xlmig_policy_reason_str(x->pol.why),
                       x->pol.why == XLMIG_WHY_CONVERGED ||
                       x->pol.why == XLMIG_WHY_FLOOR_LONG ||
                       x->pol.why == XLMIG_WHY_FLOOR_SOFT);
    return d;
}

static void tick(void *priv, bm_model *m)
{
    xlmig_pt *x = priv;

    xlmig_policy_tick(&x->pol, (unsigned long)bm_peek(m),
                      (unsigned long)m->round_sent, m->now_ns);
}

static void suspended(void *priv, bm_model *m)
{
    xlmig_pt *x = priv;

    xlmig_throttle_release(&x->thr, m->now_ns);
}

static void dispose(void *priv, bm_model *m)
{
    xlmig_pt *x = priv;

    xlmig_throttle_dispose(&x->thr, m->now_ns);
    xlmig_policy_dispose(&x->pol);
}

const bm_policy_ops bm_xlmig = {
    .name = "xlmig",
    .priv_size = sizeof(xlmig_pt),
    .init = init,
    .decide = decide,
    .tick = tick,
    .suspended = suspended,
    .dispose = dispose,
};
