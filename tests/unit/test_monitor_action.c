/* The monitor's action table: every on_* value for every reason. */
#include <stddef.h>
#include <string.h>

#include "monitor_action.h"
#include "unit.h"

#define D LIBXL_ACTION_ON_SHUTDOWN_DESTROY
#define R LIBXL_ACTION_ON_SHUTDOWN_RESTART
#define RR LIBXL_ACTION_ON_SHUTDOWN_RESTART_RENAME
#define P LIBXL_ACTION_ON_SHUTDOWN_PRESERVE
#define CD LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_DESTROY
#define CR LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_RESTART
#define SR LIBXL_ACTION_ON_SHUTDOWN_SOFT_RESET

/* A config whose every on_* is a. */
static void cfg_all(libxl_domain_config *c, int a)
{
    memset(c, 0, sizeof(*c));
    c->on_poweroff = c->on_reboot = c->on_crash = c->on_watchdog =
        c->on_soft_reset = (libxl_action_on_shutdown)a;
}

/* What each configured action means once decided. */
static const struct {
    int action;
    xlmig_mon_what what;
    bool coredump;
} meaning[] = {
    { D, XLMIG_MON_DESTROY, false },
    { R, XLMIG_MON_RESTART, false },
    { RR, XLMIG_MON_RENAME_RESTART, false },
    { P, XLMIG_MON_PRESERVE, false },
    { CD, XLMIG_MON_DESTROY, true },
    { CR, XLMIG_MON_RESTART, true },
    { SR, XLMIG_MON_SOFT_RESET, false },
};

static const int reasons[] = {
    LIBXL_SHUTDOWN_REASON_POWEROFF, LIBXL_SHUTDOWN_REASON_REBOOT,
    LIBXL_SHUTDOWN_REASON_CRASH, LIBXL_SHUTDOWN_REASON_WATCHDOG,
    LIBXL_SHUTDOWN_REASON_SOFT_RESET,
};

/* Every set action, for every reason that has an on_* of its own. */
static void test_every_action_every_reason(void)
{
    libxl_domain_config c;
    unsigned i, j;

    for (i = 0; i < sizeof(meaning) / sizeof(meaning[0]); i++) {
        for (j = 0; j < sizeof(reasons) / sizeof(reasons[0]); j++) {
            libxl_action_on_shutdown a;
            xlmig_mon_action r;

            cfg_all(&c, meaning[i].action);
            a = xlmig_mon_configured(&c, reasons[j]);
            CU_ASSERT_EQUAL(a, meaning[i].action);
            r = xlmig_mon_decide(reasons[j], a);
            CU_ASSERT_EQUAL(r.what, meaning[i].what);
            CU_ASSERT_EQUAL(r.coredump, meaning[i].coredump);
            CU_ASSERT_EQUAL(r.action, meaning[i].action);
        }
    }
}

/* Each reason reads its own on_* and no other. */
static void test_reason_reads_its_own_field(void)
{
    static const struct {
        libxl_shutdown_reason reason;
        size_t field;           /* its on_* in libxl_domain_config */
        int action;             /* a different one for each */
    } t[] = {
        { LIBXL_SHUTDOWN_REASON_POWEROFF,
          offsetof(libxl_domain_config, on_poweroff), P },
        { LIBXL_SHUTDOWN_REASON_REBOOT,
          offsetof(libxl_domain_config, on_reboot), RR },
        { LIBXL_SHUTDOWN_REASON_CRASH,
          offsetof(libxl_domain_config, on_crash), CD },
        { LIBXL_SHUTDOWN_REASON_WATCHDOG,
          offsetof(libxl_domain_config, on_watchdog), CR },
        { LIBXL_SHUTDOWN_REASON_SOFT_RESET,
          offsetof(libxl_domain_config, on_soft_reset), R },
    };
    libxl_domain_config c;
    unsigned i;

    memset(&c, 0, sizeof(c));
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        *(libxl_action_on_shutdown *)((char *)&c + t[i].field) =
            (libxl_action_on_shutdown)t[i].action;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        CU_ASSERT_EQUAL(xlmig_mon_configured(&c, t[i].reason), t[i].action);
}

