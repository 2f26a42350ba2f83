/*
 * What a domain monitor does when its guest shuts down: the guest's
 * on_poweroff / on_reboot / on_crash / on_watchdog / on_soft_reset
 * (libxl_action_on_shutdown) for the shutdown reason libxl reported.
 * Pure: no Xen needed, unit-tested.
 */
#ifndef XLMIG_MONITOR_ACTION_H
#define XLMIG_MONITOR_ACTION_H

#include <stdbool.h>

#include <libxl.h>

typedef enum {
    XLMIG_MON_DESTROY,        /* destroy the domain, then exit */
    XLMIG_MON_RESTART,        /* destroy, create it anew from its config */
    XLMIG_MON_RENAME_RESTART, /* keep the old one renamed, create anew */
    XLMIG_MON_PRESERVE,       /* leave it shut down, exit */
    XLMIG_MON_SOFT_RESET,     /* libxl_domain_soft_reset in place */
    XLMIG_MON_WAIT,           /* suspended: watch whether it resumes */
} xlmig_mon_what;

typedef struct {
    xlmig_mon_what what;
    bool coredump;            /* dump its core first */
    libxl_action_on_shutdown action;  /* the configured action used */
} xlmig_mon_action;

/*
 * The guest's configured action for reason; an unset or unknown action
 * is xl.cfg's default for that reason, an unknown reason destroys.
 */
libxl_action_on_shutdown xlmig_mon_configured(
    const libxl_domain_config *cfg, int reason);

/* What to do for that reason and action. */
xlmig_mon_action xlmig_mon_decide(int reason, libxl_action_on_shutdown a);

/* For logs: "restart", "coredump-destroy", ...; "wait" for a suspend. */
const char *xlmig_mon_what_str(xlmig_mon_what w);
const char *xlmig_mon_reason_str(int reason);

#endif
