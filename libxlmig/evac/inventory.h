/*
 * What an evacuation plans over: the guests running on this host, with
 * their memory and the DRBD resources under their disks (each with the
 * hosts it replicates to), and the hosts those could move to, with
 * their free memory and maintenance flag.
 *
 * Filled by inventory_sim.c (a state directory) or inventory_xen.c
 * (libxl, drbdadm, and `status --json` asked of each peer); read by the
 * planner (evac_plan.h), which is pure and never touches either.
 */
#ifndef XLMIG_INVENTORY_H
#define XLMIG_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XLMIG_INV_NAME_MAX   64     /* guest, host, resource names */
#define XLMIG_INV_MAX_RES    16     /* DRBD resources per guest */
#define XLMIG_INV_MAX_PEERS  8      /* peers per resource (DRBD 9) */
#define XLMIG_INV_MAX_GUESTS 1024
#define XLMIG_INV_MAX_HOSTS  64

/* A resource's live DRBD state on this host, when it could be read. */
typedef struct {
    bool known;
    bool synced;                /* connected, UpToDate both sides */
    char role[16];              /* "Primary", "Secondary" */
    char cstate[32];            /* "Connected", "StandAlone", ... */
    char disk[32];              /* "UpToDate", ... */
    char peer_disk[32];
} xlmig_inv_drbd;

typedef struct {
    char name[XLMIG_INV_NAME_MAX];
    unsigned npeers;
    char peers[XLMIG_INV_MAX_PEERS][XLMIG_INV_NAME_MAX];
    xlmig_inv_drbd state;
} xlmig_inv_res;

/* Connected and UpToDate on both sides; an unknown state passes. */
bool xlmig_inv_drbd_synced(const xlmig_inv_drbd *d);

typedef struct {
    char name[XLMIG_INV_NAME_MAX];
    uint64_t mem_mib;
    unsigned nres;
    xlmig_inv_res res[XLMIG_INV_MAX_RES];
    /* simulator only: workload profile and a fault for its migration */
    char profile[16];
    char fault[64];
} xlmig_inv_guest;

typedef struct {
    char name[XLMIG_INV_NAME_MAX];
    bool known;                 /* asked and answered */
    uint64_t free_mib;
    bool maintenance;
    char error[160];            /* why it is not known */
} xlmig_inv_host;

typedef struct {
    char self[XLMIG_INV_NAME_MAX];
    unsigned nguests, nhosts;
    xlmig_inv_guest *guests;
    xlmig_inv_host *hosts;
} xlmig_inventory;

void xlmig_inventory_init(xlmig_inventory *inv);
void xlmig_inventory_dispose(xlmig_inventory *inv);

/*
 * Append a zeroed entry; NULL (error recorded) on a bad or duplicate
 * name, when full or out of memory. Pointers stay valid until the
 * next add.
 */
xlmig_inv_guest *xlmig_inventory_add_guest(xlmig_inventory *inv,
                                           const char *name);
xlmig_inv_host *xlmig_inventory_add_host(xlmig_inventory *inv,
                                         const char *name);
xlmig_inv_host *xlmig_inventory_host(const xlmig_inventory *inv,
                                     const char *name);
const xlmig_inv_guest *xlmig_inventory_guest(const xlmig_inventory *inv,
                                             const char *name);
/* Add a resource and one of its peers (repeat for more peers). */
int xlmig_inv_guest_add_peer(xlmig_inv_guest *g, const char *res,
                             const char *peer);
/* Every peer named by any guest, added as an unknown host if absent. */
int xlmig_inventory_add_peer_hosts(xlmig_inventory *inv);

/* A host or guest name we accept: [A-Za-z0-9._-], 1..63, no leading -. */
bool xlmig_inv_name_ok(const char *s);

#endif
