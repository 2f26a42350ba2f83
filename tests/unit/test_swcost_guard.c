/*
 * The learned switchover costs at work: the pre-check that refuses a
 * bound already known to be out of reach, and the bookkeeping after a
 * commit (switchover_cost.h).
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "switchover_cost.h"

#define MS 1000000ULL

static char dir[] = "/tmp/xlmig-swguard-XXXXXX";
static char sub[64];

static int setup(void)
{
    if (!mkdtemp(dir))
        return -1;
    snprintf(sub, sizeof(sub), "%s/switchover", dir);
    return 0;
}

static int cleanup(void)
{
    char path[128];

    snprintf(path, sizeof(path), "%s/xen2", sub);
    unlink(path);
    rmdir(sub);
    rmdir(dir);
    return 0;
}

static void asked(xlmig_policy_params *p, xlmig_downtime_kind k,
                  bool allow_long)
{
    xlmig_policy_params_init(p);
    p->max_downtime_ns = 300 * MS;
    p->bound = k;
    p->allow_long_downtime = allow_long;
}

/* The pre-check of a fresh list c for a migration to peer, as asked. */
static uint64_t precheck(const char *d, const char *peer,
                         xlmig_downtime_kind k, bool allow_long,
                         xlmig_checks *c, unsigned *n)
{
    xlmig_policy_params p;

    asked(&p, k, allow_long);
    xlmig_checks_init(c);
    return xlmig_swcost_precheck(d, peer, &p, c, n);
}

static void history(uint64_t cost_ms)
{
    xlmig_swcost s;

    xlmig_swcost_init(&s);
    xlmig_swcost_add(&s, 1700000000, cost_ms * MS, (cost_ms + 5) * MS);
    CU_ASSERT_FATAL(xlmig_swcost_save(&s, sub, "xen2") == 0);
}

/* Nothing learned for peer in d: nothing to add to the bound. */
static void assert_unlearned(const char *d, const char *peer,
                             xlmig_checks *c)
{
    unsigned n = 7;

    CU_ASSERT_EQUAL(precheck(d, peer, XLMIG_DOWNTIME_BOUND, false, c, &n),
                    0);
    CU_ASSERT_EQUAL(n, 0);
}

static void test_precheck_no_dir(void)
{
    xlmig_checks c;

    assert_unlearned(NULL, "xen2", &c);
    CU_ASSERT_EQUAL(c.n, 0);
}

static void test_precheck_nothing_yet(void)
{
    xlmig_checks c;

    assert_unlearned(sub, "xen9", &c);
    CU_ASSERT_EQUAL(c.n, 1);
    CU_ASSERT(c.items[0].ok);
    CU_ASSERT(strstr(c.items[0].detail, "no switchover to xen9") != NULL);
}

/* 500 ms learned: only a hard bound of 300 ms is refused. */
static void test_precheck_refuses_only_a_hard_bound(void)
{
    static const struct {
        xlmig_downtime_kind k;
        bool allow_long, ok;
    } t[] = {
        { XLMIG_DOWNTIME_BOUND, false, false },
        { XLMIG_DOWNTIME_BOUND, true, true },
        { XLMIG_DOWNTIME_TARGET, false, true },
    };
    xlmig_checks c;
    unsigned i, n;

    history(500);
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        CU_ASSERT_EQUAL(precheck(sub, "xen2", t[i].k, t[i].allow_long,
                                 &c, &n), 500 * MS);
        CU_ASSERT_EQUAL(n, 1);
        CU_ASSERT_EQUAL(c.n, 1);
        CU_ASSERT_EQUAL(c.items[0].ok, t[i].ok);
        CU_ASSERT_EQUAL(xlmig_checks_failed(&c) == NULL, t[i].ok);
    }
    /* Within the bound: fine. */
    history(200);
    CU_ASSERT_EQUAL(precheck(sub, "xen2", XLMIG_DOWNTIME_BOUND, false,
                             &c, &n), 200 * MS);
    CU_ASSERT(c.items[0].ok);
}

/* A damaged history is started afresh, not a refusal. */
static void test_precheck_damaged(void)
{
    xlmig_checks c;
    char path[128];
    FILE *f;

    history(100);
    snprintf(path, sizeof(path), "%s/xen2", sub);
    f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs("garbage\n", f);
    fclose(f);
    xlmig_err_clear();
    assert_unlearned(sub, "xen2", &c);
    CU_ASSERT(c.items[0].ok);
    CU_ASSERT_EQUAL(xlmig_errcode(), 0);
}

/* 400 ms down, 100 ms of it pages at 1 MB/ms: 300 ms switchover. */
static void learn(xlmig_downtime_kind k, bool allow_long, xlmig_report *r)
{
    xlmig_policy_params p;

    asked(&p, k, allow_long);
    p.switchover_ns = 50 * MS;
    xlmig_report_init(r);
    r->downtime_ns = 400 * MS;
    xlmig_swcost_learn(sub, "xen2", &p, 100000000, 1e9, r);
}

static void test_learn(void)
{
    xlmig_swcost s;
    xlmig_report r;
    char path[128];

    snprintf(path, sizeof(path), "%s/xen2", sub);
    unlink(path);
    learn(XLMIG_DOWNTIME_BOUND, false, &r);
    CU_ASSERT_EQUAL(r.switchover_ns, 300 * MS);
    CU_ASSERT(r.over_bound);
    CU_ASSERT_EQUAL(xlmig_swcost_load(&s, sub, "xen2"), 0);
    CU_ASSERT_EQUAL(s.n, 1);
    CU_ASSERT_EQUAL(s.cost_ns[0], 300 * MS);
    CU_ASSERT_EQUAL(s.downtime_ns[0], 400 * MS);
    /* A default target, or long downtime allowed: never over a bound. */
    learn(XLMIG_DOWNTIME_TARGET, false, &r);
    CU_ASSERT_FALSE(r.over_bound);
    learn(XLMIG_DOWNTIME_BOUND, true, &r);
    CU_ASSERT_FALSE(r.over_bound);
    CU_ASSERT_EQUAL(xlmig_swcost_load(&s, sub, "xen2"), 0);
    CU_ASSERT_EQUAL(s.n, 3);
}

static void test_learn_no_dir(void)
{
    xlmig_policy_params p;
    xlmig_report r;

    asked(&p, XLMIG_DOWNTIME_BOUND, false);
    xlmig_report_init(&r);
    r.downtime_ns = 250 * MS;
    xlmig_swcost_learn(NULL, "xen2", &p, 0, 0, &r);
    /* No rate: all of the downtime was switchover. */
    CU_ASSERT_EQUAL(r.switchover_ns, 250 * MS);
    CU_ASSERT_FALSE(r.over_bound);
}

static CU_TestInfo tests[] = {
    { "pre-check without a history dir", test_precheck_no_dir },
    { "pre-check with nothing learned", test_precheck_nothing_yet },
    { "pre-check refuses only a hard bound",
      test_precheck_refuses_only_a_hard_bound },
    { "pre-check with a damaged history", test_precheck_damaged },
    { "learn after a commit", test_learn },
    { "learn without a history dir", test_learn_no_dir },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("switchover cost guard", setup, cleanup, tests)
