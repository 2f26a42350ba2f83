/*
 * Progress for the operator: a one-line bar on a TTY, line-delimited
 * JSON events with --json, nothing otherwise. Percent never goes
 * backwards and never exceeds 100.
 */
#ifndef XLMIG_PROGRESS_H
#define XLMIG_PROGRESS_H

#include <stdbool.h>
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

#endif
