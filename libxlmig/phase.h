/*
 * The migration's phases, shared by both sides and both backends:
 *
 *   precheck -> prepare -> precopy -> switchover -> commit
 *                    \________\___________\______-> rollback
 *
 * Before the destination acknowledges "go", every failure rolls back:
 * the guest keeps running on the source. Fault injection points carry
 * these names (see fault.h).
 */
#ifndef XLMIG_PHASE_H
#define XLMIG_PHASE_H

typedef enum {
    XLMIG_PHASE_PRECHECK = 0,
    XLMIG_PHASE_PREPARE,
    XLMIG_PHASE_PRECOPY,
    XLMIG_PHASE_SWITCHOVER,
    XLMIG_PHASE_COMMIT,
    XLMIG_PHASE_ROLLBACK,
    XLMIG_PHASE_DONE,
    XLMIG_PHASE__COUNT
} xlmig_phase;

typedef enum {
    XLMIG_SIDE_SOURCE = 0,
    XLMIG_SIDE_DEST = 1,
} xlmig_side;

const char *xlmig_phase_name(xlmig_phase ph);
const char *xlmig_side_name(xlmig_side side);
/* Parse a phase name; -1 if unknown. */
int xlmig_phase_parse(const char *name);

#endif
