/* The pre-copy policy, driven with libxenguest's call pattern. */
#include "unit.h"

#include "policy.h"

#define MS 1000000ULL
#define PAGE 4096UL

static xlmig_policy pol;
static xlmig_policy_params par;

static void setup(void)
{
    xlmig_policy_params_init(&par);
    par.max_downtime_ns = 300 * MS;
    par.bound = XLMIG_DOWNTIME_BOUND;     /* as --max-downtime 300 */
    par.timeout_ns = 1000000 * MS;
    par.polish_rounds = 0;     /* the stop rule alone (test_polish.c) */
}

/* One round: call A with dirty pages, send for dt, call B. */
static int round_ab(unsigned it, long dirty, uint64_t *t, uint64_t dt,
                    int *after)
{
    xlmig_precopy_stats st = { it, 0, dirty };
    int d = xlmig_policy_decide(&pol, &st, *t);

    *t += dt;
    st.iteration = it + 1;
    st.dirty_count = -1;
    *after = d == XLMIG_POLICY_CONTINUE ?
        xlmig_policy_decide(&pol, &st, *t) : d;
    return d;
}

/*
 * A policy on par, the same round until it decides (or max rounds):
 * it must end with want, for why; how many rounds ran.
 */
static unsigned rounds_end(unsigned max, long dirty, uint64_t dt, int want,
                           enum xlmig_policy_reason why)
{
    uint64_t t = 1;
    int after, d = XLMIG_POLICY_CONTINUE;
    unsigned i;

    xlmig_policy_init(&pol, &par, NULL);
    for (i = 0; i < max; i++) {
        d = round_ab(i, dirty, &t, dt, &after);
        if (d != XLMIG_POLICY_CONTINUE)
            break;
    }
    CU_ASSERT_EQUAL(d, want);
    CU_ASSERT_EQUAL(pol.why, why);
    return i;
}

static void test_first_round_continues(void)
{
    xlmig_precopy_stats st = { 0, 0, 262144 };

    setup();
    xlmig_policy_init(&pol, &par, NULL);
    /* No rate known yet: a full memory round cannot be predicted. */
    CU_ASSERT_EQUAL(xlmig_policy_decide(&pol, &st, 1), 0);
}

static void test_stops_when_predicted_fits(void)
{
    uint64_t t = 1;
    int after, d;

    setup();
    xlmig_policy_init(&pol, &par, NULL);
    /* 1 GiB in 10 s: 100 MiB/s-ish. */
    d = round_ab(0, 262144, &t, 10000 * MS, &after);
    CU_ASSERT_EQUAL(d, XLMIG_POLICY_CONTINUE);
    CU_ASSERT_EQUAL(after, XLMIG_POLICY_CONTINUE);
    CU_ASSERT(pol.tx_Bps > 100e6 && pol.tx_Bps < 110e6);
    /* 40 MiB left: 0.4 s at that rate, over target -> continue. */
    d = round_ab(1, 10240, &t, 400 * MS, &after);
    CU_ASSERT_EQUAL(d, XLMIG_POLICY_CONTINUE);
    CU_ASSERT(pol.predicted_ns > 300 * MS);
    /* 8 MiB left: ~80 ms -> stop and copy. */
    d = round_ab(2, 2048, &t, 80 * MS, &after);
    CU_ASSERT_EQUAL(d, XLMIG_POLICY_STOP_AND_COPY);
    CU_ASSERT_EQUAL(pol.why, XLMIG_WHY_CONVERGED);
    CU_ASSERT(pol.predicted_ns <= 300 * MS);
}

static void test_switchover_cost_counts(void)
{
    uint64_t t = 1;
    int after;

    setup();
    par.switchover_ns = 250 * MS;
    xlmig_policy_init(&pol, &par, NULL);
    round_ab(0, 262144, &t, 10000 * MS, &after);
    /* 80 ms of pages + 250 ms fixed cost is over 300 ms. */
    CU_ASSERT_EQUAL(round_ab(1, 2048, &t, 80 * MS, &after),
                    XLMIG_POLICY_CONTINUE);
    CU_ASSERT_EQUAL(round_ab(2, 256, &t, 10 * MS, &after),
                    XLMIG_POLICY_STOP_AND_COPY);
}

