/*
 * xe: the xe-style scripts' front end. `xl-migrate-drbd xe <verb>
 * key=value...` checks the keys and values as xe takes them and runs
 * the matching subcommand; options among the keys (-s, --sim...) pass
 * through.
 *
 *   vm-migrate vm=NAME host=HOST [live=true] [bandwidth=MiB/s]
 *              [max-downtime=ms] [local-disks=true]
 *   host-evacuate [host=THIS] [batch-size=N] [local-disks=true]
 *   host-disable [host=THIS] | host-enable [host=THIS]
 *   host-get-vms-which-prevent-evacuation [host=THIS]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "defaults.h"
#include "error.h"
#include "hostctx.h"
#include "kv.h"
#include "names.h"
#include "report.h"
#include "testhooks.h"

typedef struct {
    const char *verb;
    const char *keys;           /* allowed, space-separated */
    const char *required;
} xe_verb;

static const xe_verb verbs[] = {
    { "vm-migrate", "vm host live bandwidth max-downtime local-disks",
      "vm host" },
    { "host-evacuate", "host batch-size local-disks", "" },
    { "host-disable", "host", "" },
    { "host-enable", "host", "" },
    { "host-get-vms-which-prevent-evacuation", "host", "" },
};

static void usage(FILE *f)
{
    fprintf(f,
"Usage: " PROG " xe <verb> [options] key=value...\n"
"\n"
"The xe-style scripts call this; keys and values as xe takes them.\n"
"  vm-migrate vm=<name> host=<host> [live=true] [bandwidth=<MiB/s>]\n"
"             [max-downtime=<ms>] [local-disks=true]\n"
"  host-evacuate [host=<this host>] [batch-size=<n>] [local-disks=true]\n"
"  local-disks=true: disks on local LVM follow over temporary DRBD\n"
"  (--with-local-disks)\n"
"  host-disable [host=<this host>]      maintenance on\n"
"  host-enable [host=<this host>]       maintenance off\n"
"  host-get-vms-which-prevent-evacuation [host=<this host>]\n"
"Options among the keys (-s, --sim-state, ...) go to the command run.\n"
"Exit status: the command's (" PROG " help); 2 for a bad key or value.\n");
}

/* local-disks= takes only true (false is the same as leaving it out). */
static int local_disks(const char *v, const char *verb)
{
    if (!v || !strcmp(v, "true"))
        return 0;
    cli_error("xe %s: local-disks=%s: only local-disks=true", verb, v);
    return -1;
}

static bool listed(const char *list, const char *key)
{
    size_t n = strlen(key);
    const char *p = list;

    while ((p = strstr(p, key))) {
        if ((p == list || p[-1] == ' ') && (!p[n] || p[n] == ' '))
            return true;
        p += n;
    }
    return false;
}

#define MAXV 48

static const char *val_of(const char *const *keys, const char *const *vals,
                          unsigned n, const char *k)
{
    unsigned i;

    for (i = 0; i < n; i++)
        if (!strcmp(keys[i], k))
            return vals[i];
    return NULL;
}

