/*
 * The simulated host's domain records behave as Xen's domain list: a
 * rename never lands on an existing name, a creation never reuses one,
 * and the destination's allocation bound holds whatever is claimed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "sim.h"
#include "sim_host.h"
#include "unit.h"

static char dir[64];

static int setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/xlmig-simhost-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

/* Every test removes what it made: the directory must be empty. */
static int teardown(void)
{
    return rmdir(dir);
}

static void state_is(const char *name, const char *want)
{
    char st[XLMIG_SIM_STATE_LEN];

    CU_ASSERT_EQUAL(xlmig_sim_host_get(dir, name, st, sizeof(st)), 1);
    CU_ASSERT_STRING_EQUAL(st, want);
}

static void test_rename_no_replace(void)
{
    CU_ASSERT_EQUAL_FATAL(xlmig_sim_host_put(dir, "g1", "running"), 0);
    CU_ASSERT_EQUAL_FATAL(xlmig_sim_host_put(dir, "g1--incoming",
                                             "paused"), 0);
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_sim_host_rename(dir, "g1--incoming", "g1"),
                    XLMIG_E_BACKEND);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "exists"));
    state_is("g1", "running");
    state_is("g1--incoming", "paused");
    CU_ASSERT_EQUAL(xlmig_sim_host_remove(dir, "g1"), 0);
    CU_ASSERT_EQUAL(xlmig_sim_host_rename(dir, "g1--incoming", "g1"), 0);
    state_is("g1", "paused");
    CU_ASSERT_EQUAL(xlmig_sim_host_remove(dir, "g1"), 0);
}

static void test_create_exclusive(void)
{
    CU_ASSERT_EQUAL_FATAL(xlmig_sim_host_create(dir, "g2--incoming",
                                                "paused"), 0);
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_sim_host_create(dir, "g2--incoming", "paused"),
                    XLMIG_E_BACKEND);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "already exists"));
    state_is("g2--incoming", "paused");
    CU_ASSERT_EQUAL(xlmig_sim_host_create(dir, "../x", "paused"),
                    XLMIG_E_INVAL);
    CU_ASSERT_EQUAL(xlmig_sim_host_remove(dir, "g2--incoming"), 0);
}

static void test_alloc_limit(void)
{
    /* Three quarters of what is available, never over the cap. */
    CU_ASSERT_EQUAL(xlmig_sim_alloc_limit(4ULL << 30), 3ULL << 30);
    CU_ASSERT_EQUAL(xlmig_sim_alloc_limit(1ULL << 40), XLMIG_SIM_MEM_MAX);
    CU_ASSERT_EQUAL(xlmig_sim_alloc_limit(0), XLMIG_SIM_MEM_MAX);
    CU_ASSERT(xlmig_sim_alloc_limit(xlmig_sim_host_free()) < (1ULL << 40));
}

static CU_TestInfo tests[] = {
    { "rename never replaces a domain", test_rename_no_replace },
    { "create never reuses a name", test_create_exclusive },
    { "allocation limit", test_alloc_limit },
    CU_TEST_INFO_NULL,
};
XLMIG_UNIT_SUITE("sim_host", setup, teardown, tests);
