/*
 * The domain monitor: a daemon per guest that does what the guest's
 * on_poweroff/on_reboot/on_crash/... ask (monitor_action.h), as xl's
 * own does for guests xl started. Left behind by the receiver after a
 * commit and by the source after a rollback resumed the guest.
 */
#ifndef XLMIG_MONITOR_H
#define XLMIG_MONITOR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* One monitor per guest: a lock file per UUID in this directory. */
#define XLMIG_MONITOR_DIR "/run/xlmig/monitor"

/*
 * Take <dir>/<uuid>.lock (flock, held until the process ends) and
 * write our pid and the domid we watch into it. Returns 0 with *fd
 * set; XLMIG_E_CHECK if another live process holds it (its pid and
 * domid in *holder and *holder_domid, 0 if unknown).
 */
int xlmig_monitor_lock(const char *dir, const char *uuid, uint32_t domid,
                       int *fd, pid_t *holder, uint32_t *holder_domid);
/* The same, waiting until the holder lets go. */
int xlmig_monitor_lock_wait(const char *dir, const char *uuid,
                            uint32_t domid, int *fd);

/*
 * Is path the log xl's monitor of guest name writes to (its stdout and
 * stderr): <dir>/xl-<name>.log, xl-<name>--incoming.log (a migrate-
 * receive), or one of their rotated copies (.1, .2, ...)?
 */
bool xlmig_monitor_is_xl_log(const char *path, const char *name);

/*
 * A live xl process (its executable named xl) whose stdout or stderr
 * is such a log: xl's monitor of that guest. Returns its pid, or 0.
 * proc is "/proc" but for tests.
 */
pid_t xlmig_monitor_find_xl(const char *proc, const char *name);

typedef struct {
    const char *domain;          /* name or domid */
    bool if_unmonitored;         /* leave it to a live xl monitor */
    bool debug;
    uint64_t wait_ns;            /* for the monitor to report ready */
} xlmig_monitor_spawn_opts;

/*
 * Run "<this program> monitor ..." detached from our stdin and stdout
 * (the migration stream), and wait for it to say it watches the guest
 * (it daemonizes itself). Returns 0, or an error naming why not.
 */
int xlmig_monitor_spawn(const xlmig_monitor_spawn_opts *o);

/* The libxl side (xen_monitor.c). */
typedef struct xlmig_xen_monitor xlmig_xen_monitor;

/* Find the guest and read the configuration it runs with. */
int xlmig_xen_monitor_open(xlmig_xen_monitor **out, const char *domain,
                           bool debug);
void xlmig_xen_monitor_close(xlmig_xen_monitor *m);
const char *xlmig_xen_monitor_name(const xlmig_xen_monitor *m);
const char *xlmig_xen_monitor_uuid(const xlmig_xen_monitor *m);
uint32_t xlmig_xen_monitor_domid(const xlmig_xen_monitor *m);
/* Open (rotating, as xl does) /var/log/xen/xl-<name>.log; fd out. */
int xlmig_xen_monitor_logfile(xlmig_xen_monitor *m, int *fd, char **path);
/* Turn the death watch on: from here no shutdown is missed. */
int xlmig_xen_monitor_arm(xlmig_xen_monitor *m);
/*
 * Act on the guest's shutdowns until it is gone (destroyed, migrated
 * away, preserved): returns 0 then, or an error that made us give up.
 */
int xlmig_xen_monitor_run(xlmig_xen_monitor *m);

#endif
