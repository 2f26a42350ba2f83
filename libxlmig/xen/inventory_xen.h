/*
 * This Xen host's running guests for an evacuation: libxl for the
 * domains (Domain-0 excluded), their memory and disks, and the host's
 * free memory; `drbdadm dump <res>` for the hosts each DRBD resource
 * replicates to. Needs a running Xen: proven in the test bed, not in
 * `make check`.
 */
#ifndef XLMIG_INVENTORY_XEN_H
#define XLMIG_INVENTORY_XEN_H

#include <stddef.h>
#include <stdint.h>

#include "inventory.h"

int xlmig_xen_inv_load(xlmig_inventory *inv, uint64_t *free_mib);

/*
 * The DRBD resource of a disk target, "" if it is not one: "drbd:r0",
 * "/dev/drbd/by-res/r0[/0]", or any target of a block-drbd* script.
 */
void xlmig_xen_disk_res(const char *target, const char *script, char *res,
                        size_t len);
/* Host names of `drbdadm dump` output ("on <host> {"), bounded. */
int xlmig_drbd_dump_hosts(const char *buf, size_t len, const char *res,
                          char hosts[][XLMIG_INV_NAME_MAX], unsigned max,
                          unsigned *n);

#endif
