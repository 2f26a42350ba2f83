/*
 * The peer's side of recover: inspect run there through the transport,
 * as migrate runs the receiver; its one line is the peer's view.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "error.h"
#include "recover_cli.h"
#include "transport.h"

/* Run `inspect <domain> [args]` on the peer; its one line in *out. */
static int run_peer(const rec_opts *o, const char *args, char **out)
{
    char st[64], buf[XLMIG_VIEW_JSON_MAX + 1], hint[200];
    xlmig_transport t;
    xlmig_cmd cmd;
    size_t got = 0;
    char *line = NULL;
    int rc, status = -1;
    ssize_t r;

    *out = NULL;
    xlmig_transport_init(&t);
    xlmig_cmd_init(&cmd);
    /* Checked safe for a command line when they were read. */
    snprintf(hint, sizeof(hint), "%s%s%s%s",
             o->hint.uuid[0] ? " --uuid " : "", o->hint.uuid,
             o->hint.resources[0] ? " --resources " : "",
             o->hint.resources);
    /* With -s "" the peer argument is the inspect command itself. */
    if (o->ssh && !*o->ssh)
        r = asprintf(&line, "%s%s %s%s", o->peer, hint, o->domain, args);
    else
        r = asprintf(&line, PROG " inspect%s %s%s", hint, o->domain, args);
    if (r < 0) {
        line = NULL;
        rc = XLMIG_E_NOMEM;
        goto out;
    }
    rc = o->ssh && !*o->ssh ? xlmig_transport_cmd(&cmd, "", line, NULL)
                            : xlmig_transport_cmd(&cmd, o->ssh,
                                                  o->dest.address, line);
    if (rc)
        goto out;
    rc = xlmig_transport_spawn(&t, (const char *const *)cmd.argv);
    if (rc)
        goto out;
    close(t.send_fd);
    t.send_fd = -1;
    for (;;) {
        struct pollfd p = { .fd = t.recv_fd, .events = POLLIN };

        if (poll(&p, 1, (int)o->io_timeout_s * 1000) <= 0) {
            xlmig_err(XLMIG_E_TIMEOUT, "peer %s did not answer within %u s"
                      " (--io-timeout)", o->peer, o->io_timeout_s);
            rc = XLMIG_E_TIMEOUT;
            goto out;
        }
        r = read(t.recv_fd, buf + got, sizeof(buf) - 1 - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
        if (got == sizeof(buf) - 1) {
            xlmig_err(XLMIG_E_PROTO, "peer %s: answer too long", o->peer);
            rc = XLMIG_E_PROTO;
            goto out;
        }
    }
    buf[got] = 0;
    xlmig_transport_dispose(&t, 5000, &status);
    if (!WIFEXITED(status) || WEXITSTATUS(status)) {
        xlmig_err(XLMIG_E_REMOTE, "inspect on %s %s", o->peer,
                  xlmig_transport_status_str(status, st, sizeof(st)));
        rc = XLMIG_E_REMOTE;
        goto out;
    }
    *out = strdup(buf);
    rc = *out ? 0 : XLMIG_E_NOMEM;
out:
    xlmig_transport_dispose(&t, 5000, &status);
    xlmig_cmd_dispose(&cmd);
    free(line);
    return rc;
}

int rec_peer_inspect(const rec_opts *o, xlmig_host_view *v, char *host,
                     size_t hl)
{
    char *text = NULL;
    int rc;

    xlmig_host_view_init(v);
    rc = run_peer(o, " --json", &text);
    if (!rc)
        rc = xlmig_host_view_parse(text, strcspn(text, "\n"), o->domain, v,
                                   host, hl);
    free(text);
    return rc;
}

int rec_peer_act(const rec_opts *o, const xlmig_action *a)
{
    char act[64], args[96], *text = NULL;
    int rc;

    xlmig_action_format(a, act, sizeof(act));
    snprintf(args, sizeof(args), " --do %s", act);
    rc = run_peer(o, args, &text);
    free(text);
    return rc;
}
