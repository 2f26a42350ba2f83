/*
 * The pre-copy driver (precopy.h): libxenguest's calling protocol
 * around a decision, on a virtual clock, with a backend that records
 * what it was asked to do.
 */
#include "unit.h"

#include <string.h>

#include "error.h"
#include "precopy.h"

#define MS 1000000ULL
#define MAXLOG 64

typedef struct {
    uint64_t now;
    /* What the decision says at each call, in order; CONTINUE after. */
    int script[16];
    unsigned nscript, ncall;
    xlmig_precopy_stats seen[16];
    unsigned long sent[16];     /* rounds sent, pages */
    unsigned nsent;
    unsigned long next_clean;
    unsigned ncleans, nticks, nbetween;
    int between_rc;             /* from the nbetween_at'th between */
    unsigned between_at;
    long peek;
    xlmig_precopy *pc;
    uint64_t batch_ns;          /* send_round: per batch of 10 pages */
    int round_rc;
} fake;

static uint64_t f_now(void *arg)
{
    return ((fake *)arg)->now;
}

static long f_peek(void *arg)
{
    return ((fake *)arg)->peek;
}

/* Batches of 10 pages, batch_ns each; the driver hears of each. */
static int f_send(void *arg, unsigned long n)
{
    fake *f = arg;
    unsigned long done = 0;
    int rc;

    if (f->nsent < 16)
        f->sent[f->nsent] = n;
    f->nsent++;
    while (done < n) {
        done += done + 10 > n ? n - done : 10;
        f->now += f->batch_ns;
        rc = xlmig_precopy_sent(f->pc, done);
        if (rc)
            return rc;
    }
    return f->round_rc;
}

static unsigned long f_clean(void *arg)
{
    fake *f = arg;

    f->ncleans++;
    return f->next_clean;
}

static int f_tick(void *arg)
{
    ((fake *)arg)->nticks++;
    return 0;
}

static int f_between(void *arg)
{
    fake *f = arg;

    return ++f->nbetween == f->between_at ? f->between_rc : 0;
}

static int f_decide(void *arg, const xlmig_precopy_stats *st, uint64_t now)
{
    fake *f = arg;
    unsigned i = f->ncall++;

    (void)now;
    if (i < 16)
        f->seen[i] = *st;
    return i < f->nscript ? f->script[i] : XLMIG_POLICY_CONTINUE;
}

static const xlmig_precopy_ops scripted = {
    .now = f_now, .peek = f_peek, .send_round = f_send, .clean = f_clean,
    .tick = f_tick, .between = f_between, .decide = f_decide,
};

static const xlmig_precopy_ops real = {
    .now = f_now, .peek = f_peek, .send_round = f_send, .clean = f_clean,
    .tick = f_tick, .between = f_between,
};

static void start(fake *f, xlmig_precopy *pc, xlmig_policy *pol,
                  const xlmig_precopy_ops *ops)
{
    memset(f, 0, sizeof(*f));
    f->now = 1000 * MS;
    f->next_clean = 5;
    f->peek = -1;
    f->pc = pc;
    xlmig_precopy_init(pc, pol, ops, f);
}

/* A scripted policy: decision at call number call, CONTINUE before. */
static void start_scripted(fake *f, xlmig_precopy *pc, unsigned call,
                           int decision)
{
    start(f, pc, NULL, &scripted);
    f->script[call] = decision;
    f->nscript = call + 1;
}

/* A, round, B, CLEAN, A: the stats as libxenguest keeps them. */
static void test_call_pattern(void)
{
    xlmig_precopy pc;
    fake f;

    /* STOP_AND_COPY at the second call A. */
    start_scripted(&f, &pc, 2, XLMIG_POLICY_STOP_AND_COPY);
    CU_ASSERT_EQUAL(xlmig_precopy_run(&pc, 100), 0);
    CU_ASSERT_EQUAL(f.ncall, 3);
    CU_ASSERT_EQUAL(f.seen[0].iteration, 0);
    CU_ASSERT_EQUAL(f.seen[0].dirty_count, 100);
    CU_ASSERT_EQUAL(f.seen[1].iteration, 1);
    CU_ASSERT_EQUAL(f.seen[1].total_written, 100);
    CU_ASSERT_EQUAL(f.seen[1].dirty_count, -1);
    CU_ASSERT_EQUAL(f.seen[2].iteration, 1);
    CU_ASSERT_EQUAL(f.seen[2].dirty_count, 5);
    /* STOP_AND_COPY at call A still sends that round live. */
    CU_ASSERT_EQUAL(f.nsent, 2);
    CU_ASSERT_EQUAL(f.sent[0], 100);
    CU_ASSERT_EQUAL(f.sent[1], 5);
    CU_ASSERT_EQUAL(f.ncleans, 1);
    CU_ASSERT_EQUAL(f.nbetween, 1);
    CU_ASSERT_EQUAL(pc.decision, XLMIG_POLICY_STOP_AND_COPY);
    CU_ASSERT_EQUAL(pc.round_pages, 5);
    xlmig_precopy_dispose(&pc);
}