static void test_floor_over_target_aborts(void)
{
    xlmig_precopy_stats st = { 0, 0, 262144 };

    setup();
    /* 214 ms RTT: two round trips alone are over 300 ms. */
    par.switchover_ns = 438 * MS;
    xlmig_policy_init(&pol, &par, NULL);
    CU_ASSERT_EQUAL(xlmig_policy_decide(&pol, &st, 1), XLMIG_POLICY_ABORT);
    CU_ASSERT_EQUAL(pol.why, XLMIG_WHY_BELOW_FLOOR);
}

/*
 * With the switchover alone over target, rounds whose pages alone fit
 * the target stop the pre-copy (for the reason given) instead of
 * aborting it.
 */
static void floor_holds_pages_to_target(enum xlmig_policy_reason why)
{
    uint64_t t = 1;
    int after;

    xlmig_policy_init(&pol, &par, NULL);
    CU_ASSERT_EQUAL(round_ab(0, 262144, &t, 10000 * MS, &after),
                    XLMIG_POLICY_CONTINUE);
    /* 40 MiB: 0.4 s of pages, over the target on its own. */
    CU_ASSERT_EQUAL(round_ab(1, 10240, &t, 400 * MS, &after),
                    XLMIG_POLICY_CONTINUE);
    /* 8 MiB: 80 ms of pages; with the switchover over target, stop. */
    CU_ASSERT_EQUAL(round_ab(2, 2048, &t, 80 * MS, &after),
                    XLMIG_POLICY_STOP_AND_COPY);
    CU_ASSERT_EQUAL(pol.why, why);
}

static void test_floor_over_target_long_downtime(void)
{
    setup();
    par.switchover_ns = 438 * MS;
    par.allow_long_downtime = true;
    floor_holds_pages_to_target(XLMIG_WHY_FLOOR_LONG);
}

/* The same with a target that is only a default: never an abort. */
static void test_floor_over_default_target(void)
{
    setup();
    par.switchover_ns = 2000 * MS;
    par.bound = XLMIG_DOWNTIME_TARGET;
    floor_holds_pages_to_target(XLMIG_WHY_FLOOR_SOFT);
}

/* A soft floor does not turn a timeout into a long downtime. */
static void test_soft_floor_timeout_aborts(void)
{
    setup();
    par.switchover_ns = 2000 * MS;
    par.bound = XLMIG_DOWNTIME_TARGET;
    par.timeout_ns = 5000 * MS;
    /* 40 MiB dirtied every 400 ms round: the pages never fit. */
    rounds_end(40, 10240, 400 * MS, XLMIG_POLICY_ABORT,
               XLMIG_WHY_TIMEOUT_ABORT);
}

static void test_timeout_aborts(void)
{
    unsigned i;

    setup();
    par.timeout_ns = 3000 * MS;
    /* Never converging: same dirty count every round. */
    i = rounds_end(20, 262144, 1000 * MS, XLMIG_POLICY_ABORT,
                   XLMIG_WHY_TIMEOUT_ABORT);
    CU_ASSERT(i >= 3 && i <= 4);
}

static void test_timeout_long_downtime(void)
{
    setup();
    par.timeout_ns = 3000 * MS;
    par.allow_long_downtime = true;
    rounds_end(20, 262144, 1000 * MS, XLMIG_POLICY_STOP_AND_COPY,
               XLMIG_WHY_TIMEOUT_LONG);
}

