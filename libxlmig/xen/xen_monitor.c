/*
 * The domain monitor's libxl side: a death watch on the guest, and on
 * each shutdown what its configuration asks for (monitor_action.c).
 * Restarts re-create the guest with libxl_domain_create_new from the
 * configuration it runs with, which attaches its disks through their
 * hotplug scripts like any start (block-drbd promotes); a destroy
 * detaches them the same way (block-drbd demotes).
 */
#include "xen_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>

#include "error.h"
#include "monitor.h"
#include "monitor_action.h"

/* Where xl dumps cores (Debian's XEN_DUMP_DIR). */
#define DUMP_DIR "/var/lib/xen/dump"
/*
 * xl pauses between destroying a guest and creating it again because
 * re-creation right away sometimes fails; we keep its measure.
 */
#define RESTART_PAUSE_NS XLMIG_S(2)
/* While suspended: how often we look whether it resumed or went. */
#define SUSPEND_POLL_NS XLMIG_MS(250)

struct xlmig_xen_monitor {
    xlmig_xen_host h;
    uint32_t domid;
    char *name;
    char uuid[LIBXL_UUID_FMTLEN + 1];
    libxl_uuid luuid;
    libxl_domain_config cfg;     /* what a restart builds */
    libxl_evgen_domain_death *deathw;
};

/* Each step is logged; failures go to syslog as well. */
static void say(xlmig_xen_monitor *m, bool failure, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say(xlmig_xen_monitor *m, bool failure, const char *fmt, ...)
{
    char msg[512], when[32];
    time_t now = time(NULL);
    struct tm tm;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (!localtime_r(&now, &tm) ||
        !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm))
        when[0] = 0;
    fprintf(stderr, "%s xl-migrate-drbd monitor: %s (id %u): %s\n", when,
            m->name ? m->name : "?", m->domid, msg);
    fflush(stderr);
    if (failure)
        syslog(LOG_ERR, "monitor of %s: %s", m->name ? m->name : "?", msg);
}

int xlmig_xen_monitor_open(xlmig_xen_monitor **out, const char *domain,
                           bool debug)
{
    xlmig_xen_monitor *m;
    libxl_dominfo info;
    int rc, r;

    *out = NULL;
    m = calloc(1, sizeof(*m));
    if (!m) {
        xlmig_err(XLMIG_E_NOMEM, "no memory for the monitor");
        return XLMIG_E_NOMEM;
    }
    libxl_dominfo_init(&info);
    libxl_domain_config_init(&m->cfg);
    m->domid = XLMIG_NO_DOMID;
    rc = xlmig_xen_host_open(&m->h, debug);
    if (rc)
        goto out;
    rc = XLMIG_E_BACKEND;
    if (libxl_domain_qualifier_to_domid(m->h.ctx, domain, &m->domid) ||
        libxl_domain_info(m->h.ctx, &info, m->domid)) {
        xlmig_err(rc, "no domain %s here", domain);
        goto out;
    }
    m->name = libxl_domid_to_name(m->h.ctx, m->domid);
    if (!m->name || xlmig_xen_is_transient_name(m->name) || !m->domid) {
        xlmig_err(rc, "domain %s (%s) is not a guest to monitor%s", domain,
                  m->name ? m->name : "no name", m->name && m->domid
                  ? ": it is mid-migration" : "");
        goto out;
    }
    libxl_uuid_copy(m->h.ctx, &m->luuid, &info.uuid);
    snprintf(m->uuid, sizeof(m->uuid), LIBXL_UUID_FMT,
             LIBXL_UUID_BYTES(info.uuid));
    r = libxl_retrieve_domain_configuration(m->h.ctx, m->domid, &m->cfg,
                                            NULL);
    if (r) {
        xlmig_err(rc, "cannot read the configuration of %s (libxl error"
                  " %d): nothing to restart it from", m->name, r);
        goto out;
    }
    rc = 0;
out:
    libxl_dominfo_dispose(&info);
    if (rc)
        xlmig_xen_monitor_close(m);
    else
        *out = m;
    return rc;
}

