/*
 * evacuate: move every running guest off this host to its DRBD peer.
 * Plan (evac_plan.c) over this host's inventory and each peer's
 * status, write a journal, run the single-guest migration per guest
 * (this program, as a child) at most --parallel at a time, continue
 * past failures, report per guest.
 *
 * Exit: 0 every guest moved (or nothing to move), 1 some stayed,
 * 2 nothing could run (no move possible, or bad input/setup).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <yajl/yajl_gen.h>

#include "cli.h"
#include "error.h"
#include "evac.h"
#include "hostctx.h"
#include "hostlock.h"
#include "hoststate.h"
#include "journal.h"
#include "json_gen.h"
#include "names.h"
#include "report.h"

static void usage(FILE *f)
{
    fprintf(f,
"Usage: " PROG " evacuate [options]\n"
"\n"
"Live-migrate every running guest (Domain-0 excluded) off this host, each\n"
"to its DRBD peer. A guest stays when its resources have different peers,\n"
"its peer is in maintenance or unreachable, or the peer lacks the memory\n"
"(counting the guests already planned onto it). Smallest guests go first.\n"
"A journal records what moved where; `" PROG " return` brings them back.\n"
"\n"
"Options:\n"
"  --dry-run               print the plan and why guests would stay\n"
"  --blocked               with --dry-run: only the guests that would stay,\n"
"                          one \"name: reason\" line each\n"
"  --parallel <n>          migrations at once (default 1, or config)\n"
"  --to <host>             only move guests whose peer is <host>\n"
"  --json                  one JSON object with the plan or the results\n"
"  --cron                  only if this host is in maintenance; quiet on\n"
"                          success, a short report on stderr on failure,\n"
"                          everything to syslog\n"
"  -q                      no per-guest lines, only errors\n"
"  -s <sshcommand>         how to reach peers (default ssh, or config)\n"
"  --bandwidth <MiB/s>     passed to each migration\n"
"  --max-downtime <ms>     passed to each migration\n"
"  --sim-state <dir>       simulated hosts, one directory each\n"
"  --sim-host <name>       which simulated host this is\n"
"  -h, --help              this text\n"
"\n"
"Exit status: 0 every guest moved (or none to move), 1 some guests stayed,\n"
"2 nothing could run.\n");
}

typedef struct {
    hostctx h;
    evac_common c;
    const char *to;
    bool dry_run, cron, quiet, blocked;
} evac_args;

static int parse(evac_args *a, int argc, char **argv)
{
    static const struct option lo[] = {
        HOSTCTX_OPTS,
        EVAC_COMMON_OPTS,
        { "dry-run", no_argument, NULL, 'n' },
        { "to", required_argument, NULL, 't' },
        { "cron", no_argument, NULL, 'c' },
        { "blocked", no_argument, NULL, 'b' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c, r;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+:hqs:", lo, NULL)) != -1) {
        r = evac_opt(&a->c, &a->h, "evacuate", c, optarg);
        if (r < 0)
            return -1;
        if (r)
            continue;
        switch (c) {
        case 'n': a->dry_run = true; break;
        case 'b': a->blocked = true; break;
        case 't':
            if (!xlmig_inv_name_ok(optarg)) {
                xlmig_name_refuse("evacuate: --to", optarg,
                                  XLMIG_NAME_PEER_RULE);
                cli_error("%s", xlmig_errmsg());
                return -1;
            }
            a->to = optarg;
            break;
        case 'c': a->cron = a->quiet = true; break;
        case 'q': a->quiet = true; break;
        case 'h': usage(stdout); exit(0);
        case ':':
            cli_error("evacuate: option %s needs a value",
                      argv[optind - 1]);
            return -1;
        default:
            cli_error("evacuate: unknown option %s (see --help)",
                      argv[optind - 1]);
            return -1;
        }
    }
    if (a->blocked && !a->dry_run) {
        cli_error("evacuate: --blocked goes with --dry-run");
        return -1;
    }
    return evac_no_operands("evacuate", argc, argv);
}

typedef struct {
    evac_args *a;
    xlmig_inventory *inv;
    xlmig_evac_plan *plan;
    xlmig_journal *j;
    FILE *out;                  /* per-guest lines, or NULL */
    unsigned moved, failed;
} evac_run_ctx;

