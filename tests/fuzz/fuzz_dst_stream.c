/*
 * The destination's memory stream loop (xlmig_migrate_dest_stream) as
 * the Xen backend uses it: XEN records into the restore feeder's pipe
 * (xen_feeder.c), read by a thread that takes the libxl stream as
 * libxl does (header, records, END or the libxc stream to EOF), until
 * memory-end, an abort or anything else ends it. The input is what the
 * source sends from the first memory record on. Only the libxl calls
 * of xen_dst.c are left out: they need a Xen host.
 */
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "codec.h"
#include "error.h"
#include "migrate.h"
#include "wire.h"
#include "xen_feeder.h"
#include "xen_priv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libxl's ERROR_FAIL: what a stream it cannot read gives. */
#define FAIL (-3)

static int read_full(int fd, void *buf, size_t len)
{
    size_t got = 0;
    ssize_t r;

    while (got < len) {
        r = read(fd, (uint8_t *)buf + got, len - got);
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

/* In the feeder's thread: no xlmig_err here, the main thread owns it. */
static int libxl_like(void *arg, int fd)
{
    uint8_t want[XLMIG_LIBXL_HDR_LEN], hdr[XLMIG_LIBXL_HDR_LEN], b[4096];
    uint32_t type, len;
    size_t left;
    ssize_t r;

    (void)arg;
    xlmig_libxl_hdr_put(want);
    if (read_full(fd, hdr, sizeof(hdr)) || memcmp(hdr, want, sizeof(hdr)))
        return FAIL;
    for (;;) {
        if (read_full(fd, b, XLMIG_LIBXL_REC_HDR_LEN))
            return FAIL;
        type = xlmig_get_le32(b);
        len = xlmig_get_le32(b + 4);
        if (type == XLMIG_LIBXL_REC_END)
            return 0;           /* libxl stops here, EOF or not */
        if (type == XLMIG_LIBXL_REC_LIBXC_CONTEXT) {
            /* libxc's stream follows, to the end. */
            while ((r = read(fd, b, sizeof(b))) > 0)
                ;
            return r ? FAIL : 0;
        }
        if (len > (1u << 24))
            return FAIL;
        for (left = xlmig_rec_padded(len); left; left -= (size_t)r) {
            r = read(fd, b, left < sizeof(b) ? left : sizeof(b));
            if (r <= 0)
                return FAIL;
        }
    }
}

static int fz_begin(void *be, const xlmig_msg *req, uint32_t *page_size)
{
    (void)req;
    *page_size = 0;
    return xlmig_xen_feeder_open(be, libxl_like, NULL);
}

static int fz_feed(void *be, const uint8_t *p, size_t len)
{
    return xlmig_xen_feeder_put(be, p, len);
}

static int fz_end(void *be, const xlmig_msg *end, xlmig_restore_result *res)
{
    int rc;

    (void)end;
    rc = xlmig_xen_feeder_end(be, "fuzz--incoming", res);
    xlmig_xen_feeder_dispose(be);
    return rc;
}

static void fz_abort(void *be)
{
    xlmig_xen_feeder_dispose(be);
}

/* xlmig_xen_dst_ops's stream half, over the feeder alone. */
static const xlmig_dst_ops ops = {
    .name = "xen",
    .rec_type = XLMIG_REC_XEN,
    .begin = fz_begin,
    .feed = fz_feed,
    .end = fz_end,
    .abort = fz_abort,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int quiet, sink = -1;
    xlmig_restore_result res;
    xlmig_xen_feeder f;
    xlmig_chan ch;
    xlmig_conn conn;
    xlmig_msg req;
    int in;

    if (!quiet) {
        xlmig_log_set_level(XLMIG_LOG_ERROR);
        quiet = 1;
        /* The loop's answers (a drain's pong) go nowhere, but go. */
        sink = open("/dev/null", O_WRONLY | O_CLOEXEC);
    }
    /* A regular file: reads never block, the end is a closed peer. */
    in = memfd_create("stream", 0);
    if (in < 0 || write(in, data, size) != (ssize_t)size ||
        lseek(in, 0, SEEK_SET))
        goto out;
    memset(&res, 0, sizeof(res));
    xlmig_xen_feeder_init(&f);
    xlmig_msg_init(&req, XLMIG_MSG_MIGRATE);
    req.codec = XLMIG_CODEC_ALL;      /* coded records decoded too */
    xlmig_conn_init(&conn);
    xlmig_conn_borrow(&conn, in, sink);
    xlmig_chan_init(&ch, &conn, "source");
    ch.io_timeout_ns = XLMIG_MS(200);
    xlmig_migrate_dest_stream(&ch, &ops, &f, &req, &res);
    /* Whatever the outcome, nothing is left running or open. */
    if (f.started || f.wr >= 0 || f.rd >= 0 || f.done_fd >= 0)
        __builtin_trap();
    xlmig_chan_dispose(&ch);
    xlmig_conn_dispose(&conn);
    xlmig_msg_dispose(&req);
out:
    if (in >= 0)
        close(in);
    xlmig_err_clear();
    return 0;
}
