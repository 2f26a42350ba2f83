/*
 * A simulated host: one directory, DIR, standing for one Xen host.
 *
 *   DIR/<name>              the domain list: one word, the domain's
 *                           state (running, paused, suspended), and,
 *                           on a second line, its CPU cap, "cap=N"
 *   DIR/host.conf           mem_mib = 1024 (a host of a --sim-state
 *                           root, one directory per host)
 *   DIR/guests/<name>.conf  the guest's definition (inventory_sim.h)
 *   DIR/.run, journal, ...  the host's own state (hoststate.h)
 *
 * Like a Xen domain, a record outlives the process that made it, so a
 * crashed migration leaves exactly what it would leave on Xen, and
 * recover has something to inspect and repair. The simulator's
 * migrations keep both lists themselves: the source removes the record
 * and the definition when it destroys the guest, the destination adds
 * them when the guest runs there.
 */
#ifndef XLMIG_SIM_HOST_H
#define XLMIG_SIM_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "inventory.h"
#include "recover.h"

#define XLMIG_SIM_STATE_LEN 16

/* Create or overwrite the record. */
int xlmig_sim_host_put(const char *dir, const char *name, const char *state);
/* 1 with state filled, 0 if there is no such domain, or an error. */
int xlmig_sim_host_get(const char *dir, const char *name, char *state,
                       size_t len);
/* Create a record that must not exist yet, as domain creation would. */
int xlmig_sim_host_create(const char *dir, const char *name,
                          const char *state);
/* Fails, touching nothing, if a domain named `to` exists. */
int xlmig_sim_host_rename(const char *dir, const char *from, const char *to);
/*
 * The domain's scheduler cap, % of a CPU, 0 = none: kept with the
 * record (its second line, "cap=N") and through its state changes,
 * as Xen keeps a domain's cap.
 */
int xlmig_sim_host_set_cap(const char *dir, const char *name, int cap);
/* 1 with *cap (0 if uncapped), 0 if there is no such domain. */
int xlmig_sim_host_get_cap(const char *dir, const char *name, int *cap);
/* Fine if there is no such domain. */
int xlmig_sim_host_remove(const char *dir, const char *name);

/*
 * The guest's definition, DIR/guests/<name>.conf: written only on a
 * host of a --sim-state root (DIR/host.conf exists), so a bare
 * --sim-host-dir keeps only domain records; removing a missing one is
 * fine.
 */
int xlmig_sim_host_guest_put(const char *dir, const xlmig_inv_guest *g);
int xlmig_sim_host_guest_remove(const char *dir, const char *name);

/* ROOT/<host> of a --sim-state root; fails if it is not a directory. */
int xlmig_sim_host_dir(const char *root, const char *host, char *buf,
                       size_t len);

/* recover and inspect on a simulated host (no DRBD, no tokens). */
int xlmig_sim_host_inspect(const char *dir, const char *domain,
                           xlmig_host_view *v);
int xlmig_sim_host_act(const char *dir, const char *domain,
                       const xlmig_action *a);

/* MemAvailable of the machine the simulated hosts share, bytes (0 if
 * unknown). */
uint64_t xlmig_sim_host_free(void);

#endif
