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

#include "cli.h"
#include "error.h"
#include "evac.h"
#include "hostctx.h"
#include "hostlock.h"
#include "hoststate.h"
#include "journal.h"
#include "names.h"

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
"  --only <g1,g2,...>      only these guests\n"
"  --exclude <g1,g2,...>   not these guests\n"
"  --json                  one JSON object with the plan or the results\n"
"  --cron                  only if this host is in maintenance; one\n"
"                          journal per maintenance episode, a short report\n"
"                          only when something changed (a new failure, all\n"
"                          done), everything to syslog\n"
"  -q                      no per-guest lines, only errors\n"
"  -s <sshcommand>         how to reach peers (default ssh, or config)\n"
"  --bandwidth <MiB/s>     the budget of all migrations together: each of\n"
"                          the --parallel ones gets its share\n"
"  --max-downtime <ms>     passed to each migration\n"
"  --with-local-disks      passed to each migration: disks on local LVM\n"
"                          follow over temporary DRBD resources\n"
"  --sim-state <dir>       simulated hosts, one directory each\n"
"  --sim-host <name>       which simulated host this is\n"
"  -h, --help              this text\n"
"\n"
"Exit status: 0 every guest moved (or none to move), 1 some guests stayed,\n"
"2 nothing could run, or a usage error. A dry run, --blocked or not,\n"
"exits as the plan says: 0 all would move, 1 some would stay, 2 none can.\n");
}

