/* The policy's parameters for one migration (policy_setup.h). */
#include "unit.h"

#include "policy_setup.h"

#define MS 1000000ULL

static void asked_init(xlmig_policy_params *a)
{
    xlmig_policy_params_init(a);
    a->max_downtime_ns = 250 * MS;
    a->bound = XLMIG_DOWNTIME_BOUND;
    a->timeout_ns = 90000 * MS;
    a->allow_long_downtime = true;
}

static void test_defaults(void)
{
    xlmig_policy_params a;

    xlmig_policy_params_init(&a);
    CU_ASSERT_EQUAL(a.max_downtime_ns, XLMIG_DOWNTIME_DEFAULT_MS * MS);
    /* Not asked for: a target, not a bound. */
    CU_ASSERT_EQUAL(a.bound, XLMIG_DOWNTIME_TARGET);
    CU_ASSERT_FALSE(xlmig_downtime_hard(&a));
    a.bound = XLMIG_DOWNTIME_BOUND;
    CU_ASSERT_TRUE(xlmig_downtime_hard(&a));
    a.allow_long_downtime = true;
    CU_ASSERT_FALSE(xlmig_downtime_hard(&a));
}

/* Two round trips and the backend's cost; what was asked stays. */
static void test_estimate(void)
{
    xlmig_policy_params a, p;
    xlmig_policy_env env = {
        .rtt_ns = 3 * MS, .backend_ns = 10 * MS, .learned_ns = 0,
        .page_size = 4096, .bandwidth_Bps = 0,
    };

    asked_init(&a);
    xlmig_policy_params_build(&p, &a, &env);
    CU_ASSERT_EQUAL(p.switchover_ns, 16 * MS);
    CU_ASSERT_EQUAL(p.page_size, 4096);
    CU_ASSERT_EQUAL(p.link_Bps, 0);
    CU_ASSERT_EQUAL(p.max_downtime_ns, 250 * MS);
    CU_ASSERT_EQUAL(p.bound, XLMIG_DOWNTIME_BOUND);
    CU_ASSERT_EQUAL(p.timeout_ns, 90000 * MS);
    CU_ASSERT_TRUE(p.allow_long_downtime);
    CU_ASSERT_EQUAL(p.max_iterations, XLMIG_POLICY_MAX_ITERATIONS);
}

/* What the host pair really took wins only when it was more. */
static void test_learned(void)
{
    xlmig_policy_params a, p;
    xlmig_policy_env env = {
        .rtt_ns = 3 * MS, .backend_ns = 10 * MS, .learned_ns = 900 * MS,
        .page_size = 65536, .bandwidth_Bps = 125e6,
    };

    asked_init(&a);
    xlmig_policy_params_build(&p, &a, &env);
    CU_ASSERT_EQUAL(p.switchover_ns, 900 * MS);
    CU_ASSERT_EQUAL(p.page_size, 65536);
    CU_ASSERT_DOUBLE_EQUAL(p.link_Bps, 125e6, 1e-3);
    env.learned_ns = 15 * MS;
    xlmig_policy_params_build(&p, &a, &env);
    CU_ASSERT_EQUAL(p.switchover_ns, 16 * MS);
}

/* One flight: the link keeps the guest down for half a round trip. */
static void test_one_flight(void)
{
    xlmig_policy_params a, p;
    xlmig_policy_env env = {
        .rtt_ns = 214 * MS, .backend_ns = 10 * MS, .learned_ns = 0,
        .page_size = 4096, .bandwidth_Bps = 0, .one_flight = true,
    };

    asked_init(&a);
    xlmig_policy_params_build(&p, &a, &env);
    CU_ASSERT_EQUAL(p.switchover_ns, 117 * MS);
    /* The two steps: memory-end -> ready, go -> done. */
    env.one_flight = false;
    xlmig_policy_params_build(&p, &a, &env);
    CU_ASSERT_EQUAL(p.switchover_ns, 438 * MS);
    /* A learned cost still wins when it was more. */
    env.one_flight = true;
    env.learned_ns = 200 * MS;
    xlmig_policy_params_build(&p, &a, &env);
    CU_ASSERT_EQUAL(p.switchover_ns, 200 * MS);
}

static CU_TestInfo tests[] = {
    { "one flight: half a round trip", test_one_flight },
    { "defaults: a target, not a bound", test_defaults },
    { "switchover estimate, options kept", test_estimate },
    { "learned cost and link limit", test_learned },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("policy setup", NULL, NULL, tests)
