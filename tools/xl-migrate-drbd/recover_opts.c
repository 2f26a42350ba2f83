/*
 * recover's and inspect's options, and their usage (docs/reliability.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "error.h"
#include "names.h"
#include "num.h"
#include "recover_cli.h"

enum { R_SIM = 256, R_HOST_DIR, R_DRY_RUN, R_KEEP_LOCAL, R_KEEP_PEER,
       R_JSON, R_DO, R_UUID, R_RESOURCES, R_IO_TIMEOUT, R_HELP };

static const struct option rec_longopts[] = {
    { "sim", no_argument, NULL, R_SIM },
    { "sim-host-dir", required_argument, NULL, R_HOST_DIR },
    { "dry-run", no_argument, NULL, R_DRY_RUN },
    { "keep-local", no_argument, NULL, R_KEEP_LOCAL },
    { "keep-peer", no_argument, NULL, R_KEEP_PEER },
    { "json", no_argument, NULL, R_JSON },
    { "do", required_argument, NULL, R_DO },
    { "uuid", required_argument, NULL, R_UUID },
    { "resources", required_argument, NULL, R_RESOURCES },
    { "io-timeout", required_argument, NULL, R_IO_TIMEOUT },
    { "help", no_argument, NULL, R_HELP },
    { NULL, 0, NULL, 0 },
};

static void recover_usage(FILE *out)
{
    fprintf(out,
"Usage: " PROG " recover [options] <domain> <peer>\n"
"       " PROG " inspect [--sim --sim-host-dir <dir>] [--uuid U]"
" [--resources R,...]\n"
"                          <domain> [--do ACT]...\n"
"\n"
"recover inspects both hosts -- <domain>, <domain>--incoming and\n"
"<domain>--migratedaway, their states, DRBD roles, migration tokens --\n"
"and brings them to one running guest with the DRBD window closed,\n"
"printing what it found and what it did. It never destroys a running\n"
"copy, and refuses, touching nothing, when the state does not say\n"
"which copy is the guest. Nothing wrong: it does nothing and says so.\n"
"\n"
"  -s <sshcommand>   reach the peer through this (default ssh); with\n"
"                    -s \"\" <peer> is the whole inspect command\n"
"  --dry-run         print the decision, change nothing\n"
"  --json            one JSON object: what was found, decided, done and\n"
"                    left (docs/json.md); inspect always prints JSON\n"
"  --io-timeout <s>  longest wait for the peer's answer (default 60)\n"
"  --keep-local, --keep-peer\n"
"                    two copies run: keep this one (check first which\n"
"                    one is current)\n"
"  --sim, --sim-host-dir <dir>\n"
"                    a simulated host (the simulator's records)\n"
"\n"
"inspect prints this host's view as one JSON line; --do applies one\n"
"action (destroy:COPY, rename:COPY:TO, resume:COPY, unpause:COPY,\n"
"demote, promote, close-window, drop-tokens; COPY is name, incoming,\n"
"migratedaway). --uuid and --resources say what the guest's uuid and\n"
"DRBD resources are when no copy of it is on this host (recover passes\n"
"what the other host told it).\n"
"\n"
"Exit status: 0 one guest runs and nothing is left (or a dry run),\n"
"1 a host could not be inspected or an action failed, 2 refused: the\n"
"operator must decide, or a usage error. inspect: 0 printed (and done),\n"
"1 failed, 2 usage error.\n");
}

int rec_parse(rec_opts *o, int argc, char **argv, int nargs)
{
    int c;

    memset(o, 0, sizeof(*o));
    o->io_timeout_s = PEER_TIMEOUT_S;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":s:h", rec_longopts, NULL)) != -1) {
        switch (c) {
        case 's': o->ssh = optarg; break;
        case R_SIM: o->sim = true; break;
        case R_HOST_DIR: o->host_dir = optarg; break;
        case R_DRY_RUN: o->dry_run = true; break;
        case R_KEEP_LOCAL: o->keep = XLMIG_KEEP_LOCAL; break;
        case R_KEEP_PEER: o->keep = XLMIG_KEEP_PEER; break;
        case R_JSON: o->json = true; break;
        case R_IO_TIMEOUT: {
            uint64_t v;

            if (xlmig_num_u64(optarg, 10, 1, 86400, &v)) {
                cli_error("%s: --io-timeout: \"%s\" is not 1..86400 s",
                          argv[0], optarg);
                return -1;
            }
            o->io_timeout_s = (unsigned)v;
            break;
        }
        case R_UUID:
        case R_RESOURCES:
            if (c == R_UUID ? !xlmig_uuid_text_ok(optarg)
                            : !xlmig_resource_list_ok(optarg)) {
                cli_error("%s: bad %s \"%s\"", argv[0], c == R_UUID ?
                          "--uuid" : "--resources", optarg);
                return -1;
            }
            snprintf(c == R_UUID ? o->hint.uuid : o->hint.resources,
                     c == R_UUID ? sizeof(o->hint.uuid)
                                 : sizeof(o->hint.resources), "%s", optarg);
            break;
        case R_DO: {
            xlmig_action a;

            if (o->ntodo == MAX_DO) {
                cli_error("%s: at most %d --do", argv[0], MAX_DO);
                return -1;
            }
            /* a bad action is a usage error: refused before any acts */
            if (xlmig_action_parse(optarg, &a)) {
                cli_error("%s: --do: %s", argv[0], xlmig_errmsg());
                return -1;
            }
            o->todo[o->ntodo++] = optarg;
            break;
        }
        case 'h':
        case R_HELP:
            recover_usage(stdout);
            exit(0);
        case ':':
            cli_error("%s: option %s needs a value", argv[0],
                      argv[optind - 1]);
            return -1;
        default:
            cli_error("%s: unknown option %s (see --help)", argv[0],
                      argv[optind - 1]);
            return -1;
        }
    }
    if (argc - optind != nargs) {
        cli_error("%s: expected %s, got %d argument%s", argv[0],
                  nargs == 2 ? "<domain> <peer>" : "<domain>",
                  argc - optind, argc - optind == 1 ? "" : "s");
        return -1;
    }
    o->domain = argv[optind];
    o->peer = nargs == 2 ? argv[optind + 1] : NULL;
    if (!xlmig_domain_name_ok(o->domain)) {
        cli_error("%s: \"%s\" is not a domain name", argv[0], o->domain);
        return -1;
    }
    if (o->peer && !*o->peer) {
        cli_error("%s: empty peer", argv[0]);
        return -1;
    }
    /* With -s "" the peer argument is the operator's own command. */
    if (o->peer && !(o->ssh && !*o->ssh) &&
        !xlmig_name_host_ok(o->peer, false)) {
        xlmig_name_refuse("peer", o->peer, XLMIG_NAME_HOST_RULE);
        cli_error("%s: %s", argv[0], xlmig_errmsg());
        return -1;
    }
    if (o->sim && !o->host_dir) {
        cli_error("%s: --sim needs --sim-host-dir", argv[0]);
        return -1;
    }
    return 0;
}
