/*
 * Run drbdadm/drbdsetup without a shell: argv straight to execvp, stdin
 * from /dev/null, stdout and stderr captured up to a bound, the whole
 * process group killed at the timeout (drbdadm runs drbdsetup and
 * drbdmeta as children).
 */
#include "drbd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "testhooks.h"

#define ERR_MAX (64u * 1024u)

const char *xlmig_drbd_prog_adm(void)
{
    const char *p = xlmig_test_env("XLMIG_DRBDADM");

    return p && *p ? p : "drbdadm";
}

const char *xlmig_drbd_prog_setup(void)
{
    const char *p = xlmig_test_env("XLMIG_DRBDSETUP");

    return p && *p ? p : "drbdsetup";
}

void xlmig_drbd_out_init(xlmig_drbd_out *o)
{
    memset(o, 0, sizeof(*o));
    o->status = -1;
}

void xlmig_drbd_out_dispose(xlmig_drbd_out *o)
{
    free(o->out);
    free(o->err);
    xlmig_drbd_out_init(o);
}

typedef struct {
    int fd;
    char *buf;
    size_t len, cap, max;
    bool over;
} sink;

/* Read what is there; past max, keep draining but drop it. */
static int sink_read(sink *s)
{
    char tmp[4096];
    ssize_t r = read(s->fd, tmp, sizeof(tmp));
    size_t take;

    if (r < 0)
        return errno == EINTR || errno == EAGAIN ? 1 : -1;
    if (r == 0)
        return 0;
    take = (size_t)r;
    if (s->len + take > s->max) {
        s->over = true;
        take = s->max - s->len;
    }
    if (s->len + take + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        char *nb;

        while (cap < s->len + take + 1)
            cap *= 2;
        nb = realloc(s->buf, cap);
        if (!nb)
            return -2;
        s->buf = nb;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, tmp, take);
    s->len += take;
    s->buf[s->len] = 0;
    return 1;
}

static void argv_str(const char *const *argv, char *buf, size_t sz)
{
    size_t o = 0;
    unsigned i;

    buf[0] = 0;
    for (i = 0; argv[i] && o + 1 < sz; i++)
        o += snprintf(buf + o, sz - o, "%s%s", i ? " " : "", argv[i]);
}

/* Fork and exec argv in its own process group (so a timeout kills all
 * of it), stdin from /dev/null, stdout and stderr into the pipes. */
static int spawn(const char *const *argv, const char *cmd, int po[2],
                 int pe[2], pid_t *pid)
{
    if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC)) {
        xlmig_err(XLMIG_E_IO, "%s: pipe: %s", cmd, strerror(errno));
        return XLMIG_E_IO;
    }
    *pid = fork();
    if (*pid < 0) {
        xlmig_err(XLMIG_E_IO, "%s: fork: %s", cmd, strerror(errno));
        return XLMIG_E_IO;
    }
    if (*pid == 0) {
        int null = open("/dev/null", O_RDONLY);

        /* Only async-signal-safe calls from here to exec. */
        setpgid(0, 0);
        if (null < 0 || dup2(null, 0) < 0 || dup2(po[1], 1) < 0 ||
            dup2(pe[1], 2) < 0)
            _exit(126);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(po[1]);
    close(pe[1]);
    po[1] = pe[1] = -1;
    return 0;
}

/* What poll found on one pipe: read it; closed, it is polled no more. */
static int sink_poll(sink *s, short revents)
{
    int r;

    if (!revents)
        return 0;
    r = sink_read(s);
    if (r == -2)
        return XLMIG_E_NOMEM;
    if (r <= 0)
        s->fd = -1;
    return 0;
}

