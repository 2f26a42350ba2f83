/*
 * A simulated guest: real memory, a workload thread that dirties it,
 * a dirty log with Xen's semantics (CLEAN reads and clears, PEEK only
 * counts), pause/unpause, and a CPU share the throttle can cut: the
 * workload runs share x 10 ms of every 10 ms period, like a credit2 cap.
 */
#ifndef XLMIG_SIM_GUEST_H
#define XLMIG_SIM_GUEST_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    char profile[16];
    double rate_Bps;        /* page-sized writes per second x page size */
    uint64_t hot_bytes;     /* hot working set */
    double hot_fraction;    /* share of writes into the hot set */
} xlmig_sim_workload;

/*
 * Fill w from a profile name: idle, web, oltp, diabolical. link_Bps
 * (0 if unknown) sets diabolical's rate to twice the link.
 * Returns XLMIG_E_INVAL (with message) for an unknown profile.
 */
int xlmig_sim_workload_preset(xlmig_sim_workload *w, const char *profile,
                              uint64_t mem_bytes, double link_Bps);

typedef struct xlmig_sim_guest {
    uint8_t *mem;
    uint64_t mem_bytes;
    uint64_t npages;
    uint32_t page_size;
    _Atomic uint64_t *dirty;    /* log-dirty bitmap */
    uint64_t nwords;
    atomic_bool logdirty;       /* tracking on */

    xlmig_sim_workload wl;
    pthread_t thread;
    bool thread_started;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool paused;                /* requested */
    bool parked;                /* workload acknowledged the pause */
    bool stop;
    _Atomic uint64_t share_ppm; /* CPU share, parts per million */
    uint64_t share_at_pause_ppm;/* what it had when last paused */
    _Atomic uint64_t writes;    /* total writes, proves it runs */
    uint64_t seed;
} xlmig_sim_guest;

void xlmig_sim_guest_init(xlmig_sim_guest *g);
/*
 * Allocate memory and, unless seed is 0 (memory about to be received),
 * fill it with content derived from seed. Does not start the workload.
 */
int xlmig_sim_guest_alloc(xlmig_sim_guest *g, uint64_t mem_bytes,
                          uint32_t page_size, uint64_t seed);
int xlmig_sim_guest_start(xlmig_sim_guest *g,
                          const xlmig_sim_workload *wl);
/* Returns once the workload is parked: memory frozen. */
void xlmig_sim_guest_pause(xlmig_sim_guest *g);
void xlmig_sim_guest_unpause(xlmig_sim_guest *g);
bool xlmig_sim_guest_running(xlmig_sim_guest *g);
void xlmig_sim_guest_set_share(xlmig_sim_guest *g, double share);
double xlmig_sim_guest_share(xlmig_sim_guest *g);
void xlmig_sim_guest_dispose(xlmig_sim_guest *g);

/* Log-dirty: enable clears the log. */
void xlmig_sim_logdirty_enable(xlmig_sim_guest *g);
void xlmig_sim_logdirty_disable(xlmig_sim_guest *g);
/* Move the log into out (nwords words) and clear it; returns count. */
uint64_t xlmig_sim_logdirty_clean(xlmig_sim_guest *g, uint64_t *out);
/* Pages dirtied since the last clean, without clearing. */
uint64_t xlmig_sim_logdirty_peek(xlmig_sim_guest *g);

/* Digest of all memory at once (page_digest.h), as both sides keep it. */
uint64_t xlmig_sim_guest_digest(xlmig_sim_guest *g);

#endif
