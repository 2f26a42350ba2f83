/*
 * Clark et al., "Live Migration of Virtual Machines", NSDI 2005, dynamic
 * rate limiting: the first round goes at the minimum rate, each later
 * one at the previous round's dirty rate + 50 Mbit/s; pre-copy stops
 * when that rate would exceed the maximum or when under 256 KiB remain,
 * and the last round goes at the maximum. The xc_domain_save of that
 * era also stopped after 30 rounds or 3x memory sent.
 *
 * Clark stops with the dirty set in hand, so the decision is made at
 * call B from a log-dirty PEEK: STOP there suspends at once.
 */
#include "policies.h"

#define OLD_XEN_MAX_ITERS 29
#define OLD_XEN_MAX_FACTOR 3

typedef struct {
    double min_Bps, max_Bps;
    uint64_t t_a;
} clark;

static void init(void *priv, bm_model *m)
{
    clark *c = priv;
    double link = bm_link_rate(m->sc);

    c->min_Bps = bm_pol.clark_min_Bps > 0 ? bm_pol.clark_min_Bps
                                          : link / 10;
    c->max_Bps = bm_pol.clark_max_Bps > 0 ? bm_pol.clark_max_Bps : link / 2;
    m->rate_limit_Bps = c->min_Bps;
}

static int decide(void *priv, bm_model *m, const xlmig_precopy_stats *st)
{
    clark *c = priv;
    double secs, dirty_Bps, limit, left;
    uint64_t pages = m->sc->mem_bytes / m->sc->page_size;

    if (st->dirty_count >= 0) {
        c->t_a = m->now_ns;
        return XLMIG_POLICY_CONTINUE;
    }
    left = (double)bm_peek(m) * m->sc->page_size;
    if (left < bm_pol.clark_stop_bytes) {
        bm_stop_reason(m, "under 256 KiB dirty", true);
        return XLMIG_POLICY_STOP_AND_COPY;
    }
    secs = (double)(m->now_ns - c->t_a) / 1e9;
    dirty_Bps = secs > 0 ? left / secs : 0;
    limit = dirty_Bps + bm_pol.clark_step_Bps;
    if (limit > c->max_Bps) {
        bm_stop_reason(m, "dirty rate above max rate", false);
        return XLMIG_POLICY_STOP_AND_COPY;
    }
    if (st->iteration > OLD_XEN_MAX_ITERS ||
        st->total_written > OLD_XEN_MAX_FACTOR * pages) {
        bm_stop_reason(m, "round or volume limit", false);
        return XLMIG_POLICY_STOP_AND_COPY;
    }
    m->rate_limit_Bps = limit < c->min_Bps ? c->min_Bps : limit;
    return XLMIG_POLICY_CONTINUE;
}

static void suspended(void *priv, bm_model *m)
{
    clark *c = priv;

    m->rate_limit_Bps = c->max_Bps;
}

const bm_policy_ops bm_clark05 = {
    .name = "clark05",
    .priv_size = sizeof(clark),
    .init = init,
    .decide = decide,
    .suspended = suspended,
};
