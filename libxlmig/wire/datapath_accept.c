/*
 * The data path's destination side, its setup (datapath.h): what the
 * request asks for, the listener, and the connections that prove the
 * key; datapath_dst.c reads the streams.
 */
#include "datapath_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/ssl.h>

#include "error.h"
#include "wire.h"

#define REORDER_RECS 4u              /* records ahead, a stream */
#define REORDER_REC_BYTES (4u * 1024u * 1024u + 256u * 1024u)
#define DEFAULT_WAIT_NS (60ULL * 1000000000ULL)

int xlmig_dp_from_msg(xlmig_datapath *dp, const xlmig_msg *req)
{
    unsigned recs;
    int rc;

    xlmig_dp_dispose(dp);
    if (!req->transport || !strcmp(req->transport, "ssh"))
        return 0;
    if (xlmig_dp_kind_parse("migrate request: transport", req->transport,
                            &dp->kind)) {
        xlmig_err_replace(XLMIG_E_PROTO, "%s", xlmig_errmsg());
        return XLMIG_E_PROTO;
    }
    if (req->streams < 1 || req->streams > XLMIG_DP_MAX_STREAMS) {
        xlmig_err(XLMIG_E_PROTO, "migrate request: %llu data streams (1 to"
                  " %d allowed)", (unsigned long long)req->streams,
                  XLMIG_DP_MAX_STREAMS);
        return XLMIG_E_PROTO;
    }
    dp->n = (unsigned)req->streams;
    rc = xlmig_data_key_parse(req->data_key, dp->key);
    if (rc)
        return rc;
    dp->has_key = true;
    recs = REORDER_RECS * dp->n;
    rc = xlmig_reorder_init(&dp->ro, recs < 8 ? 8 : recs,
                            (size_t)(recs < 8 ? 8 : recs) *
                            REORDER_REC_BYTES);
    dp->ro_init = !rc;
    return rc;
}

int xlmig_dp_listen(xlmig_datapath *dp, const char *addr)
{
    sockaddr_any a;
    socklen_t alen;
    int rc;

    if (xlmig_dp_parse_addr(addr, 0, &a, &alen) || xlmig_dp_wildcard(&a)) {
        xlmig_err(XLMIG_E_INVAL, "data path: \"%.64s\" is not an address"
                  " of this host to listen on", addr ? addr : "");
        return XLMIG_E_INVAL;
    }
    if (dp->kind == XLMIG_DP_TLS) {
        rc = xlmig_tls_setup(&dp->tls, true, dp->key);
        if (rc)
            return rc;
    }
    dp->listen_fd = socket(a.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK |
                           SOCK_CLOEXEC, 0);
    if (dp->listen_fd < 0 || bind(dp->listen_fd, &a.sa, alen) ||
        listen(dp->listen_fd, (int)dp->n + XLMIG_DP_PENDING_MAX)) {
        xlmig_err(XLMIG_E_IO, "data path: cannot listen on %s: %s", addr,
                  strerror(errno));
        xlmig_dp_close_listener(dp);
        return XLMIG_E_IO;
    }
    alen = sizeof(a);
    if (getsockname(dp->listen_fd, &a.sa, &alen)) {
        xlmig_err(XLMIG_E_IO, "data path: listener on %s: %s", addr,
                  strerror(errno));
        xlmig_dp_close_listener(dp);
        return XLMIG_E_IO;
    }
    dp->port = a.sa.sa_family == AF_INET ? ntohs(a.in.sin_port)
                                         : ntohs(a.in6.sin6_port);
    snprintf(dp->addr, sizeof(dp->addr), "%s", addr);
    dp->dest = true;
    return 0;
}

int xlmig_dp_listen_msg(const xlmig_datapath *dp, xlmig_msg *m)
{
    xlmig_msg_init(m, XLMIG_MSG_DATA_LISTEN);
    m->port = dp->port;
    return xlmig_msg_set(&m->data_addr, dp->addr);
}

typedef struct {
    int fd;
    SSL *ssl;
    uint64_t t0;
    char peer[64];
    uint8_t nonce[XLMIG_AUTH_NONCE_LEN];
    uint8_t proof[XLMIG_AUTH_PROOF_LEN];
    size_t done;             /* nonce bytes sent, then proof bytes read */
    bool sent;               /* the nonce is out */
    short ev;
} pending;

static void pending_close(pending *p)
{
    if (p->ssl)
        SSL_free(p->ssl);
    if (p->fd >= 0)
        close(p->fd);
    memset(p, 0, sizeof(*p));
    p->fd = -1;
}

