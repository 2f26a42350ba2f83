/*
 * Token bucket for the outgoing stream, and a byte meter that measures
 * what actually went out (the transmit rate the policy and progress see).
 */
#ifndef XLMIG_RATELIMIT_H
#define XLMIG_RATELIMIT_H

#include <stdatomic.h>
#include <stdint.h>

typedef struct {
    double rate_Bps;     /* 0 = unlimited */
    double burst;        /* bucket depth, bytes */
    double tokens;
    uint64_t t_last;
} xlmig_ratelimit;

void xlmig_ratelimit_init(xlmig_ratelimit *rl, double rate_Bps,
                          double burst);
/*
 * Take len bytes from the bucket at time now; returns how long the
 * caller must wait before sending them (0: send now). The debt is kept,
 * so waiting the returned time and sending keeps the long-run rate.
 */
uint64_t xlmig_ratelimit_take(xlmig_ratelimit *rl, uint64_t len,
                              uint64_t now_ns);

typedef struct {
    _Atomic uint64_t bytes;  /* total sent */
    uint64_t t_start;
    /* Windowed rate for display. */
    uint64_t w_bytes, w_t;
    double rate_Bps;
} xlmig_meter;

void xlmig_meter_init(xlmig_meter *m, uint64_t now_ns);
void xlmig_meter_add(xlmig_meter *m, uint64_t bytes);
uint64_t xlmig_meter_bytes(xlmig_meter *m);
/* Rate over the last window (>= 0.5 s), updated when called. */
double xlmig_meter_rate(xlmig_meter *m, uint64_t now_ns);

#endif
