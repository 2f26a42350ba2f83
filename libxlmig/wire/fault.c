#include "fault.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "num.h"
#include "testhooks.h"

static const char *kinds[] = {
    "exit", "close", "stall", "error", "sigint", "drbd", "sighup",
    "sigterm", "sigquit", "sigpipe", "stray", "slow",
};

const char *const xlmig_fault_points_source[] = {
    "precheck", "prepare", "precopy", "precopy-round", "suspended",
    "verify", "switchover", "go", "go-sent", "commit", "rollback", NULL,
};

const char *const xlmig_fault_points_dest[] = {
    "precheck", "prepare", "precopy", "precopy-round", "restore",
    "switchover", "commit", "done", "rollback", NULL,
};

const char *xlmig_fault_kind_name(xlmig_fault_kind k)
{
    return k < XLMIG_FAULT__COUNT ? kinds[k] : "?";
}

static int valid_point(xlmig_side side, const char *p)
{
    const char *const *v = side == XLMIG_SIDE_SOURCE
        ? xlmig_fault_points_source : xlmig_fault_points_dest;

    for (; *v; v++)
        if (!strcmp(*v, p))
            return 1;
    return 0;
}

int xlmig_fault_parse(const char *spec, xlmig_fault *out, unsigned max)
{
    char buf[256], *save = NULL, *item;
    unsigned n = 0;

    if (strlen(spec) >= sizeof(buf)) {
        xlmig_err(XLMIG_E_INVAL, "XLMIG_FAULT: too long");
        return XLMIG_E_INVAL;
    }
    strcpy(buf, spec);
    for (item = strtok_r(buf, ",", &save); item;
         item = strtok_r(NULL, ",", &save)) {
        char *f[5] = { 0 }, *s2 = NULL, *tok;
        unsigned nf = 0, k;
        xlmig_fault *x;

        for (tok = strtok_r(item, ":", &s2); tok && nf < 5;
             tok = strtok_r(NULL, ":", &s2))
            f[nf++] = tok;
        if (nf < 3 || nf > 4 || tok) {
            xlmig_err(XLMIG_E_INVAL, "XLMIG_FAULT: \"%s\" is not"
                      " side:point:kind[:n]", item);
            return XLMIG_E_INVAL;
        }
        if (n >= max) {
            xlmig_err(XLMIG_E_INVAL, "XLMIG_FAULT: more than %u faults",
                      max);
            return XLMIG_E_INVAL;
        }
        x = &out[n];
        memset(x, 0, sizeof(*x));
        if (!strcmp(f[0], "source"))
            x->side = XLMIG_SIDE_SOURCE;
        else if (!strcmp(f[0], "dest"))
            x->side = XLMIG_SIDE_DEST;
        else {
            xlmig_err(XLMIG_E_INVAL, "XLMIG_FAULT: unknown side \"%s\"",
                      f[0]);
            return XLMIG_E_INVAL;
        }
        if (!valid_point(x->side, f[1]) ||
            strlen(f[1]) >= sizeof(x->point)) {
            xlmig_err(XLMIG_E_INVAL, "XLMIG_FAULT: unknown point \"%s\""
                      " for %s", f[1], f[0]);
            return XLMIG_E_INVAL;
        }
        strcpy(x->point, f[1]);
        for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
            if (!strcmp(f[2], kinds[k]))
                break;
        if (k == sizeof(kinds) / sizeof(kinds[0])) {
            xlmig_err(XLMIG_E_INVAL, "XLMIG_FAULT: unknown kind \"%s\"",
                      f[2]);
            return XLMIG_E_INVAL;
        }
        x->kind = (xlmig_fault_kind)k;
        x->nth = 1;
        if (nf == 4) {
            uint64_t v;

            if (xlmig_num_u64(f[3], 10, 1, 1000000, &v)) {
                xlmig_err(XLMIG_E_INVAL, "XLMIG_FAULT: bad count \"%s\"",
                          f[3]);
                return XLMIG_E_INVAL;
            }
            x->nth = (unsigned)v;
        }
        n++;
    }
    return (int)n;
}

