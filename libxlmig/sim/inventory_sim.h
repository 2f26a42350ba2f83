/*
 * The guests of simulated hosts (sim_host.h), as evacuation sees them:
 * a state root with one directory per host, each also that host's
 * state directory (maintenance flag, journals):
 *
 *   ROOT/<host>/host.conf           mem_mib = 1024
 *   ROOT/<host>/guests/<name>.conf  name = g1
 *                                   mem_mib = 16
 *                                   profile = idle
 *                                   drbd = r0:xen2 r1:xen2,xen3
 *                                   fault = source:precopy:error
 *
 * `fault` (optional) is given as XLMIG_FAULT to that guest's
 * migration only, so one move can be made to fail. A host's free
 * memory is its mem_mib less its guests'.
 */
#ifndef XLMIG_INVENTORY_SIM_H
#define XLMIG_INVENTORY_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "inventory.h"
#include "sim_host.h"

/* "r0:xen2 r1:xen2,xen3": resources and their peers, added to g. */
int xlmig_sim_drbd_parse(const char *where, const char *val,
                         xlmig_inv_guest *g);
/* One guest record, (buf, len); errors start with "what:line: ". */
int xlmig_sim_guest_parse(const char *buf, size_t len, const char *what,
                          xlmig_inv_guest *g);
/* This host's guests into inv (inv->self = host) and its free memory. */
int xlmig_sim_inv_load(const char *root, const char *host,
                       xlmig_inventory *inv, uint64_t *free_mib);

#endif
