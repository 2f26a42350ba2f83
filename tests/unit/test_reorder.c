/*
 * The striped stream's reorder buffer: records come back in sequence
 * order whatever the order of arrival, within the lead and the byte
 * budget; everything else is refused with the sequence number named.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "reorder.h"
#include "unit.h"

/* Payload of record seq: len bytes derived from seq, so a mix-up shows. */
static size_t fill(uint8_t *buf, uint64_t seq, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        buf[i] = (uint8_t)(seq * 131u + i);
    return len;
}

/* 50 to 199 bytes: the smallest record bounds how far a stream leads. */
static size_t len_of(uint64_t seq)
{
    return 50u + (size_t)(seq * 37u % 150u);
}

static int put(xlmig_reorder *r, uint64_t seq)
{
    uint8_t buf[256];

    return xlmig_reorder_put(r, seq, (uint32_t)(seq % 7u) + 1, buf,
                             fill(buf, seq, len_of(seq)));
}

/* Deliver everything that is in order; return how many; check each. */
static unsigned drain(xlmig_reorder *r)
{
    uint8_t want[256];
    const uint8_t *p;
    uint32_t type;
    size_t len;
    unsigned n = 0;

    while (xlmig_reorder_peek(r, &type, &p, &len)) {
        uint64_t seq = r->next_seq;

        CU_ASSERT_EQUAL(type, (uint32_t)(seq % 7u) + 1);
        CU_ASSERT_EQUAL_FATAL(len, len_of(seq));
        fill(want, seq, len);
        CU_ASSERT(len == 0 || memcmp(p, want, len) == 0);
        xlmig_reorder_pop(r);
        CU_ASSERT_EQUAL(r->next_seq, seq + 1);
        n++;
    }
    return n;
}

static void err_names(const char *seq, const char *what)
{
    const char *m = xlmig_errmsg();

    CU_ASSERT_EQUAL(xlmig_errcode(), XLMIG_E_PROTO);
    CU_ASSERT_PTR_NOT_NULL(strstr(m, seq));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, what));
    if (!strstr(m, seq) || !strstr(m, what))
        fprintf(stderr, "\n  message: %s\n", m);
    xlmig_err_clear();
}

static void test_header(void)
{
    uint8_t h[XLMIG_STRIPE_HDR_LEN];
    uint64_t seq;
    uint32_t type, len;

    xlmig_stripe_hdr_put(h, 0x0102030405060708ULL, 0x0a0b0c0d, 0xfffffff0);
    CU_ASSERT_EQUAL(h[0], 0x08);        /* little-endian on the wire */
    CU_ASSERT_EQUAL(h[7], 0x01);
    CU_ASSERT_EQUAL(h[8], 0x0d);
    CU_ASSERT_EQUAL(h[15], 0xff);
    xlmig_stripe_hdr_get(h, &seq, &type, &len);
    CU_ASSERT_EQUAL(seq, 0x0102030405060708ULL);
    CU_ASSERT_EQUAL(type, 0x0a0b0c0d);
    CU_ASSERT_EQUAL(len, 0xfffffff0);
}

static void test_init_invalid(void)
{
    xlmig_reorder r;

    CU_ASSERT_EQUAL(xlmig_reorder_init(&r, 0, 1000), XLMIG_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "0 records"));
    xlmig_err_clear();
    xlmig_reorder_dispose(&r);          /* safe after a failed init */
}

static void test_in_order(void)
{
    xlmig_reorder r;
    uint64_t i;

    CU_ASSERT_EQUAL_FATAL(xlmig_reorder_init(&r, 4, 0), 0);
    for (i = 0; i < 100; i++) {
        /* The next record is always taken, even with no budget. */
        CU_ASSERT(xlmig_reorder_room(&r, i, 1 << 20));
        CU_ASSERT_EQUAL_FATAL(put(&r, i), 0);
        CU_ASSERT_EQUAL(r.held_bytes, 0);
        CU_ASSERT_EQUAL(drain(&r), 1);
    }
    CU_ASSERT_EQUAL(r.held_recs, 0);
    CU_ASSERT_EQUAL(xlmig_reorder_finish(&r, 100), 0);
    xlmig_reorder_dispose(&r);
}

