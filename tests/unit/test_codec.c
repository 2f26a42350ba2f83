/*
 * The record codec: zero pages and zero runs round trip to the exact
 * bytes, compression when asked, the decision as numbers in and a
 * yes or no out, and every malformed coded record refused.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include "codec.h"
#include "error.h"
#include "wire.h"

#define PS 4096u

static uint64_t rng = 0x1234567;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void fill_random(uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        p[i] = (uint8_t)next();
}

/* The record the channel would send, as one buffer. */
static uint8_t *flatten(const xlmig_codec_out *o)
{
    uint8_t *b = malloc(o->len ? o->len : 1);
    size_t off = 0;
    int i;

    for (i = 0; i < o->niov; i++) {
        memcpy(b + off, o->iov[i].iov_base, o->iov[i].iov_len);
        off += o->iov[i].iov_len;
    }
    CU_ASSERT_EQUAL(off, o->len);
    return b;
}

/* The raw payload a PAGES record of these pages has. */
static uint8_t *raw_pages(const uint64_t *pfns, uint32_t n,
                          const uint8_t *mem, size_t *len)
{
    uint8_t *b;
    uint32_t i;

    *len = xlmig_pages_len(n, PS);
    b = malloc(*len);
    xlmig_pages_put_head(b, n, PS);
    for (i = 0; i < n; i++) {
        xlmig_put_le64(b + 8 + (size_t)i * 8, pfns[i]);
        memcpy(b + 8 + (size_t)n * 8 + (size_t)i * PS, mem + pfns[i] * PS,
               PS);
    }
    return b;
}

/* Decode out (if coded) and compare with the raw payload want. */
static void check_roundtrip(const xlmig_codec_out *o, uint32_t type,
                            const uint8_t *want, size_t want_len)
{
    xlmig_codec_dec d;
    const uint8_t *got;
    uint8_t *rec = flatten(o);
    size_t got_len;
    uint32_t t;

    xlmig_codec_dec_init(&d, XLMIG_CODEC_ALL);
    if (o->type == XLMIG_REC_CODED) {
        CU_ASSERT_EQUAL_FATAL(xlmig_codec_decode(&d, rec, o->len, PS, &t,
                                                 &got, &got_len), 0);
        CU_ASSERT_EQUAL(t, type);
    } else {
        CU_ASSERT_EQUAL(o->type, type);
        got = rec;
        got_len = o->len;
    }
    CU_ASSERT_EQUAL_FATAL(got_len, want_len);
    CU_ASSERT(!memcmp(got, want, want_len));
    xlmig_codec_dec_dispose(&d);
    free(rec);
}

static void test_pages_zero(void)
{
    uint8_t *mem = calloc(64, PS), *raw;
    uint64_t pfns[40];
    xlmig_codec_enc e;
    xlmig_codec_out o;
    uint32_t i, zeros = 0;
    size_t raw_len;

    for (i = 0; i < 64; i++)
        if (i % 3)
            fill_random(mem + (size_t)i * PS, PS);
    for (i = 0; i < 40; i++) {
        pfns[i] = (i * 7) % 64;
        zeros += pfns[i] % 3 == 0;
    }
    xlmig_codec_enc_init(&e);
    CU_ASSERT_EQUAL(xlmig_codec_enc_agree(&e, XLMIG_COMPRESS_AUTO,
                                          XLMIG_CODEC_ZERO),
                    XLMIG_CODEC_ZERO);
    CU_ASSERT_EQUAL_FATAL(xlmig_codec_enc_pages(&e, pfns, 40, mem, PS, &o),
                          0);
    CU_ASSERT_EQUAL(o.type, XLMIG_REC_CODED);
    /* Each zero page costs its pfn and a bit, nothing more. */
    CU_ASSERT_EQUAL(o.len, XLMIG_CODED_HDR_LEN + 8 + 40 * 8 + 8 +
                    (size_t)(40 - zeros) * PS);
    CU_ASSERT_EQUAL(e.st.zero_pages, zeros);
    CU_ASSERT_EQUAL(e.st.wire_bytes, o.len);
    raw = raw_pages(pfns, 40, mem, &raw_len);
    CU_ASSERT_EQUAL(e.st.raw_bytes, raw_len);
    check_roundtrip(&o, XLMIG_REC_PAGES, raw, raw_len);
    free(raw);

    /* No zero page: the plain record, without the codec's head. */
    pfns[0] = 1;
    pfns[1] = 2;
    CU_ASSERT_EQUAL(xlmig_codec_enc_pages(&e, pfns, 2, mem, PS, &o), 0);
    CU_ASSERT_EQUAL(o.type, XLMIG_REC_PAGES);
    CU_ASSERT_EQUAL(o.len, xlmig_pages_len(2, PS));
    raw = raw_pages(pfns, 2, mem, &raw_len);
    check_roundtrip(&o, XLMIG_REC_PAGES, raw, raw_len);
    free(raw);

    /* All zero, the whole batch. */
    for (i = 0; i < 21; i++)
        pfns[i] = i * 3;
    CU_ASSERT_EQUAL(xlmig_codec_enc_pages(&e, pfns, 21, mem, PS, &o), 0);
    CU_ASSERT_EQUAL(o.len, XLMIG_CODED_HDR_LEN + 8 + 21 * 8 + 8);
    raw = raw_pages(pfns, 21, mem, &raw_len);
    check_roundtrip(&o, XLMIG_REC_PAGES, raw, raw_len);
    free(raw);
    xlmig_codec_enc_dispose(&e);
    free(mem);
}

