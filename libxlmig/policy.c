#include "policy.h"

#include <math.h>
#include <string.h>

void xlmig_policy_params_init(xlmig_policy_params *par)
{
    memset(par, 0, sizeof(*par));
    par->max_downtime_ns = XLMIG_DOWNTIME_DEFAULT_MS * 1000000ULL;
    par->bound = XLMIG_DOWNTIME_TARGET;
    par->timeout_ns = XLMIG_TIMEOUT_DEFAULT_S * 1000000000ULL;
    par->page_size = XLMIG_PAGE_SIZE;
    par->max_iterations = XLMIG_POLICY_MAX_ITERATIONS;
    par->polish_rounds = XLMIG_POLISH_ROUNDS;
}

void xlmig_policy_init(xlmig_policy *p, const xlmig_policy_params *par,
                       xlmig_throttle *throttle)
{
    memset(p, 0, sizeof(*p));
    if (par)
        p->par = *par;
    else
        xlmig_policy_params_init(&p->par);
    if (!p->par.page_size)
        p->par.page_size = XLMIG_PAGE_SIZE;
    if (!p->par.max_iterations)
        p->par.max_iterations = XLMIG_POLICY_MAX_ITERATIONS;
    p->throttle = throttle;
    p->d_a = -1;
    p->d_prev = -1;
}

void xlmig_policy_dispose(xlmig_policy *p)
{
    p->throttle = NULL;
}

void xlmig_policy_cancel(xlmig_policy *p)
{
    p->cancel = 1;
}

const char *xlmig_policy_reason_str(enum xlmig_policy_reason why)
{
    switch (why) {
    case XLMIG_WHY_CONVERGED: return "predicted downtime within target";
    case XLMIG_WHY_TIMEOUT_LONG:
        return "timeout reached, long downtime allowed";
    case XLMIG_WHY_TIMEOUT_ABORT:
        return "downtime target unmeetable before timeout";
    case XLMIG_WHY_ITERATIONS: return "iteration limit reached";
    case XLMIG_WHY_CANCELLED: return "cancelled";
    case XLMIG_WHY_BELOW_FLOOR:
        return "downtime target unmeetable: switchover alone exceeds it";
    case XLMIG_WHY_FLOOR_LONG:
        return "switchover cost over target, long downtime allowed";
    case XLMIG_WHY_TIMEOUT_ROUND:
        return "timeout reached during a round";
    case XLMIG_WHY_FLOOR_SOFT:
        return "switchover cost over the default target, pages held"
               " to it";
    default: return "";
    }
}

void xlmig_policy_wire(xlmig_policy *p, uint64_t raw_bytes,
                       uint64_t wire_bytes)
{
    p->wire_raw = raw_bytes;
    p->wire_out = wire_bytes;
}

/*
 * A known link limit in page bytes a second: the wire's, times what
 * the codec gained over the last round (never more than measured, and
 * at most XLMIG_WIRE_GAIN_MAX); 0: no limit known.
 */
static double link_pages_Bps(const xlmig_policy *p)
{
    double g = p->wire_gain > 1 ? p->wire_gain : 1;

    return p->par.link_Bps > 0 ? p->par.link_Bps * g : 0;
}

/* The gain over the round call A started, at call B. */
static void measure_gain(xlmig_policy *p)
{
    double raw, out;

    if (p->wire_raw < p->wire_raw_a || p->wire_out < p->wire_out_a)
        return;
    raw = (double)(p->wire_raw - p->wire_raw_a);
    out = (double)(p->wire_out - p->wire_out_a);
    /* A round of a few pages says little; keep the last word. */
    if (raw < XLMIG_WIRE_GAIN_MIN_RAW || !(out > 0))
        return;
    p->wire_gain = raw / out > XLMIG_WIRE_GAIN_MAX ? XLMIG_WIRE_GAIN_MAX
                                                   : raw / out;
}

/* Transmit rate to predict with: measured, capped by a known limit. */
static double tx_rate(const xlmig_policy *p)
{
    double tx = p->tx_Bps, link = link_pages_Bps(p);

    if (link > 0 && (!(tx > 0) || tx > link))
        tx = link;
    return tx;
}

double xlmig_policy_tx_Bps(const xlmig_policy *p)
{
    return tx_rate(p);
}

static void measure_round_end(xlmig_policy *p, uint64_t now)
{
    double secs, bytes, tx;

    if (!p->t_a || p->d_a <= 0 || now <= p->t_a)
        return;
    secs = (double)(now - p->t_a) / 1e9;
    bytes = (double)p->d_a * p->par.page_size;
    tx = bytes / secs;
    /* Tiny rounds time mostly overhead: weight rounds by their size. */
    if (!(p->tx_Bps > 0) || bytes >= 4.0 * 1024 * 1024)
        p->tx_Bps = tx;
    else
        p->tx_Bps = 0.7 * p->tx_Bps + 0.3 * tx;
}

