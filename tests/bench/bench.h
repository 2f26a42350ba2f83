/* The policy comparison: scenarios, their results, and the output. */
#ifndef XLMIG_BENCH_BENCH_H
#define XLMIG_BENCH_BENCH_H

#include <stdio.h>

#include "policies.h"

#define BM_MAX_POLICIES 4
#define BM_MAX_CELLS 64

typedef struct {
    bm_scenario sc;
    double floor_down_s;        /* fixed switchover + its round trips */
    double floor_total_s;       /* memory / bandwidth + RTT */
    bm_result res[BM_MAX_POLICIES];
} bm_cell;

typedef struct {
    const bm_policy_ops *pol[BM_MAX_POLICIES];
    unsigned npol;
    bm_cell cell[BM_MAX_CELLS];
    unsigned ncell;
} bm_bench;

/* Index of a policy by name, or -1. */
int bm_policy_index(const bm_bench *b, const char *name);

void bm_print_cell(FILE *out, const bm_bench *b, const bm_cell *c);
/* The targets of issue 3, each met or missed by how much. 0 if all met. */
int bm_print_targets(FILE *out, const bm_bench *b);
int bm_write_csv(const bm_bench *b, const char *path);
/* gnuplot data and script for the PNG (gnuplot runs from bench.mk). */
int bm_write_plot(const bm_bench *b, const char *dat, const char *gp,
                  const char *png);

#endif
