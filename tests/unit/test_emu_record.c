/*
 * The EMULATOR_* records of the libxl stream: framing as libxl writes
 * it (header, {id, index} sub-header, body, zero padding to 8) and the
 * checks on the way back.
 */
#include <stdlib.h>
#include <string.h>

#include "emu_record.h"
#include "error.h"
#include "unit.h"
#include "wire.h"

/* Build a whole record the way the stream writer puts it together. */
static size_t build(uint8_t *out, uint32_t type, const void *body,
                    size_t blen)
{
    size_t pad;

    CU_ASSERT_FATAL(xlmig_emu_rec_head(out, type, XLMIG_EMU_QEMU_UPSTREAM,
                                       blen, &pad) == 0);
    memcpy(out + 16, body, blen);
    memset(out + 16 + blen, 0, pad);
    return 16 + blen + pad;
}

static void test_xenstore_record(void)
{
    static const char want[] =
        "physmap/f0000000/start_addr\0f0000000\0"
        "physmap/f0000000/size\0800000\0"
        "physmap/f0000000/name\0vga.vram";
    uint8_t rec[256];
    xlmig_emu_rec r;
    xlmig_emu_xs x;
    size_t n;

    xlmig_emu_xs_init(&x);
    CU_ASSERT_EQUAL(xlmig_emu_xs_add(&x, "physmap/f0000000/start_addr",
                                     "f0000000"), 0);
    CU_ASSERT_EQUAL(xlmig_emu_xs_add(&x, "physmap/f0000000/size",
                                     "800000"), 0);
    CU_ASSERT_EQUAL(xlmig_emu_xs_add(&x, "physmap/f0000000/name",
                                     "vga.vram"), 0);
    CU_ASSERT_EQUAL(x.pairs, 3);
    CU_ASSERT_EQUAL(x.len, sizeof(want));
    CU_ASSERT_EQUAL(memcmp(x.buf, want, sizeof(want)), 0);
    n = build(rec, XLMIG_LIBXL_REC_EMU_XENSTORE, x.buf, x.len);
    CU_ASSERT_EQUAL(n % 8, 0);
    CU_ASSERT_EQUAL(xlmig_get_le32(rec), XLMIG_LIBXL_REC_EMU_XENSTORE);
    CU_ASSERT_EQUAL(xlmig_get_le32(rec + 4), x.len + 8);
    CU_ASSERT_EQUAL(xlmig_get_le32(rec + 8), XLMIG_EMU_QEMU_UPSTREAM);
    CU_ASSERT_EQUAL(xlmig_get_le32(rec + 12), 0);
    CU_ASSERT_EQUAL(xlmig_emu_rec_parse(rec, n, &r), 0);
    CU_ASSERT_EQUAL(r.pairs, 3);
    CU_ASSERT_EQUAL(r.used, n);
    CU_ASSERT_EQUAL(r.blen, x.len);
    /* Keys and values xenstore would refuse never get in. */
    CU_ASSERT_EQUAL(xlmig_emu_xs_add(&x, "/abs/key", "1"), XLMIG_E_BACKEND);
    CU_ASSERT_EQUAL(xlmig_emu_xs_add(&x, "a b", "1"), XLMIG_E_BACKEND);
    CU_ASSERT_EQUAL(xlmig_emu_xs_add(&x, "k", "\x1b[2J"), XLMIG_E_BACKEND);
    CU_ASSERT_EQUAL(xlmig_emu_xs_add(&x, "", "1"), XLMIG_E_BACKEND);
    CU_ASSERT_EQUAL(x.pairs, 3);
    xlmig_emu_xs_dispose(&x);
    xlmig_err_clear();
}

