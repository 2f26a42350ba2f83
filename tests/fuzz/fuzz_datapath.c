/*
 * The destination's side of the data path (datapath.c): frames read
 * from N plain streams, each header checked, parked, held in the
 * reorder buffer or handed on in order, until memory-end or an error.
 * The input: one byte for N (1 + b % 4), then 64-byte chunks dealt to
 * the streams in turn (chunk k to stream k % N), as the source deals
 * records of one chunk each. The control channel is closed: once no
 * stream moves, the reader meets its end. What it delivers must be in
 * order, within its type's bound, and the buffer within its budget.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chan.h"
#include "datapath.h"
#include "error.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHUNK 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char key[] = "000102030405060708090a0b0c0d0e0f"
                              "101112131415161718191a1b1c1d1e1f";
    static int quiet;
    int sv[XLMIG_DP_MAX_STREAMS][2], ctl[2] = { -1, -1 };
    unsigned n, i, made = 0, rounds;
    xlmig_datapath dp;
    xlmig_conn conn;
    xlmig_chan ch;
    xlmig_msg req;
    size_t off;

    if (!quiet) {
        xlmig_log_set_level(XLMIG_LOG_ERROR);
        quiet = 1;
    }
    if (size < 1 || size > 64 * 1024)
        return 0;
    n = 1 + data[0] % 4;
    xlmig_dp_init(&dp);
    xlmig_msg_init(&req, XLMIG_MSG_MIGRATE);
    xlmig_msg_set(&req.transport, "tcp");
    xlmig_msg_set(&req.data_key, key);
    req.streams = n;
    if (xlmig_dp_from_msg(&dp, &req) || socketpair(AF_UNIX, SOCK_STREAM, 0,
                                                   ctl))
        goto out;
    for (made = 0; made < n; made++)
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv[made]))
            goto out;
    /* All of it in the sockets first (64 KiB fits), then their ends. */
    for (off = 1, i = 0; off < size; off += CHUNK, i++) {
        size_t len = size - off < CHUNK ? size - off : CHUNK;

        if (write(sv[i % n][1], data + off, len) != (ssize_t)len)
            goto out;
    }
    for (i = 0; i < n; i++) {
        shutdown(sv[i][1], SHUT_WR);
        dp.s[i].fd = sv[i][0];
        sv[i][0] = -1;
        snprintf(dp.s[i].name, sizeof(dp.s[i].name), "stream %u", i + 1);
    }
    dp.open = n;
    dp.dest = true;
    dp.active = true;
    close(ctl[1]);
    ctl[1] = -1;
    xlmig_conn_init(&conn);
    xlmig_conn_borrow(&conn, ctl[0], -1);
    xlmig_chan_init(&ch, &conn, "source");
    ch.io_timeout_ns = XLMIG_MS(200);
    ch.page_size = 4096;
    ch.dp = &dp;
    for (rounds = 0; rounds < 4096 && dp.active; rounds++) {
        uint64_t before = dp.ro.next_seq;

        if (xlmig_chan_recv_rec(&ch))
            break;
        if (ch.last.type == XLMIG_REC_CONTROL && !dp.active)
            break;              /* memory-end, or the control channel */
        /* One record a call, the next in order, within its bound. */
        if (dp.ro.next_seq != before + 1 ||
            ch.last.length > XLMIG_MAX_PAGES_LEN ||
            dp.ro.held_bytes > dp.ro.max_bytes)
            __builtin_trap();
    }
    xlmig_chan_dispose(&ch);
    xlmig_conn_dispose(&conn);
out:
    for (i = 0; i < made; i++) {
        if (sv[i][0] >= 0)
            close(sv[i][0]);
        close(sv[i][1]);
    }
    if (ctl[0] >= 0)
        close(ctl[0]);
    if (ctl[1] >= 0)
        close(ctl[1]);
    xlmig_dp_dispose(&dp);
    xlmig_msg_dispose(&req);
    xlmig_err_clear();
    return 0;
}
