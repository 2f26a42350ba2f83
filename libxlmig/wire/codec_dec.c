/*
 * The record codec's decoding side (codec.h): a CODED record from the
 * peer, every length bounded before anything is allocated.
 */
#include "codec.h"

#include <lz4.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_priv.h"
#include "error.h"
#include "wire.h"

void xlmig_codec_dec_init(xlmig_codec_dec *d, unsigned allowed)
{
    memset(d, 0, sizeof(*d));
    d->allowed = allowed;
}

void xlmig_codec_dec_dispose(xlmig_codec_dec *d)
{
    free(d->body);
    free(d->raw);
    d->body = d->raw = NULL;
    d->body_cap = d->raw_cap = 0;
}

uint64_t xlmig_codec_max_len(uint32_t page_size)
{
    uint64_t max = XLMIG_MAX_XEN_CHUNK;

    if (page_size && page_size <= XLMIG_MAX_PAGE_SIZE &&
        xlmig_pages_len(XLMIG_MAX_BATCH, page_size) > max)
        max = xlmig_pages_len(XLMIG_MAX_BATCH, page_size);
    return XLMIG_CODED_HDR_LEN + max + XLMIG_CODED_SLACK;
}

static int bad(const char *what)
{
    xlmig_err(XLMIG_E_PROTO, "coded record: %s", what);
    return XLMIG_E_PROTO;
}

static int dec_pages(xlmig_codec_dec *d, const uint8_t *b, size_t body_len,
                     size_t raw_len, uint32_t page_size)
{
    uint32_t count, ps, i, words, zeros = 0;
    const uint8_t *map, *data;
    size_t head_len;
    uint8_t *o;

    if (body_len < 8)
        return bad("pages body truncated");
    count = xlmig_get_le32(b);
    ps = xlmig_get_le32(b + 4);
    if (ps != page_size) {
        xlmig_err(XLMIG_E_PROTO, "coded record: page size %u, agreed %u",
                  ps, page_size);
        return XLMIG_E_PROTO;
    }
    if (!count || count > XLMIG_MAX_BATCH)
        return bad("bad page count");
    if (raw_len != xlmig_pages_len(count, ps))
        return bad("declared size does not match its page count");
    words = (count + 63) / 64;
    head_len = 8 + (size_t)count * 8 + (size_t)words * 8;
    if (body_len < head_len)
        return bad("pages body shorter than its pfn list");
    map = b + 8 + (size_t)count * 8;
    for (i = 0; i < words * 64; i++) {
        bool z = map[i / 8] >> (i % 8) & 1;

        if (z && i >= count)
            return bad("zero map marks pages past the count");
        zeros += z;
    }
    if (body_len != head_len + (size_t)(count - zeros) * ps)
        return bad("pages body length does not match its zero map");
    o = d->raw;
    memcpy(o, b, 8 + (size_t)count * 8);
    o += 8 + (size_t)count * 8;
    data = b + head_len;
    for (i = 0; i < count; i++, o += ps) {
        if (map[i / 8] >> (i % 8) & 1) {
            memset(o, 0, ps);
        } else {
            memcpy(o, data, ps);
            data += ps;
        }
    }
    return 0;
}

static int dec_xen(xlmig_codec_dec *d, const uint8_t *b, size_t body_len,
                   size_t raw_len)
{
    const uint8_t *lit;
    uint64_t at = 0, left;
    uint32_t nruns, i;

    if (body_len < 8)
        return bad("chunk body truncated");
    nruns = xlmig_get_le32(b);
    if (xlmig_get_le32(b + 4))
        return bad("reserved field not zero");
    if (nruns > (body_len - 8) / 8)
        return bad("more zero runs than the body holds");
    lit = b + 8 + (size_t)nruns * 8;
    left = body_len - 8 - (size_t)nruns * 8;
    for (i = 0; i <= nruns; i++) {
        uint64_t off = raw_len, rl = 0;

        if (i < nruns) {
            off = xlmig_get_le32(b + 8 + (size_t)i * 8);
            rl = xlmig_get_le32(b + 12 + (size_t)i * 8);
            if (!rl || off < at || off + rl > raw_len)
                return bad("zero runs out of order or past the chunk");
        }
        if (off - at > left)
            return bad("chunk body shorter than its runs say");
        memcpy(d->raw + at, lit, off - at);
        lit += off - at;
        left -= off - at;
        memset(d->raw + off, 0, rl);
        at = off + rl;
    }
    if (left)
        return bad("chunk body longer than its runs say");
    return 0;
}

