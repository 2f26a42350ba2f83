/*
 * Options evacuate and return share, with defaults from xlmig.conf;
 * then evacuate's own parts, shared by its files (cmd_evacuate.c,
 * evac_cron.c, evac_json.c, evac_record.c).
 */
#ifndef XLMIG_EVAC_H
#define XLMIG_EVAC_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "hostctx.h"
#include "journal.h"

typedef struct {
    xlmig_config cfg;
    unsigned parallel;
    bool json;
    mig_params mig;
    const char *peers[XLMIG_CONF_MAX_PEERS];
    unsigned npeers;
} evac_common;

#define EVAC_COMMON_OPTS                                               \
    { "parallel", required_argument, NULL, 2001 },                    \
    { "json", no_argument, NULL, 2002 },                              \
    { "bandwidth", required_argument, NULL, 2003 },                   \
    { "max-downtime", required_argument, NULL, 2004 },               \
    { "with-local-disks", no_argument, NULL, 2005 }

void evac_common_init(evac_common *c);
void evac_common_dispose(evac_common *c);
/* Read xlmig.conf into the defaults (and h->ssh); prints the error. */
int evac_config(evac_common *c, hostctx *h, const char *cmd);
/* 1 handled, 0 not ours, -1 bad value (printed). */
int evac_common_opt(evac_common *c, const char *cmd, int opt,
                    const char *arg);
/* The same for the host options and these together. */
int evac_opt(evac_common *c, hostctx *h, const char *cmd, int opt,
             const char *arg);
/* Neither takes operands: -1 (printed) if any is left. */
int evac_no_operands(const char *cmd, int argc, char **argv);

/* evacuate's command line */
#define EVAC_NAMES_MAX 64

typedef struct {
    hostctx h;
    evac_common c;
    const char *to;
    bool dry_run, cron, quiet, blocked;
    /* --only, --exclude: names point into names[] */
    char names[2][4096];
    const char *sel[2][EVAC_NAMES_MAX];
    unsigned nsel[2];
} evac_args;

/* One run: the plan, its journal, the moves' counts. */
typedef struct {
    evac_args *a;
    xlmig_inventory *inv;
    xlmig_evac_plan *plan;
    xlmig_journal *j;
    FILE *out;                  /* per-guest lines, or NULL */
    unsigned moved, failed;
    unsigned *slot;             /* plan item k: j->guests[slot[k]] */
    evac_job *jobs;
} evac_run_ctx;

/* Per plan item: its journal entry, and whether it is news to mail. */
typedef struct {
    unsigned *slot;             /* item k: j->guests[slot[k]] */
    bool *was_stuck;            /* stuck before this run ... */
    char (*old)[256];           /* ... for this reason */
    bool had_stuck;             /* some entry was stuck before */
} evac_slots;

/* evac_record.c: what a run records as it goes. */
void evac_now_stamp(char *buf, size_t len);
/* Save the journal; a failure is logged, the run goes on. */
void evac_save_journal(evac_run_ctx *x);
/* evac_run_cbs: the journal, history record and log of each move. */
void evac_on_start(void *arg, unsigned k);
void evac_on_finish(void *arg, unsigned k, int exit, const char *msg,
                    double secs);
/* The evacuation's one log line (docs/logging.md). */
void evac_log(const evac_args *a, const xlmig_journal *j,
              const char *start, unsigned n, unsigned moved,
              unsigned failed, uint64_t start_ns, int code);

/* evac_json.c: the plan or the outcome as one object (docs/json.md). */
void evac_print_json(const evac_args *a, const xlmig_journal *j,
                     const char *path, bool only_stayed, int code);

/* evac_cron.c: the journal entries, and what a cron run tells. */
int evac_slots_alloc(evac_slots *sl, unsigned n);
void evac_slots_dispose(evac_slots *sl);
int evac_fill_journal(const xlmig_inventory *inv,
                      const xlmig_evac_plan *plan, xlmig_journal *j,
                      evac_slots *sl);
void evac_cron_report(const evac_run_ctx *x, const evac_slots *sl,
                      const char *path);

#endif
