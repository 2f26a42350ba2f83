/*
 * SDPS throttle: when the guest dirties memory faster than the link can
 * carry it, take just enough CPU away from the guest that its dirty rate
 * falls under the transmit rate. Small multiplicative steps, applied
 * often; the backend turns the share into a scheduler cap (Xen) or a
 * duty cycle of the workload thread (simulator).
 */
#ifndef XLMIG_THROTTLE_H
#define XLMIG_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Set the guest's CPU share, 0 < share <= 1 of what it normally gets.
 * share == 1.0 means: restore exactly the cap the guest had before.
 */
typedef int (*xlmig_throttle_apply_fn)(void *arg, double share);

typedef struct {
    double target_ratio;     /* aim dirty rate at this fraction of tx */
    double engage_ratio;     /* engage above this dirty/tx ratio */
    double min_share;        /* never below this share */
    double max_step_down;    /* share may shrink by at most this factor */
    double max_step_up;      /* and grow by at most this one */
    uint64_t min_interval_ns;/* between two adjustments */
} xlmig_throttle_params;

typedef struct xlmig_throttle {
    xlmig_throttle_params par;
    xlmig_throttle_apply_fn apply;
    void *apply_arg;
    double share;            /* currently applied share */
    double min_share_seen;
    bool engaged;            /* ever engaged during this migration */
    bool active;             /* a cap is applied right now */
    unsigned adjustments;
    uint64_t t_last;         /* last adjustment */
    uint64_t t_acct;         /* last time lost time was accounted */
    double lost_ns;          /* guest time taken away so far */
} xlmig_throttle;

void xlmig_throttle_params_init(xlmig_throttle_params *par);
void xlmig_throttle_init(xlmig_throttle *t, const xlmig_throttle_params *par,
                         xlmig_throttle_apply_fn apply, void *arg);
/* Releases the cap if still applied. Idempotent. */
void xlmig_throttle_dispose(xlmig_throttle *t, uint64_t now_ns);

/*
 * Feed one measurement: the guest's effective dirty rate and the link's
 * transmit rate, bytes/s. May change the share. Returns 0 or the apply
 * function's error.
 */
int xlmig_throttle_update(xlmig_throttle *t, double dirty_Bps, double tx_Bps,
                          uint64_t now_ns);
/*
 * The same, but may only cut the share: for samples taken within a
 * round, where a saturated working set makes the guest look calmer than
 * it is. Loosening waits for a whole round's measurement.
 */
int xlmig_throttle_tighten(xlmig_throttle *t, double dirty_Bps,
                           double tx_Bps, uint64_t now_ns);
/* Lift the cap, restoring the previous one exactly. Idempotent. */
int xlmig_throttle_release(xlmig_throttle *t, uint64_t now_ns);

/* Percentage currently taken from the guest (0 when not throttling). */
double xlmig_throttle_pct(const xlmig_throttle *t);
/* Guest CPU time lost up to now_ns, in ns of wall time. */
uint64_t xlmig_throttle_lost_ns(const xlmig_throttle *t, uint64_t now_ns);

#endif