static int stop(xlmig_policy *p, int decision, enum xlmig_policy_reason why)
{
    p->decision = decision;
    p->why = why;
    return decision;
}

/* How long the round just measured lasted (call A to call A). */
static double secs_round(const xlmig_policy *p, uint64_t now)
{
    return p->t_prev_a && now > p->t_prev_a
           ? (double)(now - p->t_prev_a) / 1e9 : 0;
}

/*
 * Converged: is one more live round worth it? Only while the guest's
 * dirty set keeps shrinking, so the round leaves fewer pages for the
 * downtime, never under a cap (a throttled guest is slowed for every
 * round) and never past the budget.
 */
static bool polish(xlmig_policy *p, const xlmig_precopy_stats *st,
                   uint64_t elapsed)
{
    uint64_t pages_ns = p->predicted_ns - p->par.switchover_ns;

    if (p->no_polish || p->polished >= p->par.polish_rounds ||
        st->iteration == 0 || p->d_prev <= 0 ||
        st->iteration + 1 >= p->par.max_iterations ||
        elapsed >= p->par.timeout_ns / 2 ||
        (p->throttle && p->throttle->active))
        return false;
    if (st->dirty_count <= XLMIG_POLISH_MIN_PAGES ||
        p->predicted_ns < p->par.switchover_ns ||
        pages_ns < XLMIG_POLISH_MIN_NS)
        return false;
    return (double)st->dirty_count <=
           XLMIG_POLISH_SHRINK * (double)p->d_prev;
}

int xlmig_policy_decide(xlmig_policy *p, const xlmig_precopy_stats *st,
                        uint64_t now)
{
    double tx, secs;
    uint64_t elapsed;

    if (!p->t_start)
        p->t_start = now;
    elapsed = now - p->t_start;
    if (p->overdue)
        return stop(p, XLMIG_POLICY_ABORT, XLMIG_WHY_TIMEOUT_ROUND);
    if (p->cancel || (p->cancel_ext && *p->cancel_ext))
        return stop(p, XLMIG_POLICY_ABORT, XLMIG_WHY_CANCELLED);

    if (st->dirty_count < 0) {
        /* Call B: the round just went out. */
        measure_gain(p);
        measure_round_end(p, now);
        p->t_b = now;
        p->rounds++;
        return stop(p, XLMIG_POLICY_CONTINUE, XLMIG_WHY_NONE);
    }

    p->t_prev_a = p->t_a;
    /* Call A: dirty_count pages were dirtied since the last round began. */
    if (p->t_a && st->iteration > 0 && now > p->t_a) {
        secs = (double)(now - p->t_a) / 1e9;
        p->dirty_Bps = (double)st->dirty_count * p->par.page_size / secs;
    }
    tx = tx_rate(p);
    p->t_a = now;
    p->d_prev = p->d_a;
    p->d_a = st->dirty_count;
    p->wire_raw_a = p->wire_raw;
    p->wire_out_a = p->wire_out;
    p->tick_t = now;
    p->tick_dirty = 0;
    p->tick_sent = 0;

    if (tx > 0) {
        double dt = (double)st->dirty_count * p->par.page_size / tx;
        p->predicted_ns = (uint64_t)(dt * 1e9) + p->par.switchover_ns;
        if (st->iteration > 0)
            p->ratio = p->dirty_Bps / tx;
    } else {
        p->predicted_ns = UINT64_MAX;
    }

    if (p->predicted_ns <= p->par.max_downtime_ns) {
        if (!polish(p, st, elapsed))
            return stop(p, XLMIG_POLICY_STOP_AND_COPY, XLMIG_WHY_CONVERGED);
        p->polished++;
        return stop(p, XLMIG_POLICY_CONTINUE, XLMIG_WHY_NONE);
    }
    /* A round past convergence grew again: the next fit stops. */
    if (p->polished)
        p->no_polish = true;

    /*
     * The round trips and suspend/restore alone exceed the target (a
     * long-RTT link): no pre-copy can meet it, and rounds emptied by
     * the throttle would spin until a limit. Refuse before sending a
     * page; when long downtime is allowed, hold the pages' own part of
     * the downtime to the target instead.
     */
    if (p->par.switchover_ns > p->par.max_downtime_ns) {
        if (xlmig_downtime_hard(&p->par))
            return stop(p, XLMIG_POLICY_ABORT, XLMIG_WHY_BELOW_FLOOR);
        if (p->predicted_ns != UINT64_MAX &&
            p->predicted_ns - p->par.switchover_ns <= p->par.max_downtime_ns)
            return stop(p, XLMIG_POLICY_STOP_AND_COPY,
                        p->par.allow_long_downtime ? XLMIG_WHY_FLOOR_LONG
                                                   : XLMIG_WHY_FLOOR_SOFT);
    }

    if (elapsed >= p->par.timeout_ns) {
        if (p->par.allow_long_downtime)
            return stop(p, XLMIG_POLICY_STOP_AND_COPY,
                        XLMIG_WHY_TIMEOUT_LONG);
        return stop(p, XLMIG_POLICY_ABORT, XLMIG_WHY_TIMEOUT_ABORT);
    }
    if (st->iteration >= p->par.max_iterations) {
        if (p->par.allow_long_downtime)
            return stop(p, XLMIG_POLICY_STOP_AND_COPY, XLMIG_WHY_ITERATIONS);
        return stop(p, XLMIG_POLICY_ABORT, XLMIG_WHY_ITERATIONS);
    }

    /*
     * Not there yet: the throttle decides whether the guest must slow,
     * on a round long enough to say so (a light guest was capped on a
     * few dozen pages dirtied in a late round of milliseconds).
     */
    if (p->throttle && st->iteration > 0 && tx > 0 &&
        secs_round(p, now) >= XLMIG_ROUND_MIN_S)
        xlmig_throttle_update(p->throttle, p->dirty_Bps, tx, now);
    return stop(p, XLMIG_POLICY_CONTINUE, XLMIG_WHY_NONE);
}