/* s quoted for a POSIX shell, appended to *buf (length *n). */
static int put_quoted(char **buf, size_t *n, const char *s)
{
    size_t need = 3, i;
    char *p;

    for (i = 0; s[i]; i++)
        need += s[i] == '\'' ? 4 : 1;
    p = realloc(*buf, *n + need + 1);
    if (!p)
        return XLMIG_E_NOMEM;
    *buf = p;
    p += *n;
    *p++ = '\'';
    for (i = 0; s[i]; i++) {
        if (s[i] == '\'') {
            memcpy(p, "'\\''", 4);
            p += 4;
        } else {
            *p++ = s[i];
        }
    }
    *p++ = '\'';
    *p++ = ' ';
    *p = 0;
    *n = (size_t)(p - *buf);
    return 0;
}

/*
 * Append NAME='value': the receiver command is one word of the ssh
 * command (no local shell, transport.c), so only the remote shell that
 * ssh hands it to unquotes the value.
 */
static int put_var(char **buf, size_t *n, const char *name, const char *val)
{
    size_t len = strlen(name) + 1;
    char *p = realloc(*buf, *n + len + 1);

    if (!p)
        return XLMIG_E_NOMEM;
    *buf = p;
    snprintf(p + *n, len + 1, "%s=", name);
    *n += len;
    return put_quoted(buf, n, val);
}

int xlmig_fault_env_prefix(const char *spec, const char *stall_s,
                           const char *drbd_cmd, char **out)
{
    char *buf = strdup(spec && *spec ? "env " : "");
    size_t n;
    int rc = XLMIG_E_NOMEM;

    *out = NULL;
    if (!buf)
        goto out;
    n = strlen(buf);
    rc = 0;
    if (!spec || !*spec)
        goto out;
    rc = put_var(&buf, &n, "XLMIG_FAULT", spec);
    if (!rc && stall_s && *stall_s)
        rc = put_var(&buf, &n, "XLMIG_FAULT_STALL_S", stall_s);
    if (!rc && drbd_cmd && *drbd_cmd)
        rc = put_var(&buf, &n, "XLMIG_FAULT_DRBD_CMD", drbd_cmd);
out:
    if (rc) {
        free(buf);
        buf = NULL;
    }
    *out = buf;
    return rc;
}

#ifdef XLMIG_TEST_HOOKS
/*
 * Only a test build injects faults: in the production build every
 * point is a no-op, XLMIG_FAULT is never read and system() is absent.
 */
static xlmig_fault faults[XLMIG_FAULT_MAX];
static int nfaults = -1;

static void stall(xlmig_chan *ch)
{
    const char *s = xlmig_test_env("XLMIG_FAULT_STALL_S");
    uint64_t secs = 3600, end;

    if (s && xlmig_num_u64(s, 10, 0, 86400, &secs))
        secs = 3600;
    end = xlmig_now_ns() + XLMIG_S(secs);

    /* Silent, but leave when the peer gives up on us. */
    while (xlmig_now_ns() < end) {
        struct pollfd p = { .fd = ch ? ch->conn->in_fd : -1,
                             .events = POLLIN };

        if (ch && poll(&p, 1, 100) > 0) {
            if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
                break;
            /* Data waiting is no reason to spin. */
            xlmig_sleep_ns(100000000ULL);
        }
        if (!ch)
            xlmig_sleep_ns(100000000ULL);
    }
}

/* A message the peer does not expect here: a late pong. */
static void stray(xlmig_chan *ch)
{
    xlmig_msg m;

    if (!ch)
        return;
    xlmig_msg_init(&m, XLMIG_MSG_PONG);
    m.value = 1;
    if (xlmig_chan_send_msg(ch, &m)) {
        fprintf(stderr, "xlmig: injected stray message: %s\n",
                xlmig_errmsg());
        xlmig_err_clear();
    }
    xlmig_msg_dispose(&m);
}

