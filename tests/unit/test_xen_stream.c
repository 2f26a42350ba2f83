/* Xen backend: libxl v2 stream framing, the restore feeder and its pipe. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

#include "error.h"
#include "xen_feeder.h"
#include "xen_priv.h"

static void test_header_bytes(void)
{
    static const uint8_t want[XLMIG_LIBXL_HDR_LEN] = {
        'L', 'i', 'b', 'x', 'l', 'F', 'm', 't',
        0, 0, 0, 2,     /* version, big-endian */
        0, 0, 0, 0,     /* options: little-endian records */
    };
    uint8_t b[XLMIG_LIBXL_HDR_LEN];

    xlmig_libxl_hdr_put(b);
    CU_ASSERT_EQUAL(memcmp(b, want, sizeof(want)), 0);
    CU_ASSERT_EQUAL(xlmig_libxl_hdr_check(b, sizeof(b)), 0);
}

static void test_header_refusals(void)
{
    uint8_t b[XLMIG_LIBXL_HDR_LEN];

    xlmig_libxl_hdr_put(b);
    CU_ASSERT_EQUAL(xlmig_libxl_hdr_check(b, 15), XLMIG_E_PROTO);
    b[0] = 'X';
    CU_ASSERT_EQUAL(xlmig_libxl_hdr_check(b, sizeof(b)), XLMIG_E_PROTO);
    xlmig_libxl_hdr_put(b);
    b[11] = 1;          /* a v1 stream */
    CU_ASSERT_EQUAL(xlmig_libxl_hdr_check(b, sizeof(b)), XLMIG_E_PROTO);
    xlmig_libxl_hdr_put(b);
    b[15] = 1;          /* big-endian records */
    CU_ASSERT_EQUAL(xlmig_libxl_hdr_check(b, sizeof(b)), XLMIG_E_PROTO);
    xlmig_err_clear();
}

static void test_records(void)
{
    static const uint8_t libxc[8] = { 1, 0, 0, 0, 0, 0, 0, 0 };
    static const uint8_t end[8] = { 0 };
    static const uint8_t other[8] = { 3, 0, 0, 0, 0x10, 0x20, 0, 0 };
    uint8_t b[XLMIG_LIBXL_REC_HDR_LEN];

    xlmig_libxl_rec_put(b, XLMIG_LIBXL_REC_LIBXC_CONTEXT, 0);
    CU_ASSERT_EQUAL(memcmp(b, libxc, 8), 0);
    xlmig_libxl_rec_put(b, XLMIG_LIBXL_REC_END, 0);
    CU_ASSERT_EQUAL(memcmp(b, end, 8), 0);
    xlmig_libxl_rec_put(b, 3, 0x2010);
    CU_ASSERT_EQUAL(memcmp(b, other, 8), 0);
}

static void test_feed(void)
{
    uint8_t in[300000], out[300000];
    int p[2], stop[2];
    size_t got = 0, i;
    ssize_t n;
    pid_t pid;

    for (i = 0; i < sizeof(in); i++)
        in[i] = (uint8_t)(i * 7 + (i >> 9));
    CU_ASSERT_FATAL(pipe(p) == 0 && pipe(stop) == 0);
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    /* A reader slower than the pipe: the feeder must wait, not fail. */
    pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        close(p[1]);
        while ((n = read(p[0], out + got, 4096)) > 0)
            got += (size_t)n;
        _exit(got == sizeof(in) && !memcmp(in, out, sizeof(in)) ? 0 : 1);
    }
    close(p[0]);
    CU_ASSERT_EQUAL(xlmig_xen_feed(p[1], stop[0], in, sizeof(in)), 0);
    close(p[1]);
    {
        int st = -1;

        CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
        CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    close(stop[0]);
    close(stop[1]);
}

