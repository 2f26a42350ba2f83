#include "policies.h"

void bm_policy_params_init(bm_policy_params *p)
{
    p->xen_max_iters = 5;
    p->xen_min_dirty = 50;
    p->clark_min_Bps = 0;
    p->clark_max_Bps = 0;
    p->clark_step_Bps = 50e6 / 8;
    p->clark_stop_bytes = 256 * 1024;
    p->qemu_threshold = 0.50;
    p->qemu_initial = 0.20;
    p->qemu_increment = 0.10;
    p->qemu_max = 0.99;
    p->qemu_period_s = 1.0;
    p->xlmig_allow_long = false;
    p->xlmig_bound = XLMIG_DOWNTIME_TARGET;
    p->xlmig_learned_s = 0;
}
