/*
 * The local-disk move as hooks of the phase machine, wrapped round the
 * DRBD hooks (which run first at every point): the source finds the
 * guest's LVs and judges them (src_disks), describes them to the
 * destination in the request (src_request), sets its side up and puts
 * the guest's LV onto DRBD (src_prepare), waits for the initial sync
 * with progress (src_sync); the destination checks its VG (dst_check),
 * creates its LV and comes up, so the sync starts, and goes Primary
 * with its guest's LV onto DRBD (dst_prepare). After the commit both
 * take DRBD away again; before it, every step is undone.
 */
#ifndef XLMIG_LDISK_HOOKS_H
#define XLMIG_LDISK_HOOKS_H

#include "backend.h"
#include "ldisk.h"
#include "transport.h"

struct xlmig_progress;

typedef struct {
    xlmig_ldisk_conf conf;
    xlmig_ldisk_runner runner;
    uint64_t cmd_timeout_ns;
    uint64_t sync_timeout_ns;
    uint64_t poll_ns;
    bool enabled;                        /* source: --with-local-disks */
    bool delete_source;                  /* source: drop the kept LV */
    xlmig_ldisk_end self, peer;          /* names as drbdadm's "on" */
    const xlmig_hooks *inner;            /* DRBD's, or NULL */
    /* Source: the destination as the receiver is reached (-s words,
     * NULL for ssh; host), for its cleanup after a rollback. */
    const char *peer_ssh;
    char peer_host[XLMIG_LDISK_PATH_MAX];
    /* Filled as the move goes. */
    bool is_src;
    unsigned n;
    xlmig_ldisk_disk disks[XLMIG_LDISK_MAX_DISKS];
    xlmig_ldisk_plan setup[XLMIG_LDISK_MAX_DISKS];
    xlmig_ldisk_plan attach[XLMIG_LDISK_MAX_DISKS];
    unsigned setup_done[XLMIG_LDISK_MAX_DISKS];
    unsigned attach_done[XLMIG_LDISK_MAX_DISKS];
    /* Sync reading: "proc" file for 8.4 (tests point it elsewhere). */
    char proc_path[XLMIG_LDISK_PATH_MAX];
} xlmig_ldisk_ctx;

void xlmig_ldisk_ctx_init(xlmig_ldisk_ctx *l);
void xlmig_ldisk_ctx_dispose(xlmig_ldisk_ctx *l);
/* Hooks over l (which must outlive them), with l->inner run first. */
void xlmig_ldisk_hooks_init(xlmig_ldisk_ctx *l, xlmig_hooks *out);

/*
 * The destination's part of the request: the disks as JSON text, and
 * its parser (bounded; every name, size, minor and port checked).
 */
int xlmig_ldisk_wire_encode(const xlmig_ldisk_ctx *l, char **out);
int xlmig_ldisk_wire_decode(const char *buf, size_t len,
                            xlmig_ldisk_ctx *l);

/*
 * The destination's cleanup of this move's temporary resources, run
 * there from the source after a rollback: the remote command line,
 * the argv that runs it (the transport's), and running it through
 * l's runner; a failure is one warning naming the host, what may be
 * left there and the command that cleans it.
 */
int xlmig_ldisk_peer_cleanup_line(const xlmig_ldisk_ctx *l, char *out,
                                  size_t sz);
int xlmig_ldisk_peer_cleanup_cmd(const xlmig_ldisk_ctx *l, xlmig_cmd *c);
int xlmig_ldisk_peer_cleanup(xlmig_ldisk_ctx *l);

/* One DRBD sync reading for disk i: out-of-sync bytes and state. */
int xlmig_ldisk_sync_read(xlmig_ldisk_ctx *l, unsigned i,
                          xlmig_ldisk_sync *s);

#endif
