/*
 * Leave a domain monitor behind for a guest that now runs here (after a
 * commit on the destination, after a rollback on the source). A monitor
 * that cannot start is a warning: the guest runs, but nothing will act
 * on its next reboot, and the operator must know.
 */
#include <stdio.h>

#include "cli.h"
#include "error.h"
#include "monitor.h"

void cli_leave_monitor(const char *domain, bool if_unmonitored, bool debug)
{
    xlmig_monitor_spawn_opts mo = {
        .domain = domain,
        .if_unmonitored = if_unmonitored,
        .debug = debug,
        /* A receiver's source waits for it; xl's monitor gets 5 s. */
        .wait_ns = if_unmonitored ? XLMIG_S(10) : XLMIG_S(4),
    };

    if (xlmig_monitor_spawn(&mo)) {
        XLMIG_WARN("guest %s runs, but no monitor acts on its shutdowns:"
                   " %s; start one: " PROG " monitor %s", domain,
                   xlmig_errmsg(), domain);
        xlmig_err_clear();
    }
}

void cli_leave_monitor_id(uint32_t domid, bool if_unmonitored, bool debug)
{
    char dom[16];

    snprintf(dom, sizeof(dom), "%u", domid);
    cli_leave_monitor(dom, if_unmonitored, debug);
}
