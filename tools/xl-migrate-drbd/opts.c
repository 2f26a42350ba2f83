/* Command-line parsing: every bad value is named in a one-line error. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "codec.h"
#include "config.h"
#include "datapath.h"
#include "defaults.h"
#include "error.h"
#include "names.h"
#include "sim_guest.h"
#include "testhooks.h"

void cli_error(const char *fmt, ...)
{
    va_list ap;

    xlmig_log_line_start();
    fprintf(stderr, PROG ": ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_opts_init(cli_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->max_downtime_ms = XLMIG_DOWNTIME_DEFAULT_MS;
    o->timeout_s = XLMIG_TIMEOUT_DEFAULT_S;
    o->io_timeout_s = XLMIG_IO_TIMEOUT_DEFAULT_S;
    o->deadline_min_ms = XLMIG_DEADLINE_MIN_DEFAULT_MS;
    o->deadline_max_ms = XLMIG_DEADLINE_MAX_DEFAULT_MS;
    o->sim_mem_mib = 256;
    o->sim_profile = "web";
    o->sim_dirty_mib = -1;
    o->sim_hot_mib = -1;
    o->sim_free_mib = -1;
}

void cli_usage(FILE *out)
{
    fprintf(out,
"Usage: " PROG " [migrate] [options] <domain> <host>\n"
"\n"
"Live-migrate <domain> to its DRBD peer <host>: the DRBD resources are\n"
"dual-primary only for the migration window, memory is pre-copied with a\n"
"throttle that keeps the guest's dirty rate under the link rate, and the\n"
"guest keeps running here if anything fails before the commit point.\n"
"Options may come before or after <domain> <host>; \"--\" ends them.\n"
"\n"
"Options (as xl migrate):\n"
"  -s <sshcommand>         run the receiver through this (default ssh),\n"
"                          split into words, no shell; with -s \"\" <host>\n"
"                          is the whole command, run as given\n"
"  -e                      leave no domain monitor behind (xl migrate -e)\n"
"  -C <config>             send this domain config instead\n"
"  -p                      leave the guest paused on <host> (xl migrate -p)\n"
"  -D                      keep the domain id: refused at the pre-check if\n"
"                          <host> has a domain with it (xl migrate -D)\n"
"  --debug                 verbose libxl/libxc and protocol logging\n"
"Migration:\n"
"  --max-downtime <ms>     downtime bound; refused when earlier migrations\n"
"                          to the host had a longer switchover (default\n"
"                          300, a target that refuses nothing)\n"
"  --bandwidth <MiB/s>     limit the stream (default unlimited)\n"
"  --compress auto|off|on  zero pages as their pfn, and lz4 on the memory\n"
"                          records: auto compresses when measured to be\n"
"                          faster on this link; off sends them raw\n"
"                          (default auto)\n"
"  --timeout <s>           pre-copy budget, kept even mid-round (default 600)\n"
"  --allow-long-downtime   at the timeout, stop and copy anyway\n"
"                          (default: abort, guest stays here)\n"
"  --no-throttle           never cap the guest's CPU\n"
"  --switchover <how>      one-flight (default): the last pages and the\n"
"                          commit in one flight, the guest starts there as\n"
"                          soon as it is restored; two-step: wait for the\n"
"                          destination's \"ready\" first (one round trip\n"
"                          more of downtime, a certain rollback if the\n"
"                          destination dies restoring)\n"
"  --no-move-config        leave the guest's xl config file and its\n"
"                          /etc/xen/auto entry where they are (default:\n"
"                          they follow the guest)\n"
"  --transport tls|ssh     the memory stream: tls (default), parallel\n"
"                          TLS 1.3 streams to the migration address, keyed\n"
"                          by a one-time key sent over ssh; ssh, the one\n"
"                          ssh channel\n"
"  --streams <n>           data streams, 1 to 16 (default one a core, at\n"
"                          most 4, fewer under a low --bandwidth)\n"
"  --no-encrypt            plain TCP data streams (each still proves the\n"
"                          key): only on a dedicated, trusted link\n"
"  --with-local-disks      carry disks that are local LVM volumes: each\n"
"                          is copied over a temporary DRBD resource while\n"
"                          the guest runs, then the guest moves\n"
"  --delete-source         with --with-local-disks: remove the source's\n"
"                          LVs after the move (default: kept, see cleanup)\n"
"  --io-timeout <s>        longest wait on the peer for one message or\n"
"                          write, however it trickles (default 60)\n"
"  --switchover-deadline-min <ms>, --switchover-deadline-max <ms>\n"
"                          once the guest is suspended, roll back unless\n"
"                          the destination is ready within 3 x the planned\n"
"                          downtime, held to [min, max] (default 5000,\n"
"                          60000)\n"
"  --dry-run               run every check, print it, change nothing\n"
"  --json                  line-delimited JSON events and report\n"
"  -q, -v                  quieter, more verbose\n"
"  --receiver-cmd <cmd>    receiver command (default\n"
"                          \"" PROG " --receive\")\n"
"  -h, --help              this text; --version: the version\n"
"\n"
"Defaults for --bandwidth, --max-downtime, --timeout, the switchover\n"
"deadline and -s come from\n"
"/etc/xlmig/xlmig.conf ($XLMIG_CONF overrides the path); so does\n"
"<host>'s migration_address. <host> may be the DRBD peer's name or an\n"
"address of it ([user@]host); the host that answers must be a DRBD peer\n"
"of every resource of the guest. The simulator's options (tests, demo):\n"
PROG " help sim.\n"
"\n"
"Exit status: 0 migrated (or dry run passed), 1 failed with the guest\n"
"still running here, 2 usage error, or aborted with the guest still\n"
"running here, 3 state undefined after the commit point (run recover).\n");
}

enum {
    O_MAX_DOWNTIME = 256, O_BANDWIDTH, O_TIMEOUT, O_ALLOW_LONG, O_JSON,
    O_DRY_RUN, O_NO_THROTTLE, O_IO_TIMEOUT, O_DEBUG, O_RECEIVE, O_SIM,
    O_SIM_MEM, O_SIM_PROFILE, O_SIM_DIRTY, O_SIM_HOT, O_SIM_FREE,
    O_SIM_EXISTING, O_RUN_AFTER, O_RECEIVER, O_HELP, O_VERSION,
    O_SIM_HOST_DIR, O_REPORT_JSON, O_SIM_DISK, O_DEADLINE_MIN,
    O_DEADLINE_MAX, O_SIM_DRBD, O_NO_MOVE_CONFIG, O_HELP_TEST,
    O_TRANSPORT, O_STREAMS, O_NO_ENCRYPT,
    O_COMPRESS, O_SIM_ZERO,
    O_SWITCHOVER, O_WITH_LOCAL_DISKS, O_DELETE_SOURCE,
};

static const struct option longopts[] = {
    { "max-downtime", required_argument, NULL, O_MAX_DOWNTIME },
    { "bandwidth", required_argument, NULL, O_BANDWIDTH },
    { "compress", required_argument, NULL, O_COMPRESS },
    { "timeout", required_argument, NULL, O_TIMEOUT },
    { "allow-long-downtime", no_argument, NULL, O_ALLOW_LONG },
    { "json", no_argument, NULL, O_JSON },
    { "dry-run", no_argument, NULL, O_DRY_RUN },
    { "no-throttle", no_argument, NULL, O_NO_THROTTLE },
    { "switchover", required_argument, NULL, O_SWITCHOVER },
    { "no-move-config", no_argument, NULL, O_NO_MOVE_CONFIG },
    { "with-local-disks", no_argument, NULL, O_WITH_LOCAL_DISKS },
    { "delete-source", no_argument, NULL, O_DELETE_SOURCE },
    { "io-timeout", required_argument, NULL, O_IO_TIMEOUT },
    { "transport", required_argument, NULL, O_TRANSPORT },
    { "streams", required_argument, NULL, O_STREAMS },
    { "no-encrypt", no_argument, NULL, O_NO_ENCRYPT },
    { "switchover-deadline-min", required_argument, NULL, O_DEADLINE_MIN },
    { "switchover-deadline-max", required_argument, NULL, O_DEADLINE_MAX },
    { "debug", no_argument, NULL, O_DEBUG },
    { "receive", no_argument, NULL, O_RECEIVE },
    { "sim", no_argument, NULL, O_SIM },
    { "sim-mem", required_argument, NULL, O_SIM_MEM },
    { "sim-profile", required_argument, NULL, O_SIM_PROFILE },
    { "sim-dirty-rate", required_argument, NULL, O_SIM_DIRTY },
    { "sim-hot", required_argument, NULL, O_SIM_HOT },
    { "sim-free-mem", required_argument, NULL, O_SIM_FREE },
    { "sim-zero", required_argument, NULL, O_SIM_ZERO },
    { "sim-existing", required_argument, NULL, O_SIM_EXISTING },
    { "run-after", required_argument, NULL, O_RUN_AFTER },
    { "receiver-cmd", required_argument, NULL, O_RECEIVER },
    { "sim-host-dir", required_argument, NULL, O_SIM_HOST_DIR },
    { "report-json", required_argument, NULL, O_REPORT_JSON },
    { "sim-disk", required_argument, NULL, O_SIM_DISK },
    { "sim-drbd", required_argument, NULL, O_SIM_DRBD },
    { "help", no_argument, NULL, O_HELP },
    { "help-test", no_argument, NULL, O_HELP_TEST },
    { "version", no_argument, NULL, O_VERSION },
    { NULL, 0, NULL, 0 },
};

/* xlmig.conf's defaults; the command line overrides them. */
static int cli_config_defaults(cli_opts *o)
{
    static xlmig_config c;

    if (xlmig_config_load(&c, NULL)) {
        cli_error("%s", xlmig_errmsg());
        return -1;
    }
    o->conf = &c;
    if (c.has_bandwidth)
        o->bandwidth_mib = c.bandwidth_mib;
    if (c.has_max_downtime) {
        o->max_downtime_ms = c.max_downtime_ms;
        o->downtime = XLMIG_DOWNTIME_BOUND;
    }
    if (c.has_timeout)
        o->timeout_s = c.timeout_s;
    if (c.ssh[0])
        o->ssh = c.ssh;
    if (c.shared.n)
        o->shared = &c.shared;
    if (c.deadline_min_ms > 0)
        o->deadline_min_ms = c.deadline_min_ms;
    if (c.deadline_max_ms > 0)
        o->deadline_max_ms = c.deadline_max_ms;
    if (c.has_switchover)
        o->two_step = c.two_step;
    return 0;
}