static void test_pages_off(void)
{
    uint8_t *mem = calloc(4, PS), *raw;
    uint64_t pfns[4] = { 0, 1, 2, 3 };
    xlmig_codec_enc e;
    xlmig_codec_out o;
    size_t raw_len;

    fill_random(mem + PS, PS);
    xlmig_codec_enc_init(&e);
    /* Off: raw records whatever the peer can do. */
    CU_ASSERT_EQUAL(xlmig_codec_enc_agree(&e, XLMIG_COMPRESS_OFF,
                                          XLMIG_CODEC_ALL), 0);
    CU_ASSERT_EQUAL(xlmig_codec_enc_pages(&e, pfns, 4, mem, PS, &o), 0);
    CU_ASSERT_EQUAL(o.type, XLMIG_REC_PAGES);
    CU_ASSERT_EQUAL(o.len, xlmig_pages_len(4, PS));
    CU_ASSERT_EQUAL(e.st.zero_pages, 0);
    raw = raw_pages(pfns, 4, mem, &raw_len);
    check_roundtrip(&o, XLMIG_REC_PAGES, raw, raw_len);
    /* A peer without the codec: the same. */
    CU_ASSERT_EQUAL(xlmig_codec_enc_agree(&e, XLMIG_COMPRESS_ON, 0), 0);
    CU_ASSERT_EQUAL(xlmig_codec_enc_pages(&e, pfns, 4, mem, PS, &o), 0);
    CU_ASSERT_EQUAL(o.type, XLMIG_REC_PAGES);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.st.why, "no record codec"));
    free(raw);
    xlmig_codec_enc_dispose(&e);
    free(mem);
}

static void test_pages_compress(void)
{
    uint8_t *mem = calloc(32, PS), *raw;
    uint64_t pfns[32];
    xlmig_codec_enc e;
    xlmig_codec_out o;
    size_t raw_len;
    uint32_t i;

    /* As the simulator's: 64 random bytes a page, the rest zero. */
    for (i = 0; i < 32; i++) {
        pfns[i] = i;
        if (i != 5)
            fill_random(mem + (size_t)i * PS, 64);
    }
    xlmig_codec_enc_init(&e);
    xlmig_codec_enc_agree(&e, XLMIG_COMPRESS_ON, XLMIG_CODEC_ALL);
    CU_ASSERT_EQUAL(xlmig_codec_enc_pages(&e, pfns, 32, mem, PS, &o), 0);
    CU_ASSERT_EQUAL(o.type, XLMIG_REC_CODED);
    CU_ASSERT_TRUE(o.packed);
    CU_ASSERT(o.len < 32 * 200);
    CU_ASSERT_EQUAL(e.st.comp_records, 1);
    raw = raw_pages(pfns, 32, mem, &raw_len);
    check_roundtrip(&o, XLMIG_REC_PAGES, raw, raw_len);
    free(raw);

    /* Incompressible, no zero page: the plain record. */
    fill_random(mem, 32 * PS);
    CU_ASSERT_EQUAL(xlmig_codec_enc_pages(&e, pfns, 32, mem, PS, &o), 0);
    CU_ASSERT_EQUAL(o.type, XLMIG_REC_PAGES);
    CU_ASSERT_FALSE(o.packed);
    CU_ASSERT_EQUAL(e.st.comp_records, 1);
    raw = raw_pages(pfns, 32, mem, &raw_len);
    check_roundtrip(&o, XLMIG_REC_PAGES, raw, raw_len);
    free(raw);

    /* Incompressible with zero pages: stored, zeros elided. */
    memset(mem + 3 * PS, 0, PS);
    CU_ASSERT_EQUAL(xlmig_codec_enc_pages(&e, pfns, 32, mem, PS, &o), 0);
    CU_ASSERT_EQUAL(o.type, XLMIG_REC_CODED);
    CU_ASSERT_FALSE(o.packed);
    CU_ASSERT_EQUAL(o.len, XLMIG_CODED_HDR_LEN + 8 + 32 * 8 + 8 + 31 * PS);
    raw = raw_pages(pfns, 32, mem, &raw_len);
    check_roundtrip(&o, XLMIG_REC_PAGES, raw, raw_len);
    free(raw);
    xlmig_codec_enc_dispose(&e);
    free(mem);
}

