/*
 * The record codec's encoding side (codec.h): zero pages and zero runs
 * left out, lz4 when measured to be faster on this link, and the
 * decision that measures it; codec_dec.c reads what this writes.
 */
#include "codec.h"

#include <lz4.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "codec_priv.h"
#include "error.h"
#include "wire.h"

#define EVAL_NS       250000000ULL  /* auto decides four times a second */
#define PROBE_SHARE   0.02          /* of the time, probing when off */
#define PROBE_MIN     4u
#define PROBE_MAX     1024u
#define WARMUP_RECS   2      /* the receiver may not read yet: unmeasured */
#define IOV_CAP       (XLMIG_MAX_BATCH + 16)
#define MIB           (1024.0 * 1024.0)

int xlmig_compress_mode_parse(const char *s)
{
    if (!strcmp(s, "auto"))
        return XLMIG_COMPRESS_AUTO;
    if (!strcmp(s, "off"))
        return XLMIG_COMPRESS_OFF;
    if (!strcmp(s, "on"))
        return XLMIG_COMPRESS_ON;
    return -1;
}

const char *xlmig_compress_mode_str(xlmig_compress_mode m)
{
    return m == XLMIG_COMPRESS_OFF ? "off" : m == XLMIG_COMPRESS_ON ? "on"
                                                                    : "auto";
}

bool xlmig_codec_worth(double link_Bps, double comp_Bps, double ratio)
{
    if (!(link_Bps > 0) || !(comp_Bps > 0) || !(ratio > 0) || ratio >= 1)
        return false;
    /* The sender compresses, then writes: the two times add up. */
    return 1.0 / comp_Bps + ratio / link_Bps <=
           XLMIG_CODEC_GAIN / link_Bps;
}

bool xlmig_codec_decide(double link_Bps, double comp_Bps, double ratio,
                        double packed_Bps)
{
    if (!xlmig_codec_worth(link_Bps, comp_Bps, ratio))
        return false;
    return !(packed_Bps > 0) || packed_Bps >= link_Bps;
}

void xlmig_codec_enc_init(xlmig_codec_enc *e)
{
    memset(e, 0, sizeof(*e));
    e->mode = XLMIG_COMPRESS_OFF;
    e->probe_every = 16;
    e->since_probe = 15;       /* the first record is measured */
    snprintf(e->st.why, sizeof(e->st.why), "no codec agreed");
}

void xlmig_codec_enc_dispose(xlmig_codec_enc *e)
{
    free(e->body);
    free(e->cbuf);
    free(e->iov);
    e->body = e->cbuf = NULL;
    e->iov = NULL;
    e->body_cap = e->cbuf_cap = 0;
    e->iov_cap = 0;
}

unsigned xlmig_codec_enc_agree(xlmig_codec_enc *e, xlmig_compress_mode mode,
                               unsigned peer_caps)
{
    e->mode = mode;
    e->use = mode == XLMIG_COMPRESS_OFF ? 0 : peer_caps & XLMIG_CODEC_ALL;
    e->compress_now = mode == XLMIG_COMPRESS_ON;
    e->st.compressing = e->compress_now && (e->use & XLMIG_CODEC_LZ4);
    if (mode == XLMIG_COMPRESS_OFF)
        snprintf(e->st.why, sizeof(e->st.why), "off (--compress off):"
                 " records sent raw");
    else if (!(e->use & XLMIG_CODEC_ZERO))
        snprintf(e->st.why, sizeof(e->st.why), "the destination has no"
                 " record codec: records sent raw");
    else if (!(e->use & XLMIG_CODEC_LZ4))
        snprintf(e->st.why, sizeof(e->st.why), "the destination cannot"
                 " decompress: zero pages elided only");
    else if (mode == XLMIG_COMPRESS_ON)
        snprintf(e->st.why, sizeof(e->st.why), "on (--compress on)");
    else
        snprintf(e->st.why, sizeof(e->st.why), "auto: not measured yet");
    return e->use;
}

void xlmig_codec_enc_set_link(xlmig_codec_enc *e, double Bps)
{
    e->link_Bps_fixed = Bps > 0 ? Bps : 0;
}

int xlmig_codec_ensure(uint8_t **buf, size_t *cap, size_t need)
{
    uint8_t *nb;

    if (need <= *cap)
        return 0;
    nb = realloc(*buf, need);
    if (!nb) {
        xlmig_err(XLMIG_E_NOMEM, "record codec: no memory for %zu bytes",
                  need);
        return XLMIG_E_NOMEM;
    }
    /* Fault the new pages in now, not inside a timed compression. */
    memset(nb + *cap, 0, need - *cap);
    *buf = nb;
    *cap = need;
    return 0;
}

