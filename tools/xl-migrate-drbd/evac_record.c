/*
 * What an evacuation records as it runs: its journal as each move
 * starts and finishes, each move's history record, its log lines.
 */
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "error.h"
#include "evac.h"
#include "hostctx.h"
#include "journal.h"
#include "mig_record.h"
#include "report.h"

void evac_now_stamp(char *buf, size_t len)
{
    xlmig_utc_stamp(time(NULL), buf, len);
}

void evac_save_journal(evac_run_ctx *x)
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

void evac_on_start(void *arg, unsigned k)
{
    evac_run_ctx *x = arg;
    xlmig_jguest *jg = &x->j->guests[x->slot[k]];

    evac_now_stamp(jg->started, sizeof(jg->started));
    hostctx_log(LOG_INFO, x->out, "  %s -> %s: migrating (%llu MiB)",
                jg->name, jg->dest, (unsigned long long)jg->mem_mib);
    evac_save_journal(x);
}

void evac_on_finish(void *arg, unsigned k, int exit, const char *msg,
                    double secs)
{
    evac_run_ctx *x = arg;
    xlmig_jguest *jg = &x->j->guests[x->slot[k]];
    const char *why = msg && *msg ? msg : "no reason given";
    xlmig_hist_rec r;

    evac_now_stamp(jg->finished, sizeof(jg->finished));
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
    evac_save_journal(x);
    record_move(x, jg, &r);
}

/* The evacuation's one log line (docs/logging.md). */
void evac_log(const evac_args *a, const xlmig_journal *j,
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