static void test_feed_stops(void)
{
    uint8_t buf[200000];
    int p[2], stop[2];

    memset(buf, 0x5a, sizeof(buf));
    CU_ASSERT_FATAL(pipe(p) == 0 && pipe(stop) == 0);
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    /* The restore ended early: the full pipe must not hang us. */
    CU_ASSERT_EQUAL(write(stop[1], "x", 1), 1);
    CU_ASSERT_EQUAL(xlmig_xen_feed(p[1], stop[0], buf, sizeof(buf)),
                    XLMIG_E_BACKEND);
    close(stop[0]);
    close(stop[1]);
    /* The reader went away. */
    close(p[0]);
    CU_ASSERT_EQUAL(xlmig_xen_feed(p[1], -1, buf, 16), XLMIG_E_BACKEND);
    close(p[1]);
    xlmig_err_clear();
}

static void test_write_all(void)
{
    uint8_t in[1000], out[1000];
    int p[2];

    memset(in, 0xa5, sizeof(in));
    CU_ASSERT_FATAL(pipe(p) == 0);
    CU_ASSERT_EQUAL(xlmig_xen_write_all(p[1], in, sizeof(in)), 0);
    CU_ASSERT_EQUAL(read(p[0], out, sizeof(out)), (ssize_t)sizeof(out));
    CU_ASSERT_EQUAL(memcmp(in, out, sizeof(in)), 0);
    close(p[0]);
    CU_ASSERT_EQUAL(xlmig_xen_write_all(p[1], in, sizeof(in)), -1);
    CU_ASSERT_EQUAL(errno, EPIPE);
    close(p[1]);
}

/* A restore that reads like libxl: what it got, until EOF or stop. */
typedef struct {
    uint8_t got[400000];
    size_t n;
    size_t stop_after;          /* return after this many bytes; 0: EOF */
    int rc;                     /* what it returns */
    int calls;
} reader;

static int read_stream(void *arg, int fd)
{
    reader *rd = arg;
    ssize_t r;

    rd->calls++;
    while (rd->n < sizeof(rd->got) &&
           (!rd->stop_after || rd->n < rd->stop_after)) {
        r = read(fd, rd->got + rd->n, sizeof(rd->got) - rd->n);
        if (r <= 0)
            break;
        rd->n += (size_t)r;
    }
    return rd->rc;
}

static void test_feeder_bytes(void)
{
    static uint8_t in[300000];
    static reader rd;
    static const size_t cuts[] = { 0, 16, 0, 70000, 8, 150000 };
    xlmig_restore_result res;
    xlmig_xen_feeder f;
    size_t i, off = 0;

    memset(&rd, 0, sizeof(rd));
    memset(&res, 0, sizeof(res));
    for (i = 0; i < sizeof(in); i++)
        in[i] = (uint8_t)(i * 13 + (i >> 11));
    xlmig_xen_feeder_init(&f);
    CU_ASSERT_FATAL(xlmig_xen_feeder_open(&f, read_stream, &rd) == 0);
    /* Chunks of any size, empty ones too, more than a pipe holds. */
    for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        CU_ASSERT_EQUAL(xlmig_xen_feeder_put(&f, in + off, cuts[i]), 0);
        off += cuts[i];
    }
    CU_ASSERT_EQUAL(xlmig_xen_feeder_put(&f, in + off, sizeof(in) - off), 0);
    CU_ASSERT_EQUAL(xlmig_xen_feeder_end(&f, "g1--incoming", &res), 0);
    /* The restore read exactly what was fed, in order, then EOF. */
    CU_ASSERT_EQUAL(rd.calls, 1);
    CU_ASSERT_EQUAL(rd.n, sizeof(in));
    CU_ASSERT_EQUAL(memcmp(rd.got, in, sizeof(in)), 0);
    CU_ASSERT_EQUAL(f.bytes, sizeof(in));
    CU_ASSERT_EQUAL(res.pages, sizeof(in) / (XC_PAGE_SIZE + 8));
    CU_ASSERT_FALSE(res.has_verify);
    /* Fed nothing after its end. */
    CU_ASSERT_EQUAL(xlmig_xen_feeder_put(&f, in, 8), XLMIG_E_BACKEND);
    xlmig_xen_feeder_dispose(&f);
    xlmig_xen_feeder_dispose(&f);
    xlmig_err_clear();
}

