/*
 * Fault injection for tests: XLMIG_FAULT="side:point:kind[:n][,...]"
 * (docs/reliability.md has where each point sits and what each cell of
 * the fault matrix must leave behind).
 *
 *   side   source | dest
 *   point  a phase name (precheck, prepare, precopy, switchover, commit,
 *          rollback), precopy-round (inside pre-copy, between rounds and
 *          every 50 ms within one), suspended (source, the guest just
 *          stopped, last pages not yet sent), verify (source, where
 *          the DRBD check src_verify runs: right after the suspend in
 *          the one-flight switchover, after ready in two steps),
 *          restore (dest, memory-end arrived, before the backend
 *          finishes the restore and verifies it), or one of the commit
 *          handshake's edges: go (source, the last checks before the
 *          commit: one flight, last pages sent, memory-end not yet;
 *          two steps, ready received, go not yet sent), go-sent
 *          (source, go sent, done not yet read), done (dest, guest
 *          activated, done not yet sent)
 *   kind   exit   end the process at once (_exit 99), as a crash would
 *          close  close the connection to the peer
 *          stall  stop talking for XLMIG_FAULT_STALL_S (default 3600) s
 *                 or until the peer hangs up
 *          error  fail with an injected error, cleanly
 *          sigint raise SIGINT, as an operator's ^C would, and go on
 *          sighup, sigterm, sigquit, sigpipe: the same with that signal
 *          stray  send the peer a message it does not expect (a pong),
 *                 and go on
 *          slow   from here on send at XLMIG_FAULT_SLOW_BPS (default
 *                 16) bytes/s, as over a link that barely moves
 *          drbd   lose the DRBD connection: run $XLMIG_FAULT_DRBD_CMD
 *                 (default "drbdadm disconnect all"), and go on; for
 *                 the test bed, where DRBD is real
 *   n      fire at the n-th time the point is reached (default 1)
 *
 * Unset, it costs one getenv at the first point and nothing after.
 * Only a test build (-DXLMIG_TEST_HOOKS, testhooks.h) injects: in the
 * production build every point returns 0 and XLMIG_FAULT is ignored.
 */
#ifndef XLMIG_FAULT_H
#define XLMIG_FAULT_H

#include "chan.h"
#include "phase.h"

typedef enum {
    XLMIG_FAULT_EXIT = 0,
    XLMIG_FAULT_CLOSE,
    XLMIG_FAULT_STALL,
    XLMIG_FAULT_ERROR,
    XLMIG_FAULT_SIGINT,
    XLMIG_FAULT_DRBD,
    XLMIG_FAULT_SIGHUP,
    XLMIG_FAULT_SIGTERM,
    XLMIG_FAULT_SIGQUIT,
    XLMIG_FAULT_SIGPIPE,
    XLMIG_FAULT_STRAY,
    XLMIG_FAULT_SLOW,
    XLMIG_FAULT__COUNT
} xlmig_fault_kind;

/* Every point each side reaches, in order; NULL-terminated. */
extern const char *const xlmig_fault_points_source[];
extern const char *const xlmig_fault_points_dest[];
const char *xlmig_fault_kind_name(xlmig_fault_kind k);

#define XLMIG_FAULT_MAX 8

typedef struct {
    xlmig_side side;
    char point[24];
    xlmig_fault_kind kind;
    unsigned nth;
    unsigned hits;
} xlmig_fault;

/* Parse a spec; returns the number of faults or XLMIG_E_INVAL. */
int xlmig_fault_parse(const char *spec, xlmig_fault *out, unsigned max);

/*
 * Called at each injection point. Returns 0, or an error for "close"
 * and "error"; "exit" does not return.
 */
int xlmig_fault_point(xlmig_side side, const char *point, xlmig_chan *ch);

#ifdef XLMIG_TEST_HOOKS
/*
 * For in-process tests: the settings spec gives (NULL or "": none)
 * replace XLMIG_FAULT's, hit counts start again. Set before any thread
 * reaches a point. Returns the number of faults or XLMIG_E_INVAL.
 */
int xlmig_fault_set(const char *spec);
#endif

/*
 * The fault settings for a receiver on another host, which does not
 * inherit this environment (ssh passes none): "env XLMIG_FAULT='...'
 * [XLMIG_FAULT_STALL_S='...'] [XLMIG_FAULT_DRBD_CMD='...'] ", each value
 * given (NULL or empty: left out) quoted for a POSIX shell, to put in
 * front of the receiver command; "" when spec is unset or empty. *out
 * is malloc'd. Returns 0 or XLMIG_E_NOMEM.
 */
int xlmig_fault_env_prefix(const char *spec, const char *stall_s,
                           const char *drbd_cmd, char **out);

#endif
