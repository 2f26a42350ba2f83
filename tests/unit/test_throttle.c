/* SDPS throttle, token bucket, progress percent, fault specs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include "error.h"
#include "fault.h"
#include "progress.h"
#include "ratelimit.h"
#include "throttle.h"

#define MS 1000000ULL

static double shares[64];
static int nshares;

static int apply(void *arg, double share)
{
    (void)arg;
    if (nshares < 64)
        shares[nshares++] = share;
    return 0;
}

static void test_engage_and_release(void)
{
    xlmig_throttle t;

    nshares = 0;
    xlmig_throttle_init(&t, NULL, apply, NULL);
    /* Below the engage ratio: nothing happens. */
    xlmig_throttle_update(&t, 80, 100, 1 * MS);
    CU_ASSERT_EQUAL(nshares, 0);
    CU_ASSERT_EQUAL(xlmig_throttle_pct(&t), 0);
    /* Dirty at twice the link: cut, but at most halve in one step. */
    xlmig_throttle_update(&t, 200, 100, 100 * MS);
    CU_ASSERT_EQUAL(nshares, 1);
    CU_ASSERT_DOUBLE_EQUAL(shares[0], 0.5, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(xlmig_throttle_pct(&t), 50, 1e-9);
    /* Too soon for another adjustment. */
    xlmig_throttle_update(&t, 200, 100, 110 * MS);
    CU_ASSERT_EQUAL(nshares, 1);
    /* A second later: half the share lost for 1 s. */
    CU_ASSERT_EQUAL(xlmig_throttle_lost_ns(&t, 1100 * MS), 500 * MS);
    xlmig_throttle_release(&t, 1100 * MS);
    CU_ASSERT_EQUAL(shares[nshares - 1], 1.0);
    CU_ASSERT_FALSE(t.active);
    CU_ASSERT(t.engaged);
    /* Released: no more loss accrues, release is idempotent. */
    CU_ASSERT_EQUAL(xlmig_throttle_lost_ns(&t, 5000 * MS), 500 * MS);
    xlmig_throttle_release(&t, 5000 * MS);
    CU_ASSERT_EQUAL(nshares, 2);
}

static void test_floor_and_tighten(void)
{
    xlmig_throttle t;
    uint64_t now = 0;
    int i;

    nshares = 0;
    xlmig_throttle_init(&t, NULL, apply, NULL);
    for (i = 0; i < 20; i++) {
        now += 100 * MS;
        xlmig_throttle_update(&t, 1000, 100, now);
    }
    CU_ASSERT_DOUBLE_EQUAL(t.share, t.par.min_share, 1e-9);
    /* tighten never loosens, update does. */
    now += 100 * MS;
    xlmig_throttle_tighten(&t, 1, 100, now);
    CU_ASSERT_DOUBLE_EQUAL(t.share, t.par.min_share, 1e-9);
    now += 100 * MS;
    xlmig_throttle_update(&t, 1, 100, now);
    CU_ASSERT(t.share > t.par.min_share);
    xlmig_throttle_dispose(&t, now);
    CU_ASSERT_EQUAL(shares[nshares - 1], 1.0);
}

static void test_ratelimit(void)
{
    xlmig_ratelimit rl;

    xlmig_ratelimit_init(&rl, 0, 0);
    CU_ASSERT_EQUAL(xlmig_ratelimit_take(&rl, 1 << 30, 1), 0);
    xlmig_ratelimit_init(&rl, 1e6, 1e5);
    /* The burst goes at once, the rest is paid in time. */
    CU_ASSERT_EQUAL(xlmig_ratelimit_take(&rl, 100000, 1), 0);
    CU_ASSERT_EQUAL(xlmig_ratelimit_take(&rl, 500000, 1), 500 * MS);
    /* Half a second later the debt is paid. */
    CU_ASSERT_EQUAL(xlmig_ratelimit_take(&rl, 0, 1 + 500 * MS), 0);
}

static void test_progress_percent(void)
{
    xlmig_progress p;
    xlmig_progress_sample s;

    memset(&s, 0, sizeof(s));
    xlmig_progress_init(&p, XLMIG_PROGRESS_NONE, NULL);
    s.mem_bytes = 1000;
    s.remaining_bytes = 600;
    CU_ASSERT_DOUBLE_EQUAL(xlmig_progress_percent(&p, &s), 40, 1e-9);
    /* Re-dirtied memory does not move the bar back. */
    s.remaining_bytes = 900;
    CU_ASSERT_DOUBLE_EQUAL(xlmig_progress_percent(&p, &s), 40, 1e-9);
    /* Nothing left is still not "done" until the end. */
    s.remaining_bytes = 0;
    CU_ASSERT_DOUBLE_EQUAL(xlmig_progress_percent(&p, &s), 99, 1e-9);
    s.remaining_bytes = 5000;
    CU_ASSERT(xlmig_progress_percent(&p, &s) <= 100);
    xlmig_progress_end(&p, true);
    CU_ASSERT_DOUBLE_EQUAL(p.pct, 100, 1e-9);
}

