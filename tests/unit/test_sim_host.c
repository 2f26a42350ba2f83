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
#include "read_file.h"
#include "write_atomic.h"
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

/* An operation's rc is the error want, its message says why. */
static void refused(int rc, int want, const char *why)
{
    CU_ASSERT_EQUAL(rc, want);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), why));
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
    refused(xlmig_sim_host_rename(dir, "g1--incoming", "g1"),
            XLMIG_E_BACKEND, "exists");
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
    refused(xlmig_sim_host_create(dir, "g2--incoming", "paused"),
            XLMIG_E_BACKEND, "already exists");
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

/* The host's own files are not domains. */
static void test_reserved_names(void)
{
    char st[XLMIG_SIM_STATE_LEN];

    xlmig_err_clear();
    refused(xlmig_sim_host_put(dir, "journal", "running"), XLMIG_E_INVAL,
            "host's own state");
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_sim_host_get(dir, "host.conf", st, sizeof(st)),
                    XLMIG_E_INVAL);
    xlmig_err_clear();
}

/*
 * A guest's definition is listed only on a host of a --sim-state root
 * (one with host.conf), and goes away with the guest.
 */
static void test_definition(void)
{
    char p[160], g[160], *buf = NULL;
    xlmig_inv_guest def;
    size_t len;

    memset(&def, 0, sizeof(def));
    strcpy(def.name, "g3");
    def.mem_mib = 16;
    strcpy(def.profile, "web");
    CU_ASSERT_EQUAL_FATAL(xlmig_inv_guest_add_peer(&def, "r0", "xen1"), 0);
    snprintf(g, sizeof(g), "%s/guests", dir);
    CU_ASSERT_EQUAL(xlmig_sim_host_guest_put(dir, &def), 0);
    CU_ASSERT_EQUAL(access(g, F_OK), -1);       /* a bare host dir */
    snprintf(p, sizeof(p), "%s/host.conf", dir);
    CU_ASSERT_EQUAL_FATAL(xlmig_write_atomic(p, "mem_mib = 64\n", 13), 0);
    CU_ASSERT_EQUAL(xlmig_sim_host_guest_put(dir, &def), 0);
    snprintf(p, sizeof(p), "%s/guests/g3.conf", dir);
    CU_ASSERT_EQUAL_FATAL(xlmig_read_file(p, 4096, &buf, &len), 0);
    CU_ASSERT_STRING_EQUAL(buf, "name = g3\nmem_mib = 16\nprofile = web\n"
                           "drbd = r0:xen1\n");
    free(buf);
    CU_ASSERT_EQUAL(xlmig_sim_host_guest_remove(dir, "g3"), 0);
    CU_ASSERT_EQUAL(access(p, F_OK), -1);
    CU_ASSERT_EQUAL(xlmig_sim_host_guest_remove(dir, "g3"), 0);
    CU_ASSERT_EQUAL(xlmig_sim_host_guest_remove(dir, "../g3"),
                    XLMIG_E_INVAL);
    xlmig_err_clear();
    rmdir(g);
    snprintf(p, sizeof(p), "%s/host.conf", dir);
    unlink(p);
}

static CU_TestInfo tests[] = {
    { "rename never replaces a domain", test_rename_no_replace },
    { "the host's own files are not domains", test_reserved_names },
    { "a guest's definition", test_definition },
    { "create never reuses a name", test_create_exclusive },
    { "allocation limit", test_alloc_limit },
    CU_TEST_INFO_NULL,
};
XLMIG_UNIT_SUITE("sim_host", setup, teardown, tests);
