/*
 * A deterministic migration model: virtual clock, a link with bandwidth
 * and RTT, a guest that dirties a hot set and the rest of its memory at
 * a rate scaled by its CPU share, and libxenguest's pre-copy loop around
 * it (xg_sr_save.c: policy call A before each round with its dirty
 * count, call B after it with -1, log-dirty read-and-clear in between).
 * That loop is libxlmig's own pre-copy driver (precopy.h), the one the
 * simulator runs: libxlmig's policy gets its ticks and its mid-round
 * budget check from it exactly as in the tool. Policies plug in through
 * bm_policy_ops and see that call pattern, on virtual time.
 */
#ifndef XLMIG_BENCH_MODEL_H
#define XLMIG_BENCH_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "precopy.h"

typedef struct {
    const char *name;
    double bw_Bps;              /* link bandwidth */
    double rtt_s;
    double window_bytes;        /* TCP window; 0 = never the limit */
} bm_link;

typedef struct {
    const char *name;
    double rate_Bps;            /* page writes x page size, full CPU */
    double hot_bytes;           /* hot working set, at the start */
    double hot_fraction;        /* share of writes into the hot set */
} bm_workload;

typedef struct {
    uint64_t mem_bytes;
    uint32_t page_size;
    bm_link link;
    bm_workload wl;
    double switch_fixed_s;      /* suspend + device state + restore */
    double switch_rtts;         /* round trips inside the downtime: 0.5,
                                   the one flight (1.5: two steps) */
    double ack_rtts;            /* after the guest runs, until the source
                                   hears "done": not downtime */
    bool two_step;              /* the source waits for "ready" */
    double wire_overhead;       /* stream bytes per page beyond the page */
    double max_downtime_s;      /* target for policies that take one */
    double horizon_s;           /* give up (forced stop) after this */
    double tick_s;              /* mid-round policy samples */
} bm_scenario;

void bm_scenario_init(bm_scenario *sc);

typedef struct bm_model bm_model;

/*
 * A policy under test. priv_size bytes of zeroed state are handed in.
 * Either decide (a model of another tool's policy, asked at calls A
 * and B) or policy (libxlmig's, which the driver calls and ticks).
 */
typedef struct {
    const char *name;
    size_t priv_size;
    void (*init)(void *priv, bm_model *m);
    int (*decide)(void *priv, bm_model *m, const xlmig_precopy_stats *st);
    xlmig_policy *(*policy)(void *priv);
    void (*stopped)(void *priv, bm_model *m);       /* optional: why */
    void (*suspended)(void *priv, bm_model *m);     /* optional */
    void (*dispose)(void *priv, bm_model *m);       /* optional */
} bm_policy_ops;

typedef struct {
    bool migrated;              /* false: aborted, guest stayed */
    bool converged;             /* stopped on its own "small enough" rule */
    char why[64];               /* the policy's stop reason */
    unsigned rounds;            /* live rounds sent */
    uint64_t final_pages;
    double precopy_s;
    double downtime_s;          /* suspend -> running at the destination */
    double total_s;             /* start -> running at the destination */
    double known_s;             /* start -> the source heard "done" */
    double bytes_sent;
    double lost_s;              /* guest CPU time lost, downtime included */
    double min_share;           /* deepest throttle (1 = never) */
} bm_result;

struct bm_model {
    const bm_scenario *sc;
    const bm_policy_ops *pol;
    void *priv;
    xlmig_precopy_ops ops;
    xlmig_precopy pc;           /* the loop, ticks and all */
    uint64_t now_ns;            /* virtual clock; never 0 (0 = "unset") */
    uint64_t t0_ns;
    double share;               /* guest CPU share, set by the policy */
    double rate_limit_Bps;      /* stream limit, set by the policy; 0 none */
    double d_hot, d_rest;       /* distinct pages dirtied since the clean */
    uint64_t round_pages;       /* pages the current round sends */
    double round_sent;          /* pages of it sent so far */
    bool suspended;
    bm_result res;
};

/* Run one migration of sc under policy. Deterministic. */
void bm_run(const bm_scenario *sc, const bm_policy_ops *policy,
            bm_result *res);

/* For policies: log-dirty PEEK (pages dirtied since the last clean). */
uint64_t bm_peek(const bm_model *m);
/* Rate the stream runs at now: link, window and the policy's limit. */
double bm_send_rate(const bm_model *m);
double bm_link_rate(const bm_scenario *sc);
/* Record why the policy stopped, and whether that counts as converged. */
void bm_stop_reason(bm_model *m, const char *why, bool converged);

#endif
