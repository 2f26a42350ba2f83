/*
 * The channel's bounds: --io-timeout covers a whole operation however
 * the peer trickles, the deadline ends waits and writes but not the
 * reading of an answer already there.
 */
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "unit.h"

#include "chan.h"
#include "error.h"

typedef struct {
    int fd;
    unsigned n;
    volatile int stop;
} trickler;

/* One byte every 20 ms: never silent for long. */
static void *trickle(void *arg)
{
    trickler *t = arg;
    unsigned i;

    for (i = 0; i < t->n && !t->stop; i++) {
        if (write(t->fd, "x", 1) != 1)
            break;
        xlmig_sleep_ns(XLMIG_MS(20));
    }
    return NULL;
}

static void test_timeout_covers_the_operation(void)
{
    trickler t = { .n = 500 };
    pthread_t thr;
    xlmig_conn conn;
    xlmig_chan ch;
    char buf[500];
    int sv[2];

    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    t.fd = sv[1];
    xlmig_conn_init(&conn);
    xlmig_conn_borrow(&conn, sv[0], sv[0]);
    xlmig_chan_init(&ch, &conn, "peer");
    ch.io_timeout_ns = XLMIG_MS(200);
    CU_ASSERT_FATAL(pthread_create(&thr, NULL, trickle, &t) == 0);
    xlmig_err_clear();
    /* 500 bytes at 50 a second: the waits add up past 200 ms. */
    CU_ASSERT_EQUAL(xlmig_chan_read(&ch, buf, sizeof(buf)),
                    XLMIG_E_TIMEOUT);
    CU_ASSERT(ch.bytes_in < sizeof(buf));
    CU_ASSERT_FALSE(ch.deadline_hit);
    t.stop = 1;
    pthread_join(thr, NULL);
    xlmig_chan_dispose(&ch);
    xlmig_conn_dispose(&conn);
    close(sv[0]);
    close(sv[1]);
}

static void test_deadline(void)
{
    xlmig_conn conn;
    xlmig_chan ch;
    char buf[4];
    int sv[2];

    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    xlmig_conn_init(&conn);
    xlmig_conn_borrow(&conn, sv[0], sv[0]);
    xlmig_chan_init(&ch, &conn, "peer");
    ch.io_timeout_ns = XLMIG_S(60);
    ch.deadline_ns = xlmig_now_ns() + XLMIG_MS(100);
    xlmig_err_clear();
    /* Nothing comes: the deadline, long before the I/O timeout. */
    CU_ASSERT_EQUAL(xlmig_chan_read(&ch, buf, 4), XLMIG_E_TIMEOUT);
    CU_ASSERT(ch.deadline_hit);
    CU_ASSERT(strstr(xlmig_errmsg(), "switchover deadline") != NULL);
    /* An answer already there is still read. */
    CU_ASSERT_EQUAL(write(sv[1], "done", 4), 4);
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_chan_read(&ch, buf, 4), 0);
    CU_ASSERT(memcmp(buf, "done", 4) == 0);
    /* But nothing new is sent. */
    CU_ASSERT_EQUAL(xlmig_chan_write(&ch, "go", 2), XLMIG_E_TIMEOUT);
    CU_ASSERT_EQUAL(xlmig_chan_check_deadline(&ch, "x"), XLMIG_E_TIMEOUT);
    ch.deadline_ns = 0;
    CU_ASSERT_EQUAL(xlmig_chan_check_deadline(&ch, "x"), 0);
    CU_ASSERT_EQUAL(xlmig_chan_write(&ch, "go", 2), 0);
    xlmig_err_clear();
    xlmig_chan_dispose(&ch);
    xlmig_conn_dispose(&conn);
    close(sv[0]);
    close(sv[1]);
}

static CU_TestInfo tests[] = {
    { "io timeout covers the operation", test_timeout_covers_the_operation },
    { "deadline ends waits, not answers", test_deadline },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("chan timing", NULL, NULL, tests)
