/*
 * The striped stream's reorder buffer under a script of frames from
 * several simulated streams: records in and out of order, duplicated,
 * missing, far ahead, longer than the budget; a reader that takes from
 * the streams in the script's order, asks room first (or, sometimes,
 * not) and abandons a stream whose frame was refused.
 *
 * Checked against a plain reference after every step: records come out
 * exactly in sequence order, each once, with the payload that was put;
 * a put fails exactly when the frame is old, a duplicate, too far ahead
 * or over the budget, with the sequence number in the message; room
 * says no only for a frame that fits later (over the budget, or past
 * the slots but not absurdly far); the bytes held ahead never
 * exceed the budget; finish succeeds exactly when all arrived.
 *
 * Input: u8 streams, u8 max_recs, u16 budget / 4, then one byte per
 * step (high nibble the kind, low bits the stream) and its arguments.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "reorder.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_STREAMS 8
#define MAX_LEN     (1u << 18)

typedef struct {
    uint64_t seq;
    uint32_t len;
} frame;

typedef struct {
    frame *f;
    size_t n, head;
    bool dead;                  /* a frame was refused: abandoned */
} stream;

typedef struct {
    const uint8_t *p;
    size_t left;
} script;

/* The reference: next record and what is held, as a plain list. */
typedef struct {
    uint64_t next;
    size_t bytes;               /* held ahead of next */
    frame held[256];
    unsigned nheld;
} ref;

static uint8_t payload[MAX_LEN];

static unsigned byte(script *s)
{
    if (!s->left)
        return 0;
    s->left--;
    return *s->p++;
}

static uint64_t bytes_le(script *s, unsigned n)
{
    uint64_t v = 0;
    unsigned i;

    for (i = 0; i < n; i++)
        v |= (uint64_t)byte(s) << (8 * i);
    return v;
}

/* Payload of seq: its eight bytes, repeated and mixed with the index. */
static uint8_t pat(uint64_t seq, size_t i)
{
    return (uint8_t)((seq >> (i % 8 * 8)) ^ (i * 13u));
}

static uint32_t type_of(uint64_t seq)
{
    return (uint32_t)(seq % 5u) + 1;
}

static int ref_find(const ref *x, uint64_t seq)
{
    unsigned i;

    for (i = 0; i < x->nheld; i++)
        if (x->held[i].seq == seq)
            return (int)i;
    return -1;
}

static void check_state(const xlmig_reorder *r, const ref *x)
{
    if (r->next_seq != x->next || r->held_bytes != x->bytes ||
        r->held_recs != x->nheld || r->held_bytes > r->max_bytes)
        abort();
}

/*
 * Deliver what is in order; every record exactly once, as put. Odd
 * records are taken (their buffer handed over), even ones peeked and
 * popped.
 */
static void drain(xlmig_reorder *r, ref *x)
{
    const uint8_t *p;
    uint8_t *b;
    uint32_t type;
    size_t len, i, cap;
    bool got, took;
    int k;

    for (;;) {
        b = NULL;
        cap = 0;
        took = x->next & 1;
        if (took) {
            got = xlmig_reorder_take(r, &type, &b, &cap, &len);
            p = b;
        } else {
            got = xlmig_reorder_peek(r, &type, &p, &len);
        }
        k = ref_find(x, x->next);
        if (got != (k >= 0))
            abort();
        if (!got)
            break;
        if (type != type_of(x->next) || len != x->held[k].len ||
            (took && cap < len))
            abort();
        for (i = 0; i < len; i++)
            if (p[i] != pat(x->next, i))
                abort();
        if (took)
            free(b);
        else
            xlmig_reorder_pop(r);
        x->held[k] = x->held[--x->nheld];
        x->next++;
        k = ref_find(x, x->next);
        if (k >= 0)
            x->bytes -= x->held[k].len;
        check_state(r, x);
    }
}

/* Put f, copied or (by a bit of its seq and length) its buffer given. */
static int put_frame(xlmig_reorder *r, frame f)
{
    size_t cap = f.len ? f.len : 1;
    uint8_t *b, *mine;
    int rc;

    if (!((f.seq ^ f.len) & 2))
        return xlmig_reorder_put(r, f.seq, type_of(f.seq), payload, f.len);
    b = mine = malloc(cap);
    if (!b)
        abort();
    memcpy(b, payload, f.len);
    rc = xlmig_reorder_put_buf(r, f.seq, type_of(f.seq), &b, &cap, f.len);
    /* Refused: nothing changed hands. */
    if (rc && b != mine)
        abort();
    free(b);
    return rc;
}

/*
 * Offer stream s's head frame. Returns false if the reader stops the
 * stream for now (room said no).
 */
