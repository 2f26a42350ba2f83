/* DRBD 8.4's /proc/drbd, read for the check right after the suspend. */
#include "unit.h"

#include <string.h>

#include "drbd.h"
#include "error.h"

static const char proc[] =
    "version: 8.4.11 (api:1/proto:86-101)\n"
    "srcversion: F73C670A7EC572DB9CF3E5B \n"
    " 0: cs:Connected ro:Primary/Primary ds:UpToDate/UpToDate C r-----\n"
    "    ns:65496 nr:0 dw:0 dr:65496 al:8 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1\n"
    " 1: cs:Connected ro:Secondary/Secondary ds:UpToDate/UpToDate C r---\n"
    " 2: cs:SyncSource ro:Primary/Primary ds:UpToDate/Inconsistent C r-\n"
    "12: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n";

static int parse(const int *minors, unsigned n, xlmig_drbd_state *s)
{
    int rc = xlmig_drbd_parse_proc84(proc, strlen(proc), "r0", minors, n, s);

    xlmig_err_clear();
    return rc;
}

static void test_proc_synced(void)
{
    static const int m0[] = { 0 }, m12[] = { 12 };
    xlmig_drbd_state s;

    CU_ASSERT_EQUAL_FATAL(parse(m0, 1, &s), 0);
    CU_ASSERT_EQUAL(s.role, XLMIG_DRBD_ROLE_PRIMARY);
    CU_ASSERT_EQUAL(s.peer_role, XLMIG_DRBD_ROLE_PRIMARY);
    CU_ASSERT_STRING_EQUAL(s.cstate, "Connected");
    CU_ASSERT_TRUE(xlmig_drbd_state_synced(&s));
    /* "12:" is not " 1:" or " 2:". */
    CU_ASSERT_EQUAL_FATAL(parse(m12, 1, &s), 0);
    CU_ASSERT_EQUAL(s.peer_role, XLMIG_DRBD_ROLE_SECONDARY);
}

static void test_proc_volumes_merge(void)
{
    static const int m02[] = { 0, 2 };
    xlmig_drbd_state s;

    /* A resyncing volume makes the whole resource not synced. */
    CU_ASSERT_EQUAL_FATAL(parse(m02, 2, &s), 0);
    CU_ASSERT_FALSE(xlmig_drbd_state_synced(&s));
}

static void test_proc_refused(void)
{
    static const int m5[] = { 5 }, neg[] = { -1 };
    static const char half[] = " 0: cs:Connected ro:Primary/Primary\n";
    static const char bad[] = " 0: cs:Connected ro:Boss/Primary"
                              " ds:UpToDate/UpToDate C\n";
    static const int m0[] = { 0 };
    xlmig_drbd_state s;

    CU_ASSERT_NOT_EQUAL(parse(m5, 1, &s), 0);
    CU_ASSERT_NOT_EQUAL(parse(neg, 1, &s), 0);
    CU_ASSERT_NOT_EQUAL(parse(m0, 0, &s), 0);
    CU_ASSERT_NOT_EQUAL(xlmig_drbd_parse_proc84(half, strlen(half), "r0",
                                                m0, 1, &s), 0);
    CU_ASSERT_NOT_EQUAL(xlmig_drbd_parse_proc84(bad, strlen(bad), "r0",
                                                m0, 1, &s), 0);
    xlmig_err_clear();
}

static CU_TestInfo tests[] = {
    { "synced minor", test_proc_synced },
    { "volumes merge", test_proc_volumes_merge },
    { "junk refused", test_proc_refused },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("drbd proc", NULL, NULL, tests)
