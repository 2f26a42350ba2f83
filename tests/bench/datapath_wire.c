/*
 * The data path alone: the tool's own wire/datapath source and
 * destination (the same code a migration runs: key, listener,
 * handshakes, striping, reordering) over loopback, no simulator and no
 * phase machine. The source sends PAGES records shaped as the
 * simulator's (1020 pages, a page an iovec) from a reused 64 MiB
 * buffer; the destination copies each record's pages into one reused
 * sink, as a destination puts them into guest memory, minus the first
 * touch. A process a side, its CPU from wait4, so that it is measured
 * against "n plain TCP streams" on the same terms.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "chan.h"
#include "conn.h"
#include "datapath.h"
#include "dpbench.h"
#include "error.h"

#define WIRE_PS 4096u
#define WIRE_BATCH 1020u                 /* as the simulator's records */
#define WIRE_SRC_PAGES (16384u)          /* 64 MiB of source "memory" */
#define WIRE_TIMEOUT_NS (60ULL * 1000000000ULL)

static void wire_chan(xlmig_conn *c, xlmig_chan *ch, int fd, const char *p)
{
    xlmig_conn_init(c);
    xlmig_conn_borrow(c, fd, fd);
    xlmig_chan_init(ch, c, p);
    ch->page_size = WIRE_PS;
    ch->io_timeout_ns = WIRE_TIMEOUT_NS;
}

static void wire_fail(const char *side)
{
    fprintf(stderr, "bench-datapath: data path alone, %s: %s\n", side,
            xlmig_errmsg());
    _exit(1);
}

static void wire_dest(int fd, const xlmig_msg *req, double bytes)
{
    uint8_t *sink = malloc((size_t)WIRE_BATCH * WIRE_PS);
    xlmig_datapath dp;
    xlmig_pages_view v;
    xlmig_conn c;
    xlmig_chan ch;
    xlmig_msg m;
    double got = 0;
    int rc;

    if (!sink)
        _exit(1);
    memset(sink, 0, (size_t)WIRE_BATCH * WIRE_PS);
    wire_chan(&c, &ch, fd, "source");
    xlmig_dp_init(&dp);
    rc = xlmig_dp_from_msg(&dp, req);
    if (!rc)
        rc = xlmig_dp_listen(&dp, "127.0.0.1");
    if (!rc)
        rc = xlmig_dp_listen_msg(&dp, &m);
    if (!rc)
        rc = xlmig_chan_send_msg(&ch, &m);
    if (!rc)
        rc = xlmig_dp_accept(&dp, &ch);
    while (!rc) {
        rc = xlmig_chan_recv_rec(&ch);
        if (rc || ch.last.type == XLMIG_REC_CONTROL)
            break;
        rc = xlmig_pages_parse(ch.buf, ch.last.length, WIRE_PS,
                               WIRE_SRC_PAGES, &v);
        if (rc)
            break;
        memcpy(sink, v.data, (size_t)v.count * WIRE_PS);
        got += (double)v.count * WIRE_PS;
    }
    if (!rc && got != bytes) {
        xlmig_err(XLMIG_E_PROTO, "%.0f of %.0f bytes came", got, bytes);
        rc = XLMIG_E_PROTO;
    }
    if (rc)
        wire_fail("destination");
    /* The source waits for this before it exits. */
    if (write(fd, "", 1) != 1)
        _exit(1);
    _exit(0);
}

