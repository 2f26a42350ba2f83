/*
 * The catch-up before the suspend (drain.h). The destination's stream
 * loop answers a drain record with a pong carrying its token once
 * everything before it was fed, and nothing after; a malformed one is
 * refused. The source sends exactly one, after the pre-copy and before
 * memory-end, to a destination that offers it, none to one that does
 * not, and a pong with another token fails the migration before the
 * suspend: the guest runs on.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

#include "chan.h"
#include "drain.h"
#include "error.h"
#include "fake_dst.h"
#include "migrate.h"
#include "sim.h"
#include "sim_pair.h"
#include "wire.h"

/* ---- the destination's loop over a scripted stream ---- */

typedef struct {
    char log[256];
    int out_fd;                /* where the loop answers */
} loop_be;

static void note(loop_be *b, const char *s)
{
    size_t n = strlen(b->log);

    snprintf(b->log + n, sizeof(b->log) - n, "%s", s);
}

static off_t out_size(int fd)
{
    struct stat st;

    return fstat(fd, &st) ? -1 : st.st_size;
}

static int lb_begin(void *be, const xlmig_msg *req, uint32_t *page_size)
{
    (void)req;
    note(be, "begin ");
    *page_size = 0;
    return 0;
}

/* "feed" or, once an answer went out, "feed*". */
static int lb_feed(void *be, const uint8_t *p, size_t len)
{
    loop_be *b = be;

    (void)p;
    (void)len;
    note(b, out_size(b->out_fd) > 0 ? "feed* " : "feed ");
    return 0;
}

static int lb_end(void *be, const xlmig_msg *end, xlmig_restore_result *res)
{
    (void)end;
    (void)res;
    note(be, "end ");
    return 0;
}

static void lb_abort(void *be)
{
    note(be, "abort ");
}

static const xlmig_dst_ops loop_ops = {
    .name = "fake",
    .rec_type = XLMIG_REC_XEN,
    .begin = lb_begin,
    .feed = lb_feed,
    .end = lb_end,
    .abort = lb_abort,
};

typedef struct {
    uint8_t b[4096];
    size_t n;
} script;

static void rec(script *s, uint32_t type, const void *p, size_t len)
{
    uint8_t hdr[XLMIG_REC_HDR_LEN];

    CU_ASSERT_FATAL(s->n + sizeof(hdr) + xlmig_rec_padded(len) <=
                    sizeof(s->b));
    xlmig_rec_hdr_put(hdr, type, (uint32_t)len);
    memcpy(s->b + s->n, hdr, sizeof(hdr));
    s->n += sizeof(hdr);
    memcpy(s->b + s->n, p, len);
    memset(s->b + s->n + len, 0, xlmig_rec_padded(len) - len);
    s->n += xlmig_rec_padded(len);
}

static void drain_rec(script *s, uint64_t token, size_t len)
{
    uint8_t p[16] = { 0 };

    xlmig_put_le64(p, token);
    rec(s, XLMIG_REC_DRAIN, p, len);
}

static void end_rec(script *s)
{
    xlmig_msg m;
    char *text = NULL;
    size_t len = 0;

    xlmig_msg_init(&m, XLMIG_MSG_MEMORY_END);
    CU_ASSERT_FATAL(xlmig_msg_encode(&m, &text, &len) == 0);
    rec(s, XLMIG_REC_CONTROL, text, len);
    free(text);
    xlmig_msg_dispose(&m);
}

/* The loop over s; its answers read back from out into *m (if any). */
static int run_loop(const script *s, loop_be *b, xlmig_msg *m)
{
    xlmig_restore_result res;
    xlmig_conn conn, back;
    xlmig_chan ch, rd;
    xlmig_msg req;
    int in = memfd_create("in", 0), rc;

    b->out_fd = memfd_create("out", 0);
    CU_ASSERT_FATAL(in >= 0 && b->out_fd >= 0);
    CU_ASSERT_FATAL(write(in, s->b, s->n) == (ssize_t)s->n);
    CU_ASSERT_FATAL(lseek(in, 0, SEEK_SET) == 0);
    xlmig_err_clear();
    memset(&res, 0, sizeof(res));
    xlmig_msg_init(&req, XLMIG_MSG_MIGRATE);
    xlmig_conn_init(&conn);
    xlmig_conn_borrow(&conn, in, b->out_fd);
    xlmig_chan_init(&ch, &conn, "source");
    ch.io_timeout_ns = XLMIG_S(5);
    rc = xlmig_migrate_dest_stream(&ch, &loop_ops, b, &req, &res);
    xlmig_chan_dispose(&ch);
    xlmig_conn_dispose(&conn);
    xlmig_msg_dispose(&req);
    /* What went back to the source. */
    CU_ASSERT_FATAL(lseek(b->out_fd, 0, SEEK_SET) == 0);
    xlmig_conn_init(&back);
    xlmig_conn_borrow(&back, b->out_fd, -1);
    xlmig_chan_init(&rd, &back, "destination");
    rd.io_timeout_ns = XLMIG_S(5);
    if (out_size(b->out_fd) > 0)
        CU_ASSERT_EQUAL(xlmig_chan_recv_msg(&rd, m), 0);
    /* Only one answer. */
    CU_ASSERT_NOT_EQUAL(xlmig_chan_recv_rec(&rd), 0);
    xlmig_chan_dispose(&rd);
    xlmig_conn_dispose(&back);
    close(in);
    close(b->out_fd);
    return rc;
}

