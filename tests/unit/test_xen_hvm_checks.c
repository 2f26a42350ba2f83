/*
 * The HVM blockers read from a guest's libxl configuration: each is its
 * own check row, passing for a plain HVM guest and failing, with its
 * reason, for exactly the setting that blocks it.
 */
#include <string.h>

#include "checks.h"
#include "unit.h"
#include "xen_priv.h"

static void plain_hvm(libxl_domain_config *cfg)
{
    libxl_domain_config_init(cfg);
    cfg->c_info.type = LIBXL_DOMAIN_TYPE_HVM;
    libxl_domain_build_info_init_type(&cfg->b_info, LIBXL_DOMAIN_TYPE_HVM);
    cfg->b_info.device_model_version = LIBXL_DEVICE_MODEL_VERSION_QEMU_XEN;
    cfg->b_info.max_memkb = 512 * 1024;
    cfg->b_info.target_memkb = 512 * 1024;
}

static const xlmig_check *row(const xlmig_checks *c, const char *name)
{
    unsigned i;

    for (i = 0; i < c->n; i++)
        if (!strcmp(c->items[i].name, name))
            return &c->items[i];
    return NULL;
}

/* Run the checks and return the failed rows' names, space-separated. */
static void failed(libxl_domain_config *cfg, char *out, size_t len)
{
    xlmig_checks c;
    unsigned i;

    xlmig_checks_init(&c);
    xlmig_xen_hvm_checks(cfg, &c);
    out[0] = 0;
    for (i = 0; i < c.n; i++)
        if (!c.items[i].ok)
            snprintf(out + strlen(out), len - strlen(out), "%s%s",
                     *out ? " " : "", c.items[i].name);
    CU_ASSERT_EQUAL(c.n, 5);
}

/* The checks' row name of cfg says needle in its detail. */
static bool detail_says(libxl_domain_config *cfg, const char *name,
                        const char *needle)
{
    const xlmig_check *r;
    xlmig_checks c;

    xlmig_checks_init(&c);
    xlmig_xen_hvm_checks(cfg, &c);
    r = row(&c, name);
    return r && strstr(r->detail, needle);
}

static void test_plain_passes(void)
{
    libxl_domain_config cfg;
    char f[256];

    plain_hvm(&cfg);
    failed(&cfg, f, sizeof(f));
    CU_ASSERT_STRING_EQUAL(f, "");
    CU_ASSERT(detail_says(&cfg, "populate-on-demand", "512 MiB"));
    libxl_domain_config_dispose(&cfg);
}

static void traditional_qemu(libxl_domain_config *cfg)
{
    cfg->b_info.device_model_version =
        LIBXL_DEVICE_MODEL_VERSION_QEMU_XEN_TRADITIONAL;
}

static void stubdomain(libxl_domain_config *cfg)
{
    libxl_defbool_set(&cfg->b_info.device_model_stubdomain, true);
}

static void nested_hvm(libxl_domain_config *cfg)
{
    libxl_defbool_set(&cfg->b_info.nested_hvm, true);
}

static void maxmem_above_memory(libxl_domain_config *cfg)
{
    cfg->b_info.max_memkb = 1024 * 1024;
}

static void an_irq(libxl_domain_config *cfg)
{
    cfg->b_info.num_irqs = 1;
}

static void test_each_blocker(void)
{
    static const struct {
        void (*set)(libxl_domain_config *cfg);
        const char *row, *detail;      /* detail: NULL not looked at */
    } t[] = {
        { traditional_qemu, "device-model", NULL },
        { stubdomain, "stubdomain", NULL },
        { nested_hvm, "nested-virt", NULL },
        { maxmem_above_memory, "populate-on-demand",
          "maxmem 1024 MiB above memory 512 MiB" },
        { an_irq, "io-passthrough", NULL },
    };
    libxl_domain_config cfg;
    char f[256];
    unsigned i;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        plain_hvm(&cfg);
        t[i].set(&cfg);
        failed(&cfg, f, sizeof(f));
        CU_ASSERT_STRING_EQUAL(f, t[i].row);
        if (t[i].detail)
            CU_ASSERT(detail_says(&cfg, t[i].row, t[i].detail));
        cfg.b_info.num_irqs = 0;    /* nothing allocated behind the count */
        libxl_domain_config_dispose(&cfg);
    }
}

static CU_TestInfo tests[] = {
    { "a plain HVM guest passes", test_plain_passes },
    { "each blocker fails its own row", test_each_blocker },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("xen-hvm-checks", NULL, NULL, tests)
