/*
 * The destination's stream loop (migrate_dst.c) against a backend that
 * records what it was asked: begin, each record fed, end or abort, in
 * order; control messages never reach it. The source's bytes are
 * scripted into a memfd, so a read never blocks and the end of the
 * script is a closed connection.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "unit.h"

#include "codec.h"
#include "error.h"
#include "migrate.h"
#include "wire.h"

typedef struct {
    char log[512];
    uint32_t page_size;        /* what begin agrees */
    int begin_rc, end_rc;
    unsigned fail_feed;        /* this feed (1-based) fails; 0 never */
    unsigned fed;
} fake_be;

static void note(fake_be *b, const char *fmt, unsigned long v)
{
    size_t n = strlen(b->log);

    snprintf(b->log + n, sizeof(b->log) - n, fmt, v);
}

static int fb_check(void *be, const xlmig_msg *req, xlmig_checks *c,
                    uint64_t *free_bytes)
{
    (void)req;
    note(be, "check ", 0);
    *free_bytes = XLMIG_MIB;
    xlmig_checks_add(c, "dest", "fake", true, "always");
    return 0;
}

static int fb_begin(void *be, const xlmig_msg *req, uint32_t *page_size)
{
    fake_be *b = be;

    (void)req;
    note(b, "begin ", 0);
    *page_size = b->page_size;
    if (b->begin_rc)
        xlmig_err(b->begin_rc, "fake begin failed");
    return b->begin_rc;
}

static int fb_feed(void *be, const uint8_t *p, size_t len)
{
    fake_be *b = be;

    note(b, "feed:%lu ", (unsigned long)len);
    /* The payload is the record's, byte for byte. */
    if (len && p[0] != (uint8_t)len) {
        xlmig_err(XLMIG_E_INVAL, "fed the wrong bytes");
        return XLMIG_E_INVAL;
    }
    if (++b->fed == b->fail_feed) {
        xlmig_err(XLMIG_E_BACKEND, "fake feed failed");
        return XLMIG_E_BACKEND;
    }
    return 0;
}

static int fb_end(void *be, const xlmig_msg *end, xlmig_restore_result *res)
{
    fake_be *b = be;

    note(b, "end:%lx ", (unsigned long)end->hash);
    res->pages = b->fed;
    if (b->end_rc)
        xlmig_err(b->end_rc, "fake end failed");
    return b->end_rc;
}

static void fb_abort(void *be)
{
    note(be, "abort ", 0);
}

static int fb_activate(void *be)
{
    note(be, "activate ", 0);
    return 0;
}

static int fb_discard(void *be)
{
    note(be, "discard ", 0);
    return 0;
}

static const xlmig_dst_ops fake_ops = {
    .name = "fake",
    .check = fb_check,
    .rec_type = XLMIG_REC_XEN,
    .begin = fb_begin,
    .feed = fb_feed,
    .end = fb_end,
    .abort = fb_abort,
    .activate = fb_activate,
    .discard = fb_discard,
};

/* The source's side of the stream, as bytes. */
typedef struct {
    uint8_t b[16384];
    size_t n;
} script;

static void put(script *s, const void *p, size_t len)
{
    CU_ASSERT_FATAL(s->n + len <= sizeof(s->b));
    memcpy(s->b + s->n, p, len);
    s->n += len;
}

/* A record of len bytes, each the length's low byte (fb_feed checks). */
static void rec(script *s, uint32_t type, size_t len)
{
    uint8_t hdr[XLMIG_REC_HDR_LEN], body[1024] = { 0 };

    CU_ASSERT_FATAL(len <= sizeof(body));
    memset(body, (int)(uint8_t)len, len);
    xlmig_rec_hdr_put(hdr, type, (uint32_t)len);
    put(s, hdr, sizeof(hdr));
    put(s, body, xlmig_rec_padded(len));
}

static void raw_ctl(script *s, const char *json)
{
    uint8_t hdr[XLMIG_REC_HDR_LEN], pad[8] = { 0 };
    size_t len = strlen(json);

    xlmig_rec_hdr_put(hdr, XLMIG_REC_CONTROL, (uint32_t)len);
    put(s, hdr, sizeof(hdr));
    put(s, json, len);
    put(s, pad, xlmig_rec_padded(len) - len);
}