static void test_answered_in_order(void)
{
    loop_be b = { .log = "" };
    script s = { .n = 0 };
    xlmig_msg m;

    rec(&s, XLMIG_REC_XEN, "abc", 3);
    rec(&s, XLMIG_REC_XEN, "defg", 4);
    drain_rec(&s, 0x123456789abcdefULL, XLMIG_DRAIN_LEN);
    rec(&s, XLMIG_REC_XEN, "h", 1);
    end_rec(&s);
    xlmig_msg_init(&m, XLMIG_MSG_NONE);
    CU_ASSERT_EQUAL(run_loop(&s, &b, &m), 0);
    /* Answered after the two records before it, before the one after. */
    CU_ASSERT_STRING_EQUAL(b.log, "begin feed feed feed* end ");
    CU_ASSERT_EQUAL(m.type, XLMIG_MSG_PONG);
    CU_ASSERT_EQUAL(m.value, 0x123456789abcdefULL);
    xlmig_msg_dispose(&m);
}

static void test_malformed_refused(void)
{
    loop_be b = { .log = "" };
    script s = { .n = 0 };
    xlmig_msg m;

    rec(&s, XLMIG_REC_XEN, "abc", 3);
    drain_rec(&s, 7, 4);
    rec(&s, XLMIG_REC_XEN, "h", 1);
    end_rec(&s);
    xlmig_msg_init(&m, XLMIG_MSG_NONE);
    CU_ASSERT_EQUAL(run_loop(&s, &b, &m), XLMIG_E_PROTO);
    CU_ASSERT_STRING_EQUAL(b.log, "begin feed abort ");
    CU_ASSERT(strstr(xlmig_errmsg(), "drain record of 4 bytes") != NULL);
    CU_ASSERT_EQUAL(m.type, XLMIG_MSG_NONE);
    xlmig_msg_dispose(&m);
    xlmig_err_clear();

    /* Longer than the type allows: refused by its header. */
    s.n = 0;
    b.log[0] = 0;
    drain_rec(&s, 7, 16);
    end_rec(&s);
    xlmig_msg_init(&m, XLMIG_MSG_NONE);
    CU_ASSERT_EQUAL(run_loop(&s, &b, &m), XLMIG_E_PROTO);
    CU_ASSERT(strstr(xlmig_errmsg(), "exceeds limit") != NULL);
    xlmig_msg_dispose(&m);
    xlmig_err_clear();
}

/* ---- the source against a scripted destination ---- */

typedef struct {
    int fd;
    bool offer;                /* its hello offers drain */
    uint64_t skew;             /* added to the token it answers */
    unsigned drains;           /* drain records it saw */
    unsigned pages_before;     /* PAGES records before the first */
    unsigned pages;
    bool ended;                /* memory-end came */
} fake_dst;

