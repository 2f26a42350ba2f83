/*
 * Pre-copy policy: after each pre-copy round, continue, stop and copy, or
 * abort. Its entry point takes exactly what libxenguest's precopy_policy
 * callback receives, so the simulator, the benchmark model and
 * xc_domain_save all drive the same object. Rates are measured here from
 * the stats and a clock (the clock is a parameter so that the benchmark
 * model can run on virtual time).
 *
 * libxenguest consults the policy twice per round: before it ("call A",
 * dirty_count = pages the round will send) and after it ("call B",
 * dirty_count = -1). STOP_AND_COPY at call A still sends that round live,
 * then suspends and sends what the round dirtied.
 */
#ifndef XLMIG_POLICY_H
#define XLMIG_POLICY_H

/* A round shorter than this is too few pages to judge the guest by. */
#define XLMIG_ROUND_MIN_S 0.2
/*
 * The codec's raw/wire gain the link limit is scaled by: measured over
 * a round of at least XLMIG_WIRE_GAIN_MIN_RAW raw bytes, held to at
 * most XLMIG_WIRE_GAIN_MAX (zero pages and the simulator's pages
 * shrink 50x; the last round's dirty pages may not).
 */
#define XLMIG_WIRE_GAIN_MAX 8.0
#define XLMIG_WIRE_GAIN_MIN_RAW (4.0 * 1024 * 1024)
/*
 * Converged with the dirty set still shrinking: one more live round
 * (at most polish_rounds) while the last one left no more than
 * XLMIG_POLISH_SHRINK of the pages before it, and the pages are over
 * XLMIG_POLISH_MIN_PAGES (libxenguest's own stop threshold) and would
 * take XLMIG_POLISH_MIN_NS or more. A round costs pre-copy time, not
 * downtime.
 */
#define XLMIG_POLISH_ROUNDS 3
#define XLMIG_POLISH_SHRINK 0.75
#define XLMIG_POLISH_MIN_PAGES 50
#define XLMIG_POLISH_MIN_NS 2000000ULL

#include <stdbool.h>
#include <stdint.h>

#include "defaults.h"
#include "throttle.h"

/* Same layout and meaning as libxenguest's struct precopy_stats. */
typedef struct {
    unsigned int iteration;
    unsigned long total_written; /* pages */
    long dirty_count;            /* pages; -1 when unknown */
} xlmig_precopy_stats;

/* Same values as XGS_POLICY_*. */
enum {
    XLMIG_POLICY_ABORT = -1,
    XLMIG_POLICY_CONTINUE = 0,
    XLMIG_POLICY_STOP_AND_COPY = 1,
};

/*
 * Was the downtime target asked for? The one place this is decided:
 * the command line and xlmig.conf set it, the policy and the learned
 * switchover costs (switchover_cost.h) act on it.
 */
typedef enum {
    /*
     * The default: a target. If the switchover alone exceeds it, the
     * pages' part of the downtime is held to it; never an abort.
     */
    XLMIG_DOWNTIME_TARGET = 0,
    /*
     * Asked for (--max-downtime, xlmig.conf): a bound. A switchover
     * known to exceed it is refused, not migrated, unless long
     * downtime is allowed.
     */
    XLMIG_DOWNTIME_BOUND,
} xlmig_downtime_kind;

typedef struct {
    uint64_t max_downtime_ns;   /* XLMIG_DOWNTIME_DEFAULT_MS */
    xlmig_downtime_kind bound;  /* a default target, or asked for */
    uint64_t timeout_ns;        /* pre-copy budget; default 600 s */
    bool allow_long_downtime;   /* at timeout: stop anyway, not abort */
    uint32_t page_size;         /* default 4096 */
    uint64_t switchover_ns;     /* measured fixed switchover cost */
    double link_Bps;            /* known link limit, 0 if unknown */
    unsigned max_iterations;    /* safety bound; default 200 */
    unsigned polish_rounds;     /* XLMIG_POLISH_ROUNDS; 0: stop at once */
} xlmig_policy_params;

/*
 * Must a downtime over max_downtime_ns be refused? Only a bound asked
 * for, and only without --allow-long-downtime.
 */
static inline bool xlmig_downtime_hard(const xlmig_policy_params *par)
{
    return par->bound == XLMIG_DOWNTIME_BOUND && !par->allow_long_downtime;
}