static void msg(script *s, xlmig_msg *m)
{
    char *text = NULL;
    size_t len = 0;

    CU_ASSERT_FATAL(xlmig_msg_encode(m, &text, &len) == 0);
    text = realloc(text, len + 1);
    CU_ASSERT_FATAL(text != NULL);
    text[len] = 0;
    raw_ctl(s, text);
    free(text);
    xlmig_msg_dispose(m);
}

static void ctl(script *s, xlmig_msg_type type, const char *why)
{
    xlmig_msg m;

    xlmig_msg_init(&m, type);
    if (why)
        xlmig_msg_set(&m.message, why);
    if (type == XLMIG_MSG_MEMORY_END)
        m.hash = 0xabc;
    msg(s, &m);
}

static int script_fd(const script *s)
{
    int fd = memfd_create("stream", 0);

    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_FATAL(write(fd, s->b, s->n) == (ssize_t)s->n);
    CU_ASSERT_FATAL(lseek(fd, 0, SEEK_SET) == 0);
    return fd;
}

/* What the request announces of the codec (run_loop). */
static unsigned req_codec;

/* The loop alone over the script; the record after it, if asked. */
static int run_loop(const script *s, fake_be *b, xlmig_restore_result *res,
                    int *next_type)
{
    xlmig_chan ch;
    xlmig_conn conn;
    xlmig_msg req;
    int fd = script_fd(s), rc;

    xlmig_err_clear();
    memset(res, 0, sizeof(*res));
    xlmig_msg_init(&req, XLMIG_MSG_MIGRATE);
    req.codec = req_codec;
    xlmig_conn_init(&conn);
    xlmig_conn_borrow(&conn, fd, -1);
    xlmig_chan_init(&ch, &conn, "source");
    ch.io_timeout_ns = XLMIG_S(5);
    rc = xlmig_migrate_dest_stream(&ch, &fake_ops, b, &req, res);
    if (next_type)
        *next_type = xlmig_chan_recv_rec(&ch) ? -1 : (int)ch.last.type;
    xlmig_chan_dispose(&ch);
    xlmig_conn_dispose(&conn);
    xlmig_msg_dispose(&req);
    close(fd);
    return rc;
}

static void test_order(void)
{
    xlmig_restore_result res;
    fake_be b = { .page_size = 0 };
    script s = { .n = 0 };
    int next;

    rec(&s, XLMIG_REC_XEN, 5);
    rec(&s, XLMIG_REC_XEN, 16);
    rec(&s, XLMIG_REC_XEN, 0);
    rec(&s, XLMIG_REC_XEN, 1000);
    ctl(&s, XLMIG_MSG_MEMORY_END, NULL);
    rec(&s, XLMIG_REC_XEN, 7);            /* not the loop's any more */
    CU_ASSERT_EQUAL(run_loop(&s, &b, &res, &next), 0);
    CU_ASSERT_STRING_EQUAL(b.log, "begin feed:5 feed:16 feed:0 feed:1000"
                           " end:abc ");
    CU_ASSERT_EQUAL(res.pages, 4);
    CU_ASSERT(res.t_stream_end != 0);
    /* The loop stops at memory-end: the next record is left unread. */
    CU_ASSERT_EQUAL(next, XLMIG_REC_XEN);
}

static void test_abort_midway(void)
{
    xlmig_restore_result res;
    fake_be b = { .page_size = 0 };
    script s = { .n = 0 };

    rec(&s, XLMIG_REC_XEN, 8);
    ctl(&s, XLMIG_MSG_ABORT, "operator said so");
    rec(&s, XLMIG_REC_XEN, 9);
    ctl(&s, XLMIG_MSG_MEMORY_END, NULL);
    CU_ASSERT_EQUAL(run_loop(&s, &b, &res, NULL), XLMIG_E_ABORTED);
    CU_ASSERT_STRING_EQUAL(b.log, "begin feed:8 abort ");
    CU_ASSERT(strstr(xlmig_errmsg(), "source aborted the migration:"
                     " operator said so") != NULL);

    /* An error from the source ends it the same way. */
    memset(&b, 0, sizeof(b));
    s.n = 0;
    ctl(&s, XLMIG_MSG_ERROR, NULL);
    CU_ASSERT_EQUAL(run_loop(&s, &b, &res, NULL), XLMIG_E_ABORTED);
    CU_ASSERT_STRING_EQUAL(b.log, "begin abort ");
    CU_ASSERT(strstr(xlmig_errmsg(), "no reason given") != NULL);
    xlmig_err_clear();
}

