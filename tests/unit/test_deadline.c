/* The switchover deadline: factor, floor, cap, and no overflow. */
#include <stdint.h>

#include "unit.h"

#include "deadline.h"
#include "error.h"

static void test_factor_floor_cap(void)
{
    xlmig_deadline_params p;

    xlmig_deadline_params_init(&p);
    CU_ASSERT_EQUAL(p.min_ns, XLMIG_S(5));
    CU_ASSERT_EQUAL(p.max_ns, XLMIG_S(60));
    /* Small plans meet the floor, big ones the cap. */
    CU_ASSERT_EQUAL(xlmig_deadline_ns(&p, XLMIG_MS(200), XLMIG_MS(300)),
                    XLMIG_S(5));
    CU_ASSERT_EQUAL(xlmig_deadline_ns(&p, XLMIG_S(4), XLMIG_MS(300)),
                    XLMIG_S(12));
    CU_ASSERT_EQUAL(xlmig_deadline_ns(&p, XLMIG_S(40), XLMIG_MS(300)),
                    XLMIG_S(60));
    /* Never below the factor times the target. */
    CU_ASSERT_EQUAL(xlmig_deadline_ns(&p, XLMIG_MS(100), XLMIG_S(3)),
                    XLMIG_S(9));
}

static void test_unknown_plan_and_overflow(void)
{
    xlmig_deadline_params p = { XLMIG_MS(10), UINT64_MAX };

    /* No prediction: the target stands in for it. */
    CU_ASSERT_EQUAL(xlmig_deadline_ns(&p, UINT64_MAX, XLMIG_S(2)),
                    XLMIG_S(6));
    CU_ASSERT_EQUAL(xlmig_deadline_ns(&p, 0, XLMIG_S(2)), XLMIG_S(6));
    CU_ASSERT_EQUAL(xlmig_deadline_ns(&p, UINT64_MAX - 1, 0), UINT64_MAX);
    p.max_ns = XLMIG_S(1);
    CU_ASSERT_EQUAL(xlmig_deadline_ns(&p, UINT64_MAX - 1, 0), XLMIG_S(1));
    /* An operator's floor above the cap: the cap wins. */
    p.min_ns = XLMIG_S(2);
    CU_ASSERT_EQUAL(xlmig_deadline_ns(&p, XLMIG_MS(1), 0), XLMIG_S(1));
}

static CU_TestInfo tests[] = {
    { "factor, floor and cap", test_factor_floor_cap },
    { "unknown plan, no overflow", test_unknown_plan_and_overflow },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("deadline", NULL, NULL, tests)
