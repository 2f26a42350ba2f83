/*
 * The host lock: one evacuate, cron run or return at a time on a host
 * (lock.h). Each guest move they run takes that guest's own lock in
 * the child; the parent never takes a guest lock and nothing waits, so
 * the two never deadlock.
 */
#ifndef XLMIG_HOSTLOCK_H
#define XLMIG_HOSTLOCK_H

#include <stdbool.h>
#include <stddef.h>

#include "hostctx.h"
#include "lock.h"

/*
 * host's run directory: a simulated host keeps it under its own
 * directory (ROOT/<host>/run), as it keeps its journals; a real host
 * has xlmig_run_dir() (host is then this one).
 */
int hostlock_run_dir(const hostctx *h, const char *host, char *buf,
                     size_t len);
/*
 * Take this host's lock for op. A refusal names the holder in one line
 * (to syslog only when quiet) and returns XLMIG_E_CHECK; any other
 * failure is printed too.
 */
int hostlock_take(const hostctx *h, const char *cmd, const char *op,
                  bool quiet, xlmig_lock *l);

#endif
