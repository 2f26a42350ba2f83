/*
 * The data path's pieces: the one-time key, the plain streams' HMAC
 * proof, the TLS 1.3 PSK handshake, the request's checks, and whole
 * simulated migrations over TLS and TCP streams on loopback.
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <openssl/ssl.h>

#include "unit.h"

#include "datapath.h"
#include "error.h"
#include "sim_pair.h"
#include "tls.h"

static void test_key_hex(void)
{
    uint8_t k[XLMIG_DATA_KEY_LEN], back[XLMIG_DATA_KEY_LEN];
    uint8_t k2[XLMIG_DATA_KEY_LEN];
    char hex[XLMIG_DATA_KEY_HEX + 1];

    CU_ASSERT_EQUAL_FATAL(xlmig_data_key_new(k), 0);
    CU_ASSERT_EQUAL_FATAL(xlmig_data_key_new(k2), 0);
    CU_ASSERT(memcmp(k, k2, sizeof(k)) != 0);       /* fresh each time */
    xlmig_data_key_hex(k, hex);
    xlmig_err_clear();
    CU_ASSERT_EQUAL(strlen(hex), XLMIG_DATA_KEY_HEX);
    CU_ASSERT_EQUAL_FATAL(xlmig_data_key_parse(hex, back), 0);
    CU_ASSERT(memcmp(k, back, sizeof(k)) == 0);
    hex[10] = 'g';
    CU_ASSERT_EQUAL(xlmig_data_key_parse(hex, back), XLMIG_E_PROTO);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "data_key"));
    xlmig_err_clear();
    hex[10] = 0;
    CU_ASSERT_EQUAL(xlmig_data_key_parse(hex, back), XLMIG_E_PROTO);
    CU_ASSERT_EQUAL(xlmig_data_key_parse(NULL, back), XLMIG_E_PROTO);
    xlmig_err_clear();
}

static void test_auth_proof(void)
{
    uint8_t k[XLMIG_DATA_KEY_LEN], other[XLMIG_DATA_KEY_LEN];
    uint8_t n[XLMIG_AUTH_NONCE_LEN], n2[XLMIG_AUTH_NONCE_LEN];
    uint8_t p[XLMIG_AUTH_PROOF_LEN];

    CU_ASSERT_EQUAL_FATAL(xlmig_data_key_new(k), 0);
    memcpy(other, k, sizeof(k));
    other[31] ^= 0x80;
    CU_ASSERT_EQUAL_FATAL(xlmig_auth_nonce(n), 0);
    memcpy(n2, n, sizeof(n));
    n2[0] ^= 1;
    CU_ASSERT_EQUAL_FATAL(xlmig_auth_proof(k, n, p), 0);
    CU_ASSERT(xlmig_auth_check(k, n, p));
    CU_ASSERT(!xlmig_auth_check(other, n, p));      /* another key */
    CU_ASSERT(!xlmig_auth_check(k, n2, p));         /* replayed nonce */
    p[5] ^= 4;
    CU_ASSERT(!xlmig_auth_check(k, n, p));          /* a forged proof */
}

/* Both ends of a non-blocking TLS handshake, stepped in turn. */
static void handshake_pair(const uint8_t *ck, const uint8_t *sk, int *crc,
                           int *src)
{
    xlmig_tls c, s;
    SSL *cs, *ss;
    char why[256];
    short ev;
    int sv[2], i;

    xlmig_tls_init(&c);
    xlmig_tls_init(&s);
    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
                               sv) == 0);
    CU_ASSERT_EQUAL_FATAL(xlmig_tls_setup(&c, false, ck), 0);
    CU_ASSERT_EQUAL_FATAL(xlmig_tls_setup(&s, true, sk), 0);
    cs = xlmig_tls_new(&c, sv[0]);
    ss = xlmig_tls_new(&s, sv[1]);
    CU_ASSERT_FATAL(cs && ss);
    *crc = *src = 1;
    for (i = 0; i < 50 && (*crc == 1 || *src == 1); i++) {
        if (*crc == 1)
            *crc = xlmig_tls_handshake(cs, &ev, why, sizeof(why));
        if (*src == 1)
            *src = xlmig_tls_handshake(ss, &ev, why, sizeof(why));
    }
    if (*crc == 0 && !SSL_session_reused(cs))
        *crc = -100;
    if (*src == 0 && !SSL_session_reused(ss))
        *src = -100;
    SSL_free(cs);
    SSL_free(ss);
    close(sv[0]);
    close(sv[1]);
    xlmig_tls_dispose(&c);
    xlmig_tls_dispose(&s);
}

static void test_tls_psk(void)
{
    uint8_t k[XLMIG_DATA_KEY_LEN], other[XLMIG_DATA_KEY_LEN];
    int crc, src;

    CU_ASSERT_EQUAL_FATAL(xlmig_data_key_new(k), 0);
    memcpy(other, k, sizeof(k));
    other[0] ^= 1;
    handshake_pair(k, k, &crc, &src);
    CU_ASSERT_EQUAL(crc, 0);            /* done, with the PSK */
    CU_ASSERT_EQUAL(src, 0);
    handshake_pair(other, k, &crc, &src);
    CU_ASSERT_EQUAL(crc, XLMIG_E_IO);   /* one bit off: no handshake */
    CU_ASSERT_EQUAL(src, XLMIG_E_IO);
}

