/*
 * monitor: watch one guest and do what its on_poweroff/on_reboot/
 * on_crash/... ask, as xl's own monitor does for guests xl started.
 * Daemonizes (unless -F) once the guest is found, the per-guest lock
 * taken and the death watch on: the caller's exit status says whether
 * a monitor now watches the guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "cli.h"
#include "error.h"
#include "monitor.h"
#include "report.h"

/* How long xl's monitor gets to notice the suspend and exit. */
#define XL_GRACE_NS XLMIG_S(5)
#define XL_POLL_NS XLMIG_MS(100)

typedef struct {
    const char *domain;
    bool foreground;
    bool if_unmonitored;
    bool debug;
    bool quiet;
    int status_fd;              /* to the waiting caller; -1 if none */
} mon_opts;

static void usage(FILE *f)
{
    fprintf(f,
"Usage: " PROG " monitor [options] <domain>\n"
"\n"
"Watch <domain> and act on its shutdowns as its configuration says\n"
"(on_poweroff, on_reboot, on_crash, on_watchdog, on_soft_reset), as\n"
"xl's own monitor does. Runs in the background, logging to\n"
"/var/log/xen/xl-<name>.log; exits when the domain is gone. One\n"
"monitor per guest: a second one finds the first and exits.\n"
"\n"
"Options:\n"
"  -F, --foreground        stay in the foreground, log to stderr\n"
"  --if-unmonitored        leave the guest to xl's monitor if one\n"
"                          still watches it\n"
"  --debug                 verbose libxl logging\n"
"  -q                      print nothing on success\n"
"  -h, --help              this text\n"
"\n"
"Exit status: 0 a monitor watches <domain> (this one, or one already\n"
"running), 1 none can, 2 usage error.\n");
}

/* One line to the waiting caller: "ok|already|skip|error <text>". */
static void report_status(mon_opts *o, const char *what, const char *fmt,
                          ...) __attribute__((format(printf, 3, 4)));
static void report_status(mon_opts *o, const char *what, const char *fmt,
                          ...)
{
    char line[600];
    va_list ap;
    int n;

    n = snprintf(line, sizeof(line), "%s ", what);
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    if (o->status_fd < 0) {
        if (!strcmp(what, "error"))
            cli_error("monitor: %s", line + n);
        else if (!o->quiet)
            fprintf(stderr, PROG " monitor: %s\n", line + n);
        return;
    }
    if (write(o->status_fd, line, strlen(line)) < 0)
        syslog(LOG_ERR, "monitor: cannot report to its caller: %s",
               strerror(errno));
    close(o->status_fd);
    o->status_fd = -1;
}

/* Only a live xl monitor that outlasts a grace period keeps the guest. */
static pid_t xl_still_watching(const char *name)
{
    uint64_t waited = 0;
    pid_t pid;

    while ((pid = xlmig_monitor_find_xl("/proc", name)) &&
           waited < XL_GRACE_NS) {
        xlmig_sleep_ns(XL_POLL_NS);
        waited += XL_POLL_NS;
    }
    return pid;
}