/* A number in [lo, hi], or a one-line error naming the option. */
static int num(const char *opt, const char *arg, double lo, double hi,
               const char *unit, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(arg, &end);
    if (!*arg || *end || errno || !isfinite(v)) {
        cli_error("%s: \"%s\" is not a number (%s)", opt, arg, unit);
        return -1;
    }
    if (v < lo || v > hi) {
        cli_error("%s: %s is out of range (%g to %g %s)", opt, arg, lo, hi,
                  unit);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse(cli_opts *o, int argc, char **argv)
{
    int c, idx;

    if (cli_config_defaults(o))
        return -1;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":s:eC:qvhpD", longopts, &idx)) != -1) {
        int r = 0;

        switch (c) {
        case 's': o->ssh = optarg; break;
        case 'e': o->no_daemon = true; break;
        case 'C': o->config_override = optarg; break;
        case 'q': o->quiet = true; break;
        case 'v': o->verbose++; break;
        case 'p': o->paused = true; break;
        case 'D': o->keep_domid = true; break;
        case 'h':
        case O_HELP:
            if (o->verb)
                cli_usage(stdout);
            else
                cli_help(stdout);
            exit(0);
        case O_HELP_TEST:
            cli_sim_usage(stdout);
            exit(0);
        case O_VERSION:
            printf(PROG " " XLMIG_VERSION "%s\n", xlmig_test_hooks()
                   ? " (test build: fault injection and test overrides)"
                   : "");
            exit(0);
        case O_MAX_DOWNTIME:
            r = num("--max-downtime", optarg, XLMIG_DOWNTIME_MIN_MS,
                    XLMIG_DOWNTIME_MAX_MS, "ms", &o->max_downtime_ms);
            o->downtime = XLMIG_DOWNTIME_BOUND;
            break;
        case O_BANDWIDTH:
            r = num("--bandwidth", optarg, 0, 1e6, "MiB/s",
                    &o->bandwidth_mib);
            break;
        case O_COMPRESS:
            o->compress = xlmig_compress_mode_parse(optarg);
            if (o->compress < 0) {
                cli_error("--compress: \"%s\" is not auto, off or on",
                          optarg);
                r = -1;
            }
            break;
        case O_TIMEOUT:
            r = num("--timeout", optarg, XLMIG_TIMEOUT_MIN_S,
                    XLMIG_TIMEOUT_MAX_S, "s", &o->timeout_s);
            break;
        case O_IO_TIMEOUT:
            r = num("--io-timeout", optarg, 1, 86400, "s",
                    &o->io_timeout_s);
            break;
        case O_DEADLINE_MIN:
            r = num("--switchover-deadline-min", optarg, 1, 86400000, "ms",
                    &o->deadline_min_ms);
            break;
        case O_DEADLINE_MAX:
            r = num("--switchover-deadline-max", optarg, 1, 86400000, "ms",
                    &o->deadline_max_ms);
            break;
        case O_ALLOW_LONG: o->allow_long_downtime = true; break;
        case O_JSON: o->json = true; break;
        case O_DRY_RUN: o->dry_run = true; break;
        case O_NO_THROTTLE: o->no_throttle = true; break;
        case O_SWITCHOVER:
            if (!strcmp(optarg, "two-step"))
                o->two_step = true;
            else if (!strcmp(optarg, "one-flight"))
                o->two_step = false;
            else {
                cli_error("--switchover: \"%.40s\" is neither one-flight"
                          " nor two-step", optarg);
                return -1;
            }
            break;
        case O_WITH_LOCAL_DISKS: o->with_local_disks = true; break;
        case O_DELETE_SOURCE: o->delete_source = true; break;
        case O_NO_MOVE_CONFIG: o->no_move_config = true; break;
        case O_TRANSPORT:
            if (strcmp(optarg, "tls") && strcmp(optarg, "ssh")) {
                cli_error("--transport: \"%s\" is not tls or ssh%s",
                          optarg, strcmp(optarg, "tcp") ? "" : " (plain"
                          " TCP streams: --no-encrypt)");
                return -1;
            }
            o->transport = optarg;
            break;
        case O_STREAMS:
            r = num("--streams", optarg, 1, XLMIG_DP_MAX_STREAMS, "streams",
                    &o->streams);
            if (!r && o->streams != (unsigned)o->streams) {
                cli_error("--streams: \"%s\" is not a whole number",
                          optarg);
                r = -1;
            }
            break;
        case O_NO_ENCRYPT: o->no_encrypt = true; break;
        case O_DEBUG: o->debug = true; break;
        case O_RECEIVE: o->receive = true; break;
        case O_SIM: o->sim = true; break;
        case O_SIM_MEM:
            r = num("--sim-mem", optarg, 1, 1 << 20, "MiB", &o->sim_mem_mib);
            break;
        case O_SIM_PROFILE: {
            xlmig_sim_workload wl;

            /* a bad name is a usage error, named before anything runs */
            r = xlmig_sim_workload_preset(&wl, optarg, XLMIG_MIB, 0);
            if (r)
                cli_error("--sim-profile: %s", xlmig_errmsg());
            o->sim_profile = optarg;
            break;
        }
        case O_SIM_DIRTY:
            r = num("--sim-dirty-rate", optarg, 0, 1e6, "MiB/s",
                    &o->sim_dirty_mib);
            break;
        case O_SIM_HOT:
            r = num("--sim-hot", optarg, 0, 1 << 20, "MiB", &o->sim_hot_mib);
            break;
        case O_SIM_FREE:
            r = num("--sim-free-mem", optarg, 0, 1 << 30, "MiB",
                    &o->sim_free_mib);
            break;
        case O_SIM_ZERO:
            r = num("--sim-zero", optarg, 0, 1 << 20, "MiB",
                    &o->sim_zero_mib);
            break;
        case O_SIM_EXISTING: o->sim_existing = optarg; break;
        case O_RUN_AFTER:
            r = num("--run-after", optarg, 0, 86400, "s", &o->run_after_s);
            break;
        case O_RECEIVER: o->receiver = optarg; break;
        case O_SIM_HOST_DIR: o->sim_host_dir = optarg; break;
        case O_REPORT_JSON: o->report_json = optarg; break;
        case O_SIM_DISK:
            if (o->sim_ndisks == sizeof(o->sim_disks) /
                                 sizeof(o->sim_disks[0]) ||
                !strchr(optarg, '=') || optarg[0] == '=') {
                cli_error("--sim-disk: \"%s\" is not vdev=target, or"
                          " more than %zu disks", optarg,
                          sizeof(o->sim_disks) / sizeof(o->sim_disks[0]));
                return -1;
            }
            o->sim_disks[o->sim_ndisks++] = optarg;
            break;
        case O_SIM_DRBD: o->sim_drbd = optarg; break;
        case ':':
            cli_error("option %s needs a value (see --help)",
                      argv[optind - 1]);
            return -1;
        default:
            if (optopt && optopt < 256)
                cli_error("unknown option -%c (see --help)", optopt);
            else
                cli_error("unknown option %s (see --help)",
                          argv[optind - 1]);
            return -1;
        }
        if (r)
            return -1;
    }
    if (o->deadline_min_ms > o->deadline_max_ms) {
        cli_error("--switchover-deadline-min %g ms is above"
                  " --switchover-deadline-max %g ms", o->deadline_min_ms,
                  o->deadline_max_ms);
        return -1;
    }
    if ((o->with_local_disks || o->delete_source) && o->receive) {
        cli_error("--%s: the source's option (the request says which"
                  " disks are local)", o->with_local_disks ?
                  "with-local-disks" : "delete-source");
        return -1;
    }
    if (o->delete_source && !o->with_local_disks) {
        cli_error("--delete-source: only with --with-local-disks");
        return -1;
    }
    if (o->transport && !strcmp(o->transport, "ssh") &&
        (o->no_encrypt || o->streams)) {
        cli_error("%s: the data streams' option, not --transport ssh's",
                  o->no_encrypt ? "--no-encrypt" : "--streams");
        return -1;
    }
    if (o->keep_domid && (o->receive || o->sim || o->config_override)) {
        cli_error("-D: %s", o->receive ? "the source's option (the domain"
                  " id travels in the configuration)" : o->sim
                  ? "simulated guests have no domain id" : "with -C the"
                  " configuration sent is the file's, as with xl");
        return -1;
    }
    if (o->receive) {
        if (optind != argc) {
            cli_error("--receive takes no domain or host (got \"%s\")",
                      argv[optind]);
            return -1;
        }
        return 0;
    }
    if (argc - optind != 2) {
        /* "--json status": the subcommand's options go after it */
        bool sub = optind < argc && !o->verb && cli_cmd_find(argv[optind]);

        cli_error("expected <domain> <host>, got %d argument%s%s%s%s (see"
                  " --help)", argc - optind, argc - optind == 1 ? "" : "s",
                  sub ? "; '" : "", sub ? argv[optind] : "", sub ? "' is a"
                  " subcommand: its options go after it" : "");
        return -1;
    }
    o->domain = argv[optind];
    o->host = argv[optind + 1];
    if (!*o->domain || !*o->host) {
        cli_error("empty %s name", !*o->domain ? "domain" : "host");
        return -1;
    }
    /* With -s "" the host argument is the operator's own command. */
    if (!xlmig_name_domain_ok(o->domain))
        xlmig_name_refuse("domain", o->domain, XLMIG_NAME_DOMAIN_RULE);
    else if (!(o->ssh && !*o->ssh) && !xlmig_name_host_ok(o->host, false))
        xlmig_name_refuse("host", o->host, XLMIG_NAME_HOST_RULE);
    else
        return 0;
    cli_error("%s", xlmig_errmsg());
    return -1;
}
