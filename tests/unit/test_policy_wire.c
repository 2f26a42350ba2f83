/*
 * The policy's link limit with the record codec (xlmig_policy_wire):
 * --bandwidth limits wire bytes, and compressed pages move faster than
 * that; the limit is scaled by the raw/wire gain measured over the last
 * round, never past the rate measured and at most XLMIG_WIRE_GAIN_MAX.
 */
#include "unit.h"

#include "policy.h"

#define MS 1000000ULL
#define PAGE 4096ULL
#define GIB_PAGES 262144L

static xlmig_policy pol;
static xlmig_policy_params par;
static uint64_t raw_total, wire_total;

/* --bandwidth 100 MB/s, target 300 ms, no switchover cost. */
static void setup(void)
{
    xlmig_policy_params_init(&par);
    par.max_downtime_ns = 300 * MS;
    par.timeout_ns = 1000000 * MS;
    par.link_Bps = 100e6;
    par.polish_rounds = 0;     /* the stop rule alone (test_polish.c) */
    xlmig_policy_init(&pol, &par, NULL);
    raw_total = wire_total = 0;
}

/* A round of pages sent in dt, the codec shrinking it by gain. */
static int round_ab(unsigned it, long pages, uint64_t *t, uint64_t dt,
                    double gain)
{
    xlmig_precopy_stats st = { it, 0, pages };
    int d = xlmig_policy_decide(&pol, &st, *t);

    if (d != XLMIG_POLICY_CONTINUE)
        return d;
    raw_total += (uint64_t)pages * PAGE;
    wire_total += (uint64_t)((double)pages * PAGE / gain);
    xlmig_policy_wire(&pol, raw_total, wire_total);
    *t += dt;
    st.iteration = it + 1;
    st.dirty_count = -1;
    return xlmig_policy_decide(&pol, &st, *t);
}

static bool near(double got, double want)
{
    return got > want * 0.99 && got < want * 1.01;
}

/* 80 MiB left: 0.27 s at 300 MB/s of pages, 0.82 s at the wire's. */
#define LEFT 20000L

static void test_gain_scales_the_link(void)
{
    xlmig_precopy_stats st = { 1, 0, LEFT };
    uint64_t t = 1;

    setup();
    /* 1 GiB of pages in 3.58 s over a 100 MB/s wire: a gain of 3. */
    CU_ASSERT_EQUAL(round_ab(0, GIB_PAGES, &t, 3579 * MS, 3.0),
                    XLMIG_POLICY_CONTINUE);
    CU_ASSERT(near(pol.wire_gain, 3.0));
    CU_ASSERT(near(xlmig_policy_tx_Bps(&pol), 300e6));
    CU_ASSERT_EQUAL(xlmig_policy_decide(&pol, &st, t),
                    XLMIG_POLICY_STOP_AND_COPY);
    CU_ASSERT(near((double)pol.predicted_ns, LEFT * PAGE / 300e6 * 1e9));
}

static void test_never_past_the_measured(void)
{
    xlmig_precopy_stats st = { 1, 0, LEFT };
    uint64_t t = 1;

    setup();
    /* Gain 3, but the pages went at 150 MB/s (the receiver's pace). */
    round_ab(0, GIB_PAGES, &t, 7158 * MS, 3.0);
    CU_ASSERT(near(xlmig_policy_tx_Bps(&pol), 150e6));
    CU_ASSERT_EQUAL(xlmig_policy_decide(&pol, &st, t),
                    XLMIG_POLICY_CONTINUE);
}

static void test_gain_bounded(void)
{
    uint64_t t = 1;

    setup();
    /* The simulator's pages shrink 50x; memory copies at 10 GB/s. */
    round_ab(0, GIB_PAGES, &t, 107 * MS, 50.0);
    CU_ASSERT(near(pol.wire_gain, XLMIG_WIRE_GAIN_MAX));
    CU_ASSERT(near(xlmig_policy_tx_Bps(&pol), 100e6 * XLMIG_WIRE_GAIN_MAX));
}

static void test_raw_or_small_rounds(void)
{
    uint64_t t = 1;

    setup();
    /* Nothing told (another backend), or records sent raw: the wire's. */
    round_ab(0, GIB_PAGES, &t, 3579 * MS, 1.0);
    CU_ASSERT(near(xlmig_policy_tx_Bps(&pol), 100e6));
    setup();
    {
        xlmig_precopy_stats st = { 0, 0, GIB_PAGES };

        xlmig_policy_decide(&pol, &st, t);
        st.iteration = 1;
        st.dirty_count = -1;
        xlmig_policy_decide(&pol, &st, t + 3579 * MS);
        CU_ASSERT_EQUAL(pol.wire_gain, 0);
        CU_ASSERT(near(xlmig_policy_tx_Bps(&pol), 100e6));
    }
    /* A gain measured, then a round of a few pages: the gain stays. */
    setup();
    round_ab(0, GIB_PAGES, &t, 3579 * MS, 3.0);
    round_ab(1, 100, &t, 1 * MS, 1.0);
    CU_ASSERT(near(pol.wire_gain, 3.0));
}

static CU_TestInfo tests[] = {
    { "the codec's gain scales the link limit", test_gain_scales_the_link },
    { "never past the rate measured", test_never_past_the_measured },
    { "the gain is bounded", test_gain_bounded },
    { "raw records or tiny rounds", test_raw_or_small_rounds },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("policy wire gain", NULL, NULL, tests)
