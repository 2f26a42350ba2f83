#ifndef XLMIG_SIM_POPULATE_H
#define XLMIG_SIM_POPULATE_H

/*
 * The destination's guest memory populated ahead of the pages, by a
 * thread of its own: first touch of fresh memory costs about what the
 * copy into it does, and on the receiving thread it sat on the
 * critical path. Populating a page twice, or copying into one the
 * thread has not reached, is harmless: the receiver only goes faster.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    pthread_t thread;
    bool running;
    uint8_t *mem;
    uint64_t len;
    atomic_bool stop;
    atomic_uint_least64_t done;     /* bytes below this are populated */
    atomic_uint_least64_t skip_to;  /* the receiver is already here */
} xlmig_sim_populate;

void xlmig_sim_populate_init(xlmig_sim_populate *p);
/* Starts populating mem[0, len); 0, or a code if no thread started. */
int xlmig_sim_populate_start(xlmig_sim_populate *p, uint8_t *mem,
                             uint64_t len);
/* Bytes below this are in already: the receiver's prefault skips them. */
uint64_t xlmig_sim_populate_done(xlmig_sim_populate *p);
/* The receiver populated up to off itself: the thread jumps past it. */
void xlmig_sim_populate_reached(xlmig_sim_populate *p, uint64_t off);
/* Stops and joins the thread; before the memory goes. Idempotent. */
void xlmig_sim_populate_dispose(xlmig_sim_populate *p);

#endif