static int ensure_iov(xlmig_codec_enc *e)
{
    if (e->iov)
        return 0;
    e->iov = calloc(IOV_CAP, sizeof(*e->iov));
    if (!e->iov) {
        xlmig_err(XLMIG_E_NOMEM, "record codec: no memory for iovecs");
        return XLMIG_E_NOMEM;
    }
    e->iov_cap = IOV_CAP;
    return 0;
}

static bool is_zero(const uint8_t *p, size_t n)
{
    uint64_t w;

    if (n < 8)
        return false;
    memcpy(&w, p, 8);
    return !w && !memcmp(p, p + 8, n - 8);
}

/*
 * Auto keeps both measures fresh: one record now and then goes the
 * other way (compressed while off, stored while on), as rarely as
 * keeps the cost of it within PROBE_SHARE of the time.
 */
static bool want_compress(xlmig_codec_enc *e)
{
    bool probe;

    if (!(e->use & XLMIG_CODEC_LZ4))
        return false;
    if (e->mode == XLMIG_COMPRESS_ON)
        return true;
    probe = ++e->since_probe >= e->probe_every;
    if (probe)
        e->since_probe = 0;
    return e->compress_now != probe;
}

static void put_coded_hdr(uint8_t *h, uint32_t inner, size_t raw_len,
                          size_t body_len, uint8_t method)
{
    xlmig_put_le32(h, inner);
    xlmig_put_le32(h + 4, (uint32_t)raw_len);
    xlmig_put_le32(h + 8, (uint32_t)body_len);
    h[12] = method;
    h[13] = h[14] = h[15] = 0;
}

/*
 * Gather the body (out->iov, iov[0] its head) and compress it; if that
 * makes it clearly smaller, out becomes the compressed record and
 * *packed is set. Measured either way, for the decision.
 */
static int try_compress(xlmig_codec_enc *e, uint32_t inner, size_t raw_len,
                        size_t body_len, xlmig_codec_out *out, bool *packed)
{
    uint64_t t0, t1;
    size_t off = 0, bound, got;
    int i, clen, rc;

    *packed = false;
    bound = (size_t)LZ4_compressBound((int)body_len);
    rc = xlmig_codec_ensure(&e->body, &e->body_cap, body_len);
    if (!rc)
        rc = xlmig_codec_ensure(&e->cbuf, &e->cbuf_cap, bound);
    if (rc)
        return rc;
    t0 = xlmig_now_ns();
    for (i = 0; i < out->niov; i++) {
        memcpy(e->body + off, out->iov[i].iov_base, out->iov[i].iov_len);
        off += out->iov[i].iov_len;
    }
    clen = LZ4_compress_default((const char *)e->body, (char *)e->cbuf,
                                (int)body_len, (int)bound);
    t1 = xlmig_now_ns();
    out->comp_ns = t1 - t0;
    got = clen > 0 ? (size_t)clen : body_len;
    /* The choice is between this body stored and compressed. */
    e->comp_ns += (double)(t1 - t0);
    e->comp_in += (double)body_len;
    e->comp_out += (double)got;
    e->st.comp_in += body_len;
    e->st.comp_out += got;
    e->st.comp_ns += t1 - t0;
    if (clen <= 0 || got + 64 > body_len)
        return 0;
    put_coded_hdr(e->head, inner, raw_len, body_len, XLMIG_CODED_LZ4);
    out->type = XLMIG_REC_CODED;
    out->iov[0] = (struct iovec){ e->head, XLMIG_CODED_HDR_LEN };
    out->iov[1] = (struct iovec){ e->cbuf, got };
    out->niov = 2;
    out->len = XLMIG_CODED_HDR_LEN + got;
    e->st.comp_records++;
    out->packed = *packed = true;
    return 0;
}

static void count_out(xlmig_codec_enc *e, size_t raw_len,
                      const xlmig_codec_out *out)
{
    e->st.records++;
    e->st.raw_bytes += raw_len;
    e->st.wire_bytes += out->len;
}

/*
 * out->iov[0] is the body's head (at e->head + XLMIG_CODED_HDR_LEN),
 * the rest its data: compress it, or send it stored behind the coded
 * header, or (saved nothing) as the plain record of plain_head bytes.
 */
