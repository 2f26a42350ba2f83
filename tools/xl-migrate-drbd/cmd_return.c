/*
 * return: after maintenance, bring back the guests the evacuations of
 * this host moved away, from every journal not done yet, and mark each
 * journal done once none of its guests is away. Several are open when
 * the cron job evacuated again after a move failed; a guest in more
 * than one comes back once, from where the newest sent it. Each move
 * is the ordinary migration, run on the host the guest is on now.
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
#include "hostlock.h"
#include "hoststate.h"
#include "inventory_sim.h"
#include "journal.h"
#include "report.h"

static void usage(FILE *f)
{
    fprintf(f,
"Usage: " PROG " return [options]\n"
"\n"
"Bring back the guests that the evacuations of this host moved away (every\n"
"journal in the state directory not done yet; a guest in several comes\n"
"back once, from where the newest sent it), and mark each journal done\n"
"once none of its guests is away. Refused while this host is in\n"
"maintenance: the cron job would move them out again.\n"
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
    hostctx h;
    evac_common c;
    bool dry_run, quiet;
} ret_args;

static int parse(ret_args *a, int argc, char **argv)
{
    static const struct option lo[] = {
        HOSTCTX_OPTS,
        EVAC_COMMON_OPTS,
        { "dry-run", no_argument, NULL, 'n' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c, r;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+:hqs:", lo, NULL)) != -1) {
        r = evac_opt(&a->c, &a->h, "return", c, optarg);
        if (r < 0)
            return -1;
        if (r)
            continue;
        switch (c) {
        case 'n': a->dry_run = true; break;
        case 'q': a->quiet = true; break;
        case 'h': usage(stdout); exit(0);
        default:
            cli_error("return: %s %s (see --help)", c == ':' ?
                      "option needs a value:" : "unknown option",
                      argv[optind - 1]);
            return -1;
        }
    }
    return evac_no_operands("return", argc, argv);
}

typedef struct {
    const hostctx *h;
    xlmig_journal_set *s;
    const xlmig_jref *refs;     /* refs[k]: the entry of plan item k */
    FILE *out;
    unsigned back, failed;
} ret_ctx;

static xlmig_jguest *guest_of(const ret_ctx *x, unsigned k)
{
    return &x->s->j[x->refs[k].j].guests[x->refs[k].g];
}

static void save(const ret_ctx *x, const xlmig_journal *j)
{
    if (xlmig_journal_save(x->h->state_dir, j)) {
        cli_error("return: journal: %s", xlmig_errmsg());
        xlmig_err_clear();
    }
}

/* One move settles the guest's entries in older journals too. */
static void settle(const ret_ctx *x, unsigned k)
{
    const char *name = guest_of(x, k)->name;
    unsigned i;

    for (i = x->refs[k].j; i < x->s->n; i++)
        if (xlmig_journal_mark_returned(&x->s->j[i], name))
            save(x, &x->s->j[i]);
}

static void on_start(void *arg, unsigned k)
{
    ret_ctx *x = arg;

    if (x->out)
        fprintf(x->out, "  %s <- %s: migrating\n", guest_of(x, k)->name,
                guest_of(x, k)->dest);
}