/* Read both outputs until they close or the deadline passes. */
static int drain(sink *so, sink *se, uint64_t deadline, const char *cmd,
                 xlmig_drbd_out *o)
{
    while (so->fd >= 0 || se->fd >= 0) {
        struct pollfd pf[2] = { { so->fd, POLLIN, 0 },
                                { se->fd, POLLIN, 0 } };
        uint64_t now = xlmig_now_ns();
        int ms, r;

        if (now >= deadline) {
            o->timed_out = true;
            break;
        }
        ms = xlmig_ms_until(deadline, now);
        r = poll(pf, 2, ms);
        if (r < 0 && errno != EINTR) {
            xlmig_err(XLMIG_E_IO, "%s: poll: %s", cmd, strerror(errno));
            return XLMIG_E_IO;
        }
        if (r <= 0)
            continue;
        if (sink_poll(so, pf[0].revents) || sink_poll(se, pf[1].revents))
            return XLMIG_E_NOMEM;
    }
    return 0;
}

/* Output closed; the program may still linger: same deadline. Past it
 * the whole group is killed. Returns waitpid's result. */
static int reap(pid_t pid, uint64_t deadline, int *status,
                xlmig_drbd_out *o)
{
    int r = 0;

    while (!o->timed_out) {
        r = waitpid(pid, status, WNOHANG);
        if (r < 0 && errno == EINTR)
            continue;
        if (r != 0)
            break;
        if (xlmig_now_ns() >= deadline)
            o->timed_out = true;
        else
            xlmig_sleep_ns(XLMIG_MS(1));
    }
    if (o->timed_out) {
        kill(-pid, SIGKILL);
        while ((r = waitpid(pid, status, 0)) < 0 && errno == EINTR)
            ;
    }
    return r;
}

int xlmig_drbd_exec(const char *const *argv, uint64_t timeout_ns,
                    xlmig_drbd_out *o)
{
    int po[2] = { -1, -1 }, pe[2] = { -1, -1 };
    sink so = { -1, NULL, 0, 0, XLMIG_DRBD_OUT_MAX, false };
    sink se = { -1, NULL, 0, 0, ERR_MAX, false };
    uint64_t deadline = xlmig_now_ns() + timeout_ns;
    char cmd[256];
    pid_t pid = -1;
    int rc, r, status = 0;

    xlmig_drbd_out_dispose(o);
    argv_str(argv, cmd, sizeof(cmd));
    rc = spawn(argv, cmd, po, pe, &pid);
    if (rc)
        goto out;
    so.fd = po[0];
    se.fd = pe[0];
    rc = drain(&so, &se, deadline, cmd, o);
    if (rc == XLMIG_E_NOMEM)
        goto nomem;
    if (rc)
        goto out;
    r = reap(pid, deadline, &status, o);
    pid = -1;
    if (r < 0) {
        xlmig_err(XLMIG_E_IO, "%s: waitpid: %s", cmd, strerror(errno));
        rc = XLMIG_E_IO;
        goto out;
    }
    if (o->timed_out) {
        xlmig_err(XLMIG_E_TIMEOUT, "%s: no answer after %llu ms, killed",
                  cmd, (unsigned long long)(timeout_ns / 1000000ULL));
        rc = XLMIG_E_TIMEOUT;
        goto out;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        xlmig_err(XLMIG_E_EXTERNAL, "%s: cannot run %s (not installed?)",
                  cmd, argv[0]);
        rc = XLMIG_E_EXTERNAL;
        goto out;
    }
    o->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    o->truncated = so.over;
    o->out = so.buf ? so.buf : strdup("");
    o->err = se.buf ? se.buf : strdup("");
    o->out_len = so.len;
    o->err_len = se.len;
    so.buf = se.buf = NULL;
    if (!o->out || !o->err)
        goto nomem;
    rc = 0;
    goto out;
nomem:
    xlmig_err(XLMIG_E_NOMEM, "%s: out of memory reading its output", cmd);
    rc = XLMIG_E_NOMEM;
out:
    if (pid > 0) {
        kill(-pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    if (po[0] >= 0)
        close(po[0]);
    if (po[1] >= 0)
        close(po[1]);
    if (pe[0] >= 0)
        close(pe[0]);
    if (pe[1] >= 0)
        close(pe[1]);
    free(so.buf);
    free(se.buf);
    return rc;
}
