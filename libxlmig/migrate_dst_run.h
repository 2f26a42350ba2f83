/*
 * The destination side's state, shared by its phase machine
 * (migrate_dst.c: hello, checks, prepare, the memory stream) and its
 * switchover and end (migrate_dst_commit.c: go, done, commit or
 * rollback). Private to the library.
 */
#ifndef XLMIG_MIGRATE_DST_RUN_H
#define XLMIG_MIGRATE_DST_RUN_H

#include "autostart.h"
#include "conn.h"
#include "lock.h"
#include "migrate.h"
#include "phase.h"

typedef struct {
    const xlmig_dst_opts *o;
    const xlmig_dst_ops *ops;
    void *be;
    xlmig_report *rep;
    xlmig_conn conn;         /* borrows the fds of o (stdin/stdout) */
    xlmig_chan ch;           /* borrows conn */
    xlmig_datapath dp;       /* the data streams, if asked for */
    xlmig_msg req;
    xlmig_phase phase;
    bool restoring;          /* discard needed on failure */
    bool hooks_prepared;
    bool peer_gone;
    bool one_flight;         /* the request chose it: no "ready" */
    bool verified;           /* the restore's memory digest matched */
    uint64_t t_stream_end;   /* memory-end arrived: "done" says since */
    uint64_t t_go;           /* and go: the activation's share of it */
    uint64_t t_drained;      /* the drain answered: the source's anchor */
    char host[256];
    xlmig_lock lock;         /* the guest's, from the request on */
    bool carry;              /* a carried xl config is staged */
    uint64_t t_active;       /* the guest runs here */
    char carry_why[256];     /* why it is not */
} dst_run;

/* Shared by the phases (migrate_dst.c). */
void xlmig_dst_enter(dst_run *r, xlmig_phase ph);
/* Fault injection at a named point on the channel. */
int xlmig_dst_fault(dst_run *r, const char *point);
int xlmig_dst_expect(dst_run *r, xlmig_msg *m, xlmig_msg_type want);
/* The guest's xl config and autostart entry came with the request. */
bool xlmig_dst_carried(const dst_run *r);
/* Put in place once the guest runs here; "done" says whether. */
void xlmig_dst_carry_commit(dst_run *r, xlmig_msg *done);

/* The memory stream, then go (migrate_dst_commit.c). */
int xlmig_dst_restore_and_switch(dst_run *r);
/* Run the guest here and answer done; or roll back what was built. */
int xlmig_dst_commit(dst_run *r);
void xlmig_dst_rollback(dst_run *r, int why);

#endif