static void test_fault_parse(void)
{
    xlmig_fault f[XLMIG_FAULT_MAX];

    CU_ASSERT_EQUAL(xlmig_fault_parse("source:precopy:exit", f, 8), 1);
    CU_ASSERT_EQUAL(f[0].side, XLMIG_SIDE_SOURCE);
    CU_ASSERT_EQUAL(f[0].kind, XLMIG_FAULT_EXIT);
    CU_ASSERT_EQUAL(f[0].nth, 1);
    CU_ASSERT_EQUAL(xlmig_fault_parse("dest:precopy-round:close:3,"
                                      "source:commit:stall", f, 8), 2);
    CU_ASSERT_EQUAL(f[0].nth, 3);
    CU_ASSERT_EQUAL(f[1].kind, XLMIG_FAULT_STALL);
    CU_ASSERT_EQUAL(xlmig_fault_parse("host:precopy:exit", f, 8),
                    XLMIG_E_INVAL);
    CU_ASSERT_EQUAL(xlmig_fault_parse("source:lunch:exit", f, 8),
                    XLMIG_E_INVAL);
    CU_ASSERT_EQUAL(xlmig_fault_parse("source:precopy:explode", f, 8),
                    XLMIG_E_INVAL);
    CU_ASSERT_EQUAL(xlmig_fault_parse("source:precopy:exit:0", f, 8),
                    XLMIG_E_INVAL);
    CU_ASSERT_EQUAL(xlmig_fault_parse("source:precopy", f, 8),
                    XLMIG_E_INVAL);
    CU_ASSERT_EQUAL(xlmig_fault_parse("a:b:c:d:e", f, 8), XLMIG_E_INVAL);
    /* Handshake edges belong to one side each. */
    CU_ASSERT_EQUAL(xlmig_fault_parse("source:go-sent:sigint,"
                                      "dest:done:drbd", f, 8), 2);
    CU_ASSERT_EQUAL(f[0].kind, XLMIG_FAULT_SIGINT);
    CU_ASSERT_EQUAL(f[1].kind, XLMIG_FAULT_DRBD);
    CU_ASSERT_EQUAL(xlmig_fault_parse("dest:go:exit", f, 8), XLMIG_E_INVAL);
    CU_ASSERT_EQUAL(xlmig_fault_parse("source:done:exit", f, 8),
                    XLMIG_E_INVAL);
    CU_ASSERT_EQUAL(xlmig_fault_parse("source:precopy:exit,"
                                      "source:precopy:exit", f, 1),
                    XLMIG_E_INVAL);
}

static void test_fault_env_prefix(void)
{
    char *s = NULL;

    CU_ASSERT_EQUAL(xlmig_fault_env_prefix(NULL, "5", "x", &s), 0);
    CU_ASSERT_STRING_EQUAL(s, "");
    free(s);
    CU_ASSERT_EQUAL(xlmig_fault_env_prefix("", NULL, NULL, &s), 0);
    CU_ASSERT_STRING_EQUAL(s, "");
    free(s);
    CU_ASSERT_EQUAL(xlmig_fault_env_prefix("dest:switchover:exit", NULL,
                                           "", &s), 0);
    CU_ASSERT_STRING_EQUAL(s, "env XLMIG_FAULT='dest:switchover:exit' ");
    free(s);
    /*
     * Through one shell: the prefix and the receiver are one word of
     * the ssh command (no local shell), ssh hands it to the remote
     * shell. A value with spaces and a quote must arrive whole.
     */
    CU_ASSERT_EQUAL(xlmig_fault_env_prefix("dest:done:drbd", "10",
                                           "drbdadm disconnect 'r0'",
                                           &s), 0);
    {
        char cmd[1024], out[256] = "";
        FILE *f;

        snprintf(cmd, sizeof(cmd), "%s printenv XLMIG_FAULT_DRBD_CMD"
                 " XLMIG_FAULT_STALL_S XLMIG_FAULT", s);
        f = popen(cmd, "r");
        CU_ASSERT_FATAL(f != NULL);
        CU_ASSERT(fread(out, 1, sizeof(out) - 1, f) > 0);
        pclose(f);
        CU_ASSERT_STRING_EQUAL(out, "drbdadm disconnect 'r0'\n10\n"
                               "dest:done:drbd\n");
    }
    free(s);
}

static CU_TestInfo tests[] = {
    { "engage and release", test_engage_and_release },
    { "floor, tighten and update", test_floor_and_tighten },
    { "token bucket", test_ratelimit },
    { "progress percent", test_progress_percent },
    { "fault spec parsing", test_fault_parse },
    { "fault settings for a remote receiver", test_fault_env_prefix },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("throttle", NULL, NULL, tests)
