/*
 * The data path's source side (datapath.h): the streams connected and
 * proven, records dealt to them in turn, memory-end and the end.
 */
#include "datapath_priv.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "error.h"
#include "testhooks.h"
#include "wire.h"

#define STAGE_LEN (256u * 1024u)     /* plaintext a SSL_write */

/*
 * Source: the control channel spoke while we sent. It can only be the
 * destination's error or abort (its reason is the one reported), or a
 * hang-up.
 */
static int source_ctl(xlmig_chan *ch, bool replace)
{
    xlmig_msg m;
    int rc;

    xlmig_msg_init(&m, XLMIG_MSG_NONE);
    rc = xlmig_chan_recv_ctl(ch);
    if (!rc)
        rc = xlmig_chan_decode_last(ch, &m);
    if (rc)
        goto out;
    rc = XLMIG_E_REMOTE;
    if (m.type == XLMIG_MSG_ERROR || m.type == XLMIG_MSG_ABORT) {
        if (replace)
            xlmig_err_replace(rc, "%s %s: %s", ch->peer,
                              m.type == XLMIG_MSG_ABORT ? "aborted"
                              : "failed", m.message ? m.message
                              : "no reason given");
        else
            xlmig_err(rc, "%s %s: %s", ch->peer,
                      m.type == XLMIG_MSG_ABORT ? "aborted" : "failed",
                      m.message ? m.message : "no reason given");
    } else {
        xlmig_err(XLMIG_E_PROTO, "%s sent \"%s\" during the memory stream",
                  ch->peer, xlmig_msg_type_str(m.type));
        rc = XLMIG_E_PROTO;
    }
out:
    xlmig_msg_dispose(&m);
    return rc;
}

static int send_failed(xlmig_chan *ch, int rc);

int xlmig_dp_source_setup(xlmig_datapath *dp, xlmig_dp_kind kind,
                          unsigned n)
{
    int rc;

    xlmig_dp_dispose(dp);
    dp->kind = kind;
    if (kind == XLMIG_DP_SSH)
        return 0;
    if (n < 1 || n > XLMIG_DP_MAX_STREAMS) {
        xlmig_err(XLMIG_E_INVAL, "--streams %u: not between 1 and %d", n,
                  XLMIG_DP_MAX_STREAMS);
        return XLMIG_E_INVAL;
    }
    dp->n = n;
    rc = xlmig_data_key_new(dp->key);
    if (!rc)
        dp->has_key = true;
    return rc;
}

int xlmig_dp_to_msg(const xlmig_datapath *dp, xlmig_msg *m)
{
    char hex[XLMIG_DATA_KEY_HEX + 1];
    int rc;

    if (dp->kind == XLMIG_DP_SSH)
        return 0;
    xlmig_data_key_hex(dp->key, hex);
    rc = xlmig_msg_set(&m->transport, xlmig_dp_kind_str(dp->kind));
    if (!rc)
        rc = xlmig_msg_set(&m->data_key, hex);
    OPENSSL_cleanse(hex, sizeof(hex));
    m->streams = dp->n;
    return rc;
}

/* Wait on one stream being set up, until the absolute limit. */
static int setup_wait(xlmig_chan *ch, xlmig_datapath *dp, int fd,
                      short ev, const char *name, uint64_t until)
{
    struct pollfd p = { .fd = fd, .events = ev };
    uint64_t waited = 0;
    int rc = xlmig_dp_poll(ch, dp, &p, 1, name, &waited, until, true);

    return rc == 1 ? source_ctl(ch, false) : rc;
}

static int tcp_connect(xlmig_chan *ch, xlmig_datapath *dp,
                       const sockaddr_any *a, socklen_t alen,
                       const char *name, uint64_t until, int *out)
{
    socklen_t elen = sizeof(int);
    int fd, r, err = 0, rc;

    fd = socket(a->sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                0);
    if (fd < 0) {
        xlmig_err(XLMIG_E_IO, "%s: socket: %s", name, strerror(errno));
        return XLMIG_E_IO;
    }
    xlmig_dp_tune(fd);
    r = connect(fd, &a->sa, alen);
    if (r < 0 && errno != EINPROGRESS) {
        xlmig_err(XLMIG_E_IO, "%s: connect: %s", name, strerror(errno));
        close(fd);
        return XLMIG_E_IO;
    }
    if (r < 0) {
        rc = setup_wait(ch, dp, fd, POLLOUT, name, until);
        if (!rc && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen))
            err = errno;
        if (!rc && err) {
            xlmig_err(XLMIG_E_IO, "%s: connect: %s", name, strerror(err));
            rc = XLMIG_E_IO;
        }
        if (rc) {
            close(fd);
            return rc;
        }
    }
    *out = fd;
    return 0;
}