/* A chunk of random bytes with a zero 4 KiB block at offset at. */
static void xen_case(xlmig_codec_enc *e, size_t len, size_t at,
                     size_t zlen, bool expect_coded)
{
    uint8_t *c = malloc(len);
    xlmig_codec_out o;

    fill_random(c, len);
    memset(c + at, 0, zlen);
    CU_ASSERT_EQUAL_FATAL(xlmig_codec_enc_xen(e, c, len, &o), 0);
    if (expect_coded) {
        CU_ASSERT_EQUAL(o.type, XLMIG_REC_CODED);
        /* The run, less at most 14 bytes of alignment, is gone. */
        CU_ASSERT(o.len + zlen - 24 <= len + XLMIG_CODED_HDR_LEN + 16);
    } else {
        CU_ASSERT_EQUAL(o.type, XLMIG_REC_XEN);
        CU_ASSERT_EQUAL(o.len, len);
    }
    check_roundtrip(&o, XLMIG_REC_XEN, c, len);
    free(c);
}

static void test_xen_runs(void)
{
    xlmig_codec_enc e;
    size_t at;

    xlmig_codec_enc_init(&e);
    xlmig_codec_enc_agree(&e, XLMIG_COMPRESS_AUTO, XLMIG_CODEC_ZERO);
    /* A zero page at every alignment, start, middle and end. */
    for (at = 0; at < 24; at++) {
        xen_case(&e, 3 * PS + 37, at, PS, true);
        xen_case(&e, 3 * PS + 37, PS + at, PS, true);
        xen_case(&e, 3 * PS + 37, 2 * PS + 37 - at, PS, true);
    }
    /* Runs too short to be worth a run: the plain chunk. */
    xen_case(&e, 2 * PS, 100, XLMIG_CODEC_MIN_RUN - 16, false);
    /* A chunk of one byte, and an all-zero chunk. */
    xen_case(&e, 1, 0, 0, false);
    xen_case(&e, XLMIG_MAX_XEN_CHUNK, 0, XLMIG_MAX_XEN_CHUNK, true);
    xen_case(&e, PS + 5, 0, PS + 5, true);
    xlmig_codec_enc_dispose(&e);
}

static void test_xen_many_runs(void)
{
    uint8_t *c = calloc(1, XLMIG_MAX_XEN_CHUNK);
    xlmig_codec_enc e;
    xlmig_codec_out o;
    size_t i;

    /* Every 1032 bytes one non-zero word: as many runs as fit. */
    for (i = 0; i + 8 <= XLMIG_MAX_XEN_CHUNK; i += 1032)
        c[i + 3] = 0xa5;
    xlmig_codec_enc_init(&e);
    xlmig_codec_enc_agree(&e, XLMIG_COMPRESS_AUTO, XLMIG_CODEC_ZERO);
    CU_ASSERT_EQUAL_FATAL(xlmig_codec_enc_xen(&e, c, XLMIG_MAX_XEN_CHUNK,
                                              &o), 0);
    CU_ASSERT_EQUAL(o.type, XLMIG_REC_CODED);
    CU_ASSERT(o.len < XLMIG_MAX_XEN_CHUNK / 20);
    check_roundtrip(&o, XLMIG_REC_XEN, c, XLMIG_MAX_XEN_CHUNK);
    xlmig_codec_enc_dispose(&e);
    free(c);
}

