/*
 * The xlmig stream framing. Both directions start with an 8-byte magic,
 * then records: u32 type, u32 length (little-endian), payload, zero
 * padding to a multiple of 8. Every length is checked against the
 * record type's bound before anything is read or allocated.
 */
#ifndef XLMIG_WIRE_H
#define XLMIG_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define XLMIG_WIRE_MAGIC      "xlmig\x00\x01\n"
#define XLMIG_WIRE_MAGIC_LEN  8
#define XLMIG_PROTO_VERSION   1

enum xlmig_rec_type {
    XLMIG_REC_CONTROL = 1,    /* JSON control message */
    XLMIG_REC_PAGES = 2,      /* simulator memory pages */
    XLMIG_REC_XEN = 3,        /* a chunk of the libxl migration stream */
    /*
     * Retired: older sources ended a Xen stream with it before their
     * memory-end; memory-end alone ends every stream now. Refused.
     */
    XLMIG_REC_XEN_END = 4,
    /* A PAGES or XEN record, zeros elided, perhaps compressed (codec.h) */
    XLMIG_REC_CODED = 5,
    /*
     * Source to destination, behind the records it waits for: a u64
     * token, answered with a pong carrying it once everything before
     * it was taken in (drain.h). Sent only to a hello offering drain.
     */
    XLMIG_REC_DRAIN = 6,
};

#define XLMIG_REC_HDR_LEN        8
#define XLMIG_MAX_BATCH          1024u
#define XLMIG_MAX_PAGE_SIZE      65536u
#define XLMIG_MAX_CONTROL_LEN    (1u << 20)
#define XLMIG_MAX_XEN_CHUNK      (1u << 20)
#define XLMIG_DRAIN_LEN          8u
#define XLMIG_MAX_PAGES_LEN      (8u + XLMIG_MAX_BATCH * 8u + \
                                  XLMIG_MAX_BATCH * XLMIG_MAX_PAGE_SIZE)

typedef struct {
    uint32_t type;
    uint32_t length;          /* payload bytes, without padding */
} xlmig_rec_hdr;

static inline size_t xlmig_rec_padded(size_t len)
{
    return (len + 7u) & ~(size_t)7u;
}

/* Encode a header into 8 bytes. */
void xlmig_rec_hdr_put(uint8_t out[XLMIG_REC_HDR_LEN], uint32_t type,
                       uint32_t length);
/*
 * Decode and validate a header: known type, length within that type's
 * bound (pages: for page_size). Records an error naming what was wrong.
 */
int xlmig_rec_hdr_get(const uint8_t *buf, size_t len, uint32_t page_size,
                      xlmig_rec_hdr *out);

/* A validated view of a PAGES record payload. */
typedef struct {
    uint32_t count;
    const uint8_t *pfns;      /* count little-endian u64, unaligned */
    const uint8_t *data;      /* count * page_size bytes */
} xlmig_pages_view;

/* Payload layout: u32 count, u32 page_size, u64 pfn[count], data. */
size_t xlmig_pages_len(uint32_t count, uint32_t page_size);
void xlmig_pages_put_head(uint8_t *out, uint32_t count, uint32_t page_size);
int xlmig_pages_parse(const uint8_t *payload, size_t len, uint32_t page_size,
                      uint64_t npages, xlmig_pages_view *out);
uint64_t xlmig_pages_pfn(const xlmig_pages_view *v, uint32_t i);

void xlmig_put_le32(uint8_t *p, uint32_t v);
void xlmig_put_le64(uint8_t *p, uint64_t v);
uint32_t xlmig_get_le32(const uint8_t *p);
uint64_t xlmig_get_le64(const uint8_t *p);

#endif
