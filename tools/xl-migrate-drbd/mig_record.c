/* Recording operations: see mig_record.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "error.h"
#include "hoststate.h"
#include "mig_record.h"
#include "names.h"
#include "peer_map.h"
#include "testhooks.h"

void mig_log_line(bool ok, const xlmig_oplog_line *l)
{
    xlmig_oplog_emit(ok ? LOG_INFO : LOG_WARNING, l);
}

void mig_record(const char *dir, const xlmig_hist_rec *r)
{
    xlmig_oplog_line l;

    xlmig_hist_encode(r, &l);
    mig_log_line(!strcmp(r->result, "ok") || !strcmp(r->result,
                 "recovered"), &l);
    if (dir && xlmig_hist_append(dir, r, XLMIG_HIST_KEEP)) {
        fprintf(stderr, PROG ": warning: history not written: %s\n",
                xlmig_errmsg());
        xlmig_err_clear();
    }
}

const char *mig_hist_dir(bool sim)
{
    const char *env = xlmig_test_env("XLMIG_STATE_DIR");

    if (sim && !(env && *env))
        return NULL;
    return xlmig_state_dir();
}

static void host_or_empty(char *buf, size_t len, const char *a,
                          const char *b)
{
    const char *v = a && xlmig_name_host_ok(a, false) ? a
                  : b && xlmig_name_host_ok(b, false) ? b : "";

    buf[0] = 0;
    if (strlen(v) < len)
        memcpy(buf, v, strlen(v) + 1);
}

void mig_record_migration(const cli_opts *o, const xlmig_report *rep,
                          time_t start)
{
    const char *env = getenv(MIG_OUTCOME_ENV);
    xlmig_oplog_line l;
    xlmig_hist_rec r;
    char self[256];

    if (o->dry_run)
        return;
    xlmig_hist_rec_init(&r);
    xlmig_utc_stamp(start, r.start, sizeof(r.start));
    snprintf(r.guest, sizeof(r.guest), "%s", o->domain);
    xlmig_self_name(self, sizeof(self));
    self[strcspn(self, ".")] = 0;
    host_or_empty(r.from, sizeof(r.from), self, NULL);
    host_or_empty(r.to, sizeof(r.to), rep->dest,
                  o->ssh && !*o->ssh ? NULL : o->host);
    snprintf(r.result, sizeof(r.result), "%s",
             xlmig_hist_result_of(xlmig_outcome_str(rep->outcome)));
    r.total_ms = rep->total_ns / 1000000;
    r.downtime_ms = rep->downtime_ns / 1000000;
    r.bytes = rep->bytes_sent;
    if (strcmp(r.result, "ok"))
        snprintf(r.reason, sizeof(r.reason), "%.*s",
                 (int)sizeof(r.reason) - 1, rep->message);
    if (env && !strcmp(env, "1")) {
        xlmig_hist_encode(&r, &l);
        printf(MIG_OUTCOME_TAG "%s\n", l.buf);
        fflush(stdout);
        return;
    }
    mig_record(mig_hist_dir(o->sim), &r);
}

int mig_outcome_read(int fd, xlmig_hist_rec *r)
{
    char buf[16384], *line, *save = NULL, *last = NULL;
    off_t end;
    ssize_t n;

    xlmig_hist_rec_init(r);
    end = lseek(fd, 0, SEEK_END);
    if (end < 0)
        return XLMIG_E_IO;
    n = pread(fd, buf, sizeof(buf) - 1,
              end > (off_t)sizeof(buf) - 1 ? end - (off_t)sizeof(buf) + 1
                                           : 0);
    buf[n > 0 ? n : 0] = 0;
    for (line = strtok_r(buf, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save))
        if (!strncmp(line, MIG_OUTCOME_TAG, strlen(MIG_OUTCOME_TAG)))
            last = line + strlen(MIG_OUTCOME_TAG);
    if (!last) {
        xlmig_err(XLMIG_E_PROTO, "the migration printed no outcome line");
        return XLMIG_E_PROTO;
    }
    return xlmig_hist_decode(last, strlen(last), r);
}