/* Unset (0) or out-of-range actions fall back to xl.cfg's defaults. */
static void test_unset_uses_xl_defaults(void)
{
    static const int bad[] = { 0, 8, 99, -3 };
    libxl_domain_config c;
    unsigned i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cfg_all(&c, bad[i]);
        CU_ASSERT_EQUAL(xlmig_mon_configured(
            &c, LIBXL_SHUTDOWN_REASON_POWEROFF), D);
        CU_ASSERT_EQUAL(xlmig_mon_configured(
            &c, LIBXL_SHUTDOWN_REASON_REBOOT), R);
        CU_ASSERT_EQUAL(xlmig_mon_configured(
            &c, LIBXL_SHUTDOWN_REASON_CRASH), D);
        CU_ASSERT_EQUAL(xlmig_mon_configured(
            &c, LIBXL_SHUTDOWN_REASON_WATCHDOG), D);
        CU_ASSERT_EQUAL(xlmig_mon_configured(
            &c, LIBXL_SHUTDOWN_REASON_SOFT_RESET), SR);
        /* decide() itself never acts on a bad action but destroy. */
        CU_ASSERT_EQUAL(xlmig_mon_decide(LIBXL_SHUTDOWN_REASON_REBOOT,
                                         bad[i]).what, XLMIG_MON_DESTROY);
    }
}

/* A suspend waits whatever is configured: the guest may resume. */
static void test_suspend_waits(void)
{
    libxl_domain_config c;
    unsigned i;

    for (i = 0; i < sizeof(meaning) / sizeof(meaning[0]); i++) {
        xlmig_mon_action r;

        cfg_all(&c, meaning[i].action);
        r = xlmig_mon_decide(LIBXL_SHUTDOWN_REASON_SUSPEND,
                             xlmig_mon_configured(
                                 &c, LIBXL_SHUTDOWN_REASON_SUSPEND));
        CU_ASSERT_EQUAL(r.what, XLMIG_MON_WAIT);
        CU_ASSERT_FALSE(r.coredump);
    }
}

/* Unknown reasons destroy, as xl does, even when restart is asked. */
static void test_unknown_reason_destroys(void)
{
    static const int odd[] = { LIBXL_SHUTDOWN_REASON_UNKNOWN, 6, 255 };
    libxl_domain_config c;
    unsigned i, j;

    for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
        for (j = 0; j < sizeof(meaning) / sizeof(meaning[0]); j++) {
            xlmig_mon_action r;

            cfg_all(&c, meaning[j].action);
            r = xlmig_mon_decide(odd[i], xlmig_mon_configured(&c, odd[i]));
            CU_ASSERT_EQUAL(r.what, XLMIG_MON_DESTROY);
            CU_ASSERT_FALSE(r.coredump);
            r = xlmig_mon_decide(odd[i], meaning[j].action);
            CU_ASSERT_EQUAL(r.what, XLMIG_MON_DESTROY);
            CU_ASSERT_FALSE(r.coredump);
        }
    }
}

static void test_names(void)
{
    CU_ASSERT_STRING_EQUAL(xlmig_mon_what_str(XLMIG_MON_RENAME_RESTART),
                           "rename-restart");
    CU_ASSERT_STRING_EQUAL(xlmig_mon_what_str(XLMIG_MON_WAIT), "wait");
    CU_ASSERT_STRING_EQUAL(xlmig_mon_reason_str(
        LIBXL_SHUTDOWN_REASON_WATCHDOG), "watchdog");
    CU_ASSERT_STRING_EQUAL(xlmig_mon_reason_str(77), "unknown");
}

static CU_TestInfo tests[] = {
    { "every action for every reason", test_every_action_every_reason },
    { "each reason reads its own on_*", test_reason_reads_its_own_field },
    { "unset actions use xl.cfg defaults", test_unset_uses_xl_defaults },
    { "suspend waits", test_suspend_waits },
    { "unknown reason destroys", test_unknown_reason_destroys },
    { "names", test_names },
    CU_TEST_INFO_NULL,
};
XLMIG_UNIT_SUITE("monitor_action", NULL, NULL, tests);