/* One step of a connection's proof: 0 proven, 1 not yet, or < 0. */
static int pending_step(xlmig_datapath *dp, pending *p, char *why,
                        size_t why_len)
{
    ssize_t r;
    int rc;

    if (dp->kind == XLMIG_DP_TLS) {
        char ossl[200];

        rc = xlmig_tls_handshake(p->ssl, &p->ev, ossl, sizeof(ossl));
        if (rc == 0 && !SSL_session_reused(p->ssl)) {
            snprintf(why, why_len, "no pre-shared key");
            return XLMIG_E_IO;
        }
        if (rc < 0)
            snprintf(why, why_len, "TLS handshake failed: %.199s", ossl);
        return rc;
    }
    while (!p->sent) {
        r = send(p->fd, p->nonce + p->done, sizeof(p->nonce) - p->done,
                 MSG_NOSIGNAL);
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
            p->ev = POLLOUT;
            return 1;
        }
        if (r <= 0) {
            snprintf(why, why_len, "%s", r < 0 ? strerror(errno) : "closed");
            return XLMIG_E_IO;
        }
        p->done += (size_t)r;
        if (p->done == sizeof(p->nonce)) {
            p->sent = true;
            p->done = 0;
        }
    }
    while (p->done < sizeof(p->proof)) {
        r = recv(p->fd, p->proof + p->done, sizeof(p->proof) - p->done, 0);
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
            p->ev = POLLIN;
            return 1;
        }
        if (r <= 0) {
            snprintf(why, why_len, "%s", r < 0 ? strerror(errno)
                     : "closed before it proved the key");
            return XLMIG_E_IO;
        }
        p->done += (size_t)r;
    }
    if (!xlmig_auth_check(dp->key, p->nonce, p->proof)) {
        snprintf(why, why_len, "wrong key");
        return XLMIG_E_IO;
    }
    /* One byte into a fresh socket's buffer: it never blocks. */
    if (send(p->fd, "", 1, MSG_NOSIGNAL) != 1) {
        snprintf(why, why_len, "%s", strerror(errno));
        return XLMIG_E_IO;
    }
    return 0;
}

static int refuse(xlmig_datapath *dp, pending *p, const char *why)
{
    char peer[sizeof(p->peer)];

    XLMIG_WARN("data path: refused a connection from %s: %s", p->peer, why);
    snprintf(peer, sizeof(peer), "%s", p->peer);
    pending_close(p);
    if (++dp->refused <= XLMIG_DP_MAX_FAILED)
        return 0;
    /* Not an I/O error: the control channel is fine, the source told. */
    xlmig_err(XLMIG_E_PROTO, "data path: %u connections to %s port %u"
              " failed to prove the key (last from %s: %s); giving up",
              dp->refused, dp->addr, dp->port, peer, why);
    return XLMIG_E_PROTO;
}

