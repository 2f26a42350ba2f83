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

#include "cli.h"
#include "error.h"
#include "evac.h"
#include "hostctx.h"
#include "hostlock.h"
#include "hoststate.h"
#include "journal.h"
#include "json_out.h"
#include "mig_record.h"
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
"  --sim-state <dir>       simulated hosts, one directory each\n"
"  --sim-host <name>       which simulated host this is\n"
"  -h, --help              this text\n"
"\n"
"Exit status: 0 every guest moved (or none to move), 1 some guests stayed,\n"
"2 nothing could run, or a usage error. A dry run, --blocked or not,\n"
"exits as the plan says: 0 all would move, 1 some would stay, 2 none can.\n");
}

#define EVAC_NAMES_MAX 64

typedef struct {
    hostctx h;
    evac_common c;
    const char *to;
    bool dry_run, cron, quiet, blocked;
    /* --only, --exclude: names point into names[] */
    char names[2][4096];
    const char *sel[2][EVAC_NAMES_MAX];
    unsigned nsel[2];
} evac_args;

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

typedef struct {
    evac_args *a;
    xlmig_inventory *inv;
    xlmig_evac_plan *plan;
    xlmig_journal *j;
    FILE *out;                  /* per-guest lines, or NULL */
    unsigned moved, failed;
    unsigned *slot;             /* plan item k: j->guests[slot[k]] */
    evac_job *jobs;
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

/* The move's history record and log line, as this host saw it. */
static void record_move(const evac_run_ctx *x, const xlmig_jguest *jg,
                        xlmig_hist_rec *r)
{
    snprintf(r->start, sizeof(r->start), "%s", jg->started);
    snprintf(r->guest, sizeof(r->guest), "%s", jg->name);
    snprintf(r->from, sizeof(r->from), "%s", x->inv->self);
    snprintf(r->to, sizeof(r->to), "%s", jg->dest);
    /* the child's own word (aborted, refused...) unless it moved */
    if (jg->result == XLMIG_JR_MOVED)
        strcpy(r->result, "ok");
    else if (jg->result == XLMIG_JR_UNDEFINED)
        strcpy(r->result, "undefined");
    else if (!strcmp(r->result, "ok"))
        strcpy(r->result, "failed");
    snprintf(r->via, sizeof(r->via), "evacuate");
    snprintf(r->journal, sizeof(r->journal), "%s", x->j->id);
    snprintf(r->reason, sizeof(r->reason), "%.*s",
             (int)sizeof(r->reason) - 1, jg->reason);
    mig_record(x->a->h.state_dir, r);
}

static void on_start(void *arg, unsigned k)
{
    evac_run_ctx *x = arg;
    xlmig_jguest *jg = &x->j->guests[x->slot[k]];

    now_stamp(jg->started, sizeof(jg->started));
    hostctx_log(LOG_INFO, x->out, "  %s -> %s: migrating (%llu MiB)",
                jg->name, jg->dest, (unsigned long long)jg->mem_mib);
    save(x);
}

static void on_finish(void *arg, unsigned k, int exit, const char *msg,
                      double secs)
{
    evac_run_ctx *x = arg;
    xlmig_jguest *jg = &x->j->guests[x->slot[k]];
    const char *why = msg && *msg ? msg : "no reason given";
    xlmig_hist_rec r;

    now_stamp(jg->finished, sizeof(jg->finished));
    jg->exit_code = exit;
    if (mig_outcome_read(x->jobs[k].outfd, &r))
        xlmig_err_clear();      /* died before it could say: no numbers */
    jg->total_ms = r.total_ms;
    jg->downtime_ms = r.downtime_ms;
    jg->bytes = r.bytes;
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
    record_move(x, jg, &r);
}

/* A result of a dry run, or of the journal's entry after the run. */
static const char *json_result(const evac_args *a, const xlmig_jguest *jg)
{
    if (a->dry_run)
        return jg->result == XLMIG_JR_PLANNED ? "would-move" : "stays";
    return xlmig_jresult_str(jg->result);
}

/*
 * The plan or the outcome as one object (docs/json.md): "journal" is
 * the journal's id, as in return and status, "journal_path" its file;
 * both null when none was written. only_stayed: --blocked.
 */
static void print_json(const evac_args *a, const xlmig_journal *j,
                       const char *path, bool only_stayed, int code)
{
    unsigned i, moved = 0, failed = 0, stayed = 0;
    yajl_gen g = xlmig_jout_new();
    bool ran = path && *path;

    if (!g)
        return;
    yajl_gen_map_open(g);
    xlmig_jout_str(g, "host", j->host);
    xlmig_jout_now(g, "time");
    xlmig_jout_bool(g, "dry_run", a->dry_run);
    xlmig_jout_str_or_null(g, "journal", ran ? j->id : NULL);
    xlmig_jout_str_or_null(g, "journal_path", ran ? path : NULL);
    xlmig_jout_key(g, "guests");
    yajl_gen_array_open(g);
    for (i = 0; i < j->n; i++) {
        const xlmig_jguest *jg = &j->guests[i];
        bool run = ran && jg->started[0];

        moved += jg->result == XLMIG_JR_MOVED;
        stayed += jg->result == XLMIG_JR_STAYED;
        failed += jg->result == XLMIG_JR_FAILED ||
                  jg->result == XLMIG_JR_UNDEFINED;
        if (only_stayed && jg->result != XLMIG_JR_STAYED)
            continue;
        yajl_gen_map_open(g);
        xlmig_jout_str(g, "name", jg->name);
        xlmig_jout_u64(g, "mem_mib", jg->mem_mib);
        xlmig_jout_str_or_null(g, "dest", jg->dest);
        xlmig_jout_str(g, "result", json_result(a, jg));
        xlmig_jout_str_or_null(g, "reason", jg->reason);
        if (run)
            xlmig_jout_int(g, "exit_code", jg->exit_code);
        else
            xlmig_jout_null(g, "exit_code");
        xlmig_jout_str_or_null(g, "started", run ? jg->started : NULL);
        xlmig_jout_str_or_null(g, "finished", run ? jg->finished : NULL);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    xlmig_jout_u64(g, "moved", moved);
    xlmig_jout_u64(g, "failed", failed);
    xlmig_jout_u64(g, "stayed", stayed);
    xlmig_jout_int(g, "exit_code", code);
    yajl_gen_map_close(g);
    xlmig_jout_print(g, stdout);
}

static bool stuck(xlmig_jresult r)
{
    return r == XLMIG_JR_FAILED || r == XLMIG_JR_STAYED ||
           r == XLMIG_JR_UNDEFINED;
}

/* Per plan item: its journal entry, and whether it is news to mail. */
typedef struct {
    unsigned *slot;             /* item k: j->guests[slot[k]] */
    bool *was_stuck;            /* stuck before this run ... */
    char (*old)[256];           /* ... for this reason */
    bool had_stuck;             /* some entry was stuck before */
} evac_slots;

/*
 * Journal entries for the plan's guests: the moves, and the guests
 * that stay. A cron run goes on in its episode's journal (j already
 * loaded): a guest already there keeps its entry, and what it said
 * before is kept in sl to tell news from the same again.
 */
static int fill_journal(const xlmig_inventory *inv,
                        const xlmig_evac_plan *plan, xlmig_journal *j,
                        evac_slots *sl)
{
    unsigned k, i;
    int rc = 0, at;

    for (i = 0; i < j->n; i++) {
        xlmig_jguest *jg = &j->guests[i];

        sl->had_stuck |= stuck(jg->result);
        /* stuck before, not here now: someone else moved it */
        if (stuck(jg->result) && !xlmig_inventory_guest(inv, jg->name)) {
            jg->result = XLMIG_JR_GONE;
            snprintf(jg->reason, sizeof(jg->reason), "no longer on %s",
                     inv->self);
        }
    }
    if (!j->guests)
        rc = xlmig_journal_start(j, inv->self, 0);
    for (k = 0; !rc && k < plan->n; k++) {
        const xlmig_evac_item *it = &plan->items[k];
        const xlmig_inv_guest *g = &inv->guests[it->guest];
        xlmig_jguest *jg;

        at = xlmig_journal_find_guest(j, g->name);
        if (at < 0)
            rc = xlmig_journal_add_guest(j, &sl->slot[k]);
        else
            sl->slot[k] = (unsigned)at;
        if (rc)
            break;
        jg = &j->guests[sl->slot[k]];
        sl->was_stuck[k] = at >= 0 && stuck(jg->result);
        snprintf(sl->old[k], 256, "%s", sl->was_stuck[k] ? jg->reason : "");
        strcpy(jg->name, g->name);
        jg->mem_mib = g->mem_mib;
        if (it->move) {
            strcpy(jg->dest, it->dest);
            jg->result = XLMIG_JR_PLANNED;
        } else {
            jg->dest[0] = 0;
            jg->result = XLMIG_JR_STAYED;
            snprintf(jg->reason, sizeof(jg->reason), "%s", it->reason);
        }
    }
    return rc;
}

static int slots_alloc(evac_slots *sl, unsigned n)
{
    memset(sl, 0, sizeof(*sl));
    sl->slot = calloc(n + 1, sizeof(*sl->slot));
    sl->was_stuck = calloc(n + 1, sizeof(*sl->was_stuck));
    sl->old = calloc(n + 1, sizeof(*sl->old));
    if (sl->slot && sl->was_stuck && sl->old)
        return 0;
    xlmig_err(XLMIG_E_NOMEM, "out of memory");
    return XLMIG_E_NOMEM;
}

static void slots_dispose(evac_slots *sl)
{
    free(sl->slot);
    free(sl->was_stuck);
    free(sl->old);
    memset(sl, 0, sizeof(*sl));
}

/*
 * The cron report (mail): only when something changed since the last
 * run of the episode, a guest newly stuck (or stuck for another
 * reason), or all done after guests were stuck.
 */
static void cron_report(const evac_run_ctx *x, const evac_slots *sl,
                        const char *path)
{
    const xlmig_journal *j = x->j;
    unsigned k, left = 0, news = 0;

    for (k = 0; k < x->plan->n; k++) {
        const xlmig_jguest *jg = &j->guests[sl->slot[k]];

        if (jg->result == XLMIG_JR_MOVED)
            continue;
        left++;
        if (!sl->was_stuck[k] || strcmp(sl->old[k], jg->reason))
            news++;
    }
    if (!left) {
        if (sl->had_stuck)
            printf(PROG " evacuate: %s: all done, every guest moved;"
                   " journal %s\n", j->host, path);
        return;
    }
    if (!news)
        return;
    fprintf(stderr, PROG " evacuate: %s: %u of %u guests moved, %u still"
            " here:\n", j->host, x->moved, x->plan->n, left);
    for (k = 0; k < x->plan->n; k++) {
        const xlmig_jguest *jg = &j->guests[sl->slot[k]];

        if (jg->result != XLMIG_JR_MOVED)
            fprintf(stderr, "  %s: %s%s\n", jg->name, jg->reason,
                    sl->was_stuck[k] && !strcmp(sl->old[k], jg->reason)
                    ? "" : " (new)");
    }
    fprintf(stderr, "journal: %s\n", path);
}

/* The evacuation's one log line (docs/logging.md). */
static void log_evacuation(const evac_args *a, const xlmig_journal *j,
                           const char *start, unsigned n, unsigned moved,
                           unsigned failed, uint64_t start_ns, int code)
{
    xlmig_oplog_line l;

    xlmig_oplog_begin(&l, "evacuate");
    xlmig_oplog_str(&l, "host", j->host);
    xlmig_oplog_str(&l, "mode", a->cron ? "cron" : "cli");
    xlmig_oplog_str(&l, "start", start);
    xlmig_oplog_str(&l, "result", code == 0 ? "ok" : code == 1 ? "partial"
                    : "none");
    xlmig_oplog_u64(&l, "guests", n);
    xlmig_oplog_u64(&l, "moved", moved);
    xlmig_oplog_u64(&l, "failed", failed);
    xlmig_oplog_u64(&l, "stayed", n - moved - failed);
    xlmig_oplog_u64(&l, "total_ms", (xlmig_now_ns() - start_ns) / 1000000);
    xlmig_oplog_str(&l, "journal", j->id);
    mig_log_line(code == 0, &l);
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
    now_stamp(started, sizeof(started));
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
        rc = slots_alloc(&sl, plan.n);
    if (!rc)
        rc = fill_journal(&inv, &plan, &j, &sl);
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
            print_json(&a, &j, NULL, true, rc);
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
            print_json(&a, &j, NULL, false, rc);
        goto out;
    }
    if (!plan.n) {
        if (!a.quiet && !a.c.json)
            printf("nothing to evacuate\n");
        if (a.c.json)
            print_json(&a, &j, NULL, false, 0);
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
             &(evac_run_cbs){ on_start, on_finish, &x });
    now_stamp(j.finished, sizeof(j.finished));
    /* an episode's journal stays open for the next run; return closes
     * it (and any journal with no guest away) */
    j.state = a.cron || xlmig_journal_has_moved(&j) ? XLMIG_JS_EVACUATED
                                                    : XLMIG_JS_DONE;
    save(&x);
    rc = x.moved == plan.n ? 0 : plan.nmove ? 1 : 2;
    hostctx_log(rc ? LOG_ERR : LOG_INFO, NULL, "evacuation of %s: %u moved,"
                " %u failed, %u stayed; journal %s", inv.self, x.moved,
                x.failed, nstay, path);
    log_evacuation(&a, &j, started, plan.n, x.moved, x.failed, start_ns,
                   rc);
    if (a.c.json) {
        print_json(&a, &j, path, false, rc);
    } else if (!a.quiet) {
        printf("summary: %u moved, %u failed, %u stayed; journal %s\n",
               x.moved, x.failed, nstay, path);
    } else if (a.cron) {
        cron_report(&x, &sl, path);
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
    slots_dispose(&sl);
    xlmig_journal_dispose(&j);
    xlmig_evac_plan_dispose(&plan);
    xlmig_inventory_dispose(&inv);
    evac_common_dispose(&a.c);
    xlmig_lock_dispose(&hl);
    return rc;
}