/* Blocking-style I/O of exactly len bytes during setup. */
static int setup_io(xlmig_chan *ch, xlmig_datapath *dp, int fd, bool wr,
                    void *buf, size_t len, const char *name, uint64_t until)
{
    size_t done = 0;
    ssize_t r;
    int rc;

    while (done < len) {
        r = wr ? send(fd, (char *)buf + done, len - done, MSG_NOSIGNAL)
               : recv(fd, (char *)buf + done, len - done, 0);
        if (r > 0) {
            done += (size_t)r;
            continue;
        }
        if (r == 0) {
            xlmig_err(XLMIG_E_IO, "%s: closed by the peer during the key"
                      " check", name);
            return XLMIG_E_IO;
        }
        if (errno != EAGAIN && errno != EINTR) {
            xlmig_err(XLMIG_E_IO, "%s: %s", name, strerror(errno));
            return XLMIG_E_IO;
        }
        rc = setup_wait(ch, dp, fd, wr ? POLLOUT : POLLIN, name, until);
        if (rc)
            return rc;
    }
    return 0;
}

/* The key proven: TLS 1.3 with it as PSK, or the HMAC answer. */
static int client_auth(xlmig_chan *ch, xlmig_datapath *dp, xlmig_tls *tls,
                       const uint8_t key[XLMIG_DATA_KEY_LEN],
                       xlmig_dp_stream *s, uint64_t until)
{
    uint8_t nonce[XLMIG_AUTH_NONCE_LEN], proof[XLMIG_AUTH_PROOF_LEN];
    char why[256];
    short ev = 0;
    int rc;

    if (dp->kind == XLMIG_DP_TCP) {
        rc = setup_io(ch, dp, s->fd, false, nonce, sizeof(nonce), s->name,
                      until);
        if (!rc)
            rc = xlmig_auth_proof(key, nonce, proof);
        if (!rc)
            rc = setup_io(ch, dp, s->fd, true, proof, sizeof(proof),
                          s->name, until);
        /* Its verdict: one byte, or a hang-up if the key was wrong. */
        if (!rc && setup_io(ch, dp, s->fd, false, nonce, 1, s->name,
                            until) == XLMIG_E_IO) {
            xlmig_err_replace(XLMIG_E_IO, "%s: the destination refused"
                              " the key", s->name);
            rc = XLMIG_E_IO;
        }
        return rc;
    }
    s->ssl = xlmig_tls_new(tls, s->fd);
    if (!s->ssl)
        return XLMIG_E_IO;
    while ((rc = xlmig_tls_handshake(s->ssl, &ev, why, sizeof(why))) == 1) {
        rc = setup_wait(ch, dp, s->fd, ev, s->name, until);
        if (rc)
            return rc;
    }
    if (rc) {
        xlmig_err(XLMIG_E_IO, "%s: TLS handshake failed: %s", s->name, why);
        return XLMIG_E_IO;
    }
    if (!SSL_session_reused(s->ssl)) {
        xlmig_err(XLMIG_E_IO, "%s: TLS handshake without the one-time key",
                  s->name);
        return XLMIG_E_IO;
    }
    return 0;
}

static int open_stream(xlmig_chan *ch, xlmig_datapath *dp, xlmig_tls *tls,
                       const uint8_t key[XLMIG_DATA_KEY_LEN],
                       xlmig_dp_stream *s, const sockaddr_any *a,
                       socklen_t alen)
{
    uint64_t until = xlmig_now_ns() + 2ULL * XLMIG_DP_HANDSHAKE_MS *
                     1000000ULL;
    int rc = tcp_connect(ch, dp, a, alen, s->name, until, &s->fd);

    if (!rc)
        rc = client_auth(ch, dp, tls, key, s, until);
    return rc;
}

/*
 * Test builds: XLMIG_TEST_DATAPATH=stranger connects once with a key
 * of its own before the real streams (the destination must refuse it
 * and go on), =strangers one more time than the listener takes (it
 * must give up), =wrong-key makes every stream prove a key one bit off.
 */