/* A link that still moves, barely: pace what we send from here on. */
static void slow(xlmig_chan *ch)
{
    const char *s = xlmig_test_env("XLMIG_FAULT_SLOW_BPS");
    uint64_t bps = 0;

    if (s && xlmig_num_u64(s, 10, 0, UINT32_MAX, &bps))
        bps = 0;

    if (!ch)
        return;
    xlmig_chan_set_rate(ch, (double)(bps ? bps : 16));
    /* No bucket saved up: slow from the first byte. */
    ch->rl.burst = ch->rl.rate_Bps;
    ch->rl.tokens = 0;
}

/* Test bed only: cut the DRBD link under the migration's feet. */
static void drbd_disconnect(void)
{
    const char *cmd = xlmig_test_env("XLMIG_FAULT_DRBD_CMD");
    int r;

    r = system(cmd && *cmd ? cmd : "drbdadm disconnect all");
    if (r)
        fprintf(stderr, "xlmig: injected DRBD disconnect: command status"
                " %d\n", r);
}

int xlmig_fault_set(const char *spec)
{
    nfaults = spec && *spec ? xlmig_fault_parse(spec, faults,
                                                XLMIG_FAULT_MAX) : 0;
    if (nfaults >= 0)
        return nfaults;
    nfaults = 0;
    return XLMIG_E_INVAL;
}

int xlmig_fault_point(xlmig_side side, const char *point, xlmig_chan *ch)
{
    int i;

    if (nfaults < 0 && xlmig_fault_set(xlmig_test_env("XLMIG_FAULT")) < 0) {
        fprintf(stderr, "xlmig: ignoring XLMIG_FAULT: %s\n",
                xlmig_errmsg());
        xlmig_err_clear();
    }
    for (i = 0; i < nfaults; i++) {
        xlmig_fault *f = &faults[i];

        if (f->side != side || strcmp(f->point, point))
            continue;
        if (++f->hits != f->nth)
            continue;
        fprintf(stderr, "xlmig: injected fault: %s at %s on %s\n",
                kinds[f->kind], point, xlmig_side_name(side));
        switch (f->kind) {
        case XLMIG_FAULT_EXIT:
            _exit(99);
        case XLMIG_FAULT_CLOSE:
            /* The conn's to close: it is the one owner of the fds. */
            if (ch)
                xlmig_conn_hangup(ch->conn);
            xlmig_err(XLMIG_E_IO, "injected fault: connection closed at"
                      " %s", point);
            return XLMIG_E_IO;
        case XLMIG_FAULT_STALL:
            stall(ch);
            break;
        case XLMIG_FAULT_ERROR:
            xlmig_err(XLMIG_E_BACKEND, "injected fault: error at %s", point);
            return XLMIG_E_BACKEND;
        case XLMIG_FAULT_SIGINT:
            raise(SIGINT);
            break;
        case XLMIG_FAULT_SIGHUP:
            raise(SIGHUP);
            break;
        case XLMIG_FAULT_SIGTERM:
            raise(SIGTERM);
            break;
        case XLMIG_FAULT_SIGQUIT:
            raise(SIGQUIT);
            break;
        case XLMIG_FAULT_SIGPIPE:
            raise(SIGPIPE);
            break;
        case XLMIG_FAULT_STRAY:
            stray(ch);
            break;
        case XLMIG_FAULT_SLOW:
            slow(ch);
            break;
        case XLMIG_FAULT_DRBD:
            drbd_disconnect();
            break;
        case XLMIG_FAULT__COUNT:
            break;
        }
    }
    return 0;
}
#else
int xlmig_fault_point(xlmig_side side, const char *point, xlmig_chan *ch)
{
    (void)side;
    (void)point;
    (void)ch;
    return 0;
}
#endif
