#include "chan.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datapath.h"
#include "error.h"

#define POLL_SLICE_MS 100
#define WRITE_CHUNK (256u * 1024u)

void xlmig_chan_init(xlmig_chan *ch, xlmig_conn *conn, const char *peer)
{
    memset(ch, 0, sizeof(*ch));
    ch->conn = conn;
    ch->peer = peer ? peer : "peer";
    xlmig_ratelimit_init(&ch->rl, 0, 0);
    xlmig_meter_init(&ch->meter, xlmig_now_ns());
    xlmig_codec_enc_init(&ch->enc);
}

void xlmig_chan_dispose(xlmig_chan *ch)
{
    free(ch->buf);
    ch->buf = NULL;
    ch->buf_cap = 0;
    xlmig_codec_enc_dispose(&ch->enc);
}

void xlmig_chan_set_rate(xlmig_chan *ch, double Bps)
{
    xlmig_ratelimit_init(&ch->rl, Bps, 0);
}

int xlmig_chan_check_deadline(xlmig_chan *ch, const char *what)
{
    if (!ch->deadline_ns || xlmig_now_ns() < ch->deadline_ns)
        return 0;
    ch->deadline_hit = true;
    xlmig_err(XLMIG_E_TIMEOUT, "switchover deadline passed while %s %s",
              what, ch->peer);
    return XLMIG_E_TIMEOUT;
}

/*
 * Wait until fd is ready for ev; honours cancel, the deadline and the
 * I/O timeout of the operation, whose waits add up in *waited. Past the
 * deadline an answer already there is still read (it may be the "done"
 * that settles a commit), but nothing more is waited for or written.
 */
static int wait_fd(xlmig_chan *ch, int fd, short ev, const char *what,
                   uint64_t *waited)
{
    struct pollfd pfd = { .fd = fd, .events = ev };
    uint64_t t0, now;
    int r, ms, left;

    if (fd < 0) {
        xlmig_err(XLMIG_E_IO, "connection to %s is closed", ch->peer);
        return XLMIG_E_IO;
    }
    for (;;) {
        if (ch->cancel && *ch->cancel) {
            xlmig_err(XLMIG_E_ABORTED, "cancelled while %s %s", what,
                      ch->peer);
            return XLMIG_E_ABORTED;
        }
        if (ev == POLLOUT && xlmig_chan_check_deadline(ch, what))
            return XLMIG_E_TIMEOUT;
        if (ch->io_timeout_ns && *waited > ch->io_timeout_ns)
            break;
        ms = POLL_SLICE_MS;
        t0 = xlmig_now_ns();
        left = ch->deadline_ns ? xlmig_ms_until(ch->deadline_ns, t0) : ms;
        if (left < ms)
            ms = left;
        r = poll(&pfd, 1, ms);
        now = xlmig_now_ns();
        *waited += now - t0;
        if (r > 0)
            return 0;
        if (r < 0 && errno != EINTR) {
            xlmig_err(XLMIG_E_IO, "poll on connection to %s: %s", ch->peer,
                      strerror(errno));
            return XLMIG_E_IO;
        }
        if (xlmig_chan_check_deadline(ch, what))
            return XLMIG_E_TIMEOUT;
    }
    xlmig_err(XLMIG_E_TIMEOUT, "%s did not respond within %.3g s while %s"
              " it", ch->peer, (double)ch->io_timeout_ns / 1e9, what);
    return XLMIG_E_TIMEOUT;
}

void xlmig_chan_pace(xlmig_chan *ch, size_t len)
{
    uint64_t wait = xlmig_ratelimit_take(&ch->rl, len, xlmig_now_ns());

    /* Sleep in slices so that a cancel or the deadline is noticed. */
    while (wait && !(ch->cancel && *ch->cancel) &&
           !(ch->deadline_ns && xlmig_now_ns() >= ch->deadline_ns)) {
        uint64_t s = wait > 50000000ULL ? 50000000ULL : wait;

        xlmig_sleep_ns(s);
        wait -= s;
    }
}

