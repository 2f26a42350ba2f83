/* The host lock: see hostlock.h. */
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "cli.h"
#include "error.h"
#include "hostlock.h"
#include "hoststate.h"
#include "inventory_sim.h"

int hostlock_run_dir(const hostctx *h, const char *host, char *buf,
                     size_t len)
{
    char dir[4096];
    int rc;

    if (!hostctx_sim(h)) {
        if (snprintf(buf, len, "%s", xlmig_run_dir()) >= (int)len)
            goto too_long;
        return 0;
    }
    rc = xlmig_sim_host_dir(h->sim_root, host, dir, sizeof(dir));
    if (rc)
        return rc;
    if (snprintf(buf, len, "%s/run", dir) >= (int)len)
        goto too_long;
    return 0;
too_long:
    xlmig_err(XLMIG_E_INVAL, "run directory path is too long");
    return XLMIG_E_INVAL;
}

int hostlock_take(const hostctx *h, const char *cmd, const char *op,
                  bool quiet, xlmig_lock *l)
{
    char run[4096], dir[4200], what[128];
    int rc;

    snprintf(what, sizeof(what), "host %s", h->self);
    rc = hostlock_run_dir(h, h->self, run, sizeof(run));
    if (!rc)
        rc = xlmig_lock_dir(run, dir, sizeof(dir));
    if (!rc)
        rc = xlmig_lock_take(l, dir, XLMIG_LOCK_HOST, op, what, NULL);
    if (rc)
        hostctx_log(rc == XLMIG_E_CHECK ? LOG_NOTICE : LOG_ERR,
                    quiet && rc == XLMIG_E_CHECK ? NULL : stderr,
                    PROG ": %s: %s", cmd, xlmig_errmsg());
    xlmig_err_clear();
    return rc;
}