static void test_xen_compress(void)
{
    static const char words[] = "xen libxenguest PAGE_DATA page record ";
    uint8_t *c = malloc(200000);
    xlmig_codec_enc e;
    xlmig_codec_out o;
    size_t i;

    for (i = 0; i < 200000; i++)
        c[i] = (uint8_t)words[(i + next() % 3) % (sizeof(words) - 1)];
    xlmig_codec_enc_init(&e);
    xlmig_codec_enc_agree(&e, XLMIG_COMPRESS_ON, XLMIG_CODEC_ALL);
    CU_ASSERT_EQUAL(xlmig_codec_enc_xen(&e, c, 200000, &o), 0);
    CU_ASSERT_EQUAL(o.type, XLMIG_REC_CODED);
    CU_ASSERT_TRUE(o.packed);
    CU_ASSERT(o.len < 150000);
    check_roundtrip(&o, XLMIG_REC_XEN, c, 200000);
    /* Random: no gain, sent as it was. */
    fill_random(c, 200000);
    CU_ASSERT_EQUAL(xlmig_codec_enc_xen(&e, c, 200000, &o), 0);
    CU_ASSERT_EQUAL(o.type, XLMIG_REC_XEN);
    check_roundtrip(&o, XLMIG_REC_XEN, c, 200000);
    xlmig_codec_enc_dispose(&e);
    free(c);
}

#define MB 1e6

static void test_worth(void)
{
    /* A slow link and a fast compressor: worth it. */
    CU_ASSERT_TRUE(xlmig_codec_worth(10 * MB, 500 * MB, 0.5));
    CU_ASSERT_TRUE(xlmig_codec_worth(117 * MB, 450 * MB, 0.48));
    /* A fast link: the compressor would be the bottleneck. */
    CU_ASSERT_FALSE(xlmig_codec_worth(1170 * MB, 450 * MB, 0.48));
    /* A slow compressor on a moderate link, even at a fine ratio. */
    CU_ASSERT_FALSE(xlmig_codec_worth(100 * MB, 50 * MB, 0.1));
    /* Data that does not shrink, or barely. */
    CU_ASSERT_FALSE(xlmig_codec_worth(10 * MB, 5000 * MB, 1.0));
    CU_ASSERT_FALSE(xlmig_codec_worth(10 * MB, 5000 * MB, 0.95));
    /* Anything unknown: no. */
    CU_ASSERT_FALSE(xlmig_codec_worth(0, 500 * MB, 0.5));
    CU_ASSERT_FALSE(xlmig_codec_worth(10 * MB, 0, 0.5));
    CU_ASSERT_FALSE(xlmig_codec_worth(10 * MB, 500 * MB, 0));
    /* The model says yes but compressed records went out slower than
     * raw ones (a slow receiver): no. */
    CU_ASSERT_TRUE(xlmig_codec_decide(100 * MB, 900 * MB, 0.02, 0));
    CU_ASSERT_TRUE(xlmig_codec_decide(100 * MB, 900 * MB, 0.02, 700 * MB));
    CU_ASSERT_FALSE(xlmig_codec_decide(100 * MB, 900 * MB, 0.02, 90 * MB));
    CU_ASSERT_FALSE(xlmig_codec_decide(1000 * MB, 900 * MB, 0.02, 0));
}

/* The periodic decision, fed measures instead of real writes. */
static void test_evaluate(void)
{
    xlmig_codec_enc e;

    xlmig_codec_enc_init(&e);
    xlmig_codec_enc_agree(&e, XLMIG_COMPRESS_AUTO, XLMIG_CODEC_ALL);
    CU_ASSERT_FALSE(e.compress_now);
    /* 10 MB/s link, 500 MB/s compressor to half: on. */
    e.link_bytes = 10e6;
    e.link_ns = 1e9;
    e.comp_in = 500e6;
    e.comp_out = 250e6;
    e.comp_ns = 1e9;
    xlmig_codec_enc_evaluate(&e, 1000);
    CU_ASSERT_TRUE(e.compress_now);
    CU_ASSERT_TRUE(e.st.compressing);
    CU_ASSERT_EQUAL(e.st.switches, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.st.why, "compressing is faster"));
    /* Compressed records then went out at 5 MB/s: off again. */
    e.packed_bytes = 5e6;
    e.packed_ns = 1e9;
    xlmig_codec_enc_evaluate(&e, 2000);
    CU_ASSERT_FALSE(e.compress_now);
    CU_ASSERT_EQUAL(e.st.switches, 2);
    /* A known rate limit is the link's rate: 1 GB/s, off. */
    e.packed_bytes = e.packed_ns = 0;
    xlmig_codec_enc_set_link(&e, 1e9);
    xlmig_codec_enc_evaluate(&e, 3000);
    CU_ASSERT_FALSE(e.compress_now);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.st.why, "raw is as fast"));
    /* Forced on: not re-evaluated. */
    xlmig_codec_enc_agree(&e, XLMIG_COMPRESS_ON, XLMIG_CODEC_ALL);
    xlmig_codec_enc_evaluate(&e, 4000);
    CU_ASSERT_TRUE(e.compress_now);
    xlmig_codec_enc_dispose(&e);
}