static void test_reverse_in_window(void)
{
    xlmig_reorder r;
    size_t ahead = 0;
    uint64_t i;

    CU_ASSERT_EQUAL_FATAL(xlmig_reorder_init(&r, 8, 1 << 20), 0);
    for (i = 7; i > 0; i--) {
        CU_ASSERT(xlmig_reorder_room(&r, i, len_of(i)));
        CU_ASSERT_EQUAL_FATAL(put(&r, i), 0);
        ahead += len_of(i);
        CU_ASSERT_EQUAL(r.held_bytes, ahead);
        CU_ASSERT_EQUAL(drain(&r), 0);  /* record 0 not there yet */
    }
    CU_ASSERT_EQUAL(r.held_recs, 7);
    CU_ASSERT_EQUAL_FATAL(put(&r, 0), 0);
    CU_ASSERT_EQUAL(drain(&r), 8);
    CU_ASSERT_EQUAL(r.held_bytes, 0);
    CU_ASSERT_EQUAL(r.held_recs, 0);
    CU_ASSERT_EQUAL(xlmig_reorder_finish(&r, 8), 0);
    xlmig_reorder_dispose(&r);
}

/*
 * N streams, record i on stream i % N, each stream in order; the reader
 * takes from the streams in a skewed rotation and stops a stream while
 * room says no. Everything arrives, in order, within the budget. The
 * budget would let a fast stream lead by 600 / 50 = 12 records of its
 * own, more than the 2 * N slots: room must make it wait for the slow
 * ones rather than let it run into "too far ahead".
 */
static void test_interleave_streams(void)
{
    enum { N = 5, TOTAL = 2000 };
    uint64_t head[N];
    bool blocked;
    xlmig_reorder r;
    unsigned s, turn = 0, delivered = 0, done;

    CU_ASSERT_EQUAL_FATAL(xlmig_reorder_init(&r, N * 2, 600), 0);
    for (s = 0; s < N; s++)
        head[s] = s;
    do {
        done = 0;
        for (s = 0; s < N; s++) {
            /* Stream s reads s + 1 frames per turn: they drift apart. */
            unsigned k;

            for (k = 0; k <= s + (turn % 3); k++) {
                if (head[s] >= TOTAL)
                    break;
                blocked = !xlmig_reorder_room(&r, head[s], len_of(head[s]));
                if (blocked)
                    break;
                CU_ASSERT_EQUAL_FATAL(put(&r, head[s]), 0);
                CU_ASSERT(r.held_bytes <= r.max_bytes);
                head[s] += N;
                delivered += drain(&r);
            }
            done += head[s] >= TOTAL;
        }
        turn++;
    } while (done < N && turn < 10 * TOTAL);
    CU_ASSERT_EQUAL(delivered, TOTAL);
    CU_ASSERT_EQUAL(xlmig_reorder_finish(&r, TOTAL), 0);
    xlmig_reorder_dispose(&r);
}

static void test_duplicates(void)
{
    xlmig_reorder r;

    CU_ASSERT_EQUAL_FATAL(xlmig_reorder_init(&r, 8, 1 << 20), 0);
    CU_ASSERT_EQUAL_FATAL(put(&r, 3), 0);
    /* room lets it through so that put can name it. */
    CU_ASSERT(xlmig_reorder_room(&r, 3, 1 << 30));
    CU_ASSERT_EQUAL(put(&r, 3), XLMIG_E_PROTO);
    err_names("record 3 ", "duplicate");
    CU_ASSERT_EQUAL(r.held_recs, 1);
    CU_ASSERT_EQUAL(r.held_bytes, len_of(3));
    /* The next record, held and not yet delivered, is a duplicate too. */
    CU_ASSERT_EQUAL_FATAL(put(&r, 0), 0);
    CU_ASSERT_EQUAL(put(&r, 0), XLMIG_E_PROTO);
    err_names("record 0 ", "already held");
    CU_ASSERT_EQUAL(drain(&r), 1);
    CU_ASSERT_EQUAL(r.held_recs, 1);
    xlmig_reorder_dispose(&r);
}