void xlmig_iov_advance(struct iovec **iov, int *n, size_t done)
{
    struct iovec *v = *iov;

    while (*n > 0 && done >= v[0].iov_len) {
        done -= v[0].iov_len;
        v++;
        (*n)--;
    }
    if (*n > 0) {
        v[0].iov_base = (char *)v[0].iov_base + done;
        v[0].iov_len -= done;
    }
    *iov = v;
}

int xlmig_chan_writev(xlmig_chan *ch, struct iovec *iov, int n)
{
    volatile int *cancel = ch->cancel;
    uint64_t waited = 0;        /* our own pacing is not the peer's */
    ssize_t r;
    int rc = 0;

    if (cancel && *cancel) {
        xlmig_err(XLMIG_E_ABORTED, "cancelled while sending to %s",
                  ch->peer);
        return XLMIG_E_ABORTED;
    }
    /*
     * Once started, a record is finished: a half-written one would make
     * the abort message that follows unreadable.
     */
    ch->cancel = NULL;
    while (n > 0) {
        size_t chunk = 0;
        int cnt = 0;
        struct iovec save;

        /* Limit each write so the token bucket sees a smooth stream. */
        while (cnt < n && chunk < WRITE_CHUNK)
            chunk += iov[cnt++].iov_len;
        save = iov[cnt - 1];
        if (chunk > WRITE_CHUNK && ch->rl.rate_Bps > 0) {
            iov[cnt - 1].iov_len -= chunk - WRITE_CHUNK;
            chunk = WRITE_CHUNK;
        }
        xlmig_chan_pace(ch, chunk);
        rc = wait_fd(ch, ch->conn->out_fd, POLLOUT, "sending to", &waited);
        if (rc) {
            iov[cnt - 1] = save;
            goto out;
        }
        r = writev(ch->conn->out_fd, iov, cnt);
        iov[cnt - 1] = save;
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            xlmig_err(XLMIG_E_IO, "connection to %s lost while sending: %s",
                      ch->peer, strerror(errno));
            rc = XLMIG_E_IO;
            goto out;
        }
        xlmig_meter_add(&ch->meter, (uint64_t)r);
        xlmig_iov_advance(&iov, &n, (size_t)r);
    }
out:
    ch->cancel = cancel;
    return rc;
}

int xlmig_chan_write(xlmig_chan *ch, const void *buf, size_t len)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };

    return xlmig_chan_writev(ch, &iov, 1);
}

/* One piece of an operation whose waits so far are *waited. */
static int read_part(xlmig_chan *ch, void *buf, size_t len,
                     uint64_t *waited)
{
    size_t got = 0;
    ssize_t r;
    int rc;

    while (got < len) {
        rc = wait_fd(ch, ch->conn->in_fd, POLLIN, "waiting for", waited);
        if (rc)
            return rc;
        r = read(ch->conn->in_fd, (char *)buf + got, len - got);
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            xlmig_err(XLMIG_E_IO, "connection to %s lost while receiving:"
                      " %s", ch->peer, strerror(errno));
            return XLMIG_E_IO;
        }
        if (r == 0) {
            xlmig_err(XLMIG_E_IO, "%s closed the connection%s", ch->peer,
                      got ? " in the middle of a record" : "");
            return XLMIG_E_IO;
        }
        got += (size_t)r;
        ch->bytes_in += (uint64_t)r;
    }
    return 0;
}

int xlmig_chan_read(xlmig_chan *ch, void *buf, size_t len)
{
    uint64_t waited = 0;

    return read_part(ch, buf, len, &waited);
}

int xlmig_chan_send_magic(xlmig_chan *ch)
{
    return xlmig_chan_write(ch, XLMIG_WIRE_MAGIC, XLMIG_WIRE_MAGIC_LEN);
}

int xlmig_chan_expect_magic(xlmig_chan *ch)
{
    char got[XLMIG_WIRE_MAGIC_LEN + 1];
    char shown[XLMIG_WIRE_MAGIC_LEN + 1];
    size_t i;
    int rc;

    rc = xlmig_chan_read(ch, got, XLMIG_WIRE_MAGIC_LEN);
    if (rc)
        return rc;
    if (!memcmp(got, XLMIG_WIRE_MAGIC, XLMIG_WIRE_MAGIC_LEN))
        return 0;
    for (i = 0; i < XLMIG_WIRE_MAGIC_LEN; i++)
        shown[i] = isprint((unsigned char)got[i]) ? got[i] : '.';
    shown[i] = 0;
    xlmig_err(XLMIG_E_PROTO, "%s does not speak the xlmig protocol"
              " (it sent \"%s\")", ch->peer, shown);
    return XLMIG_E_PROTO;
}