/* Just enough of a one-flight destination, watching for drains. */
static void *fake_run(void *arg)
{
    fake_dst *f = arg;
    xlmig_conn conn;
    xlmig_chan ch;
    xlmig_msg m;
    bool chose;

    xlmig_conn_init(&conn);
    xlmig_conn_borrow(&conn, f->fd, f->fd);
    xlmig_chan_init(&ch, &conn, "source");
    ch.io_timeout_ns = XLMIG_S(10);
    xlmig_msg_init(&m, XLMIG_MSG_NONE);
    if (fake_dst_begin(&ch, &m, true, f->offer, &chose))
        goto out;
    for (;;) {
        if (xlmig_chan_recv_rec(&ch))
            goto out;
        if (ch.last.type == XLMIG_REC_PAGES) {
            f->pages++;
            continue;
        }
        if (ch.last.type == XLMIG_REC_DRAIN) {
            if (!f->drains++)
                f->pages_before = f->pages;
            xlmig_msg_dispose(&m);
            xlmig_msg_init(&m, XLMIG_MSG_PONG);
            m.value = xlmig_get_le64(ch.buf) + f->skew;
            if (xlmig_chan_send_msg(&ch, &m))
                goto out;
            continue;
        }
        if (xlmig_chan_decode_last(&ch, &m))
            goto out;
        if (m.type == XLMIG_MSG_MEMORY_END)
            break;
    }
    f->ended = true;
    if (fake_dst_expect(&ch, &m, XLMIG_MSG_GO))
        goto out;
    xlmig_msg_dispose(&m);
    xlmig_msg_init(&m, XLMIG_MSG_DONE);
    m.ok = true;
    xlmig_chan_send_msg(&ch, &m);
    while (!xlmig_chan_recv_rec(&ch))
        ;
out:
    xlmig_msg_dispose(&m);
    xlmig_chan_dispose(&ch);
    xlmig_conn_dispose(&conn);
    return NULL;
}

static int against(fake_dst *f, xlmig_report *rep, bool *running)
{
    sim_pair p;
    int rc;

    xlmig_err_clear();
    sim_pair_init(&p);
    f->fd = p.sv[1];
    CU_ASSERT_FATAL(pthread_create(&p.thr, NULL, fake_run, f) == 0);
    rc = xlmig_migrate_source(&p.o, &p.ops, &p.s, &p.rep);
    shutdown(p.sv[0], SHUT_RDWR);
    pthread_join(p.thr, NULL);
    *rep = p.rep;
    *running = xlmig_sim_src_ops.running(&p.s);
    sim_pair_dispose(&p);
    return rc;
}

static void test_source_drains_once(void)
{
    fake_dst f = { .offer = true };
    xlmig_report rep;
    bool running;

    CU_ASSERT_EQUAL(against(&f, &rep, &running), 0);
    CU_ASSERT_EQUAL(rep.outcome, XLMIG_OUT_MIGRATED);
    CU_ASSERT_EQUAL(f.drains, 1);
    /* Behind the pre-copy's pages (the 2 MiB guest's first round). */
    CU_ASSERT(f.pages_before >= 1);
    CU_ASSERT(f.ended);
    CU_ASSERT(rep.drained);
}

static void test_older_peer_gets_none(void)
{
    fake_dst f = { .offer = false };
    xlmig_report rep;
    bool running;

    CU_ASSERT_EQUAL(against(&f, &rep, &running), 0);
    CU_ASSERT_EQUAL(rep.outcome, XLMIG_OUT_MIGRATED);
    CU_ASSERT_EQUAL(f.drains, 0);
    CU_ASSERT(f.ended);
    CU_ASSERT_FALSE(rep.drained);
}

static void test_wrong_token_fails_before_suspend(void)
{
    fake_dst f = { .offer = true, .skew = 1 };
    xlmig_report rep;
    bool running;

    CU_ASSERT_EQUAL(against(&f, &rep, &running), XLMIG_E_PROTO);
    CU_ASSERT(strstr(rep.message, "answered drain 1 with pong 2") != NULL);
    CU_ASSERT_EQUAL(rep.outcome, XLMIG_OUT_FAILED);
    /* Never suspended: no memory-end, the guest ran on throughout. */
    CU_ASSERT_FALSE(f.ended);
    CU_ASSERT(running);
    CU_ASSERT_EQUAL(rep.downtime_ns, 0);
    CU_ASSERT_EQUAL(rep.suspended_ns, 0);
}

/* The real destination: it offers, answers, and the source says so. */
static void test_real_pair(void)
{
    sim_pair p;

    xlmig_err_clear();
    sim_pair_init(&p);
    CU_ASSERT_EQUAL(sim_pair_run(&p), 0);
    CU_ASSERT_EQUAL(p.rep.outcome, XLMIG_OUT_MIGRATED);
    CU_ASSERT(p.rep.drained);
    CU_ASSERT(p.rep.verified);
    sim_pair_dispose(&p);
}

static CU_TestInfo tests[] = {
    { "the loop answers after what came before", test_answered_in_order },
    { "a malformed drain record is refused", test_malformed_refused },
    { "the source drains once, before memory-end",
      test_source_drains_once },
    { "an older destination gets no drain record",
      test_older_peer_gets_none },
    { "a wrong token fails before the suspend",
      test_wrong_token_fails_before_suspend },
    { "a real destination answers", test_real_pair },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("drain", NULL, NULL, tests)
