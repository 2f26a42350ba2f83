/*
 * The stream over a connection to the peer (conn.h, which it borrows:
 * the fds are the conn's, and a hang-up there ends every wait here).
 * Output goes through the token bucket and the byte meter; every wait
 * polls so that a cancel request, the I/O timeout or the deadline ends
 * it promptly. The I/O timeout bounds an operation (one record read,
 * one write), counting all its waits: a peer that trickles a byte now
 * and then cannot stretch it.
 */
#ifndef XLMIG_CHAN_H
#define XLMIG_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "codec.h"
#include "conn.h"
#include "control.h"
#include "ratelimit.h"
#include "wire.h"

typedef struct xlmig_chan {
    xlmig_conn *conn;          /* borrowed: outlives the chan */
    const char *peer;          /* "destination", "source": for errors */
    xlmig_ratelimit rl;
    xlmig_meter meter;
    uint64_t bytes_in;
    uint64_t io_timeout_ns;    /* longest one operation (a record read,
                                  a write) may wait on the peer in all;
                                  0 = none */
    uint64_t deadline_ns;      /* monotonic: no wait goes past it (the
                                  switchover deadline); 0 = none */
    bool deadline_hit;         /* a wait ended at deadline_ns */
    volatile int *cancel;      /* optional: non-zero ends waits */
    uint32_t page_size;        /* agreed; bounds PAGES records */
    uint8_t *buf;              /* last record's payload */
    size_t buf_cap;
    xlmig_rec_hdr last;        /* header of the last record read */
    struct xlmig_datapath *dp; /* borrowed: while it is active, memory
                                  records and memory-end go through it
                                  (datapath.h); NULL: all on conn */
    xlmig_codec_enc enc;       /* memory records out (codec.h): raw
                                  unless agreed with the peer */
} xlmig_chan;

/* Touches no fd: conn may be opened later, or never. */
void xlmig_chan_init(xlmig_chan *ch, xlmig_conn *conn, const char *peer);
void xlmig_chan_dispose(xlmig_chan *ch);
void xlmig_chan_set_rate(xlmig_chan *ch, double Bps);

/*
 * XLMIG_E_TIMEOUT if deadline_ns has passed (deadline_hit set), else 0:
 * for loops that wait on something other than the channel.
 */
int xlmig_chan_check_deadline(xlmig_chan *ch, const char *what);

/* Exactly len bytes, honouring the rate limit. */
int xlmig_chan_write(xlmig_chan *ch, const void *buf, size_t len);
int xlmig_chan_writev(xlmig_chan *ch, struct iovec *iov, int n);
/* Step over done bytes that went out: whole pieces, then into one. */
void xlmig_iov_advance(struct iovec **iov, int *n, size_t done);
int xlmig_chan_read(xlmig_chan *ch, void *buf, size_t len);

int xlmig_chan_send_magic(xlmig_chan *ch);
/* Reads the peer's magic; says what the peer printed instead if wrong. */
int xlmig_chan_expect_magic(xlmig_chan *ch);

/* A record with payload p (len bytes), padded. */
int xlmig_chan_send_rec(xlmig_chan *ch, uint32_t type, const void *p,
                        size_t len);
/* The same, the payload gathered from n pieces. */
int xlmig_chan_send_recv(xlmig_chan *ch, uint32_t type,
                         const struct iovec *iov, int n);
/*
 * Memory records, through the codec (ch->enc): a PAGES record of n
 * pages (page i at base + pfns[i] * ps), a XEN chunk. Encoded first,
 * then sent as any record.
 */
int xlmig_chan_send_pages(xlmig_chan *ch, const uint64_t *pfns, uint32_t n,
                          const uint8_t *base, uint32_t ps);
int xlmig_chan_send_xen(xlmig_chan *ch, const void *p, size_t len);
/* Read a record into ch->buf; header in ch->last. */
int xlmig_chan_recv_rec(xlmig_chan *ch);

/* For the data path: a record from conn itself; the rate limit. */
int xlmig_chan_recv_ctl(xlmig_chan *ch);
void xlmig_chan_pace(xlmig_chan *ch, size_t len);
/* ch->buf holds at least len + 1 bytes. */
int xlmig_chan_reserve(xlmig_chan *ch, size_t len);

int xlmig_chan_send_msg(xlmig_chan *ch, const xlmig_msg *m);
/* Next record must be a control message; decoded into m. */
int xlmig_chan_recv_msg(xlmig_chan *ch, xlmig_msg *m);
/*
 * Next message must be of type want. If the peer sent abort or error
 * instead, *peer_quit is set and quit_rc returned with the peer's
 * reason; anything else is a protocol error naming both types.
 */
int xlmig_chan_expect(xlmig_chan *ch, xlmig_msg *m, xlmig_msg_type want,
                      int quit_rc, bool *peer_quit);
/* Decode the control message just read by xlmig_chan_recv_rec. */
int xlmig_chan_decode_last(xlmig_chan *ch, xlmig_msg *m);

/* Convenience: send an error or abort message, ignoring failures. */
void xlmig_chan_send_error(xlmig_chan *ch, xlmig_msg_type type, int code,
                           const char *message);
/* The destination's error that also says: the guest never ran here. */
void xlmig_chan_send_not_started(xlmig_chan *ch, int code,
                                 const char *message);

#endif
