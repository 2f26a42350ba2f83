/*
 * The destination's dst_config hook (backend.h): it sees the carried
 * config after the checks and replaces it for everything after (the
 * prepare hooks, the backend's begin); a row it fails refuses the
 * move before anything is prepared.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include "error.h"
#include "sim_pair.h"

static bool refuse, prepared;
static char seen[64];

static int dst_config(void *arg, char **config, char **xl_config,
                      xlmig_checks *c)
{
    (void)arg;
    (void)xl_config;
    if (refuse) {
        xlmig_checks_add(c, "dest", "local disk config", false,
                         "local disk xvda: not among the disks");
        return 0;
    }
    free(*config);
    *config = strdup("{\"disks\":[],\"rewritten\":true}");
    return *config ? 0 : XLMIG_E_NOMEM;
}

static int dst_prepare(void *arg, const xlmig_msg *req)
{
    (void)arg;
    prepared = true;
    snprintf(seen, sizeof(seen), "%s", req->config ? req->config : "-");
    return 0;
}

static void run(int want)
{
    xlmig_hooks dh = { .dst_config = dst_config,
                       .dst_prepare = dst_prepare };
    sim_pair p;

    xlmig_err_clear();
    prepared = false;
    seen[0] = 0;
    sim_pair_init(&p);
    p.dopts.hooks = &dh;
    CU_ASSERT_EQUAL(sim_pair_run(&p), want);
    if (want) {
        CU_ASSERT_PTR_NOT_NULL(strstr(p.rep.message, "local disk config"));
        CU_ASSERT(p.rep.guest_on_source);
        CU_ASSERT_FALSE(p.d.created);
    }
    sim_pair_dispose(&p);
}

static void test_replaced(void)
{
    refuse = false;
    run(0);
    CU_ASSERT(prepared);
    CU_ASSERT_STRING_EQUAL(seen, "{\"disks\":[],\"rewritten\":true}");
}

static void test_refused(void)
{
    refuse = true;
    run(XLMIG_E_CHECK);
    CU_ASSERT_FALSE(prepared);
}

static CU_TestInfo tests[] = {
    { "the config replaced before prepare", test_replaced },
    { "a failed row refuses the move", test_refused },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("dst_config hook", NULL, NULL, tests)
