/* xl-migrate-drbd: shared declarations of the command's parts. */
#ifndef XLMIG_CLI_H
#define XLMIG_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "disks.h"
#include "config.h"
#include "autostart.h"
#include "policy.h"

#define PROG "xl-migrate-drbd"
#define XLMIG_VERSION "0.1"

typedef struct {
    /* migrate */
    const char *domain;
    const char *host;
    const char *ssh;              /* -s; NULL = "ssh" */
    const char *receiver;         /* command run on the destination */
    const char *config_override;  /* -C */
    bool no_daemon;               /* -e: leave no monitor behind */
    bool debug;
    bool paused;                  /* -p: leave it paused there */
    bool keep_domid;              /* -D: the same domain id there */
    bool verb;                    /* reached as "migrate" */
    double max_downtime_ms;
    xlmig_downtime_kind downtime; /* a default target, or asked for */
    double bandwidth_mib;         /* 0 = unlimited */
    int compress;                 /* xlmig_compress_mode (codec.h) */
    double timeout_s;
    double io_timeout_s;
    double deadline_min_ms;       /* switchover deadline floor */
    double deadline_max_ms;       /* and cap */
    bool allow_long_downtime;
    bool json;
    bool dry_run;
    bool no_throttle;
    bool two_step;                /* --switchover two-step */
    bool no_move_config;          /* xl config, autostart entry stay */
    const char *transport;        /* --transport: "tls" or "ssh" */
    bool no_encrypt;              /* plain TCP data streams */
    double streams;               /* --streams; 0: the default rule */
    bool with_local_disks;        /* LVs follow over temporary DRBD */
    bool delete_source;           /* and the source's LV goes after */
    bool quiet;
    int verbose;
    const xlmig_config *conf;     /* xlmig.conf as read */
    /* receive */
    bool receive;
    double run_after_s;           /* simulator: keep the guest running */
    const char *report_json;      /* write the outcome here as JSON */
    /* simulator */
    bool sim;
    double sim_mem_mib;
    const char *sim_profile;
    double sim_dirty_mib;         /* override profile's rate; <0 = keep */
    double sim_hot_mib;           /* override profile's hot set; <0 = keep */
    double sim_free_mib;          /* receiver capacity; <0 = host's */
    double sim_zero_mib;          /* memory left zero at the guest's end */
    const char *sim_existing;     /* receiver: a name already in use */
    const char *sim_host_dir;     /* domain records (sim_host.h) */
    const char *sim_disks[8];     /* --sim-disk vdev=target */
    unsigned sim_ndisks;
    /* xlmig.conf */
    const xlmig_shared_storage *shared;   /* shared_storage, or NULL */
    const char *sim_drbd;         /* "r0:xen2 ...": the guest's DRBD */
} cli_opts;

void cli_opts_init(cli_opts *o);
/* Parse argv; prints a one-line error and returns -1 on bad input. */
int cli_parse(cli_opts *o, int argc, char **argv);
/* migrate's own usage (options without the simulator's). */
void cli_usage(FILE *out);
/* Print "xl-migrate-drbd: <msg>" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int cmd_migrate(const cli_opts *o);
int cmd_receive(const cli_opts *o);
/* Where a guest's xl config is carried from/to; -1: not at all. */
int cli_xen_dirs(bool sim, xlmig_autostart_dirs *d);
/* Start "monitor <domid>" for a guest running here; warns if it fails. */
void cli_leave_monitor(const char *domain, bool if_unmonitored, bool debug);
void cli_leave_monitor_id(uint32_t domid, bool if_unmonitored, bool debug);

/*
 * Subcommands: the table in cmdtable.c lists them all, as xl's
 * xl_cmdtable.c does. argv[0] is the subcommand's name; the function
 * returns the exit code (the table in docs/man/xl-migrate-drbd.8).
 */
typedef int (*cli_cmd_fn)(int argc, char **argv);
typedef struct {
    const char *name;
    cli_cmd_fn fn;
    const char *summary;        /* one line, for help */
    const char *usage;          /* what follows the name in a synopsis */
} cli_cmd;
extern const cli_cmd cli_cmdtable[];
extern const unsigned cli_ncmds;
/* The entry named exactly name, or NULL. */
const cli_cmd *cli_cmd_find(const char *name);
/* The entry a mistyped word most likely meant (cmdtable.c), or NULL. */
const cli_cmd *cli_cmd_nearest(const char *word);
/* "unknown subcommand 'x' (did you mean 'y'?)" and more; exit code. */
int cli_cmd_unknown(const char *word, const char *hint);
void cli_cmd_list(FILE *out);

/* Exit code of a command-line error, in every subcommand. */
#define CLI_EXIT_USAGE 2

/* The subcommands: cmd_*.c, main.c (migrate) and help.c (help). */
int main_migrate(int argc, char **argv);
int main_help(int argc, char **argv);
int cmd_evacuate(int argc, char **argv);
int cmd_return(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_maintenance(int argc, char **argv);
int cmd_recover(int argc, char **argv);
int cmd_cleanup(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_xe(int argc, char **argv);
/* The main help and the simulator's (test) options. */
void cli_help(FILE *out);
void cli_sim_usage(FILE *out);

/*
 * SIGHUP, SIGINT, SIGTERM and SIGQUIT set this (to the signal's number);
 * the library polls it. SIGPIPE is ignored: writes fail with EPIPE.
 */
extern volatile int cli_cancel;
void cli_signals_install(void);

#endif