static int test_stranger(xlmig_chan *ch, xlmig_datapath *dp,
                         const sockaddr_any *a, socklen_t alen)
{
    uint8_t key[XLMIG_DATA_KEY_LEN];
    xlmig_dp_stream s;
    xlmig_tls tls;
    int rc;

    xlmig_dp_stream_init(&s);
    xlmig_tls_init(&tls);
    snprintf(s.name, sizeof(s.name), "test stranger");
    rc = xlmig_data_key_new(key);
    if (!rc && dp->kind == XLMIG_DP_TLS)
        rc = xlmig_tls_setup(&tls, false, key);
    if (!rc)
        rc = open_stream(ch, dp, &tls, key, &s, a, alen);
    if (!rc) {
        xlmig_err(XLMIG_E_IO, "test stranger: the destination took a"
                  " connection with a wrong key");
        rc = XLMIG_E_IO;
    } else if (rc == XLMIG_E_IO) {
        XLMIG_INFO("test stranger refused: %s", xlmig_errmsg());
        xlmig_err_clear();
        rc = 0;
    }
    xlmig_dp_stream_close(&s);
    xlmig_tls_dispose(&tls);
    OPENSSL_cleanse(key, sizeof(key));
    return rc;
}

int xlmig_dp_connect(xlmig_datapath *dp, xlmig_chan *ch,
                     const xlmig_msg *listen)
{
    const char *hook = xlmig_test_env("XLMIG_TEST_DATAPATH");
    uint8_t key[XLMIG_DATA_KEY_LEN];
    char where[64];
    sockaddr_any a;
    socklen_t alen;
    unsigned i;
    int rc;

    if (!listen->port || listen->port > 65535 ||
        xlmig_dp_parse_addr(listen->data_addr, (unsigned)listen->port, &a,
                            &alen) ||
        xlmig_dp_wildcard(&a)) {
        xlmig_err(XLMIG_E_PROTO, "destination's data-listen: \"%.64s\""
                  " port %llu is not an address and port to connect to",
                  listen->data_addr ? listen->data_addr : "",
                  (unsigned long long)listen->port);
        return XLMIG_E_PROTO;
    }
    xlmig_dp_addr_str(&a, where, sizeof(where));
    memcpy(key, dp->key, sizeof(key));
    if (hook && !strcmp(hook, "wrong-key"))
        key[0] ^= 1;
    rc = 0;
    if (dp->kind == XLMIG_DP_TLS)
        rc = xlmig_tls_setup(&dp->tls, false, key);
    /* strangers: one more than the listener takes before it gives up */
    for (i = 0; !rc && hook && (!strcmp(hook, "stranger") ? i < 1 :
         !strcmp(hook, "strangers") ? i <= XLMIG_DP_MAX_FAILED : 0); i++)
        rc = test_stranger(ch, dp, &a, alen);
    for (i = 0; !rc && i < dp->n; i++) {
        snprintf(dp->s[i].name, sizeof(dp->s[i].name), "data stream %u to"
                 " %s", i + 1, where);
        rc = open_stream(ch, dp, &dp->tls, key, &dp->s[i], &a, alen);
    }
    OPENSSL_cleanse(key, sizeof(key));
    if (rc)
        return send_failed(ch, rc);
    dp->open = dp->n;
    dp->ktls = dp->kind == XLMIG_DP_TLS;
    for (i = 0; i < dp->n && dp->ktls; i++)
        dp->ktls = xlmig_tls_ktls_send(dp->s[i].ssl);
    for (i = 0; i < dp->n && dp->kind == XLMIG_DP_TLS; i++) {
        if (xlmig_tls_ktls_send(dp->s[i].ssl))
            continue;
        rc = xlmig_tls_gather(dp->s[i].ssl);
        if (rc)
            return rc;
        dp->s[i].gather = true;
    }
    snprintf(dp->addr, sizeof(dp->addr), "%s", where);
    dp->port = (unsigned)listen->port;
    dp->dest = false;
    dp->active = true;
    ch->dp = dp;
    return 0;
}

/*
 * A stream failed: the destination may have said why on the control
 * channel, or closed that too (it is gone: say so, with the stream's
 * own error).
 */
static int send_failed(xlmig_chan *ch, int rc)
{
    xlmig_err_saved e;
    int r2;

    if (rc != XLMIG_E_IO || !xlmig_dp_peer_word(ch))
        return rc;
    xlmig_err_save(&e);
    r2 = source_ctl(ch, false);
    if (r2 == XLMIG_E_REMOTE || r2 == XLMIG_E_PROTO)
        return r2;
    xlmig_err_clear();
    xlmig_err(rc, "%s closed the connection: %s", ch->peer, e.msg);
    return rc;
}