/* A first round far longer than the budget is cut short mid-round. */
static void test_timeout_mid_round(void)
{
    xlmig_precopy_stats st = { 0, 0, 262144 };
    uint64_t t;
    int after;

    setup();
    par.timeout_ns = 3000 * MS;
    xlmig_policy_init(&pol, &par, NULL);
    /* Not started: no budget to spend yet. */
    CU_ASSERT_FALSE(xlmig_policy_overdue(&pol, 100000 * MS));
    CU_ASSERT_EQUAL(xlmig_policy_decide(&pol, &st, 1),
                    XLMIG_POLICY_CONTINUE);
    CU_ASSERT_FALSE(xlmig_policy_overdue(&pol, 2999 * MS));
    CU_ASSERT_EQUAL(pol.why, XLMIG_WHY_NONE);
    CU_ASSERT_TRUE(xlmig_policy_overdue(&pol, 3001 * MS));
    CU_ASSERT_EQUAL(pol.why, XLMIG_WHY_TIMEOUT_ROUND);
    /* Whatever libxenguest asks next, the answer stays abort. */
    st.iteration = 1;
    st.dirty_count = -1;
    CU_ASSERT_EQUAL(xlmig_policy_decide(&pol, &st, 3002 * MS),
                    XLMIG_POLICY_ABORT);
    CU_ASSERT_EQUAL(pol.why, XLMIG_WHY_TIMEOUT_ROUND);
    CU_ASSERT_TRUE(xlmig_policy_overdue(&pol, 3003 * MS));

    /* Once stop-and-copy is decided, its last live round goes out. */
    setup();
    par.timeout_ns = 3000 * MS;
    xlmig_policy_init(&pol, &par, NULL);
    t = 1;
    CU_ASSERT_EQUAL(round_ab(0, 262144, &t, 2000 * MS, &after),
                    XLMIG_POLICY_CONTINUE);
    CU_ASSERT_EQUAL(round_ab(1, 100, &t, 10 * MS, &after),
                    XLMIG_POLICY_STOP_AND_COPY);
    CU_ASSERT_FALSE(xlmig_policy_overdue(&pol, 9000 * MS));
    CU_ASSERT_EQUAL(pol.why, XLMIG_WHY_CONVERGED);

    /* With a long downtime allowed the round finishes, as before. */
    setup();
    par.timeout_ns = 3000 * MS;
    par.allow_long_downtime = true;
    xlmig_policy_init(&pol, &par, NULL);
    st.iteration = 0;
    st.dirty_count = 262144;
    CU_ASSERT_EQUAL(xlmig_policy_decide(&pol, &st, 1),
                    XLMIG_POLICY_CONTINUE);
    CU_ASSERT_FALSE(xlmig_policy_overdue(&pol, 9000 * MS));
    CU_ASSERT_EQUAL(pol.why, XLMIG_WHY_NONE);
}

static void test_cancel(void)
{
    xlmig_precopy_stats st = { 0, 0, 100 };
    volatile int flag = 0;

    setup();
    xlmig_policy_init(&pol, &par, NULL);
    pol.cancel_ext = &flag;
    CU_ASSERT_EQUAL(xlmig_policy_decide(&pol, &st, 1), 0);
    flag = 1;
    st.dirty_count = -1;
    CU_ASSERT_EQUAL(xlmig_policy_decide(&pol, &st, 2), XLMIG_POLICY_ABORT);
    CU_ASSERT_EQUAL(pol.why, XLMIG_WHY_CANCELLED);
    flag = 0;
    xlmig_policy_cancel(&pol);
    CU_ASSERT_EQUAL(xlmig_policy_decide(&pol, &st, 3), XLMIG_POLICY_ABORT);
}

static void test_link_limit_predicts_first_round(void)
{
    xlmig_precopy_stats st = { 0, 0, 1024 };

    setup();
    par.link_Bps = 1e9;
    xlmig_policy_init(&pol, &par, NULL);
    /* 4 MiB at 1 GB/s: a tiny guest is stopped at once. */
    CU_ASSERT_EQUAL(xlmig_policy_decide(&pol, &st, 1),
                    XLMIG_POLICY_STOP_AND_COPY);
}

static int applied;
static double last_share;

static int apply(void *arg, double share)
{
    (void)arg;
    applied++;
    last_share = share;
    return 0;
}

/* A policy that drives a throttle which counts what it applies. */
static void throttled_setup(xlmig_throttle *thr)
{
    setup();
    applied = 0;
    xlmig_throttle_init(thr, NULL, apply, NULL);
    xlmig_policy_init(&pol, &par, thr);
}

/* A full memory round in 10 s, then the given one; the time after. */
static uint64_t throttled_two_rounds(xlmig_throttle *thr, long dirty,
                                     uint64_t dt)
{
    uint64_t t = 1;
    int after;

    throttled_setup(thr);
    round_ab(0, 262144, &t, 10000 * MS, &after);
    round_ab(1, dirty, &t, dt, &after);
    return t;
}

static void test_throttle_engages_when_not_converging(void)
{
    xlmig_throttle thr;
    uint64_t t;

    /* The round dirtied as much as it sent: dirty rate = link rate. */
    t = throttled_two_rounds(&thr, 262144, 10000 * MS);
    CU_ASSERT(pol.ratio > 0.9);
    CU_ASSERT(thr.active);
    CU_ASSERT(applied >= 1);
    CU_ASSERT(last_share < 1.0 && last_share >= 0.5);
    xlmig_throttle_dispose(&thr, t);
    CU_ASSERT_EQUAL(last_share, 1.0);
}

