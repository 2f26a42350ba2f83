/* --with-local-disks for migrate and receive, and `cleanup`. */
#ifndef XLMIG_LDISK_CLI_H
#define XLMIG_LDISK_CLI_H

#include "cli.h"
#include "drbd.h"
#include "ldisk_hooks.h"

/*
 * l from xlmig.conf and the options, its hooks (out) round inner.
 * peer/peer_addr: the destination (source side; NULL on the receiver).
 */
int cli_ldisk_setup(const cli_opts *o, xlmig_drbd *drbd,
                    const xlmig_hooks *inner, const char *peer,
                    const char *peer_addr, xlmig_ldisk_ctx *l,
                    xlmig_hooks *out);
/* The local disks' configuration alone (status, recover, cleanup). */
void cli_ldisk_conf(const xlmig_config *c, xlmig_ldisk_conf *lc);
/* Leftovers as lines "  local disk: ..." on f; their count. */
unsigned cli_ldisk_status(FILE *f);

#endif
