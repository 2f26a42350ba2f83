/*
 * The source side's state, shared by its phase machine (migrate_src.c,
 * migrate_src_precheck.c, migrate_src_commit.c) and its pre-check guards
 * and bookkeeping (migrate_src_guard.c).
 * Private to the library.
 */
#ifndef XLMIG_MIGRATE_SRC_RUN_H
#define XLMIG_MIGRATE_SRC_RUN_H

#include "autostart.h"
#include "conn.h"
#include "lock.h"
#include "migrate.h"
#include "phase.h"

typedef struct {
    const xlmig_src_opts *o;
    const xlmig_src_ops *ops;
    void *be;
    xlmig_report *rep;
    xlmig_checks own_checks;
    xlmig_checks *checks;
    xlmig_conn conn;         /* the one owner of the fds, the child */
    xlmig_chan ch;           /* borrows conn */
    xlmig_datapath dp;       /* the data streams, if any (the chan
                                borrows it) */
    bool peer_dp;            /* the destination has a data path */
    bool chan_open;          /* conn was opened */
    bool peer_gone;          /* no point telling it anything */
    xlmig_policy pol;
    xlmig_throttle thr;
    bool throttle_on;
    xlmig_domain_info di;
    xlmig_phase phase;
    bool suspended;
    int fault_rc;            /* injected at "suspended", seen after save */
    bool one_flight;         /* the peer offered it, the operator did not
                                ask for two steps (switchover_flight.c) */
    int verify_rc;           /* the checks right after the suspend */
    bool peer_drain;         /* the peer answers drain records */
    uint64_t t_pong;         /* its answer came (the report's anchor) */
    uint64_t rtt_ns;         /* best round trip on the control channel */
    bool hooks_prepared;
    uint64_t t_start, t_suspend, t_precopy;
    uint64_t t_down, t_memend, t_ready;   /* switchover's steps */
    uint64_t t_memend_out;     /* memory-end began to leave (its send
                                  may wait while the streams drain) */
    uint64_t deadline_ns;    /* switchover deadline, its length */
    uint64_t learned_ns;     /* switchover cost measured before */
    unsigned learned_n;      /* over this many migrations */
    uint64_t dst_restore_ns; /* the destination's own restore cost,
                                from its prepare reply; 0: unknown */
    char host[256];
    char peer[120];          /* the destination's name for itself */
    char said[120];          /* the same, "" if its hello had none */
    char drbd_peer[XLMIG_INV_NAME_MAX]; /* it, as the resources name it */
    xlmig_lock lock;         /* the guest's, for the whole run */
    xlmig_placement placement; /* the guest's xl config, autostart */
    bool placed;             /* the destination wrote them */
    char placed_why[256];
} src_run;

/* Round trips prepare measures; the request tells the destination. */
#define XLMIG_SRC_NPINGS 3

/* Shared by the phases (migrate_src.c). */
void xlmig_src_enter(src_run *r, xlmig_phase ph);
/* Fault injection at a named point, on the channel once it is open. */
int xlmig_src_fault(src_run *r, const char *point);
int xlmig_src_expect(src_run *r, xlmig_msg *m, xlmig_msg_type want);
/* For recover: a DRBD peer with a migration_address is found again. */
const char *xlmig_src_peer_name(const src_run *r);

/* The pre-check phase (migrate_src_precheck.c). */
int xlmig_src_precheck(src_run *r);

/*
 * The one-flight switchover (switchover_flight.c): chosen from the
 * hello, and the source's own checks right after the suspend.
 */
void xlmig_src_flight_choose(src_run *r, const xlmig_msg *hello);
/* src_verify (and its fault point), either switchover. */
int xlmig_src_verify_stopped(src_run *r);
/* One-flight only: right after the suspend, into verify_rc. */
void xlmig_src_flight_verify(src_run *r);
/* The downtime's steps from "done" (its took_ns, activate_ns), at now. */
void xlmig_src_flight_steps(src_run *r, const xlmig_msg *done,
                            uint64_t now);
/* Every check before the commit point; a failure still rolls back. */
int xlmig_src_clear_to_go(src_run *r);

/* Switchover, commit, rollback (migrate_src_commit.c). */
int xlmig_src_switchover(src_run *r);
int xlmig_src_commit(src_run *r);
void xlmig_src_rollback(src_run *r, int why);
/* Says which deadline passed, and how it came about. */
void xlmig_src_deadline_passed(src_run *r);

/* The guest's xl config file and autostart entry (migrate_src_guard.c). */
void xlmig_src_carry_check(src_run *r);
void xlmig_src_carry_release(src_run *r);
/* The peer reached must be a DRBD peer of every resource. */
int xlmig_src_peer_check(src_run *r);
/* Switchover costs learned for this peer: refuse a known-unmeetable
 * bound at pre-check, remember what this one cost after a commit. */
void xlmig_src_learned_check(src_run *r);
void xlmig_src_learn(src_run *r);
void xlmig_src_restore_prior(src_run *r, uint64_t restore_ns);
/* The guest's lock, for the whole run. */
int xlmig_src_lock_guest(src_run *r);

#endif