static void test_feeder_lazy(void)
{
    static reader rd;
    xlmig_restore_result res;
    xlmig_xen_feeder f;

    memset(&rd, 0, sizeof(rd));
    xlmig_xen_feeder_init(&f);
    /* Disposing what was never opened is fine. */
    xlmig_xen_feeder_dispose(&f);
    CU_ASSERT_FATAL(xlmig_xen_feeder_open(&f, read_stream, &rd) == 0);
    /* memory-end before any data: libxl was never started. */
    CU_ASSERT_EQUAL(xlmig_xen_feeder_end(&f, "g1--incoming", &res),
                    XLMIG_E_PROTO);
    CU_ASSERT(strstr(xlmig_errmsg(), "before the Xen stream began") != NULL);
    xlmig_xen_feeder_dispose(&f);
    CU_ASSERT_EQUAL(rd.calls, 0);
    xlmig_err_clear();
}

static void test_feeder_restore_fails(void)
{
    static uint8_t in[100000];
    static reader rd;
    xlmig_restore_result res;
    xlmig_xen_feeder f;
    int rc = 0, i;

    /* The restore gives up after 16 bytes: the feeder must not hang. */
    memset(&rd, 0, sizeof(rd));
    rd.stop_after = 16;
    rd.rc = -3;
    xlmig_xen_feeder_init(&f);
    CU_ASSERT_FATAL(xlmig_xen_feeder_open(&f, read_stream, &rd) == 0);
    for (i = 0; i < 40 && !rc; i++)
        rc = xlmig_xen_feeder_put(&f, in, sizeof(in));
    CU_ASSERT_EQUAL(rc, XLMIG_E_BACKEND);
    xlmig_xen_feeder_dispose(&f);
    CU_ASSERT_EQUAL(f.r, -3);
    xlmig_err_clear();

    /* It read everything and failed: end says so, naming the guest. */
    memset(&rd, 0, sizeof(rd));
    rd.rc = -3;
    xlmig_xen_feeder_init(&f);
    CU_ASSERT_FATAL(xlmig_xen_feeder_open(&f, read_stream, &rd) == 0);
    CU_ASSERT_EQUAL(xlmig_xen_feeder_put(&f, in, 64), 0);
    CU_ASSERT_EQUAL(xlmig_xen_feeder_end(&f, "g1--incoming", &res),
                    XLMIG_E_BACKEND);
    CU_ASSERT(strstr(xlmig_errmsg(), "libxl_domain_create_restore of"
                     " g1--incoming failed (libxl error -3)") != NULL);
    xlmig_xen_feeder_dispose(&f);
    CU_ASSERT_EQUAL(rd.n, 64);
    xlmig_err_clear();
}

static void test_feeder_abort(void)
{
    static uint8_t in[5000];
    static reader rd;
    xlmig_xen_feeder f;

    /* Abandoned midway: the restore sees EOF and is waited for. */
    memset(&rd, 0, sizeof(rd));
    rd.rc = -3;
    xlmig_xen_feeder_init(&f);
    CU_ASSERT_FATAL(xlmig_xen_feeder_open(&f, read_stream, &rd) == 0);
    CU_ASSERT_EQUAL(xlmig_xen_feeder_put(&f, in, sizeof(in)), 0);
    xlmig_xen_feeder_finish(&f);
    CU_ASSERT_EQUAL(rd.calls, 1);
    CU_ASSERT_EQUAL(rd.n, sizeof(in));
    CU_ASSERT_EQUAL(f.r, -3);
    CU_ASSERT_FALSE(f.started);
    xlmig_xen_feeder_dispose(&f);
    CU_ASSERT_EQUAL(f.rd, -1);
    CU_ASSERT_EQUAL(f.done_fd, -1);
}

static CU_TestInfo tests[] = {
    { "libxl stream header bytes", test_header_bytes },
    { "libxl stream header refusals", test_header_refusals },
    { "libxl record headers", test_records },
    { "feed waits for a slow restore", test_feed },
    { "feed stops when the restore does", test_feed_stops },
    { "write_all and EPIPE", test_write_all },
    { "feeder: the restore reads exactly what was fed", test_feeder_bytes },
    { "feeder: no restore before the first data", test_feeder_lazy },
    { "feeder: a restore that fails", test_feeder_restore_fails },
    { "feeder: abandoned midway", test_feeder_abort },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("xen-stream", NULL, NULL, tests)
