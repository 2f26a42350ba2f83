#include "progress.h"

#include <string.h>

#include "error.h"
#include "json_out.h"

#define MIB (1024.0 * 1024.0)

/* A line is about to be logged: take the bar off it first. */
static void clear_line(void *arg)
{
    xlmig_progress *p = arg;

    if (!p->bar_open)
        return;
    fputs("\r\033[K", p->out);
    fflush(p->out);
    p->bar_open = false;
}

void xlmig_progress_init(xlmig_progress *p, xlmig_progress_mode mode,
                         FILE *out)
{
    memset(p, 0, sizeof(*p));
    p->mode = mode;
    p->out = out ? out : stderr;
    p->interval_ns = mode == XLMIG_PROGRESS_TTY ? 200000000ULL
                                                : 1000000000ULL;
    p->t_start = xlmig_now_ns();
    if (mode == XLMIG_PROGRESS_TTY) {
        xlmig_log_set_line_hook(clear_line, p);
        p->hooked = true;
    }
}

void xlmig_progress_dispose(xlmig_progress *p)
{
    if (p->bar_open) {
        fputc('\n', p->out);
        p->bar_open = false;
    }
    if (p->hooked)
        xlmig_log_set_line_hook(NULL, NULL);
    p->hooked = false;
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

uint64_t xlmig_progress_round_left(uint64_t mem_bytes, bool started,
                                   uint64_t round_bytes,
                                   uint64_t done_bytes)
{
    if (!started)
        return mem_bytes;
    if (round_bytes > mem_bytes)
        round_bytes = mem_bytes;
    return round_bytes > done_bytes ? round_bytes - done_bytes : 0;
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

static void draw(xlmig_progress *p, const xlmig_bar_fields *f)
{
    char line[512];

    xlmig_bar_text(line, sizeof(line), xlmig_bar_cols(fileno(p->out)), f);
    fprintf(p->out, "\r%s\033[K", line);
    p->bar_open = true;
}

/* {"event":..,"time":..,"elapsed_ms":..,"phase":.. and the rest. */
static yajl_gen event(xlmig_progress *p, const char *ev, const char *phase,
                      uint64_t now)
{
    yajl_gen g = xlmig_jout_new();

    if (!g)
        return NULL;
    yajl_gen_map_open(g);
    xlmig_jout_str(g, "event", ev);
    xlmig_jout_now(g, "time");
    xlmig_jout_u64(g, "elapsed_ms", (now - p->t_start) / 1000000ULL);
    xlmig_jout_str(g, "phase", phase);
    return g;
}

static void print_json(xlmig_progress *p, const xlmig_progress_sample *s,
                       double pct, double eta, uint64_t now)
{
    yajl_gen g = event(p, "progress", s->phase, now);

    if (!g)
        return;
    xlmig_jout_num(g, "percent", pct, 1);
    xlmig_jout_u64(g, "iteration", s->iteration);
    xlmig_jout_u64(g, "mem_bytes", s->mem_bytes);
    xlmig_jout_u64(g, "sent_bytes", s->sent_bytes);
    xlmig_jout_u64(g, "remaining_bytes", s->remaining_bytes);
    xlmig_jout_num(g, "rate_mib_s", s->tx_Bps / MIB, 2);
    if (eta >= 0)
        xlmig_jout_num(g, "eta_s", eta, 1);
    else
        xlmig_jout_null(g, "eta_s");
    xlmig_jout_num(g, "dirty_mib_s", s->dirty_Bps / MIB, 2);
    xlmig_jout_num(g, "throttle_pct", s->throttle_pct, 1);
    yajl_gen_map_close(g);
    xlmig_jout_print(g, p->out);
}

void xlmig_progress_update(xlmig_progress *p, const xlmig_progress_sample *s,
                           bool force)
{
    uint64_t now = xlmig_now_ns();
    double pct, eta = -1;
    char etas[16];

    if (p->mode == XLMIG_PROGRESS_NONE)
        return;
    pct = xlmig_progress_percent(p, s);
    if (!force && p->t_last && now - p->t_last < p->interval_ns)
        return;
    p->t_last = now;
    /* Below this the rate is the first bytes of a start, not a rate:
     * an ETA from it read 87 hours on a move that took a minute. */
    if (s->tx_Bps >= XLMIG_PROGRESS_ETA_MIN_BPS)
        eta = (double)s->remaining_bytes / s->tx_Bps;
    fmt_eta(etas, sizeof(etas), eta);
    p->last = *s;
    switch (p->mode) {
    case XLMIG_PROGRESS_TTY:
        draw(p, &(xlmig_bar_fields){
            .phase = s->phase, .pct = pct, .stats = true,
            .iteration = s->iteration, .rate_mib_s = s->tx_Bps / MIB,
            .eta = etas, .dirty_mib_s = s->dirty_Bps / MIB,
            .throttle_pct = s->throttle_pct });
        break;
    case XLMIG_PROGRESS_JSON:
        print_json(p, s, pct, eta, now);
        return;
    case XLMIG_PROGRESS_LINES:
        fprintf(p->out, "%s %3.0f%% iteration %u %.1f MiB/s ETA %s"
                " dirty %.1f MiB/s throttle %.0f%%\n", s->phase, pct,
                s->iteration, s->tx_Bps / MIB, etas, s->dirty_Bps / MIB,
                s->throttle_pct);
        break;
    default:
        break;
    }
    fflush(p->out);
}

void xlmig_progress_phase(xlmig_progress *p, const char *phase)
{
    yajl_gen g;

    if (p->mode == XLMIG_PROGRESS_JSON) {
        g = event(p, "phase", phase, xlmig_now_ns());
        if (!g)
            return;
        yajl_gen_map_close(g);
        xlmig_jout_print(g, p->out);
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
        /* the last stats, so the line keeps its layout */
        if (complete)
            draw(p, &(xlmig_bar_fields){
                .phase = "done", .pct = 100, .stats = true,
                .iteration = p->last.iteration,
                .rate_mib_s = p->last.tx_Bps / MIB, .eta = "00:00",
                .dirty_mib_s = p->last.dirty_Bps / MIB,
                .throttle_pct = p->last.throttle_pct });
        fputc('\n', p->out);
        p->bar_open = false;
        fflush(p->out);
    }
}
