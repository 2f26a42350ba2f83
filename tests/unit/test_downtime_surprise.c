/* A downtime several times its prediction is said, in text and JSON. */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "downtime_surprise.h"
#include "report.h"
#include "report_text.h"

#define MS 1000000ULL

static void test_rule(void)
{
    /* The first move to a host: 225 ms predicted, 9351 ms paid. */
    CU_ASSERT_TRUE(xlmig_downtime_surprise(225 * MS, 9351 * MS));
    CU_ASSERT_TRUE(xlmig_downtime_surprise(100 * MS, 300 * MS));
    CU_ASSERT_FALSE(xlmig_downtime_surprise(100 * MS, 299 * MS));
    /* Three times a tiny prediction is noise, not news. */
    CU_ASSERT_FALSE(xlmig_downtime_surprise(5 * MS, 40 * MS));
    /* No prediction (none made, or unknown): nothing to compare. */
    CU_ASSERT_FALSE(xlmig_downtime_surprise(0, 9351 * MS));
    CU_ASSERT_FALSE(xlmig_downtime_surprise(UINT64_MAX, 9351 * MS));
}

static void test_reported(void)
{
    xlmig_report r;
    char *t;

    xlmig_report_init(&r);
    r.outcome = XLMIG_OUT_MIGRATED;
    r.predicted_ns = 225 * MS;
    r.downtime_ns = 9351 * MS;
    xlmig_downtime_surprise_check(&r, "xen2");
    CU_ASSERT_TRUE(r.over_prediction);
    t = unit_report_text(&r, false);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "warning:         downtime 41.6x the"
                                     " prediction"));
    free(t);
    t = unit_report_text(&r, true);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "\"downtime_over_prediction\":true"));
    free(t);
    r.downtime_ns = 300 * MS;
    xlmig_downtime_surprise_check(&r, "xen2");
    CU_ASSERT_FALSE(r.over_prediction);
    t = unit_report_text(&r, true);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "\"downtime_over_prediction\":false"));
    free(t);
}

static CU_TestInfo tests[] = {
    { "several times the prediction", test_rule },
    { "warned and reported", test_reported },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("downtime surprise", NULL, NULL, tests)
