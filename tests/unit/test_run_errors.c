/*
 * Error state per migration run (error.h): with both sides in one
 * process, each reports and warns about its own failure, and the other
 * side's words about it arrive as the peer's, never as a copy.
 */
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"
#include "log_capture.h"

#include "error.h"
#include "fault.h"
#include "sim_pair.h"

static void test_dest_failure(void)
{
    sim_pair p;

    xlmig_err_clear();
    CU_ASSERT_EQUAL_FATAL(xlmig_fault_set("dest:switchover:error"), 1);
    sim_pair_init(&p);
    CU_ASSERT_EQUAL(sim_pair_run(&p), XLMIG_E_REMOTE);
    CU_ASSERT_EQUAL(p.drc, XLMIG_E_BACKEND);
    CU_ASSERT_STRING_EQUAL(p.drep.message, "injected fault: error at"
                           " switchover");
    /*
     * The destination's root cause either way: its refusal came before
     * go was written (the source's last look at the channel saw it),
     * or as the answer to go, saying it never started the guest.
     */
    CU_ASSERT(!strcmp(p.rep.message, "destination could not start the"
                      " guest: injected fault: error at switchover") ||
              !strcmp(p.rep.message, "destination failed: injected"
                      " fault: error at switchover"));
    CU_ASSERT(p.rep.guest_on_source);
    CU_ASSERT(xlmig_sim_src_ops.running(&p.s));
    sim_pair_dispose(&p);
    xlmig_fault_set(NULL);
}

static int prepared_dst(void *arg, const xlmig_msg *req);

/*
 * The destination's rollback waits until the source has returned (and
 * hung up): its report is written after the source's last word on its
 * own error, whichever thread that word was recorded on.
 */
static bool source_gone;

static int dst_rollback_late(void *arg)
{
    sim_pair *p = arg;
    struct pollfd pfd = { .fd = p->sv[1], .events = POLLRDHUP };

    source_gone = poll(&pfd, 1, 10000) == 1 && (pfd.revents & POLLRDHUP);
    return 0;
}

static void test_source_failure(void)
{
    sim_pair p;
    xlmig_hooks dh = { .arg = &p, .dst_prepare = prepared_dst,
                       .dst_rollback = dst_rollback_late };

    xlmig_err_clear();
    CU_ASSERT_EQUAL_FATAL(xlmig_fault_set("source:switchover:error"), 1);
    sim_pair_init(&p);
    p.dopts.hooks = &dh;
    source_gone = false;
    CU_ASSERT_EQUAL(sim_pair_run(&p), XLMIG_E_BACKEND);
    CU_ASSERT(source_gone);
    CU_ASSERT_STRING_EQUAL(p.rep.message, "injected fault: error at"
                           " switchover");
    CU_ASSERT_EQUAL(p.drc, XLMIG_E_ABORTED);
    CU_ASSERT_EQUAL(strncmp(p.drep.message, "source aborted", 14), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(p.drep.message, "injected fault: error"
                                  " at switchover"));
    CU_ASSERT(p.rep.guest_on_source);
    CU_ASSERT_FALSE(p.d.created && p.d.active);
    sim_pair_dispose(&p);
    xlmig_fault_set(NULL);
}

/*
 * The two rollbacks, interleaved on purpose: the destination's hook
 * fails only once the source's rollback has set its root cause aside,
 * and the source's hook fails only after that.
 */
typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int step;                  /* 1: source in rollback, 2: dest failed */
    bool lost;                 /* a step never came */
} interleave;

static int prepared(void *arg)
{
    (void)arg;
    return 0;
}

static int prepared_dst(void *arg, const xlmig_msg *req)
{
    (void)arg;
    (void)req;
    return 0;
}

/* Set a step, wait for another; il->lost if it never comes. */
static void reach(interleave *il, int step, int set)
{
    struct timespec until;
    bool ok = true;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    pthread_mutex_lock(&il->lock);
    if (set) {
        il->step = set;
        pthread_cond_broadcast(&il->cond);
    }
    while (ok && il->step < step)
        ok = !pthread_cond_timedwait(&il->cond, &il->lock, &until);
    if (!ok)
        il->lost = true;
    pthread_mutex_unlock(&il->lock);
}

static int src_rollback_fails(void *arg)
{
    reach(arg, 2, 1);
    xlmig_err(XLMIG_E_EXTERNAL, "source window stuck");
    return XLMIG_E_EXTERNAL;
}

static int dst_rollback_fails(void *arg)
{
    /* On the destination's thread: no CUnit here. */
    reach(arg, 1, 0);
    xlmig_err(XLMIG_E_EXTERNAL, "dest window stuck");
    reach(arg, 2, 2);
    return XLMIG_E_EXTERNAL;
}

/* The warning line that starts with what, "" if none. */
static void warning(const char *log, const char *what, char *out,
                    size_t len)
{
    const char *s = strstr(log, what), *e;

    out[0] = 0;
    if (!s)
        return;
    e = strchr(s, '\n');
    snprintf(out, len, "%.*s", (int)(e ? e - s : (long)strlen(s)), s);
}

static void test_rollback_warnings(void)
{
    interleave il = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
                      0, false };
    xlmig_hooks sh = { .arg = &il, .src_prepare = prepared,
                       .src_rollback = src_rollback_fails };
    xlmig_hooks dh = { .arg = &il, .dst_prepare = prepared_dst,
                       .dst_rollback = dst_rollback_fails };
    char log[8192], w[512];
    unit_log_capture lc;
    sim_pair p;

    xlmig_err_clear();
    CU_ASSERT_EQUAL_FATAL(xlmig_fault_set("dest:switchover:error"), 1);
    sim_pair_init(&p);
    p.o.hooks = &sh;
    p.dopts.hooks = &dh;
    /* The warnings, as an operator would read them. */
    CU_ASSERT_FATAL(unit_log_capture_begin(&lc) == 0);
    CU_ASSERT_EQUAL(sim_pair_run(&p), XLMIG_E_REMOTE);
    unit_log_capture_end(&lc, log, sizeof(log));
    /* Both hooks ran, in the order that mixed the errors up. */
    CU_ASSERT_EQUAL(il.step, 2);
    CU_ASSERT_FALSE(il.lost);
    /* The source names its own hook's failure, nothing of the dest's. */
    warning(log, "closing the disk window on rollback failed", w,
            sizeof(w));
    CU_ASSERT_STRING_EQUAL(w, "closing the disk window on rollback failed:"
                           " source window stuck");
    /* The dest names its own root cause, nothing of the source's. */
    warning(log, "closing the disk window failed", w, sizeof(w));
    CU_ASSERT_STRING_EQUAL(w, "closing the disk window failed: injected"
                           " fault: error at switchover");
    /* And each report keeps its own root cause. */
    CU_ASSERT_STRING_EQUAL(p.drep.message, "injected fault: error at"
                           " switchover");
    /* Its root cause, before go or as the answer to it (as above). */
    CU_ASSERT(!strcmp(p.rep.message, "destination could not start the"
                      " guest: injected fault: error at switchover") ||
              !strcmp(p.rep.message, "destination failed: injected"
                      " fault: error at switchover"));
    CU_ASSERT(p.rep.guest_on_source);
    sim_pair_dispose(&p);
    xlmig_fault_set(NULL);
}

static CU_TestInfo tests[] = {
    { "dest fails: the source reports the peer's failure",
      test_dest_failure },
    { "source fails: the dest reports the peer's abort",
      test_source_failure },
    { "rollback warnings name their own failure", test_rollback_warnings },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("run errors", NULL, NULL, tests)
