/* The hotplug script's own timing, as the receiver reads it back. */
#include "unit.h"

#include <string.h>

#include "drbd.h"

static int parse(const char *text, uint64_t *ns, bool *fast)
{
    return xlmig_drbd_took_parse(text, strlen(text), ns, fast);
}

static void test_took_fast_and_full(void)
{
    uint64_t ns;
    bool fast;

    CU_ASSERT_EQUAL(parse("add fast 100.000000 100.250000\n", &ns, &fast),
                    1);
    CU_ASSERT(fast);
    CU_ASSERT(ns > 249000000ULL && ns < 251000000ULL);
    /* libxl ran it twice: the last add counts. */
    CU_ASSERT_EQUAL(parse("add fast 1.0 2.0\nadd full 5.0 8.5\n", &ns,
                          &fast), 1);
    CU_ASSERT_FALSE(fast);
    CU_ASSERT(ns > 3499000000ULL && ns < 3501000000ULL);
}

static void test_took_refuses_junk(void)
{
    static const char *const bad[] = {
        "", "add\n", "add slow 1.0 2.0\n", "add fast 2.0 1.0\n",
        "add fast -5 1.0\n", "remove fast 1.0 2.0\n",
        "add fast 1.0 99999.0\n", "add fast nan nan\n",
    };
    uint64_t ns;
    bool fast;
    unsigned i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CU_ASSERT_EQUAL(parse(bad[i], &ns, &fast), 0);
        CU_ASSERT_EQUAL(ns, 0);
    }
    /* A line longer than any the script writes is cut, never overrun. */
    {
        char big[600];

        memset(big, '7', sizeof(big) - 1);
        big[sizeof(big) - 1] = 0;
        CU_ASSERT_EQUAL(parse(big, &ns, &fast), 0);
    }
}

static CU_TestInfo tests[] = {
    { "fast and full adds", test_took_fast_and_full },
    { "junk is no timing", test_took_refuses_junk },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("drbd took", NULL, NULL, tests)
