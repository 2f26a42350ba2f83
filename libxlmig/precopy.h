/*
 * The pre-copy driver: the policy's calling protocol, in one place for
 * the simulator, the Xen backend and the bench model. It is the shape
 * of libxenguest's send_memory_live() (Xen 4.17, xg_sr_save.c):
 *
 *     call A   the policy, with the pages the next round sends
 *     round    sent live (unless ABORT); a tick every XLMIG_TICK_NS
 *              gives the policy a PEEK of the dirty log and the pages
 *              sent so far, so the throttle acts within long rounds,
 *              and aborts once the budget is spent mid-round
 *     call B   the policy, with dirty_count -1, once the round is out
 *     CLEAN    the dirty log, read and cleared: the next round
 *
 * STOP_AND_COPY at call A still sends that round live; at call B it
 * stops at once. Then the backend suspends the guest and sends the
 * rest, with ticks off from xlmig_precopy_suspending() on.
 *
 * The simulator and the bench model run the loop here
 * (xlmig_precopy_run). Under Xen, libxenguest runs it: its
 * precopy_policy callback calls xlmig_precopy_decide and the save's
 * pump calls xlmig_precopy_tick, both under the save's lock.
 */
#ifndef XLMIG_PRECOPY_H
#define XLMIG_PRECOPY_H

#include <stdbool.h>
#include <stdint.h>

#include "policy.h"

typedef struct {
    uint64_t (*now)(void *arg);         /* the clock (the bench's is
                                           virtual); NULL: the real one */
    /* Pages dirtied since the last CLEAN, not clearing; < 0: unknown. */
    long (*peek)(void *arg);
    /* Below: for xlmig_precopy_run only. */
    /* One live round of n pages; calls xlmig_precopy_sent as it goes. */
    int (*send_round)(void *arg, unsigned long n);
    /* CLEAN: read and clear the dirty log; the next round's pages. */
    unsigned long (*clean)(void *arg);
    /* Optional, after each tick (a fault point); non-zero ends it. */
    int (*tick)(void *arg);
    /*
     * Optional, after call B went on, before the CLEAN (a fault point):
     * an error ends the pre-copy; > 0 stops and copies now, as if the
     * policy had said so (the bench stops a policy that never stops).
     */
    int (*between)(void *arg);
    /*
     * Optional: another decision than libxlmig's policy at calls A and
     * B (the bench's models of other tools); then there are no ticks.
     */
    int (*decide)(void *arg, const xlmig_precopy_stats *st, uint64_t now);
} xlmig_precopy_ops;

typedef struct {
    xlmig_policy *policy;       /* not owned; NULL with ops->decide */
    const xlmig_precopy_ops *ops;
    void *arg;
    uint64_t tick_ns;           /* XLMIG_TICK_NS; 0: no ticks */
    xlmig_precopy_stats st;     /* as libxenguest keeps them */
    int decision;               /* the last one */
    unsigned long round_pages;  /* pages the current round sends */
    /*
     * The most pages a round can send, 0: unknown. libxenguest's first
     * round names every pfn up to the highest (a PVH guest of 128 MiB:
     * 4 GiB, up to its special pages under 4 GiB): the policy hears of
     * the pages that go, or it reads the link 30x too fast.
     */
    unsigned long guest_pages;
    uint64_t t_tick;            /* last tick, or the first call */
    bool suspending;            /* ticks are over */
} xlmig_precopy;

/* ops NULL: libxenguest runs the loop; the real clock, no hooks. */
void xlmig_precopy_init(xlmig_precopy *pc, xlmig_policy *policy,
                        const xlmig_precopy_ops *ops, void *arg);
void xlmig_precopy_dispose(xlmig_precopy *pc);

/*
 * The whole pre-copy of a guest of npages: 0 when the guest is to be
 * suspended now (the rest is the backend's); XLMIG_E_ABORTED, error
 * set, when the policy aborted (the guest never stopped); or the
 * error a round, tick or between returned.
 */
int xlmig_precopy_run(xlmig_precopy *pc, unsigned long npages);

/* Call A (dirty_count >= 0) or B (-1): libxenguest's precopy_policy. */
int xlmig_precopy_decide(xlmig_precopy *pc, const xlmig_precopy_stats *st);

/*
 * Pages of the current round sent so far: at most every tick_ns a
 * tick (ops->peek, then xlmig_precopy_tick, then ops->tick).
 */
int xlmig_precopy_sent(xlmig_precopy *pc, unsigned long sent);

/*
 * A tick, given a PEEK's dirty count (< 0: none this time) and the
 * round's pages sent: the throttle hears of it, and a budget spent
 * mid-round is XLMIG_E_ABORTED (error set). Nothing once suspending.
 */
int xlmig_precopy_tick(xlmig_precopy *pc, long dirty, unsigned long sent,
                       uint64_t now);

/* When the next tick is due; UINT64_MAX when there are none. */
uint64_t xlmig_precopy_next_tick(const xlmig_precopy *pc);

/* The guest is about to be suspended: no more ticks. */
void xlmig_precopy_suspending(xlmig_precopy *pc);

/* "pre-copy aborted: <the policy's reason>" as the error. */
int xlmig_precopy_aborted(const xlmig_precopy *pc);

#endif