/* "g1,g2": each a usable guest name; -1 (printed) if not. */
static int guest_list(evac_args *a, int which, const char *opt,
                      const char *arg)
{
    char what[32], *tok, *save = NULL;

    snprintf(what, sizeof(what), "evacuate: %s", opt);
    if (strlen(arg) >= sizeof(a->names[which])) {
        cli_error("%s: the list is too long", what);
        return -1;
    }
    strcpy(a->names[which], arg);
    a->nsel[which] = 0;
    for (tok = strtok_r(a->names[which], ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (!xlmig_inv_name_ok(tok)) {
            xlmig_name_refuse(what, tok, XLMIG_NAME_WORD_RULE);
            cli_error("%s", xlmig_errmsg());
            return -1;
        }
        if (a->nsel[which] == EVAC_NAMES_MAX) {
            cli_error("%s: more than %d guests", what, EVAC_NAMES_MAX);
            return -1;
        }
        a->sel[which][a->nsel[which]++] = tok;
    }
    if (!a->nsel[which]) {
        cli_error("%s: no guest named", what);
        return -1;
    }
    return 0;
}

static int parse(evac_args *a, int argc, char **argv)
{
    static const struct option lo[] = {
        HOSTCTX_OPTS,
        EVAC_COMMON_OPTS,
        { "dry-run", no_argument, NULL, 'n' },
        { "to", required_argument, NULL, 't' },
        { "cron", no_argument, NULL, 'c' },
        { "blocked", no_argument, NULL, 'b' },
        { "only", required_argument, NULL, 'O' },
        { "exclude", required_argument, NULL, 'X' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c, r;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":hqs:", lo, NULL)) != -1) {
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
        case 'O':
        case 'X':
            if (guest_list(a, c == 'X', c == 'X' ? "--exclude" : "--only",
                           optarg))
                return -1;
            break;
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

/* --parallel moves share --bandwidth: each gets its part. */
static mig_params shared_budget(const evac_args *a, unsigned nmove)
{
    mig_params mp = a->c.mig;
    unsigned n = a->c.parallel < nmove ? a->c.parallel : nmove;

    if (mp.bandwidth_mib > 0 && n > 1)
        mp.bandwidth_mib /= n;
    return mp;
}

int cmd_evacuate(int argc, char **argv)
{
    xlmig_inventory inv;
    xlmig_evac_plan plan;
    xlmig_evac_opts po;
    xlmig_journal j;
    xlmig_status st;
    evac_job *jobs = NULL;
    evac_slots sl;
    evac_run_ctx x;
    evac_args a;
    mig_params mp;
    xlmig_lock hl;
    char path[4400] = "", since[32] = "", started[32];
    uint64_t start_ns = xlmig_now_ns();
    unsigned i, nstay, pruned;
    bool maint;
    int rc, dry_rc;

    memset(&a, 0, sizeof(a));
    memset(&sl, 0, sizeof(sl));
    evac_now_stamp(started, sizeof(started));
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
    xlmig_maint_get(a.h.state_dir, &maint, since, sizeof(since));
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
    if (!a.dry_run && xlmig_journal_prune_done(a.h.state_dir,
                                               XLMIG_JOURNAL_KEEP_DONE,
                                               &pruned)) {
        hostctx_log(LOG_WARNING, stderr, PROG " evacuate: %s",
                    xlmig_errmsg());
        xlmig_err_clear();
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
    po.only = a.sel[0];
    po.nonly = a.nsel[0];
    po.exclude = a.sel[1];
    po.nexclude = a.nsel[1];
    rc = xlmig_evac_plan_make(&inv, &po, &plan);
    /* cron: the maintenance episode's journal goes on, if open */
    if (!rc && a.cron && since[0] && !a.dry_run)
        rc = xlmig_journal_find_episode(a.h.state_dir, since, &j) < 0;
    if (!rc)
        rc = evac_slots_alloc(&sl, plan.n);
    if (!rc)
        rc = evac_fill_journal(&inv, &plan, &j, &sl);
    if (rc) {
        hostctx_log(LOG_ERR, stderr, PROG ": evacuate: %s", xlmig_errmsg());
        rc = 2;
        goto out;
    }
    if (a.cron && !j.episode[0])
        snprintf(j.episode, sizeof(j.episode), "%s", since);
    j.state = XLMIG_JS_RUNNING;
    nstay = plan.n - plan.nmove;
    /* A dry run exits as the plan says, however it is printed. */
    dry_rc = !plan.n || plan.nmove == plan.n ? 0 : plan.nmove ? 1 : 2;
    if (a.blocked) {
        for (i = 0; i < plan.n && !a.c.json; i++)
            if (!plan.items[i].move)
                printf("%s: %s\n", j.guests[sl.slot[i]].name,
                       j.guests[sl.slot[i]].reason);
        rc = dry_rc;
        if (a.c.json)
            evac_print_json(&a, &j, NULL, true, rc);
        goto out;
    }
    x = (evac_run_ctx){ &a, &inv, &plan, &j,
                        a.quiet || a.c.json ? NULL : stdout, 0, 0,
                        sl.slot, NULL };
    if (!a.quiet && !a.c.json)
        printf("%s %s: %u guest%s, %u to move, %u stay%s, parallel %u\n",
               a.dry_run ? "plan for evacuating" : "evacuating", inv.self,
               plan.n, plan.n == 1 ? "" : "s", plan.nmove, nstay,
               nstay == 1 ? "s" : "", a.c.parallel);
    for (i = 0; i < plan.n; i++) {
        const xlmig_jguest *jg = &j.guests[sl.slot[i]];

        if (jg->result == XLMIG_JR_STAYED)
            hostctx_log(LOG_WARNING, x.out, "  %s (%llu MiB) stays: %s",
                        jg->name, (unsigned long long)jg->mem_mib,
                        jg->reason);
        else if (a.dry_run && x.out)
            fprintf(x.out, "  %s (%llu MiB) -> %s\n", jg->name,
                    (unsigned long long)jg->mem_mib, jg->dest);
    }
    if (a.dry_run) {
        rc = dry_rc;
        if (a.c.json)
            evac_print_json(&a, &j, NULL, false, rc);
        goto out;
    }
    if (!plan.n) {
        if (!a.quiet && !a.c.json)
            printf("nothing to evacuate\n");
        if (a.c.json)
            evac_print_json(&a, &j, NULL, false, 0);
        rc = 0;
        /* cron: stuck guests of the episode left another way: say so
         * once; else nothing happened, nothing to log */
        if (!a.cron || !sl.had_stuck)
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
    jobs = calloc(plan.n + 1, sizeof(*jobs));
    if (!jobs) {
        cli_error("evacuate: out of memory");
        rc = 2;
        goto out;
    }
    x.jobs = jobs;
    mp = shared_budget(&a, plan.nmove);
    for (i = 0; i < plan.n; i++) {
        const xlmig_inv_host *dh;

        evac_job_init(&jobs[i]);
        if (!plan.items[i].move)
            continue;
        dh = xlmig_inventory_host(&inv, plan.items[i].dest);
        rc = evac_job_migration(&a.h, &jobs[i], &inv.guests[plan.items[i]
                                .guest], inv.self, plan.items[i].dest,
                                dh ? dh->free_mib : 0, &mp);
        if (rc) {
            cli_error("evacuate: %s", xlmig_errmsg());
            rc = 2;
            goto out;
        }
    }
    evac_run(&plan, jobs, a.c.parallel,
             &(evac_run_cbs){ evac_on_start, evac_on_finish, &x });
    evac_now_stamp(j.finished, sizeof(j.finished));
    /* an episode's journal stays open for the next run; return closes
     * it (and any journal with no guest away) */
    j.state = a.cron || xlmig_journal_has_moved(&j) ? XLMIG_JS_EVACUATED
                                                    : XLMIG_JS_DONE;
    evac_save_journal(&x);
    rc = x.moved == plan.n ? 0 : plan.nmove ? 1 : 2;
    hostctx_log(rc ? LOG_ERR : LOG_INFO, NULL, "evacuation of %s: %u moved,"
                " %u failed, %u stayed; journal %s", inv.self, x.moved,
                x.failed, nstay, path);
    evac_log(&a, &j, started, plan.n, x.moved, x.failed, start_ns, rc);
    if (a.c.json) {
        evac_print_json(&a, &j, path, false, rc);
    } else if (!a.quiet) {
        printf("summary: %u moved, %u failed, %u stayed; journal %s\n",
               x.moved, x.failed, nstay, path);
    } else if (a.cron) {
        evac_cron_report(&x, &sl, path);
    } else if (rc) {
        /* short, readable, only when something stayed */
        fprintf(stderr, PROG " evacuate: %s: %u of %u guests moved,"
                " %u still here:\n", inv.self, x.moved, plan.n,
                plan.n - x.moved);
        for (i = 0; i < plan.n; i++)
            if (j.guests[sl.slot[i]].result != XLMIG_JR_MOVED)
                fprintf(stderr, "  %s: %s\n", j.guests[sl.slot[i]].name,
                        j.guests[sl.slot[i]].reason);
        fprintf(stderr, "journal: %s\n", path);
    }
out:
    free(jobs);
    evac_slots_dispose(&sl);
    xlmig_journal_dispose(&j);
    xlmig_evac_plan_dispose(&plan);
    xlmig_inventory_dispose(&inv);
    evac_common_dispose(&a.c);
    xlmig_lock_dispose(&hl);
    return rc;
}
