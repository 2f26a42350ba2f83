/*
 * Evacuation planning, pure: an inventory in, a plan out. For each
 * guest, a destination (the one host every one of its DRBD resources
 * replicates to) or the reason it stays; capacity is counted against
 * each destination's free memory with the guests already planned onto
 * it; hosts in maintenance take nothing.
 *
 * A guest left out by --only/--exclude stays and takes no room; one
 * with a DRBD resource whose state is known and not Connected and
 * UpToDate on both sides stays, the reason naming the resource.
 *
 * Order: smallest guest first, both for admission and for running.
 * When a destination cannot take everything, admitting the small ones
 * first leaves the fewest guests behind for the operator; on a shared
 * link, shortest first also gives the lowest mean time a guest spends
 * waiting or in flight, and a broken setup (ssh, DRBD, peer) shows up
 * on the cheapest move. The price is a slightly longer total with
 * --parallel > 1 than largest first would give.
 */
#ifndef XLMIG_EVAC_PLAN_H
#define XLMIG_EVAC_PLAN_H

#include <stdbool.h>

#include "inventory.h"

typedef struct {
    const char *to;             /* only this destination, or NULL */
    uint64_t overhead_mib;      /* per guest, beyond its memory */
    uint64_t reserve_mib;       /* keep this much free on a destination */
    unsigned npeers;            /* allowed destinations (config), 0 = any */
    const char *const *peers;
    /* --only / --exclude: guests by name; nonly 0 = every guest */
    unsigned nonly, nexclude;
    const char *const *only;
    const char *const *exclude;
} xlmig_evac_opts;

void xlmig_evac_opts_init(xlmig_evac_opts *o);

typedef struct {
    unsigned guest;             /* index into the inventory's guests */
    bool move;
    char dest[XLMIG_INV_NAME_MAX];
    char reason[256];           /* why it stays ("" when it moves) */
} xlmig_evac_item;

typedef struct {
    unsigned n, nmove;
    xlmig_evac_item *items;     /* in the order to run them */
} xlmig_evac_plan;

void xlmig_evac_plan_init(xlmig_evac_plan *p);
void xlmig_evac_plan_dispose(xlmig_evac_plan *p);
int xlmig_evac_plan_make(const xlmig_inventory *inv,
                         const xlmig_evac_opts *o, xlmig_evac_plan *p);

/*
 * Scheduling: which planned move to start next. state[i] is the
 * state of items[i]. Returns the index to start, or -1 when nothing
 * should start now (limit reached or nothing left). Moves to one
 * destination never exceed the overall limit either; it is the link
 * that is shared.
 */
typedef enum {
    XLMIG_EVAC_PENDING = 0,
    XLMIG_EVAC_RUNNING,
    XLMIG_EVAC_FINISHED,
} xlmig_evac_state;

int xlmig_evac_next(const xlmig_evac_plan *p,
                    const xlmig_evac_state *state, unsigned parallel);

#endif