static void wire_src(int fd, xlmig_datapath *dp, double bytes)
{
    uint8_t *mem = malloc((size_t)WIRE_SRC_PAGES * WIRE_PS);
    uint8_t head[8 + WIRE_BATCH * 8];
    struct iovec iov[WIRE_BATCH + 1];
    struct pollfd p = { .fd = fd, .events = POLLIN };
    uint64_t pfn = 0, left = (uint64_t)(bytes / WIRE_PS);
    xlmig_conn c;
    xlmig_chan ch;
    xlmig_msg m;
    bool quit;
    size_t i;
    char b;
    int rc;

    if (!mem)
        _exit(1);
    for (i = 0; i < (size_t)WIRE_SRC_PAGES * WIRE_PS; i++)
        mem[i] = (uint8_t)(i * 131 + 7);
    wire_chan(&c, &ch, fd, "destination");
    xlmig_msg_init(&m, XLMIG_MSG_NONE);
    rc = xlmig_chan_expect(&ch, &m, XLMIG_MSG_DATA_LISTEN, XLMIG_E_REMOTE,
                           &quit);
    if (!rc)
        rc = xlmig_dp_connect(dp, &ch, &m);
    while (!rc && left) {
        uint32_t n = left < WIRE_BATCH ? (uint32_t)left : WIRE_BATCH, k;

        xlmig_pages_put_head(head, n, WIRE_PS);
        iov[0] = (struct iovec){ head, 8 + (size_t)n * 8 };
        for (k = 0; k < n; k++, pfn = (pfn + 1) % WIRE_SRC_PAGES) {
            xlmig_put_le64(head + 8 + (size_t)k * 8, pfn);
            iov[k + 1] = (struct iovec){ mem + pfn * WIRE_PS, WIRE_PS };
        }
        rc = xlmig_chan_send_recv(&ch, XLMIG_REC_PAGES, iov, (int)n + 1);
        left -= n;
    }
    xlmig_msg_dispose(&m);
    xlmig_msg_init(&m, XLMIG_MSG_MEMORY_END);
    if (!rc)
        rc = xlmig_chan_send_msg(&ch, &m);
    if (rc)
        wire_fail("source");
    while (poll(&p, 1, 60000) < 0 && errno == EINTR)
        ;
    _exit(read(fd, &b, 1) == 1 ? 0 : 1);
}

int dp_wire_copy(double bytes, bool tls, unsigned n, dp_result *r)
{
    xlmig_datapath dp;
    xlmig_msg req;
    pid_t src, dst;
    int sv[2];
    double t0;

    bytes = (double)((uint64_t)(bytes / WIRE_PS) * WIRE_PS);
    xlmig_dp_init(&dp);
    xlmig_msg_init(&req, XLMIG_MSG_MIGRATE);
    if (xlmig_dp_source_setup(&dp, tls ? XLMIG_DP_TLS : XLMIG_DP_TCP, n) ||
        xlmig_dp_to_msg(&dp, &req) ||
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
        fprintf(stderr, "bench-datapath: data path alone: %s\n",
                xlmig_errmsg());
        xlmig_msg_dispose(&req);
        xlmig_dp_dispose(&dp);
        return -1;
    }
    r->bytes = bytes;
    t0 = dp_now_s();
    dst = fork();
    if (!dst) {
        close(sv[0]);
        wire_dest(sv[1], &req, bytes);
    }
    src = fork();
    if (!src) {
        close(sv[1]);
        wire_src(sv[0], &dp, bytes);
    }
    close(sv[0]);
    close(sv[1]);
    xlmig_msg_dispose(&req);
    xlmig_dp_dispose(&dp);
    if (src < 0 || dst < 0)
        return -1;
    return dp_reap(src, dst, t0, r);
}

static double cpu_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double dp_gcm_rate(void)
{
    static uint8_t in[16384], out[16384 + 16];
    uint8_t key[16] = { 1 }, iv[12] = { 2 }, tag[16];
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    double t0, t, done = 0;
    int len, ok = c != NULL;

    /* As `openssl speed -evp aes-128-gcm -bytes 16384`: a TLS record. */
    t0 = cpu_now();
    do {
        ok = ok && EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, key, iv) &&
             EVP_EncryptUpdate(c, out, &len, in, sizeof(in)) &&
             EVP_EncryptFinal_ex(c, out + len, &len) &&
             EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag);
        done += sizeof(in);
        iv[0]++;
        t = cpu_now() - t0;
    } while (ok && t < 0.5);
    EVP_CIPHER_CTX_free(c);
    return ok && t > 0 ? done / t : -1;
}
