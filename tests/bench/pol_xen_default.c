/*
 * libxenguest's simple_precopy_policy() (xg_sr_save.c, Xen 4.6 to
 * today): stop when fewer than 50 pages are dirty or after 5 rounds. No
 * rate limit, no throttle, no idea of time.
 */
#include "policies.h"

static void init(void *priv, bm_model *m)
{
    (void)priv;
    (void)m;
}

static int decide(void *priv, bm_model *m, const xlmig_precopy_stats *st)
{
    (void)priv;
    if (st->dirty_count >= 0 && st->dirty_count < bm_pol.xen_min_dirty) {
        bm_stop_reason(m, "fewer than 50 dirty pages", true);
        return XLMIG_POLICY_STOP_AND_COPY;
    }
    if (st->iteration >= bm_pol.xen_max_iters) {
        bm_stop_reason(m, "iteration limit", false);
        return XLMIG_POLICY_STOP_AND_COPY;
    }
    return XLMIG_POLICY_CONTINUE;
}

const bm_policy_ops bm_xen_default = {
    .name = "xen-default",
    .init = init,
    .decide = decide,
};