static void now_stamp(char *buf, size_t len)
{
    xlmig_utc_stamp(time(NULL), buf, len);
}

static void save(evac_run_ctx *x)
{
    if (xlmig_journal_save(x->a->h.state_dir, x->j)) {
        hostctx_log(LOG_ERR, stderr, PROG " evacuate: journal: %s",
                    xlmig_errmsg());
        xlmig_err_clear();
    }
}

static void on_start(void *arg, unsigned k)
{
    evac_run_ctx *x = arg;
    xlmig_jguest *jg = &x->j->guests[k];

    now_stamp(jg->started, sizeof(jg->started));
    hostctx_log(LOG_INFO, x->out, "  %s -> %s: migrating (%llu MiB)",
                jg->name, jg->dest, (unsigned long long)jg->mem_mib);
    save(x);
}

static void on_finish(void *arg, unsigned k, int exit, const char *msg,
                      double secs)
{
    evac_run_ctx *x = arg;
    xlmig_jguest *jg = &x->j->guests[k];
    const char *why = msg && *msg ? msg : "no reason given";

    now_stamp(jg->finished, sizeof(jg->finished));
    jg->exit_code = exit;
    if (!exit) {
        jg->result = XLMIG_JR_MOVED;
        jg->reason[0] = 0;
        x->moved++;
        hostctx_log(LOG_INFO, x->out, "  %s -> %s: moved in %.1f s",
                    jg->name, jg->dest, secs);
    } else {
        jg->result = exit == XLMIG_EXIT_UNDEFINED ? XLMIG_JR_UNDEFINED
                                                  : XLMIG_JR_FAILED;
        snprintf(jg->reason, sizeof(jg->reason), "%s", why);
        x->failed++;
        hostctx_log(LOG_ERR, x->out, "  %s -> %s: %s (exit %d): %s",
                    jg->name, jg->dest, exit == XLMIG_EXIT_UNDEFINED ?
                    "UNDEFINED, run recover" : "FAILED, still here", exit,
                    why);
    }
    xlmig_err_clear();
    save(x);
}

