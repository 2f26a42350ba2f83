/*
 * recover's log line and, for a settled guest, its history record
 * (docs/logging.md).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "error.h"
#include "hoststate.h"
#include "mig_record.h"
#include "names.h"
#include "recover_cli.h"

static void short_host(char *dst, size_t len, const char *src)
{
    size_t n = strcspn(src, ".");

    dst[0] = 0;
    if (n < len && xlmig_name_host_ok(src, false)) {
        memcpy(dst, src, n);
        dst[n] = 0;
    }
}

/* recover's outcome words (docs/json.md) as its log line says them. */
static const char *log_result(const char *outcome)
{
    if (!outcome || !strcmp(outcome, "dry-run"))
        return NULL;            /* a dry run changes nothing: no line */
    if (!strcmp(outcome, "settled"))
        return "recovered";
    if (!strcmp(outcome, "nothing-to-do"))
        return "nothing";
    return outcome;             /* refused, failed */
}

/*
 * One log line (docs/logging.md); a settled guest also one history
 * record. why: the decision, or the error that stopped recover.
 */
void rec_log(const recover_record *rr, bool sim, int rc,
             const char *why)
{
    const char *result = log_result(rr->outcome);
    int keeper = rr->planned ? (int)rr->plan.keeper : -1;
    char here[128], peer[128];
    xlmig_oplog_line l;
    xlmig_hist_rec r;

    if (!result || !rr->domain || !rr->domain[0])
        return;
    short_host(here, sizeof(here), rr->host[0]);
    short_host(peer, sizeof(peer), rr->host[1]);
    xlmig_oplog_begin(&l, "recover");
    xlmig_oplog_str(&l, "guest", rr->domain);
    xlmig_oplog_str(&l, "host", here);
    xlmig_oplog_str(&l, "peer", peer);
    xlmig_oplog_str(&l, "result", result);
    if (!strcmp(result, "recovered") && keeper >= 0)
        xlmig_oplog_str(&l, "runs_on", keeper == XLMIG_HOST_LOCAL ?
                        here : peer);
    xlmig_oplog_u64(&l, "exit", (uint64_t)rc);
    xlmig_oplog_str(&l, "decision", why);
    mig_log_line(!rc, &l);
    if (strcmp(result, "recovered"))
        return;
    xlmig_hist_rec_init(&r);
    xlmig_utc_stamp(time(NULL), r.start, sizeof(r.start));
    snprintf(r.guest, sizeof(r.guest), "%s", rr->domain);
    snprintf(r.from, sizeof(r.from), "%s", keeper == XLMIG_HOST_LOCAL ?
             peer : here);
    snprintf(r.to, sizeof(r.to), "%s", keeper == XLMIG_HOST_LOCAL ?
             here : peer);
    strcpy(r.result, "recovered");
    strcpy(r.via, "recover");
    snprintf(r.reason, sizeof(r.reason), "%.*s", (int)sizeof(r.reason) - 1,
             why);
    if (mig_hist_dir(sim) &&
        xlmig_hist_append(mig_hist_dir(sim), &r, XLMIG_HIST_KEEP)) {
        fprintf(stderr, PROG ": warning: history not written: %s\n",
                xlmig_errmsg());
        xlmig_err_clear();
    }
}