static void test_old_seq(void)
{
    xlmig_reorder r;
    uint64_t i;

    CU_ASSERT_EQUAL_FATAL(xlmig_reorder_init(&r, 4, 1 << 20), 0);
    for (i = 0; i < 10; i++) {
        CU_ASSERT_EQUAL_FATAL(put(&r, i), 0);
        CU_ASSERT_EQUAL(drain(&r), 1);
    }
    /* Record 6 maps to the slot record 10 will use: still refused. */
    CU_ASSERT(xlmig_reorder_room(&r, 6, 10));
    CU_ASSERT_EQUAL(put(&r, 6), XLMIG_E_PROTO);
    err_names("record 6 ", "already delivered");
    CU_ASSERT_EQUAL(put(&r, 9), XLMIG_E_PROTO);
    err_names("record 9 ", "already delivered");
    CU_ASSERT_EQUAL(r.held_recs, 0);
    CU_ASSERT_EQUAL(r.next_seq, 10);
    CU_ASSERT_EQUAL(xlmig_reorder_finish(&r, 10), 0);
    xlmig_reorder_dispose(&r);
}

static void test_gap_too_large(void)
{
    xlmig_reorder r;

    CU_ASSERT_EQUAL_FATAL(xlmig_reorder_init(&r, 4, 1 << 20), 0);
    CU_ASSERT_EQUAL(put(&r, 3), 0);     /* the largest lead allowed */
    /* Past the slots: the stream waits; put anyway is an error. */
    CU_ASSERT(!xlmig_reorder_room(&r, 4, 0));
    CU_ASSERT(!xlmig_reorder_room(&r, XLMIG_REORDER_MAX_LEAD - 1, 0));
    CU_ASSERT(xlmig_reorder_room(&r, XLMIG_REORDER_MAX_LEAD, 0));
    CU_ASSERT(xlmig_reorder_room(&r, UINT64_MAX, 0));
    CU_ASSERT_EQUAL(put(&r, 4), XLMIG_E_PROTO);
    err_names("record 4 ", "too far ahead");
    CU_ASSERT_EQUAL(put(&r, UINT64_MAX), XLMIG_E_PROTO);
    err_names("record 18446744073709551615 ", "too far ahead");
    CU_ASSERT_EQUAL(r.held_recs, 1);
    /* Once record 0 is delivered, record 4 is within the lead. */
    CU_ASSERT_EQUAL_FATAL(put(&r, 0), 0);
    CU_ASSERT_EQUAL(drain(&r), 1);
    CU_ASSERT_EQUAL(put(&r, 4), 0);
    xlmig_reorder_dispose(&r);
}

static void test_budget(void)
{
    uint8_t buf[1000];
    xlmig_reorder r;

    memset(buf, 0x5a, sizeof(buf));
    CU_ASSERT_EQUAL_FATAL(xlmig_reorder_init(&r, 16, 1000), 0);
    CU_ASSERT(xlmig_reorder_room(&r, 1, 600));
    CU_ASSERT_EQUAL_FATAL(xlmig_reorder_put(&r, 1, 2, buf, 600), 0);
    CU_ASSERT(xlmig_reorder_room(&r, 2, 400));          /* exactly full */
    CU_ASSERT(!xlmig_reorder_room(&r, 2, 401));
    CU_ASSERT(!xlmig_reorder_room(&r, 5, (size_t)-1)); /* no overflow */
    CU_ASSERT_EQUAL(xlmig_reorder_put(&r, 2, 2, buf, 401), XLMIG_E_PROTO);
    err_names("record 2 ", "budget");
    CU_ASSERT_EQUAL(r.held_bytes, 600);
    CU_ASSERT_EQUAL_FATAL(xlmig_reorder_put(&r, 2, 2, buf, 400), 0);
    CU_ASSERT_EQUAL(r.held_bytes, 1000);
    /* Over budget, and still the next record is taken: no deadlock. */
    CU_ASSERT(xlmig_reorder_room(&r, 0, 5000));
    CU_ASSERT_EQUAL_FATAL(xlmig_reorder_put(&r, 0, 2, buf, 1000), 0);
    CU_ASSERT_EQUAL(r.held_bytes, 1000);
    xlmig_reorder_pop(&r);
    /* Record 1 is now the next one: off the budget. */
    CU_ASSERT_EQUAL(r.held_bytes, 400);
    CU_ASSERT(xlmig_reorder_room(&r, 3, 600));
    CU_ASSERT(!xlmig_reorder_room(&r, 3, 601));
    xlmig_reorder_pop(&r);
    xlmig_reorder_pop(&r);
    CU_ASSERT_EQUAL(r.held_bytes, 0);
    CU_ASSERT_EQUAL(r.held_recs, 0);
    xlmig_reorder_pop(&r);              /* nothing held: no effect */
    CU_ASSERT_EQUAL(r.next_seq, 3);
    xlmig_reorder_dispose(&r);
}

