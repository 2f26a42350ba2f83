/*
 * The guest's own CPU cap, kept on disk while the throttle has lowered
 * it: RUN_DIR/throttle/<uuid> (RUN_DIR is /run/xlmig; a test build
 * honours $XLMIG_RUN_DIR; a simulated host keeps its own). Written,
 * atomically, before the first change; removed once the cap is back.
 * A migration that dies while throttling leaves it behind, with the
 * guest capped as low as 1 %: `status` reports it and `recover` puts
 * the cap back from it.
 *
 *   # xlmig: CPU cap of a guest under a migration's throttle
 *   backend = xen            xen | sim
 *   domain = web01
 *   uuid = 7f3c...-...       the file's name
 *   cap = 0                  the guest's own cap, % of a CPU, 0 = none
 *   pid = 4242               the migration that lowered it
 *   start = 1234567          its start time (/proc/PID/stat, ticks), so
 *                            a reused pid is not taken for it
 *
 * Strict: every key once, none unknown, values in range; a file that
 * fails is reported by name, never acted on.
 */
#ifndef XLMIG_THROTTLE_CAP_H
#define XLMIG_THROTTLE_CAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XLMIG_CAP_MAX          65535     /* libxl caps are 16 bits */
#define XLMIG_CAP_FILE_MAX     1024
#define XLMIG_CAP_LIST_MAX     64

typedef struct {
    char backend[8];
    char domain[104];
    char uuid[40];
    int cap;
    long pid;
    uint64_t start;
} xlmig_capfile;

/*
 * RUN_DIR/throttle into buf; for a simulated host (sim_dir, its domain
 * records, sim_host.h) SIM_DIR/.run/throttle: each host its own, as
 * each Xen host has its own /run. NULL: this (Xen) host.
 */
int xlmig_capfile_dir(const char *sim_dir, char *buf, size_t len);

/* Pure: the text of a file, and back (errors name `what`). */
int xlmig_capfile_encode(const xlmig_capfile *f, char *buf, size_t len);
int xlmig_capfile_parse(const char *buf, size_t len, const char *what,
                        xlmig_capfile *f);

/* This process as the writer: pid and start time. */
int xlmig_capfile_self(xlmig_capfile *f);
/* Is the migration that wrote it still running? */
bool xlmig_capfile_writer_alive(const xlmig_capfile *f);

/*
 * What a backend does before its first change to a guest's cap: the
 * guest's own cap recorded, as this process's, in the host's directory
 * (sim_dir as for xlmig_capfile_dir). false: it could not be, and a
 * warning says the migration goes on without throttling.
 */
bool xlmig_capfile_save(const char *sim_dir, const char *backend,
                        const char *domain, const char *uuid, int cap);
/* And once the cap is back: false (with a warning) if still there. */
bool xlmig_capfile_drop(const char *sim_dir, const char *uuid);

/* dir/<uuid>: created 0700 if need be; written atomically. */
int xlmig_capfile_write(const char *dir, const xlmig_capfile *f);
/* Fine if there is none. */
int xlmig_capfile_remove(const char *dir, const char *uuid);
/*
 * Every file in dir of this backend into out (at most max); a file
 * that does not parse is an error naming it. A missing dir is none.
 */
int xlmig_capfile_list(const char *dir, const char *backend,
                       xlmig_capfile *out, unsigned max, unsigned *n);
/*
 * The file of a guest -- by uuid when given, else by domain -- left by
 * a migration that is no longer running: 1 with *f, 0 if none.
 */
int xlmig_capfile_stale(const char *dir, const char *backend,
                        const char *domain, const char *uuid,
                        xlmig_capfile *f);

#endif