static int finish(xlmig_codec_enc *e, uint32_t inner, size_t raw_len,
                  size_t body_len, bool saved, size_t plain_head,
                  xlmig_codec_out *out)
{
    bool packed = false;
    int rc;

    out->body_len = body_len;
    if (want_compress(e)) {
        rc = try_compress(e, inner, raw_len, body_len, out, &packed);
        if (rc)
            return rc;
    }
    /* Compressed, out is the record; else stored, or the plain one. */
    if (!packed && !saved) {
        out->type = inner;
        out->iov[0].iov_len = plain_head;
        out->len = raw_len;
        if (!plain_head) {     /* a XEN chunk is all data */
            out->iov++;
            out->niov--;
        }
    } else if (!packed) {
        put_coded_hdr(e->head, inner, raw_len, body_len,
                      XLMIG_CODED_STORED);
        out->type = XLMIG_REC_CODED;
        out->iov[0].iov_base = e->head;
        out->iov[0].iov_len += XLMIG_CODED_HDR_LEN;
        out->len = XLMIG_CODED_HDR_LEN + body_len;
    }
    count_out(e, raw_len, out);
    return 0;
}

int xlmig_codec_enc_pages(xlmig_codec_enc *e, const uint64_t *pfns,
                          uint32_t n, const uint8_t *base, uint32_t ps,
                          xlmig_codec_out *out)
{
    uint8_t *h = e->head + XLMIG_CODED_HDR_LEN, *map;
    size_t raw_len, pfn_len, head_len, body_len;
    uint32_t i, words = (n + 63) / 64, zeros = 0;
    int rc, k;

    if (!n || n > XLMIG_MAX_BATCH || !ps || ps > XLMIG_MAX_PAGE_SIZE ||
        ps % 8) {
        xlmig_err(XLMIG_E_INVAL, "record codec: %u pages of %u bytes", n,
                  ps);
        return XLMIG_E_INVAL;
    }
    rc = ensure_iov(e);
    if (rc)
        return rc;
    raw_len = xlmig_pages_len(n, ps);
    pfn_len = 8 + (size_t)n * 8;
    xlmig_pages_put_head(h, n, ps);
    for (i = 0; i < n; i++)
        xlmig_put_le64(h + 8 + (size_t)i * 8, pfns[i]);
    out->iov = e->iov;
    out->packed = false;
    out->comp_ns = 0;
    out->body_len = raw_len;
    k = 1;
    if (!(e->use & XLMIG_CODEC_ZERO)) {
        out->iov[0] = (struct iovec){ h, pfn_len };
        for (i = 0; i < n; i++)
            out->iov[k++] = (struct iovec){ (void *)(base + pfns[i] * ps),
                                            ps };
        out->type = XLMIG_REC_PAGES;
        out->niov = k;
        out->len = raw_len;
        count_out(e, raw_len, out);
        return 0;
    }
    map = h + pfn_len;
    memset(map, 0, (size_t)words * 8);
    for (i = 0; i < n; i++) {
        const uint8_t *pg = base + pfns[i] * ps;

        if (is_zero(pg, ps)) {
            map[i / 8] |= (uint8_t)(1u << (i % 8));
            zeros++;
        } else {
            out->iov[k++] = (struct iovec){ (void *)pg, ps };
        }
    }
    head_len = pfn_len + (size_t)words * 8;
    body_len = head_len + (size_t)(n - zeros) * ps;
    out->iov[0] = (struct iovec){ h, head_len };
    out->niov = k;
    e->st.zero_pages += zeros;
    e->st.zero_bytes += (uint64_t)zeros * ps;
    return finish(e, XLMIG_REC_PAGES, raw_len, body_len, zeros > 0, pfn_len,
                  out);
}

