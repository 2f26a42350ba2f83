/*
 * The pre-copy policy past convergence: more live rounds while the
 * dirty set keeps shrinking, so fewer pages are left for the downtime.
 */
#include "unit.h"

#include "policy.h"

#define MS 1000000ULL

static xlmig_policy pol;
static xlmig_policy_params par;
static int applied;

static int apply(void *arg, double share)
{
    (void)arg;
    (void)share;
    applied++;
    return 0;
}

/*
 * A policy with a budget of timeout_ms whose first round sent 1 GiB in
 * first_ms.
 */
static uint64_t start_with(xlmig_throttle *thr, uint64_t first_ms,
                           uint64_t timeout_ms)
{
    xlmig_precopy_stats st = { 0, 0, 262144 };
    uint64_t t = 1;

    xlmig_policy_params_init(&par);
    par.max_downtime_ns = 300 * MS;
    par.timeout_ns = timeout_ms * MS;
    xlmig_policy_init(&pol, &par, thr);
    xlmig_policy_decide(&pol, &st, t);
    t += first_ms * MS;
    st.iteration = 1;
    st.dirty_count = -1;
    xlmig_policy_decide(&pol, &st, t);
    return t;
}

/* The first round in first_ms, a budget that never runs out. */
static uint64_t start_at(xlmig_throttle *thr, uint64_t first_ms)
{
    return start_with(thr, first_ms, 1000000);
}

/* 1 GiB in 10 s: ~107 MB/s. */
static uint64_t start(xlmig_throttle *thr)
{
    return start_at(thr, 10000);
}

/* Call A of round it with dirty pages; call B after dt if it goes on. */
static int next(unsigned it, long dirty, uint64_t *t, uint64_t dt)
{
    xlmig_precopy_stats st = { it, 0, dirty };
    int d = xlmig_policy_decide(&pol, &st, *t);

    *t += dt;
    if (d == XLMIG_POLICY_CONTINUE) {
        st.iteration = it + 1;
        st.dirty_count = -1;
        xlmig_policy_decide(&pol, &st, *t);
    }
    return d;
}

static void test_goes_on_while_shrinking(void)
{
    uint64_t t = start(NULL);

    /* 8 MiB left (~80 ms): within target, but halving each round. */
    CU_ASSERT_EQUAL(next(1, 2048, &t, 80 * MS), XLMIG_POLICY_CONTINUE);
    CU_ASSERT(pol.predicted_ns <= 300 * MS);
    CU_ASSERT_EQUAL(next(2, 1024, &t, 40 * MS), XLMIG_POLICY_CONTINUE);
    CU_ASSERT_EQUAL(next(3, 512, &t, 20 * MS), XLMIG_POLICY_CONTINUE);
    CU_ASSERT_EQUAL(pol.polished, XLMIG_POLISH_ROUNDS);
    /* At most XLMIG_POLISH_ROUNDS of them. */
    CU_ASSERT_EQUAL(next(4, 256, &t, 10 * MS), XLMIG_POLICY_STOP_AND_COPY);
    CU_ASSERT_EQUAL(pol.why, XLMIG_WHY_CONVERGED);
}

static void test_stops_when_no_longer_shrinking(void)
{
    uint64_t t = start(NULL);

    CU_ASSERT_EQUAL(next(1, 2048, &t, 80 * MS), XLMIG_POLICY_CONTINUE);
    /* 1800 of 2048: another round would leave about as many. */
    CU_ASSERT_EQUAL(next(2, 1800, &t, 70 * MS), XLMIG_POLICY_STOP_AND_COPY);
    CU_ASSERT_EQUAL(pol.polished, 1);
}