static void test_finish_gap(void)
{
    xlmig_reorder r;

    CU_ASSERT_EQUAL_FATAL(xlmig_reorder_init(&r, 8, 1 << 20), 0);
    CU_ASSERT_EQUAL(put(&r, 0), 0);
    CU_ASSERT_EQUAL(put(&r, 1), 0);
    CU_ASSERT_EQUAL(put(&r, 3), 0);
    CU_ASSERT_EQUAL(drain(&r), 2);
    CU_ASSERT_EQUAL(xlmig_reorder_finish(&r, 4), XLMIG_E_PROTO);
    err_names("record 2 missing", "2 of 4");
    /* The source claims fewer than arrived. */
    CU_ASSERT_EQUAL(xlmig_reorder_finish(&r, 1), XLMIG_E_PROTO);
    err_names("2 records delivered", "sent 1");
    /* Record 3 held beyond a total of 2. */
    CU_ASSERT_EQUAL(xlmig_reorder_finish(&r, 2), XLMIG_E_PROTO);
    err_names("record 3 still held", "2 records");
    CU_ASSERT_EQUAL(put(&r, 2), 0);
    CU_ASSERT_EQUAL(xlmig_reorder_finish(&r, 4), XLMIG_E_PROTO);
    err_names("record 2 not delivered", "2 of 4");
    CU_ASSERT_EQUAL(drain(&r), 2);
    CU_ASSERT_EQUAL(xlmig_reorder_finish(&r, 4), 0);
    xlmig_reorder_dispose(&r);
}

/* xorshift64: the same sequence on every run, no wall-clock seed. */
static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/*
 * Random arrivals (in window, ahead, old, repeated) against a plain
 * reference: a flag per record, the next one, and the ahead bytes.
 */
static void test_random_reference(void)
{
    enum { TOTAL = 600 };
    static bool have[TOTAL];
    uint64_t s = 0x9e3779b97f4a7c15ULL, next = 0, seq;
    size_t ref_bytes = 0, len;
    unsigned round, max_recs, i;
    xlmig_reorder r;

    for (round = 0; round < 20; round++) {
        max_recs = 1 + (unsigned)(rnd(&s) % 24);
        CU_ASSERT_EQUAL_FATAL(
            xlmig_reorder_init(&r, max_recs, rnd(&s) % 2000), 0);
        memset(have, 0, sizeof(have));
        next = 0;
        ref_bytes = 0;
        for (i = 0; i < 200000 && next < TOTAL; i++) {
            bool old, dup, far, over, ok;

            seq = next + rnd(&s) % (max_recs + 3);
            if (rnd(&s) % 8 == 0 && next)
                seq = rnd(&s) % next;
            if (seq >= TOTAL)
                continue;
            len = len_of(seq);
            old = seq < next;
            dup = !old && have[seq];
            far = !old && seq - next >= max_recs;
            over = !old && !dup && !far && seq != next &&
                   ref_bytes + len > r.max_bytes;
            CU_ASSERT_EQUAL(xlmig_reorder_room(&r, seq, len),
                            !over && !far);
            if ((over || far) && rnd(&s) % 2)
                continue;               /* the careful reader waits */
            ok = !old && !dup && !far && !over;
            CU_ASSERT_EQUAL_FATAL(put(&r, seq) == 0, ok);
            xlmig_err_clear();
            if (ok) {
                have[seq] = true;
                if (seq != next)
                    ref_bytes += len;
            }
            while (next < TOTAL && have[next]) {
                uint32_t type;
                const uint8_t *p;
                size_t l;

                CU_ASSERT_FATAL(xlmig_reorder_peek(&r, &type, &p, &l));
                CU_ASSERT_EQUAL(l, len_of(next));
                xlmig_reorder_pop(&r);
                next++;
                if (next < TOTAL && have[next])
                    ref_bytes -= len_of(next);
            }
            CU_ASSERT_EQUAL_FATAL(r.next_seq, next);
            CU_ASSERT_EQUAL_FATAL(r.held_bytes, ref_bytes);
            CU_ASSERT_FATAL(r.held_bytes <= r.max_bytes);
        }
        CU_ASSERT_EQUAL(next, TOTAL);
        CU_ASSERT_EQUAL(xlmig_reorder_finish(&r, TOTAL), 0);
        xlmig_reorder_dispose(&r);
    }
}

