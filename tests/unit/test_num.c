/*
 * Whole numbers from foreign text: digits only, the bounds inclusive,
 * no sign (strtoul would wrap "-1"), no space, no overflow.
 */
#include <stdint.h>

#include "kv.h"
#include "error.h"
#include "num.h"
#include "unit.h"

static void test_bounds(void)
{
    uint64_t v = 7;

    CU_ASSERT_EQUAL(xlmig_num_u64("1", 10, 1, 10, &v), XLMIG_NUM_OK);
    CU_ASSERT_EQUAL(v, 1);
    CU_ASSERT_EQUAL(xlmig_num_u64("10", 10, 1, 10, &v), XLMIG_NUM_OK);
    CU_ASSERT_EQUAL(v, 10);
    v = 7;
    CU_ASSERT_EQUAL(xlmig_num_u64("0", 10, 1, 10, &v), XLMIG_NUM_RANGE);
    CU_ASSERT_EQUAL(xlmig_num_u64("11", 10, 1, 10, &v), XLMIG_NUM_RANGE);
    CU_ASSERT_EQUAL(v, 7);                      /* untouched */
    CU_ASSERT_EQUAL(xlmig_num_u64("18446744073709551615", 10, 0,
                                  UINT64_MAX, &v), XLMIG_NUM_OK);
    CU_ASSERT_EQUAL(v, UINT64_MAX);
    CU_ASSERT_EQUAL(xlmig_num_u64("18446744073709551616", 10, 0,
                                  UINT64_MAX, &v), XLMIG_NUM_BAD);
    CU_ASSERT_EQUAL(xlmig_num_u64("007", 10, 0, 10, &v), XLMIG_NUM_OK);
    CU_ASSERT_EQUAL(v, 7);
}

static void test_not_numbers(void)
{
    static const char *const bad[] = {
        "", "-1", "+1", " 1", "1 ", "1x", "0x10", "1.5", "1e3", "\t2",
    };
    uint64_t v = 7;
    unsigned i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CU_ASSERT_EQUAL(xlmig_num_u64(bad[i], 10, 0, UINT64_MAX, &v),
                        XLMIG_NUM_BAD);
    CU_ASSERT_EQUAL(xlmig_num_u64(NULL, 10, 0, 1, &v), XLMIG_NUM_BAD);
    CU_ASSERT_EQUAL(xlmig_num_u64("12", 8, 0, 99, &v), XLMIG_NUM_BAD);
    CU_ASSERT_EQUAL(v, 7);
}

static void test_hex(void)
{
    uint64_t v = 0;

    CU_ASSERT_EQUAL(xlmig_num_u64("ffFF", 16, 0, UINT64_MAX, &v),
                    XLMIG_NUM_OK);
    CU_ASSERT_EQUAL(v, 0xffff);
    CU_ASSERT_EQUAL(xlmig_num_u64("ffffffffffffffff", 16, 0, UINT64_MAX,
                                  &v), XLMIG_NUM_OK);
    CU_ASSERT_EQUAL(v, UINT64_MAX);
    CU_ASSERT_EQUAL(xlmig_num_u64("10000000000000000", 16, 0, UINT64_MAX,
                                  &v), XLMIG_NUM_BAD);
    CU_ASSERT_EQUAL(xlmig_num_u64("-1", 16, 0, UINT64_MAX, &v),
                    XLMIG_NUM_BAD);
    CU_ASSERT_EQUAL(xlmig_num_u64("0x1", 16, 0, UINT64_MAX, &v),
                    XLMIG_NUM_BAD);
    CU_ASSERT_EQUAL(xlmig_num_u64("g", 16, 0, UINT64_MAX, &v),
                    XLMIG_NUM_BAD);
}

/* The config's numbers word both failures as before. */
static void test_kv_messages(void)
{
    uint64_t v;

    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_kv_u64("f:1: n", "-3", 1, 9, &v), XLMIG_E_INVAL);
    CU_ASSERT_STRING_EQUAL(xlmig_errmsg(),
                           "f:1: n: \"-3\" is not a whole number");
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_kv_u64("f:1: n", "10", 1, 9, &v), XLMIG_E_INVAL);
    CU_ASSERT_STRING_EQUAL(xlmig_errmsg(),
                           "f:1: n: 10 is out of range (1 to 9)");
    xlmig_err_clear();
}

static CU_TestInfo tests[] = {
    { "bounds are inclusive", test_bounds },
    { "only digits", test_not_numbers },
    { "hexadecimal", test_hex },
    { "config messages", test_kv_messages },
    CU_TEST_INFO_NULL,
};
XLMIG_UNIT_SUITE("num", NULL, NULL, tests);
