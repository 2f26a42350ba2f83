/*
 * The device model's records of the libxl migration stream v2, which
 * follow libxenguest's stream for an HVM guest (docs/specs/libxl-
 * migration-stream.pandoc): EMULATOR_XENSTORE_DATA (QEMU's xenstore
 * keys, relative to its device-model path: the physmap) and
 * EMULATOR_CONTEXT (QEMU's device state, as xen-save-devices-state
 * wrote it). Both carry an {emulator id, index} sub-header; records are
 * padded to 8 bytes, as every record of the stream.
 */
#ifndef XLMIG_EMU_RECORD_H
#define XLMIG_EMU_RECORD_H

#include <stddef.h>
#include <stdint.h>

#define XLMIG_LIBXL_REC_EMU_XENSTORE   2u
#define XLMIG_LIBXL_REC_EMU_CONTEXT    3u
#define XLMIG_EMU_QEMU_TRADITIONAL     1u
#define XLMIG_EMU_QEMU_UPSTREAM        2u
#define XLMIG_EMU_SUB_HDR_LEN          8u
/* QEMU's device state is a few hundred KiB; the bound is for a file
 * another process wrote. */
#define XLMIG_EMU_CONTEXT_MAX          (64u << 20)
#define XLMIG_EMU_XS_MAX               (1u << 20)

/* A growing key/value body of an EMULATOR_XENSTORE_DATA record. */
typedef struct {
    char *buf;
    size_t len, cap;
    unsigned pairs;
} xlmig_emu_xs;

void xlmig_emu_xs_init(xlmig_emu_xs *x);
void xlmig_emu_xs_dispose(xlmig_emu_xs *x);
/* Append key and value, each checked as xenstore allows (keys of
 * alphanumerics and -/_@, relative; values printable ASCII). */
int xlmig_emu_xs_add(xlmig_emu_xs *x, const char *key, const char *val);

/*
 * The bytes that go before an emulator record's body (record header
 * and sub-header; hdr holds 16) and the padding after it, for a body
 * of blen bytes. XLMIG_E_INVAL if the record would not fit its u32
 * length.
 */
int xlmig_emu_rec_head(uint8_t hdr[16], uint32_t type, uint32_t emu_id,
                       size_t blen, size_t *pad);

/* One emulator record as read back from a stream (tests, checks). */
typedef struct {
    uint32_t type, emu_id, index;
    const uint8_t *body;
    size_t blen;
    size_t used;                /* record bytes, padding included */
    unsigned pairs;             /* XENSTORE: key/value pairs */
} xlmig_emu_rec;

/* Parse the record at buf: framing, padding, sub-header and, for the
 * xenstore record, every pair. 0, or XLMIG_E_PROTO saying what. */
int xlmig_emu_rec_parse(const uint8_t *buf, size_t len, xlmig_emu_rec *r);

#endif
