/*
 * The measured switchover cost per destination host.
 *
 * Pre-copy predicts downtime as a fixed switchover cost plus the last
 * round's pages over the link. The fixed part (suspend, the device
 * hand-over and hotplug scripts on the far side, unpause) cannot be
 * known before a guest has moved there, and on a slow host it is
 * seconds, not milliseconds. Each committed migration records what its
 * switchover really cost; the next one to that host plans with the
 * worst of the recent ones, and refuses an explicit --max-downtime it
 * already knows it cannot meet.
 *
 * One file per destination, <dir>/<host>, one line per migration,
 * oldest first:
 *     <unix time> <switchover ms> <downtime ms>
 */
#ifndef XLMIG_SWITCHOVER_COST_H
#define XLMIG_SWITCHOVER_COST_H

#include <stddef.h>
#include <stdint.h>

#include "checks.h"
#include "policy.h"
#include "report.h"

#define XLMIG_SWCOST_KEEP 8       /* samples kept per host */
#define XLMIG_SWCOST_RECENT 5     /* samples the estimate looks at */
#define XLMIG_SWCOST_FILE_MAX 1024

typedef struct {
    unsigned n;
    int64_t when[XLMIG_SWCOST_KEEP];
    uint64_t cost_ns[XLMIG_SWCOST_KEEP];
    uint64_t downtime_ns[XLMIG_SWCOST_KEEP];
} xlmig_swcost;

void xlmig_swcost_init(xlmig_swcost *s);
void xlmig_swcost_dispose(xlmig_swcost *s);

/* Parse a history file's text; anything malformed is refused whole. */
int xlmig_swcost_parse(xlmig_swcost *s, const char *buf, size_t len);

/* The file name for a host: [A-Za-z0-9._-], anything else made '_'. */
int xlmig_swcost_file(const char *dir, const char *host, char *buf,
                      size_t len);

/* Load dir/host; a missing file is an empty history. */
int xlmig_swcost_load(xlmig_swcost *s, const char *dir, const char *host);

/* Append a sample, dropping the oldest beyond XLMIG_SWCOST_KEEP. */
void xlmig_swcost_add(xlmig_swcost *s, int64_t when, uint64_t cost_ns,
                      uint64_t downtime_ns);

/* Write dir/host atomically (creating dir). */
int xlmig_swcost_save(const xlmig_swcost *s, const char *dir,
                      const char *host);

/* Worst of the most recent samples, 0 with none; *used = how many. */
uint64_t xlmig_swcost_estimate(const xlmig_swcost *s, unsigned *used);

/*
 * What a committed migration's switchover cost: its downtime less the
 * time the last round's pages needed at the measured rate.
 */
uint64_t xlmig_swcost_of(uint64_t downtime_ns, uint64_t final_bytes,
                         double rate_Bps);

/*
 * Pre-check: what earlier migrations to host paid at switchover (the
 * worst recent one; 0 and *n = 0 with none, nothing at all without a
 * dir). A hard bound (xlmig_downtime_hard(asked)) already known to be
 * out of reach fails the switchover-cost check, before the guest is
 * touched. A damaged history is warned about and started afresh.
 */
uint64_t xlmig_swcost_precheck(const char *dir, const char *host,
                               const xlmig_policy_params *asked,
                               xlmig_checks *c, unsigned *n);

/*
 * After a commit made with the policy's parameters par: what this
 * switchover cost (rep->switchover_ns), whether its downtime broke a
 * hard bound (rep->over_bound, and a warning), and, with a dir, the
 * sample added to host's history.
 */
void xlmig_swcost_learn(const char *dir, const char *host,
                        const xlmig_policy_params *par,
                        uint64_t final_bytes, double rate_Bps,
                        xlmig_report *rep);

#endif
