/*
 * The data path's destination side, receiving (datapath.h): the
 * records read from the streams and handed on in order; the streams
 * are set up in datapath_accept.c.
 */
#include "datapath_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/ssl.h>

#include "error.h"
#include "wire.h"

/* Bytes read: > 0; 0 would block; -1 end of stream; -2 error (why). */
static ssize_t stream_read(xlmig_dp_stream *s, void *buf, size_t len,
                           char *why, size_t why_len)
{
    ssize_t r;
    short ev;

    if (s->ssl) {
        errno = 0;
        r = SSL_read(s->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
        if (r > 0)
            return r;
        if (SSL_get_error(s->ssl, (int)r) == SSL_ERROR_ZERO_RETURN)
            return -1;
        if (xlmig_tls_retry(s->ssl, (int)r, &ev, why, why_len))
            return 0;
        return !strcmp(why, "closed by the peer") ? -1 : -2;
    }
    r = recv(s->fd, buf, len, 0);
    if (r > 0)
        return r;
    if (r == 0)
        return -1;
    if (errno == EAGAIN || errno == EINTR)
        return 0;
    snprintf(why, why_len, "%s", strerror(errno));
    return -2;
}

static int stream_err(xlmig_dp_stream *s, const char *what)
{
    xlmig_err(XLMIG_E_IO, "%s: %s", s->name, what);
    return XLMIG_E_IO;
}

/* The frame header just read: known type, length within its bound. */
static int take_hdr(xlmig_chan *ch, xlmig_dp_stream *s)
{
    uint8_t legacy[XLMIG_REC_HDR_LEN];
    xlmig_rec_hdr h;
    int rc;

    xlmig_stripe_hdr_get(s->hdr, &s->seq, &s->type, &s->len);
    xlmig_rec_hdr_put(legacy, s->type, s->len);
    rc = xlmig_rec_hdr_get(legacy, sizeof(legacy), ch->page_size, &h);
    if (rc) {
        xlmig_err_replace(rc, "%s: record %llu: %s", s->name,
                          (unsigned long long)s->seq, xlmig_errmsg());
        return rc;
    }
    s->have_hdr = true;
    s->want = xlmig_rec_padded(s->len);
    s->got = 0;
    return 0;
}

/*
 * A whole record read on s. The next one in order goes to the chan as
 * it is, a later one into the reorder buffer: either way its buffer
 * changes hands (no copy), and s gets back an idle one to read into.
 */
static int complete(xlmig_datapath *dp, xlmig_chan *ch, xlmig_dp_stream *s,
                    bool *got)
{
    uint8_t *b;
    size_t cap;
    unsigned i;
    int rc;

    ch->bytes_in += XLMIG_STRIPE_HDR_LEN + s->want;
    s->have_hdr = false;
    s->hdr_got = 0;
    s->got = 0;
    if (s->seq != dp->ro.next_seq) {
        rc = xlmig_reorder_put_buf(&dp->ro, s->seq, s->type, &s->buf,
                                   &s->cap, s->len);
        if (rc)
            xlmig_err_replace(rc, "%s: %s", s->name, xlmig_errmsg());
        return rc;
    }
    rc = xlmig_reorder_put(&dp->ro, s->seq, s->type, "", 0);
    if (rc)
        return rc;
    xlmig_reorder_pop(&dp->ro);
    b = ch->buf;
    cap = ch->buf_cap;
    ch->buf = s->buf;
    ch->buf_cap = s->cap;
    s->buf = b;
    s->cap = cap;
    ch->buf[s->len] = 0;
    ch->last.type = s->type;
    ch->last.length = s->len;
    for (i = 0; i < dp->open; i++)
        dp->s[i].parked = false;
    /* memory-end, the only control record striped, ends the data path. */
    if (s->type == XLMIG_REC_CONTROL)
        dp->active = false;
    *got = true;
    return 0;
}

/*
 * Read what stream s has, up to one whole record. *moved says whether
 * anything came, *got whether the chan has its next record.
 */
static int pump(xlmig_datapath *dp, xlmig_chan *ch, xlmig_dp_stream *s,
                bool *moved, bool *got)
{
    char why[256] = "";
    ssize_t r;
    int rc;

    while (!s->ended && !s->parked) {
        if (!s->have_hdr) {
            r = stream_read(s, s->hdr + s->hdr_got,
                            sizeof(s->hdr) - s->hdr_got, why, sizeof(why));
            if (r == 0)
                return 0;
            if (r == -1 && !s->hdr_got) {
                s->ended = true;
                return 0;
            }
            if (r == -1)
                return stream_err(s, "closed in the middle of a record");
            if (r < 0)
                return stream_err(s, why);
            *moved = true;
            s->hdr_got += (size_t)r;
            if (s->hdr_got < sizeof(s->hdr))
                continue;
            rc = take_hdr(ch, s);
            if (rc)
                return rc;
        }
        if (!s->got && !xlmig_reorder_room(&dp->ro, s->seq, s->len)) {
            s->parked = true;
            return 0;
        }
        /* One more byte: the chan's records end in a NUL. */
        if (s->want + 1 > s->cap) {
            uint8_t *nb = realloc(s->buf, s->want + 1);

            if (!nb) {
                xlmig_err(XLMIG_E_NOMEM, "%s: no memory for a %zu-byte"
                          " record", s->name, s->want);
                return XLMIG_E_NOMEM;
            }
            s->buf = nb;
            s->cap = s->want + 1;
        }
        while (s->got < s->want) {
            r = stream_read(s, s->buf + s->got, s->want - s->got, why,
                            sizeof(why));
            if (r == 0)
                return 0;
            if (r == -1)
                return stream_err(s, "closed in the middle of a record");
            if (r < 0)
                return stream_err(s, why);
            *moved = true;
            s->got += (size_t)r;
        }
        return complete(dp, ch, s, got);
    }
    return 0;
}

/* The next record in order, if it is here, into the chan (no copy). */
static int deliver(xlmig_datapath *dp, xlmig_chan *ch, bool *got)
{
    uint32_t type;
    size_t len;
    unsigned i;
    int rc;

    if (!xlmig_reorder_take(&dp->ro, &type, &ch->buf, &ch->buf_cap, &len))
        return 0;
    /* Its room for the NUL: a stream's buffers have it already. */
    rc = xlmig_chan_reserve(ch, len);
    if (rc)
        return rc;
    ch->buf[len] = 0;
    ch->last.type = type;
    ch->last.length = (uint32_t)len;
    for (i = 0; i < dp->open; i++)
        dp->s[i].parked = false;
    /* memory-end, the only control record striped, ends the data path. */
    if (type == XLMIG_REC_CONTROL)
        dp->active = false;
    *got = true;
    return 0;
}

/*
 * The source spoke on ssh during the stream: its abort or error is
 * handed on as the record read (the phase machine says it aborted); a
 * ping (its keepalive while its local disks sync) only says it is
 * there, and is dropped (*alive): kept, it would stand where go is
 * due; anything else waits until the data path has ended.
 */
static int dest_ctl(xlmig_datapath *dp, xlmig_chan *ch, bool *got,
                    bool *alive)
{
    xlmig_msg m;
    bool ok;
    int rc = xlmig_chan_recv_ctl(ch);

    *alive = false;
    if (rc)
        return rc;
    xlmig_msg_init(&m, XLMIG_MSG_NONE);
    ok = ch->last.type == XLMIG_REC_CONTROL &&
         xlmig_chan_decode_last(ch, &m) == 0;
    if (ok && m.type == XLMIG_MSG_PING) {
        xlmig_msg_dispose(&m);
        *alive = true;
        return 0;
    }
    if (ok && m.type != XLMIG_MSG_ABORT && m.type != XLMIG_MSG_ERROR) {
        xlmig_msg_dispose(&m);
        free(dp->stash);
        dp->stash = malloc(ch->last.length + 1u);
        if (!dp->stash) {
            xlmig_err(XLMIG_E_NOMEM, "no memory for a control message");
            return XLMIG_E_NOMEM;
        }
        memcpy(dp->stash, ch->buf, ch->last.length);
        dp->stash_len = ch->last.length;
        dp->stash_type = ch->last.type;
        dp->has_stash = true;
        return 0;
    }
    xlmig_msg_dispose(&m);
    xlmig_err_clear();          /* a bad message: stream_control says */
    *got = true;
    return 0;
}

bool xlmig_dp_take_stash(xlmig_datapath *dp, xlmig_chan *ch)
{
    if (!dp->has_stash || xlmig_chan_reserve(ch, dp->stash_len))
        return false;
    memcpy(ch->buf, dp->stash, dp->stash_len);
    ch->buf[dp->stash_len] = 0;
    ch->last.type = dp->stash_type;
    ch->last.length = (uint32_t)dp->stash_len;
    free(dp->stash);
    dp->stash = NULL;
    dp->has_stash = false;
    return true;
}

/* A stream failed: if the source said why on ssh, that is the record. */
static int recv_failed(xlmig_datapath *dp, xlmig_chan *ch, int rc)
{
    xlmig_err_saved e;
    bool got = false, alive;

    if (dp->has_stash || !xlmig_dp_peer_word(ch))
        return rc;
    xlmig_err_save(&e);
    if (!dest_ctl(dp, ch, &got, &alive) && got)
        return 0;
    xlmig_err_restore(&e);
    return rc;
}

int xlmig_dp_recv(xlmig_datapath *dp, xlmig_chan *ch)
{
    struct pollfd p[XLMIG_DP_MAX_STREAMS];
    uint64_t waited = 0;
    bool got = false, moved, alive;
    unsigned i, ended;
    int np, rc;

    for (;;) {
        rc = deliver(dp, ch, &got);
        if (rc || got)
            return rc;
        moved = false;
        for (i = 0; i < dp->open && !got; i++) {
            rc = pump(dp, ch, &dp->s[i], &moved, &got);
            if (rc)
                return recv_failed(dp, ch, rc);
        }
        if (got)
            return 0;
        if (moved) {
            waited = 0;
            continue;
        }
        np = 0;
        ended = 0;
        for (i = 0; i < dp->open; i++) {
            if (dp->s[i].ended) {
                ended++;
                continue;
            }
            if (dp->s[i].parked)
                continue;
            p[np++] = (struct pollfd){ .fd = dp->s[i].fd, .events = POLLIN };
        }
        if (ended == dp->open) {
            xlmig_err(XLMIG_E_IO, "data streams from the source ended"
                      " before memory-end (record %llu never came)",
                      (unsigned long long)dp->ro.next_seq);
            return recv_failed(dp, ch, XLMIG_E_IO);
        }
        rc = xlmig_dp_poll(ch, dp, p, np, "waiting for the data streams"
                           " from the source", &waited, 0, true);
        if (rc == 1) {
            rc = dest_ctl(dp, ch, &got, &alive);
            if (rc || got)
                return rc;
            if (alive)
                waited = 0;
            continue;
        }
        if (rc)
            return rc;
    }
}