/*
 * put_buf and take hand buffers over instead of copying: the buffer a
 * record came in is the one it goes out in, the slot's idle buffer
 * goes back, and a refused record keeps its buffer.
 */
static void test_buffers_change_hands(void)
{
    uint8_t *b[4], *mine, *out = NULL;
    size_t cap, outcap = 0, len;
    xlmig_reorder r;
    uint32_t type;
    unsigned i;

    CU_ASSERT_EQUAL_FATAL(xlmig_reorder_init(&r, 4, 4 * 256), 0);
    for (i = 0; i < 4; i++) {
        b[i] = malloc(256);
        CU_ASSERT_PTR_NOT_NULL_FATAL(b[i]);
        fill(b[i], i, len_of(i));
    }
    /* 3, 2, 1 ahead of 0: each slot had no buffer, so NULL comes back. */
    for (i = 3; i >= 1; i--) {
        mine = b[i];
        cap = 256;
        CU_ASSERT_EQUAL(xlmig_reorder_put_buf(&r, i, (uint32_t)(i % 7u) + 1,
                                              &mine, &cap, len_of(i)), 0);
        CU_ASSERT_PTR_NULL(mine);
        CU_ASSERT_EQUAL(cap, 0);
    }
    CU_ASSERT_FALSE(xlmig_reorder_take(&r, &type, &out, &outcap, &len));
    /* A duplicate is refused and keeps its buffer. */
    mine = malloc(256);
    cap = 256;
    CU_ASSERT_EQUAL(xlmig_reorder_put_buf(&r, 2, 3, &mine, &cap, 10),
                    XLMIG_E_PROTO);
    err_names("2", "duplicate");
    CU_ASSERT_PTR_NOT_NULL(mine);
    CU_ASSERT_EQUAL(cap, 256);
    free(mine);
    mine = b[0];
    cap = 256;
    CU_ASSERT_EQUAL(xlmig_reorder_put_buf(&r, 0, 1, &mine, &cap,
                                          len_of(0)), 0);
    for (i = 0; i < 4; i++) {
        uint8_t *gave = out;

        CU_ASSERT_TRUE_FATAL(xlmig_reorder_take(&r, &type, &out, &outcap,
                                                &len));
        CU_ASSERT_PTR_EQUAL(out, b[i]);  /* the very buffer: no copy */
        CU_ASSERT_EQUAL(outcap, 256);
        CU_ASSERT_EQUAL(type, (uint32_t)(i % 7u) + 1);
        CU_ASSERT_EQUAL(len, len_of(i));
        CU_ASSERT_PTR_NOT_EQUAL(out, gave);
        CU_ASSERT_EQUAL(r.next_seq, i + 1);
    }
    CU_ASSERT_EQUAL(xlmig_reorder_finish(&r, 4), 0);
    /* A payload longer than its buffer is refused. */
    mine = malloc(8);
    cap = 8;
    CU_ASSERT_EQUAL(xlmig_reorder_put_buf(&r, 5, 1, &mine, &cap, 9),
                    XLMIG_E_INVAL);
    xlmig_err_clear();
    CU_ASSERT_EQUAL(cap, 8);
    free(mine);
    free(out);
    xlmig_reorder_dispose(&r);
}

static CU_TestInfo tests[] = {
    { "frame header", test_header },
    { "zero lead refused", test_init_invalid },
    { "in order", test_in_order },
    { "reverse order within the window", test_reverse_in_window },
    { "N streams interleaved", test_interleave_streams },
    { "duplicates", test_duplicates },
    { "old sequence numbers", test_old_seq },
    { "gap too large", test_gap_too_large },
    { "byte budget", test_budget },
    { "finish with a gap", test_finish_gap },
    { "random arrivals against a reference", test_random_reference },
    { "buffers change hands", test_buffers_change_hands },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("reorder", NULL, NULL, tests);
