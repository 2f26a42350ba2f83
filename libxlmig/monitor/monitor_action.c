/*
 * The action table of the domain monitor. xl's own monitor does the
 * same for every reason but one: on a suspend it exits, which leaves a
 * guest resumed after a failed migration unwatched; ours waits to see
 * whether the domain resumes (keep watching) or goes (exit).
 */
#include "monitor_action.h"

/* xl.cfg(5) defaults, for a config that leaves an action unset. */
static libxl_action_on_shutdown default_for(int reason)
{
    switch (reason) {
    case LIBXL_SHUTDOWN_REASON_REBOOT:
        return LIBXL_ACTION_ON_SHUTDOWN_RESTART;
    case LIBXL_SHUTDOWN_REASON_SOFT_RESET:
        return LIBXL_ACTION_ON_SHUTDOWN_SOFT_RESET;
    default:
        return LIBXL_ACTION_ON_SHUTDOWN_DESTROY;
    }
}

static bool valid_action(libxl_action_on_shutdown a)
{
    return a >= LIBXL_ACTION_ON_SHUTDOWN_DESTROY &&
           a <= LIBXL_ACTION_ON_SHUTDOWN_SOFT_RESET;
}

libxl_action_on_shutdown xlmig_mon_configured(
    const libxl_domain_config *cfg, int reason)
{
    libxl_action_on_shutdown a;

    switch (reason) {
    case LIBXL_SHUTDOWN_REASON_POWEROFF: a = cfg->on_poweroff; break;
    case LIBXL_SHUTDOWN_REASON_REBOOT: a = cfg->on_reboot; break;
    case LIBXL_SHUTDOWN_REASON_CRASH: a = cfg->on_crash; break;
    case LIBXL_SHUTDOWN_REASON_WATCHDOG: a = cfg->on_watchdog; break;
    case LIBXL_SHUTDOWN_REASON_SOFT_RESET: a = cfg->on_soft_reset; break;
    default: return LIBXL_ACTION_ON_SHUTDOWN_DESTROY;
    }
    return valid_action(a) ? a : default_for(reason);
}

xlmig_mon_action xlmig_mon_decide(int reason, libxl_action_on_shutdown a)
{
    xlmig_mon_action r = { XLMIG_MON_DESTROY, false, a };

    if (reason == LIBXL_SHUTDOWN_REASON_SUSPEND) {
        r.what = XLMIG_MON_WAIT;
        return r;
    }
    if (reason < LIBXL_SHUTDOWN_REASON_POWEROFF ||
        reason > LIBXL_SHUTDOWN_REASON_SOFT_RESET || !valid_action(a)) {
        r.action = LIBXL_ACTION_ON_SHUTDOWN_DESTROY;
        return r;
    }
    switch (a) {
    case LIBXL_ACTION_ON_SHUTDOWN_RESTART:
        r.what = XLMIG_MON_RESTART;
        break;
    case LIBXL_ACTION_ON_SHUTDOWN_RESTART_RENAME:
        r.what = XLMIG_MON_RENAME_RESTART;
        break;
    case LIBXL_ACTION_ON_SHUTDOWN_PRESERVE:
        r.what = XLMIG_MON_PRESERVE;
        break;
    case LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_DESTROY:
        r.coredump = true;
        break;
    case LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_RESTART:
        r.coredump = true;
        r.what = XLMIG_MON_RESTART;
        break;
    case LIBXL_ACTION_ON_SHUTDOWN_SOFT_RESET:
        r.what = XLMIG_MON_SOFT_RESET;
        break;
    default:
        break;
    }
    return r;
}

const char *xlmig_mon_what_str(xlmig_mon_what w)
{
    switch (w) {
    case XLMIG_MON_DESTROY: return "destroy";
    case XLMIG_MON_RESTART: return "restart";
    case XLMIG_MON_RENAME_RESTART: return "rename-restart";
    case XLMIG_MON_PRESERVE: return "preserve";
    case XLMIG_MON_SOFT_RESET: return "soft-reset";
    case XLMIG_MON_WAIT: return "wait";
    }
    return "?";
}

const char *xlmig_mon_reason_str(int reason)
{
    const char *s = libxl_shutdown_reason_to_string(reason);

    return s ? s : "unknown";
}
