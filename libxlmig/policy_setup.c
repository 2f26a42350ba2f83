/* The policy's parameters for one migration: see policy_setup.h. */
#include "policy_setup.h"

void xlmig_policy_params_build(xlmig_policy_params *par,
                               const xlmig_policy_params *asked,
                               const xlmig_policy_env *env)
{
    *par = *asked;
    /*
     * After the suspend, besides the last round and the backend's own
     * suspend/restore: one flight, half a round trip to the guest
     * running there; two steps, memory-end -> ready, go -> done.
     */
    par->switchover_ns = (env->one_flight ? env->rtt_ns / 2
                                          : 2 * env->rtt_ns) +
                         env->backend_ns;
    /* A host never moved to yet: what its restores cost it lately. */
    if (!env->learned_ns)
        par->switchover_ns += env->dst_restore_ns;
    /* What this host pair really took beats any constant. */
    if (env->learned_ns > par->switchover_ns)
        par->switchover_ns = env->learned_ns;
    par->page_size = env->page_size;
    if (env->bandwidth_Bps > 0)
        par->link_Bps = env->bandwidth_Bps;
}