static void print_json(const evac_args *a, const xlmig_journal *j,
                       const char *path, int code)
{
    const unsigned char *buf;
    size_t len;
    unsigned i;
    yajl_gen g = yajl_gen_alloc(NULL);

    if (!g)
        return;
    yajl_gen_map_open(g);
    GS(g, "host");
    GS(g, j->host);
    GS(g, "dry_run");
    yajl_gen_bool(g, a->dry_run);
    GS(g, "journal");
    GS(g, path);
    GS(g, "guests");
    yajl_gen_array_open(g);
    for (i = 0; i < j->n; i++) {
        const xlmig_jguest *jg = &j->guests[i];

        yajl_gen_map_open(g);
        GS(g, "name");
        GS(g, jg->name);
        GS(g, "mem_mib");
        yajl_gen_integer(g, (long long)jg->mem_mib);
        GS(g, "dest");
        GS(g, jg->dest);
        GS(g, "result");
        GS(g, a->dry_run ? (jg->result == XLMIG_JR_PLANNED ? "would-move"
                                                           : "stays")
                         : xlmig_jresult_str(jg->result));
        GS(g, "reason");
        GS(g, jg->reason);
        GS(g, "exit");
        yajl_gen_integer(g, jg->exit_code);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    GS(g, "exit");
    yajl_gen_integer(g, code);
    yajl_gen_map_close(g);
    if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
        printf("%.*s\n", (int)len, buf);
    yajl_gen_free(g);
}

/* Journal entries in plan order: the moves, and the guests that stay. */
static int fill_journal(const xlmig_inventory *inv,
                        const xlmig_evac_plan *plan, xlmig_journal *j)
{
    unsigned k;
    int rc;

    rc = xlmig_journal_start(j, inv->self, plan->n);
    for (k = 0; !rc && k < plan->n; k++) {
        const xlmig_evac_item *it = &plan->items[k];
        const xlmig_inv_guest *g = &inv->guests[it->guest];
        xlmig_jguest *jg = &j->guests[k];

        strcpy(jg->name, g->name);
        jg->mem_mib = g->mem_mib;
        if (it->move) {
            strcpy(jg->dest, it->dest);
            jg->result = XLMIG_JR_PLANNED;
        } else {
            jg->result = XLMIG_JR_STAYED;
            snprintf(jg->reason, sizeof(jg->reason), "%s", it->reason);
        }
    }
    return rc;
}

static int cmd_evacuate(int argc, char **argv)
{
    xlmig_inventory inv;
    xlmig_evac_plan plan;
    xlmig_evac_opts po;
    xlmig_journal j;
    xlmig_status st;
    evac_job *jobs = NULL;
    evac_run_ctx x;
    evac_args a;
    xlmig_lock hl;
    char path[4400] = "";
    unsigned i, nstay;
    bool maint;
    int rc;

    memset(&a, 0, sizeof(a));
    xlmig_lock_init(&hl);
    xlmig_inventory_init(&inv);
    xlmig_evac_plan_init(&plan);
    xlmig_journal_init(&j);
    evac_common_init(&a.c);
    if (evac_config(&a.c, &a.h, "evacuate") || parse(&a, argc, argv) ||
        hostctx_setup(&a.h, "evacuate"))
        return 2;
    if (a.cron)
        hostctx_syslog_enable("xlmig");
    xlmig_maint_get(a.h.state_dir, &maint, NULL, 0);
    if (a.cron && !maint) {
        rc = 0;                 /* not in maintenance: nothing to do */
        goto out;
    }
    /* One at a time; for cron, a run still going is left alone. */
    if (!a.dry_run && (rc = hostlock_take(&a.h, "evacuate", a.cron ?
                                          "cron evacuate" : "evacuate",
                                          a.cron, &hl))) {
        rc = a.cron && rc == XLMIG_E_CHECK ? 0 : 2;
        goto out;
    }
    rc = hostctx_local_status(&a.h, &inv, &st);
    if (!rc)
        rc = xlmig_inventory_add_peer_hosts(&inv);
    if (rc) {
        hostctx_log(LOG_ERR, stderr, PROG ": evacuate: %s", xlmig_errmsg());
        rc = 2;
        goto out;
    }
    for (i = 0; i < inv.nhosts; i++)
        hostctx_ask_status(&a.h, &inv.hosts[i]);
    xlmig_evac_opts_init(&po);
    po.to = a.to;
    po.peers = (const char *const *)a.c.peers;
    po.npeers = a.c.npeers;
    rc = xlmig_evac_plan_make(&inv, &po, &plan);
    if (!rc)
        rc = fill_journal(&inv, &plan, &j);
    if (rc) {
        hostctx_log(LOG_ERR, stderr, PROG ": evacuate: %s", xlmig_errmsg());
        rc = 2;
        goto out;
    }
    nstay = plan.n - plan.nmove;
    if (a.blocked) {
        for (i = 0; i < plan.n; i++)
            if (j.guests[i].result == XLMIG_JR_STAYED)
                printf("%s: %s\n", j.guests[i].name, j.guests[i].reason);
        rc = 0;
        goto out;
    }
    x = (evac_run_ctx){ &a, &inv, &plan, &j,
                        a.quiet || a.c.json ? NULL : stdout, 0, 0 };
    if (!a.quiet && !a.c.json)
        printf("%s %s: %u guest%s, %u to move, %u stay%s, parallel %u\n",
               a.dry_run ? "plan for evacuating" : "evacuating", inv.self,
               plan.n, plan.n == 1 ? "" : "s", plan.nmove, nstay,
               nstay == 1 ? "s" : "", a.c.parallel);
    for (i = 0; i < plan.n; i++) {
        const xlmig_jguest *jg = &j.guests[i];

        if (jg->result == XLMIG_JR_STAYED)
            hostctx_log(LOG_WARNING, x.out, "  %s (%llu MiB) stays: %s",
                        jg->name, (unsigned long long)jg->mem_mib,
                        jg->reason);
        else if (a.dry_run && x.out)
            fprintf(x.out, "  %s (%llu MiB) -> %s\n", jg->name,
                    (unsigned long long)jg->mem_mib, jg->dest);
    }
    if (a.dry_run) {
        rc = !plan.n || plan.nmove == plan.n ? 0 : plan.nmove ? 1 : 2;
        if (a.c.json)
            print_json(&a, &j, "", rc);
        goto out;
    }
    if (!plan.n) {
        if (!a.quiet && !a.c.json)
            printf("nothing to evacuate\n");
        if (a.c.json)
            print_json(&a, &j, "", 0);
        rc = 0;
        goto out;
    }
    snprintf(path, sizeof(path), "%s/journal/%s.json", a.h.state_dir, j.id);
    hostctx_log(LOG_INFO, NULL, "evacuating %s: %u guests, %u to move,"
                " journal %s", inv.self, plan.n, plan.nmove, path);
    if (xlmig_journal_save(a.h.state_dir, &j)) {
        hostctx_log(LOG_ERR, stderr, PROG ": evacuate: journal: %s",
                    xlmig_errmsg());
        rc = 2;
        goto out;
    }
    jobs = calloc(plan.n, sizeof(*jobs));
    if (!jobs) {
        cli_error("evacuate: out of memory");
        rc = 2;
        goto out;
    }
    for (i = 0; i < plan.n; i++) {
        const xlmig_inv_host *dh;

        if (!plan.items[i].move)
            continue;
        dh = xlmig_inventory_host(&inv, plan.items[i].dest);
        rc = evac_job_migration(&a.h, &jobs[i], &inv.guests[plan.items[i]
                                .guest], inv.self, plan.items[i].dest,
                                dh ? dh->free_mib : 0, &a.c.mig);
        if (rc) {
            cli_error("evacuate: %s", xlmig_errmsg());
            rc = 2;
            goto out;
        }
    }
    evac_run(&plan, jobs, a.c.parallel,
             &(evac_run_cbs){ on_start, on_finish, &x });
    now_stamp(j.finished, sizeof(j.finished));
    j.state = x.moved ? XLMIG_JS_EVACUATED : XLMIG_JS_DONE;
    save(&x);
    rc = x.moved == plan.n ? 0 : plan.nmove ? 1 : 2;
    hostctx_log(rc ? LOG_ERR : LOG_INFO, NULL, "evacuation of %s: %u moved,"
                " %u failed, %u stayed; journal %s", inv.self, x.moved,
                x.failed, nstay, path);
    if (a.c.json) {
        print_json(&a, &j, path, rc);
    } else if (!a.quiet) {
        printf("summary: %u moved, %u failed, %u stayed; journal %s\n",
               x.moved, x.failed, nstay, path);
    } else if (rc) {
        /* for cron mail: short, readable, only when something stayed */
        fprintf(stderr, PROG " evacuate: %s: %u of %u guests moved,"
                " %u still here:\n", inv.self, x.moved, plan.n,
                plan.n - x.moved);
        for (i = 0; i < j.n; i++)
            if (j.guests[i].result != XLMIG_JR_MOVED)
                fprintf(stderr, "  %s: %s\n", j.guests[i].name,
                        j.guests[i].reason);
        fprintf(stderr, "journal: %s\n", path);
    }
out:
    free(jobs);
    xlmig_journal_dispose(&j);
    xlmig_evac_plan_dispose(&plan);
    xlmig_inventory_dispose(&inv);
    evac_common_dispose(&a.c);
    xlmig_lock_dispose(&hl);
    return rc;
}
CLI_SUBCOMMAND("evacuate", cmd_evacuate,
               "move every guest off this host to its DRBD peer");
