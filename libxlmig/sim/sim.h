/*
 * The simulator backend: a simulated guest (sim_guest.h) behind the same
 * source and destination vtables as the Xen backend, for tests, the demo
 * and policy comparison.
 */
#ifndef XLMIG_SIM_H
#define XLMIG_SIM_H

#include <stdint.h>

#include "backend.h"
#include "page_digest.h"
#include "sim_guest.h"
#include "sim_host.h"
#include "sim_populate.h"

typedef struct {
    const char *name;          /* guest name */
    uint64_t mem_bytes;
    uint32_t page_size;
    xlmig_sim_workload wl;
    uint64_t seed;
    const char *host_dir;      /* keep a domain record here (sim_host.h) */
    const char *const *disks;  /* "vdev=target": its libxl-like config */
    unsigned ndisks;
    uint64_t zero_bytes;       /* this much memory at the end left zero */
} xlmig_sim_src_params;

typedef struct {
    xlmig_sim_src_params par;
    xlmig_sim_guest guest;
    char uuid[37];
    uint64_t *bitmap;          /* pages to send this round */
    xlmig_page_digest digest;  /* of the pages as they were sent */
    bool destroyed;
    /* throttle lever, as xen_sched.c: the record carries the cap */
    bool cap_read;
    bool cap_saved;            /* its own cap is on disk (throttle_cap.h) */
    bool cap_off;              /* could not be saved: never throttled */
    int cap_orig, cap_now;
} xlmig_sim_src;

int xlmig_sim_src_init(xlmig_sim_src *s, const xlmig_sim_src_params *par);
void xlmig_sim_src_dispose(xlmig_sim_src *s);
extern const xlmig_src_ops xlmig_sim_src_ops;

typedef struct {
    uint64_t free_bytes;       /* capacity this "host" offers */
    const char *existing;      /* a guest name already here, or NULL */
    const char *host_dir;      /* keep domain records here (sim_host.h) */
    bool paused;               /* -p: left paused after go, not run */
    /* its definition there once it runs: profile and DRBD resources */
    const char *profile;       /* NULL: idle */
    const char *drbd;          /* "r0:peer ..." or NULL */
    char *incoming;            /* the record's name while restoring */
    bool recorded;             /* we created the incoming record */
    xlmig_sim_guest guest;
    xlmig_page_digest digest;  /* kept as pages arrive */
    uint64_t faulted;          /* memory below this is populated */
    xlmig_sim_populate populate; /* the rest, ahead of the pages */
    uint64_t records;          /* PAGES records received */
    char *name;
    bool created;
    bool active;
    uint64_t run_ns;           /* keep the guest running after go */
} xlmig_sim_dst;

void xlmig_sim_dst_init(xlmig_sim_dst *d, uint64_t free_bytes);
void xlmig_sim_dst_dispose(xlmig_sim_dst *d);
extern const xlmig_dst_ops xlmig_sim_dst_ops;

/*
 * The most guest memory the simulated destination will allocate, from
 * what this machine has available (avail_bytes, 0 if unknown): three
 * quarters of it, never over XLMIG_SIM_MEM_MAX. What a peer claims is
 * refused above this, whatever --sim-free-mem offers: the simulator
 * really allocates (and populates) the guest's memory.
 */
#define XLMIG_SIM_MEM_MAX (64ULL << 30)
uint64_t xlmig_sim_alloc_limit(uint64_t avail_bytes);

#endif