/* Close what we inherited (the caller's pipes, an ssh channel). */
static void close_inherited(int keep)
{
    long fd, max = sysconf(_SC_OPEN_MAX);

    for (fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
        if (fd != keep)
            close((int)fd);
}

static int redirect_log(xlmig_xen_monitor *m, char **path)
{
    int fd, nul, rc;

    rc = xlmig_xen_monitor_logfile(m, &fd, path);
    if (rc)
        return rc;
    nul = open("/dev/null", O_RDONLY);
    if (nul < 0 || dup2(nul, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0) {
        xlmig_err(XLMIG_E_IO, "redirecting to %s: %s", *path,
                  strerror(errno));
        rc = XLMIG_E_IO;
    }
    if (nul > 2)
        close(nul);
    close(fd);
    return rc;
}

/* The monitor itself, in the daemon (or the foreground). */
static int monitor_main(mon_opts *o)
{
    xlmig_xen_monitor *m = NULL;
    char *log = NULL;
    pid_t holder, xl, wait_for = 0;
    uint32_t domid, held;
    int lock = -1, rc;

    rc = xlmig_xen_monitor_open(&m, o->domain, o->debug);
    if (rc)
        goto fail;
    if (o->if_unmonitored &&
        (xl = xl_still_watching(xlmig_xen_monitor_name(m)))) {
        report_status(o, "skip", "xl's monitor (pid %ld) still watches %s",
                      (long)xl, xlmig_xen_monitor_name(m));
        rc = 0;
        goto out;
    }
    domid = xlmig_xen_monitor_domid(m);
    rc = xlmig_monitor_lock(XLMIG_MONITOR_DIR, xlmig_xen_monitor_uuid(m),
                            domid, &lock, &holder, &held);
    if (rc == XLMIG_E_CHECK) {
        xlmig_err_clear();
        rc = 0;
        /* The holder may watch an old copy (migrated here on the same
         * host): it exits when that copy goes, and we take over. */
        wait_for = held && held != domid ? holder : 0;
        if (!wait_for) {
            report_status(o, "already", "%s is already monitored (pid"
                          " %ld)", xlmig_xen_monitor_name(m), (long)holder);
            goto out;
        }
    }
    if (rc)
        goto fail;
    if (!o->foreground) {
        rc = redirect_log(m, &log);
        if (rc)
            goto fail;
    }
    /* Armed before the wait: a shutdown meanwhile is still seen. */
    rc = xlmig_xen_monitor_arm(m);
    if (rc)
        goto fail;
    report_status(o, "ok", "watching %s (id %u), pid %ld, log %s%s",
                  xlmig_xen_monitor_name(m), domid, (long)getpid(),
                  log ? log : "stderr", wait_for
                  ? " (once the monitor of its old copy has exited)" : "");
    if (wait_for) {
        fprintf(stderr, PROG " monitor: %s: waiting for pid %ld, the"
                " monitor of its old copy (id %u), to exit\n",
                xlmig_xen_monitor_name(m), (long)wait_for, held);
        rc = xlmig_monitor_lock_wait(XLMIG_MONITOR_DIR,
                                     xlmig_xen_monitor_uuid(m), domid,
                                     &lock);
        if (rc) {
            syslog(LOG_ERR, "monitor of %s: %s", xlmig_xen_monitor_name(m),
                   xlmig_errmsg());
            goto out;
        }
    }
    rc = xlmig_xen_monitor_run(m);
    if (rc)
        syslog(LOG_ERR, "monitor of %s gave up: %s",
               xlmig_xen_monitor_name(m), xlmig_errmsg());
    goto out;
fail:
    syslog(LOG_ERR, "monitor of %s: %s", o->domain, xlmig_errmsg());
    report_status(o, "error", "%s", xlmig_errmsg());
out:
    xlmig_xen_monitor_close(m);
    free(log);
    if (lock >= 0)
        close(lock);
    return rc ? XLMIG_EXIT_ERROR : 0;
}

/* What the daemon said, for the one who started it. */
static int wait_daemon(int fd, pid_t first, bool quiet)
{
    char buf[600];
    size_t n = 0;
    ssize_t r;
    int status;

    while (n < sizeof(buf) - 1 &&
           ((r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0 ||
            (r < 0 && errno == EINTR)))
        n += r > 0 ? (size_t)r : 0;
    buf[n] = 0;
    close(fd);
    (void)waitpid(first, &status, 0);
    if (!strncmp(buf, "error ", 6)) {
        cli_error("monitor: %s", buf + 6);
        return XLMIG_EXIT_ERROR;
    }
    if (!n || !strchr(buf, ' ')) {
        cli_error("monitor: the daemon ended before it watched the guest"
                  " (see syslog)");
        return XLMIG_EXIT_ERROR;
    }
    if (!quiet)
        fprintf(stderr, PROG " monitor: %s\n", strchr(buf, ' ') + 1);
    return 0;
}

/* Fork twice, new session, status back through a pipe. */
static int daemonize(mon_opts *o)
{
    int p[2];
    pid_t first, second;

    if (pipe2(p, O_CLOEXEC)) {
        cli_error("monitor: pipe: %s", strerror(errno));
        return XLMIG_EXIT_ERROR;
    }
    first = fork();
    if (first < 0) {
        cli_error("monitor: fork: %s", strerror(errno));
        return XLMIG_EXIT_ERROR;
    }
    if (first) {
        close(p[1]);
        return wait_daemon(p[0], first, o->quiet);
    }
    close(p[0]);
    if (setsid() < 0)
        _exit(1);
    second = fork();
    if (second < 0)
        _exit(1);
    if (second)
        _exit(0);
    /* The daemon: no terminal, no inherited descriptors, cwd "/". */
    if (chdir("/"))
        _exit(1);
    umask(022);
    close_inherited(p[1]);
    o->status_fd = p[1];
    _exit(monitor_main(o));
}

int cmd_monitor(int argc, char **argv)
{
    enum { O_IF_UNMON = 256, O_DEBUG };
    static const struct option lo[] = {
        { "foreground", no_argument, NULL, 'F' },
        { "if-unmonitored", no_argument, NULL, O_IF_UNMON },
        { "debug", no_argument, NULL, O_DEBUG },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    mon_opts o = { .status_fd = -1 };
    int c;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "Fqh", lo, NULL)) != -1) {
        switch (c) {
        case 'F': o.foreground = true; break;
        case 'q': o.quiet = true; break;
        case O_IF_UNMON: o.if_unmonitored = true; break;
        case O_DEBUG: o.debug = true; break;
        case 'h': usage(stdout); return 0;
        default:
            cli_error("monitor: unknown option %s (see monitor --help)",
                      argv[optind - 1]);
            return CLI_EXIT_USAGE;
        }
    }
    if (argc - optind != 1 || !*argv[optind]) {
        cli_error("monitor: expected one <domain>, got %d argument%s",
                  argc - optind, argc - optind == 1 ? " (empty)" : "s");
        return CLI_EXIT_USAGE;
    }
    o.domain = argv[optind];
    xlmig_log_set_level(o.debug ? XLMIG_LOG_DEBUG : XLMIG_LOG_WARN);
    openlog(PROG " monitor", LOG_PID, LOG_DAEMON);
    /* Ended by SIGTERM like any daemon; the session's end is no cue. */
    signal(SIGHUP, SIG_IGN);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    return o.foreground ? monitor_main(&o) : daemonize(&o);
}
