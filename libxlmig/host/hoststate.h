/*
 * What a host keeps between runs, under its state directory
 * (/var/lib/xlmig, or $XLMIG_STATE_DIR; a simulated host uses its own
 * directory): the maintenance flag and the evacuation journals. The
 * flag is a file, so it survives a reboot: a host that was being
 * patched does not silently start taking guests again.
 */
#ifndef XLMIG_HOSTSTATE_H
#define XLMIG_HOSTSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "clock.h"          /* xlmig_utc_stamp */
#include "write_atomic.h"

#define XLMIG_STATE_DIR_DEFAULT "/var/lib/xlmig"
/* What lives only until a reboot: locks (lock.h). */
#define XLMIG_RUN_DIR_DEFAULT "/run/xlmig"

/* $XLMIG_STATE_DIR or the default. */
const char *xlmig_state_dir(void);
/* $XLMIG_RUN_DIR, or NULL when it is not set: the one place it is read. */
const char *xlmig_run_dir_env(void);
/* $XLMIG_RUN_DIR or the default. */
const char *xlmig_run_dir(void);
/* mkdir -p dir (and dir/journal), mode 0755. */
int xlmig_state_dir_make(const char *dir);
/* mkdir -p path, mode 0755. */
int xlmig_mkdir_p(const char *path);

/* Maintenance flag: *since gets "YYYY-mm-ddTHH:MM:SSZ" when on. */
int xlmig_maint_get(const char *dir, bool *on, char *since, size_t len);
int xlmig_maint_set(const char *dir, bool on);

#endif
