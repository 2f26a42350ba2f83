/*
 * Leave a monitor behind. The child gets /dev/null for stdin and stdout:
 * on a receiver those are the migration stream, and a monitor holding
 * them would keep the ssh session (and the source) waiting. It keeps
 * our stderr until it is ready, so its refusal reaches the operator.
 */
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"

#define POLL_NS XLMIG_MS(20)

static void child(const char *self, const xlmig_monitor_spawn_opts *o)
{
    char *argv[8];
    int n = 0, nul = open("/dev/null", O_RDWR);

    if (nul < 0 || dup2(nul, 0) < 0 || dup2(nul, 1) < 0)
        _exit(126);
    if (nul > 2)
        close(nul);
    argv[n++] = (char *)self;
    argv[n++] = (char *)"monitor";
    if (o->if_unmonitored)
        argv[n++] = (char *)"--if-unmonitored";
    if (o->debug)
        argv[n++] = (char *)"--debug";
    argv[n++] = (char *)"--";
    argv[n++] = (char *)o->domain;
    argv[n] = NULL;
    execv(self, argv);
    fprintf(stderr, "xl-migrate-drbd: cannot run %s monitor: %s\n", self,
            strerror(errno));
    _exit(127);
}

int xlmig_monitor_spawn(const xlmig_monitor_spawn_opts *o)
{
    uint64_t waited = 0, limit = o->wait_ns ? o->wait_ns : XLMIG_S(10);
    char self[PATH_MAX];
    ssize_t len;
    pid_t pid, w;
    int status = 0;

    len = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (len <= 0) {
        xlmig_err(XLMIG_E_IO, "cannot find our own program to start the"
                  " monitor: %s", strerror(errno));
        return XLMIG_E_IO;
    }
    self[len] = 0;
    pid = fork();
    if (pid < 0) {
        xlmig_err(XLMIG_E_IO, "fork for the monitor: %s", strerror(errno));
        return XLMIG_E_IO;
    }
    if (!pid)
        child(self, o);
    /* It exits once its daemon watches the guest (or refuses). */
    while ((w = waitpid(pid, &status, WNOHANG)) == 0 && waited < limit) {
        xlmig_sleep_ns(POLL_NS);
        waited += POLL_NS;
    }
    if (w == 0) {
        xlmig_err(XLMIG_E_TIMEOUT, "the monitor of %s did not report ready"
                  " within %.0f s (pid %ld, left running)", o->domain,
                  (double)limit / 1e9, (long)pid);
        return XLMIG_E_TIMEOUT;
    }
    if (w < 0) {
        xlmig_err(XLMIG_E_IO, "waiting for the monitor: %s",
                  strerror(errno));
        return XLMIG_E_IO;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status)) {
        xlmig_err(XLMIG_E_EXTERNAL, "the monitor of %s did not start (%s"
                  " %d)", o->domain, WIFEXITED(status) ? "exit status"
                  : "signal", WIFEXITED(status) ? WEXITSTATUS(status)
                  : WTERMSIG(status));
        return XLMIG_E_EXTERNAL;
    }
    return 0;
}
