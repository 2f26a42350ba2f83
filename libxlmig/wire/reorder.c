#include "reorder.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "wire.h"

struct xlmig_reorder_slot {
    uint64_t seq;
    uint32_t type;
    bool used;
    size_t len;
    size_t cap;
    uint8_t *buf;
};

void xlmig_stripe_hdr_put(uint8_t out[XLMIG_STRIPE_HDR_LEN], uint64_t seq,
                          uint32_t type, uint32_t length)
{
    xlmig_put_le64(out, seq);
    xlmig_put_le32(out + 8, type);
    xlmig_put_le32(out + 12, length);
}

void xlmig_stripe_hdr_get(const uint8_t in[XLMIG_STRIPE_HDR_LEN],
                          uint64_t *seq, uint32_t *type, uint32_t *length)
{
    *seq = xlmig_get_le64(in);
    *type = xlmig_get_le32(in + 8);
    *length = xlmig_get_le32(in + 12);
}

int xlmig_reorder_init(xlmig_reorder *r, unsigned max_recs,
                       size_t max_bytes)
{
    memset(r, 0, sizeof(*r));
    if (!max_recs) {
        xlmig_err(XLMIG_E_INVAL, "reorder buffer: 0 records of lead");
        return XLMIG_E_INVAL;
    }
    r->slots = calloc(max_recs, sizeof(*r->slots));
    if (!r->slots) {
        xlmig_err(XLMIG_E_NOMEM, "reorder buffer: no memory for %u slots",
                  max_recs);
        return XLMIG_E_NOMEM;
    }
    r->max_recs = max_recs;
    r->max_bytes = max_bytes;
    return 0;
}

void xlmig_reorder_dispose(xlmig_reorder *r)
{
    unsigned i;

    if (r->slots)
        for (i = 0; i < r->max_recs; i++)
            free(r->slots[i].buf);
    free(r->slots);
    memset(r, 0, sizeof(*r));
}

static xlmig_reorder_slot *slot_of(const xlmig_reorder *r, uint64_t seq)
{
    return &r->slots[seq % r->max_recs];
}

static bool is_held(const xlmig_reorder *r, uint64_t seq)
{
    const xlmig_reorder_slot *s = slot_of(r, seq);

    return s->used && s->seq == seq;
}

bool xlmig_reorder_room(const xlmig_reorder *r, uint64_t seq, size_t len)
{
    if (seq <= r->next_seq || is_held(r, seq) ||
        seq - r->next_seq >= XLMIG_REORDER_MAX_LEAD)
        return true;
    if (seq - r->next_seq >= r->max_recs)
        return false;           /* wait for the slow stream */
    return len <= r->max_bytes && r->held_bytes <= r->max_bytes - len;
}

/* May seq (len bytes) be put? An error recorded if not. */
static int put_check(const xlmig_reorder *r, uint64_t seq, size_t len)
{
    bool ahead = seq > r->next_seq;

    if (seq < r->next_seq || is_held(r, seq)) {
        xlmig_err(XLMIG_E_PROTO, "striped stream: record %llu is a duplicate"
                  " (%s)", (unsigned long long)seq,
                  seq < r->next_seq ? "already delivered" : "already held");
        return XLMIG_E_PROTO;
    }
    if (seq - r->next_seq >= r->max_recs) {
        xlmig_err(XLMIG_E_PROTO, "striped stream: record %llu is too far"
                  " ahead of record %llu (gap limit %u records)",
                  (unsigned long long)seq, (unsigned long long)r->next_seq,
                  r->max_recs);
        return XLMIG_E_PROTO;
    }
    if (ahead && (len > r->max_bytes ||
                  r->held_bytes > r->max_bytes - len)) {
        xlmig_err(XLMIG_E_PROTO, "striped stream: record %llu of %zu bytes"
                  " is over the reorder budget (%zu of %zu bytes held)",
                  (unsigned long long)seq, len, r->held_bytes, r->max_bytes);
        return XLMIG_E_PROTO;
    }
    return 0;
}

/* The slot of seq, checked, now holds a record of len bytes. */
static void put_done(xlmig_reorder *r, xlmig_reorder_slot *s, uint64_t seq,
                     uint32_t type, size_t len)
{
    s->seq = seq;
    s->type = type;
    s->len = len;
    s->used = true;
    r->held_recs++;
    if (seq > r->next_seq)
        r->held_bytes += len;
}

