/*
 * The destination restore, broken down: what the destination's "done"
 * says of its disks' hotplug scripts and of rename + unpause, in the
 * source's report (text and JSON), and never beyond the step it is in.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "report.h"
#include "report_text.h"

#define MS 1000000ULL

static void migrated(xlmig_report *r)
{
    xlmig_report_init(r);
    r->outcome = XLMIG_OUT_MIGRATED;
    r->downtime_ns = 9000 * MS;
    r->sw_restore_ns = 5300 * MS;
    r->sw_resume_ns = 900 * MS;
}

static void test_detail_reported(void)
{
    xlmig_report r;
    char *t;

    migrated(&r);
    xlmig_report_restore_detail(&r, 1884 * MS, 1, 1, 500 * MS);
    t = unit_report_text(&r, false);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "restore steps:   DRBD hotplug 1884 ms"
                                     " (1 of 1 disks on the fast path),"
                                     " the rest of libxl's restore 3416"
                                     " ms; rename and unpause 500 ms"));
    free(t);
    t = unit_report_text(&r, true);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "\"restore_drbd_hotplug_ms\":1884"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "\"restore_drbd_hotplug_fast\":1"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "\"restore_other_ms\":3416"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "\"activate_ms\":500"));
    free(t);
}

static void test_detail_bounded(void)
{
    xlmig_report r;
    char *t;

    /* More hotplug than restore, more activation than go->running. */
    migrated(&r);
    xlmig_report_restore_detail(&r, 6000 * MS, 1, 1, 901 * MS);
    CU_ASSERT_EQUAL(r.sw_hotplug_ns, 0);
    CU_ASSERT_EQUAL(r.sw_hotplug_n, 0);
    CU_ASSERT_EQUAL(r.sw_activate_ns, 0);
    /* More fast paths than disks. */
    xlmig_report_restore_detail(&r, 10 * MS, 3, 2, 0);
    CU_ASSERT_EQUAL(r.sw_hotplug_n, 0);
    /* Nothing said: no restore steps line at all. */
    t = unit_report_text(&r, false);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_PTR_NULL(strstr(t, "restore steps:"));
    free(t);
}

static void test_done_carries_it(void)
{
    xlmig_msg m, back;
    char *text = NULL;
    size_t len = 0;

    xlmig_msg_init(&m, XLMIG_MSG_DONE);
    m.ok = true;
    m.hotplug_ns = 1884 * MS;
    m.hotplug_fast = 1;
    m.hotplug_n = 2;
    m.activate_ns = 500 * MS;
    CU_ASSERT_EQUAL_FATAL(xlmig_msg_encode(&m, &text, &len), 0);
    xlmig_msg_init(&back, XLMIG_MSG_NONE);
    CU_ASSERT_EQUAL(xlmig_msg_decode(text, len, &back), 0);
    CU_ASSERT_EQUAL(back.hotplug_ns, 1884 * MS);
    CU_ASSERT_EQUAL(back.hotplug_fast, 1);
    CU_ASSERT_EQUAL(back.hotplug_n, 2);
    CU_ASSERT_EQUAL(back.activate_ns, 500 * MS);
    xlmig_msg_dispose(&back);
    xlmig_msg_dispose(&m);
    free(text);
}

static CU_TestInfo tests[] = {
    { "reported in text and JSON", test_detail_reported },
    { "kept within its step", test_detail_bounded },
    { "carried in done", test_done_carries_it },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("restore detail", NULL, NULL, tests)
