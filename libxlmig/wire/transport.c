#include "transport.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "names.h"

void xlmig_transport_init(xlmig_transport *t)
{
    t->pid = -1;
    t->send_fd = -1;
    t->recv_fd = -1;
    t->rune = NULL;
}

void xlmig_cmd_init(xlmig_cmd *c)
{
    c->argv = NULL;
    c->argc = 0;
}

void xlmig_cmd_dispose(xlmig_cmd *c)
{
    unsigned i;

    for (i = 0; i < c->argc; i++)
        free(c->argv[i]);
    free(c->argv);
    xlmig_cmd_init(c);
}

int xlmig_cmd_add(xlmig_cmd *c, const char *word)
{
    char **nv = realloc(c->argv, (c->argc + 2) * sizeof(*nv));

    if (!nv)
        return XLMIG_E_NOMEM;
    c->argv = nv;
    nv[c->argc] = strdup(word);
    if (!nv[c->argc])
        return XLMIG_E_NOMEM;
    nv[++c->argc] = NULL;
    return 0;
}

/* What a shell would have treated specially, outside quotes. */
#define SHELL_SPECIAL "$`;&|<>(){}*?[]~#\n"

int xlmig_cmd_split(xlmig_cmd *c, const char *what, const char *line)
{
    size_t n = strlen(line), i, o = 0;
    char *word = malloc(n + 1), q = 0;
    bool in_word = false;
    unsigned first = c->argc;
    int rc = XLMIG_E_INVAL;

    if (!word)
        return XLMIG_E_NOMEM;
    for (i = 0; i <= n; i++) {
        char ch = line[i];

        if (q == '\'' && ch && ch != '\'') {
            word[o++] = ch;
        } else if (q == '"' && ch == '\\' &&
                   (line[i + 1] == '"' || line[i + 1] == '\\')) {
            word[o++] = line[++i];
        } else if (q == '"' && ch && ch != '"') {
            word[o++] = ch;
        } else if (q) {
            if (!ch) {
                xlmig_err(rc, "%s: unterminated %c quote", what, q);
                goto out;
            }
            q = 0;
        } else if (ch == '\'' || ch == '"') {
            q = ch;
            in_word = true;
        } else if (ch == '\\') {
            if (!line[i + 1] || line[i + 1] == '\n') {
                xlmig_err(rc, "%s: a \\ ends the command", what);
                goto out;
            }
            word[o++] = line[++i];
            in_word = true;
        } else if (ch && strchr(SHELL_SPECIAL, ch)) {
            char sh[8];

            snprintf(sh, sizeof(sh), ch == '\n' ? "newline" : "'%c'", ch);
            xlmig_err(rc, "%s: %s is shell syntax, and the command is not"
                      " run by a shell (quote it to mean the character)",
                      what, sh);
            goto out;
        } else if (ch && ch != ' ' && ch != '\t') {
            word[o++] = ch;
            in_word = true;
        } else if (in_word) {
            word[o] = 0;
            rc = xlmig_cmd_add(c, word);
            if (rc)
                goto out;
            rc = XLMIG_E_INVAL;
            o = 0;
            in_word = false;
        }
    }
    if (c->argc == first) {
        xlmig_err(rc, "%s: no command", what);
        goto out;
    }
    rc = 0;
out:
    free(word);
    return rc;
}

int xlmig_transport_cmd(xlmig_cmd *c, const char *ssh, const char *host,
                        const char *remote)
{
    int rc;

    if (ssh && !*ssh) {
        /* The operator's own receiver command, run as given. */
        rc = xlmig_cmd_add(c, "/bin/sh");
        if (!rc)
            rc = xlmig_cmd_add(c, "-c");
        return rc ? rc : xlmig_cmd_add(c, host);
    }
    if (!xlmig_name_host_ok(host, false))
        return xlmig_name_refuse("host", host, XLMIG_NAME_HOST_RULE);
    rc = xlmig_cmd_split(c, "-s", ssh ? ssh : "ssh");
    if (!rc)
        rc = xlmig_cmd_add(c, "--");
    if (!rc)
        rc = xlmig_cmd_add(c, host);
    if (!rc && remote)
        rc = xlmig_cmd_add(c, remote);
    return rc;
}

/* The words joined by blanks, for messages. */
static char *joined(const char *const *argv)
{
    size_t n = 1, i;
    char *s;

    for (i = 0; argv[i]; i++)
        n += strlen(argv[i]) + 1;
    s = malloc(n);
    if (!s)
        return NULL;
    s[0] = 0;
    for (i = 0; argv[i]; i++) {
        if (i)
            strcat(s, " ");
        strcat(s, argv[i]);
    }
    return s;
}

int xlmig_transport_spawn(xlmig_transport *t, const char *const *argv)
{
    int to_child[2] = { -1, -1 }, from_child[2] = { -1, -1 };
    int rc = XLMIG_E_IO;
    pid_t pid;

    if (!argv || !argv[0])
        return XLMIG_E_INVAL;
    t->rune = joined(argv);
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
        /*
         * A local receiver (-s "") is our own program and sets its own
         * handlers: a group of its own keeps the terminal's ^C from it,
         * so the source's abort is what ends it. ssh stays in ours: it
         * may have to prompt on the terminal.
         */
        if (!strcmp(argv[0], "/bin/sh") && argv[1] &&
            !strcmp(argv[1], "-c"))
            setpgid(0, 0);
        if (dup2(to_child[0], 0) < 0 || dup2(from_child[1], 1) < 0)
            _exit(127);
        execvp(argv[0], (char *const *)argv);
        fprintf(stderr, "xl-migrate-drbd: cannot run %s: %s\n", argv[0],
                strerror(errno));
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
