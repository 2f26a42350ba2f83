/*
 * A measured downtime several times its prediction: said at once, in
 * one line, and in the report (the first move to a host predicted 225
 * ms and took 9351 ms without a word at the default target).
 */
#ifndef XLMIG_DOWNTIME_SURPRISE_H
#define XLMIG_DOWNTIME_SURPRISE_H

#include <stdbool.h>
#include <stdint.h>

#include "report.h"

#define XLMIG_SURPRISE_FACTOR 3.0          /* "several times" */
#define XLMIG_SURPRISE_MIN_NS 100000000ULL /* and at least 100 ms over */

/* Was measured several times predicted (and more than noise over)? */
bool xlmig_downtime_surprise(uint64_t predicted_ns, uint64_t measured_ns);

/* After a commit: rep->over_prediction, and the warning naming host. */
void xlmig_downtime_surprise_check(xlmig_report *rep, const char *host);

#endif