static int wait_send(xlmig_chan *ch, xlmig_datapath *dp, xlmig_dp_stream *s,
                     short ev, uint64_t *waited)
{
    struct pollfd p = { .fd = s->fd, .events = ev };
    int rc = xlmig_dp_poll(ch, dp, &p, 1, s->name, waited, 0, false);

    return rc == 1 ? source_ctl(ch, false) : rc;
}

/*
 * The rate limit's sleep for len bytes sent. It ends at the switchover
 * deadline; past it nothing more is written (the paced bytes would
 * have left later than that).
 */
static int pace(xlmig_chan *ch, size_t len)
{
    xlmig_chan_pace(ch, len);
    return xlmig_chan_check_deadline(ch, "sending to");
}

/* Exactly len bytes onto s's socket. */
static int raw_send(xlmig_chan *ch, xlmig_datapath *dp, xlmig_dp_stream *s,
                    const uint8_t *p, size_t len, uint64_t *waited)
{
    ssize_t r;
    int rc;

    while (len) {
        r = send(s->fd, p, len, MSG_NOSIGNAL);
        if (r > 0) {
            p += r;
            len -= (size_t)r;
            continue;
        }
        if (r < 0 && errno != EAGAIN && errno != EINTR) {
            xlmig_err(XLMIG_E_IO, "%s: %s", s->name, strerror(errno));
            return XLMIG_E_IO;
        }
        rc = wait_send(ch, dp, s, POLLOUT, waited);
        if (rc)
            return rc;
    }
    return 0;
}

static int tls_write_all(xlmig_chan *ch, xlmig_datapath *dp,
                         xlmig_dp_stream *s, const uint8_t *p, size_t len,
                         uint64_t *waited)
{
    const uint8_t *out;
    char why[256];
    short ev;
    int r, rc;

    for (;;) {
        errno = 0;
        r = SSL_write(s->ssl, p, (int)len);
        if (r > 0)
            break;
        if (s->gather ||
            !xlmig_tls_retry(s->ssl, r, &ev, why, sizeof(why))) {
            if (s->gather)
                snprintf(why, sizeof(why), "records not gathered");
            xlmig_err(XLMIG_E_IO, "%s: TLS write failed: %s", s->name, why);
            return XLMIG_E_IO;
        }
        rc = wait_send(ch, dp, s, ev, waited);
        if (rc)
            return rc;
    }
    if (s->gather) {
        size_t n = xlmig_tls_gathered(s->ssl, &out);

        rc = raw_send(ch, dp, s, out, n, waited);
        xlmig_tls_gathered_sent(s->ssl);
        if (rc)
            return rc;
    }
    xlmig_meter_add(&ch->meter, len);
    return pace(ch, len);
}

static int tls_send(xlmig_chan *ch, xlmig_datapath *dp, xlmig_dp_stream *s,
                    const struct iovec *v, int n, uint64_t *waited)
{
    size_t fill = 0, off;
    int i, rc;

    if (!dp->stage && !(dp->stage = malloc(STAGE_LEN))) {
        xlmig_err(XLMIG_E_NOMEM, "no memory for the data path's buffer");
        return XLMIG_E_NOMEM;
    }
    for (i = 0; i < n; i++) {
        for (off = 0; off < v[i].iov_len;) {
            size_t k = v[i].iov_len - off;

            if (k > STAGE_LEN - fill)
                k = STAGE_LEN - fill;
            memcpy(dp->stage + fill, (const char *)v[i].iov_base + off, k);
            fill += k;
            off += k;
            if (fill < STAGE_LEN)
                continue;
            rc = tls_write_all(ch, dp, s, dp->stage, fill, waited);
            if (rc)
                return rc;
            fill = 0;
        }
    }
    return fill ? tls_write_all(ch, dp, s, dp->stage, fill, waited) : 0;
}

static int tcp_send(xlmig_chan *ch, xlmig_datapath *dp, xlmig_dp_stream *s,
                    struct iovec *v, int n, uint64_t *waited)
{
    struct msghdr mh;
    ssize_t r;
    int rc;

