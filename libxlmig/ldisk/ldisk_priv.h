/*
 * Inside the local-disk hooks: what ldisk_hooks.c (shared), ldisk_src.c
 * (the source's hooks) and ldisk_dst.c (the destination's) share.
 */
#ifndef XLMIG_LDISK_PRIV_H
#define XLMIG_LDISK_PRIV_H

#include "ldisk_hooks.h"

/* Run argv through l's runner; *out its output (the caller frees). */
int xlmig_ldisk_query(xlmig_ldisk_ctx *l, const char *const *argv,
                      char **out, size_t *len);
bool xlmig_ldisk_drbd_loaded(void);
/* No /sys/block/drbdM, no journal, not one of disks [0, upto). */
bool xlmig_ldisk_minor_free(const xlmig_ldisk_ctx *l, int minor,
                            unsigned upto);
/* The "disk <vdev>" row of side where set to this verdict. */
void xlmig_ldisk_set_row(xlmig_checks *c, const char *where,
                         const char *vdev, bool ok, const char *why);
/* Plan p of disk i, the journal rewritten after every step. */
int xlmig_ldisk_run_plan(xlmig_ldisk_ctx *l, unsigned i,
                         xlmig_ldisk_plan *p, const char *stage,
                         unsigned *done);
/* Every disk's attach and setup undone, last first. */
int xlmig_ldisk_undo_all(xlmig_ldisk_ctx *l);
/* Out of sync over all disks; every one in sync; one lost its peer. */
int xlmig_ldisk_sync_total(xlmig_ldisk_ctx *l, uint64_t *oos,
                           bool *all_done, bool *lost);
/* After the commit, this side's teardown of every disk. */
int xlmig_ldisk_teardown_all(xlmig_ldisk_ctx *l);
/*
 * A commit or rollback: DRBD's hook first (inner, may be NULL), then
 * ours on every disk, whatever DRBD's said; the first failure is the
 * answer (ours as XLMIG_E_EXTERNAL).
 */
int xlmig_ldisk_close(xlmig_ldisk_ctx *l, int (*inner)(void *arg),
                      int (*ours)(xlmig_ldisk_ctx *l));

/* The hooks (xlmig_hooks), each side's in its own file. */
void xlmig_ldisk_src_disks(void *arg, const xlmig_domain_info *di,
                           xlmig_checks *c);
int xlmig_ldisk_src_request(void *arg, xlmig_msg *req);
int xlmig_ldisk_src_prepare(void *arg);
int xlmig_ldisk_src_sync(void *arg, struct xlmig_progress *p,
                         volatile int *cancel, int (*keepalive)(void *ka),
                         void *ka);
int xlmig_ldisk_src_verify(void *arg);
int xlmig_ldisk_src_commit(void *arg);
int xlmig_ldisk_src_rollback(void *arg);
int xlmig_ldisk_dst_check(void *arg, const xlmig_msg *req,
                          const char *src_host, xlmig_checks *c);
int xlmig_ldisk_dst_prepare(void *arg, const xlmig_msg *req);
int xlmig_ldisk_dst_config(void *arg, char **config, char **xl_config,
                           xlmig_checks *c);
int xlmig_ldisk_dst_commit(void *arg);
int xlmig_ldisk_dst_rollback(void *arg);

#endif
