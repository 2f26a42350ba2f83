/*
 * A destination written by hand, for tests of what the source does
 * with answers a real one would not give: the protocol up to the
 * memory stream, on a chan the test owns.
 */
#ifndef XLMIG_UNIT_FAKE_DST_H
#define XLMIG_UNIT_FAKE_DST_H

#include <stdbool.h>

#include "chan.h"
#include "control.h"

/* Receive one message, which must be of type t: 0, else -1. */
int fake_dst_expect(xlmig_chan *ch, xlmig_msg *m, xlmig_msg_type t);
/*
 * Hello (offering one flight and the drain as asked), the migrate
 * request (*chose: whether it asks for one flight), prepared, then a
 * pong for each of its pings: 0, else -1. m holds the last message.
 */
int fake_dst_begin(xlmig_chan *ch, xlmig_msg *m, bool one_flight,
                   bool drain, bool *chose);

#endif
