/*
 * The outcome of one migration, printed as text or JSON. Exit codes of
 * the tools follow the outcome.
 */
#ifndef XLMIG_REPORT_H
#define XLMIG_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "checks.h"
#include "codec.h"

typedef enum {
    XLMIG_OUT_NONE = 0,
    XLMIG_OUT_MIGRATED,        /* guest runs at the destination */
    XLMIG_OUT_ABORTED,         /* cancelled/unmeetable; runs on source */
    XLMIG_OUT_FAILED,          /* error, rolled back; runs on source */
    XLMIG_OUT_UNDEFINED,       /* go sent, no answer: run recover */
    XLMIG_OUT_CHECKED,         /* dry run, all checks passed */
    XLMIG_OUT_REFUSED,         /* a pre-check failed; nothing changed */
} xlmig_outcome;

/* Exit codes of xl-migrate-drbd. */
enum {
    XLMIG_EXIT_OK = 0,
    XLMIG_EXIT_ERROR = 1,      /* failed; guest still on source */
    XLMIG_EXIT_ABORTED = 2,    /* aborted; guest still on source */
    XLMIG_EXIT_UNDEFINED = 3,  /* state unknown; run recover */
};

typedef struct {
    xlmig_outcome outcome;
    char domain[128];
    char dest[128];
    char backend[16];
    char transport[8];         /* the memory stream's: ssh, tls, tcp */
    unsigned streams;          /* its data streams */
    bool ktls;                 /* their sends were kernel TLS */
    char data_addr[64];        /* where they went: host:port */
    char message[512];         /* the one-line error, if any */
    char stop_reason[96];
    char switchover[16];       /* "one-flight" | "two-step" | "" */
    uint64_t mem_bytes;
    uint64_t total_ns;
    uint64_t precopy_ns;
    uint64_t downtime_ns;      /* suspend -> destination running */
    uint64_t switchover_est_ns; /* planned with */
    uint64_t switchover_ns;     /* measured: downtime less last pages */
    uint64_t sw_suspend_ns;     /* downtime, step by step: suspend, */
    uint64_t sw_pages_ns;       /* last pages and stream end, */
    uint64_t sw_flight_ns;      /* their way to the destination, */
    uint64_t sw_restore_ns;     /* destination finishing restore, */
    uint64_t sw_resume_ns;      /* go -> running there */
    uint64_t sw_hotplug_ns;     /* of the restore: the disks' hotplug
                                   scripts' own time (DRBD), */
    unsigned sw_hotplug_fast;   /* how many took their fast path, */
    unsigned sw_hotplug_n;      /* of how many that said */
    uint64_t sw_activate_ns;    /* of go to running: rename + unpause */
    uint64_t drain_ns;          /* before the suspend: the destination
                                   took in the streams' backlog */
    bool drained;               /* in drain_ns (drain.h) */
    uint64_t predicted_ns;
    uint64_t deadline_ns;       /* switchover deadline, 0 if never set */
    uint64_t suspended_ns;      /* suspend -> resumed here on rollback */
    unsigned iterations;
    uint64_t bytes_sent;
    uint64_t pages_sent;
    uint64_t final_pages;
    double rate_Bps;
    bool throttled;
    double throttle_max_pct;
    uint64_t guest_lost_ns;
    bool verified;
    bool has_verify;
    bool guest_on_source;      /* the guest runs on the source now */
    bool over_bound;           /* migrated, but over --max-downtime */
    xlmig_compress_mode compress; /* as asked */
    xlmig_codec_stats codec;   /* memory records: before, after, why */
    bool over_prediction;      /* downtime several times the predicted
                                  (downtime_surprise.h) */
} xlmig_report;

void xlmig_report_init(xlmig_report *r);
int xlmig_report_exit_code(const xlmig_report *r);
const char *xlmig_outcome_str(xlmig_outcome o);
void xlmig_report_print(const xlmig_report *r, FILE *out);
/*
 * What the destination said of its restore (its "done"): hotplug time,
 * fast paths of n, rename + unpause; kept only where it fits inside the
 * step it is part of (a peer's word, or a clock step, is not trusted
 * beyond that).
 */
void xlmig_report_restore_detail(xlmig_report *r, uint64_t hotplug_ns,
                                 uint64_t fast, uint64_t n,
                                 uint64_t activate_ns);
/* One JSON line (docs/json.md); checks, if any, as its "checks". */
void xlmig_report_print_json(const xlmig_report *r,
                             const xlmig_checks *checks, FILE *out);

#endif
