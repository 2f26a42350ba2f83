/*
 * EMULATOR_* records of the libxl stream: see emu_record.h.
 */
#include "emu_record.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "wire.h"

void xlmig_emu_xs_init(xlmig_emu_xs *x)
{
    memset(x, 0, sizeof(*x));
}

void xlmig_emu_xs_dispose(xlmig_emu_xs *x)
{
    free(x->buf);
    xlmig_emu_xs_init(x);
}

static bool key_ok(const char *k)
{
    size_t i;

    if (!*k || *k == '/')
        return false;
    for (i = 0; k[i]; i++) {
        char c = k[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || strchr("-/_@", c)))
            return false;
    }
    return i < 256;
}

static bool val_ok(const char *v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (v[i] < 0x20 || v[i] > 0x7e)
            return false;
    return true;
}

int xlmig_emu_xs_add(xlmig_emu_xs *x, const char *key, const char *val)
{
    size_t kl = strlen(key) + 1, vl = strlen(val) + 1;

    if (!key_ok(key) || !val_ok(val, vl - 1)) {
        xlmig_err(XLMIG_E_BACKEND, "device model's xenstore key %.64s:"
                  " not a key/value xenstore allows", key);
        return XLMIG_E_BACKEND;
    }
    if (x->len + kl + vl > XLMIG_EMU_XS_MAX) {
        xlmig_err(XLMIG_E_BACKEND, "device model's xenstore data over %u"
                  " bytes", XLMIG_EMU_XS_MAX);
        return XLMIG_E_BACKEND;
    }
    if (x->len + kl + vl > x->cap) {
        size_t cap = x->cap ? x->cap : 1024;
        char *nb;

        while (cap < x->len + kl + vl)
            cap *= 2;
        nb = realloc(x->buf, cap);
        if (!nb)
            return XLMIG_E_NOMEM;
        x->buf = nb;
        x->cap = cap;
    }
    memcpy(x->buf + x->len, key, kl);
    memcpy(x->buf + x->len + kl, val, vl);
    x->len += kl + vl;
    x->pairs++;
    return 0;
}

int xlmig_emu_rec_head(uint8_t hdr[16], uint32_t type, uint32_t emu_id,
                       size_t blen, size_t *pad)
{
    size_t length = blen + XLMIG_EMU_SUB_HDR_LEN;

    if (blen > UINT32_MAX - XLMIG_EMU_SUB_HDR_LEN - 8) {
        xlmig_err(XLMIG_E_INVAL, "emulator record of %zu bytes does not"
                  " fit the stream's record length", blen);
        return XLMIG_E_INVAL;
    }
    xlmig_put_le32(hdr, type);
    xlmig_put_le32(hdr + 4, (uint32_t)length);
    xlmig_put_le32(hdr + 8, emu_id);
    xlmig_put_le32(hdr + 12, 0);        /* index: the one device model */
    *pad = (8 - length % 8) % 8;
    return 0;
}

static int bad(const char *why)
{
    xlmig_err(XLMIG_E_PROTO, "emulator record: %s", why);
    return XLMIG_E_PROTO;
}

/* Even count of NUL-terminated strings, keys and values as allowed. */
static int check_pairs(const uint8_t *b, size_t n, unsigned *pairs)
{
    size_t off = 0;

    *pairs = 0;
    while (off < n) {
        const char *k = (const char *)b + off, *v;
        const uint8_t *e = memchr(b + off, 0, n - off);
        size_t vl;

        if (!e)
            return bad("xenstore key not NUL-terminated");
        if (!key_ok(k))
            return bad("xenstore key with characters xenstore refuses");
        off = (size_t)(e - b) + 1;
        v = (const char *)b + off;
        e = off < n ? memchr(b + off, 0, n - off) : NULL;
        if (!e)
            return bad("xenstore key without a NUL-terminated value");
        vl = (size_t)(e - b) - off;
        if (!val_ok(v, vl))
            return bad("xenstore value not printable ASCII");
        off += vl + 1;
        (*pairs)++;
    }
    return 0;
}

int xlmig_emu_rec_parse(const uint8_t *buf, size_t len, xlmig_emu_rec *r)
{
    uint32_t length;
    size_t i, pad;

    memset(r, 0, sizeof(*r));
    if (len < 8 + XLMIG_EMU_SUB_HDR_LEN)
        return bad("truncated header");
    r->type = xlmig_get_le32(buf);
    length = xlmig_get_le32(buf + 4);
    if (r->type != XLMIG_LIBXL_REC_EMU_XENSTORE &&
        r->type != XLMIG_LIBXL_REC_EMU_CONTEXT)
        return bad("not an emulator record type");
    if (length < XLMIG_EMU_SUB_HDR_LEN)
        return bad("shorter than its sub-header");
    pad = (8 - length % 8) % 8;
    if ((size_t)length + pad > len - 8)
        return bad("truncated body");
    r->emu_id = xlmig_get_le32(buf + 8);
    r->index = xlmig_get_le32(buf + 12);
    if (r->emu_id != XLMIG_EMU_QEMU_UPSTREAM &&
        r->emu_id != XLMIG_EMU_QEMU_TRADITIONAL)
        return bad("unknown emulator id");
    r->body = buf + 16;
    r->blen = length - XLMIG_EMU_SUB_HDR_LEN;
    for (i = 0; i < pad; i++)
        if (buf[8 + length + i])
            return bad("padding not zero");
    r->used = 8 + length + pad;
    if (r->type == XLMIG_LIBXL_REC_EMU_XENSTORE)
        return check_pairs(r->body, r->blen, &r->pairs);
    if (r->blen > XLMIG_EMU_CONTEXT_MAX)
        return bad("device state larger than its bound");
    return 0;
}
