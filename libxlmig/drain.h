/*
 * The catch-up before the suspend. The data streams' socket buffers
 * (and ssh's) hold megabytes the destination has not taken in yet;
 * left there, the guest's downtime would wait for them behind the last
 * pages. So, once the policy says stop, the source sends a drain
 * record behind everything else and waits, the guest still running,
 * for the destination's pong carrying its token: sent when the record
 * came out of the stream in order, everything before it fed. Only a
 * destination whose hello offers drain is sent one.
 */
#ifndef XLMIG_DRAIN_H
#define XLMIG_DRAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chan.h"

/*
 * Source: the drain record with token, then the pong for it. The
 * peer's error or abort is quit_rc (*peer_quit set), as chan_expect.
 */
int xlmig_drain_wait(xlmig_chan *ch, uint64_t token, int quit_rc,
                     bool *peer_quit);

/* Destination: a drain record's payload (any length: checked here). */
int xlmig_drain_answer(xlmig_chan *ch, const uint8_t *p, size_t len);

#endif
