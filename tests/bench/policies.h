/*
 * The policies the bench compares. xlmig is libxlmig's own policy and
 * throttle; the others are models of what other tools ship, written
 * from their published descriptions (docs/bench.md gives the sources).
 */
#ifndef XLMIG_BENCH_POLICIES_H
#define XLMIG_BENCH_POLICIES_H

#include "model.h"

typedef struct {
    unsigned xen_max_iters;       /* SPP_MAX_ITERATIONS, 5 */
    long xen_min_dirty;           /* SPP_TARGET_DIRTY_COUNT, 50 */
    double clark_min_Bps;         /* 0: a tenth of the link */
    double clark_max_Bps;         /* 0: half the link */
    double clark_step_Bps;        /* 50 Mbit/s */
    double clark_stop_bytes;      /* 256 KiB */
    double qemu_threshold;        /* 0.5: dirtied > 50% of transferred */
    double qemu_initial;          /* 0.20 */
    double qemu_increment;        /* 0.10 */
    double qemu_max;              /* 0.99 */
    double qemu_period_s;         /* 1 s between throttle checks */
    bool xlmig_allow_long;        /* --allow-long-downtime */
    xlmig_downtime_kind xlmig_bound; /* --max-downtime-ms: a bound */
    double xlmig_learned_s;       /* switchover learned before; 0 none */
} bm_policy_params;

/* Read by the policies' init; set before bm_run. */
extern bm_policy_params bm_pol;

void bm_policy_params_init(bm_policy_params *p);

extern const bm_policy_ops bm_xen_default;
extern const bm_policy_ops bm_clark05;
extern const bm_policy_ops bm_qemu_ac;
extern const bm_policy_ops bm_xlmig;

#endif
