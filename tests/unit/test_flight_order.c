/*
 * The order of the switchover's steps across both sides: in one flight
 * the source's DRBD check (src_verify) runs right after the suspend,
 * before the destination has anything to restore; in two steps after
 * the destination's restore. The destination's disk window closes
 * (dst_commit) only once the guest runs there, either way; a failed
 * check leaves nothing restored and the guest running here.
 */
#include <stdatomic.h>
#include <string.h>

#include "unit.h"

#include "error.h"
#include "sim_pair.h"

enum { EV_VERIFY, EV_END, EV_ACTIVATE, EV_DST_COMMIT, EV_DST_ROLLBACK,
       EV__COUNT };

static atomic_uint seq;
static unsigned at[EV__COUNT];     /* 1-based step, 0: never */
static int verify_rc;

static void mark(unsigned ev)
{
    at[ev] = atomic_fetch_add(&seq, 1) + 1;
}

static int src_verify(void *arg)
{
    (void)arg;
    mark(EV_VERIFY);
    if (verify_rc)
        xlmig_err(verify_rc, "drbd r0: WFConnection at the switchover");
    return verify_rc;
}

static int dst_prepare(void *arg, const xlmig_msg *req)
{
    (void)arg;
    (void)req;
    return 0;
}

static int dst_commit(void *arg)
{
    (void)arg;
    mark(EV_DST_COMMIT);
    return 0;
}

static int dst_rollback(void *arg)
{
    (void)arg;
    mark(EV_DST_ROLLBACK);
    return 0;
}

static int end(void *be, const xlmig_msg *m, xlmig_restore_result *res)
{
    mark(EV_END);
    return xlmig_sim_dst_ops.end(be, m, res);
}

static int activate(void *be)
{
    mark(EV_ACTIVATE);
    return xlmig_sim_dst_ops.activate(be);
}

/* One migration with the hooks and backend wrapped; the source's rc. */
static int run(bool two_step, int vrc, sim_pair *p)
{
    static xlmig_hooks sh, dh;
    int rc;

    memset(at, 0, sizeof(at));
    atomic_store(&seq, 0);
    verify_rc = vrc;
    memset(&sh, 0, sizeof(sh));
    memset(&dh, 0, sizeof(dh));
    sh.src_verify = src_verify;
    dh.dst_prepare = dst_prepare;
    dh.dst_commit = dst_commit;
    dh.dst_rollback = dst_rollback;
    xlmig_err_clear();
    sim_pair_init(p);
    p->o.two_step = two_step;
    p->o.hooks = &sh;
    p->dopts.hooks = &dh;
    p->dops.end = end;
    p->dops.activate = activate;
    rc = sim_pair_run(p);
    return rc;
}

static void test_one_flight_order(void)
{
    sim_pair p;

    CU_ASSERT_EQUAL(run(false, 0, &p), 0);
    CU_ASSERT_STRING_EQUAL(p.rep.switchover, "one-flight");
    /* Checked before the destination had a stream end to restore. */
    CU_ASSERT(at[EV_VERIFY] && at[EV_VERIFY] < at[EV_END]);
    CU_ASSERT(at[EV_END] < at[EV_ACTIVATE]);
    /* The window closes there only once the guest runs there. */
    CU_ASSERT(at[EV_ACTIVATE] < at[EV_DST_COMMIT]);
    CU_ASSERT_EQUAL(at[EV_DST_ROLLBACK], 0);
    CU_ASSERT(p.rep.downtime_ns > 0);
    CU_ASSERT(p.rep.verified);
    CU_ASSERT_EQUAL(p.rep.outcome, XLMIG_OUT_MIGRATED);
    sim_pair_dispose(&p);
}

static void test_two_step_order(void)
{
    sim_pair p;

    CU_ASSERT_EQUAL(run(true, 0, &p), 0);
    CU_ASSERT_STRING_EQUAL(p.rep.switchover, "two-step");
    /* The destination restored and said ready before the check. */
    CU_ASSERT(at[EV_END] && at[EV_END] < at[EV_VERIFY]);
    CU_ASSERT(at[EV_VERIFY] < at[EV_ACTIVATE]);
    CU_ASSERT(at[EV_ACTIVATE] < at[EV_DST_COMMIT]);
    CU_ASSERT_EQUAL(p.rep.outcome, XLMIG_OUT_MIGRATED);
    sim_pair_dispose(&p);
}

static void test_failed_check_restores_nothing(void)
{
    sim_pair p;

    CU_ASSERT_EQUAL(run(false, XLMIG_E_CHECK, &p), XLMIG_E_CHECK);
    CU_ASSERT(strstr(p.rep.message, "WFConnection") != NULL);
    /* No memory-end went out: nothing there to restore or start. */
    CU_ASSERT_EQUAL(at[EV_END], 0);
    CU_ASSERT_EQUAL(at[EV_ACTIVATE], 0);
    CU_ASSERT_EQUAL(at[EV_DST_COMMIT], 0);
    CU_ASSERT(at[EV_DST_ROLLBACK] > 0);
    CU_ASSERT(p.rep.guest_on_source);
    CU_ASSERT(xlmig_sim_src_ops.running(&p.s));
    CU_ASSERT_FALSE(p.s.destroyed);
    CU_ASSERT_EQUAL(p.drep.outcome, XLMIG_OUT_ABORTED);
    sim_pair_dispose(&p);
}

static CU_TestInfo tests[] = {
    { "one flight: check at the suspend, window closes after start",
      test_one_flight_order },
    { "two steps: check after ready", test_two_step_order },
    { "a failed check: nothing restored, guest here",
      test_failed_check_restores_nothing },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("switchover order", NULL, NULL, tests)
