/*
 * The switchover deadline: how long the guest may stay suspended before
 * the commit point. Past it the source rolls back (the guest runs on
 * here again) instead of waiting on a link or a destination that has
 * fallen behind; after "go" it bounds the wait for the answer.
 */
#ifndef XLMIG_DEADLINE_H
#define XLMIG_DEADLINE_H

#include <stdint.h>

#define XLMIG_DEADLINE_FACTOR 3     /* times the planned downtime */

typedef struct {
    uint64_t min_ns;                /* floor: a first, unmeasured host */
    uint64_t max_ns;                /* cap: the longest stop accepted */
} xlmig_deadline_params;

void xlmig_deadline_params_init(xlmig_deadline_params *p);

/*
 * FACTOR x the planned downtime (the policy's prediction at the stop,
 * which includes the switchover cost; UINT64_MAX or 0 when it had no
 * rate to predict with, then the target is used), never less than the
 * downtime target, then held within [min_ns, max_ns].
 */
uint64_t xlmig_deadline_ns(const xlmig_deadline_params *p,
                           uint64_t planned_ns, uint64_t target_ns);

#endif