    while (n > 0) {
        memset(&mh, 0, sizeof(mh));
        mh.msg_iov = v;
        mh.msg_iovlen = (size_t)n;
        r = sendmsg(s->fd, &mh, MSG_NOSIGNAL);
        if (r < 0) {
            if (errno != EAGAIN && errno != EINTR) {
                xlmig_err(XLMIG_E_IO, "%s: %s", s->name, strerror(errno));
                return XLMIG_E_IO;
            }
            rc = wait_send(ch, dp, s, POLLOUT, waited);
            if (rc)
                return rc;
            continue;
        }
        xlmig_meter_add(&ch->meter, (uint64_t)r);
        rc = pace(ch, (size_t)r);
        if (rc)
            return rc;
        xlmig_iov_advance(&v, &n, (size_t)r);
    }
    return 0;
}

int xlmig_dp_send(xlmig_datapath *dp, xlmig_chan *ch, uint32_t type,
                  const struct iovec *iov, int n)
{
    static const uint8_t zeros[8];
    uint8_t hdr[XLMIG_STRIPE_HDR_LEN];
    volatile int *cancel = ch->cancel;
    uint64_t waited = 0;
    xlmig_dp_stream *s;
    struct iovec *v;
    size_t len = 0;
    int i, k = 0, rc;

    if (cancel && *cancel) {
        xlmig_err(XLMIG_E_ABORTED, "cancelled while sending to %s",
                  ch->peer);
        return XLMIG_E_ABORTED;
    }
    for (i = 0; i < n; i++)
        len += iov[i].iov_len;
    if (len > UINT32_MAX)
        return XLMIG_E_INVAL;
    v = malloc(((size_t)n + 2) * sizeof(*v));
    if (!v) {
        xlmig_err(XLMIG_E_NOMEM, "no memory for a record's %d pieces", n);
        return XLMIG_E_NOMEM;
    }
    /*
     * Record seq on stream seq % n: every stream carries its share in
     * order. A stream that runs ahead of the reorder buffer's slots
     * is parked at the destination until the slow ones catch up
     * (reorder.h), so their speeds may differ.
     */
    s = &dp->s[dp->seq % dp->n];
    xlmig_stripe_hdr_put(hdr, dp->seq, type, (uint32_t)len);
    v[k++] = (struct iovec){ hdr, sizeof(hdr) };
    for (i = 0; i < n; i++)
        if (iov[i].iov_len)
            v[k++] = iov[i];
    if (xlmig_rec_padded(len) != len)
        v[k++] = (struct iovec){ (void *)zeros, xlmig_rec_padded(len) - len };
    /* Once started, a record is finished (as chan_writev does). */
    ch->cancel = NULL;
    if (dp->kind == XLMIG_DP_TLS)
        rc = tls_send(ch, dp, s, v, k, &waited);
    else
        rc = tcp_send(ch, dp, s, v, k, &waited);
    ch->cancel = cancel;
    free(v);
    if (rc)
        return send_failed(ch, rc);
    dp->seq++;
    return 0;
}

int xlmig_dp_check_alive(xlmig_datapath *dp, xlmig_chan *ch)
{
    struct pollfd p;
    unsigned i;

    for (i = 0; i < dp->open; i++) {
        p = (struct pollfd){ .fd = dp->s[i].fd, .events = POLLRDHUP };
        if (p.fd < 0 || poll(&p, 1, 0) <= 0)
            continue;
        /* Readable alone is a TLS ticket; these are an end. */
        if (!(p.revents & (POLLRDHUP | POLLHUP | POLLERR)))
            continue;
        xlmig_err(XLMIG_E_IO, "%s: closed by the peer", dp->s[i].name);
        return send_failed(ch, XLMIG_E_IO);
    }
    return 0;
}

void xlmig_dp_end(xlmig_datapath *dp)
{
    const uint8_t *p;
    unsigned i;
    size_t n;

    dp->active = false;
    for (i = 0; i < dp->open; i++) {
        xlmig_dp_stream *s = &dp->s[i];

        /* close_notify, no wait: one try into an emptied socket. */
        if (s->ssl)
            SSL_shutdown(s->ssl);
        if (s->gather && (n = xlmig_tls_gathered(s->ssl, &p)) > 0) {
            if (send(s->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
                XLMIG_DBG("%s: close_notify not sent: %s", s->name,
                          strerror(errno));
            xlmig_tls_gathered_sent(s->ssl);
        }
        if (s->fd >= 0)
            shutdown(s->fd, SHUT_WR);
    }
}
