/* Running DRBD tools: exit status, bounded output, timeout, missing. */
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#include "drbd.h"
#include "error.h"

static void test_output_and_status(void)
{
    const char *argv[] = { "/bin/sh", "-c",
                           "echo Primary/Secondary; echo oops >&2; exit 3",
                           NULL };
    xlmig_drbd_out o;

    xlmig_drbd_out_init(&o);
    CU_ASSERT_EQUAL(xlmig_drbd_exec(argv, XLMIG_S(10), &o), 0);
    CU_ASSERT_EQUAL(o.status, 3);
    CU_ASSERT_STRING_EQUAL(o.out, "Primary/Secondary\n");
    CU_ASSERT_EQUAL(o.out_len, 18);
    CU_ASSERT_STRING_EQUAL(o.err, "oops\n");
    CU_ASSERT(!o.truncated);
    xlmig_drbd_out_dispose(&o);
    xlmig_drbd_out_dispose(&o);
}

static void test_no_shell(void)
{
    /* Arguments are never interpreted: ';' reaches the program. */
    const char *argv[] = { "/bin/echo", "r0; touch /nonexistent", NULL };
    xlmig_drbd_out o;

    xlmig_drbd_out_init(&o);
    CU_ASSERT_EQUAL(xlmig_drbd_exec(argv, XLMIG_S(10), &o), 0);
    CU_ASSERT_STRING_EQUAL(o.out, "r0; touch /nonexistent\n");
    xlmig_drbd_out_dispose(&o);
}

static void test_bounded(void)
{
    const char *argv[] = { "/bin/sh", "-c",
                           "head -c 3000000 /dev/zero | tr '\\0' x", NULL };
    xlmig_drbd_out o;

    xlmig_drbd_out_init(&o);
    CU_ASSERT_EQUAL(xlmig_drbd_exec(argv, XLMIG_S(30), &o), 0);
    CU_ASSERT(o.truncated);
    CU_ASSERT_EQUAL(o.out_len, XLMIG_DRBD_OUT_MAX);
    CU_ASSERT_EQUAL(o.status, 0);
    xlmig_drbd_out_dispose(&o);
}

static void test_timeout(void)
{
    /* The child's own child must die too (process group). */
    const char *argv[] = { "/bin/sh", "-c", "sleep 30 & sleep 30", NULL };
    uint64_t t0 = xlmig_now_ns();
    xlmig_drbd_out o;

    xlmig_drbd_out_init(&o);
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_drbd_exec(argv, XLMIG_MS(200), &o),
                    XLMIG_E_TIMEOUT);
    CU_ASSERT(xlmig_now_ns() - t0 < XLMIG_S(5));
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "killed"));
    xlmig_drbd_out_dispose(&o);
}

static void test_missing(void)
{
    const char *argv[] = { "/nonexistent/drbdadm", "role", "r0", NULL };
    xlmig_drbd_out o;

    xlmig_drbd_out_init(&o);
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_drbd_exec(argv, XLMIG_S(10), &o),
                    XLMIG_E_EXTERNAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "cannot run"));
    xlmig_drbd_out_dispose(&o);
}

static void test_prog_override(void)
{
    setenv("XLMIG_DRBDADM", "/tmp/fake-drbdadm", 1);
    CU_ASSERT_STRING_EQUAL(xlmig_drbd_prog_adm(), "/tmp/fake-drbdadm");
    unsetenv("XLMIG_DRBDADM");
    CU_ASSERT_STRING_EQUAL(xlmig_drbd_prog_adm(), "drbdadm");
    CU_ASSERT_STRING_EQUAL(xlmig_drbd_prog_setup(), "drbdsetup");
}

static CU_TestInfo tests[] = {
    { "output and status", test_output_and_status },
    { "no shell", test_no_shell },
    { "bounded output", test_bounded },
    { "timeout kills the group", test_timeout },
    { "missing program", test_missing },
    { "program override", test_prog_override },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("drbd-exec", NULL, NULL, tests);
