/*
 * A 10 GbE link, emulated: a copy run inside a network namespace of its
 * own (unshare), whose loopback is shaped by a token bucket (tc tbf,
 * 10 Gbit/s). Both ends live in that namespace; the host's own lo is
 * never touched, and the namespace goes with the child that made it.
 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dpbench.h"

/* argv run to its end, its output away: 0 if it exited 0. */
static int run(const char *const *argv)
{
    pid_t pid = fork();
    int st;

    if (pid < 0)
        return -1;
    if (!pid) {
        int null = open("/dev/null", O_WRONLY);

        if (null < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
            _exit(127);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    if (waitpid(pid, &st, 0) < 0)
        return -1;
    return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -1;
}

static int shape(void)
{
    static const char *const up[] = { "ip", "link", "set", "lo", "up",
                                      NULL };
    /* A burst of 4 MB and 50 ms of queue: no drops at line rate. */
    static const char *const tbf[] = { "tc", "qdisc", "add", "dev", "lo",
                                       "root", "tbf", "rate", "10gbit",
                                       "burst", "4mb", "latency", "50ms",
                                       NULL };

    return unshare(CLONE_NEWNET) || run(up) || run(tbf) ? -1 : 0;
}

int dp_shaped_copy(double bytes, bool wire, unsigned n, dp_result *r)
{
    dp_result one;
    int fds[2], st, rc;
    ssize_t got;
    pid_t pid;

    if (pipe(fds))
        return -1;
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (!pid) {
        close(fds[0]);
        memset(&one, 0, sizeof(one));
        if (shape())
            _exit(3);
        rc = wire ? dp_wire_copy(bytes, true, n, &one)
                  : dp_tcp_copy(bytes, n, false, &one);
        if (rc || write(fds[1], &one, sizeof(one)) != sizeof(one))
            _exit(1);
        _exit(0);
    }
    close(fds[1]);
    got = read(fds[0], r, sizeof(*r));
    close(fds[0]);
    if (waitpid(pid, &st, 0) < 0)
        return -1;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 3)
        return -2;
    return got == sizeof(*r) && WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -1;
}

bool dp_shaped_available(char *why, size_t len)
{
    pid_t pid = fork();
    int st;

    if (pid < 0) {
        snprintf(why, len, "fork failed");
        return false;
    }
    if (!pid)
        _exit(shape() ? 1 : 0);
    if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
        snprintf(why, len, "no network namespace with tc tbf here (needs"
                 " root, ip and tc)");
        return false;
    }
    return true;
}
