/*
 * The live DRBD state of every resource in an inventory (role,
 * connection, disks), read through drbdadm/drbdsetup (drbd.h), for
 * status and the evacuation plan. A resource whose state cannot be
 * read stays unknown: the migration's own check decides then.
 */
#ifndef XLMIG_INVENTORY_DRBD_H
#define XLMIG_INVENTORY_DRBD_H

#include "drbd.h"
#include "inventory.h"

/* s as the inventory keeps it. */
void xlmig_inv_drbd_from(const xlmig_drbd_state *s, xlmig_inv_drbd *d);
/* Every guest's resources; errors are left as unknown states. */
void xlmig_inventory_drbd_fill(xlmig_inventory *inv);
/*
 * "res:Role/Conn/Disk/PeerDisk ..." (the simulator's drbd_state key)
 * onto g's resources; an error names where and what.
 */
int xlmig_inv_drbd_parse(const char *where, const char *val,
                         xlmig_inv_guest *g);

#endif
