/*
 * xlmig: libxlmig's own policy and SDPS throttle, set up by the very
 * function the source's prepare phase calls (policy_setup.h): the
 * switchover estimate is two round trips plus the backend's fixed cost
 * (or a learned one, --learned-switchover-ms), the link rate is
 * measured (no --bandwidth), and the target is a default, not a bound,
 * unless --max-downtime-ms asks for one (as the tool's --max-downtime).
 * The model drives it through libxlmig's pre-copy driver, ticks and
 * mid-round budget included. The throttle's share becomes the guest's
 * CPU share; the cap is lifted at suspend, as on_suspending() does.
 */
#include "policies.h"

#include <math.h>

#include "policy_setup.h"
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

static uint64_t ns(double s)
{
    return (uint64_t)llround(s * 1e9);
}

static void init(void *priv, bm_model *m)
{
    xlmig_pt *x = priv;
    xlmig_policy_params asked, pp;
    xlmig_policy_env env = {
        .rtt_ns = ns(m->sc->link.rtt_s),
        .backend_ns = ns(m->sc->switch_fixed_s),
        .learned_ns = ns(bm_pol.xlmig_learned_s),
        .page_size = m->sc->page_size,
        .bandwidth_Bps = 0,
        .one_flight = !m->sc->two_step,
    };

    xlmig_policy_params_init(&asked);
    asked.max_downtime_ns = ns(m->sc->max_downtime_s);
    asked.bound = bm_pol.xlmig_bound;
    asked.allow_long_downtime = bm_pol.xlmig_allow_long;
    xlmig_policy_params_build(&pp, &asked, &env);
    xlmig_throttle_init(&x->thr, NULL, apply, m);
    xlmig_policy_init(&x->pol, &pp, &x->thr);
}

static xlmig_policy *policy(void *priv)
{
    return &((xlmig_pt *)priv)->pol;
}

/* The pre-copy ended: the policy's reason, unless the bench stopped it. */
static void stopped(void *priv, bm_model *m)
{
    xlmig_pt *x = priv;

    if (x->pol.why == XLMIG_WHY_NONE)
        return;
    bm_stop_reason(m, xlmig_policy_reason_str(x->pol.why),
                   x->pol.why == XLMIG_WHY_CONVERGED ||
                   x->pol.why == XLMIG_WHY_FLOOR_LONG ||
                   x->pol.why == XLMIG_WHY_FLOOR_SOFT);
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
    .policy = policy,
    .stopped = stopped,
    .suspended = suspended,
    .dispose = dispose,
};