int xlmig_codec_enc_xen(xlmig_codec_enc *e, const uint8_t *p, size_t len,
                        xlmig_codec_out *out)
{
    uint8_t *h = e->head + XLMIG_CODED_HDR_LEN;
    size_t words = len / 8, i = 0, lit_from = 0, zeroed = 0, head_len;
    size_t max_runs = (XLMIG_CODEC_HEAD_MAX - XLMIG_CODED_HDR_LEN - 8) / 8;
    uint32_t nruns = 0;
    int rc, k = 1;

    if (!len || len > XLMIG_MAX_XEN_CHUNK) {
        xlmig_err(XLMIG_E_INVAL, "record codec: a %zu-byte Xen chunk", len);
        return XLMIG_E_INVAL;
    }
    rc = ensure_iov(e);
    if (rc)
        return rc;
    out->iov = e->iov;
    out->packed = false;
    out->comp_ns = 0;
    out->body_len = len;
    if (!(e->use & XLMIG_CODEC_ZERO)) {
        out->iov[0] = (struct iovec){ (void *)p, len };
        out->type = XLMIG_REC_XEN;
        out->niov = 1;
        out->len = len;
        count_out(e, len, out);
        return 0;
    }
    /* Runs of zero words, 8-aligned in the chunk: a zero page at any
     * byte offset holds one of at least 4080 bytes. */
    while (i < words && nruns < max_runs && k < e->iov_cap - 2) {
        uint64_t w;
        size_t j;

        memcpy(&w, p + i * 8, 8);
        if (w) {
            i++;
            continue;
        }
        for (j = i + 1; j < words; j++) {
            memcpy(&w, p + j * 8, 8);
            if (w)
                break;
        }
        if ((j - i) * 8 >= XLMIG_CODEC_MIN_RUN) {
            xlmig_put_le32(h + 8 + (size_t)nruns * 8, (uint32_t)(i * 8));
            xlmig_put_le32(h + 12 + (size_t)nruns * 8,
                           (uint32_t)((j - i) * 8));
            nruns++;
            if (i * 8 > lit_from)
                out->iov[k++] = (struct iovec){ (void *)(p + lit_from),
                                                i * 8 - lit_from };
            lit_from = j * 8;
            zeroed += (j - i) * 8;
        }
        i = j;
    }
    if (lit_from < len)
        out->iov[k++] = (struct iovec){ (void *)(p + lit_from),
                                        len - lit_from };
    if (!nruns)                /* the whole chunk, for a plain record */
        out->iov[1] = (struct iovec){ (void *)p, len };
    xlmig_put_le32(h, nruns);
    xlmig_put_le32(h + 4, 0);
    head_len = 8 + (size_t)nruns * 8;
    out->iov[0] = (struct iovec){ h, head_len };
    out->niov = k;
    e->st.zero_bytes += zeroed;
    return finish(e, XLMIG_REC_XEN, len, head_len + len - zeroed, nruns > 0,
                  0, out);
}

void xlmig_codec_enc_sent(xlmig_codec_enc *e, const xlmig_codec_out *out,
                          uint64_t write_ns, uint64_t now_ns)
{
    /* Not the first records: the receiver may not be reading yet. */
    if (e->st.records > WARMUP_RECS && out->packed) {
        e->packed_bytes += (double)out->body_len;
        e->packed_ns += (double)(out->comp_ns + write_ns);
    } else if (e->st.records > WARMUP_RECS) {
        e->link_bytes += (double)(out->len + XLMIG_REC_HDR_LEN);
        e->link_ns += (double)write_ns;
    }
    /* The first decision as soon as both are measured, then 4 a s. */
    if (!e->t_eval ? e->comp_ns > 0 && e->link_ns > 0
                   : now_ns - e->t_eval >= EVAL_NS)
        xlmig_codec_enc_evaluate(e, now_ns);
}

void xlmig_codec_enc_evaluate(xlmig_codec_enc *e, uint64_t now_ns)
{
    double link = e->link_Bps_fixed, comp = 0, ratio = 0, packed = 0;
    char sent[48] = "";
    bool on;

    e->t_eval = now_ns ? now_ns : 1;
    if (e->mode != XLMIG_COMPRESS_AUTO || !(e->use & XLMIG_CODEC_LZ4))
        return;
    if (!(link > 0) && e->link_ns > 0)
        link = e->link_bytes / e->link_ns * 1e9;
    if (e->comp_ns > 0)
        comp = e->comp_in / e->comp_ns * 1e9;
    if (e->comp_in > 0)
        ratio = e->comp_out / e->comp_in;
    if (e->packed_ns > 0)
        packed = e->packed_bytes / e->packed_ns * 1e9;
    on = xlmig_codec_decide(link, comp, ratio, packed);
    if (on != e->compress_now)
        e->st.switches++;
    e->compress_now = on;
    e->st.compressing = on;
    if (packed > 0)
        snprintf(sent, sizeof(sent), ", sent so at %.0f MiB/s",
                 packed / MIB);
    snprintf(e->st.why, sizeof(e->st.why), "auto: link %.0f MiB/s, lz4 %.0f"
             " MiB/s to %.2f of the size%s: %s", link / MIB, comp / MIB,
             ratio, sent, on ? "compressing is faster" : comp > 0 &&
             link > 0 ? "raw is as fast" : "not measured");
    /*
     * A probe costs at most PROBE_SHARE of the time: off, one body
     * compressed (1/comp) against k sent stored (k/link); on, one
     * stored against k sent compressed (k/packed).
     */
    if (comp > 0 && link > 0) {
        double k = on && packed > 0 ? packed / (PROBE_SHARE * link)
                                    : link / (PROBE_SHARE * comp);

        e->probe_every = k < PROBE_MIN ? PROBE_MIN : k > PROBE_MAX
                       ? PROBE_MAX : (unsigned)k;
    }
    e->link_bytes /= 2;
    e->link_ns /= 2;
    e->comp_in /= 2;
    e->comp_out /= 2;
    e->comp_ns /= 2;
    e->packed_bytes /= 2;
    e->packed_ns /= 2;
}

/* Destination. */
