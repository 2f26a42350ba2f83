/* Options evacuate and return share, with defaults from xlmig.conf. */
#ifndef XLMIG_EVAC_H
#define XLMIG_EVAC_H

#include <getopt.h>

#include "config.h"
#include "hostctx.h"

typedef struct {
    xlmig_config cfg;
    unsigned parallel;
    bool json;
    mig_params mig;
    const char *peers[XLMIG_CONF_MAX_PEERS];
    unsigned npeers;
} evac_common;

#define EVAC_COMMON_OPTS                                               \
    { "parallel", required_argument, NULL, 2001 },                    \
    { "json", no_argument, NULL, 2002 },                              \
    { "bandwidth", required_argument, NULL, 2003 },                   \
    { "max-downtime", required_argument, NULL, 2004 }

void evac_common_init(evac_common *c);
void evac_common_dispose(evac_common *c);
/* Read xlmig.conf into the defaults (and h->ssh); prints the error. */
int evac_config(evac_common *c, hostctx *h, const char *cmd);
/* 1 handled, 0 not ours, -1 bad value (printed). */
int evac_common_opt(evac_common *c, const char *cmd, int opt,
                    const char *arg);
/* The same for the host options and these together. */
int evac_opt(evac_common *c, hostctx *h, const char *cmd, int opt,
             const char *arg);
/* Neither takes operands: -1 (printed) if any is left. */
int evac_no_operands(const char *cmd, int argc, char **argv);

#endif