/* STOP_AND_COPY at call B stops at once: no CLEAN, no round. */
static void test_stop_at_call_b(void)
{
    xlmig_precopy pc;
    fake f;

    start_scripted(&f, &pc, 1, XLMIG_POLICY_STOP_AND_COPY);
    CU_ASSERT_EQUAL(xlmig_precopy_run(&pc, 100), 0);
    CU_ASSERT_EQUAL(f.nsent, 1);
    CU_ASSERT_EQUAL(f.ncleans, 0);
    CU_ASSERT_EQUAL(f.nbetween, 0);
}

/* ABORT at call A sends nothing more and says so. */
static void test_abort(void)
{
    xlmig_precopy pc;
    fake f;

    start_scripted(&f, &pc, 2, XLMIG_POLICY_ABORT);
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_precopy_run(&pc, 100), XLMIG_E_ABORTED);
    CU_ASSERT_EQUAL(f.nsent, 1);
    CU_ASSERT_EQUAL(pc.round_pages, 0);
    CU_ASSERT(strstr(xlmig_errmsg(), "pre-copy aborted") != NULL);
    xlmig_err_clear();
}

/* between: an error ends the pre-copy, > 0 stops and copies. */
static void test_between(void)
{
    xlmig_precopy pc;
    fake f;

    start(&f, &pc, NULL, &scripted);
    f.between_at = 2;
    f.between_rc = XLMIG_E_IO;
    CU_ASSERT_EQUAL(xlmig_precopy_run(&pc, 100), XLMIG_E_IO);
    CU_ASSERT_EQUAL(f.ncleans, 1);
    start(&f, &pc, NULL, &scripted);
    f.between_at = 3;
    f.between_rc = 1;
    CU_ASSERT_EQUAL(xlmig_precopy_run(&pc, 100), 0);
    CU_ASSERT_EQUAL(f.ncleans, 2);
    CU_ASSERT_EQUAL(f.nsent, 3);
    CU_ASSERT_EQUAL(pc.decision, XLMIG_POLICY_STOP_AND_COPY);
}

/* A round's own failure ends it with that error. */
static void test_round_fails(void)
{
    xlmig_precopy pc;
    fake f;

    start(&f, &pc, NULL, &scripted);
    f.round_rc = XLMIG_E_IO;
    CU_ASSERT_EQUAL(xlmig_precopy_run(&pc, 100), XLMIG_E_IO);
    CU_ASSERT_EQUAL(f.ncall, 1);
}

/* Another tool's decision gets no ticks. */
static void test_no_ticks_without_policy(void)
{
    xlmig_precopy pc;
    fake f;

    start_scripted(&f, &pc, 2, XLMIG_POLICY_STOP_AND_COPY);
    f.batch_ns = 100 * MS;
    CU_ASSERT_EQUAL(xlmig_precopy_run(&pc, 100), 0);
    CU_ASSERT_EQUAL(f.nticks, 0);
    CU_ASSERT_EQUAL(xlmig_precopy_next_tick(&pc), UINT64_MAX);
}

/*
 * libxlmig's policy: a tick once a tick_ns passed since the last one
 * (the first counted from the first call), looked at after a batch;
 * none once suspending.
 */
static void test_ticks(void)
{
    xlmig_policy_params par;
    xlmig_policy pol;
    xlmig_precopy pc;
    xlmig_precopy_stats st = { 0, 0, 1000 };
    fake f;
    unsigned long i;

    xlmig_policy_params_init(&par);
    xlmig_policy_init(&pol, &par, NULL);
    start(&f, &pc, &pol, &real);
    CU_ASSERT_EQUAL(pc.tick_ns, 50 * MS);
    CU_ASSERT_EQUAL(xlmig_precopy_decide(&pc, &st), XLMIG_POLICY_CONTINUE);
    CU_ASSERT_EQUAL(xlmig_precopy_next_tick(&pc), f.now + 50 * MS);
    /* Batches of 20 ms: ticks at 60, 120, 180 ms. */
    for (i = 1; i <= 10; i++) {
        f.now += 20 * MS;
        CU_ASSERT_EQUAL(xlmig_precopy_sent(&pc, i * 10), 0);
    }
    CU_ASSERT_EQUAL(f.nticks, 3);
    CU_ASSERT_EQUAL(pc.t_tick, 1000 * MS + 180 * MS);
    xlmig_precopy_suspending(&pc);
    f.now += 500 * MS;
    CU_ASSERT_EQUAL(xlmig_precopy_sent(&pc, 200), 0);
    CU_ASSERT_EQUAL(f.nticks, 3);
    CU_ASSERT_EQUAL(xlmig_precopy_next_tick(&pc), UINT64_MAX);
    CU_ASSERT_EQUAL(xlmig_precopy_tick(&pc, 5, 200, f.now), 0);
    CU_ASSERT_EQUAL(pc.t_tick, 1000 * MS + 180 * MS);
    xlmig_precopy_dispose(&pc);
    xlmig_policy_dispose(&pol);
}

