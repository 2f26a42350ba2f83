/*
 * Locks that keep two operations from moving one guest (or emptying
 * one host) at once: a file per lock under the host's lock directory
 * (<run dir>/lock, created 0700), held with an open-file-description
 * lock (fcntl F_OFD_SETLK). The kernel drops it when its holder dies,
 * so a crash never leaves a lock behind; the file's record (pid,
 * operation, start time) only names the holder to whoever is refused.
 *
 * Nothing waits: a lock is taken at once or refused, so no two of them
 * can deadlock. The descriptor is close-on-exec: children (ssh,
 * drbdadm, evacuate's migrations) do not hold their parent's lock.
 */
#ifndef XLMIG_LOCK_H
#define XLMIG_LOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XLMIG_LOCK_OP_LEN 24
#define XLMIG_LOCK_RECORD_MAX 512
/* "guest-" + 36-character uuid */
#define XLMIG_LOCK_NAME_LEN 48
#define XLMIG_LOCK_HOST "host"

typedef struct {
    long pid;
    char op[XLMIG_LOCK_OP_LEN];    /* "migrate", "receive", ... */
    int64_t since;                  /* time(2) when it was taken */
} xlmig_lock_holder;

typedef struct {
    int fd;                         /* -1: not held */
    char path[4200];
} xlmig_lock;

void xlmig_lock_init(xlmig_lock *l);
/* Release: the file goes first, then the lock. Idempotent. */
void xlmig_lock_dispose(xlmig_lock *l);
static inline bool xlmig_lock_held(const xlmig_lock *l) { return l->fd >= 0; }

/* <run_dir>/lock into buf. */
int xlmig_lock_dir(const char *run_dir, char *buf, size_t len);
/*
 * This process's lock directory, *dir = buf: <run dir>/lock. A
 * simulated guest belongs to no host's run directory: the simulator
 * locks only where $XLMIG_RUN_DIR points, else *dir = NULL (no locks).
 */
int xlmig_lock_dir_default(bool sim, char *buf, size_t len,
                           const char **dir);
/* "guest-<uuid>"; the uuid must be 8-4-4-4-12 hex digits. */
int xlmig_lock_guest_name(const char *uuid, char *buf, size_t len);

/*
 * Take dir/name now, for op ([a-z ], e.g. "migrate"). what names the
 * subject in messages ("guest g1 (uuid ...)"). Returns 0 when taken;
 * XLMIG_E_CHECK when a live process holds it, with the one-line
 * refusal "<what> is locked by pid N (op, since ...); try again when
 * it ends" as the error and *holder filled (when not NULL); another
 * error when the directory or file cannot be used. A record left by a
 * process that died is taken over, with a warning naming it.
 */
int xlmig_lock_take(xlmig_lock *l, const char *dir, const char *name,
                    const char *op, const char *what,
                    xlmig_lock_holder *holder);
/*
 * Who holds dir/name, without taking it: 0 free, 1 held (*holder
 * filled; pid 0 when its record cannot be read), or an error.
 */
int xlmig_lock_probe(const char *dir, const char *name,
                     xlmig_lock_holder *holder);
/* "pid 1234 (migrate, since 2026-12-01 09:30:12)" */
void xlmig_lock_holder_str(const xlmig_lock_holder *h, char *buf,
                           size_t len);

/* A lock file's record: "pid = N", "op = ...", "since = T", nothing
 * else, each once. Another process wrote it: strict. */
int xlmig_lock_record_parse(const char *buf, size_t len,
                            xlmig_lock_holder *h);

#endif
