/*
 * The data path's internals, shared by its common part (datapath.c),
 * the source's (datapath_src.c) and the destination's (datapath_dst.c).
 * Private to them.
 */
#ifndef XLMIG_DATAPATH_PRIV_H
#define XLMIG_DATAPATH_PRIV_H

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include "chan.h"
#include "datapath.h"

#define XLMIG_DP_PENDING_MAX 8       /* handshakes at a time */

typedef union {
    struct sockaddr sa;
    struct sockaddr_in in;
    struct sockaddr_in6 in6;
    struct sockaddr_storage ss;
} sockaddr_any;

void xlmig_dp_stream_init(xlmig_dp_stream *s);
void xlmig_dp_stream_close(xlmig_dp_stream *s);

/* A numeric IPv4 or IPv6 address and a port; XLMIG_E_INVAL if not. */
int xlmig_dp_parse_addr(const char *addr, unsigned port, sockaddr_any *a,
                        socklen_t *len);
bool xlmig_dp_wildcard(const sockaddr_any *a);
/* "10.0.0.2:41234", "[fd00::2]:41234" */
void xlmig_dp_addr_str(const sockaddr_any *a, char *buf, size_t len);
/* Socket options of a data stream. */
void xlmig_dp_tune(int fd);

/*
 * Wait until one of p (np entries) is ready, or the control channel
 * has something: 0, 1 (control), or an error. Honours cancel (when
 * asked), the chan's deadline for sends, the I/O timeout of the
 * operation (its waits add up in *waited) and an absolute limit
 * (until, 0: none).
 */
int xlmig_dp_poll(xlmig_chan *ch, xlmig_datapath *dp, struct pollfd *p,
                  int np, const char *what, uint64_t *waited,
                  uint64_t until, bool cancel);
/* A data stream failed: does the control channel say why (1 s)? */
bool xlmig_dp_peer_word(xlmig_chan *ch);
/*
 * Source: the control channel spoke while we sent. It can only be the
 * destination's error or abort (its reason is the one reported, as
 * the error, or replacing the one recorded), or a hang-up.
 */
int xlmig_dp_source_ctl(xlmig_chan *ch, bool replace);
/*
 * Source: a stream failed (rc); the destination may have said why on
 * the control channel, or closed that too.
 */
int xlmig_dp_send_failed(xlmig_chan *ch, int rc);

#endif