int xlmig_reorder_put(xlmig_reorder *r, uint64_t seq, uint32_t type,
                      const void *p, size_t len)
{
    xlmig_reorder_slot *s;
    uint8_t *buf;
    int rc = put_check(r, seq, len);

    if (rc)
        return rc;
    s = slot_of(r, seq);
    if (len > s->cap) {
        buf = malloc(len);      /* the old content is not needed */
        if (!buf) {
            xlmig_err(XLMIG_E_NOMEM, "striped stream: no memory for record"
                      " %llu of %zu bytes", (unsigned long long)seq, len);
            return XLMIG_E_NOMEM;
        }
        free(s->buf);
        s->buf = buf;
        s->cap = len;
    }
    if (len)
        memcpy(s->buf, p, len);
    put_done(r, s, seq, type, len);
    return 0;
}

int xlmig_reorder_put_buf(xlmig_reorder *r, uint64_t seq, uint32_t type,
                          uint8_t **buf, size_t *cap, size_t len)
{
    xlmig_reorder_slot *s;
    uint8_t *b;
    size_t c;
    int rc = put_check(r, seq, len);

    if (rc)
        return rc;
    if (len > *cap) {
        xlmig_err(XLMIG_E_INVAL, "striped stream: record %llu of %zu bytes"
                  " in a buffer of %zu", (unsigned long long)seq, len, *cap);
        return XLMIG_E_INVAL;
    }
    s = slot_of(r, seq);
    b = s->buf;
    c = s->cap;
    s->buf = *buf;
    s->cap = *cap;
    *buf = b;
    *cap = c;
    put_done(r, s, seq, type, len);
    return 0;
}

bool xlmig_reorder_take(xlmig_reorder *r, uint32_t *type, uint8_t **buf,
                        size_t *cap, size_t *len)
{
    xlmig_reorder_slot *s = slot_of(r, r->next_seq);
    uint8_t *b;
    size_t c;

    if (!is_held(r, r->next_seq))
        return false;
    *type = s->type;
    *len = s->len;
    b = s->buf;
    c = s->cap;
    s->buf = *buf;
    s->cap = *cap;
    *buf = b;
    *cap = c;
    xlmig_reorder_pop(r);
    return true;
}

bool xlmig_reorder_peek(const xlmig_reorder *r, uint32_t *type,
                        const uint8_t **p, size_t *len)
{
    const xlmig_reorder_slot *s = slot_of(r, r->next_seq);

    if (!is_held(r, r->next_seq))
        return false;
    *type = s->type;
    *p = s->buf;
    *len = s->len;
    return true;
}

void xlmig_reorder_pop(xlmig_reorder *r)
{
    xlmig_reorder_slot *s = slot_of(r, r->next_seq);

    if (!is_held(r, r->next_seq))
        return;
    s->used = false;
    /*
     * A slot keeps its buffer for the next record only up to its share
     * of the budget, so idle buffers never hold more than max_bytes.
     */
    if (s->cap > r->max_bytes / r->max_recs) {
        free(s->buf);
        s->buf = NULL;
        s->cap = 0;
    }
    r->held_recs--;
    r->next_seq++;
    /* The new next record is no longer ahead: off the budget. */
    if (is_held(r, r->next_seq))
        r->held_bytes -= slot_of(r, r->next_seq)->len;
}

int xlmig_reorder_finish(const xlmig_reorder *r, uint64_t total)
{
    unsigned i;
    uint64_t first = UINT64_MAX;

    if (r->next_seq < total) {
        xlmig_err(XLMIG_E_PROTO, "striped stream: record %llu %s at the end"
                  " (%llu of %llu records delivered)",
                  (unsigned long long)r->next_seq,
                  is_held(r, r->next_seq) ? "not delivered" : "missing",
                  (unsigned long long)r->next_seq,
                  (unsigned long long)total);
        return XLMIG_E_PROTO;
    }
    if (r->next_seq > total) {
        xlmig_err(XLMIG_E_PROTO, "striped stream: %llu records delivered,"
                  " the source sent %llu", (unsigned long long)r->next_seq,
                  (unsigned long long)total);
        return XLMIG_E_PROTO;
    }
    if (r->held_recs) {
        for (i = 0; i < r->max_recs; i++)
            if (r->slots[i].used && r->slots[i].seq < first)
                first = r->slots[i].seq;
        xlmig_err(XLMIG_E_PROTO, "striped stream: record %llu still held at"
                  " the end, beyond the %llu records the source sent",
                  (unsigned long long)first, (unsigned long long)total);
        return XLMIG_E_PROTO;
    }
    return 0;
}
