/*
 * Progress for the operator: a one-line bar on a TTY, line-delimited
 * JSON events with --json, nothing otherwise. Percent never goes
 * backwards and never exceeds 100. The bar fits the terminal as it is
 * at each redraw (a resize is followed) and never wraps; a line anyone
 * logs while it is drawn clears it first (xlmig_log_line_start).
 */
#ifndef XLMIG_PROGRESS_H
#define XLMIG_PROGRESS_H

/* Slower than this, progress shows no ETA (--:--, "eta_s": null). */
#define XLMIG_PROGRESS_ETA_MIN_BPS (64.0 * 1024)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum {
    XLMIG_PROGRESS_NONE = 0,
    XLMIG_PROGRESS_TTY,
    XLMIG_PROGRESS_JSON,
    XLMIG_PROGRESS_LINES,   /* plain lines, for logs */
} xlmig_progress_mode;

typedef struct {
    const char *phase;
    unsigned iteration;
    uint64_t mem_bytes;
    uint64_t sent_bytes;       /* on the wire so far */
    uint64_t remaining_bytes;  /* estimate of what is left */
    double tx_Bps;
    double dirty_Bps;
    double throttle_pct;
} xlmig_progress_sample;

typedef struct xlmig_progress {
    xlmig_progress_mode mode;
    FILE *out;
    uint64_t interval_ns;
    uint64_t t_start, t_last;
    double pct;                /* monotone */
    bool bar_open;             /* a TTY line awaits its newline */
    xlmig_progress_sample last; /* drawn last: the final line's stats */
    bool hooked;               /* clears its line for log lines */
} xlmig_progress;

void xlmig_progress_init(xlmig_progress *p, xlmig_progress_mode mode,
                         FILE *out);
void xlmig_progress_dispose(xlmig_progress *p);
/* Rate-limited unless force. */
void xlmig_progress_update(xlmig_progress *p, const xlmig_progress_sample *s,
                           bool force);
/* A phase change or other event: JSON {"event":..,"phase":..}. */
void xlmig_progress_phase(xlmig_progress *p, const char *phase);
/* Finish the bar at 100 % (success) or where it stands. */
void xlmig_progress_end(xlmig_progress *p, bool complete);
/* Percent computation, exposed for tests. */
double xlmig_progress_percent(xlmig_progress *p,
                              const xlmig_progress_sample *s);
/*
 * What is left of a round of round_bytes of which done_bytes went out,
 * for a guest of mem_bytes: a round counts at most the guest's memory
 * (libxc's first one names every pfn of the address range, holes and
 * all: 4 GiB for a 128 MiB PVH guest); before the first round, all of
 * it is left.
 */
uint64_t xlmig_progress_round_left(uint64_t mem_bytes, bool started,
                                   uint64_t round_bytes,
                                   uint64_t done_bytes);

/* ---- the terminal line (progress_bar.c) ---- */

typedef struct {
    const char *phase;
    double pct;
    bool stats;                /* false: phase, bar and percent only */
    unsigned iteration;
    double rate_mib_s;
    const char *eta;
    double dirty_mib_s;
    double throttle_pct;
} xlmig_bar_fields;

/*
 * The bar's text for a terminal cols wide: at most cols - 1 characters
 * (a full last column wraps on some terminals), the fields that do not
 * fit left out, least needed first (dirty rate, throttle, iteration,
 * then the bar itself shrinks, ...; the percent stays). Its length.
 */
size_t xlmig_bar_text(char *buf, size_t len, unsigned cols,
                      const xlmig_bar_fields *f);
/* The terminal's width on fd, 80 if it cannot be told. */
unsigned xlmig_bar_cols(int fd);

#endif