static void test_throttle_idle_when_converging(void)
{
    xlmig_throttle thr;

    throttled_two_rounds(&thr, 65536, 2500 * MS);
    CU_ASSERT(pol.ratio < 0.5);
    CU_ASSERT_FALSE(thr.engaged);
    CU_ASSERT_EQUAL(applied, 0);
}

static void test_tick_waits_for_evidence(void)
{
    xlmig_throttle thr;
    xlmig_precopy_stats st = { 0, 0, 262144 };

    throttled_setup(&thr);
    xlmig_policy_decide(&pol, &st, 1);
    /* A hot set dirtied fast, but far below half the round: no cap. */
    xlmig_policy_tick(&pol, 4096, 2000, 100 * MS);
    xlmig_policy_tick(&pol, 8192, 4000, 200 * MS);
    CU_ASSERT_EQUAL(applied, 0);
    /* Now more than half the round is already dirty again, fast. */
    xlmig_policy_tick(&pol, 140000, 8000, 300 * MS);
    CU_ASSERT(applied == 1 && thr.active);
}

/*
 * A light guest (1.6 MB/s against a link that carried 107 MB/s) while
 * the stream stalls for 2 s mid-round: the stall is the link's, not
 * the guest's doing, so no cap (this window alone read 16x the link).
 */
static void test_tick_light_guest_stalled_link(void)
{
    xlmig_throttle thr;
    xlmig_precopy_stats st = { 1, 0, 2560 };
    uint64_t t = 1;
    int after;

    throttled_setup(&thr);
    round_ab(0, 262144, &t, 10000 * MS, &after);
    CU_ASSERT(pol.tx_Bps > 100e6);
    xlmig_policy_decide(&pol, &st, t);
    xlmig_policy_tick(&pol, 600, 100, t + 100 * MS);
    xlmig_policy_tick(&pol, 1400, 150, t + 2100 * MS);
    CU_ASSERT_EQUAL(applied, 0);
    CU_ASSERT_FALSE(thr.engaged);
    /* A guest really over the link in that window is still capped. */
    xlmig_policy_tick(&pol, 200000, 400, t + 2300 * MS);
    CU_ASSERT(applied == 1 && thr.active);
}

/* A late round of milliseconds: a few pages at a "rate" over the link. */
static void test_short_round_no_cap(void)
{
    xlmig_throttle thr;
    uint64_t t = 1;
    int after;

    throttled_setup(&thr);
    par.max_downtime_ns = 1;            /* never converges: keeps going */
    xlmig_policy_init(&pol, &par, &thr);
    round_ab(0, 262144, &t, 10000 * MS, &after);
    round_ab(1, 300, &t, 11 * MS, &after);
    /* 600 pages in 12 ms read 205 MB/s against a 108 MB/s link. */
    t += 1 * MS;
    round_ab(2, 600, &t, 5 * MS, &after);
    CU_ASSERT_EQUAL(applied, 0);
    CU_ASSERT_FALSE(thr.engaged);
}

static CU_TestInfo tests[] = {
    { "first round continues", test_first_round_continues },
    { "stops when predicted downtime fits", test_stops_when_predicted_fits },
    { "switchover cost counts", test_switchover_cost_counts },
    { "switchover over target aborts at once",
      test_floor_over_target_aborts },
    { "switchover over target, long downtime allowed",
      test_floor_over_target_long_downtime },
    { "switchover over a default target: pages held to it",
      test_floor_over_default_target },
    { "soft floor still aborts at timeout", test_soft_floor_timeout_aborts },
    { "timeout aborts", test_timeout_aborts },
    { "timeout with long downtime allowed", test_timeout_long_downtime },
    { "timeout cuts a long round short", test_timeout_mid_round },
    { "cancel aborts", test_cancel },
    { "known link limit predicts", test_link_limit_predicts_first_round },
    { "throttle engages when not converging",
      test_throttle_engages_when_not_converging },
    { "throttle idle when converging", test_throttle_idle_when_converging },
    { "mid-round tick waits for evidence", test_tick_waits_for_evidence },
    { "a round of milliseconds: no cap", test_short_round_no_cap },
    { "light guest, stalled link: no cap",
      test_tick_light_guest_stalled_link },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("policy", NULL, NULL, tests)