int xlmig_codec_decode(xlmig_codec_dec *d, const uint8_t *p, size_t len,
                       uint32_t page_size, uint32_t *type,
                       const uint8_t **out, size_t *out_len)
{
    uint32_t inner, raw_len, body_len;
    const uint8_t *body;
    size_t dlen;
    uint64_t max;
    int rc, r;

    if (!(d->allowed & XLMIG_CODEC_ZERO))
        return bad("the source did not announce the codec");
    if (len < XLMIG_CODED_HDR_LEN)
        return bad("header truncated");
    inner = xlmig_get_le32(p);
    raw_len = xlmig_get_le32(p + 4);
    body_len = xlmig_get_le32(p + 8);
    if (p[13] || p[14] || p[15])
        return bad("reserved bytes not zero");
    if (inner == XLMIG_REC_PAGES) {
        if (!page_size || page_size > XLMIG_MAX_PAGE_SIZE)
            return bad("pages before the page size was agreed");
        max = xlmig_pages_len(XLMIG_MAX_BATCH, page_size);
    } else if (inner == XLMIG_REC_XEN) {
        max = XLMIG_MAX_XEN_CHUNK;
    } else {
        xlmig_err(XLMIG_E_PROTO, "coded record: carries type %u", inner);
        return XLMIG_E_PROTO;
    }
    if (!raw_len || raw_len > max) {
        xlmig_err(XLMIG_E_PROTO, "coded record: declared size %u outside"
                  " 1..%llu", raw_len, (unsigned long long)max);
        return XLMIG_E_PROTO;
    }
    if (body_len > (uint64_t)raw_len + XLMIG_CODED_SLACK)
        return bad("body longer than the declared size allows");
    body = p + XLMIG_CODED_HDR_LEN;
    dlen = len - XLMIG_CODED_HDR_LEN;
    if (p[12] == XLMIG_CODED_STORED) {
        if (dlen != body_len)
            return bad("stored body length does not match");
    } else if (p[12] == XLMIG_CODED_LZ4) {
        if (!(d->allowed & XLMIG_CODEC_LZ4))
            return bad("compressed, but the source announced no lz4");
        if (!dlen || dlen >= body_len || dlen > INT32_MAX)
            return bad("compressed body not smaller than its data");
        rc = xlmig_codec_ensure(&d->body, &d->body_cap, body_len);
        if (rc)
            return rc;
        r = LZ4_decompress_safe((const char *)body, (char *)d->body,
                                (int)dlen, (int)body_len);
        if (r < 0 || (uint32_t)r != body_len) {
            xlmig_err(XLMIG_E_PROTO, "coded record: lz4 data %s (%d of %u"
                      " bytes)", r < 0 ? "corrupt" : "decompressed short",
                      r, body_len);
            return XLMIG_E_PROTO;
        }
        body = d->body;
    } else {
        xlmig_err(XLMIG_E_PROTO, "coded record: unknown method %u", p[12]);
        return XLMIG_E_PROTO;
    }
    rc = xlmig_codec_ensure(&d->raw, &d->raw_cap, raw_len);
    if (rc)
        return rc;
    rc = inner == XLMIG_REC_PAGES
       ? dec_pages(d, body, body_len, raw_len, page_size)
       : dec_xen(d, body, body_len, raw_len);
    if (rc)
        return rc;
    *type = inner;
    *out = d->raw;
    *out_len = raw_len;
    return 0;
}