/* A budget spent inside a round aborts it at the next tick. */
static void test_overdue_mid_round(void)
{
    xlmig_policy_params par;
    xlmig_policy pol;
    xlmig_precopy pc;
    fake f;

    xlmig_policy_params_init(&par);
    par.timeout_ns = 1000 * MS;
    xlmig_policy_init(&pol, &par, NULL);
    start(&f, &pc, &pol, &real);
    /* 100 batches of 30 ms: the first round takes 3 s. */
    f.batch_ns = 30 * MS;
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_precopy_run(&pc, 1000), XLMIG_E_ABORTED);
    CU_ASSERT_EQUAL(pol.why, XLMIG_WHY_TIMEOUT_ROUND);
    CU_ASSERT(strstr(xlmig_errmsg(), "timeout reached during a round")
              != NULL);
    /* Cut short just past the budget, not at the round's end. */
    CU_ASSERT(f.now - 1000 * MS >= 1000 * MS);
    CU_ASSERT(f.now - 1000 * MS < 1100 * MS);
    /* Still in the first round: no call B, nothing but that round. */
    CU_ASSERT_EQUAL(pc.st.iteration, 0);
    CU_ASSERT_EQUAL(f.nsent, 1);
    xlmig_err_clear();
    xlmig_precopy_dispose(&pc);
    xlmig_policy_dispose(&pol);
}

/* Xen's pump: a tick whose PEEK failed still checks the budget. */
static void test_tick_without_peek(void)
{
    xlmig_policy_params par;
    xlmig_policy pol;
    xlmig_precopy pc;
    xlmig_precopy_stats st = { 0, 0, 1000 };
    fake f;

    xlmig_policy_params_init(&par);
    par.timeout_ns = 100 * MS;
    xlmig_policy_init(&pol, &par, NULL);
    start(&f, &pc, &pol, &real);
    xlmig_precopy_decide(&pc, &st);
    CU_ASSERT_EQUAL(xlmig_precopy_tick(&pc, -1, 10, f.now + 50 * MS), 0);
    CU_ASSERT_EQUAL(xlmig_precopy_tick(&pc, -1, 10, f.now + 150 * MS),
                    XLMIG_E_ABORTED);
    xlmig_err_clear();
    xlmig_precopy_dispose(&pc);
    xlmig_policy_dispose(&pol);
}

/*
 * Xen's first round names every pfn up to the highest: 1044480 for a
 * PVH guest of 32768 pages (its special pages sit under 4 GiB). Those
 * 128 MiB went in 21 s, so the 5099 pages dirtied meanwhile take 3.3 s:
 * pre-copy goes on. Judged by the pfns, the link read 195 MiB/s and the
 * guest was stopped with 20 MiB still to send live and its dirtying
 * meanwhile left for the downtime.
 */
static void test_first_round_counts_guest_pages(void)
{
    xlmig_policy_params par;
    xlmig_policy pol;
    xlmig_precopy pc;
    xlmig_precopy_stats a0 = { 0, 0, 1044480 };
    xlmig_precopy_stats b0 = { 1, 1044480, -1 };
    xlmig_precopy_stats a1 = { 1, 1044480, 5099 };
    double link = 32768.0 * 4096 / 21;
    fake f;

    xlmig_policy_params_init(&par);
    par.switchover_ns = 120 * MS;
    xlmig_policy_init(&pol, &par, NULL);
    start(&f, &pc, &pol, &real);
    pc.guest_pages = 32768;
    CU_ASSERT_EQUAL(xlmig_precopy_decide(&pc, &a0), XLMIG_POLICY_CONTINUE);
    /* What libxenguest said stays as it said it. */
    CU_ASSERT_EQUAL(pc.st.dirty_count, 1044480);
    CU_ASSERT_EQUAL(pc.round_pages, 32768);
    f.now += 21000 * MS;
    CU_ASSERT_EQUAL(xlmig_precopy_decide(&pc, &b0), XLMIG_POLICY_CONTINUE);
    CU_ASSERT(pol.tx_Bps > 0.99 * link && pol.tx_Bps < 1.01 * link);
    f.now += 30 * MS;
    CU_ASSERT_EQUAL(xlmig_precopy_decide(&pc, &a1), XLMIG_POLICY_CONTINUE);
    CU_ASSERT(pol.predicted_ns > 3000 * MS);
    CU_ASSERT_EQUAL(pc.round_pages, 5099);
    xlmig_precopy_dispose(&pc);
    xlmig_policy_dispose(&pol);
}

static CU_TestInfo tests[] = {
    { "call pattern and stats", test_call_pattern },
    { "stop at call B", test_stop_at_call_b },
    { "abort", test_abort },
    { "between rounds: error or stop", test_between },
    { "a failed round ends it", test_round_fails },
    { "no ticks for another tool's decision",
      test_no_ticks_without_policy },
    { "ticks: every tick_ns, none once suspending", test_ticks },
    { "budget spent mid-round aborts", test_overdue_mid_round },
    { "tick without a PEEK still checks the budget",
      test_tick_without_peek },
    { "a first round of every pfn counts the guest's pages",
      test_first_round_counts_guest_pages },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("precopy driver", NULL, NULL, tests)
