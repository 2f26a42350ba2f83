/*
 * The record codec: fewer bytes for the memory records (PAGES, XEN).
 * Zero pages of a PAGES record travel as their pfn and one bit; runs of
 * zeros in a XEN chunk (libxenguest's opaque bytes) as an offset and a
 * length; the result may then be compressed with lz4 when that makes
 * the transfer faster on this link, which is measured as it goes.
 * Both travel as one CODED record (wire.h) that the destination turns
 * back into the exact original payload before its backend sees it.
 *
 * CODED payload (little-endian):
 *   u32 inner type (PAGES or XEN), u32 raw length (the original
 *   payload), u32 body length (zeros elided), u8 method (0 stored,
 *   1 lz4), 3 zero bytes, then the body or its lz4 block.
 * PAGES body: u32 count, u32 page size, u64 pfn[count],
 *   u64 zero map[(count + 63) / 64], the non-zero pages.
 * XEN body: u32 nruns, u32 0, {u32 offset, u32 length}[nruns] (sorted,
 *   disjoint), the bytes outside the runs.
 */
#ifndef XLMIG_CODEC_H
#define XLMIG_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* What a side can decode (hello) or will send (migrate). */
#define XLMIG_CODEC_ZERO   (1u << 0)
#define XLMIG_CODEC_LZ4    (1u << 1)
#define XLMIG_CODEC_ALL    (XLMIG_CODEC_ZERO | XLMIG_CODEC_LZ4)

#define XLMIG_CODED_HDR_LEN 16u
/* A body is never longer than its raw payload by more than this. */
#define XLMIG_CODED_SLACK   256u
/* Shortest zero run a XEN chunk elides (a 4 KiB zero page, at any
 * alignment, holds one). */
#define XLMIG_CODEC_MIN_RUN 1024u
/* The coded header and a body's head: pfns and zero map of the
 * largest batch, or the runs of a 1 MiB chunk. */
#define XLMIG_CODEC_HEAD_MAX (XLMIG_CODED_HDR_LEN + 8u + 8u * 1024u + \
                              128u + 8u * 1024u)

enum { XLMIG_CODED_STORED = 0, XLMIG_CODED_LZ4 = 1 };

typedef enum {
    XLMIG_COMPRESS_AUTO = 0,  /* when measured to be faster */
    XLMIG_COMPRESS_OFF,       /* no codec at all: records go raw */
    XLMIG_COMPRESS_ON,        /* every record that gets smaller */
} xlmig_compress_mode;

/* "auto", "off", "on"; -1 if none of them. */
int xlmig_compress_mode_parse(const char *s);
const char *xlmig_compress_mode_str(xlmig_compress_mode m);

/*
 * The decision, as a pure function: compressing costs 1/comp_Bps a raw
 * byte in the sender and then ratio/link_Bps on the link, against
 * 1/link_Bps for the raw byte. True only if that is clearly faster
 * (by XLMIG_CODEC_GAIN); false when anything is unknown (0).
 */
#define XLMIG_CODEC_GAIN 0.9
bool xlmig_codec_worth(double link_Bps, double comp_Bps, double ratio);
/*
 * The decision auto takes: the model above, then the measure. packed_Bps
 * is the rate at which bodies actually went out compressed (compressing
 * and writing, per byte before compression; 0: not measured yet). When
 * the receiver, not the link, is what limits, compressed bytes do not
 * flow at link_Bps: the measure then says no, whatever the model said.
 */
bool xlmig_codec_decide(double link_Bps, double comp_Bps, double ratio,
                        double packed_Bps);

/* What the sender did, for the report. */
typedef struct {
    uint64_t raw_bytes;       /* memory record payloads before */
    uint64_t wire_bytes;      /* the same records as sent */
    uint64_t records;
    uint64_t zero_pages;      /* PAGES: zero pages sent as a pfn */
    uint64_t zero_bytes;      /* zero bytes elided (pages and runs) */
    uint64_t comp_records;    /* records sent compressed */
    uint64_t comp_in, comp_out; /* all compression attempts: bodies
                                   (zeros elided) in, lz4 out */
    uint64_t comp_ns;
    unsigned switches;        /* auto: times the decision changed */
    bool compressing;         /* the decision at the end */
    char why[160];            /* and what it rested on */
} xlmig_codec_stats;

