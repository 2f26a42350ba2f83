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
#include "mig_record.h"
#include "json_out.h"
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
"  --json                  one JSON object with the plan or the results\n"
"  -q                      only errors\n"
"  -s <sshcommand>         how to reach peers (default ssh, or config)\n"
"  --bandwidth <MiB/s>     the budget of all migrations together: each of\n"
"                          the --parallel ones gets its share\n"
"  --max-downtime <ms>     passed to each migration\n"
"  --sim-state <dir>       simulated hosts, one directory each\n"
"  --sim-host <name>       which simulated host this is\n"
"  -h, --help              this text\n"
"\n"
"Exit status: 0 every guest back (or none to return), 1 some did not come\n"
"back, 2 nothing could run, or a usage error.\n");
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
    while ((c = getopt_long(argc, argv, ":hqs:", lo, NULL)) != -1) {
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

/* What became of plan item k, for --json. */
typedef struct {
    bool ran;
    int exit_code;
    char reason[256];
} ret_result;

typedef struct {
    const hostctx *h;
    xlmig_journal_set *s;
    const xlmig_jref *refs;     /* refs[k]: the entry of plan item k */
    FILE *out;
    unsigned back, failed;
    ret_result *res;            /* one per plan item, or NULL */
    evac_job *jobs;
    char (*started)[32];        /* when item k's move started */
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

    xlmig_utc_stamp(time(NULL), x->started[k], sizeof(x->started[k]));
    if (x->out)
        fprintf(x->out, "  %s <- %s: migrating\n", guest_of(x, k)->name,
                guest_of(x, k)->dest);
}

static void on_finish(void *arg, unsigned k, int exit, const char *msg,
                      double secs)
{
    ret_ctx *x = arg;
    xlmig_jguest *jg = guest_of(x, k);
    xlmig_hist_rec r;

    if (mig_outcome_read(x->jobs[k].outfd, &r))
        xlmig_err_clear();      /* died before it could say: no numbers */
    if (x->res) {
        x->res[k].ran = true;
        x->res[k].exit_code = exit;
        snprintf(x->res[k].reason, sizeof(x->res[k].reason), "%s",
                 exit && msg && *msg ? msg : "");
    }
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
    snprintf(r.start, sizeof(r.start), "%s", x->started[k]);
    snprintf(r.guest, sizeof(r.guest), "%s", jg->name);
    snprintf(r.from, sizeof(r.from), "%s", jg->dest);
    snprintf(r.to, sizeof(r.to), "%s", x->h->self);
    if (!exit)
        strcpy(r.result, "ok");
    else if (!strcmp(r.result, "ok"))
        strcpy(r.result, "failed");
    strcpy(r.via, "return");
    snprintf(r.journal, sizeof(r.journal), "%s", x->s->j[x->refs[k].j].id);
    if (exit)
        snprintf(r.reason, sizeof(r.reason), "%.*s",
                 (int)sizeof(r.reason) - 1, msg && *msg ? msg : "");
    mig_record(x->h->state_dir, &r);
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
    mig_params mp = a->c.mig;
    unsigned k;

    plan->items = calloc(n + 1, sizeof(*plan->items));
    *jobs = calloc(n + 1, sizeof(**jobs));
    if (!plan->items || !*jobs) {
        xlmig_err(XLMIG_E_NOMEM, "out of memory");
        return XLMIG_E_NOMEM;
    }
    plan->n = plan->nmove = n;
    /* --parallel moves share --bandwidth: each gets its part */
    if (mp.bandwidth_mib > 0 && a->c.parallel > 1)
        mp.bandwidth_mib /= a->c.parallel < n ? a->c.parallel : n;
    for (k = 0; k < n; k++) {
        const xlmig_jguest *jg = guest_of(x, k);
        xlmig_inv_guest g;

        guest_now(&a->h, jg, &g);
        plan->items[k].move = true;
        if (evac_job_migration(&a->h, &(*jobs)[k], &g, jg->dest, a->h.self,
                               (uint64_t)1 << 30, &mp)) {
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
 * One object (docs/json.md): "journal" is the newest open journal's id
 * (null if none), "journals" every one, newest first; "state" "done"
 * only once every journal is, else the newest open one's state.
 */
static void print_json(const ret_args *a, const ret_ctx *x, unsigned n,
                       int code)
{
    const char *state = x->s->n ? xlmig_jstate_str(XLMIG_JS_DONE) : NULL;
    yajl_gen g = xlmig_jout_new();
    unsigned i, k;

    if (!g)
        return;
    for (i = x->s->n; i-- > 0; )
        if (x->s->j[i].state != XLMIG_JS_DONE)
            state = xlmig_jstate_str(x->s->j[i].state);
    yajl_gen_map_open(g);
    xlmig_jout_str(g, "host", a->h.self);
    xlmig_jout_now(g, "time");
    xlmig_jout_bool(g, "dry_run", a->dry_run);
    xlmig_jout_str_or_null(g, "journal", x->s->n ? x->s->j[0].id : NULL);
    xlmig_jout_key(g, "journals");
    yajl_gen_array_open(g);
    for (i = 0; i < x->s->n; i++)
        xlmig_jout_str(g, NULL, x->s->j[i].id);
    yajl_gen_array_close(g);
    xlmig_jout_key(g, "guests");
    yajl_gen_array_open(g);
    for (k = 0; k < n; k++) {
        const ret_result *r = x->res ? &x->res[k] : NULL;

        yajl_gen_map_open(g);
        xlmig_jout_str(g, "name", guest_of(x, k)->name);
        xlmig_jout_str(g, "from", guest_of(x, k)->dest);
        xlmig_jout_str(g, "journal", x->s->j[x->refs[k].j].id);
        xlmig_jout_str(g, "result", a->dry_run ? "would-return"
                       : r && r->ran && !r->exit_code ? "returned"
                       : r && r->ran ? "failed" : "not-run");
        xlmig_jout_str_or_null(g, "reason", r ? r->reason : NULL);
        if (r && r->ran)
            xlmig_jout_int(g, "exit_code", r->exit_code);
        else
            xlmig_jout_null(g, "exit_code");
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    xlmig_jout_u64(g, "returned", x->back);
    xlmig_jout_u64(g, "failed", x->failed);
    xlmig_jout_str_or_null(g, "state", state);
    xlmig_jout_int(g, "exit_code", code);
    yajl_gen_map_close(g);
    xlmig_jout_print(g, stdout);
}

static void print_summary(const ret_ctx *x, unsigned n, unsigned open)
{
    printf("summary: %u back, %u still away; ", x->back, n - x->back);
    if (x->s->n == 1)
        printf("journal %s\n", xlmig_jstate_str(x->s->j[0].state));
    else
        printf("journals: %u done, %u open\n", x->s->n - open, open);
}

/* The return's one log line (docs/logging.md). */
static void log_return(const ret_ctx *x, const char *start, unsigned n,
                       unsigned open, uint64_t start_ns, int code)
{
    xlmig_oplog_line l;

    xlmig_oplog_begin(&l, "return");
    xlmig_oplog_str(&l, "host", x->h->self);
    xlmig_oplog_str(&l, "start", start);
    xlmig_oplog_str(&l, "result", code == 0 ? "ok" : code == 1 ? "partial"
                    : "none");
    xlmig_oplog_u64(&l, "guests", n);
    xlmig_oplog_u64(&l, "back", x->back);
    xlmig_oplog_u64(&l, "failed", x->failed);
    xlmig_oplog_u64(&l, "journals_open", open);
    xlmig_oplog_u64(&l, "total_ms", (xlmig_now_ns() - start_ns) / 1000000);
    mig_log_line(code == 0, &l);
}

int cmd_return(int argc, char **argv)
{
    xlmig_journal_set s;
    xlmig_evac_plan plan;
    xlmig_jref *refs = NULL;
    evac_job *jobs = NULL;
    char (*started)[32] = NULL;
    char start[32];
    uint64_t start_ns = xlmig_now_ns();
    xlmig_lock hl;
    ret_args a;
    ret_ctx x;
    unsigned n = 0, open, pruned;
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
    if (!a.dry_run && xlmig_journal_prune_done(a.h.state_dir,
                                               XLMIG_JOURNAL_KEEP_DONE,
                                               &pruned)) {
        cli_error("return: %s", xlmig_errmsg());
        xlmig_err_clear();
    }
    rc = xlmig_journal_load_open(a.h.state_dir, &s);
    x = (ret_ctx){ &a.h, &s, NULL, a.quiet || a.c.json ? NULL : stdout,
                   0, 0, NULL, NULL, NULL };
    if (!rc && !s.n) {
        if (a.c.json)
            print_json(&a, &x, 0, 0);
        else if (!a.quiet)
            printf("%s: no evacuation to return from\n", a.h.self);
        goto out;
    }
    if (!rc)
        rc = xlmig_journal_set_moved(&s, &refs, &n);
    x.refs = refs;
    if (!rc && !(x.res = calloc(n + 1, sizeof(*x.res)))) {
        xlmig_err(XLMIG_E_NOMEM, "out of memory");
        rc = XLMIG_E_NOMEM;
    }
    if (!rc)
        rc = make_jobs(&a, &x, n, &plan, &jobs);
    if (!rc && !(started = calloc(n + 1, sizeof(*started)))) {
        xlmig_err(XLMIG_E_NOMEM, "out of memory");
        rc = XLMIG_E_NOMEM;
    }
    x.jobs = jobs;
    x.started = started;
    if (rc) {
        cli_error("return: %s", xlmig_errmsg());
        rc = 2;
        goto out;
    }
    if (!a.quiet && !a.c.json)
        print_plan(&a, &x, n);
    if (a.dry_run) {
        if (a.c.json)
            print_json(&a, &x, n, 0);
        goto out;
    }
    xlmig_utc_stamp(time(NULL), start, sizeof(start));
    evac_run(&plan, jobs, a.c.parallel,
             &(evac_run_cbs){ on_start, on_finish, &x });
    open = close_done(&x);
    rc = x.back == n ? 0 : x.back ? 1 : 2;
    log_return(&x, start, n, open, start_ns, rc);
    if (a.c.json)
        print_json(&a, &x, n, rc);
    else if (!a.quiet)
        print_summary(&x, n, open);
out:
    free(started);
    free(x.res);
    free(jobs);
    free(refs);
    xlmig_evac_plan_dispose(&plan);
    xlmig_journal_set_dispose(&s);
    xlmig_lock_dispose(&hl);
    return rc;
}
