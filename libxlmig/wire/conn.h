/*
 * The connection to the peer: the one owner of its fds and of the
 * transport child behind them. Everything else (the chan, the fault
 * hooks, the phase machine's polls) borrows it and reads the fds here,
 * so a hang-up is seen by all of them at once and nothing closes an fd
 * twice.
 *
 * Two ways to have one: spawned (xlmig_conn_spawn: ssh or a local
 * receiver, our pipe ends and the child ours to close and reap), or
 * borrowed (xlmig_conn_borrow: an fd pair someone else holds, such as
 * the receiver's stdin/stdout or a test's socket pair, never closed
 * here). Either way the output fd is made non-blocking (every wait goes
 * through the chan's poll and its I/O timeout); a borrowed one gets its
 * flags back on dispose.
 */
#ifndef XLMIG_CONN_H
#define XLMIG_CONN_H

#include <stdbool.h>

#include "transport.h"

typedef struct xlmig_conn {
    int in_fd, out_fd;         /* -1 once hung up; equal for a socket */
    bool owned;                /* ours to close (spawned) */
    int out_flags;             /* a borrowed out_fd's flags before it was
                                  made non-blocking; -1: nothing to put
                                  back */
    xlmig_transport tr;        /* the child (pid, command); its fds are
                                  moved into in_fd/out_fd */
    int status;                /* the child's wait status once reaped,
                                  or -1 */
} xlmig_conn;

/* Nothing open: xlmig_conn_dispose is a no-op. */
void xlmig_conn_init(xlmig_conn *c);
/* Run argv (transport.h) with the stream on its stdin/stdout. */
int xlmig_conn_spawn(xlmig_conn *c, const char *const *argv);
/* Use an fd pair the caller keeps (may be one socket twice). */
void xlmig_conn_borrow(xlmig_conn *c, int in_fd, int out_fd);
bool xlmig_conn_has_child(const xlmig_conn *c);
/*
 * Hang up: the peer sees end of file. Our fds are closed, once each; a
 * borrowed pair is pointed at /dev/null instead, so that its numbers
 * stay valid (and unused by anything else) until the lender closes
 * them. Idempotent.
 */
void xlmig_conn_hangup(xlmig_conn *c);
/*
 * Hang up and reap the child, killing it after wait_ms. Returns its
 * wait status (-1 if unknown or there is none); idempotent.
 */
int xlmig_conn_reap(xlmig_conn *c, int wait_ms);
/*
 * Spawned: hang up and reap (5 s at most). Borrowed: the pair stays
 * open for its lender, with its flags back.
 */
void xlmig_conn_dispose(xlmig_conn *c);

#endif
