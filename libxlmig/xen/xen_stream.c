/*
 * The libxl migration stream v2 around libxenguest's stream: we write
 * the stream header, a LIBXC_CONTEXT record (which says "the libxc
 * stream follows"), let xc_domain_save write its stream, then END. A
 * PVH or PV guest has no device model, so no EMULATOR_* records.
 *
 * On the destination the bytes go unchanged into a pipe read by
 * libxl_domain_create_restore, which parses them itself.
 */
#include "xen_priv.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "wire.h"

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | p[3];
}

void xlmig_libxl_hdr_put(uint8_t out[XLMIG_LIBXL_HDR_LEN])
{
    put_be32(out, (uint32_t)(XLMIG_LIBXL_IDENT >> 32));
    put_be32(out + 4, (uint32_t)XLMIG_LIBXL_IDENT);
    put_be32(out + 8, XLMIG_LIBXL_VERSION);
    /* options: little-endian records, not a legacy conversion */
    put_be32(out + 12, 0);
}

void xlmig_libxl_rec_put(uint8_t out[XLMIG_LIBXL_REC_HDR_LEN],
                         uint32_t type, uint32_t length)
{
    /* Record headers follow the stream's endianness: little. */
    xlmig_put_le32(out, type);
    xlmig_put_le32(out + 4, length);
}

int xlmig_libxl_hdr_check(const uint8_t *buf, size_t len)
{
    uint64_t ident;
    uint32_t version, options;

    if (len < XLMIG_LIBXL_HDR_LEN) {
        xlmig_err(XLMIG_E_PROTO, "libxl stream header: %zu bytes, want %u",
                  len, XLMIG_LIBXL_HDR_LEN);
        return XLMIG_E_PROTO;
    }
    ident = (uint64_t)get_be32(buf) << 32 | get_be32(buf + 4);
    version = get_be32(buf + 8);
    options = get_be32(buf + 12);
    if (ident != XLMIG_LIBXL_IDENT) {
        xlmig_err(XLMIG_E_PROTO, "libxl stream header: ident %#llx is not"
                  " \"LibxlFmt\"", (unsigned long long)ident);
        return XLMIG_E_PROTO;
    }
    if (version != XLMIG_LIBXL_VERSION) {
        xlmig_err(XLMIG_E_PROTO, "libxl stream header: version %u, want %u",
                  version, XLMIG_LIBXL_VERSION);
        return XLMIG_E_PROTO;
    }
    if (options) {
        xlmig_err(XLMIG_E_PROTO, "libxl stream header: options %#x"
                  " (big-endian or legacy streams are not ours)", options);
        return XLMIG_E_PROTO;
    }
    return 0;
}

int xlmig_xen_write_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    ssize_t r;

    while (len) {
        r = write(fd, p, len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        p += r;
        len -= (size_t)r;
    }
    return 0;
}

int xlmig_xen_feed(int fd, int stop_fd, const void *buf, size_t len)
{
    struct pollfd pf[2];
    const uint8_t *p = buf;
    ssize_t r;

    while (len) {
        pf[0].fd = fd;
        pf[0].events = POLLOUT;
        pf[1].fd = stop_fd;
        pf[1].events = POLLIN;
        pf[0].revents = pf[1].revents = 0;
        r = poll(pf, stop_fd >= 0 ? 2 : 1, -1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            xlmig_err(XLMIG_E_IO, "waiting to feed the restore: %s",
                      strerror(errno));
            return XLMIG_E_IO;
        }
        if (stop_fd >= 0 && pf[1].revents) {
            xlmig_err(XLMIG_E_BACKEND, "the restore stopped reading the"
                      " stream before its end");
            return XLMIG_E_BACKEND;
        }
        if (pf[0].revents & (POLLERR | POLLHUP)) {
            xlmig_err(XLMIG_E_BACKEND, "the restore closed its stream");
            return XLMIG_E_BACKEND;
        }
        if (!(pf[0].revents & POLLOUT))
            continue;
        r = write(fd, p, len);
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (r < 0) {
            xlmig_err(XLMIG_E_BACKEND, "feeding the restore: %s",
                      strerror(errno));
            return XLMIG_E_BACKEND;
        }
        p += r;
        len -= (size_t)r;
    }
    return 0;
}
