/* evacuate/return shared options: see evac.h. */
#include <string.h>

#include "cli.h"
#include "defaults.h"
#include "error.h"
#include "evac.h"
#include "kv.h"

void evac_common_init(evac_common *c)
{
    memset(c, 0, sizeof(*c));
    c->parallel = 1;
}

void evac_common_dispose(evac_common *c)
{
    evac_common_init(c);
}

int evac_config(evac_common *c, hostctx *h, const char *cmd)
{
    unsigned i;

    if (xlmig_config_load(&c->cfg, NULL)) {
        cli_error("%s: %s", cmd, xlmig_errmsg());
        return -1;
    }
    if (c->cfg.parallel)
        c->parallel = c->cfg.parallel;
    if (c->cfg.has_bandwidth)
        c->mig.bandwidth_mib = c->cfg.bandwidth_mib;
    if (c->cfg.has_max_downtime)
        c->mig.max_downtime_ms = c->cfg.max_downtime_ms;
    if (c->cfg.ssh[0])
        h->ssh = c->cfg.ssh;
    h->cfg = &c->cfg;
    for (i = 0; i < c->cfg.npeers; i++)
        c->peers[i] = c->cfg.peers[i];
    c->npeers = c->cfg.npeers;
    return 0;
}

int evac_common_opt(evac_common *c, const char *cmd, int opt,
                    const char *arg)
{
    char what[64];
    uint64_t u;

    switch (opt) {
    case 2001:
        snprintf(what, sizeof(what), "%s: --parallel", cmd);
        if (xlmig_kv_u64(what, arg, 1, XLMIG_PARALLEL_MAX, &u))
            goto bad;
        c->parallel = (unsigned)u;
        return 1;
    case 2002:
        c->json = true;
        return 1;
    case 2003:
        snprintf(what, sizeof(what), "%s: --bandwidth", cmd);
        if (xlmig_kv_double(what, arg, 0, 1e6, &c->mig.bandwidth_mib))
            goto bad;
        return 1;
    case 2004:
        snprintf(what, sizeof(what), "%s: --max-downtime", cmd);
        if (xlmig_kv_double(what, arg, XLMIG_DOWNTIME_MIN_MS,
                            XLMIG_DOWNTIME_MAX_MS, &c->mig.max_downtime_ms))
            goto bad;
        return 1;
    case 2005:
        c->mig.with_local_disks = true;
        return 1;
    }
    return 0;
bad:
    cli_error("%s", xlmig_errmsg());
    return -1;
}

int evac_opt(evac_common *c, hostctx *h, const char *cmd, int opt,
             const char *arg)
{
    if (hostctx_opt(h, opt, arg))
        return 1;
    return evac_common_opt(c, cmd, opt, arg);
}

int evac_no_operands(const char *cmd, int argc, char **argv)
{
    if (optind == argc)
        return 0;
    cli_error("%s: unexpected argument \"%s\"", cmd, argv[optind]);
    return -1;
}