int xlmig_chan_send_recv(xlmig_chan *ch, uint32_t type,
                         const struct iovec *iov, int n)
{
    static const uint8_t zeros[8];
    uint8_t hdr[XLMIG_REC_HDR_LEN];
    struct iovec *v;
    size_t len = 0;
    int i, k = 0, rc;

    for (i = 0; i < n; i++)
        len += iov[i].iov_len;
    if (len > UINT32_MAX)
        return XLMIG_E_INVAL;
    if (ch->dp && ch->dp->active && !ch->dp->dest &&
        type != XLMIG_REC_CONTROL)
        return xlmig_dp_send(ch->dp, ch, type, iov, n);
    v = malloc(((size_t)n + 2) * sizeof(*v));
    if (!v) {
        xlmig_err(XLMIG_E_NOMEM, "no memory for a record's %d pieces", n);
        return XLMIG_E_NOMEM;
    }
    xlmig_rec_hdr_put(hdr, type, (uint32_t)len);
    v[k++] = (struct iovec){ hdr, sizeof(hdr) };
    for (i = 0; i < n; i++)
        if (iov[i].iov_len)
            v[k++] = iov[i];
    if (xlmig_rec_padded(len) != len)
        v[k++] = (struct iovec){ (void *)zeros, xlmig_rec_padded(len) - len };
    rc = xlmig_chan_writev(ch, v, k);
    free(v);
    return rc;
}

int xlmig_chan_send_rec(xlmig_chan *ch, uint32_t type, const void *p,
                        size_t len)
{
    struct iovec iov = { (void *)p, len };

    return xlmig_chan_send_recv(ch, type, &iov, 1);
}

int xlmig_chan_reserve(xlmig_chan *ch, size_t len)
{
    uint8_t *nb;

    if (len + 1 <= ch->buf_cap)
        return 0;
    nb = realloc(ch->buf, len + 1);
    if (!nb) {
        xlmig_err(XLMIG_E_NOMEM, "no memory for a %zu-byte record", len);
        return XLMIG_E_NOMEM;
    }
    ch->buf = nb;
    ch->buf_cap = len + 1;
    return 0;
}

/*
 * An encoded memory record, sent as any record (over the data path
 * when one is active). The time it took feeds the codec's decision.
 */
static int send_coded(xlmig_chan *ch, const xlmig_codec_out *out)
{
    uint64_t t0 = xlmig_now_ns(), t1;
    int rc = xlmig_chan_send_recv(ch, out->type, out->iov, out->niov);

    t1 = xlmig_now_ns();
    if (!rc)
        xlmig_codec_enc_sent(&ch->enc, out, t1 - t0, t1);
    return rc;
}

int xlmig_chan_send_pages(xlmig_chan *ch, const uint64_t *pfns, uint32_t n,
                          const uint8_t *base, uint32_t ps)
{
    xlmig_codec_out out;
    int rc = xlmig_codec_enc_pages(&ch->enc, pfns, n, base, ps, &out);

    return rc ? rc : send_coded(ch, &out);
}

int xlmig_chan_send_xen(xlmig_chan *ch, const void *p, size_t len)
{
    xlmig_codec_out out;
    int rc = xlmig_codec_enc_xen(&ch->enc, p, len, &out);

    return rc ? rc : send_coded(ch, &out);
}

int xlmig_chan_recv_rec(xlmig_chan *ch)
{
    if (ch->dp && ch->dp->active && ch->dp->dest)
        return xlmig_dp_recv(ch->dp, ch);
    if (ch->dp && xlmig_dp_take_stash(ch->dp, ch))
        return 0;
    return xlmig_chan_recv_ctl(ch);
}

