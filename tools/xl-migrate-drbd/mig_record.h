/*
 * Recording operations (docs/logging.md): a migration's log line and
 * history record, and the outcome line a child migration hands to the
 * evacuate, return or recover that started it.
 *
 * A parent that records the move itself (with its journal and its own
 * idea of from and to) starts the child with XLMIG_OUTCOME_LINE=1: the
 * child then neither logs nor records, and prints its record as the
 * last line of its stdout, "xlmig-outcome: <record>". Over ssh the
 * variable travels on the command line, so the peer's copy of the tool
 * does the same.
 */
#ifndef XLMIG_MIG_RECORD_H
#define XLMIG_MIG_RECORD_H

#include <stdbool.h>
#include <time.h>

#include "cli.h"
#include "history.h"
#include "report.h"

#define MIG_OUTCOME_ENV "XLMIG_OUTCOME_LINE"
#define MIG_OUTCOME_TAG "xlmig-outcome: "

/* The single migration's record: syslog and history, or the line. */
void mig_record_migration(const cli_opts *o, const xlmig_report *rep,
                          time_t start);
/* One record, to syslog (LOG_INFO when ok) and to dir's history. */
void mig_record(const char *dir, const xlmig_hist_rec *r);
/*
 * Where a migration started here keeps its history: the state dir; in
 * the simulator only one given explicitly (as switchover costs).
 */
const char *mig_hist_dir(bool sim);
/* Any other operation's line to syslog. */
void mig_log_line(bool ok, const xlmig_oplog_line *l);

/* The child's outcome line in the file fd (its stdout), into *r. */
int mig_outcome_read(int fd, xlmig_hist_rec *r);

#endif