static void test_request_checks(void)
{
    char hex[XLMIG_DATA_KEY_HEX + 1];
    uint8_t k[XLMIG_DATA_KEY_LEN];
    xlmig_datapath dp;
    xlmig_msg m;

    xlmig_err_clear();
    xlmig_dp_init(&dp);
    xlmig_msg_init(&m, XLMIG_MSG_MIGRATE);
    /* No transport: an older source, the one ssh stream. */
    CU_ASSERT_EQUAL(xlmig_dp_from_msg(&dp, &m), 0);
    CU_ASSERT_EQUAL(dp.kind, XLMIG_DP_SSH);
    CU_ASSERT_EQUAL_FATAL(xlmig_data_key_new(k), 0);
    xlmig_data_key_hex(k, hex);
    xlmig_msg_set(&m.transport, "udp");
    m.streams = 2;
    xlmig_msg_set(&m.data_key, hex);
    CU_ASSERT_EQUAL(xlmig_dp_from_msg(&dp, &m), XLMIG_E_PROTO);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "\"udp\""));
    xlmig_err_clear();
    xlmig_msg_set(&m.transport, "tls");
    m.streams = 17;
    CU_ASSERT_EQUAL(xlmig_dp_from_msg(&dp, &m), XLMIG_E_PROTO);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "17 data streams"));
    xlmig_err_clear();
    m.streams = 0;
    CU_ASSERT_EQUAL(xlmig_dp_from_msg(&dp, &m), XLMIG_E_PROTO);
    xlmig_err_clear();
    m.streams = 3;
    xlmig_msg_set(&m.data_key, "00ff");
    CU_ASSERT_EQUAL(xlmig_dp_from_msg(&dp, &m), XLMIG_E_PROTO);
    xlmig_err_clear();
    xlmig_msg_set(&m.data_key, hex);
    CU_ASSERT_EQUAL(xlmig_dp_from_msg(&dp, &m), 0);
    CU_ASSERT_EQUAL(dp.kind, XLMIG_DP_TLS);
    CU_ASSERT_EQUAL(dp.n, 3);
    CU_ASSERT(memcmp(dp.key, k, sizeof(k)) == 0);
    /* A listener never on a wildcard, nor on something not an address. */
    CU_ASSERT_EQUAL(xlmig_dp_listen(&dp, "0.0.0.0"), XLMIG_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "\"0.0.0.0\""));
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_dp_listen(&dp, "::"), XLMIG_E_INVAL);
    CU_ASSERT_EQUAL(xlmig_dp_listen(&dp, "localhost"), XLMIG_E_INVAL);
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_dp_listen(&dp, "127.0.0.1"), 0);
    CU_ASSERT(dp.port > 0 && dp.listen_fd >= 0);
    xlmig_dp_dispose(&dp);
    CU_ASSERT_EQUAL(dp.listen_fd, -1);
    xlmig_msg_dispose(&m);
}

static void test_messages(void)
{
    xlmig_msg m, d;
    char *text = NULL;
    size_t len = 0;

    xlmig_msg_init(&m, XLMIG_MSG_DATA_LISTEN);
    xlmig_msg_init(&d, XLMIG_MSG_NONE);
    xlmig_msg_set(&m.data_addr, "10.0.0.2");
    m.port = 41234;
    CU_ASSERT_EQUAL_FATAL(xlmig_msg_encode(&m, &text, &len), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"data-listen\""));
    CU_ASSERT_EQUAL_FATAL(xlmig_msg_decode(text, len, &d), 0);
    CU_ASSERT_EQUAL(d.type, XLMIG_MSG_DATA_LISTEN);
    CU_ASSERT_STRING_EQUAL(d.data_addr, "10.0.0.2");
    CU_ASSERT_EQUAL(d.port, 41234);
    free(text);
    xlmig_msg_dispose(&m);
    xlmig_msg_init(&m, XLMIG_MSG_MIGRATE);
    xlmig_msg_set(&m.transport, "tcp");
    m.streams = 4;
    CU_ASSERT_EQUAL_FATAL(xlmig_msg_encode(&m, &text, &len), 0);
    CU_ASSERT_EQUAL_FATAL(xlmig_msg_decode(text, len, &d), 0);
    CU_ASSERT_STRING_EQUAL(d.transport, "tcp");
    CU_ASSERT_EQUAL(d.streams, 4);
    free(text);
    /* A transport that is no word is refused as it arrives. */
    CU_ASSERT_EQUAL(xlmig_msg_decode("{\"type\":\"migrate\",\"proto\":1,"
                                     "\"transport\":\"t ls\"}", 48, &d),
                    XLMIG_E_PROTO);
    xlmig_err_clear();
    xlmig_msg_dispose(&m);
    xlmig_msg_dispose(&d);
}

