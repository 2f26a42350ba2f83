/*
 * Stream framing: a record header, then a PAGES payload, as the
 * receiver meets them. The first byte picks the agreed page size and
 * the guest's size, so every bound gets exercised.
 */
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t sizes[] = { 0, 64, 512, 4096, 65536, 131072 };
    xlmig_pages_view v;
    xlmig_rec_hdr h;
    uint32_t ps;
    uint64_t npages, i, sum = 0;

    if (size < 1)
        return 0;
    ps = sizes[data[0] % 6];
    npages = (uint64_t)(data[0] >> 3) * 37;
    data++;
    size--;
    if (!xlmig_rec_hdr_get(data, size, ps, &h) && h.type == XLMIG_REC_PAGES &&
        size >= XLMIG_REC_HDR_LEN) {
        size_t len = size - XLMIG_REC_HDR_LEN;

        if (len > h.length)
            len = h.length;
        if (!xlmig_pages_parse(data + XLMIG_REC_HDR_LEN, len, ps, npages,
                               &v)) {
            /* Every pfn and byte the view promises must be readable. */
            for (i = 0; i < v.count; i++) {
                sum += xlmig_pages_pfn(&v, i);
                sum += v.data[(size_t)i * ps + ps - 1];
            }
        }
    }
    xlmig_err_clear();
    return sum == 1 ? 1 : 0;
}