int cmd_xe(int argc, char **argv)
{
    const char *vals[8] = { 0 }, *keys[8] = { 0 };
    char *args[MAXV + 1], self[XLMIG_INV_NAME_MAX], exe[4096];
    static xlmig_kv kvs[8];
    const xe_verb *v = NULL;
    unsigned i, nk = 0, na = 0;
    bool own_cmd = false;       /* -s "": host= is the receiver command */
    int a = 2;
    ssize_t r;

#define ARG(x) do { if (na >= MAXV) goto too_many; args[na++] = (x); } \
               while (0)
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
        if (!strcmp(argv[1], verbs[i].verb))
            v = &verbs[i];
    if (!v) {
        cli_error("xe: unknown command \"%s\" (see xe --help)", argv[1]);
        return CLI_EXIT_USAGE;
    }
    r = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (r <= 0) {
        cli_error("xe: cannot tell where this program is");
        return XLMIG_EXIT_ERROR;
    }
    exe[r] = 0;
    ARG(exe);
    /* the subcommand first, then pass-through options, then ours */
    if (!strcmp(v->verb, "host-evacuate"))
        ARG("evacuate");
    else if (!strcmp(v->verb, "host-get-vms-which-prevent-evacuation"))
        ARG("evacuate");
    else if (strcmp(v->verb, "vm-migrate"))
        ARG("maintenance");
    else
        ARG("migrate");
    /* Options anywhere among the keys: they pass through, in order. */
    for (; a < argc; a++) {
        if (argv[a][0] == '-') {
            if (!strcmp(argv[a], "-s") && a + 1 < argc && !argv[a + 1][0])
                own_cmd = true;
            ARG(argv[a]);
            /* options taking a value: -s and --sim-* (except --sim) */
            if ((!strcmp(argv[a], "-s") || (!strncmp(argv[a], "--sim-", 6)
                 && !strchr(argv[a], '=')) ||
                 !strcmp(argv[a], "--receiver-cmd")) && a + 1 < argc)
                ARG(argv[++a]);
            continue;
        }
        if (nk >= 8) {
            cli_error("xe %s: too many keys", v->verb);
            return CLI_EXIT_USAGE;
        }
        if (xlmig_kv_split(argv[a], strlen(argv[a]), &kvs[nk])) {
            cli_error("xe %s: %s", v->verb, xlmig_errmsg());
            return CLI_EXIT_USAGE;
        }
        if (!listed(v->keys, kvs[nk].key)) {
            cli_error("xe %s: unknown key \"%s\" (known: %s)", v->verb,
                      kvs[nk].key, v->keys);
            return CLI_EXIT_USAGE;
        }
        for (i = 0; i < nk; i++)
            if (!strcmp(keys[i], kvs[nk].key)) {
                cli_error("xe %s: key \"%s\" given twice", v->verb,
                          kvs[nk].key);
                return CLI_EXIT_USAGE;
            }
        keys[nk] = kvs[nk].key;
        vals[nk] = kvs[nk].val;
        nk++;
    }
#define VAL(k) val_of(keys, vals, nk, k)
    {
        char req[64], *save = NULL, *k;

        snprintf(req, sizeof(req), "%s", v->required);
        for (k = strtok_r(req, " ", &save); k; k = strtok_r(NULL, " ",
                                                            &save))
            if (!VAL(k) || !*VAL(k)) {
                cli_error("xe %s: %s= is required", v->verb, k);
                return CLI_EXIT_USAGE;
            }
    }
    if (VAL("host") && strcmp(v->verb, "vm-migrate")) {
        /* host verbs act on the host they run on, as xe's do locally */
        if (gethostname(self, sizeof(self) - 1))
            strcpy(self, "localhost");
        self[strcspn(self, ".")] = 0;
        if (xlmig_test_env("XLMIG_SIM_HOST"))
            snprintf(self, sizeof(self), "%s",
                     xlmig_test_env("XLMIG_SIM_HOST"));
        for (i = 2; i < (unsigned)argc; i++)
            if (!strcmp(argv[i], "--sim-host") && i + 1 < (unsigned)argc)
                snprintf(self, sizeof(self), "%s", argv[i + 1]);
        if (strcmp(VAL("host"), self)) {
            cli_error("xe %s: host=%s: this runs on %s and acts on it only"
                      " (run it there)", v->verb, VAL("host"), self);
            return CLI_EXIT_USAGE;
        }
    }
    if (!strcmp(v->verb, "vm-migrate")) {
        double d;

        /* Checked here too, so the refusal names the key. */
        if (!xlmig_name_domain_ok(VAL("vm")) ||
            (!own_cmd && !xlmig_name_host_ok(VAL("host"), false))) {
            if (!xlmig_name_domain_ok(VAL("vm")))
                xlmig_name_refuse("xe vm-migrate: vm=", VAL("vm"),
                                  XLMIG_NAME_DOMAIN_RULE);
            else
                xlmig_name_refuse("xe vm-migrate: host=", VAL("host"),
                                  XLMIG_NAME_HOST_RULE);
            cli_error("%s", xlmig_errmsg());
            return CLI_EXIT_USAGE;
        }

        if (VAL("live") && strcmp(VAL("live"), "true")) {
            cli_error("xe vm-migrate: live=%s: only live=true is supported",
                      VAL("live"));
            return CLI_EXIT_USAGE;
        }
        if (VAL("bandwidth")) {
            if (xlmig_kv_double("xe vm-migrate: bandwidth", VAL("bandwidth"),
                                0, 1e6, &d)) {
                cli_error("%s", xlmig_errmsg());
                return CLI_EXIT_USAGE;
            }
            ARG("--bandwidth");
            ARG((char *)VAL("bandwidth"));
        }
        if (VAL("max-downtime")) {
            if (xlmig_kv_double("xe vm-migrate: max-downtime",
                                VAL("max-downtime"), XLMIG_DOWNTIME_MIN_MS,
                                XLMIG_DOWNTIME_MAX_MS, &d)) {
                cli_error("%s", xlmig_errmsg());
                return CLI_EXIT_USAGE;
            }
            ARG("--max-downtime");
            ARG((char *)VAL("max-downtime"));
        }
        if (local_disks(VAL("local-disks"), "vm-migrate"))
            return CLI_EXIT_USAGE;
        if (VAL("local-disks"))
            ARG("--with-local-disks");
        ARG("--");
        ARG((char *)VAL("vm"));
        ARG((char *)VAL("host"));
    } else if (!strcmp(v->verb, "host-evacuate")) {
        uint64_t n;

        if (VAL("batch-size")) {
            if (xlmig_kv_u64("xe host-evacuate: batch-size",
                             VAL("batch-size"), 1, 16, &n)) {
                cli_error("%s", xlmig_errmsg());
                return CLI_EXIT_USAGE;
            }
            ARG("--parallel");
            ARG((char *)VAL("batch-size"));
        }
        if (local_disks(VAL("local-disks"), "host-evacuate"))
            return CLI_EXIT_USAGE;
        if (VAL("local-disks"))
            ARG("--with-local-disks");
    } else if (!strcmp(v->verb, "host-get-vms-which-prevent-evacuation")) {
        ARG("--dry-run");
        ARG("--blocked");
    } else {
        ARG(!strcmp(v->verb, "host-disable") ? "on" : "off");
    }
    args[na] = NULL;
    fflush(NULL);
    execv(exe, args);
    cli_error("xe: cannot run %s: %s", exe, strerror(errno));
    return XLMIG_EXIT_ERROR;
too_many:
    cli_error("xe %s: too many arguments", v->verb);
    return CLI_EXIT_USAGE;
}
