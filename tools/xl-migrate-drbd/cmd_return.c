/*
 * return: after maintenance, bring back the guests the newest open
 * evacuation journal of this host moved away, and mark the journal
 * done once all of them are home. Each move is the ordinary migration,
 * run on the host the guest is on now.
 *
 * Exit: 0 every guest back (or nothing to return), 1 some did not come
 * back, 2 nothing could run.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "cli.h"
#include "error.h"
#include "evac.h"
#include "hostctx.h"
#include "hoststate.h"
#include "inventory_sim.h"
#include "journal.h"
#include "report.h"

static void usage(FILE *f)
{
    fprintf(f,
"Usage: " PROG " return [options]\n"
"\n"
"Bring back the guests that the last evacuation of this host moved away\n"
"(its journal in the state directory), and mark the journal done. Refused\n"
"while this host is in maintenance: the cron job would move them out\n"
"again.\n"
"\n"
"Options:\n"
"  --dry-run               print what would come back\n"
"  --parallel <n>          migrations at once (default 1, or config)\n"
"  --json                  one JSON object with the results\n"
"  -q                      only errors\n"
"  -s <sshcommand>         how to reach peers (default ssh, or config)\n"
"  --bandwidth <MiB/s>     passed to each migration\n"
"  --max-downtime <ms>     passed to each migration\n"
"  --sim-state <dir>       simulated hosts, one directory each\n"
"  --sim-host <name>       which simulated host this is\n"
"  -h, --help              this text\n"
"\n"
"Exit status: 0 every guest back (or none to return), 1 some did not come\n"
"back, 2 nothing could run.\n");
}

typedef struct {
    hostctx *h;
    xlmig_journal *j;
    const char *dir;
    FILE *out;
    unsigned back, failed;
} ret_ctx;

static void save(ret_ctx *x)
{
    if (xlmig_journal_save(x->dir, x->j)) {
        cli_error("return: journal: %s", xlmig_errmsg());
        xlmig_err_clear();
    }
}

static void on_start(void *arg, unsigned k)
{
    ret_ctx *x = arg;

    if (x->out)
        fprintf(x->out, "  %s <- %s: migrating\n", x->j->guests[k].name,
                x->j->guests[k].dest);
}

static void on_finish(void *arg, unsigned k, int exit, const char *msg,
                      double secs)
{
    ret_ctx *x = arg;
    xlmig_jguest *jg = &x->j->guests[k];

    if (!exit && x->h->sim_root &&
        xlmig_sim_guest_move(x->h->sim_root, jg->dest, x->h->self,
                             jg->name)) {
        exit = 1;
        msg = xlmig_errmsg();
    }
    if (!exit) {
        jg->result = XLMIG_JR_RETURNED;
        x->back++;
        hostctx_log(LOG_INFO, x->out, "  %s <- %s: back in %.1f s",
                    jg->name, jg->dest, secs);
    } else {
        x->failed++;
        hostctx_log(LOG_ERR, stderr, PROG " return: %s is still on %s"
                    " (exit %d): %s", jg->name, jg->dest, exit,
                    msg && *msg ? msg : "no reason given");
    }
    xlmig_err_clear();
    save(x);
}

static int cmd_return(int argc, char **argv)
{
    static const struct option lo[] = {
        HOSTCTX_OPTS,
        EVAC_COMMON_OPTS,
        { "dry-run", no_argument, NULL, 'n' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    xlmig_evac_plan plan;
    xlmig_journal j;
    evac_job *jobs = NULL;
    evac_common com;
    hostctx h;
    ret_ctx x;
    bool dry = false, quiet = false, maint;
    unsigned k, todo = 0;
    int c, r, rc;

    memset(&h, 0, sizeof(h));
    xlmig_evac_plan_init(&plan);
    xlmig_journal_init(&j);
    evac_common_init(&com);
    if (evac_config(&com, &h, "return"))
        return 2;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+:hqs:", lo, NULL)) != -1) {
        if (hostctx_opt(&h, c, optarg))
            continue;
        r = evac_common_opt(&com, "return", c, optarg);
        if (r < 0)
            return 2;
        if (r)
            continue;
        if (c == 'n') {
            dry = true;
        } else if (c == 'q') {
            quiet = true;
        } else if (c == 'h') {
            usage(stdout);
            return 0;
        } else {
            cli_error("return: %s %s (see --help)", c == ':' ?
                      "option needs a value:" : "unknown option",
                      argv[optind - 1]);
            return 2;
        }
    }
    if (optind != argc) {
        cli_error("return: unexpected argument \"%s\"", argv[optind]);
        return 2;
    }
    if (hostctx_setup(&h, "return"))
        return 2;
    xlmig_maint_get(h.state_dir, &maint, NULL, 0);
    if (maint && !dry) {
        cli_error("return: %s is in maintenance; run `" PROG " maintenance"
                  " off` first", h.self);
        return 2;
    }
    rc = xlmig_journal_latest_open(h.state_dir, &j);
    if (rc < 0) {
        cli_error("return: %s", xlmig_errmsg());
        rc = 2;
        goto out;
    }
    if (!rc) {
        if (!quiet)
            printf("%s: no evacuation to return from\n", h.self);
        rc = 0;
        goto out;
    }
    plan.items = calloc(j.n + 1, sizeof(*plan.items));
    jobs = calloc(j.n + 1, sizeof(*jobs));
    if (!plan.items || !jobs) {
        cli_error("return: out of memory");
        rc = 2;
        goto out;
    }
    plan.n = j.n;
    for (k = 0; k < j.n; k++) {
        xlmig_inv_guest g;

        if (j.guests[k].result != XLMIG_JR_MOVED)
            continue;
        memset(&g, 0, sizeof(g));
        strcpy(g.name, j.guests[k].name);
        g.mem_mib = j.guests[k].mem_mib;
        if (h.sim_root) {
            xlmig_inventory inv;
            uint64_t free_mib = 0;
            const xlmig_inv_guest *cur;

            /* the guest's record as it is on the peer now */
            xlmig_inventory_init(&inv);
            if (!xlmig_sim_inv_load(h.sim_root, j.guests[k].dest, &inv,
                                    &free_mib) &&
                (cur = xlmig_inventory_guest(&inv, g.name)))
                g = *cur;
            xlmig_inventory_dispose(&inv);
            xlmig_err_clear();
        }
        plan.items[k].move = true;
        plan.nmove++;
        todo++;
        rc = evac_job_migration(&h, &jobs[k], &g, j.guests[k].dest, h.self,
                                (uint64_t)1 << 30, &com.mig);
        if (rc) {
            cli_error("return: %s", xlmig_errmsg());
            rc = 2;
            goto out;
        }
    }
    if (!quiet)
        printf("%s %u guest%s to %s (journal %s)\n",
               dry ? "would return" : "returning", todo,
               todo == 1 ? "" : "s", h.self, j.id);
    if (dry) {
        for (k = 0; k < j.n && !quiet; k++)
            if (plan.items[k].move)
                printf("  %s <- %s\n", j.guests[k].name, j.guests[k].dest);
        rc = 0;
        goto out;
    }
    x = (ret_ctx){ &h, &j, h.state_dir, quiet ? NULL : stdout, 0, 0 };
    evac_run(&plan, jobs, com.parallel,
             &(evac_run_cbs){ on_start, on_finish, &x });
    if (x.back == todo)
        j.state = XLMIG_JS_DONE;
    save(&x);
    rc = x.back == todo ? 0 : x.back ? 1 : 2;
    if (com.json)
        printf("{\"journal\":\"%s\",\"returned\":%u,\"failed\":%u,"
               "\"state\":\"%s\",\"exit\":%d}\n", j.id, x.back, x.failed,
               xlmig_jstate_str(j.state), rc);
    else if (!quiet)
        printf("summary: %u back, %u still away; journal %s\n", x.back,
               todo - x.back, xlmig_jstate_str(j.state));
out:
    free(jobs);
    xlmig_evac_plan_dispose(&plan);
    xlmig_journal_dispose(&j);
    return rc;
}
CLI_SUBCOMMAND("return", cmd_return,
               "bring back the guests the last evacuation moved away");
