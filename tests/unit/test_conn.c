/*
 * The connection has one owner (conn.h): an injected close hangs up
 * without closing what the caller lent, and a source that never reached
 * its peer touches no fd at all.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

#include "error.h"
#include "fault.h"
#include "sim_pair.h"

/* The fd is open, on /dev/null: hung up, its number still taken. */
static bool on_dev_null(int fd)
{
    struct stat a, b;

    return !fstat(fd, &a) && !stat("/dev/null", &b) &&
           S_ISCHR(a.st_mode) && a.st_rdev == b.st_rdev;
}

/*
 * A run with fault set, where the side whose fd is closer closes its
 * end: that end is on /dev/null (hung up, still its owner's to close),
 * the other untouched, the guest still on the source. The source's rc.
 */
static int run_closing(sim_pair *p, const char *fault, int closer)
{
    int rc;

    CU_ASSERT_EQUAL_FATAL(xlmig_fault_set(fault), 1);
    sim_pair_init(p);
    rc = sim_pair_run(p);
    CU_ASSERT(p->rep.guest_on_source);
    CU_ASSERT(on_dev_null(p->sv[closer]));
    CU_ASSERT_FALSE(on_dev_null(p->sv[!closer]));
    xlmig_fault_set(NULL);
    return rc;
}

static void test_close_keeps_lent_fds(void)
{
    sim_pair p;

    xlmig_err_clear();
    CU_ASSERT_EQUAL(run_closing(&p, "source:precopy:close", 0), XLMIG_E_IO);
    CU_ASSERT_EQUAL(p.rep.outcome, XLMIG_OUT_FAILED);
    CU_ASSERT_NOT_EQUAL(p.drep.outcome, XLMIG_OUT_MIGRATED);
    sim_pair_dispose(&p);

    CU_ASSERT_NOT_EQUAL(run_closing(&p, "dest:precopy:close", 1), 0);
    CU_ASSERT_EQUAL(p.drep.outcome, XLMIG_OUT_FAILED);
    sim_pair_dispose(&p);
}

/* Refused before the transport: no fd is touched, stdin included. */
static void test_refused_early_leaves_stdin(void)
{
    int pfd[2], saved, fl;
    sim_pair p;

    CU_ASSERT_FATAL(pipe(pfd) == 0);
    saved = dup(0);
    CU_ASSERT_FATAL(saved >= 0);
    CU_ASSERT_FATAL(dup2(pfd[0], 0) == 0);
    CU_ASSERT_FATAL(fcntl(0, F_SETFL, O_NONBLOCK) == 0);
    xlmig_err_clear();
    CU_ASSERT_EQUAL_FATAL(xlmig_fault_set("source:precheck:error"), 1);
    sim_pair_init(&p);
    CU_ASSERT_EQUAL(sim_pair_run(&p), XLMIG_E_BACKEND);
    CU_ASSERT_STRING_EQUAL(p.rep.message, "injected fault: error at"
                           " precheck");
    CU_ASSERT(p.rep.guest_on_source);
    fl = fcntl(0, F_GETFL);
    CU_ASSERT(fl >= 0 && (fl & O_NONBLOCK));
    sim_pair_dispose(&p);
    xlmig_fault_set(NULL);
    dup2(saved, 0);
    close(saved);
    close(pfd[0]);
    close(pfd[1]);
}

static CU_TestInfo tests[] = {
    { "an injected close keeps the lent fds taken",
      test_close_keeps_lent_fds },
    { "refused before the peer: stdin untouched",
      test_refused_early_leaves_stdin },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("conn", NULL, NULL, tests)
