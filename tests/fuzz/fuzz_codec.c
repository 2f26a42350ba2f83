/*
 * The record codec's decoder, as the destination meets a CODED record:
 * foreign bytes in, the original record or a refusal out. The first
 * byte picks the agreed page size and what the source announced, so
 * every bound gets exercised; what decodes must be exactly the size it
 * declared and readable to its last byte.
 */
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "error.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t sizes[] = { 0, 64, 512, 4096 };
    xlmig_codec_dec d;
    const uint8_t *out;
    size_t out_len, i;
    uint32_t ps, type;
    unsigned sum = 0;

    if (size < 1)
        return 0;
    ps = sizes[data[0] & 3];
    xlmig_codec_dec_init(&d, (data[0] >> 2) & XLMIG_CODEC_ALL);
    data++;
    size--;
    if (size <= xlmig_codec_max_len(ps) &&
        !xlmig_codec_decode(&d, data, size, ps, &type, &out, &out_len)) {
        if (type != XLMIG_REC_PAGES && type != XLMIG_REC_XEN)
            __builtin_trap();
        if (out_len != xlmig_get_le32(data + 4))
            __builtin_trap();
        for (i = 0; i < out_len; i += 61)
            sum += out[i];
        sum += out[out_len - 1];
    }
    xlmig_codec_dec_dispose(&d);
    xlmig_err_clear();
    return sum == 0x12345 ? 1 : 0;
}
