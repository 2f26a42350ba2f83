/*
 * The data path's source side, sending (datapath.h): records dealt to
 * the streams in turn, memory-end and the end; the streams are
 * connected and proven in datapath_connect.c.
 */
#include "datapath_priv.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/ssl.h>

#include "error.h"
#include "wire.h"

#define STAGE_LEN (256u * 1024u)     /* plaintext a SSL_write */

/*
 * Source: the control channel spoke while we sent. It can only be the
 * destination's error or abort (its reason is the one reported), or a
 * hang-up.
 */
int xlmig_dp_source_ctl(xlmig_chan *ch, bool replace)
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


/*
 * A stream failed: the destination may have said why on the control
 * channel, or closed that too (it is gone: say so, with the stream's
 * own error).
 */
int xlmig_dp_send_failed(xlmig_chan *ch, int rc)
{
    xlmig_err_saved e;
    int r2;

    if (rc != XLMIG_E_IO || !xlmig_dp_peer_word(ch))
        return rc;
    xlmig_err_save(&e);
    r2 = xlmig_dp_source_ctl(ch, false);
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

    return rc == 1 ? xlmig_dp_source_ctl(ch, false) : rc;
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
        return xlmig_dp_send_failed(ch, rc);
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
        return xlmig_dp_send_failed(ch, XLMIG_E_IO);
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
