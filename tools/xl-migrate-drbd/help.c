/*
 * help: the subcommand table with the migration's options and the exit
 * status every subcommand shares; help <subcommand> (that subcommand's
 * own --help); help sim, the simulator's test options.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

void cli_sim_usage(FILE *out)
{
    fprintf(out,
"Usage: " PROG " [migrate] --sim [options] <domain> <host>\n"
"       " PROG " --receive [--sim] [-e] [-p] [--debug] [options]\n"
"\n"
"Test and demo options: a simulated guest instead of a Xen domain.\n"
"--receive is the destination side, run by the transport (stream on\n"
"stdin and stdout).\n"
"  --sim                   use the simulator backend\n"
"  --sim-mem <MiB>         guest memory (default 256)\n"
"  --sim-profile <p>       idle, web, oltp, diabolical (default web)\n"
"  --sim-dirty-rate <MiB/s> override the profile's dirty rate\n"
"  --sim-hot <MiB>         override the profile's hot working set\n"
"  --sim-free-mem <MiB>    receiver: memory this host offers\n"
"  --sim-zero <MiB>        leave the guest's last <MiB> zero pages\n"
"  --sim-existing <name>   receiver: pretend <name> already runs here\n"
"  --run-after <s>         receiver: keep the guest running this long\n"
"  --sim-host-dir <dir>    keep domain records there, as a host would\n"
"  --sim-disk <vdev=target> give the simulated guest a disk (repeat)\n"
"  --sim-drbd <r:peer ...> the guest's DRBD resources and their peers\n"
"  --report-json <file>    receiver: write the outcome there as JSON\n"
"Host subcommands (evacuate, return, status, maintenance) take\n"
"--sim-state <dir> and --sim-host <name>: simulated hosts, one directory\n"
"each, and which one this is.\n");
}

void cli_help(FILE *out)
{
    unsigned i;

    fprintf(out, "Usage: " PROG " [migrate] [options] <domain> <host>\n");
    for (i = 0; i < cli_ncmds; i++)
        if (cli_cmdtable[i].fn != main_migrate)
            fprintf(out, "       " PROG " %s %s\n", cli_cmdtable[i].name,
                    cli_cmdtable[i].usage);
    fprintf(out, "\n");
    cli_cmd_list(out);
    fprintf(out,
"\n"
"A first word that is no subcommand starts the bare form <domain> <host>,\n"
"unless it looks like a mistyped one (then: " PROG " migrate ...).\n"
"\n"
"Exit status, every subcommand:\n"
"  0  done (migrated, every guest moved or back, one guest runs, nothing\n"
"     to do, a dry run that passed, help)\n"
"  1  failed, nothing lost: the guest runs where it ran (migrate), some\n"
"     guests stay (evacuate, return), a host could not be inspected or\n"
"     an action failed (recover), or it could not be done (status,\n"
"     maintenance, inspect, monitor)\n"
"  2  a usage error (every subcommand); or not done: migrate aborted\n"
"     (the guest still runs here), no guest could move (evacuate,\n"
"     return), recover refused (the operator must decide)\n"
"  3  migrate: state undefined after the commit point (run recover)\n"
"\n");
    cli_usage(out);
}

int main_help(int argc, char **argv)
{
    char *args[3] = { NULL, "--help", NULL };
    const cli_cmd *c;

    if (argc < 2) {
        cli_help(stdout);
        return 0;
    }
    if (argc > 2) {
        cli_error("help: expected one subcommand, got %d", argc - 1);
        return CLI_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        printf("Usage: " PROG " help [<subcommand>|sim]\n\n"
               "The subcommands, or one subcommand's help (the same as"
               " <subcommand> --help);\nsim: the simulator's and the"
               " receiver's options (tests, demo).\n");
        return 0;
    }
    if (!strcmp(argv[1], "sim")) {
        cli_sim_usage(stdout);
        return 0;
    }
    c = cli_cmd_find(argv[1]);
    if (!c)
        return cli_cmd_unknown(argv[1], NULL);
    args[0] = (char *)c->name;
    return c->fn(2, args);
}
