/*
 * xl-migrate-drbd: live migration of Xen guests on DRBD.
 * The first word picks a subcommand of cmdtable.c; a plain
 * "<domain> <host>" migrates.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "error.h"
#include "report.h"

volatile int cli_cancel;

/* Where a lost terminal's output goes instead: see on_signal. */
static int devnull = -1;
static bool tty_out, tty_err;

/*
 * Every signal that asks us to stop asks for the same thing: roll back
 * before the commit point, settle after it; never die with the guest
 * suspended. A hangup also means the terminal is gone: writes to it
 * would fail with EIO from now on, so they go to /dev/null instead
 * (dup2 is async-signal-safe; files and pipes are left as they are).
 */
static void on_signal(int sig)
{
    if (sig == SIGHUP && devnull >= 0) {
        if (tty_out)
            dup2(devnull, 1);
        if (tty_err)
            dup2(devnull, 2);
    }
    cli_cancel = sig;
}

void cli_signals_install(void)
{
    static const int sigs[] = { SIGHUP, SIGINT, SIGTERM, SIGQUIT };
    struct sigaction sa;
    unsigned i;

    if (devnull < 0)
        devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    tty_out = isatty(1);
    tty_err = isatty(2);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        sigaddset(&sa.sa_mask, sigs[i]);
    /* No SA_RESTART: a blocked call returns and the flag is seen. */
    for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        struct sigaction old;

        /* Under nohup a hangup is to be survived, not obeyed. */
        if (sigs[i] == SIGHUP && !sigaction(SIGHUP, NULL, &old) &&
            old.sa_handler == SIG_IGN)
            continue;
        sigaction(sigs[i], &sa, NULL);
    }
    /* A peer or reader gone: the write fails with EPIPE, and is handled. */
    signal(SIGPIPE, SIG_IGN);
}

/*
 * The migration, reached as "migrate" or as the bare form (argv[0] the
 * program): one parser for both, so they take the same options.
 */
int main_migrate(int argc, char **argv)
{
    cli_opts o;

    cli_opts_init(&o);
    o.verb = !strcmp(argv[0], "migrate");
    /* xlmig.conf is read first: a failure with none read is its own. */
    if (cli_parse(&o, argc, argv))
        return o.conf ? CLI_EXIT_USAGE : XLMIG_EXIT_ERROR;
    xlmig_log_set_level(o.debug ? XLMIG_LOG_DEBUG
                        : o.verbose ? XLMIG_LOG_INFO
                        : o.quiet ? XLMIG_LOG_ERROR : XLMIG_LOG_WARN);
    /*
     * A receiver's hangup is its link dying (ssh, or the transport that
     * ignores HUP for the source's sake): it must discard, never carry
     * on alone. Only a source keeps a nohup.
     */
    if (o.receive)
        signal(SIGHUP, SIG_DFL);
    cli_signals_install();
    return o.receive ? cmd_receive(&o) : cmd_migrate(&o);
}

/*
 * The first word picks the subcommand. Any other word starts the bare
 * form "<domain> <host>", as before there were subcommands, unless it
 * looks like a mistyped subcommand: then it is refused (a domain of
 * such a name migrates with the explicit "migrate").
 */
int main(int argc, char **argv)
{
    const cli_cmd *c;
    char hint[160];

    xlmig_log_set_prefix(PROG);
    if (argc < 2) {
        cli_error("expected a subcommand or <domain> <host> (see "
                  PROG " help)");
        return CLI_EXIT_USAGE;
    }
    c = cli_cmd_find(argv[1]);
    if (c && c->fn == main_migrate)
        return main_migrate(argc - 1, argv + 1);
    if (c) {
        cli_signals_install();
        return c->fn(argc - 1, argv + 1);
    }
    if (argv[1][0] != '-' && cli_cmd_nearest(argv[1])) {
        snprintf(hint, sizeof(hint), "; to migrate a domain of that name: "
                 PROG " migrate %.64s <host>", argv[1]);
        return cli_cmd_unknown(argv[1], hint);
    }
    return main_migrate(argc, argv);
}