/* One bad thing after a good record: refused, fed no further, aborted. */
static void assert_garbage(void (*bad)(script *s), uint32_t page_size,
                           int want_rc, const char *want_msg)
{
    xlmig_restore_result res;
    fake_be b = { .page_size = page_size };
    script s = { .n = 0 };

    rec(&s, XLMIG_REC_XEN, 3);
    bad(&s);
    rec(&s, XLMIG_REC_XEN, 4);
    ctl(&s, XLMIG_MSG_MEMORY_END, NULL);
    CU_ASSERT_EQUAL(run_loop(&s, &b, &res, NULL), want_rc);
    CU_ASSERT_STRING_EQUAL(b.log, "begin feed:3 abort ");
    CU_ASSERT(strstr(xlmig_errmsg(), want_msg) != NULL);
    if (!strstr(xlmig_errmsg(), want_msg))
        fprintf(stderr, "\n  got: %s\n", xlmig_errmsg());
    xlmig_err_clear();
}

static void bad_type(script *s) { rec(s, 99, 0); }
static void bad_pages(script *s) { rec(s, XLMIG_REC_PAGES, 16); }
static void bad_json(script *s) { raw_ctl(s, "{\"type\":"); }
static void bad_go(script *s) { ctl(s, XLMIG_MSG_GO, NULL); }
static void bad_ready(script *s) { ctl(s, XLMIG_MSG_READY, NULL); }
static void bad_old_end(script *s) { rec(s, XLMIG_REC_XEN_END, 0); }
static void bad_cut(script *s)
{
    uint8_t hdr[XLMIG_REC_HDR_LEN];

    xlmig_rec_hdr_put(hdr, XLMIG_REC_XEN, 64);
    put(s, hdr, sizeof(hdr));
    put(s, "half", 4);            /* and the script ends there */
}

static void test_garbage_record(void)
{
    assert_garbage(bad_type, 0, XLMIG_E_PROTO, "unknown type 99");
    /* Pages in a stream that agreed no page size, and in one that did. */
    assert_garbage(bad_pages, 0, XLMIG_E_PROTO, "pages before the page"
                   " size was agreed");
    assert_garbage(bad_pages, 4096, XLMIG_E_PROTO, "where a control"
                   " message was expected");
    assert_garbage(bad_json, 0, XLMIG_E_PROTO, "control message");
    assert_garbage(bad_go, 0, XLMIG_E_PROTO, "unexpected \"go\" message"
                   " during pre-copy");
    assert_garbage(bad_ready, 0, XLMIG_E_PROTO, "unexpected \"ready\"");
    /* An older source's second end marker: refused, saying so. */
    assert_garbage(bad_old_end, 0, XLMIG_E_PROTO, "older xlmig");
}

static void test_cut_short(void)
{
    xlmig_restore_result res;
    fake_be b = { .page_size = 0 };
    script s = { .n = 0 };

    rec(&s, XLMIG_REC_XEN, 3);
    bad_cut(&s);
    CU_ASSERT_EQUAL(run_loop(&s, &b, &res, NULL), XLMIG_E_IO);
    CU_ASSERT_STRING_EQUAL(b.log, "begin feed:3 abort ");
    CU_ASSERT(strstr(xlmig_errmsg(), "in the middle of a record") != NULL);
    xlmig_err_clear();
}

static void test_backend_failures(void)
{
    xlmig_restore_result res;
    fake_be b = { .begin_rc = XLMIG_E_CHECK };
    script s = { .n = 0 };

    rec(&s, XLMIG_REC_XEN, 3);
    rec(&s, XLMIG_REC_XEN, 4);
    ctl(&s, XLMIG_MSG_MEMORY_END, NULL);
    /* begin failing: nothing read, abort releases its half. */
    CU_ASSERT_EQUAL(run_loop(&s, &b, &res, NULL), XLMIG_E_CHECK);
    CU_ASSERT_STRING_EQUAL(b.log, "begin abort ");
    memset(&b, 0, sizeof(b));
    b.fail_feed = 1;
    CU_ASSERT_EQUAL(run_loop(&s, &b, &res, NULL), XLMIG_E_BACKEND);
    CU_ASSERT_STRING_EQUAL(b.log, "begin feed:3 abort ");
    memset(&b, 0, sizeof(b));
    b.end_rc = XLMIG_E_BACKEND;
    CU_ASSERT_EQUAL(run_loop(&s, &b, &res, NULL), XLMIG_E_BACKEND);
    CU_ASSERT_STRING_EQUAL(b.log, "begin feed:3 feed:4 end:abc abort ");
    CU_ASSERT_STRING_EQUAL(xlmig_errmsg(), "fake end failed");
    xlmig_err_clear();
}

