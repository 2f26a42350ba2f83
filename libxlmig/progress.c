#include "progress.h"

#include <string.h>

#include "error.h"

void xlmig_progress_init(xlmig_progress *p, xlmig_progress_mode mode,
                         FILE *out)
{
    memset(p, 0, sizeof(*p));
    p->mode = mode;
    p->out = out ? out : stderr;
    p->interval_ns = mode == XLMIG_PROGRESS_TTY ? 200000000ULL
                                                : 1000000000ULL;
    p->t_start = xlmig_now_ns();
}

void xlmig_progress_dispose(xlmig_progress *p)
{
    if (p->bar_open) {
        fputc('\n', p->out);
        p->bar_open = false;
    }
}

double xlmig_progress_percent(xlmig_progress *p,
                              const xlmig_progress_sample *s)
{
    double pct = 0;

    /*
     * Done = memory not waiting to be sent. Re-dirtied pages can make
     * this fall back; the operator sees the high-water mark instead,
     * held under 100 until the migration has really finished.
     */
    if (s->mem_bytes) {
        uint64_t rem = s->remaining_bytes > s->mem_bytes ? s->mem_bytes
                                                         : s->remaining_bytes;
        pct = 100.0 * (double)(s->mem_bytes - rem) / (double)s->mem_bytes;
    }
    if (pct > 99.0)
        pct = 99.0;
    if (pct > p->pct)
        p->pct = pct;
    return p->pct;
}

static void fmt_eta(char *buf, size_t len, double secs)
{
    if (!(secs >= 0) || secs > 359999)
        snprintf(buf, len, "--:--");
    else if (secs >= 3600)
        snprintf(buf, len, "%d:%02d:%02d", (int)secs / 3600,
                 (int)secs / 60 % 60, (int)secs % 60);
    else
        snprintf(buf, len, "%02d:%02d", (int)secs / 60, (int)secs % 60);
}

void xlmig_progress_update(xlmig_progress *p, const xlmig_progress_sample *s,
                           bool force)
{
    uint64_t now = xlmig_now_ns();
    double pct, eta = -1, mib = 1024.0 * 1024.0;
    char etas[16], bar[26];
    int i, fill;

    if (p->mode == XLMIG_PROGRESS_NONE)
        return;
    pct = xlmig_progress_percent(p, s);
    if (!force && p->t_last && now - p->t_last < p->interval_ns)
        return;
    p->t_last = now;
    if (s->tx_Bps > 0)
        eta = (double)s->remaining_bytes / s->tx_Bps;
    fmt_eta(etas, sizeof(etas), eta);
    switch (p->mode) {
    case XLMIG_PROGRESS_TTY:
        fill = (int)(pct / 4);
        for (i = 0; i < 25; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[25] = 0;
        fprintf(p->out, "\r%-10s [%s] %3.0f%% it %-3u %7.1f MiB/s"
                " ETA %s dirty %6.1f MiB/s thr %2.0f%%\033[K",
                s->phase, bar, pct, s->iteration, s->tx_Bps / mib, etas,
                s->dirty_Bps / mib, s->throttle_pct);
        p->bar_open = true;
        break;
    case XLMIG_PROGRESS_JSON:
        fprintf(p->out, "{\"event\":\"progress\",\"phase\":\"%s\","
                "\"elapsed_ms\":%llu,\"percent\":%.1f,\"iteration\":%u,"
                "\"sent_bytes\":%llu,\"remaining_bytes\":%llu,"
                "\"rate_mib_s\":%.2f,\"eta_s\":%.1f,"
                "\"dirty_mib_s\":%.2f,\"throttle_pct\":%.1f}\n",
                s->phase,
                (unsigned long long)((now - p->t_start) / 1000000ULL), pct,
                s->iteration, (unsigned long long)s->sent_bytes,
                (unsigned long long)s->remaining_bytes, s->tx_Bps / mib,
                eta, s->dirty_Bps / mib, s->throttle_pct);
        break;
    case XLMIG_PROGRESS_LINES:
        fprintf(p->out, "%s %3.0f%% iteration %u %.1f MiB/s ETA %s"
                " dirty %.1f MiB/s throttle %.0f%%\n", s->phase, pct,
                s->iteration, s->tx_Bps / mib, etas, s->dirty_Bps / mib,
                s->throttle_pct);
        break;
    default:
        break;
    }
    fflush(p->out);
}

void xlmig_progress_phase(xlmig_progress *p, const char *phase)
{
    uint64_t now = xlmig_now_ns();

    if (p->mode == XLMIG_PROGRESS_JSON) {
        fprintf(p->out, "{\"event\":\"phase\",\"phase\":\"%s\","
                "\"elapsed_ms\":%llu}\n", phase,
                (unsigned long long)((now - p->t_start) / 1000000ULL));
        fflush(p->out);
    } else if (p->mode == XLMIG_PROGRESS_LINES) {
        fprintf(p->out, "phase %s\n", phase);
        fflush(p->out);
    }
}

void xlmig_progress_end(xlmig_progress *p, bool complete)
{
    if (complete)
        p->pct = 100.0;
    if (p->mode == XLMIG_PROGRESS_TTY && p->bar_open) {
        if (complete)
            fprintf(p->out, "\r%-10s [#########################] 100%%"
                    "\033[K", "done");
        fputc('\n', p->out);
        p->bar_open = false;
        fflush(p->out);
    }
}
