/*
 * The migration history: one record per migration this host started
 * (a single one, each move of an evacuation or a return, a recover),
 * in <state dir>/history, one line each, oldest first, in the log line
 * format (oplog.h) that the same record has in syslog:
 *
 *   migrate start=2026-12-01T09:30:12Z guest=web01 from=xen1 to=xen2
 *     result=ok via=cli total_ms=2113 downtime_ms=184 bytes=134217728
 *     [journal=evac-...] [reason="..."]
 *
 * Bounded: an append keeps the last XLMIG_HIST_KEEP records, rewriting
 * the file atomically (temporary file and rename) under a lock, so
 * concurrent migrations never lose each other's records.
 */
#ifndef XLMIG_HISTORY_H
#define XLMIG_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "names.h"
#include "oplog.h"

#define XLMIG_HIST_KEEP       1000
#define XLMIG_HIST_MAX_BYTES  (XLMIG_HIST_KEEP * XLMIG_OPLOG_LINE_MAX)

typedef struct {
    char start[32];                     /* UTC, "YYYY-mm-ddTHH:MM:SSZ" */
    char guest[XLMIG_NAME_DOMAIN_MAX + 1];
    char from[XLMIG_NAME_HOST_MAX + 1]; /* "" when not known */
    char to[XLMIG_NAME_HOST_MAX + 1];
    char result[16];                    /* see xlmig_hist_result_ok */
    char via[16];                       /* cli evacuate return recover */
    uint64_t total_ms, downtime_ms, bytes;
    char journal[64];                   /* "" unless an evacuation's */
    char reason[XLMIG_OPLOG_VAL_SHOWN + 1];
} xlmig_hist_rec;

/* ok failed aborted undefined refused recovered */
bool xlmig_hist_result_ok(const char *s);
/* A report outcome's name ("migrated", ...) as a history result. */
const char *xlmig_hist_result_of(const char *outcome);

void xlmig_hist_rec_init(xlmig_hist_rec *r);
/* The record as its log line (also what syslog gets). */
void xlmig_hist_encode(const xlmig_hist_rec *r, xlmig_oplog_line *l);
/* One line, strict: action migrate, known keys, each checked. */
int xlmig_hist_decode(const char *buf, size_t len, xlmig_hist_rec *r);

typedef struct {
    unsigned n;
    xlmig_hist_rec *r;                  /* oldest first */
} xlmig_hist;

void xlmig_hist_init(xlmig_hist *h);
void xlmig_hist_dispose(xlmig_hist *h);
/* A whole file's text; an error names the line. Empty text: none. */
int xlmig_hist_parse(const char *buf, size_t len, xlmig_hist *h);
/* <dir>/history; no file yet is an empty history. */
int xlmig_hist_load(const char *dir, xlmig_hist *h);

/*
 * The text after appending line to old, at most keep records (the
 * oldest dropped). Lines of old that do not parse are dropped too,
 * *bad counts them (the first one's error is left recorded). Pure.
 */
int xlmig_hist_rotate(const char *old, size_t len, const char *line,
                      unsigned keep, char **out, size_t *outlen,
                      unsigned *bad);
/* Append r to <dir>/history (creating dir), keeping keep records. */
int xlmig_hist_append(const char *dir, const xlmig_hist_rec *r,
                      unsigned keep);

#endif