/* The whole destination over a script: hello to the answer to go. */
static void migrate_script(script *s)
{
    xlmig_msg m;

    put(s, XLMIG_WIRE_MAGIC, XLMIG_WIRE_MAGIC_LEN);
    xlmig_msg_init(&m, XLMIG_MSG_MIGRATE);
    xlmig_msg_set(&m.host, "src");
    xlmig_msg_set(&m.backend, "fake");
    xlmig_msg_set(&m.name, "g1");
    m.mem_bytes = XLMIG_MIB;
    m.page_size = 4096;
    m.value = 1;
    msg(s, &m);
    ctl(s, XLMIG_MSG_PING, NULL);
    rec(s, XLMIG_REC_XEN, 12);
    rec(s, XLMIG_REC_XEN, 13);
}

static int run_dest(const script *s, fake_be *b, xlmig_report *rep)
{
    xlmig_dst_opts o;
    int in = script_fd(s), out = open("/dev/null", O_WRONLY), rc;

    CU_ASSERT_FATAL(out >= 0);
    xlmig_err_clear();
    xlmig_dst_opts_init(&o);
    o.in_fd = in;
    o.out_fd = out;
    o.io_timeout_ns = XLMIG_S(5);
    xlmig_report_init(rep);
    rc = xlmig_migrate_dest(&o, &fake_ops, b, rep);
    close(in);
    close(out);
    return rc;
}

static void test_phase_machine(void)
{
    fake_be b = { .page_size = 0 };
    script s = { .n = 0 };
    xlmig_report rep;

    migrate_script(&s);
    ctl(&s, XLMIG_MSG_MEMORY_END, NULL);
    ctl(&s, XLMIG_MSG_GO, NULL);
    CU_ASSERT_EQUAL(run_dest(&s, &b, &rep), 0);
    CU_ASSERT_STRING_EQUAL(b.log, "check begin feed:12 feed:13 end:abc"
                           " activate ");
    CU_ASSERT_EQUAL(rep.outcome, XLMIG_OUT_MIGRATED);
}

static void test_record_after_end(void)
{
    fake_be b = { .page_size = 0 };
    script s = { .n = 0 };
    xlmig_report rep;

    /* Data after the stream's one end: never fed, the copy discarded. */
    migrate_script(&s);
    ctl(&s, XLMIG_MSG_MEMORY_END, NULL);
    rec(&s, XLMIG_REC_XEN, 14);
    ctl(&s, XLMIG_MSG_GO, NULL);
    CU_ASSERT_EQUAL(run_dest(&s, &b, &rep), XLMIG_E_PROTO);
    CU_ASSERT_STRING_EQUAL(b.log, "check begin feed:12 feed:13 end:abc"
                           " discard ");
    CU_ASSERT_EQUAL(rep.outcome, XLMIG_OUT_FAILED);
    CU_ASSERT(strstr(rep.message, "where a control message was expected")
              != NULL);
    xlmig_err_clear();
}

static void test_abort_before_end(void)
{
    fake_be b = { .page_size = 0 };
    script s = { .n = 0 };
    xlmig_report rep;

    migrate_script(&s);
    ctl(&s, XLMIG_MSG_ABORT, "policy gave up");
    CU_ASSERT_EQUAL(run_dest(&s, &b, &rep), XLMIG_E_ABORTED);
    CU_ASSERT_STRING_EQUAL(b.log, "check begin feed:12 feed:13 abort"
                           " discard ");
    CU_ASSERT_EQUAL(rep.outcome, XLMIG_OUT_ABORTED);
    xlmig_err_clear();
}

