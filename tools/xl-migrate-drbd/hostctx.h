/*
 * What the host-level subcommands (evacuate, return, status,
 * maintenance, xe) share: which host this is and where its state
 * lives (the real one, or a simulated host in --sim-state), how to run
 * a command on a peer, and running per-guest migrations as children.
 */
#ifndef XLMIG_HOSTCTX_H
#define XLMIG_HOSTCTX_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "config.h"
#include "evac_plan.h"
#include "inventory.h"
#include "status.h"

typedef struct {
    const char *sim_root;       /* --sim-state: simulated hosts */
    const char *sim_host;       /* --sim-host: which one we are */
    const char *ssh;            /* -s; NULL = config or "ssh" */
    const xlmig_config *cfg;    /* peers' migration_address; may be NULL */
    char state_dir[4096];
    char self[XLMIG_INV_NAME_MAX];
    char exe[4096];             /* this program, for children */
} hostctx;

/* Options every host subcommand takes; longopts entries to append. */
#define HOSTCTX_OPTS                                                   \
    { "sim-state", required_argument, NULL, 1001 },                   \
    { "sim-host", required_argument, NULL, 1002 }
/* Handle 1001/1002 and 's'; returns 1 if handled. */
int hostctx_opt(hostctx *h, int c, const char *arg);
/* After parsing: check the pair, resolve state dir, host name, exe. */
int hostctx_setup(hostctx *h, const char *cmd);
static inline bool hostctx_sim(const hostctx *h) { return h->sim_root; }
const char *hostctx_ssh(const hostctx *h);

/* How DRBD peer host is reached: its migration_address, or its name. */
const char *hostctx_peer_address(const hostctx *h, const char *host);

/*
 * Run `xl-migrate-drbd <args>` on host (through ssh, or for a
 * simulated host locally with --sim-state/--sim-host added), stdout
 * into *out (malloc'd, at most max bytes). Returns 0 or an error with
 * the command's last stderr line.
 */
int hostctx_peer_cmd(const hostctx *h, const char *host, const char *args,
                     size_t max, char **out, size_t *len);
/* This host's own inventory and status (sim or Xen). */
int hostctx_local_status(const hostctx *h, xlmig_inventory *inv,
                         xlmig_status *st);
/* status --json of a peer into an inventory host entry. */
void hostctx_ask_status(const hostctx *h, xlmig_inv_host *ih);

/* One child migration. */
typedef struct {
    char *argv[24];             /* NULL-terminated; execvp'd */
    char strs[8192];            /* storage for argv strings */
    size_t used;
    char fault[64];             /* XLMIG_FAULT for this one */
    char run_dir[4200];         /* XLMIG_RUN_DIR for it; "" inherit */
    pid_t pid;
    int errfd;                  /* its stderr, kept in a temp file */
    int outfd;                  /* a migration's stdout (temp file),
                                   for its outcome line; -1 none */
    uint64_t start_ns;
} evac_job;

void evac_job_init(evac_job *j);
int evac_job_arg(evac_job *j, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

typedef struct {
    void (*started)(void *arg, unsigned k);
    /* exit: the migration's exit code (128+sig if killed), msg: why */
    void (*finished)(void *arg, unsigned k, int exit, const char *msg,
                     double secs);
    void *arg;
} evac_run_cbs;

/*
 * Run the plan's moves, jobs[k] for plan->items[k], at most parallel
 * at a time. Stops starting new ones on cancel; a cancel also reaches
 * the running children (they roll back).
 */
void evac_run(const xlmig_evac_plan *plan, evac_job *jobs,
              unsigned parallel, const evac_run_cbs *cb);

/* The guest migration, as argv: sim or Xen, from -> to. */
typedef struct {
    double bandwidth_mib;       /* 0: default */
    double max_downtime_ms;     /* 0: default */
    bool with_local_disks;      /* --with-local-disks */
} mig_params;
int evac_job_migration(const hostctx *h, evac_job *j,
                       const xlmig_inv_guest *g, const char *from,
                       const char *to, uint64_t to_free_mib,
                       const mig_params *mp);

/* Log a line to syslog (when enabled) and to f (when not NULL). */
void hostctx_syslog_enable(const char *ident);
void hostctx_log(int prio, FILE *f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
