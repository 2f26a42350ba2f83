/*
 * Where the guest's xl config and autostart entry live: /etc/xen. A
 * simulated guest has none there, so the simulator carries them only
 * between directories a test names ($XLMIG_XEN_DIR): a simulated
 * migration must never remove a real guest's autostart entry.
 */
#include <stdlib.h>

#include "cli.h"
#include "error.h"
#include "testhooks.h"

int cli_xen_dirs(bool sim, xlmig_autostart_dirs *d)
{
    const char *env = xlmig_test_env("XLMIG_XEN_DIR");

    if (sim && !(env && *env))
        return -1;
    if (xlmig_autostart_dirs_default(d)) {
        cli_error("%s", xlmig_errmsg());
        return -1;
    }
    return 0;
}