static void test_not_for_a_few_pages(void)
{
    /* ~10.7 MB/s: 50 pages take 19 ms, but are not worth a round. */
    uint64_t t = start_at(NULL, 100000);

    CU_ASSERT_EQUAL(next(1, XLMIG_POLISH_MIN_PAGES, &t, 19 * MS),
                    XLMIG_POLICY_STOP_AND_COPY);
    CU_ASSERT_EQUAL(pol.polished, 0);
    t = start_at(NULL, 100000);
    CU_ASSERT_EQUAL(next(1, XLMIG_POLISH_MIN_PAGES + 1, &t, 19 * MS),
                    XLMIG_POLICY_CONTINUE);
    /* 400 pages at ~1 GB/s: 1.6 ms, under XLMIG_POLISH_MIN_NS. */
    t = start_at(NULL, 1000);
    CU_ASSERT_EQUAL(next(1, 400, &t, 2 * MS), XLMIG_POLICY_STOP_AND_COPY);
    t = start_at(NULL, 500);
    CU_ASSERT_EQUAL(next(1, 400, &t, 1 * MS), XLMIG_POLICY_STOP_AND_COPY);
    t = start_at(NULL, 10000);
    CU_ASSERT_EQUAL(next(1, 400, &t, 15 * MS), XLMIG_POLICY_CONTINUE);
}

static void test_grew_then_stops_at_next_fit(void)
{
    uint64_t t = start(NULL);

    CU_ASSERT_EQUAL(next(1, 2048, &t, 80 * MS), XLMIG_POLICY_CONTINUE);
    /* A burst: 80 MiB, over the target, pre-copy goes on as before. */
    CU_ASSERT_EQUAL(next(2, 20480, &t, 800 * MS), XLMIG_POLICY_CONTINUE);
    CU_ASSERT(pol.predicted_ns > 300 * MS);
    /* Within target again, shrinking fast: no second try, stop. */
    CU_ASSERT_EQUAL(next(3, 2048, &t, 80 * MS), XLMIG_POLICY_STOP_AND_COPY);
    CU_ASSERT_EQUAL(pol.why, XLMIG_WHY_CONVERGED);
}

static void test_not_past_half_the_budget(void)
{
    uint64_t t = start_with(NULL, 10000, 15000);

    /* 10 of 15 s spent: the shrinking set is not chased further. */
    CU_ASSERT_EQUAL(next(1, 2048, &t, 80 * MS), XLMIG_POLICY_STOP_AND_COPY);
}

static void test_never_under_a_cap(void)
{
    xlmig_throttle thr;
    uint64_t t;

    applied = 0;
    xlmig_throttle_init(&thr, NULL, apply, NULL);
    t = start(&thr);
    /* The guest is capped (dirtying twice what the link carries). */
    xlmig_throttle_update(&thr, 200e6, 100e6, t);
    CU_ASSERT(thr.active && applied == 1);
    CU_ASSERT_EQUAL(next(1, 2048, &t, 80 * MS), XLMIG_POLICY_STOP_AND_COPY);
    xlmig_throttle_dispose(&thr, t);
}

static void test_no_cap_in_a_polishing_round(void)
{
    xlmig_throttle thr;
    xlmig_precopy_stats st = { 1, 0, 2048 };
    uint64_t t;

    applied = 0;
    xlmig_throttle_init(&thr, NULL, apply, NULL);
    t = start(&thr);
    CU_ASSERT_EQUAL(xlmig_policy_decide(&pol, &st, t),
                    XLMIG_POLICY_CONTINUE);
    /* Converged: a window read over the link does not cap it. */
    xlmig_policy_tick(&pol, 200000, 400, t + 200 * MS);
    xlmig_policy_tick(&pol, 400000, 800, t + 400 * MS);
    CU_ASSERT_EQUAL(applied, 0);
    CU_ASSERT_FALSE(thr.engaged);
    xlmig_throttle_dispose(&thr, t);
}

static CU_TestInfo tests[] = {
    { "goes on while the dirty set shrinks", test_goes_on_while_shrinking },
    { "stops when it no longer shrinks", test_stops_when_no_longer_shrinking },
    { "not for a few pages", test_not_for_a_few_pages },
    { "a burst, then the next fit stops", test_grew_then_stops_at_next_fit },
    { "not past half the budget", test_not_past_half_the_budget },
    { "never under a cap", test_never_under_a_cap },
    { "no cap in a round past convergence",
      test_no_cap_in_a_polishing_round },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("policy past convergence", NULL, NULL, tests)
