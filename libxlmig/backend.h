/*
 * What the phase machine needs from a hypervisor: the Xen backend (libxl
 * and libxenguest) and the simulator implement these. One source-side
 * and one destination-side vtable; `be` is the backend's own state.
 */
#ifndef XLMIG_BACKEND_H
#define XLMIG_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chan.h"
#include "checks.h"
#include "control.h"
#include "inventory.h"
#include "policy.h"
#include "throttle.h"

struct xlmig_progress;

typedef struct {
    char *name;
    char *uuid;
    uint64_t mem_bytes;
    uint32_t page_size;
    unsigned vcpus;
    char *config;        /* backend's domain config, JSON text, or NULL */
} xlmig_domain_info;

void xlmig_domain_info_init(xlmig_domain_info *di);
void xlmig_domain_info_dispose(xlmig_domain_info *di);

/* Given by the phase machine to the backend's save. */
typedef struct xlmig_save_ctx {
    xlmig_chan *ch;
    xlmig_policy *policy;        /* call it as libxenguest would */
    xlmig_throttle *throttle;
    struct xlmig_progress *progress;
    volatile int *cancel;
    /*
     * The backend calls this just before it asks the guest to suspend
     * (the guest must handle the request at full speed, not under the
     * throttle's cap), and the other right after the guest is down.
     */
    void (*suspending)(struct xlmig_save_ctx *sc);
    void (*suspended)(struct xlmig_save_ctx *sc);
    /*
     * Optional for a backend, from the thread that writes ch, once the
     * pre-copy is over and before suspending: returns when the
     * destination took in everything sent (drain.h), or an error (the
     * guest still runs). NULL: nothing to wait for.
     */
    int (*drain)(struct xlmig_save_ctx *sc);
    void *priv;                  /* phase machine's */

    /* Filled in by the backend. */
    uint64_t t_suspend;          /* suspend asked for: the guest stops */
    uint64_t t_down;             /* the guest is confirmed down */
    unsigned iterations;
    uint64_t pages_sent;
    uint64_t final_pages;        /* sent while suspended */
    uint64_t digest;             /* memory digest at suspend, if any */
    bool has_digest;
} xlmig_save_ctx;

typedef struct {
    const char *name;
    int (*info)(void *be, xlmig_domain_info *di);
    /* Source-side checks: domain runs, can do log-dirty, ... */
    int (*precheck)(void *be, xlmig_checks *c);
    /* Fixed local switchover cost estimate (suspend, resume), ns. */
    uint64_t (*switchover_ns)(void *be);
    /*
     * Pre-copy, suspend, last round, all onto sc->ch. Returns 0 with the
     * guest suspended; XLMIG_E_ABORTED (policy said abort) or another
     * error with the guest still running, unless sc->t_suspend is set.
     */
    int (*save)(void *be, xlmig_save_ctx *sc);
    /* After a suspend, before "go": run the guest here again. */
    int (*resume)(void *be);
    /* Commit: the guest runs at the destination; drop our copy. */
    int (*destroy)(void *be);
    /* Throttle lever; 1.0 restores the guest's own cap exactly. */
    int (*set_share)(void *be, double share);
    /* Is the guest running here? For reports and tests. */
    bool (*running)(void *be);
} xlmig_src_ops;

typedef struct {
    bool verified;               /* memory digest matched */
    bool has_verify;             /* backend can verify at all */
    uint64_t pages;
    uint64_t t_stream_end;       /* when the memory stream's end arrived */
    uint64_t t_drained;          /* when the last drain was answered */
} xlmig_restore_result;

