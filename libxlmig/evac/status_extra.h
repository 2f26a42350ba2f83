/*
 * What `status` shows beyond what a peer plans with: the live DRBD
 * state of each resource, the migrations in progress (the held locks
 * of the run directory, read without taking them: lock.h), the learned
 * switchover costs per destination (switchover_cost.h) and the last
 * results (history.h). Text and JSON; a peer's decoder ignores these
 * keys.
 */
#ifndef XLMIG_STATUS_EXTRA_H
#define XLMIG_STATUS_EXTRA_H

#include <stdio.h>

#include <yajl/yajl_gen.h>

#include "history.h"
#include "inventory.h"
#include "lock.h"

#define XLMIG_STX_MAX_LOCKS 64
#define XLMIG_STX_MAX_COSTS 64
#define XLMIG_STX_RECENT    5

typedef struct {
    char name[XLMIG_LOCK_NAME_LEN];     /* "host", "guest-<uuid>" */
    xlmig_lock_holder holder;
} xlmig_stx_lock;

typedef struct {
    char host[65];
    unsigned samples, used;
    uint64_t estimate_ns;               /* what the next move plans with */
    uint64_t last_downtime_ns;
} xlmig_stx_cost;

typedef struct xlmig_status_extra {
    unsigned nlocks, ncosts;
    xlmig_stx_lock locks[XLMIG_STX_MAX_LOCKS];
    xlmig_stx_cost costs[XLMIG_STX_MAX_COSTS];
    xlmig_hist hist;                    /* all kept; the last are shown */
    char hist_error[256];               /* why it could not be read */
} xlmig_status_extra;

void xlmig_status_extra_init(xlmig_status_extra *x);
void xlmig_status_extra_dispose(xlmig_status_extra *x);
/* Gather all; what cannot be read is left out (history: says why). */
void xlmig_status_extra_load(xlmig_status_extra *x, const char *state_dir,
                             const char *lock_dir);

/* JSON: "in_progress", "switchover_costs", "recent" keys of a map. */
void xlmig_status_extra_gen(yajl_gen g, const xlmig_status_extra *x);
/* JSON: a resource's "state" key (null when not known). */
void xlmig_status_res_gen(yajl_gen g, const xlmig_inv_drbd *d);
/* Text: " [Primary Connected UpToDate/UpToDate]" or "". */
void xlmig_status_res_print(FILE *f, const xlmig_inv_drbd *d);
void xlmig_status_extra_print(FILE *f, const xlmig_status_extra *x);

#endif
