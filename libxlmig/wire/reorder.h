/*
 * Putting the records of a striped memory stream back in order. The
 * source numbers every record (seq 0, 1, 2, ...) and spreads them over
 * N data streams; each stream is in order, the streams are not. The
 * destination reads a frame header from a stream, asks whether the
 * record may be taken now, and either takes it or stops reading that
 * stream until the records before it have been delivered.
 *
 * Memory is bounded: at most max_recs records ahead of the next one,
 * holding at most max_bytes of payload. The next record in order is
 * always taken, whatever the budget, so the stream that holds it is
 * never stopped and the reader cannot deadlock.
 *
 * Frame on a data stream (all little-endian): u64 seq, u32 type,
 * u32 length, then length payload bytes and zero padding to a multiple
 * of 8 (XLMIG_STRIPE_HDR_LEN bytes of header).
 */
#ifndef XLMIG_REORDER_H
#define XLMIG_REORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XLMIG_STRIPE_HDR_LEN 16

/*
 * A lead no honest source reaches (records in flight on all streams
 * together): past it a seq is an error, not a reason to wait.
 */
#define XLMIG_REORDER_MAX_LEAD (UINT64_C(1) << 32)

typedef struct xlmig_reorder_slot xlmig_reorder_slot;

typedef struct {
    uint64_t next_seq;          /* the record to deliver next */
    unsigned max_recs;          /* slots: largest lead over next_seq */
    size_t max_bytes;           /* payload held, records ahead only */
    size_t held_bytes;
    unsigned held_recs;
    xlmig_reorder_slot *slots;  /* max_recs, indexed seq % max_recs */
} xlmig_reorder;

void xlmig_stripe_hdr_put(uint8_t out[XLMIG_STRIPE_HDR_LEN], uint64_t seq,
                          uint32_t type, uint32_t length);
void xlmig_stripe_hdr_get(const uint8_t in[XLMIG_STRIPE_HDR_LEN],
                          uint64_t *seq, uint32_t *type, uint32_t *length);

/* max_recs >= 1. XLMIG_E_NOMEM or XLMIG_E_INVAL (recorded). */
int xlmig_reorder_init(xlmig_reorder *r, unsigned max_recs,
                       size_t max_bytes);
void xlmig_reorder_dispose(xlmig_reorder *r);

/*
 * May a record seq of len bytes be taken now? Always for next_seq;
 * for a later one, if it is within max_recs and max_bytes. False: stop
 * reading that stream until xlmig_reorder_pop made room; that includes
 * a record max_recs or more ahead (a fast stream racing a slow one),
 * which waits until the records before it were delivered. A seq that
 * can never be taken (old, duplicate, XLMIG_REORDER_MAX_LEAD or more
 * ahead) answers true, so that put reports it.
 */
bool xlmig_reorder_room(const xlmig_reorder *r, uint64_t seq, size_t len);

/*
 * Take a record (the payload is copied). Errors, recorded with the
 * sequence number: seq below next_seq or already held (duplicate), seq
 * max_recs or more ahead (gap too large: room said wait, or it is past
 * XLMIG_REORDER_MAX_LEAD), over max_bytes; the caller then abandons the
 * stream (XLMIG_E_PROTO).
 */
int xlmig_reorder_put(xlmig_reorder *r, uint64_t seq, uint32_t type,
                      const void *p, size_t len);

/*
 * As put, but the payload's buffer changes hands instead of being
 * copied: *buf (*cap bytes, the payload its first len) goes into the
 * slot, and the slot's idle buffer comes back in *buf and *cap (NULL
 * and 0 if it had none). On an error nothing changed hands.
 */
int xlmig_reorder_put_buf(xlmig_reorder *r, uint64_t seq, uint32_t type,
                          uint8_t **buf, size_t *cap, size_t len);

/*
 * As peek then pop, the record's buffer handed over instead of copied:
 * it comes back in *buf and *cap, and the caller's old buffer (*buf,
 * *cap bytes, may be NULL) stays in the slot, under pop's bound on an
 * idle slot's buffer. False if the record has not arrived.
 */
bool xlmig_reorder_take(xlmig_reorder *r, uint32_t *type, uint8_t **buf,
                        size_t *cap, size_t *len);

/*
 * The record next_seq, if held: its type, payload and length stay
 * valid until the next put or pop. False if it has not arrived.
 */
bool xlmig_reorder_peek(const xlmig_reorder *r, uint32_t *type,
                        const uint8_t **p, size_t *len);

/* Release the record peek returned; next_seq advances. */
void xlmig_reorder_pop(xlmig_reorder *r);

/*
 * Every stream ended and the source said it sent total records: an
 * error naming the first missing seq if any is missing or still held.
 */
int xlmig_reorder_finish(const xlmig_reorder *r, uint64_t total);

#endif
