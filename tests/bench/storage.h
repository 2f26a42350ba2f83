/*
 * The storage phase of a local-disk move (docs/bench.md, "Storage
 * phase"): DRBD's initial sync of the disk, with the guest writing,
 * before the memory phase.
 */
#ifndef XLMIG_BENCH_STORAGE_H
#define XLMIG_BENCH_STORAGE_H

#include <stdbool.h>
#include <stdio.h>

typedef struct {
    double disk_bytes;
    double write_Bps;        /* the guest's disk writes, uniform */
    double link_Bps;         /* the budget: min(link, --bandwidth) */
    double rtt_s;
    double window_bytes;     /* the sync's data in flight; 0: unbound */
} bm_storage;

typedef struct {
    bool converges;          /* writes leave room for the sync */
    double sync_s;           /* the storage phase */
    double wire_bytes;       /* the disk once, plus every mirrored write */
    double write_delay_s;    /* added to each guest write (protocol C) */
} bm_storage_result;

void bm_storage_run(const bm_storage *s, bm_storage_result *r);
/* The table docs/bench.md shows, and its anchor; 0 if the anchor holds. */
int bm_storage_print(FILE *out);

#endif