/* A valid coded record to break: 3 pages, one zero, stored. */
static size_t good_pages(uint8_t *rec)
{
    uint8_t *mem = calloc(3, PS);
    uint64_t pfns[3] = { 0, 1, 2 };
    xlmig_codec_enc e;
    xlmig_codec_out o;
    uint8_t *f;
    size_t len;

    fill_random(mem + PS, 2 * PS);
    xlmig_codec_enc_init(&e);
    xlmig_codec_enc_agree(&e, XLMIG_COMPRESS_AUTO, XLMIG_CODEC_ZERO);
    CU_ASSERT_EQUAL(xlmig_codec_enc_pages(&e, pfns, 3, mem, PS, &o), 0);
    f = flatten(&o);
    len = o.len;
    memcpy(rec, f, len);
    free(f);
    xlmig_codec_enc_dispose(&e);
    free(mem);
    return len;
}

static int dec(const uint8_t *rec, size_t len, unsigned allowed)
{
    xlmig_codec_dec d;
    const uint8_t *out;
    size_t out_len;
    uint32_t t;
    int rc;

    xlmig_codec_dec_init(&d, allowed);
    rc = xlmig_codec_decode(&d, rec, len, PS, &t, &out, &out_len);
    xlmig_codec_dec_dispose(&d);
    return rc;
}

static void test_refuse_pages(void)
{
    uint8_t *rec = malloc(4 * PS), *b;
    size_t len = good_pages(rec);

    b = rec + XLMIG_CODED_HDR_LEN;
    CU_ASSERT_EQUAL(dec(rec, len, XLMIG_CODEC_ALL), 0);
    /* The source never announced the codec. */
    CU_ASSERT_EQUAL(dec(rec, len, 0), XLMIG_E_PROTO);
    CU_ASSERT_EQUAL(dec(rec, XLMIG_CODED_HDR_LEN - 1, XLMIG_CODEC_ALL),
                    XLMIG_E_PROTO);
    CU_ASSERT_EQUAL(dec(rec, len - 1, XLMIG_CODEC_ALL), XLMIG_E_PROTO);
#define BREAK(stmt) do {                                          \
        len = good_pages(rec);                                    \
        stmt;                                                     \
        CU_ASSERT_EQUAL(dec(rec, len, XLMIG_CODEC_ALL), XLMIG_E_PROTO); \
    } while (0)
    BREAK(xlmig_put_le32(rec, XLMIG_REC_CONTROL));      /* inner type */
    BREAK(xlmig_put_le32(rec, XLMIG_REC_CODED));
    BREAK(xlmig_put_le32(rec + 4, 0));                  /* raw size */
    BREAK(xlmig_put_le32(rec + 4, 0xffffffffu));
    BREAK(xlmig_put_le32(rec + 4, xlmig_pages_len(4, PS)));
    BREAK(xlmig_put_le32(rec + 8, xlmig_get_le32(rec + 4) + 257));
    BREAK(xlmig_put_le32(rec + 8, xlmig_get_le32(rec + 8) - 8));
    BREAK(rec[12] = 7);                                 /* method */
    BREAK(rec[14] = 1);                                 /* reserved */
    BREAK(xlmig_put_le32(b, 4));                        /* page count */
    BREAK(xlmig_put_le32(b, 0));
    BREAK(xlmig_put_le32(b + 4, 8192));                 /* page size */
    BREAK(b[8 + 3 * 8] = 0);                            /* map: no zero */
    BREAK(b[8 + 3 * 8] = 0x09);                         /* past count */
    BREAK(b[8 + 3 * 8] = 0x03);                         /* two zeros */
