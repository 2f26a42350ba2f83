/*
 * maintenance on|off|status: the host flag that keeps evacuations from
 * moving guests here and tells the cron job to empty this host.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "error.h"
#include "hostctx.h"
#include "hoststate.h"
#include "mig_record.h"
#include "report.h"

static void usage(FILE *f)
{
    fprintf(f,
"Usage: " PROG " maintenance on|off|status [options]\n"
"\n"
"Set, clear or show this host's maintenance flag. While it is on, no\n"
"evacuation moves guests to this host, and the cron job empties it.\n"
"The flag is a file in the state directory: it survives a reboot.\n"
"\n"
"Options:\n"
"  --sim-state <dir>       simulated hosts, one directory each\n"
"  --sim-host <name>       which simulated host this is\n"
"  -h, --help              this text\n"
"\n"
"Exit status: 0 done (the flag is shown), 1 it could not be set or read,\n"
"2 usage error.\n");
}

/* The flag's change as one log line (docs/logging.md). */
static void log_change(const hostctx *h, const char *what, int rc)
{
    xlmig_oplog_line l;
    char since[32] = "";
    bool on = false;

    xlmig_maint_get(h->state_dir, &on, since, sizeof(since));
    xlmig_oplog_begin(&l, "maintenance");
    xlmig_oplog_str(&l, "host", h->self);
    xlmig_oplog_str(&l, "state", what);
    xlmig_oplog_str(&l, "result", rc ? "failed" : "ok");
    if (on && since[0])
        xlmig_oplog_str(&l, "since", since);
    if (rc)
        xlmig_oplog_str(&l, "reason", xlmig_errmsg());
    mig_log_line(!rc, &l);
}

int cmd_maintenance(int argc, char **argv)
{
    static const struct option lo[] = {
        HOSTCTX_OPTS,
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    hostctx h = { 0 };
    char since[32];
    const char *what;
    bool on;
    int c, rc;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        if (hostctx_opt(&h, c, optarg))
            continue;
        if (c == 'h') {
            usage(stdout);
            return 0;
        }
        cli_error("maintenance: unknown option %s (see --help)",
                  argv[optind - 1]);
        return CLI_EXIT_USAGE;
    }
    if (argc - optind != 1) {
        cli_error("maintenance: expected on, off or status");
        return CLI_EXIT_USAGE;
    }
    what = argv[optind];
    if (strcmp(what, "on") && strcmp(what, "off") && strcmp(what, "status")) {
        cli_error("maintenance: \"%s\" is not on, off or status", what);
        return CLI_EXIT_USAGE;
    }
    if (hostctx_setup(&h, "maintenance"))
        return XLMIG_EXIT_ERROR;
    if (strcmp(what, "status")) {
        rc = xlmig_maint_set(h.state_dir, !strcmp(what, "on"));
        log_change(&h, what, rc);
        if (rc) {
            cli_error("maintenance: %s", xlmig_errmsg());
            return XLMIG_EXIT_ERROR;
        }
    }
    xlmig_maint_get(h.state_dir, &on, since, sizeof(since));
    if (on)
        printf("%s: maintenance on since %s\n", h.self,
               since[0] ? since : "(unknown)");
    else
        printf("%s: maintenance off\n", h.self);
    return 0;
}
