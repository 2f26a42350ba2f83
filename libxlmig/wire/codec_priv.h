/* Shared by the record codec's two halves (codec.c, codec_dec.c). */
#ifndef XLMIG_CODEC_PRIV_H
#define XLMIG_CODEC_PRIV_H

#include <stddef.h>
#include <stdint.h>

/* Grow *buf to need bytes (new bytes zeroed, faulted in now). */
int xlmig_codec_ensure(uint8_t **buf, size_t *cap, size_t need);

#endif