typedef struct {
    xlmig_compress_mode mode;
    unsigned use;             /* XLMIG_CODEC_* agreed with the peer */
    bool compress_now;        /* auto: the current decision */
    unsigned probe_every;     /* auto: compress one record in this many */
    uint64_t since_probe;
    uint64_t t_eval;          /* last evaluation, monotonic ns */
    double link_Bps_fixed;    /* a rate limit, if any: the link's rate */
    /*
     * What the decision reads, as sums halved at each evaluation: a
     * write into a socket buffer with room takes little time, so the
     * link's rate comes from the writes that waited on it.
     */
    double link_bytes, link_ns;   /* stored records: bytes, write time */
    double comp_in, comp_out, comp_ns; /* every compression attempt */
    double packed_bytes, packed_ns;    /* records sent compressed: bodies,
                                          compress + write time */
    xlmig_codec_stats st;
    uint8_t head[XLMIG_CODEC_HEAD_MAX]; /* coded header, body head */
    uint8_t *body;            /* contiguous body, for compression */
    uint8_t *cbuf;            /* lz4 output */
    size_t body_cap, cbuf_cap;
    struct iovec *iov;
    int iov_cap;
} xlmig_codec_enc;

/* An encoded record, ready for the channel (header not included). */
typedef struct {
    uint32_t type;
    size_t len;               /* payload bytes */
    struct iovec *iov;        /* owned by the encoder */
    int niov;
    bool packed;              /* compressed */
    size_t body_len;          /* its body, zeros elided */
    uint64_t comp_ns;         /* time spent compressing it */
} xlmig_codec_out;

void xlmig_codec_enc_init(xlmig_codec_enc *e);
void xlmig_codec_enc_dispose(xlmig_codec_enc *e);
/*
 * Settle what will be used: mode as asked, peer_caps as the peer's
 * hello said (0 from a peer without the codec); returns the bits to
 * announce in the request.
 */
unsigned xlmig_codec_enc_agree(xlmig_codec_enc *e, xlmig_compress_mode mode,
                               unsigned peer_caps);
/* The link's rate when it is known (a rate limit); 0: measure it. */
void xlmig_codec_enc_set_link(xlmig_codec_enc *e, double Bps);

/*
 * Encode a PAGES record of n pages, page i at base + pfns[i] * ps (the
 * pages are referenced, not copied, unless compressed), or a XEN chunk.
 * out stays valid until the next call.
 */
int xlmig_codec_enc_pages(xlmig_codec_enc *e, const uint64_t *pfns,
                          uint32_t n, const uint8_t *base, uint32_t ps,
                          xlmig_codec_out *out);
int xlmig_codec_enc_xen(xlmig_codec_enc *e, const uint8_t *p, size_t len,
                        xlmig_codec_out *out);
/* The record went out: wire bytes and the time the write took. */
void xlmig_codec_enc_sent(xlmig_codec_enc *e, const xlmig_codec_out *out,
                          uint64_t write_ns, uint64_t now_ns);
/* Auto mode's periodic decision; exposed for the tests. */
void xlmig_codec_enc_evaluate(xlmig_codec_enc *e, uint64_t now_ns);

/* The destination's side: one decoder per stream. */
typedef struct {
    unsigned allowed;         /* what the source said it would send */
    uint8_t *body, *raw;
    size_t body_cap, raw_cap;
} xlmig_codec_dec;

void xlmig_codec_dec_init(xlmig_codec_dec *d, unsigned allowed);
void xlmig_codec_dec_dispose(xlmig_codec_dec *d);
/*
 * Decode a CODED payload into the original record: *type, and *out
 * (len *out_len, owned by d, valid until the next call). page_size is
 * the agreed one (0: no PAGES). Every length is checked before
 * anything is allocated; an error names what was wrong.
 */
int xlmig_codec_decode(xlmig_codec_dec *d, const uint8_t *p, size_t len,
                       uint32_t page_size, uint32_t *type,
                       const uint8_t **out, size_t *out_len);
/* The bound of a CODED record's payload (wire.c's header check). */
uint64_t xlmig_codec_max_len(uint32_t page_size);

#endif
