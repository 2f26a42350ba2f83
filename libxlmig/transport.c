#include "transport.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"

void xlmig_transport_init(xlmig_transport *t)
{
    t->pid = -1;
    t->send_fd = -1;
    t->recv_fd = -1;
    t->rune = NULL;
}

char *xlmig_transport_rune(const char *ssh, const char *host,
                           const char *receiver)
{
    char *rune = NULL;

    if (!host || !*host)
        return NULL;
    if (ssh && !*ssh)
        return strdup(host);
    if (asprintf(&rune, "exec %s %s %s", ssh ? ssh : "ssh", host,
                 receiver) < 0)
        return NULL;
    return rune;
}

int xlmig_transport_spawn(xlmig_transport *t, const char *rune)
{
    int to_child[2] = { -1, -1 }, from_child[2] = { -1, -1 };
    int rc = XLMIG_E_IO;
    pid_t pid;

    t->rune = strdup(rune);
    if (!t->rune)
        return XLMIG_E_NOMEM;
    if (pipe2(to_child, O_CLOEXEC) || pipe2(from_child, O_CLOEXEC)) {
        xlmig_err(rc, "cannot create pipes: %s", strerror(errno));
        goto out;
    }
    /* Bigger pipes: fewer wake-ups per MiB of guest memory. */
    fcntl(to_child[1], F_SETPIPE_SZ, 1 << 20);
    fcntl(from_child[0], F_SETPIPE_SZ, 1 << 20);
    pid = fork();
    if (pid < 0) {
        xlmig_err(rc, "cannot fork transport: %s", strerror(errno));
        goto out;
    }
    if (pid == 0) {
        /* Child: stdin/stdout are the stream, stderr passes through. */
        signal(SIGPIPE, SIG_DFL);
        /*
         * The source decides how to end it: ^C, the quit key or a hangup
         * of the terminal reach our whole process group, and an ssh that
         * died of one would cut the link mid-commit. ssh keeps them
         * ignored.
         */
        signal(SIGINT, SIG_IGN);
        signal(SIGQUIT, SIG_IGN);
        signal(SIGHUP, SIG_IGN);
        if (dup2(to_child[0], 0) < 0 || dup2(from_child[1], 1) < 0)
            _exit(127);
        execl("/bin/sh", "sh", "-c", rune, (char *)NULL);
        _exit(127);
    }
    t->pid = pid;
    t->send_fd = to_child[1];
    t->recv_fd = from_child[0];
    to_child[1] = from_child[0] = -1;
    rc = 0;
out:
    if (to_child[0] >= 0) close(to_child[0]);
    if (to_child[1] >= 0) close(to_child[1]);
    if (from_child[0] >= 0) close(from_child[0]);
    if (from_child[1] >= 0) close(from_child[1]);
    return rc;
}

void xlmig_transport_close_fds(xlmig_transport *t)
{
    if (t->send_fd >= 0)
        close(t->send_fd);
    if (t->recv_fd >= 0)
        close(t->recv_fd);
    t->send_fd = t->recv_fd = -1;
}

void xlmig_transport_dispose(xlmig_transport *t, int wait_ms, int *status)
{
    int st = -1, waited = 0;
    pid_t r;

    xlmig_transport_close_fds(t);
    if (t->pid > 0) {
        for (;;) {
            r = waitpid(t->pid, &st, WNOHANG);
            if (r == t->pid || (r < 0 && errno != EINTR))
                break;
            if (waited >= wait_ms) {
                kill(t->pid, SIGTERM);
                if (waitpid(t->pid, &st, 0) < 0)
                    st = -1;
                break;
            }
            xlmig_sleep_ns(10000000ULL);
            waited += 10;
        }
        t->pid = -1;
    }
    if (status)
        *status = st;
    free(t->rune);
    t->rune = NULL;
}

const char *xlmig_transport_status_str(int status, char *buf, size_t len)
{
    if (status == -1)
        snprintf(buf, len, "status unknown");
    else if (WIFEXITED(status))
        snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, len, "killed by signal %d", WTERMSIG(status));
    else
        snprintf(buf, len, "ended with wait status %d", status);
    return buf;
}
