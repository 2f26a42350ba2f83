#include "wire.h"

#include "codec.h"
#include "error.h"

void xlmig_put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

void xlmig_put_le64(uint8_t *p, uint64_t v)
{
    xlmig_put_le32(p, (uint32_t)v);
    xlmig_put_le32(p + 4, (uint32_t)(v >> 32));
}

uint32_t xlmig_get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

uint64_t xlmig_get_le64(const uint8_t *p)
{
    return (uint64_t)xlmig_get_le32(p) | (uint64_t)xlmig_get_le32(p + 4) << 32;
}

void xlmig_rec_hdr_put(uint8_t out[XLMIG_REC_HDR_LEN], uint32_t type,
                       uint32_t length)
{
    xlmig_put_le32(out, type);
    xlmig_put_le32(out + 4, length);
}

int xlmig_rec_hdr_get(const uint8_t *buf, size_t len, uint32_t page_size,
                      xlmig_rec_hdr *out)
{
    uint64_t max;

    if (len < XLMIG_REC_HDR_LEN) {
        xlmig_err(XLMIG_E_PROTO, "stream record header truncated: %zu of 8"
                  " bytes", len);
        return XLMIG_E_PROTO;
    }
    out->type = xlmig_get_le32(buf);
    out->length = xlmig_get_le32(buf + 4);
    switch (out->type) {
    case XLMIG_REC_CONTROL: max = XLMIG_MAX_CONTROL_LEN; break;
    case XLMIG_REC_PAGES:
        if (!page_size || page_size > XLMIG_MAX_PAGE_SIZE) {
            xlmig_err(XLMIG_E_PROTO, "stream record: pages before the page"
                      " size was agreed");
            return XLMIG_E_PROTO;
        }
        max = xlmig_pages_len(XLMIG_MAX_BATCH, page_size);
        break;
    case XLMIG_REC_XEN: max = XLMIG_MAX_XEN_CHUNK; break;
    case XLMIG_REC_CODED: max = xlmig_codec_max_len(page_size); break;
    case XLMIG_REC_DRAIN: max = XLMIG_DRAIN_LEN; break;
    case XLMIG_REC_XEN_END:
        xlmig_err(XLMIG_E_PROTO, "stream record: type 4 (the Xen stream's"
                  " end before memory-end) is from an older xlmig; update"
                  " both hosts");
        return XLMIG_E_PROTO;
    default:
        xlmig_err(XLMIG_E_PROTO, "stream record: unknown type %u",
                  out->type);
        return XLMIG_E_PROTO;
    }
    if (out->length > max) {
        xlmig_err(XLMIG_E_PROTO, "stream record: type %u length %u exceeds"
                  " limit %llu", out->type, out->length,
                  (unsigned long long)max);
        return XLMIG_E_PROTO;
    }
    return 0;
}

size_t xlmig_pages_len(uint32_t count, uint32_t page_size)
{
    return 8u + (size_t)count * 8u + (size_t)count * page_size;
}

void xlmig_pages_put_head(uint8_t *out, uint32_t count, uint32_t page_size)
{
    xlmig_put_le32(out, count);
    xlmig_put_le32(out + 4, page_size);
}

int xlmig_pages_parse(const uint8_t *payload, size_t len, uint32_t page_size,
                      uint64_t npages, xlmig_pages_view *out)
{
    uint32_t count, psz, i;

    if (len < 8) {
        xlmig_err(XLMIG_E_PROTO, "pages record truncated: %zu bytes", len);
        return XLMIG_E_PROTO;
    }
    count = xlmig_get_le32(payload);
    psz = xlmig_get_le32(payload + 4);
    if (psz != page_size) {
        xlmig_err(XLMIG_E_PROTO, "pages record: page size %u, agreed %u",
                  psz, page_size);
        return XLMIG_E_PROTO;
    }
    if (count == 0 || count > XLMIG_MAX_BATCH) {
        xlmig_err(XLMIG_E_PROTO, "pages record: bad page count %u", count);
        return XLMIG_E_PROTO;
    }
    if (len != xlmig_pages_len(count, page_size)) {
        xlmig_err(XLMIG_E_PROTO, "pages record: length %zu does not match"
                  " %u pages", len, count);
        return XLMIG_E_PROTO;
    }
    out->count = count;
    out->pfns = payload + 8;
    out->data = payload + 8 + (size_t)count * 8;
    for (i = 0; i < count; i++) {
        uint64_t pfn = xlmig_pages_pfn(out, i);

        if (pfn >= npages) {
            xlmig_err(XLMIG_E_PROTO, "pages record: pfn %llu beyond guest"
                      " memory (%llu pages)", (unsigned long long)pfn,
                      (unsigned long long)npages);
            return XLMIG_E_PROTO;
        }
    }
    return 0;
}

uint64_t xlmig_pages_pfn(const xlmig_pages_view *v, uint32_t i)
{
    return xlmig_get_le64(v->pfns + (size_t)i * 8);
}
