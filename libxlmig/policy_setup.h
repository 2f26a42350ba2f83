/*
 * The pre-copy policy's parameters for one migration, built in one
 * place from what the operator asked for, what the link measured and
 * what earlier switchovers to the same host cost. The source's prepare
 * phase and the bench model both call it, so the bench measures the
 * policy the tool runs.
 */
#ifndef XLMIG_POLICY_SETUP_H
#define XLMIG_POLICY_SETUP_H

#include <stdbool.h>
#include <stdint.h>

#include "policy.h"

/* What a run knows once the destination answered, before any page. */
typedef struct {
    uint64_t rtt_ns;            /* best of the handshake's round trips */
    uint64_t backend_ns;        /* the backend's own suspend + resume */
    uint64_t learned_ns;        /* worst recent switchover to this host
                                   (switchover_cost.h); 0: none known */
    uint64_t dst_restore_ns;    /* the destination's own recent restore
                                   cost (restore_cost.h), used only while
                                   nothing was learned; 0: unknown */
    uint32_t page_size;         /* the guest's */
    double bandwidth_Bps;       /* --bandwidth; 0: measured as it goes */
    bool one_flight;            /* the switchover: one flight, or the
                                   two steps (ready, go) */
} xlmig_policy_env;

/*
 * *par = *asked (target, its kind, timeout, allow_long_downtime), plus
 * the switchover estimate: the backend's own cost and the link's share
 * of the guest's downtime -- half a round trip in one flight (the last
 * pages, memory-end and go on their way; "done" comes back after the
 * guest runs), two round trips in two steps (memory-end -> ready, go ->
 * done, as the source measures it) -- or what this host pair really
 * took when that was more; the page size; the link limit.
 */
void xlmig_policy_params_build(xlmig_policy_params *par,
                               const xlmig_policy_params *asked,
                               const xlmig_policy_env *env);

#endif
