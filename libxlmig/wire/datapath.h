/*
 * The data path: the memory stream over N parallel TCP connections to
 * the migration address, beside the ssh control channel (docs/design.md,
 * "A data path beside the control channel"). The source makes a
 * one-time key and sends it in its migrate request; the destination
 * listens on the migration address (an ephemeral port, told in a
 * data-listen message) only until the N expected connections proved the
 * key (TLS 1.3 with the key as external PSK, or for --no-encrypt an
 * HMAC challenge, tls.h), then closes the listener.
 *
 * Records are striped over the streams, each framed with a sequence
 * number (reorder.h), and put back in order on the destination with
 * bounded memory. The chan (chan.h) routes through here while the data
 * path is active: the memory records and memory-end go out striped,
 * and the destination's reads come back in order; every other control
 * message stays on ssh. Both sides keep watching the control channel
 * while they wait on a data stream, so the peer's abort or error is
 * seen at once, and one rate limit and one byte meter (the chan's)
 * count all streams together.
 */
#ifndef XLMIG_DATAPATH_H
#define XLMIG_DATAPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "control.h"
#include "reorder.h"
#include "tls.h"

struct xlmig_chan;

typedef enum {
    XLMIG_DP_SSH = 0,     /* the memory stream stays on the ssh channel */
    XLMIG_DP_TLS,         /* N TLS 1.3 streams (the tool's default) */
    XLMIG_DP_TCP,         /* --no-encrypt: N plain TCP streams */
} xlmig_dp_kind;

#define XLMIG_DP_MAX_STREAMS 16
/* Refused connections a listener takes before it gives up. */
#define XLMIG_DP_MAX_FAILED 8
/* One connection's handshake, at the most. */
#define XLMIG_DP_HANDSHAKE_MS 5000

typedef struct {
    int fd;
    SSL *ssl;
    bool gather;             /* TLS records gather in memory (tls.h) */
    char name[112];          /* "data stream 2 to 10.0.0.2:41234" */
    /* Receiving: a frame header, then its payload. */
    uint8_t hdr[XLMIG_STRIPE_HDR_LEN];
    size_t hdr_got;
    bool have_hdr;           /* header read and checked */
    bool parked;             /* no room: wait for a pop */
    uint64_t seq;
    uint32_t type, len;
    uint8_t *buf;            /* payload and padding */
    size_t cap, want, got;
    bool ended;              /* the source closed it between records */
} xlmig_dp_stream;

typedef struct xlmig_datapath {
    xlmig_dp_kind kind;
    unsigned n;              /* streams agreed */
    unsigned open;           /* connected and authenticated */
    xlmig_dp_stream s[XLMIG_DP_MAX_STREAMS];
    uint8_t key[XLMIG_DATA_KEY_LEN];
    bool has_key;
    xlmig_tls tls;
    int listen_fd;
    char addr[64];           /* the listener's address, numeric */
    unsigned port;
    bool dest;               /* the receiving side */
    bool active;             /* the chan routes through here */
    bool ktls;               /* every stream's sends are kernel TLS */
    unsigned refused;        /* connections that failed the handshake */
    /* Source. */
    uint64_t seq;            /* the next record's */
    uint8_t *stage;          /* plaintext gathered for SSL_write */
    /* Destination. */
    xlmig_reorder ro;
    bool ro_init;
    uint8_t *stash;          /* a control record that came over ssh */
    size_t stash_len;        /*   while the stream ran (not an abort) */
    uint32_t stash_type;
    bool has_stash;
} xlmig_datapath;

const char *xlmig_dp_kind_str(xlmig_dp_kind k);
/* "ssh" | "tls" | "tcp"; XLMIG_E_INVAL (recorded, naming what). */
int xlmig_dp_kind_parse(const char *what, const char *s, xlmig_dp_kind *k);
/*
 * --streams' default: one a core, at most 4; with a bandwidth limit,
 * no more than one a started 128 MiB/s (one stream carries that).
 */
unsigned xlmig_dp_default_streams(double bandwidth_Bps);

/*
 * Where the data path listens and connects. The destination: this
 * host's address of the ssh connection (SSH_CONNECTION's third word),
 * NULL if there is none. The source's hint: host ([user@]name or
 * address) resolved to a numeric address, NULL if it does not resolve.
 */
const char *xlmig_dp_ssh_local(char *buf, size_t len);
const char *xlmig_dp_resolve(const char *host, char *buf, size_t len);

/* Nothing open: dispose is a no-op. */
void xlmig_dp_init(xlmig_datapath *dp);
/* Closes every stream and the listener; the key is wiped. */
void xlmig_dp_dispose(xlmig_datapath *dp);

/* Source: a fresh key for kind and n streams (1..16). */
int xlmig_dp_source_setup(xlmig_datapath *dp, xlmig_dp_kind kind,
                          unsigned n);
/* Into the migrate request: transport, streams, data_key. */
int xlmig_dp_to_msg(const xlmig_datapath *dp, xlmig_msg *m);
/*
 * Source: open the n streams to the address and port of the
 * destination's data-listen message; the chan routes through the data
 * path from then on. Errors name the stream and what failed.
 */
int xlmig_dp_connect(xlmig_datapath *dp, struct xlmig_chan *ch,
                     const xlmig_msg *listen);
/*
 * Source, before memory-end: XLMIG_E_IO (recorded, as a failed send
 * would say it) if the destination closed or reset a stream.
 */
int xlmig_dp_check_alive(xlmig_datapath *dp, struct xlmig_chan *ch);
/*
 * Source, right after memory-end went out: nothing more on the data
 * streams (they are shut for writing); the chan is back on ssh alone.
 */
void xlmig_dp_end(xlmig_datapath *dp);

/*
 * Destination: what the request asks for (transport, streams, key),
 * each checked. SSH when it asks for none.
 */
int xlmig_dp_from_msg(xlmig_datapath *dp, const xlmig_msg *req);
/*
 * Destination: listen on addr (a numeric address of this host, never a
 * wildcard), port chosen by the kernel, for the n expected streams.
 */
int xlmig_dp_listen(xlmig_datapath *dp, const char *addr);
/* The data-listen message telling where. */
int xlmig_dp_listen_msg(const xlmig_datapath *dp, xlmig_msg *m);
/*
 * Destination: take the n connections that prove the key, refusing
 * (and not counting) any other, then close the listener. Bounded by the
 * chan's I/O timeout and XLMIG_DP_MAX_FAILED; the source's abort on the
 * control channel ends it.
 */
int xlmig_dp_accept(xlmig_datapath *dp, struct xlmig_chan *ch);
void xlmig_dp_close_listener(xlmig_datapath *dp);

/* For the chan (chan.c): a record striped out; the next one in order. */
int xlmig_dp_send(xlmig_datapath *dp, struct xlmig_chan *ch, uint32_t type,
                  const struct iovec *iov, int n);
int xlmig_dp_recv(xlmig_datapath *dp, struct xlmig_chan *ch);
/* A control record held back while the data path ran; into ch. */
bool xlmig_dp_take_stash(xlmig_datapath *dp, struct xlmig_chan *ch);

#endif
