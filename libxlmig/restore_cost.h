/*
 * A receiving host's own restore cost: from the memory stream's end to
 * the guest running here (libxl's restore of the devices, the hotplug
 * scripts, the device model, rename and unpause). Each committed
 * receive records it, in the switchover history's directory under the
 * key "_restore" (no host name has an underscore); the prepare reply
 * carries the worst recent one, so a source that has never moved a
 * guest here plans with it instead of two round trips.
 */
#ifndef XLMIG_RESTORE_COST_H
#define XLMIG_RESTORE_COST_H

#include <stdint.h>

#define XLMIG_RESTORE_COST_KEY "_restore"
/* A prior above this is junk (a clock step), never planned with. */
#define XLMIG_RESTORE_COST_MAX_NS (600ULL * 1000000000ULL)

/* Worst of the recent receives' costs in dir; 0 with none or no dir. */
uint64_t xlmig_restore_cost_estimate(const char *dir);
/* Record one receive's cost (a failure is a warning, nothing more). */
void xlmig_restore_cost_learn(const char *dir, uint64_t cost_ns);

#endif
