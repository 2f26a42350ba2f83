/* Xen backend: incoming names, the config rename, the cap arithmetic. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include "error.h"
#include "xen_priv.h"

static void test_incoming_name(void)
{
    char longname[300], *s;

    s = xlmig_xen_incoming_name("web01");
    CU_ASSERT_STRING_EQUAL(s, "web01--incoming");
    free(s);
    CU_ASSERT_PTR_NULL(xlmig_xen_incoming_name(""));
    CU_ASSERT_PTR_NULL(xlmig_xen_incoming_name(NULL));
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = 0;
    CU_ASSERT_PTR_NULL(xlmig_xen_incoming_name(longname));
}

static void test_transient(void)
{
    CU_ASSERT(xlmig_xen_is_transient_name("web01--incoming"));
    CU_ASSERT(xlmig_xen_is_transient_name("web01--migratedaway"));
    CU_ASSERT_FALSE(xlmig_xen_is_transient_name("web01"));
    CU_ASSERT_FALSE(xlmig_xen_is_transient_name("--incomingweb01"));
    CU_ASSERT_FALSE(xlmig_xen_is_transient_name(NULL));
}

static void test_config_rename(void)
{
    libxl_domain_config cfg;
    char *real = NULL;

    libxl_domain_config_init(&cfg);
    cfg.c_info.name = strdup("web01");
    CU_ASSERT_EQUAL(xlmig_xen_config_rename(&cfg, &real), 0);
    CU_ASSERT_STRING_EQUAL(real, "web01");
    CU_ASSERT_STRING_EQUAL(cfg.c_info.name, "web01--incoming");
    free(real);
    /* An incoming name is never renamed again. */
    CU_ASSERT_EQUAL(xlmig_xen_config_rename(&cfg, &real), XLMIG_E_PROTO);
    CU_ASSERT_PTR_NULL(real);
    CU_ASSERT_STRING_EQUAL(cfg.c_info.name, "web01--incoming");
    libxl_domain_config_dispose(&cfg);

    libxl_domain_config_init(&cfg);
    CU_ASSERT_EQUAL(xlmig_xen_config_rename(&cfg, &real), XLMIG_E_PROTO);
    cfg.c_info.name = strdup("");
    CU_ASSERT_EQUAL(xlmig_xen_config_rename(&cfg, &real), XLMIG_E_PROTO);
    libxl_domain_config_dispose(&cfg);
    xlmig_err_clear();
}

static void test_cap(void)
{
    /* 1.0 gives back exactly what the guest had. */
    CU_ASSERT_EQUAL(xlmig_xen_cap_for_share(1.0, 2, 0), 0);
    CU_ASSERT_EQUAL(xlmig_xen_cap_for_share(1.0, 2, 37), 37);
    CU_ASSERT_EQUAL(xlmig_xen_cap_for_share(1.5, 2, 37), 37);
    /* Uncapped: a share of all its vCPUs. */
    CU_ASSERT_EQUAL(xlmig_xen_cap_for_share(0.5, 2, 0), 100);
    CU_ASSERT_EQUAL(xlmig_xen_cap_for_share(0.5, 1, 0), 50);
    CU_ASSERT_EQUAL(xlmig_xen_cap_for_share(0.3333, 1, 0), 33);
    CU_ASSERT_EQUAL(xlmig_xen_cap_for_share(0.25, 0, 0), 25);
    /* Capped: a share of its own cap. */
    CU_ASSERT_EQUAL(xlmig_xen_cap_for_share(0.5, 4, 50), 25);
    /* Never 0, which would lift the cap altogether. */
    CU_ASSERT_EQUAL(xlmig_xen_cap_for_share(0.001, 1, 0), 1);
    CU_ASSERT_EQUAL(xlmig_xen_cap_for_share(0.0, 1, 0), 1);
    CU_ASSERT_EQUAL(xlmig_xen_cap_for_share(-1.0, 8, 0), 1);
    CU_ASSERT_EQUAL(xlmig_xen_cap_for_share(0.01, 1, 20), 1);
}

static CU_TestInfo tests[] = {
    { "incoming name", test_incoming_name },
    { "migration leftover names", test_transient },
    { "config rename", test_config_rename },
    { "cap for a share", test_cap },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("xen-config", NULL, NULL, tests)