static bool offer(xlmig_reorder *r, ref *x, stream *st, bool ask)
{
    frame f = st->f[st->head];
    bool old = f.seq < x->next;
    bool dup = !old && ref_find(x, f.seq) >= 0;
    bool far = !old && f.seq - x->next >= r->max_recs;
    bool ahead = f.seq > x->next;
    bool over = ahead && (f.len > r->max_bytes ||
                          x->bytes > r->max_bytes - f.len);
    bool absurd = !old && f.seq - x->next >= XLMIG_REORDER_MAX_LEAD;
    bool fits_later = ahead && !dup && !absurd && (far || over);
    char want[40];
    size_t i;
    int rc;

    if (xlmig_reorder_room(r, f.seq, f.len) == fits_later)
        abort();
    /* A length no budget holds: no room, unless it must be taken. */
    if (xlmig_reorder_room(r, f.seq, SIZE_MAX) !=
        (!ahead || dup || absurd ||
         (!far && r->max_bytes == SIZE_MAX && x->bytes == 0)))
        abort();
    if (ask && fits_later)
        return false;
    for (i = 0; i < f.len; i++)
        payload[i] = pat(f.seq, i);
    rc = put_frame(r, f);
    st->head++;
    if (old || dup || far || over) {
        snprintf(want, sizeof(want), "record %llu ",
                 (unsigned long long)f.seq);
        if (rc != XLMIG_E_PROTO || xlmig_errcode() != XLMIG_E_PROTO ||
            !strstr(xlmig_errmsg(), want))
            abort();
        xlmig_err_clear();
        st->dead = true;
        check_state(r, x);
        return true;
    }
    if (rc)
        abort();
    if (x->nheld >= sizeof(x->held) / sizeof(x->held[0]))
        abort();
    x->held[x->nheld++] = f;
    if (ahead)
        x->bytes += f.len;
    check_state(r, x);
    drain(r, x);
    return true;
}

static bool live(const stream *st)
{
    return !st->dead && st->head < st->n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    script s = { data, size };
    stream st[MAX_STREAMS];
    xlmig_reorder r;
    ref x;
    uint32_t *lens = NULL;       /* of every sequence number given out */
    uint64_t src_next = 0, seq;
    unsigned nstreams, max_recs, i, b, kind;
    size_t max_bytes;
    bool progress;
    int rc;

    memset(st, 0, sizeof(st));
    memset(&x, 0, sizeof(x));
    if (size < 4)
        return 0;
    nstreams = 1 + byte(&s) % MAX_STREAMS;
    max_recs = 1 + byte(&s) % 64;
    max_bytes = (size_t)bytes_le(&s, 2);
    max_bytes = max_bytes == 0xffff ? SIZE_MAX : max_bytes * 4;
    if (xlmig_reorder_init(&r, max_recs, max_bytes))
        abort();
    lens = calloc(size, sizeof(*lens));
    for (i = 0; i < nstreams; i++)
        st[i].f = calloc(size, sizeof(frame));
    for (i = 0; i < nstreams; i++)
        if (!st[i].f)
            goto out;
    if (!lens)
        goto out;

    while (s.left) {
        stream *t;

        b = byte(&s);
        kind = b >> 4;
        t = &st[(b & 15) % nstreams];
        switch (kind) {
        case 0: case 1: case 2: case 3: case 4: case 5:   /* next record */
            lens[src_next] = byte(&s) * 16u;
            t->f[t->n++] = (frame){ src_next, lens[src_next] };
            src_next++;
            break;
        case 6:                                         /* never sent */
            lens[src_next++] = 0;
            break;
        case 7:                                         /* sent again */
            if (!src_next)
                break;
            seq = src_next - 1 - byte(&s) % src_next;
            t->f[t->n++] = (frame){ seq, lens[seq] };
            break;
        case 8:                                         /* far ahead */
            seq = byte(&s) & 1 ? bytes_le(&s, 8)
                               : src_next + bytes_le(&s, 2);
            t->f[t->n++] = (frame){ seq, byte(&s) };
            break;
        case 9:                                         /* long */
            lens[src_next] = (uint32_t)bytes_le(&s, 2) * 4u;
            t->f[t->n++] = (frame){ src_next, lens[src_next] };
            src_next++;
            break;
        case 10: case 11: case 12: case 13:             /* read */
            if (live(t))
                offer(&r, &x, t, true);
            break;
        case 14:                                        /* careless */
            if (live(t))
                offer(&r, &x, t, false);
            break;
        default:                                        /* read many */
            for (i = 0; i < (b & 15) + 1u; i++)
                if (live(t) && !offer(&r, &x, t, true))
                    break;
            break;
        }
    }

    /* The end: read every stream until each ends or waits for room. */
    do {
        progress = false;
        for (i = 0; i < nstreams; i++)
            while (live(&st[i]) && offer(&r, &x, &st[i], true))
                progress = true;
    } while (progress);
    rc = xlmig_reorder_finish(&r, src_next);
    if ((rc == 0) != (x.next == src_next && x.nheld == 0))
        abort();
    xlmig_err_clear();

out:
    xlmig_reorder_dispose(&r);
    for (i = 0; i < nstreams; i++)
        free(st[i].f);
    free(lens);
    xlmig_err_clear();
    return 0;
}