static int take_new(xlmig_datapath *dp, pending *pend)
{
    sockaddr_any a;
    socklen_t alen = sizeof(a);
    pending *p = NULL;
    unsigned i;
    int fd;

    fd = accept4(dp->listen_fd, &a.sa, &alen, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return 0;               /* gone already, or a spurious wake */
    for (i = 0; i < XLMIG_DP_PENDING_MAX && !p; i++)
        if (pend[i].fd < 0)
            p = &pend[i];
    if (!p) {
        pending over = { .fd = fd };

        xlmig_dp_addr_str(&a, over.peer, sizeof(over.peer));
        return refuse(dp, &over, "too many handshakes at once");
    }
    p->fd = fd;
    p->t0 = xlmig_now_ns();
    p->ev = POLLIN;
    xlmig_dp_addr_str(&a, p->peer, sizeof(p->peer));
    xlmig_dp_tune(fd);
    if (dp->kind == XLMIG_DP_TCP) {
        p->ev = POLLOUT;
        if (xlmig_auth_nonce(p->nonce))
            return XLMIG_E_IO;
        return 0;
    }
    p->ssl = xlmig_tls_new(&dp->tls, fd);
    return p->ssl ? 0 : XLMIG_E_IO;
}

/*
 * The source spoke while the streams were being opened: it quit, or
 * (its side open already) it sent a keepalive of its disks' sync, 0.
 */
static int accept_ctl(xlmig_chan *ch)
{
    xlmig_msg m;
    int rc;

    xlmig_msg_init(&m, XLMIG_MSG_NONE);
    rc = xlmig_chan_recv_ctl(ch);
    if (!rc)
        rc = xlmig_chan_decode_last(ch, &m);
    if (!rc && m.type == XLMIG_MSG_PING)
        rc = 0;                 /* dropped: nothing in it */
    else if (!rc && (m.type == XLMIG_MSG_ABORT ||
                     m.type == XLMIG_MSG_ERROR)) {
        xlmig_err(XLMIG_E_ABORTED, "source aborted the migration: %s",
                  m.message ? m.message : "no reason given");
        rc = XLMIG_E_ABORTED;
    } else if (!rc) {
        xlmig_err(XLMIG_E_PROTO, "source sent \"%s\" while the data streams"
                  " were being opened", xlmig_msg_type_str(m.type));
        rc = XLMIG_E_PROTO;
    }
    xlmig_msg_dispose(&m);
    return rc;
}

/* Each pending connection one step on; the proven ones become streams. */
static int advance(xlmig_datapath *dp, pending *pend, uint64_t now)
{
    char why[256];
    unsigned i;
    int rc;

    for (i = 0; i < XLMIG_DP_PENDING_MAX && dp->open < dp->n; i++) {
        pending *p = &pend[i];
        xlmig_dp_stream *s;

        if (p->fd < 0)
            continue;
        why[0] = 0;
        rc = pending_step(dp, p, why, sizeof(why));
        if (rc == 1 && now - p->t0 > XLMIG_DP_HANDSHAKE_MS * 1000000ULL) {
            snprintf(why, sizeof(why), "no handshake within %d ms",
                     XLMIG_DP_HANDSHAKE_MS);
            rc = XLMIG_E_IO;
        }
        if (rc == 1)
            continue;
        if (rc < 0) {
            rc = refuse(dp, p, why);
            if (rc)
                return rc;
            continue;
        }
        if (p->ssl && xlmig_tls_rx_buffer(p->ssl, p->fd))
            return XLMIG_E_NOMEM;
        s = &dp->s[dp->open++];
        s->fd = p->fd;
        s->ssl = p->ssl;
        snprintf(s->name, sizeof(s->name), "data stream %u from %s",
                 dp->open, p->peer);
        p->fd = -1;
        p->ssl = NULL;
        pending_close(p);
    }
    return 0;
}

int xlmig_dp_accept(xlmig_datapath *dp, xlmig_chan *ch)
{
    uint64_t limit = ch->io_timeout_ns ? ch->io_timeout_ns : DEFAULT_WAIT_NS;
    uint64_t until = xlmig_now_ns() + limit, waited = 0;
    struct pollfd p[XLMIG_DP_PENDING_MAX + 1];
    pending pend[XLMIG_DP_PENDING_MAX];
    unsigned i;
    int np, rc = 0;

    for (i = 0; i < XLMIG_DP_PENDING_MAX; i++) {
        memset(&pend[i], 0, sizeof(pend[i]));
        pend[i].fd = -1;
    }
    while (dp->open < dp->n) {
        np = 0;
        p[np] = (struct pollfd){ .fd = dp->listen_fd, .events = POLLIN };
        np++;
        for (i = 0; i < XLMIG_DP_PENDING_MAX; i++) {
            if (pend[i].fd < 0)
                continue;
            p[np++] = (struct pollfd){ .fd = pend[i].fd,
                                       .events = pend[i].ev };
        }
        waited = 0;             /* the absolute limit bounds this */
        rc = xlmig_dp_poll(ch, dp, p, np, "opening the data streams",
                           &waited, until, true);
        if (rc == 1) {
            rc = accept_ctl(ch);
            if (rc)
                goto out;
            continue;
        }
        if (rc == XLMIG_E_TIMEOUT && xlmig_now_ns() >= until) {
            xlmig_err_replace(rc, "data path: %u of %u data streams"
                              " connected to %s port %u within %.0f s",
                              dp->open, dp->n, dp->addr, dp->port,
                              (double)limit / 1e9);
            goto out;
        }
        if (rc)
            goto out;
        if (p[0].revents) {
            rc = take_new(dp, pend);
            if (rc)
                goto out;
        }
        rc = advance(dp, pend, xlmig_now_ns());
        if (rc)
            goto out;
    }
    /* All in: nobody else may even try. */
    xlmig_dp_close_listener(dp);
    dp->active = true;
    ch->dp = dp;
out:
    for (i = 0; i < XLMIG_DP_PENDING_MAX; i++)
        pending_close(&pend[i]);
    xlmig_dp_close_listener(dp);
    return rc;
}
