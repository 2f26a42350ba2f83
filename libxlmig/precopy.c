/* The pre-copy driver: see precopy.h. */
#include "precopy.h"

#include <stddef.h>

#include "defaults.h"
#include "error.h"

/* For a backend whose library runs the loop: the clock, no more. */
static const xlmig_precopy_ops clock_only;

void xlmig_precopy_init(xlmig_precopy *pc, xlmig_policy *policy,
                        const xlmig_precopy_ops *ops, void *arg)
{
    *pc = (xlmig_precopy){
        .policy = policy,
        .ops = ops ? ops : &clock_only,
        .arg = arg,
        .tick_ns = XLMIG_TICK_NS,
        .decision = XLMIG_POLICY_CONTINUE,
    };
}

static uint64_t now(const xlmig_precopy *pc)
{
    return pc->ops->now ? pc->ops->now(pc->arg) : xlmig_now_ns();
}

void xlmig_precopy_dispose(xlmig_precopy *pc)
{
    pc->policy = NULL;
    pc->ops = NULL;
    pc->arg = NULL;
}

int xlmig_precopy_aborted(const xlmig_precopy *pc)
{
    xlmig_err(XLMIG_E_ABORTED, "pre-copy aborted: %s", pc->policy
              ? xlmig_policy_reason_str(pc->policy->why) : "by the policy");
    return XLMIG_E_ABORTED;
}

int xlmig_precopy_decide(xlmig_precopy *pc, const xlmig_precopy_stats *st)
{
    xlmig_precopy_stats ours;
    uint64_t t = now(pc);
    int d;

    if (st != &pc->st)
        pc->st = *st;
    /* The first tick is due a tick after the first call. */
    if (!pc->t_tick)
        pc->t_tick = t;
    ours = *st;
    if (pc->guest_pages && ours.dirty_count > (long)pc->guest_pages)
        ours.dirty_count = (long)pc->guest_pages;
    if (pc->ops->decide)
        d = pc->ops->decide(pc->arg, st, t);
    else
        d = xlmig_policy_decide(pc->policy, &ours, t);
    pc->decision = d;
    if (st->dirty_count >= 0 && pc->policy && !pc->ops->decide)
        XLMIG_DBG("pre-copy: round %u: %ld pages, dirty %.2f MiB/s, "
                  "carried %.2f MiB/s, predicted downtime %.1f ms: %d",
                  st->iteration, ours.dirty_count,
                  pc->policy->dirty_Bps / 1048576.0,
                  xlmig_policy_tx_Bps(pc->policy) / 1048576.0,
                  pc->policy->predicted_ns == UINT64_MAX ? -1.0 :
                  (double)pc->policy->predicted_ns / 1e6, d);
    if (st->dirty_count >= 0)
        pc->round_pages = d == XLMIG_POLICY_ABORT
                          ? 0 : (unsigned long)ours.dirty_count;
    return d;
}

static bool ticking(const xlmig_precopy *pc)
{
    return pc->policy && !pc->ops->decide && pc->tick_ns &&
           !pc->suspending;
}

uint64_t xlmig_precopy_next_tick(const xlmig_precopy *pc)
{
    return ticking(pc) ? pc->t_tick + pc->tick_ns : UINT64_MAX;
}

int xlmig_precopy_tick(xlmig_precopy *pc, long dirty, unsigned long sent,
                       uint64_t now)
{
    if (!pc->policy || pc->ops->decide || pc->suspending)
        return 0;
    pc->t_tick = now;
    if (dirty >= 0) {
        unsigned n = pc->policy->throttle
                     ? pc->policy->throttle->adjustments : 0;

        xlmig_policy_tick(pc->policy, (unsigned long)dirty, sent, now);
        if (pc->policy->throttle && pc->policy->throttle->adjustments != n)
            XLMIG_DBG("pre-copy: that mid-round sample: %ld pages dirty, "
                      "%lu of %ld sent, %.3f s into the round", dirty,
                      sent, pc->policy->d_a,
                      (double)(now - pc->policy->t_a) / 1e9);
    }
    /* A first round of a big guest can take many times the budget. */
    if (xlmig_policy_overdue(pc->policy, now))
        return xlmig_precopy_aborted(pc);
    return 0;
}

int xlmig_precopy_sent(xlmig_precopy *pc, unsigned long sent)
{
    uint64_t t;
    long dirty;
    int rc;

    if (!ticking(pc))
        return 0;
    t = now(pc);
    if (t - pc->t_tick < pc->tick_ns)
        return 0;
    dirty = pc->ops->peek ? pc->ops->peek(pc->arg) : -1;
    rc = xlmig_precopy_tick(pc, dirty, sent, t);
    if (!rc && pc->ops->tick)
        rc = pc->ops->tick(pc->arg);
    return rc;
}

void xlmig_precopy_suspending(xlmig_precopy *pc)
{
    pc->suspending = true;
}

int xlmig_precopy_run(xlmig_precopy *pc, unsigned long npages)
{
    xlmig_precopy_stats *st = &pc->st;
    int d, rc;

    *st = (xlmig_precopy_stats){ 0, 0, (long)npages };
    for (;;) {
        d = xlmig_precopy_decide(pc, st);                   /* call A */
        if (st->dirty_count > 0 && d != XLMIG_POLICY_ABORT) {
            rc = pc->ops->send_round(pc->arg,
                                     (unsigned long)st->dirty_count);
            if (rc)
                return rc;
        }
        if (d != XLMIG_POLICY_CONTINUE)
            break;
        st->iteration++;
        st->total_written += (unsigned long)st->dirty_count;
        st->dirty_count = -1;
        d = xlmig_precopy_decide(pc, st);                   /* call B */
        if (d != XLMIG_POLICY_CONTINUE)
            break;
        rc = pc->ops->between ? pc->ops->between(pc->arg) : 0;
        if (rc > 0) {
            d = pc->decision = XLMIG_POLICY_STOP_AND_COPY;
            break;
        }
        if (rc)
            return rc;
        st->dirty_count = (long)pc->ops->clean(pc->arg);    /* CLEAN */
    }
    if (d == XLMIG_POLICY_ABORT)
        return xlmig_precopy_aborted(pc);
    return 0;
}
