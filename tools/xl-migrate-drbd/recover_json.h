/*
 * recover --json: what it found, decided, did and left, as one object
 * (docs/json.md). recover fills the record as it goes; printed once at
 * the end, whatever the outcome.
 */
#ifndef XLMIG_RECOVER_JSON_H
#define XLMIG_RECOVER_JSON_H

#include <stdbool.h>

#include "recover_plan.h"

typedef struct {
    const char *domain;
    bool dry_run;
    char host[2][128];               /* local, peer */
    bool found, now;                 /* which views below are set */
    xlmig_host_view seen[2];         /* before acting */
    xlmig_host_view after[2];        /* after acting */
    bool planned;
    xlmig_plan plan;
    int done[XLMIG_PLAN_MAX];        /* per action: 1 done, 0 failed,
                                        -1 not run */
    const char *outcome;             /* see docs/json.md */
} recover_record;

void recover_record_init(recover_record *r, const char *domain,
                         bool dry_run);
void recover_print_json(const recover_record *r, int exit_code);

#endif
