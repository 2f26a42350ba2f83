/* The poll timeout for a deadline: 0 once past, rounded up, bounded. */
#include <limits.h>

#include "clock.h"
#include "unit.h"

static void test_ms_until(void)
{
    uint64_t now = XLMIG_S(1000);

    CU_ASSERT_EQUAL(xlmig_ms_until(now, now), 0);
    CU_ASSERT_EQUAL(xlmig_ms_until(now - 1, now), 0);
    /* a wait never ends just before the deadline */
    CU_ASSERT_EQUAL(xlmig_ms_until(now + 1, now), 1);
    CU_ASSERT_EQUAL(xlmig_ms_until(now + XLMIG_MS(50), now), 51);
    CU_ASSERT_EQUAL(xlmig_ms_until(now + XLMIG_MS(50) - 1, now), 50);
    CU_ASSERT_EQUAL(xlmig_ms_until(UINT64_MAX, 0), INT_MAX);
}

static CU_TestInfo tests[] = {
    { "poll timeout for a deadline", test_ms_until },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("clock", NULL, NULL, tests)
