/*
 * A simulated host's domain list, kept in a directory: DIR/<name> holds
 * one word, the domain's state (running, paused, suspended). Like a Xen
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
/* Fine if there is no such domain. */
int xlmig_sim_host_remove(const char *dir, const char *name);

#endif