typedef struct {
    const char *name;
    /* Fill reply (PREPARED): free_bytes, checks for name/uuid/memory. */
    int (*check)(void *be, const xlmig_msg *req, xlmig_checks *c,
                 uint64_t *free_bytes);
    /*
     * The memory stream, read by the phase machine (migrate_dst.c),
     * which alone interprets control messages: begin, then feed for
     * each record of rec_type, then end on memory-end. Once begin was
     * called, abort follows anything but an end that returned 0.
     */
    uint32_t rec_type;           /* the record type carrying memory */
    /* Set up for req; *page_size bounds PAGES records (0: none). */
    int (*begin)(void *be, const xlmig_msg *req, uint32_t *page_size);
    /* One record's payload, its framing already checked. */
    int (*feed)(void *be, const uint8_t *p, size_t len);
    /*
     * memory-end (its hash, value) arrived: the domain then exists,
     * paused, under an incoming name. res->t_stream_end is set.
     */
    int (*end)(void *be, const xlmig_msg *end, xlmig_restore_result *res);
    /*
     * The stream stopped short, or begin or end failed: stop reading
     * and release what begin set up (discard still follows). May be
     * NULL if there is nothing to stop.
     */
    void (*abort)(void *be);
    /*
     * Commit: rename to the real name and unpause. A failure must leave
     * the guest never run (paused, incoming name), or else return
     * XLMIG_E_UNDEFINED: then it may have run and nothing discards it.
     */
    int (*activate)(void *be);
    /* Destroy what restore built. Idempotent; fine if nothing exists. */
    int (*discard)(void *be);
} xlmig_dst_ops;

/*
 * Resource hooks around the phases (DRBD). Each side runs its own; any
 * may be NULL. prepare failing rolls the migration back; commit and
 * rollback are best effort but must leave single-primary.
 */
typedef struct {
    void *arg;
    int (*src_precheck)(void *arg, const xlmig_domain_info *di,
                        const char *dest_host, xlmig_checks *c);
    /*
     * The guest's DRBD resources, each with its peers, so the phase
     * machine can tell whether the destination is one (peer_map.h).
     * Called before src_precheck; *n = 0 when there are none or they
     * cannot be read (src_precheck then says why).
     */
    int (*src_peers)(void *arg, const xlmig_domain_info *di,
                     xlmig_inv_res *res, unsigned max, unsigned *n);
    int (*src_prepare)(void *arg);
    /*
     * The guest is stopped for good and the destination is ready: may
     * it take over the resources? Failing rolls back (before "go").
     */
    int (*src_verify)(void *arg);
    int (*src_commit)(void *arg);
    int (*src_rollback)(void *arg);
    int (*dst_check)(void *arg, const xlmig_msg *req, const char *src_host,
                     xlmig_checks *c);
    int (*dst_prepare)(void *arg, const xlmig_msg *req);
    /*
     * After dst_check: the carried domain config (*config, owned by
     * the request) as this host will run it, replaced in place; one
     * it cannot take is a failed row of c.
     */
    int (*dst_config)(void *arg, char **config, char **xl_config,
                      xlmig_checks *c);
    int (*dst_commit)(void *arg);
    int (*dst_rollback)(void *arg);
    /*
     * Local disks (ldisk_hooks.h). src_disks may turn the disk rows of
     * disks it carries from refused to passed (or give its own reason),
     * before the source's first refusal; src_request adds to the
     * migrate request; src_sync runs after prepare, before pre-copy,
     * until the disks are in sync (or cancel, timeout, failure),
     * calling keepalive(ka) every few seconds so the destination,
     * waiting for the memory stream, does not time out.
     */
    void (*src_disks)(void *arg, const xlmig_domain_info *di,
                      xlmig_checks *c);
    int (*src_request)(void *arg, xlmig_msg *req);
    int (*src_sync)(void *arg, struct xlmig_progress *p,
                    volatile int *cancel, int (*keepalive)(void *ka),
                    void *ka);
    /*
     * The disks' hotplug scripts' own time in the restore just done
     * (their sum), and how many took their fast path; may be NULL.
     */
    void (*dst_hotplug)(void *arg, uint64_t *ns, unsigned *fast,
                        unsigned *n);
} xlmig_hooks;

#endif