int xlmig_chan_recv_ctl(xlmig_chan *ch)
{
    uint8_t hdr[XLMIG_REC_HDR_LEN];
    uint64_t waited = 0;        /* header and payload: one operation */
    size_t padded;
    int rc;

    rc = read_part(ch, hdr, sizeof(hdr), &waited);
    if (rc)
        return rc;
    rc = xlmig_rec_hdr_get(hdr, sizeof(hdr), ch->page_size, &ch->last);
    if (rc)
        return rc;
    padded = xlmig_rec_padded(ch->last.length);
    rc = xlmig_chan_reserve(ch, padded);
    if (rc)
        return rc;
    rc = read_part(ch, ch->buf, padded, &waited);
    if (rc)
        return rc;
    ch->buf[ch->last.length] = 0;
    return 0;
}

int xlmig_chan_decode_last(xlmig_chan *ch, xlmig_msg *m)
{
    if (ch->last.type != XLMIG_REC_CONTROL) {
        xlmig_err(XLMIG_E_PROTO, "%s sent a record of type %u where a"
                  " control message was expected", ch->peer, ch->last.type);
        return XLMIG_E_PROTO;
    }
    return xlmig_msg_decode((const char *)ch->buf, ch->last.length, m);
}

int xlmig_chan_recv_msg(xlmig_chan *ch, xlmig_msg *m)
{
    int rc = xlmig_chan_recv_rec(ch);

    if (rc)
        return rc;
    return xlmig_chan_decode_last(ch, m);
}

int xlmig_chan_send_msg(xlmig_chan *ch, const xlmig_msg *m)
{
    char *text = NULL;
    size_t len = 0;
    int rc;

    rc = xlmig_msg_encode(m, &text, &len);
    /* memory-end follows the last page, on the data streams. */
    if (!rc && ch->dp && ch->dp->active && !ch->dp->dest &&
        m->type == XLMIG_MSG_MEMORY_END) {
        struct iovec iov = { text, len };

        rc = xlmig_dp_send(ch->dp, ch, XLMIG_REC_CONTROL, &iov, 1);
        xlmig_dp_end(ch->dp);
    } else if (!rc) {
        rc = xlmig_chan_send_rec(ch, XLMIG_REC_CONTROL, text, len);
    }
    free(text);
    return rc;
}

static void last_words(xlmig_chan *ch, xlmig_msg_type type, int code,
                       const char *message, bool not_started)
{
    volatile int *cancel = ch->cancel;
    uint64_t tmo = ch->io_timeout_ns, dl = ch->deadline_ns;
    xlmig_msg m;

    /* Last words go out even when cancelled, but never wait long. */
    ch->cancel = NULL;
    ch->io_timeout_ns = 2000000000ULL;
    ch->deadline_ns = 0;
    xlmig_msg_init(&m, type);
    m.code = code;
    m.not_started = not_started;
    if (!xlmig_msg_set(&m.message, message))
        xlmig_chan_send_msg(ch, &m);
    xlmig_msg_dispose(&m);
    ch->cancel = cancel;
    ch->io_timeout_ns = tmo;
    ch->deadline_ns = dl;
}

void xlmig_chan_send_error(xlmig_chan *ch, xlmig_msg_type type, int code,
                           const char *message)
{
    last_words(ch, type, code, message, false);
}

void xlmig_chan_send_not_started(xlmig_chan *ch, int code,
                                 const char *message)
{
    last_words(ch, XLMIG_MSG_ERROR, code, message, true);
}

int xlmig_chan_expect(xlmig_chan *ch, xlmig_msg *m, xlmig_msg_type want,
                      int quit_rc, bool *peer_quit)
{
    int rc = xlmig_chan_recv_msg(ch, m);

    if (rc)
        return rc;
    if (m->type == want)
        return 0;
    if (m->type == XLMIG_MSG_ERROR || m->type == XLMIG_MSG_ABORT) {
        *peer_quit = true;
        xlmig_err(quit_rc, "%s %s: %s", ch->peer,
                  m->type == XLMIG_MSG_ABORT ? "aborted" : "failed",
                  m->message ? m->message : "no reason given");
        return quit_rc;
    }
    xlmig_err(XLMIG_E_PROTO, "%s sent \"%s\" where \"%s\" was expected",
              ch->peer, xlmig_msg_type_str(m->type),
              xlmig_msg_type_str(want));
    return XLMIG_E_PROTO;
}
