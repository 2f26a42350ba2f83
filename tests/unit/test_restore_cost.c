/*
 * The destination's own restore cost: learned per receive, carried in
 * the prepare reply, planned with by a source that knows no better.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "policy_setup.h"
#include "restore_cost.h"

#define MS 1000000ULL

static void test_learn_and_estimate(void)
{
    char dir[] = "/tmp/xlmig-restore-XXXXXX", path[64];

    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    CU_ASSERT_EQUAL(xlmig_restore_cost_estimate(dir), 0);
    CU_ASSERT_EQUAL(xlmig_restore_cost_estimate(NULL), 0);
    xlmig_restore_cost_learn(dir, 5300 * MS);
    xlmig_restore_cost_learn(dir, 4100 * MS);
    /* The worst of the recent ones: restores vary, plan for the bad. */
    CU_ASSERT_EQUAL(xlmig_restore_cost_estimate(dir), 5300 * MS);
    /* A clock step is no cost. */
    xlmig_restore_cost_learn(dir, XLMIG_RESTORE_COST_MAX_NS + 1);
    CU_ASSERT_EQUAL(xlmig_restore_cost_estimate(dir), 5300 * MS);
    snprintf(path, sizeof(path), "%s/%s", dir, XLMIG_RESTORE_COST_KEY);
    CU_ASSERT_EQUAL(access(path, F_OK), 0);
    unlink(path);
    rmdir(dir);
}

static void test_prior_only_without_history(void)
{
    xlmig_policy_params a, p;
    xlmig_policy_env env = {
        .rtt_ns = 3 * MS, .backend_ns = 10 * MS, .learned_ns = 0,
        .dst_restore_ns = 5000 * MS, .page_size = 4096,
    };

    xlmig_policy_params_init(&a);
    xlmig_policy_params_build(&p, &a, &env);
    CU_ASSERT_EQUAL(p.switchover_ns, 5016 * MS);
    /* What this pair really took wins over the destination's word. */
    env.learned_ns = 7000 * MS;
    xlmig_policy_params_build(&p, &a, &env);
    CU_ASSERT_EQUAL(p.switchover_ns, 7000 * MS);
    env.learned_ns = 100 * MS;
    xlmig_policy_params_build(&p, &a, &env);
    CU_ASSERT_EQUAL(p.switchover_ns, 100 * MS);
}

static void test_prepare_reply_carries_it(void)
{
    static const char old[] =
        "{\"type\":\"prepared\",\"proto\":1,\"ok\":true}";
    xlmig_msg m, back;
    char *text = NULL;
    size_t len = 0;

    xlmig_msg_init(&m, XLMIG_MSG_PREPARED);
    m.ok = true;
    m.restore_ns = 4321 * MS;
    CU_ASSERT_EQUAL_FATAL(xlmig_msg_encode(&m, &text, &len), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"restore_ns\""));
    xlmig_msg_init(&back, XLMIG_MSG_NONE);
    CU_ASSERT_EQUAL(xlmig_msg_decode(text, len, &back), 0);
    CU_ASSERT_EQUAL(back.restore_ns, 4321 * MS);
    xlmig_msg_dispose(&back);
    free(text);
    /* An older peer says nothing: 0, no prior. */
    xlmig_msg_init(&back, XLMIG_MSG_NONE);
    CU_ASSERT_EQUAL(xlmig_msg_decode(old, strlen(old), &back), 0);
    CU_ASSERT_EQUAL(back.restore_ns, 0);
    xlmig_msg_dispose(&back);
    xlmig_msg_dispose(&m);
}

static CU_TestInfo tests[] = {
    { "learned per receive, worst recent", test_learn_and_estimate },
    { "planned with only without history",
      test_prior_only_without_history },
    { "carried in the prepare reply", test_prepare_reply_carries_it },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("restore cost", NULL, NULL, tests)
