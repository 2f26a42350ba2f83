/*
 * Fault injection for tests: XLMIG_FAULT="side:point:kind[:n][,...]"
 *
 *   side   source | dest
 *   point  a phase name (precheck, prepare, precopy, switchover, commit,
 *          rollback), or precopy-round (inside pre-copy, between
 *          rounds and every 50 ms within one)
 *   kind   exit   end the process at once (_exit 99), as a crash would
 *          close  close the connection to the peer
 *          stall  stop talking for XLMIG_FAULT_STALL_S (default 3600) s
 *                 or until the peer hangs up
 *          error  fail with an injected error, cleanly
 *   n      fire at the n-th time the point is reached (default 1)
 *
 * Unset, it costs one getenv at the first point and nothing after.
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
} xlmig_fault_kind;

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

#endif
