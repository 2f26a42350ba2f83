/*
 * The data path's source side, its setup (datapath.h): the key, the
 * request's fields, the streams connected and proven; datapath_src.c
 * sends on them.
 */
#include "datapath_priv.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "error.h"
#include "testhooks.h"
#include "wire.h"

int xlmig_dp_source_setup(xlmig_datapath *dp, xlmig_dp_kind kind,
                          unsigned n)
{
    int rc;

    xlmig_dp_dispose(dp);
    dp->kind = kind;
    if (kind == XLMIG_DP_SSH)
        return 0;
    if (n < 1 || n > XLMIG_DP_MAX_STREAMS) {
        xlmig_err(XLMIG_E_INVAL, "--streams %u: not between 1 and %d", n,
                  XLMIG_DP_MAX_STREAMS);
        return XLMIG_E_INVAL;
    }
    dp->n = n;
    rc = xlmig_data_key_new(dp->key);
    if (!rc)
        dp->has_key = true;
    return rc;
}

int xlmig_dp_to_msg(const xlmig_datapath *dp, xlmig_msg *m)
{
    char hex[XLMIG_DATA_KEY_HEX + 1];
    int rc;

    if (dp->kind == XLMIG_DP_SSH)
        return 0;
    xlmig_data_key_hex(dp->key, hex);
    rc = xlmig_msg_set(&m->transport, xlmig_dp_kind_str(dp->kind));
    if (!rc)
        rc = xlmig_msg_set(&m->data_key, hex);
    OPENSSL_cleanse(hex, sizeof(hex));
    m->streams = dp->n;
    return rc;
}

/* Wait on one stream being set up, until the absolute limit. */
static int setup_wait(xlmig_chan *ch, xlmig_datapath *dp, int fd,
                      short ev, const char *name, uint64_t until)
{
    struct pollfd p = { .fd = fd, .events = ev };
    uint64_t waited = 0;
    int rc = xlmig_dp_poll(ch, dp, &p, 1, name, &waited, until, true);

    return rc == 1 ? xlmig_dp_source_ctl(ch, false) : rc;
}

static int tcp_connect(xlmig_chan *ch, xlmig_datapath *dp,
                       const sockaddr_any *a, socklen_t alen,
                       const char *name, uint64_t until, int *out)
{
    socklen_t elen = sizeof(int);
    int fd, r, err = 0, rc;

    fd = socket(a->sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                0);
    if (fd < 0) {
        xlmig_err(XLMIG_E_IO, "%s: socket: %s", name, strerror(errno));
        return XLMIG_E_IO;
    }
    xlmig_dp_tune(fd);
    r = connect(fd, &a->sa, alen);
    if (r < 0 && errno != EINPROGRESS) {
        xlmig_err(XLMIG_E_IO, "%s: connect: %s", name, strerror(errno));
        close(fd);
        return XLMIG_E_IO;
    }
    if (r < 0) {
        rc = setup_wait(ch, dp, fd, POLLOUT, name, until);
        if (!rc && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen))
            err = errno;
        if (!rc && err) {
            xlmig_err(XLMIG_E_IO, "%s: connect: %s", name, strerror(err));
            rc = XLMIG_E_IO;
        }
        if (rc) {
            close(fd);
            return rc;
        }
    }
    *out = fd;
    return 0;
}

/* Blocking-style I/O of exactly len bytes during setup. */
static int setup_io(xlmig_chan *ch, xlmig_datapath *dp, int fd, bool wr,
                    void *buf, size_t len, const char *name, uint64_t until)
{
    size_t done = 0;
    ssize_t r;
    int rc;

    while (done < len) {
        r = wr ? send(fd, (char *)buf + done, len - done, MSG_NOSIGNAL)
               : recv(fd, (char *)buf + done, len - done, 0);
        if (r > 0) {
            done += (size_t)r;
            continue;
        }
        if (r == 0) {
            xlmig_err(XLMIG_E_IO, "%s: closed by the peer during the key"
                      " check", name);
            return XLMIG_E_IO;
        }
        if (errno != EAGAIN && errno != EINTR) {
            xlmig_err(XLMIG_E_IO, "%s: %s", name, strerror(errno));
            return XLMIG_E_IO;
        }
        rc = setup_wait(ch, dp, fd, wr ? POLLOUT : POLLIN, name, until);
        if (rc)
            return rc;
    }
    return 0;
}

/* The key proven: TLS 1.3 with it as PSK, or the HMAC answer. */
static int client_auth(xlmig_chan *ch, xlmig_datapath *dp, xlmig_tls *tls,
                       const uint8_t key[XLMIG_DATA_KEY_LEN],
                       xlmig_dp_stream *s, uint64_t until)
{
    uint8_t nonce[XLMIG_AUTH_NONCE_LEN], proof[XLMIG_AUTH_PROOF_LEN];
    char why[256];
    short ev = 0;
    int rc;

    if (dp->kind == XLMIG_DP_TCP) {
        rc = setup_io(ch, dp, s->fd, false, nonce, sizeof(nonce), s->name,
                      until);
        if (!rc)
            rc = xlmig_auth_proof(key, nonce, proof);
        if (!rc)
            rc = setup_io(ch, dp, s->fd, true, proof, sizeof(proof),
                          s->name, until);
        /* Its verdict: one byte, or a hang-up if the key was wrong. */
        if (!rc && setup_io(ch, dp, s->fd, false, nonce, 1, s->name,
                            until) == XLMIG_E_IO) {
            xlmig_err_replace(XLMIG_E_IO, "%s: the destination refused"
                              " the key", s->name);
            rc = XLMIG_E_IO;
        }
        return rc;
    }
    s->ssl = xlmig_tls_new(tls, s->fd);
    if (!s->ssl)
        return XLMIG_E_IO;
    while ((rc = xlmig_tls_handshake(s->ssl, &ev, why, sizeof(why))) == 1) {
        rc = setup_wait(ch, dp, s->fd, ev, s->name, until);
        if (rc)
            return rc;
    }
    if (rc) {
        xlmig_err(XLMIG_E_IO, "%s: TLS handshake failed: %s", s->name, why);
        return XLMIG_E_IO;
    }
    if (!SSL_session_reused(s->ssl)) {
        xlmig_err(XLMIG_E_IO, "%s: TLS handshake without the one-time key",
                  s->name);
        return XLMIG_E_IO;
    }
    return 0;
}