#undef BREAK
    free(rec);
}

/* A coded XEN record: nruns runs given as (off, len) pairs. */
static size_t xen_rec(uint8_t *rec, uint32_t raw_len, const uint32_t *runs,
                      uint32_t nruns, uint32_t lit)
{
    uint8_t *b = rec + XLMIG_CODED_HDR_LEN;
    uint32_t i, body = 8 + nruns * 8 + lit;

    xlmig_put_le32(rec, XLMIG_REC_XEN);
    xlmig_put_le32(rec + 4, raw_len);
    xlmig_put_le32(rec + 8, body);
    memset(rec + 12, 0, 4);
    xlmig_put_le32(b, nruns);
    xlmig_put_le32(b + 4, 0);
    for (i = 0; i < nruns * 2; i++)
        xlmig_put_le32(b + 8 + i * 4, runs[i]);
    memset(b + 8 + nruns * 8, 0x5a, lit);
    return XLMIG_CODED_HDR_LEN + body;
}

static void test_refuse_xen(void)
{
    uint8_t *rec = malloc(1 << 16);
    uint32_t ok[] = { 100, 2000, 3000, 1000 };
    uint32_t order[] = { 3000, 1000, 100, 2000 };
    uint32_t overlap[] = { 100, 2000, 2000, 1000 };
    uint32_t past[] = { 100, 2000, 3000, 5001 };
    uint32_t wrap[] = { 0xffffff00u, 0x200 };
    uint32_t empty[] = { 100, 0 };
    size_t len;

    len = xen_rec(rec, 8000, ok, 2, 8000 - 3000);
    CU_ASSERT_EQUAL(dec(rec, len, XLMIG_CODEC_ALL), 0);
    len = xen_rec(rec, 8000, ok, 2, 8000 - 3000 - 1);
    CU_ASSERT_EQUAL(dec(rec, len, XLMIG_CODEC_ALL), XLMIG_E_PROTO);
    len = xen_rec(rec, 8000, ok, 2, 8000 - 3000 + 1);
    CU_ASSERT_EQUAL(dec(rec, len, XLMIG_CODEC_ALL), XLMIG_E_PROTO);
    len = xen_rec(rec, 8000, order, 2, 5000);
    CU_ASSERT_EQUAL(dec(rec, len, XLMIG_CODEC_ALL), XLMIG_E_PROTO);
    len = xen_rec(rec, 8000, overlap, 2, 5000);
    CU_ASSERT_EQUAL(dec(rec, len, XLMIG_CODEC_ALL), XLMIG_E_PROTO);
    len = xen_rec(rec, 8000, past, 2, 999);
    CU_ASSERT_EQUAL(dec(rec, len, XLMIG_CODEC_ALL), XLMIG_E_PROTO);
    len = xen_rec(rec, 8000, wrap, 1, 8000);
    CU_ASSERT_EQUAL(dec(rec, len, XLMIG_CODEC_ALL), XLMIG_E_PROTO);
    len = xen_rec(rec, 8000, empty, 1, 8000);
    CU_ASSERT_EQUAL(dec(rec, len, XLMIG_CODEC_ALL), XLMIG_E_PROTO);
    /* More runs than the body could hold. */
    len = xen_rec(rec, 8000, ok, 2, 5000);
    xlmig_put_le32(rec + XLMIG_CODED_HDR_LEN, 0x7fffffffu);
    CU_ASSERT_EQUAL(dec(rec, len, XLMIG_CODEC_ALL), XLMIG_E_PROTO);
    /* A chunk over the Xen chunk bound. */
    len = xen_rec(rec, XLMIG_MAX_XEN_CHUNK + 1, ok, 0, 0);
    CU_ASSERT_EQUAL(dec(rec, len, XLMIG_CODEC_ALL), XLMIG_E_PROTO);
    free(rec);
}

