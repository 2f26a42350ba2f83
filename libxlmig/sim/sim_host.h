/*
 * A simulated host's domain list, kept in a directory: DIR/<name> holds
 * one word, the domain's state (running, paused, suspended), and, on a
 * second line, its CPU cap when it has one. Like a Xen
 * domain, a record outlives the process that made it, so a crashed
 * migration leaves exactly what it would leave on Xen, and recover has
 * something to inspect and repair.
 */
#ifndef XLMIG_SIM_HOST_H
#define XLMIG_SIM_HOST_H

#include <stddef.h>

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

#endif
