/*
 * xl-migrate-drbd: live migration of Xen guests on DRBD.
 * Subcommands dispatch here; a plain "<domain> <host>" migrates.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "error.h"
#include "report.h"

volatile int cli_cancel;

#define MAX_SUBCMDS 32

static struct {
    const char *name;
    cli_subcmd_fn fn;
    const char *summary;
} subcmds[MAX_SUBCMDS];
static unsigned nsubcmds;

void cli_subcmd_register(const char *name, cli_subcmd_fn fn,
                         const char *summary)
{
    if (nsubcmds < MAX_SUBCMDS)
        subcmds[nsubcmds++] = (typeof(subcmds[0])){ name, fn, summary };
}

void cli_subcmd_usage(FILE *out)
{
    unsigned i;

    if (!nsubcmds)
        return;
    fprintf(out, "\nSubcommands (" PROG " <subcommand> --help):\n");
    for (i = 0; i < nsubcmds; i++)
        fprintf(out, "  %-22s %s\n", subcmds[i].name, subcmds[i].summary);
}

static void on_signal(int sig)
{
    (void)sig;
    cli_cancel = 1;
}

void cli_signals_install(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: a blocked call returns and the flag is seen. */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int main(int argc, char **argv)
{
    cli_opts o;

    unsigned i;

    xlmig_log_set_prefix(PROG);
    if (argc > 1) {
        for (i = 0; i < nsubcmds; i++) {
            if (strcmp(argv[1], subcmds[i].name))
                continue;
            cli_signals_install();
            return subcmds[i].fn(argc - 1, argv + 1);
        }
    }
    cli_opts_init(&o);
    if (cli_parse(&o, argc, argv))
        return XLMIG_EXIT_ERROR;
    xlmig_log_set_level(o.debug ? XLMIG_LOG_DEBUG
                        : o.verbose ? XLMIG_LOG_INFO
                        : o.quiet ? XLMIG_LOG_ERROR : XLMIG_LOG_WARN);
    cli_signals_install();
    return o.receive ? cmd_receive(&o) : cmd_migrate(&o);
}