enum xlmig_policy_reason {
    XLMIG_WHY_NONE = 0,
    XLMIG_WHY_CONVERGED,        /* predicted downtime within target */
    XLMIG_WHY_TIMEOUT_LONG,     /* timeout, long downtime allowed */
    XLMIG_WHY_TIMEOUT_ABORT,    /* timeout, target unmeetable: abort */
    XLMIG_WHY_ITERATIONS,       /* iteration bound hit */
    XLMIG_WHY_CANCELLED,        /* operator or peer cancelled */
    XLMIG_WHY_BELOW_FLOOR,      /* switchover alone over target: abort */
    XLMIG_WHY_FLOOR_LONG,       /* the same, long downtime allowed */
    XLMIG_WHY_FLOOR_SOFT,       /* the same, target only a default */
    XLMIG_WHY_TIMEOUT_ROUND,    /* budget spent inside a round: abort */
};

typedef struct xlmig_policy {
    xlmig_policy_params par;
    xlmig_throttle *throttle;   /* optional, not owned */

    volatile int cancel;        /* set from signal handlers / threads */
    volatile int *cancel_ext;   /* optional shared cancel flag */
    bool overdue;               /* budget spent mid-round: abort */

    uint64_t t_start;           /* first call */
    uint64_t t_a;               /* last call A (just after log-dirty clean) */
    uint64_t t_prev_a;          /* the one before: the round's start */
    uint64_t t_b;               /* last call B */
    long d_a;                   /* pages the current round sends */
    long d_prev;                /* and the round before it */
    unsigned polished;          /* rounds run past convergence */
    bool no_polish;             /* a polished round grew: stop next time */
    unsigned rounds;            /* completed rounds */
    uint64_t tick_t;            /* last mid-round sample */
    unsigned long tick_dirty, tick_sent;

    double tx_Bps;              /* measured transmit rate */
    uint64_t wire_raw, wire_out;     /* the codec's totals, as told */
    uint64_t wire_raw_a, wire_out_a; /* and at the last call A */
    double wire_gain;           /* raw per wire byte, last round; 0:
                                   not measured (xlmig_policy_wire) */
    double dirty_Bps;           /* effective dirty rate */
    double ratio;               /* dirty_Bps / tx_Bps, last round */
    uint64_t predicted_ns;      /* downtime if we stopped now */

    int decision;
    enum xlmig_policy_reason why;
} xlmig_policy;

void xlmig_policy_params_init(xlmig_policy_params *par);
void xlmig_policy_init(xlmig_policy *p, const xlmig_policy_params *par,
                       xlmig_throttle *throttle);
void xlmig_policy_dispose(xlmig_policy *p);

/* The precopy_policy callback, given the time of the call. */
int xlmig_policy_decide(xlmig_policy *p, const xlmig_precopy_stats *st,
                        uint64_t now_ns);

/*
 * Optional mid-round sample, for long rounds: pages dirtied since the
 * round's log-dirty clean (a PEEK), pages sent so far this round. Lets
 * the throttle react within a round instead of once per round.
 */
void xlmig_policy_tick(xlmig_policy *p, unsigned long dirty_since_clean,
                       unsigned long sent_this_round, uint64_t now_ns);

/*
 * Mid-round: has the pre-copy budget run out? Without
 * allow_long_downtime that is an abort, and the backend stops the
 * round instead of finishing it first (a first round of a big guest
 * can take many times the budget); every later decision aborts too.
 */
bool xlmig_policy_overdue(xlmig_policy *p, uint64_t now_ns);

/*
 * The memory records' bytes so far, before and after the codec (its
 * stats' raw_bytes and wire_bytes), from the thread that sends them:
 * with compression pages move faster than the link's --bandwidth, and
 * the link limit is scaled by the gain measured over each round.
 */
void xlmig_policy_wire(xlmig_policy *p, uint64_t raw_bytes,
                       uint64_t wire_bytes);

/* Ask the next decision to abort; safe from a signal handler. */
void xlmig_policy_cancel(xlmig_policy *p);

const char *xlmig_policy_reason_str(enum xlmig_policy_reason why);
/* The transmit rate the policy plans with (measured, capped by link). */
double xlmig_policy_tx_Bps(const xlmig_policy *p);

#endif