void xlmig_xen_monitor_close(xlmig_xen_monitor *m)
{
    if (!m)
        return;
    if (m->deathw)
        libxl_evdisable_domain_death(m->h.ctx, m->deathw);
    libxl_domain_config_dispose(&m->cfg);
    xlmig_xen_host_dispose(&m->h);
    free(m->name);
    free(m);
}

const char *xlmig_xen_monitor_name(const xlmig_xen_monitor *m)
{
    return m->name;
}

const char *xlmig_xen_monitor_uuid(const xlmig_xen_monitor *m)
{
    return m->uuid;
}

uint32_t xlmig_xen_monitor_domid(const xlmig_xen_monitor *m)
{
    return m->domid;
}

int xlmig_xen_monitor_logfile(xlmig_xen_monitor *m, int *fd, char **path)
{
    char *base = NULL;
    int r;

    *fd = -1;
    *path = NULL;
    if (asprintf(&base, "xl-%s", m->name) < 0) {
        xlmig_err(XLMIG_E_NOMEM, "no memory for the log name");
        return XLMIG_E_NOMEM;
    }
    r = libxl_create_logfile(m->h.ctx, base, path);
    free(base);
    if (!r)
        *fd = open(*path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (r || *fd < 0) {
        xlmig_err(XLMIG_E_IO, "cannot open the monitor log %s: %s",
                  *path ? *path : "xl-<name>.log", strerror(errno));
        free(*path);
        *path = NULL;
        return XLMIG_E_IO;
    }
    return 0;
}

static void disarm(xlmig_xen_monitor *m)
{
    libxl_event *ev;

    if (m->deathw)
        libxl_evdisable_domain_death(m->h.ctx, m->deathw);
    m->deathw = NULL;
    /* What the old watch queued is about a domain we no longer watch. */
    while (!libxl_event_check(m->h.ctx, &ev, LIBXL_EVENTMASK_ALL, NULL,
                              NULL))
        libxl_event_free(m->h.ctx, ev);
}

int xlmig_xen_monitor_arm(xlmig_xen_monitor *m)
{
    int r;

    disarm(m);
    r = libxl_evenable_domain_death(m->h.ctx, m->domid, 0, &m->deathw);
    if (r) {
        m->deathw = NULL;
        xlmig_err(XLMIG_E_BACKEND, "cannot watch %s (id %u) for shutdowns"
                  " (libxl error %d)", m->name, m->domid, r);
        return XLMIG_E_BACKEND;
    }
    return 0;
}

typedef enum { DOM_GONE, DOM_SUSPENDED, DOM_BACK, DOM_UNKNOWN } dom_state;

/* Our guest (this id, this UUID) now; a failed query is no answer. */
static dom_state look(xlmig_xen_monitor *m)
{
    libxl_dominfo info;
    dom_state st;
    int r;

    libxl_dominfo_init(&info);
    r = libxl_domain_info(m->h.ctx, &info, m->domid);
    if (r == ERROR_DOMAIN_NOTFOUND)
        st = DOM_GONE;
    else if (r)
        st = DOM_UNKNOWN;
    else if (libxl_uuid_compare(&info.uuid, &m->luuid) || info.dying)
        st = DOM_GONE;
    else if (info.shutdown &&
             info.shutdown_reason == LIBXL_SHUTDOWN_REASON_SUSPEND)
        st = DOM_SUSPENDED;
    else
        st = DOM_BACK;
    libxl_dominfo_dispose(&info);
    return st;
}

/*
 * Suspended: a migration (ours or xl's) or a save. A commit destroys
 * it, a rollback resumes it. Returns true if it is running again.
 */
static bool wait_suspended(xlmig_xen_monitor *m)
{
    dom_state st;

    say(m, false, "suspended; waiting to see whether it resumes or goes");
    while ((st = look(m)) == DOM_SUSPENDED || st == DOM_UNKNOWN)
        xlmig_sleep_ns(SUSPEND_POLL_NS);
    if (st == DOM_GONE) {
        say(m, false, "gone while suspended (migrated away or saved)");
        return false;
    }
    /* Running again, or shut down for another reason: the new watch
     * reports that at once. */
    say(m, false, "resumed");
    return true;
}

/* The configuration it runs with now, as xl rereads it; else ours. */
static void reload_config(xlmig_xen_monitor *m)
{
    libxl_domain_config fresh;
    uint8_t *data = NULL;
    int len = 0, r;

    if (!libxl_userdata_retrieve(m->h.ctx, m->domid, "xl", &data, &len) &&
        len > 0)
        say(m, true, "an \"xl config-update\" configuration is stored but"
            " not applied: restarting with the running configuration");
    free(data);
    libxl_domain_config_init(&fresh);
    r = libxl_retrieve_domain_configuration(m->h.ctx, m->domid, &fresh,
                                            NULL);
    if (r) {
        say(m, true, "cannot reread the configuration (libxl error %d);"
            " using the one it started with", r);
        libxl_domain_config_dispose(&fresh);
        return;
    }
    libxl_domain_config_dispose(&m->cfg);
    m->cfg = fresh;
}

/* The name it had when we started; restarts keep it. */
static int keep_name(xlmig_xen_monitor *m)
{
    char *n = strdup(m->name);

    if (!n)
        return XLMIG_E_NOMEM;
    free(m->cfg.c_info.name);
    m->cfg.c_info.name = n;
    return 0;
}

static void coredump(xlmig_xen_monitor *m)
{
    char path[512];
    int r;

    (void)mkdir(DUMP_DIR, 0700);
    snprintf(path, sizeof(path), DUMP_DIR "/%s", m->name);
    say(m, false, "dumping its core to %s", path);
    r = libxl_domain_core_dump(m->h.ctx, m->domid, path, NULL);
    /* As xl: a failed dump does not stop the action after it. */
    if (r)
        say(m, true, "core dump to %s failed (libxl error %d)", path, r);
}

static int destroy(xlmig_xen_monitor *m)
{
    int r = libxl_domain_destroy(m->h.ctx, m->domid, NULL);

    if (r) {
        say(m, true, "destroying it failed (libxl error %d)", r);
        xlmig_err(XLMIG_E_BACKEND, "destroying %s failed (libxl error %d)",
                  m->name, r);
        return XLMIG_E_BACKEND;
    }
    return 0;
}

/* Keep the shut-down domain under "<name>-<UTC time>", a new UUID. */
static int preserve(xlmig_xen_monitor *m)
{
    char suffix[32];
    time_t now = time(NULL);
    libxl_uuid fresh;
    struct tm tm;
    int r;

    if (!gmtime_r(&now, &tm) ||
        !strftime(suffix, sizeof(suffix), "-%Y%m%dT%H%MZ", &tm)) {
        say(m, true, "cannot name the preserved copy");
        xlmig_err(XLMIG_E_BACKEND, "cannot name the preserved copy");
        return XLMIG_E_BACKEND;
    }
    libxl_uuid_generate(&fresh);
    r = libxl_domain_preserve(m->h.ctx, m->domid, &m->cfg.c_info, suffix,
                              fresh);
    if (r) {
        say(m, true, "preserving it as %s%s failed (libxl error %d); left"
            " as it is", m->name, suffix, r);
        xlmig_err(XLMIG_E_BACKEND, "preserving %s failed", m->name);
        return XLMIG_E_BACKEND;
    }
    say(m, false, "kept as %s%s", m->name, suffix);
    return 0;
}

/* Create it anew (or soft-reset it in place), running, watched. */
static int start(xlmig_xen_monitor *m, bool soft_reset)
{
    uint32_t domid = soft_reset ? m->domid : XLMIG_NO_DOMID;
    int r, rc;

    rc = keep_name(m);
    if (rc)
        return rc;
    if (soft_reset)
        r = libxl_domain_soft_reset(m->h.ctx, &m->cfg, domid, NULL, NULL);
    else
        r = libxl_domain_create_new(m->h.ctx, &m->cfg, &domid, NULL, NULL);
    if (!r)
        r = libxl_domain_unpause(m->h.ctx, domid, NULL);
    if (r) {
        say(m, true, "%s failed (libxl error %d): the guest is not"
            " running", soft_reset ? "soft reset" : "re-creating it", r);
        if (!soft_reset && domid != XLMIG_NO_DOMID)
            libxl_domain_destroy(m->h.ctx, domid, NULL);
        xlmig_err(XLMIG_E_BACKEND, "restarting %s failed (libxl error %d)",
                  m->name, r);
        return XLMIG_E_BACKEND;
    }
    m->domid = domid;
    say(m, false, "running again");
    return xlmig_xen_monitor_arm(m);
}

/* One shutdown. *done is set once nothing is left to watch. */
static int on_shutdown(xlmig_xen_monitor *m, int reason, bool *done)
{
    xlmig_mon_action a = xlmig_mon_decide(
        reason, xlmig_mon_configured(&m->cfg, reason));
    int rc = 0;

    *done = false;
    say(m, false, "shut down (%s): %s%s", xlmig_mon_reason_str(reason),
        a.coredump ? "coredump-" : "", xlmig_mon_what_str(a.what));
    if (a.what == XLMIG_MON_WAIT) {
        *done = !wait_suspended(m);
        return *done ? 0 : xlmig_xen_monitor_arm(m);
    }
    if (a.coredump)
        coredump(m);
    switch (a.what) {
    case XLMIG_MON_PRESERVE:
        *done = true;
        return 0;
    case XLMIG_MON_DESTROY:
        *done = true;
        return destroy(m);
    case XLMIG_MON_SOFT_RESET:
        reload_config(m);
        disarm(m);
        return start(m, true);
    case XLMIG_MON_RENAME_RESTART:
        reload_config(m);
        disarm(m);
        rc = preserve(m);
        break;
    case XLMIG_MON_RESTART:
        reload_config(m);
        disarm(m);
        rc = destroy(m);
        break;
    default:
        break;
    }
    if (rc) {
        *done = true;
        return rc;
    }
    xlmig_sleep_ns(RESTART_PAUSE_NS);
    rc = start(m, false);
    *done = rc != 0;
    return rc;
}

int xlmig_xen_monitor_run(xlmig_xen_monitor *m)
{
    libxl_event *ev;
    bool done = false;
    int rc = 0, r;

    say(m, false, "watching it (uuid %s)", m->uuid);
    while (!done) {
        r = libxl_event_wait(m->h.ctx, &ev, LIBXL_EVENTMASK_ALL, NULL, NULL);
        if (r) {
            say(m, true, "libxl event wait failed (libxl error %d)", r);
            xlmig_err(XLMIG_E_BACKEND, "libxl event wait failed");
            return XLMIG_E_BACKEND;
        }
        if (ev->domid != m->domid) {
            libxl_event_free(m->h.ctx, ev);
            continue;
        }
        switch (ev->type) {
        case LIBXL_EVENT_TYPE_DOMAIN_DEATH:
            say(m, false, "destroyed; nothing left to watch");
            done = true;
            break;
        case LIBXL_EVENT_TYPE_DOMAIN_SHUTDOWN:
            rc = on_shutdown(m, ev->u.domain_shutdown.shutdown_reason,
                             &done);
            break;
        default:
            break;
        }
        libxl_event_free(m->h.ctx, ev);
        if (rc)
            return rc;
    }
    say(m, false, "monitor exits");
    return 0;
}