static void test_context_record(void)
{
    uint8_t body[13], rec[64];
    xlmig_emu_rec r;
    size_t n, pad;

    memset(body, 0x5a, sizeof(body));
    n = build(rec, XLMIG_LIBXL_REC_EMU_CONTEXT, body, sizeof(body));
    /* 8 + 8 + 13 = 29 bytes, padded to 32. */
    CU_ASSERT_EQUAL(n, 32);
    CU_ASSERT_EQUAL(xlmig_emu_rec_parse(rec, n, &r), 0);
    CU_ASSERT_EQUAL(r.type, XLMIG_LIBXL_REC_EMU_CONTEXT);
    CU_ASSERT_EQUAL(r.blen, sizeof(body));
    CU_ASSERT_EQUAL(memcmp(r.body, body, sizeof(body)), 0);
    CU_ASSERT_EQUAL(xlmig_emu_rec_head(rec, XLMIG_LIBXL_REC_EMU_CONTEXT,
                                       XLMIG_EMU_QEMU_UPSTREAM, 16, &pad), 0);
    CU_ASSERT_EQUAL(pad, 0);
    CU_ASSERT_EQUAL(xlmig_emu_rec_head(rec, XLMIG_LIBXL_REC_EMU_CONTEXT,
                                       XLMIG_EMU_QEMU_UPSTREAM,
                                       (size_t)UINT32_MAX, &pad),
                    XLMIG_E_INVAL);
    xlmig_err_clear();
}

static void test_refusals(void)
{
    uint8_t body[8] = "k\0v\0x\0y", rec[64], bad[64];
    xlmig_emu_rec r;
    size_t n = build(rec, XLMIG_LIBXL_REC_EMU_XENSTORE, body, sizeof(body));
    size_t i;

    CU_ASSERT_EQUAL(xlmig_emu_rec_parse(rec, n, &r), 0);
    CU_ASSERT_EQUAL(r.pairs, 2);
    for (i = 0; i < n; i++)         /* every truncation */
        CU_ASSERT_EQUAL(xlmig_emu_rec_parse(rec, i, &r), XLMIG_E_PROTO);
    memcpy(bad, rec, n);
    xlmig_put_le32(bad, 1);         /* LIBXC_CONTEXT is not ours */
    CU_ASSERT_EQUAL(xlmig_emu_rec_parse(bad, n, &r), XLMIG_E_PROTO);
    memcpy(bad, rec, n);
    xlmig_put_le32(bad + 8, 7);     /* unknown emulator */
    CU_ASSERT_EQUAL(xlmig_emu_rec_parse(bad, n, &r), XLMIG_E_PROTO);
    memcpy(bad, rec, n);
    xlmig_put_le32(bad + 4, 4);     /* shorter than the sub-header */
    CU_ASSERT_EQUAL(xlmig_emu_rec_parse(bad, n, &r), XLMIG_E_PROTO);
    memcpy(bad, rec, n);
    bad[16 + 7] = 'z';              /* last value not terminated */
    CU_ASSERT_EQUAL(xlmig_emu_rec_parse(bad, n, &r), XLMIG_E_PROTO);
    memcpy(bad, rec, n);
    bad[16 + 2] = 0x07;             /* value not printable */
    CU_ASSERT_EQUAL(xlmig_emu_rec_parse(bad, n, &r), XLMIG_E_PROTO);
    n = build(rec, XLMIG_LIBXL_REC_EMU_XENSTORE, "k\0v\0x", 6);
    CU_ASSERT_EQUAL(xlmig_emu_rec_parse(rec, n, &r), XLMIG_E_PROTO);
    n = build(rec, XLMIG_LIBXL_REC_EMU_CONTEXT, "abc", 3);
    rec[n - 1] = 1;                 /* padding must be zero */
    CU_ASSERT_EQUAL(xlmig_emu_rec_parse(rec, n, &r), XLMIG_E_PROTO);
    xlmig_err_clear();
}

static CU_TestInfo tests[] = {
    { "EMULATOR_XENSTORE_DATA as libxl writes it", test_xenstore_record },
    { "EMULATOR_CONTEXT framing and padding", test_context_record },
    { "records refused on the way back", test_refusals },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("emu-record", NULL, NULL, tests)