/* A coded record, as the source's codec makes it. */
static void coded(script *s, uint32_t type, size_t len)
{
    static uint8_t body[4096];
    uint8_t hdr[XLMIG_REC_HDR_LEN], pad[8] = { 0 };
    uint64_t pfn = 0;
    xlmig_codec_enc e;
    xlmig_codec_out o;
    int i, rc;

    memset(body, (int)(uint8_t)len, len);
    memset(body + 100, 0, len - 200);       /* a zero run inside */
    xlmig_codec_enc_init(&e);
    xlmig_codec_enc_agree(&e, XLMIG_COMPRESS_AUTO, XLMIG_CODEC_ZERO);
    rc = type == XLMIG_REC_PAGES
       ? xlmig_codec_enc_pages(&e, &pfn, 1, body, 4096, &o)
       : xlmig_codec_enc_xen(&e, body, len, &o);
    CU_ASSERT_FATAL(rc == 0 && o.type == XLMIG_REC_CODED);
    xlmig_rec_hdr_put(hdr, o.type, (uint32_t)o.len);
    put(s, hdr, sizeof(hdr));
    for (i = 0; i < o.niov; i++)
        put(s, o.iov[i].iov_base, o.iov[i].iov_len);
    put(s, pad, xlmig_rec_padded(o.len) - o.len);
    xlmig_codec_enc_dispose(&e);
}

static void bad_coded(script *s) { coded(s, XLMIG_REC_XEN, 2000); }
static void bad_coded_pages(script *s) { coded(s, XLMIG_REC_PAGES, 4096); }

static void test_coded(void)
{
    xlmig_restore_result res;
    fake_be b = { .page_size = 0 };
    script s = { .n = 0 };

    /* Decoded just before the feed: the backend sees the original. */
    req_codec = XLMIG_CODEC_ALL;
    rec(&s, XLMIG_REC_XEN, 5);
    coded(&s, XLMIG_REC_XEN, 2000);
    ctl(&s, XLMIG_MSG_MEMORY_END, NULL);
    CU_ASSERT_EQUAL(run_loop(&s, &b, &res, NULL), 0);
    CU_ASSERT_STRING_EQUAL(b.log, "begin feed:5 feed:2000 end:abc ");
    /* Another record type inside: refused. */
    assert_garbage(bad_coded_pages, 4096, XLMIG_E_PROTO, "coded record"
                   " carries type 2 in a stream of type 3");
    /* A source that did not announce the codec may not use it. */
    req_codec = 0;
    assert_garbage(bad_coded, 0, XLMIG_E_PROTO, "the source did not"
                   " announce the codec");
}

/* Pings while the source waits for its local disks' sync: kept alive,
 * nothing fed; any other control message still ends it. */
static void test_keepalive(void)
{
    xlmig_restore_result res;
    fake_be b = { .page_size = 0 };
    script s = { .n = 0 };

    ctl(&s, XLMIG_MSG_PING, NULL);
    ctl(&s, XLMIG_MSG_PING, NULL);
    rec(&s, XLMIG_REC_XEN, 5);
    ctl(&s, XLMIG_MSG_PING, NULL);
    ctl(&s, XLMIG_MSG_MEMORY_END, NULL);
    CU_ASSERT_EQUAL(run_loop(&s, &b, &res, NULL), 0);
    CU_ASSERT_STRING_EQUAL(b.log, "begin feed:5 end:abc ");
    CU_ASSERT_EQUAL(res.pages, 1);
    memset(&b, 0, sizeof(b));
    s.n = 0;
    ctl(&s, XLMIG_MSG_PONG, NULL);
    CU_ASSERT_EQUAL(run_loop(&s, &b, &res, NULL), XLMIG_E_PROTO);
    CU_ASSERT(strstr(xlmig_errmsg(), "unexpected \"pong\"") != NULL);
    xlmig_err_clear();
}

static CU_TestInfo tests[] = {
    { "begin, feed each record, end, in order", test_order },
    { "pings in the stream keep it alive", test_keepalive },
    { "abort or error in the middle", test_abort_midway },
    { "a garbage record ends it, aborted", test_garbage_record },
    { "the connection cut in a record", test_cut_short },
    { "begin, feed or end failing", test_backend_failures },
    { "the phase machine around it", test_phase_machine },
    { "a record after the end", test_record_after_end },
    { "abort before the end, then discard", test_abort_before_end },
    { "a coded record decoded before the feed", test_coded },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("dst-stream", NULL, NULL, tests)
