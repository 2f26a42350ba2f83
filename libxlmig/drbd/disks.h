/*
 * Can the guest's disks follow it? A shared-nothing migration moves
 * memory; the disks must already be on the far side: every disk is a
 * DRBD resource, or lies under a path prefix the operator declared
 * shared storage (xlmig.conf: shared_storage). Any other disk would
 * come up there against whatever sits at that path -- nothing, or a
 * different volume of the same name -- so the pre-check refuses it,
 * naming the disk.
 */
#ifndef XLMIG_DISKS_H
#define XLMIG_DISKS_H

#include <stdbool.h>
#include <stddef.h>

#include "checks.h"

#define XLMIG_SHARED_MAX      16
#define XLMIG_SHARED_LEN      256
#define XLMIG_DISKS_MAX       32     /* disks of one domain */

typedef struct {
    unsigned n;
    char prefix[XLMIG_SHARED_MAX][XLMIG_SHARED_LEN];
} xlmig_shared_storage;

/*
 * "/srv/nfs/ /dev/disk/by-path/ip-10.0.0.5:3260-iscsi-" (spaces or
 * commas between): absolute paths without "." or ".." components or
 * control characters, or a literal target prefix such as "rbd:pool/".
 * Errors name `where` and the prefix.
 */
int xlmig_shared_storage_parse(const char *where, const char *val,
                               xlmig_shared_storage *ss);
/*
 * The prefix target lies under, or NULL. A path prefix matches whole
 * components ("/srv/nfs" covers /srv/nfs/a, not /srv/nfsx/a), and a
 * target with "." or ".." components is never under any prefix.
 */
const char *xlmig_shared_storage_match(const xlmig_shared_storage *ss,
                                       const char *target);

/*
 * One verdict: ok or not, and why, e.g. "/dev/vg0/web01-data: not a
 * DRBD resource and not on shared storage". ss may be NULL (none).
 */
bool xlmig_disk_verdict(const char *target, const char *script,
                        bool cdrom, const xlmig_shared_storage *ss,
                        char *why, size_t len);

/*
 * A check row "disk <vdev>" per disk of a libxl domain config (JSON,
 * libxl_domain_config_to_json), on side `where` ("source", "dest"):
 * each host judges with its own shared_storage. A config that cannot
 * be read is one failed "disks" row: what cannot be checked is not
 * migrated.
 */
void xlmig_disks_check(const char *config_json,
                       const xlmig_shared_storage *ss, const char *where,
                       xlmig_checks *c);

#endif
