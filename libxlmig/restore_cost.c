/* A receiving host's own restore cost: see restore_cost.h. */
#include "restore_cost.h"

#include <time.h>

#include "error.h"
#include "switchover_cost.h"

uint64_t xlmig_restore_cost_estimate(const char *dir)
{
    xlmig_swcost h;
    uint64_t est;

    if (!dir)
        return 0;
    xlmig_swcost_init(&h);
    if (xlmig_swcost_load(&h, dir, XLMIG_RESTORE_COST_KEY)) {
        /* Our own cache: a damaged one tells nothing. */
        xlmig_err_clear();
        return 0;
    }
    est = xlmig_swcost_estimate(&h, NULL);
    xlmig_swcost_dispose(&h);
    return est;
}

void xlmig_restore_cost_learn(const char *dir, uint64_t cost_ns)
{
    xlmig_swcost h;

    if (!dir || !cost_ns || cost_ns > XLMIG_RESTORE_COST_MAX_NS)
        return;
    xlmig_swcost_init(&h);
    if (xlmig_swcost_load(&h, dir, XLMIG_RESTORE_COST_KEY))
        xlmig_swcost_init(&h);
    xlmig_err_clear();
    xlmig_swcost_add(&h, (int64_t)time(NULL), cost_ns, cost_ns);
    if (xlmig_swcost_save(&h, dir, XLMIG_RESTORE_COST_KEY))
        XLMIG_WARN("restore cost not recorded: %s", xlmig_errmsg());
    xlmig_err_clear();
    xlmig_swcost_dispose(&h);
}
