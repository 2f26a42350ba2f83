/*
 * Both sides of a simulated migration in one process: the source on
 * the calling thread, the destination on its own, a socket pair
 * between them. Tests set options, ops and hooks between init and run.
 */
#ifndef XLMIG_UNIT_SIM_PAIR_H
#define XLMIG_UNIT_SIM_PAIR_H

#include <pthread.h>

#include "migrate.h"
#include "sim.h"

typedef struct {
    xlmig_sim_src s;
    xlmig_src_opts o;
    xlmig_src_ops ops;
    xlmig_report rep;
    xlmig_sim_dst d;
    xlmig_dst_opts dopts;
    xlmig_dst_ops dops;
    xlmig_report drep;
    int drc;
    int sv[2];                 /* [0] the source's, [1] the dest's */
    pthread_t thr;
} sim_pair;

/* A 2 MiB idle guest; both sides' I/O timeout 10 s. */
void sim_pair_init(sim_pair *p);
/* Run both sides to their end; the source's rc. */
int sim_pair_run(sim_pair *p);
void sim_pair_dispose(sim_pair *p);

#endif