static void test_default_streams(void)
{
    unsigned n = xlmig_dp_default_streams(0);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);

    CU_ASSERT(n >= 1 && n <= 4);
    CU_ASSERT_EQUAL(n, cores > 4 ? 4 : cores < 1 ? 1 : (unsigned)cores);
    /* Under 128 MiB/s one stream is enough. */
    CU_ASSERT_EQUAL(xlmig_dp_default_streams(100.0 * XLMIG_MIB), 1);
    CU_ASSERT(xlmig_dp_default_streams(300.0 * XLMIG_MIB) <= 3);
}

static void migrate_over(xlmig_dp_kind kind, unsigned n)
{
    sim_pair p;

    sim_pair_init(&p);
    p.o.transport = kind;
    p.o.streams = n;
    p.o.data_addr = "127.0.0.1";
    p.o.compress = XLMIG_COMPRESS_OFF;  /* count the memory's bytes */
    CU_ASSERT_EQUAL(sim_pair_run(&p), 0);
    CU_ASSERT_EQUAL(p.drc, 0);
    CU_ASSERT_EQUAL(p.rep.outcome, XLMIG_OUT_MIGRATED);
    CU_ASSERT_STRING_EQUAL(p.rep.transport, xlmig_dp_kind_str(kind));
    CU_ASSERT_EQUAL(p.rep.streams, n);
    CU_ASSERT(p.drep.verified);
    /* Everything went over the data streams, counted once. */
    CU_ASSERT(p.rep.bytes_sent >= 2 * XLMIG_MIB);
    CU_ASSERT(p.drep.bytes_sent >= 2 * XLMIG_MIB);
    sim_pair_dispose(&p);
}

static void test_migrate_tls(void)
{
    migrate_over(XLMIG_DP_TLS, 3);
}

static void test_migrate_tcp(void)
{
    migrate_over(XLMIG_DP_TCP, 2);
}

/* A destination that cannot listen there: rolled back, one reason. */
static void test_migrate_no_listener(void)
{
    sim_pair p;

    sim_pair_init(&p);
    p.o.transport = XLMIG_DP_TLS;
    p.o.streams = 2;
    p.dopts.data_addr = "0.0.0.0";
    CU_ASSERT_NOT_EQUAL(sim_pair_run(&p), 0);
    CU_ASSERT_NOT_EQUAL(p.drc, 0);
    CU_ASSERT_EQUAL(p.rep.outcome, XLMIG_OUT_FAILED);
    CU_ASSERT(p.rep.guest_on_source);
    CU_ASSERT_PTR_NOT_NULL(strstr(p.rep.message, "\"0.0.0.0\" is not an"
                                  " address of this host"));
    sim_pair_dispose(&p);
}


/* A local-disk sync's keepalives, on ssh while the streams are open. */
static unsigned nkeepalive;

static int sync_pings(void *arg, struct xlmig_progress *pr,
                      volatile int *cancel, int (*keepalive)(void *ka),
                      void *ka)
{
    unsigned i;
    int rc = 0;

    (void)arg;
    (void)pr;
    (void)cancel;
    for (i = 0; i < nkeepalive && !rc; i++)
        rc = keepalive(ka);
    return rc;
}

/*
 * The destination waits for the memory on the data streams while the
 * source's pings come on ssh: they keep it waiting, and none of them
 * may stand where ready's answer, go, is due afterwards.
 */
static void keepalive_over(bool two_step)
{
    xlmig_hooks sh;
    sim_pair p;

    memset(&sh, 0, sizeof(sh));
    sh.src_sync = sync_pings;
    nkeepalive = 3;
    sim_pair_init(&p);
    p.o.transport = XLMIG_DP_TLS;
    p.o.streams = 2;
    p.o.data_addr = "127.0.0.1";
    p.o.two_step = two_step;
    p.o.hooks = &sh;
    CU_ASSERT_EQUAL(sim_pair_run(&p), 0);
    CU_ASSERT_EQUAL(p.drc, 0);
    CU_ASSERT_EQUAL(p.rep.outcome, XLMIG_OUT_MIGRATED);
    if (p.rep.outcome != XLMIG_OUT_MIGRATED)
        fprintf(stderr, "\n  %s\n", p.rep.message);
    CU_ASSERT_EQUAL(p.drep.outcome, XLMIG_OUT_MIGRATED);
    sim_pair_dispose(&p);
}

static void test_keepalive_one_flight(void)
{
    keepalive_over(false);
}

static void test_keepalive_two_step(void)
{
    keepalive_over(true);
}

static CU_TestInfo tests[] = {
    { "one-time key in hex", test_key_hex },
    { "plain streams' HMAC proof", test_auth_proof },
    { "TLS 1.3 PSK handshake", test_tls_psk },
    { "the request's data path checked", test_request_checks },
    { "data-listen and migrate fields", test_messages },
    { "default stream count", test_default_streams },
    { "migration over 3 TLS streams", test_migrate_tls },
    { "migration over 2 TCP streams", test_migrate_tcp },
    { "no listener: rolled back", test_migrate_no_listener },
    { "sync keepalives on ssh, then go: one flight",
      test_keepalive_one_flight },
    { "sync keepalives on ssh, then go: two steps",
      test_keepalive_two_step },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("datapath", NULL, NULL, tests);