static void test_refuse_lz4(void)
{
    static const char words[] = "aaaaabbbbbcccccdddddeeeee";
    uint8_t *c = malloc(50000), *rec;
    xlmig_codec_enc e;
    xlmig_codec_out o;
    size_t i;

    for (i = 0; i < 50000; i++)
        c[i] = (uint8_t)words[i % (sizeof(words) - 1)];
    xlmig_codec_enc_init(&e);
    xlmig_codec_enc_agree(&e, XLMIG_COMPRESS_ON, XLMIG_CODEC_ALL);
    CU_ASSERT_EQUAL_FATAL(xlmig_codec_enc_xen(&e, c, 50000, &o), 0);
    CU_ASSERT_EQUAL_FATAL(o.packed, true);
    rec = flatten(&o);
    CU_ASSERT_EQUAL(dec(rec, o.len, XLMIG_CODEC_ALL), 0);
    /* Announced zero pages only. */
    CU_ASSERT_EQUAL(dec(rec, o.len, XLMIG_CODEC_ZERO), XLMIG_E_PROTO);
    /* Decompressed size declared one more, or one less. */
    xlmig_put_le32(rec + 8, xlmig_get_le32(rec + 8) + 1);
    CU_ASSERT_EQUAL(dec(rec, o.len, XLMIG_CODEC_ALL), XLMIG_E_PROTO);
    xlmig_put_le32(rec + 8, xlmig_get_le32(rec + 8) - 2);
    CU_ASSERT_EQUAL(dec(rec, o.len, XLMIG_CODEC_ALL), XLMIG_E_PROTO);
    xlmig_put_le32(rec + 8, xlmig_get_le32(rec + 8) + 1);
    /* Truncated and corrupted lz4 data. */
    CU_ASSERT_EQUAL(dec(rec, o.len - 3, XLMIG_CODEC_ALL), XLMIG_E_PROTO);
    memset(rec + XLMIG_CODED_HDR_LEN, 0xff, 16);
    CU_ASSERT_EQUAL(dec(rec, o.len, XLMIG_CODEC_ALL), XLMIG_E_PROTO);
    /* Compressed data no smaller than what it stands for. */
    xlmig_put_le32(rec + 8, (uint32_t)(o.len - XLMIG_CODED_HDR_LEN));
    CU_ASSERT_EQUAL(dec(rec, o.len, XLMIG_CODEC_ALL), XLMIG_E_PROTO);
    free(rec);
    xlmig_codec_enc_dispose(&e);
    free(c);
}

static void test_hdr_bound(void)
{
    uint8_t b[8];
    xlmig_rec_hdr h;
    uint64_t max = xlmig_codec_max_len(PS);

    xlmig_rec_hdr_put(b, XLMIG_REC_CODED, (uint32_t)max);
    CU_ASSERT_EQUAL(xlmig_rec_hdr_get(b, 8, PS, &h), 0);
    xlmig_rec_hdr_put(b, XLMIG_REC_CODED, (uint32_t)max + 1);
    CU_ASSERT_EQUAL(xlmig_rec_hdr_get(b, 8, PS, &h), XLMIG_E_PROTO);
    /* Without a page size (Xen), the Xen chunk bound. */
    xlmig_rec_hdr_put(b, XLMIG_REC_CODED, XLMIG_MAX_XEN_CHUNK + 4096);
    CU_ASSERT_EQUAL(xlmig_rec_hdr_get(b, 8, 0, &h), XLMIG_E_PROTO);
    CU_ASSERT_EQUAL(xlmig_compress_mode_parse("auto"), XLMIG_COMPRESS_AUTO);
    CU_ASSERT_EQUAL(xlmig_compress_mode_parse("on"), XLMIG_COMPRESS_ON);
    CU_ASSERT_EQUAL(xlmig_compress_mode_parse("off"), XLMIG_COMPRESS_OFF);
    CU_ASSERT_EQUAL(xlmig_compress_mode_parse("yes"), -1);
}

static CU_TestInfo tests[] = {
    { "pages: zero pages as their pfn, round trip", test_pages_zero },
    { "pages: off, or a peer without the codec: raw", test_pages_off },
    { "pages: compressible and incompressible", test_pages_compress },
    { "xen: zero runs at every alignment", test_xen_runs },
    { "xen: as many runs as a chunk holds", test_xen_many_runs },
    { "xen: compressible and incompressible", test_xen_compress },
    { "decision: link, compressor, ratio, measure", test_worth },
    { "decision: periodic evaluation", test_evaluate },
    { "refused: malformed pages", test_refuse_pages },
    { "refused: malformed zero runs", test_refuse_xen },
    { "refused: lz4 size mismatch and corruption", test_refuse_lz4 },
    { "record header bound", test_hdr_bound },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("codec", NULL, NULL, tests)