bool xlmig_policy_overdue(xlmig_policy *p, uint64_t now)
{
    if (p->overdue)
        return true;
    /* Decided to stop: the last live round must not be cut short. */
    if (p->decision == XLMIG_POLICY_STOP_AND_COPY)
        return false;
    if (!p->t_start || p->par.allow_long_downtime || now < p->t_start ||
        now - p->t_start < p->par.timeout_ns)
        return false;
    p->overdue = true;
    stop(p, XLMIG_POLICY_ABORT, XLMIG_WHY_TIMEOUT_ROUND);
    return true;
}

void xlmig_policy_tick(xlmig_policy *p, unsigned long dirty_since_clean,
                       unsigned long sent_this_round, uint64_t now)
{
    double secs, dirty, tx, budget;

    if (!p->throttle || !p->t_a || p->d_a <= 0 || now <= p->tick_t)
        return;
    /* A round past convergence: the guest needs no cap. */
    if (p->polished && !p->no_polish)
        return;
    secs = (double)(now - p->tick_t) / 1e9;
    /* Too short a window says more about noise than about the guest. */
    if (secs < (double)XLMIG_TICK_NS / 1e9 ||
        sent_this_round <= p->tick_sent ||
        dirty_since_clean < p->tick_dirty)
        return;
    /*
     * Rates over the window since the last sample, so that a cap just
     * applied shows in the next sample instead of being averaged away.
     */
    dirty = (double)(dirty_since_clean - p->tick_dirty) *
            p->par.page_size / secs;
    tx = (double)(sent_this_round - p->tick_sent) * p->par.page_size / secs;
    p->tick_t = now;
    p->tick_dirty = dirty_since_clean;
    p->tick_sent = sent_this_round;
    /*
     * The guest's rate moves with its cap, the link's does not: a
     * window in which the stream stalled says nothing about what the
     * link carries, and judged against it a guest well under the link
     * was capped. The link is what it carried at best: this window,
     * this round so far, or the rounds before.
     */
    if (now > p->t_a) {
        double round = (double)sent_this_round * p->par.page_size /
                       ((double)(now - p->t_a) / 1e9);

        if (round > tx)
            tx = round;
    }
    if (tx_rate(p) > tx)
        tx = tx_rate(p);
    if (link_pages_Bps(p) > 0 && tx > link_pages_Bps(p))
        tx = link_pages_Bps(p);
    /*
     * Act on evidence, not on projection: a hot working set is dirtied
     * quickly and then saturates, so an early first-touch rate would
     * overstate the round. Only once the pages already dirtied exceed
     * what the next round may hold for pre-copy to converge does the
     * throttle hear about it.
     */
    budget = p->throttle->par.target_ratio * (double)p->d_a;
    if ((double)dirty_since_clean < budget)
        return;
    xlmig_throttle_tighten(p->throttle, dirty, tx, now);
}
