/*
 * The phase machine, one function per side. Backend-neutral: the Xen
 * backend and the simulator plug in through backend.h.
 */
#ifndef XLMIG_MIGRATE_H
#define XLMIG_MIGRATE_H

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "datapath.h"
#include "codec.h"
#include "deadline.h"
#include "disks.h"
#include "peer_map.h"
#include "policy.h"
#include "progress.h"
#include "report.h"
#include "throttle.h"

typedef struct {
    const char *dest_host;       /* for messages and DRBD peer checks */
    const xlmig_dest *dest;      /* dest_host through xlmig.conf, or
                                    NULL: as given, no mapping */
    const char *const *argv;     /* transport command (see transport.h) */
    int in_fd, out_fd;           /* or an fd pair lent to the run if argv
                                    NULL (conn.h: never closed by it) */
    double bandwidth_Bps;        /* 0 = unlimited */
    xlmig_dp_kind transport;     /* the memory stream's way (datapath.h);
                                    XLMIG_DP_SSH after opts_init */
    unsigned streams;            /* data streams, 1..16 */
    const char *data_addr;       /* numeric address of the destination
                                    as we reach it, a hint for its
                                    listener; NULL: none */
    xlmig_compress_mode compress; /* memory records' codec (codec.h) */
    xlmig_policy_params policy;  /* as asked: target and its kind,
                                    timeout (policy_setup.h adds the
                                    rest) */
    xlmig_throttle_params throttle;
    bool no_throttle;
    bool dry_run;
    bool two_step;               /* --switchover two-step: wait for the
                                    destination's "ready" before "go",
                                    even with a peer that offers the
                                    one-flight switchover */
    uint64_t io_timeout_ns;      /* longest wait of one operation */
    xlmig_deadline_params deadline; /* once the guest is suspended */
    xlmig_progress *progress;    /* may be NULL */
    volatile int *cancel;        /* set by the signal handlers */
    const xlmig_hooks *hooks;    /* may be NULL */
    xlmig_checks *checks;        /* out: all pre-check results */
    const char *swcost_dir;      /* switchover costs learned per host
                                    (switchover_cost.h); NULL = none */
    const xlmig_shared_storage *shared; /* disks.h; NULL = none */
    const char *lock_dir;        /* guest locks (lock.h); NULL = none */
    const struct xlmig_autostart_dirs_s *xen_dirs; /* where the guest's
                                    xl config and autostart entry are
                                    found and carried (autostart.h);
                                    NULL = they stay */
} xlmig_src_opts;

void xlmig_src_opts_init(xlmig_src_opts *o);

/* Returns 0 on success; the report says what happened either way. */
int xlmig_migrate_source(const xlmig_src_opts *o, const xlmig_src_ops *ops,
                         void *be, xlmig_report *rep);

typedef struct {
    int in_fd, out_fd;           /* stdin/stdout under the transport, lent
                                    to the run (conn.h) */
    uint64_t io_timeout_ns;
    volatile int *cancel;
    const xlmig_hooks *hooks;
    const char *backend_name;    /* must match the source's */
    const char *data_addr;       /* this host's address of the control
                                    connection (ssh's SSH_CONNECTION):
                                    the data listener's; NULL: the
                                    source's hint */
    const xlmig_shared_storage *shared; /* disks.h; NULL = none */
    const char *lock_dir;        /* guest locks (lock.h); NULL = none */
    struct xlmig_autostart_txn_s *autostart; /* writes a carried xl config
                                    and autostart entry; NULL = ignored */
    const char *swcost_dir;      /* this host's own restore costs
                                    (restore_cost.h); NULL = none */
} xlmig_dst_opts;

void xlmig_dst_opts_init(xlmig_dst_opts *o);

int xlmig_migrate_dest(const xlmig_dst_opts *o, const xlmig_dst_ops *ops,
                       void *be, xlmig_report *rep);

/*
 * The memory stream, as xlmig_migrate_dest reads it from the source:
 * the backend's records to its feed until memory-end, which its end
 * completes; abort or error from the source, a bad record or a lost
 * connection end it short (the backend's abort has run). Exposed for
 * the unit tests and the fuzz harness.
 */
int xlmig_migrate_dest_stream(xlmig_chan *ch, const xlmig_dst_ops *ops,
                              void *be, const xlmig_msg *req,
                              xlmig_restore_result *res);

#endif