static void on_finish(void *arg, unsigned k, int exit, const char *msg,
                      double secs)
{
    ret_ctx *x = arg;
    xlmig_jguest *jg = guest_of(x, k);

    if (!exit) {
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
    if (!exit)
        settle(x, k);
}

/* The guest as its host knows it now (sim), else from the journal. */
static void guest_now(const hostctx *h, const xlmig_jguest *jg,
                      xlmig_inv_guest *g)
{
    xlmig_inventory inv;
    const xlmig_inv_guest *cur;
    uint64_t free_mib = 0;

    memset(g, 0, sizeof(*g));
    strcpy(g->name, jg->name);
    g->mem_mib = jg->mem_mib;
    if (!h->sim_root)
        return;
    xlmig_inventory_init(&inv);
    if (!xlmig_sim_inv_load(h->sim_root, jg->dest, &inv, &free_mib) &&
        (cur = xlmig_inventory_guest(&inv, g->name)))
        *g = *cur;
    xlmig_inventory_dispose(&inv);
    xlmig_err_clear();
}

/* A move home for each ref; the error names the guest. */
static int make_jobs(const ret_args *a, const ret_ctx *x, unsigned n,
                     xlmig_evac_plan *plan, evac_job **jobs)
{
    unsigned k;

    plan->items = calloc(n + 1, sizeof(*plan->items));
    *jobs = calloc(n + 1, sizeof(**jobs));
    if (!plan->items || !*jobs) {
        xlmig_err(XLMIG_E_NOMEM, "out of memory");
        return XLMIG_E_NOMEM;
    }
    plan->n = plan->nmove = n;
    for (k = 0; k < n; k++) {
        const xlmig_jguest *jg = guest_of(x, k);
        xlmig_inv_guest g;

        guest_now(&a->h, jg, &g);
        plan->items[k].move = true;
        if (evac_job_migration(&a->h, &(*jobs)[k], &g, jg->dest, a->h.self,
                               (uint64_t)1 << 30, &a->c.mig)) {
            xlmig_err_replace(XLMIG_E_INVAL, "%s: %s", jg->name,
                              xlmig_errmsg());
            return XLMIG_E_INVAL;
        }
    }
    return 0;
}

/* "journal A" or "journals A, B": every open one, newest first. */
static void print_ids(const xlmig_journal_set *s)
{
    unsigned i;

    printf("journal%s ", s->n == 1 ? "" : "s");
    for (i = 0; i < s->n; i++)
        printf("%s%s", i ? ", " : "", s->j[i].id);
}

static void print_plan(const ret_args *a, const ret_ctx *x, unsigned n)
{
    unsigned k;

    printf("%s %u guest%s to %s (", a->dry_run ? "would return" :
           "returning", n, n == 1 ? "" : "s", a->h.self);
    print_ids(x->s);
    printf(")\n");
    for (k = 0; k < n && a->dry_run; k++)
        printf("  %s <- %s (journal %s)\n", guest_of(x, k)->name,
               guest_of(x, k)->dest, x->s->j[x->refs[k].j].id);
}

/* Mark done the journals with no guest away; how many stay open. */
static unsigned close_done(const ret_ctx *x)
{
    unsigned i, open = 0;

    for (i = 0; i < x->s->n; i++) {
        if (xlmig_journal_has_moved(&x->s->j[i])) {
            open++;
            continue;
        }
        x->s->j[i].state = XLMIG_JS_DONE;
        save(x, &x->s->j[i]);
    }
    return open;
}

/*
 * "journal" and "state" as when return read one journal: the newest
 * id, and "done" only once every journal is; else the newest open
 * one's state.
 */
static void print_json(const ret_ctx *x, int code)
{
    const char *state = xlmig_jstate_str(XLMIG_JS_DONE);
    unsigned i;

    for (i = x->s->n; i-- > 0; )
        if (x->s->j[i].state != XLMIG_JS_DONE)
            state = xlmig_jstate_str(x->s->j[i].state);
    printf("{\"journal\":\"%s\",\"journals\":[", x->s->j[0].id);
    for (i = 0; i < x->s->n; i++)
        printf("%s\"%s\"", i ? "," : "", x->s->j[i].id);
    printf("],\"returned\":%u,\"failed\":%u,\"state\":\"%s\",\"exit\":%d}\n",
           x->back, x->failed, state, code);
}

static void print_summary(const ret_ctx *x, unsigned n, unsigned open)
{
    printf("summary: %u back, %u still away; ", x->back, n - x->back);
    if (x->s->n == 1)
        printf("journal %s\n", xlmig_jstate_str(x->s->j[0].state));
    else
        printf("journals: %u done, %u open\n", x->s->n - open, open);
}

static int cmd_return(int argc, char **argv)
{
    xlmig_journal_set s;
    xlmig_evac_plan plan;
    xlmig_jref *refs = NULL;
    evac_job *jobs = NULL;
    xlmig_lock hl;
    ret_args a;
    ret_ctx x;
    unsigned n = 0, open;
    bool maint;
    int rc;

    memset(&a, 0, sizeof(a));
    xlmig_lock_init(&hl);
    xlmig_journal_set_init(&s);
    xlmig_evac_plan_init(&plan);
    evac_common_init(&a.c);
    if (evac_config(&a.c, &a.h, "return") || parse(&a, argc, argv) ||
        hostctx_setup(&a.h, "return"))
        return 2;
    xlmig_maint_get(a.h.state_dir, &maint, NULL, 0);
    if (maint && !a.dry_run) {
        cli_error("return: %s is in maintenance; run `" PROG " maintenance"
                  " off` first", a.h.self);
        return 2;
    }
    /* Not beside an evacuation: both rewrite its journals. */
    if (!a.dry_run && hostlock_take(&a.h, "return", "return", false, &hl))
        return 2;
    rc = xlmig_journal_load_open(a.h.state_dir, &s);
    if (!rc && !s.n) {
        if (!a.quiet)
            printf("%s: no evacuation to return from\n", a.h.self);
        goto out;
    }
    if (!rc)
        rc = xlmig_journal_set_moved(&s, &refs, &n);
    x = (ret_ctx){ &a.h, &s, refs, a.quiet ? NULL : stdout, 0, 0 };
    if (!rc)
        rc = make_jobs(&a, &x, n, &plan, &jobs);
    if (rc) {
        cli_error("return: %s", xlmig_errmsg());
        rc = 2;
        goto out;
    }
    if (!a.quiet)
        print_plan(&a, &x, n);
    if (a.dry_run)
        goto out;
    evac_run(&plan, jobs, a.c.parallel,
             &(evac_run_cbs){ on_start, on_finish, &x });
    open = close_done(&x);
    rc = x.back == n ? 0 : x.back ? 1 : 2;
    if (a.c.json)
        print_json(&x, rc);
    else if (!a.quiet)
        print_summary(&x, n, open);
out:
    free(jobs);
    free(refs);
    xlmig_evac_plan_dispose(&plan);
    xlmig_journal_set_dispose(&s);
    xlmig_lock_dispose(&hl);
    return rc;
}
CLI_SUBCOMMAND("return", cmd_return,
               "bring back the guests the evacuations moved away");