static int open_stream(xlmig_chan *ch, xlmig_datapath *dp, xlmig_tls *tls,
                       const uint8_t key[XLMIG_DATA_KEY_LEN],
                       xlmig_dp_stream *s, const sockaddr_any *a,
                       socklen_t alen)
{
    uint64_t until = xlmig_now_ns() + 2ULL * XLMIG_DP_HANDSHAKE_MS *
                     1000000ULL;
    int rc = tcp_connect(ch, dp, a, alen, s->name, until, &s->fd);

    if (!rc)
        rc = client_auth(ch, dp, tls, key, s, until);
    return rc;
}

/*
 * Test builds: XLMIG_TEST_DATAPATH=stranger connects once with a key
 * of its own before the real streams (the destination must refuse it
 * and go on), =strangers one more time than the listener takes (it
 * must give up), =wrong-key makes every stream prove a key one bit off.
 */
static int test_stranger(xlmig_chan *ch, xlmig_datapath *dp,
                         const sockaddr_any *a, socklen_t alen)
{
    uint8_t key[XLMIG_DATA_KEY_LEN];
    xlmig_dp_stream s;
    xlmig_tls tls;
    int rc;

    xlmig_dp_stream_init(&s);
    xlmig_tls_init(&tls);
    snprintf(s.name, sizeof(s.name), "test stranger");
    rc = xlmig_data_key_new(key);
    if (!rc && dp->kind == XLMIG_DP_TLS)
        rc = xlmig_tls_setup(&tls, false, key);
    if (!rc)
        rc = open_stream(ch, dp, &tls, key, &s, a, alen);
    if (!rc) {
        xlmig_err(XLMIG_E_IO, "test stranger: the destination took a"
                  " connection with a wrong key");
        rc = XLMIG_E_IO;
    } else if (rc == XLMIG_E_IO) {
        XLMIG_INFO("test stranger refused: %s", xlmig_errmsg());
        xlmig_err_clear();
        rc = 0;
    }
    xlmig_dp_stream_close(&s);
    xlmig_tls_dispose(&tls);
    OPENSSL_cleanse(key, sizeof(key));
    return rc;
}

int xlmig_dp_connect(xlmig_datapath *dp, xlmig_chan *ch,
                     const xlmig_msg *listen)
{
    const char *hook = xlmig_test_env("XLMIG_TEST_DATAPATH");
    uint8_t key[XLMIG_DATA_KEY_LEN];
    char where[64];
    sockaddr_any a;
    socklen_t alen;
    unsigned i;
    int rc;

    if (!listen->port || listen->port > 65535 ||
        xlmig_dp_parse_addr(listen->data_addr, (unsigned)listen->port, &a,
                            &alen) ||
        xlmig_dp_wildcard(&a)) {
        xlmig_err(XLMIG_E_PROTO, "destination's data-listen: \"%.64s\""
                  " port %llu is not an address and port to connect to",
                  listen->data_addr ? listen->data_addr : "",
                  (unsigned long long)listen->port);
        return XLMIG_E_PROTO;
    }
    xlmig_dp_addr_str(&a, where, sizeof(where));
    memcpy(key, dp->key, sizeof(key));
    if (hook && !strcmp(hook, "wrong-key"))
        key[0] ^= 1;
    rc = 0;
    if (dp->kind == XLMIG_DP_TLS)
        rc = xlmig_tls_setup(&dp->tls, false, key);
    /* strangers: one more than the listener takes before it gives up */
    for (i = 0; !rc && hook && (!strcmp(hook, "stranger") ? i < 1 :
         !strcmp(hook, "strangers") ? i <= XLMIG_DP_MAX_FAILED : 0); i++)
        rc = test_stranger(ch, dp, &a, alen);
    for (i = 0; !rc && i < dp->n; i++) {
        snprintf(dp->s[i].name, sizeof(dp->s[i].name), "data stream %u to"
                 " %s", i + 1, where);
        rc = open_stream(ch, dp, &dp->tls, key, &dp->s[i], &a, alen);
    }
    OPENSSL_cleanse(key, sizeof(key));
    if (rc)
        return xlmig_dp_send_failed(ch, rc);
    dp->open = dp->n;
    dp->ktls = dp->kind == XLMIG_DP_TLS;
    for (i = 0; i < dp->n && dp->ktls; i++)
        dp->ktls = xlmig_tls_ktls_send(dp->s[i].ssl);
    for (i = 0; i < dp->n && dp->kind == XLMIG_DP_TLS; i++) {
        if (xlmig_tls_ktls_send(dp->s[i].ssl))
            continue;
        rc = xlmig_tls_gather(dp->s[i].ssl);
        if (rc)
            return rc;
        dp->s[i].gather = true;
    }
    snprintf(dp->addr, sizeof(dp->addr), "%s", where);
    dp->port = (unsigned)listen->port;
    dp->dest = false;
    dp->active = true;
    ch->dp = dp;
    return 0;
}
