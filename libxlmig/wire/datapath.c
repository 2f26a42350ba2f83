/* The data path: see datapath.h. */
#include "datapath.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "chan.h"
#include "error.h"
#include "testhooks.h"
#include "wire.h"

#define SLICE_MS 100
#define STAGE_LEN (256u * 1024u)     /* plaintext a SSL_write */
#define WRITE_CHUNK (256u * 1024u)   /* plain: bytes a writev */
#define PEER_WORD_MS 1000            /* after a stream failed */
#define PENDING_MAX 8                /* handshakes at a time */
#define REORDER_RECS 4u              /* records ahead, a stream */
#define REORDER_REC_BYTES (4u * 1024u * 1024u + 256u * 1024u)
#define DEFAULT_WAIT_NS (60ULL * 1000000000ULL)

typedef union {
    struct sockaddr sa;
    struct sockaddr_in in;
    struct sockaddr_in6 in6;
    struct sockaddr_storage ss;
} sockaddr_any;

static const char *const kind_names[] = { "ssh", "tls", "tcp" };

const char *xlmig_dp_kind_str(xlmig_dp_kind k)
{
    return (unsigned)k < 3 ? kind_names[k] : "?";
}

int xlmig_dp_kind_parse(const char *what, const char *s, xlmig_dp_kind *k)
{
    unsigned i;

    for (i = 0; s && i < 3; i++) {
        if (!strcmp(s, kind_names[i])) {
            *k = (xlmig_dp_kind)i;
            return 0;
        }
    }
    xlmig_err(XLMIG_E_INVAL, "%s: \"%s\" is not ssh, tls or tcp", what,
              s ? s : "");
    return XLMIG_E_INVAL;
}

unsigned xlmig_dp_default_streams(double bandwidth_Bps)
{
    const double per_stream = 128.0 * 1024 * 1024;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned n = cores < 1 ? 1 : cores > 4 ? 4 : (unsigned)cores;

    if (bandwidth_Bps > 0 && bandwidth_Bps / per_stream < n - 1)
        n = (unsigned)(bandwidth_Bps / per_stream) + 1;
    return n;
}

static void stream_init(xlmig_dp_stream *s)
{
    memset(s, 0, sizeof(*s));
    s->fd = -1;
}

static void stream_close(xlmig_dp_stream *s)
{
    if (s->ssl)
        SSL_free(s->ssl);
    if (s->fd >= 0)
        close(s->fd);
    free(s->buf);
    stream_init(s);
}

void xlmig_dp_init(xlmig_datapath *dp)
{
    unsigned i;

    memset(dp, 0, sizeof(*dp));
    dp->listen_fd = -1;
    for (i = 0; i < XLMIG_DP_MAX_STREAMS; i++)
        stream_init(&dp->s[i]);
    xlmig_tls_init(&dp->tls);
}

void xlmig_dp_close_listener(xlmig_datapath *dp)
{
    if (dp->listen_fd >= 0)
        close(dp->listen_fd);
    dp->listen_fd = -1;
}

void xlmig_dp_dispose(xlmig_datapath *dp)
{
    unsigned i;

    xlmig_dp_close_listener(dp);
    for (i = 0; i < XLMIG_DP_MAX_STREAMS; i++)
        stream_close(&dp->s[i]);
    xlmig_tls_dispose(&dp->tls);
    free(dp->stage);
    if (dp->ro_init)
        xlmig_reorder_dispose(&dp->ro);
    free(dp->stash);
    OPENSSL_cleanse(dp->key, sizeof(dp->key));
    xlmig_dp_init(dp);
}

/* ---- addresses ---- */

static int parse_addr(const char *addr, unsigned port, sockaddr_any *a,
                      socklen_t *len)
{
    memset(a, 0, sizeof(*a));
    if (addr && inet_pton(AF_INET, addr, &a->in.sin_addr) == 1) {
        a->in.sin_family = AF_INET;
        a->in.sin_port = htons((uint16_t)port);
        *len = sizeof(a->in);
        return 0;
    }
    if (addr && inet_pton(AF_INET6, addr, &a->in6.sin6_addr) == 1) {
        a->in6.sin6_family = AF_INET6;
        a->in6.sin6_port = htons((uint16_t)port);
        *len = sizeof(a->in6);
        return 0;
    }
    return XLMIG_E_INVAL;
}

static bool wildcard(const sockaddr_any *a)
{
    if (a->sa.sa_family == AF_INET)
        return a->in.sin_addr.s_addr == htonl(INADDR_ANY);
    return IN6_IS_ADDR_UNSPECIFIED(&a->in6.sin6_addr);
}

const char *xlmig_dp_ssh_local(char *buf, size_t len)
{
    const char *env = getenv("SSH_CONNECTION");
    char c_ip[64], s_ip[64];
    unsigned c_port, s_port;
    sockaddr_any a;
    socklen_t alen;

    if (!env || sscanf(env, "%63s %u %63s %u", c_ip, &c_port, s_ip,
                       &s_port) != 4 || parse_addr(s_ip, 0, &a, &alen) ||
        wildcard(&a) || strlen(s_ip) >= len)
        return NULL;
    snprintf(buf, len, "%s", s_ip);
    return buf;
}

const char *xlmig_dp_resolve(const char *host, char *buf, size_t len)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_ADDRCONFIG };
    struct addrinfo *res = NULL;
    const char *at = host ? strrchr(host, '@') : NULL;
    char name[256];
    size_t n;
    int r;

    if (!host)
        return NULL;
    snprintf(name, sizeof(name), "%s", at ? at + 1 : host);
    n = strlen(name);
    if (n > 2 && name[0] == '[' && name[n - 1] == ']') {
        memmove(name, name + 1, n - 2);
        name[n - 2] = 0;
    }
    r = getaddrinfo(name, NULL, &hints, &res);
    if (r || !res)
        return NULL;
    r = getnameinfo(res->ai_addr, res->ai_addrlen, buf, (socklen_t)len,
                    NULL, 0, NI_NUMERICHOST);
    freeaddrinfo(res);
    return r ? NULL : buf;
}

static void addr_str(const sockaddr_any *a, char *buf, size_t len)
{
    char ip[INET6_ADDRSTRLEN] = "?";

    if (a->sa.sa_family == AF_INET) {
        inet_ntop(AF_INET, &a->in.sin_addr, ip, sizeof(ip));
        snprintf(buf, len, "%s:%u", ip, ntohs(a->in.sin_port));
    } else {
        inet_ntop(AF_INET6, &a->in6.sin6_addr, ip, sizeof(ip));
        snprintf(buf, len, "[%s]:%u", ip, ntohs(a->in6.sin6_port));
    }
}

static void tune(int fd)
{
    int one = 1;

    /* Whole records are written: the last one must not wait for ACKs. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* ---- waiting ---- */

static int ctl_fd(const xlmig_chan *ch, const xlmig_datapath *dp)
{
    return dp->has_stash ? -1 : ch->conn->in_fd;
}

/*
 * Wait until one of p (np entries) is ready, or the control channel
 * has something: 0, 1 (control), or an error. Honours cancel (when
 * asked), the chan's deadline for sends, the I/O timeout of the
 * operation (its waits add up in *waited) and an absolute limit.
 */
static int dp_poll(xlmig_chan *ch, xlmig_datapath *dp, struct pollfd *p,
                   int np, const char *what, uint64_t *waited,
                   uint64_t until, bool cancel)
{
    struct pollfd all[XLMIG_DP_MAX_STREAMS + PENDING_MAX + 2];
    int cfd = ctl_fd(ch, dp), i, r, ms;
    uint64_t t0, now;

    for (;;) {
        if (cancel && ch->cancel && *ch->cancel) {
            xlmig_err(XLMIG_E_ABORTED, "cancelled while %s", what);
            return XLMIG_E_ABORTED;
        }
        if (!dp->dest && xlmig_chan_check_deadline(ch, "sending to"))
            return XLMIG_E_TIMEOUT;
        now = xlmig_now_ns();
        if (ch->io_timeout_ns && *waited > ch->io_timeout_ns) {
            xlmig_err(XLMIG_E_TIMEOUT, "%s: no progress within %.3g s",
                      what, (double)ch->io_timeout_ns / 1e9);
            return XLMIG_E_TIMEOUT;
        }
        if (until && now >= until) {
            xlmig_err(XLMIG_E_TIMEOUT, "%s: no answer in time", what);
            return XLMIG_E_TIMEOUT;
        }
        for (i = 0; i < np; i++)
            all[i] = p[i];
        all[np] = (struct pollfd){ .fd = cfd, .events = POLLIN };
        ms = SLICE_MS;
        if (until && xlmig_ms_until(until, now) < ms)
            ms = xlmig_ms_until(until, now);
        if (!dp->dest && ch->deadline_ns &&
            xlmig_ms_until(ch->deadline_ns, now) < ms)
            ms = xlmig_ms_until(ch->deadline_ns, now);
        r = poll(all, (nfds_t)np + 1, ms);
        t0 = now;
        now = xlmig_now_ns();
        *waited += now - t0;
        if (r < 0 && errno != EINTR) {
            xlmig_err(XLMIG_E_IO, "poll while %s: %s", what,
                      strerror(errno));
            return XLMIG_E_IO;
        }
        if (r <= 0)
            continue;
        for (i = 0; i < np; i++)
            p[i].revents = all[i].revents;
        if (cfd >= 0 && all[np].revents)
            return 1;
        for (i = 0; i < np; i++)
            if (p[i].revents)
                return 0;
    }
}

/*
 * Source: the control channel spoke while we sent. It can only be the
 * destination's error or abort (its reason is the one reported), or a
 * hang-up.
 */
static int source_ctl(xlmig_chan *ch, bool replace)
{
    xlmig_msg m;
    int rc;

    xlmig_msg_init(&m, XLMIG_MSG_NONE);
    rc = xlmig_chan_recv_ctl(ch);
    if (!rc)
        rc = xlmig_chan_decode_last(ch, &m);
    if (rc)
        goto out;
    rc = XLMIG_E_REMOTE;
    if (m.type == XLMIG_MSG_ERROR || m.type == XLMIG_MSG_ABORT) {
        if (replace)
            xlmig_err_replace(rc, "%s %s: %s", ch->peer,
                              m.type == XLMIG_MSG_ABORT ? "aborted"
                              : "failed", m.message ? m.message
                              : "no reason given");
        else
            xlmig_err(rc, "%s %s: %s", ch->peer,
                      m.type == XLMIG_MSG_ABORT ? "aborted" : "failed",
                      m.message ? m.message : "no reason given");
    } else {
        xlmig_err(XLMIG_E_PROTO, "%s sent \"%s\" during the memory stream",
                  ch->peer, xlmig_msg_type_str(m.type));
        rc = XLMIG_E_PROTO;
    }
out:
    xlmig_msg_dispose(&m);
    return rc;
}

/* A data stream failed: did the peer say why on the control channel? */
static bool peer_word_waiting(xlmig_chan *ch)
{
    struct pollfd p = { .fd = ch->conn->in_fd, .events = POLLIN };

    return p.fd >= 0 && poll(&p, 1, PEER_WORD_MS) > 0;
}

/* ---- source ---- */

static int send_failed(xlmig_chan *ch, int rc);

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
    int rc = dp_poll(ch, dp, &p, 1, name, &waited, until, true);

    return rc == 1 ? source_ctl(ch, false) : rc;
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
    tune(fd);
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

    stream_init(&s);
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
    stream_close(&s);
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
        parse_addr(listen->data_addr, (unsigned)listen->port, &a, &alen) ||
        wildcard(&a)) {
        xlmig_err(XLMIG_E_PROTO, "destination's data-listen: \"%.64s\""
                  " port %llu is not an address and port to connect to",
                  listen->data_addr ? listen->data_addr : "",
                  (unsigned long long)listen->port);
        return XLMIG_E_PROTO;
    }
    addr_str(&a, where, sizeof(where));
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
        return send_failed(ch, rc);
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

/*
 * A stream failed: the destination may have said why on the control
 * channel, or closed that too (it is gone: say so, with the stream's
 * own error).
 */
static int send_failed(xlmig_chan *ch, int rc)
{
    xlmig_err_saved e;
    int r2;

    if (rc != XLMIG_E_IO || !peer_word_waiting(ch))
        return rc;
    xlmig_err_save(&e);
    r2 = source_ctl(ch, false);
    if (r2 == XLMIG_E_REMOTE || r2 == XLMIG_E_PROTO)
        return r2;
    xlmig_err_clear();
    xlmig_err(rc, "%s closed the connection: %s", ch->peer, e.msg);
    return rc;
}

static int wait_send(xlmig_chan *ch, xlmig_datapath *dp, xlmig_dp_stream *s,
                     short ev, uint64_t *waited)
{
    struct pollfd p = { .fd = s->fd, .events = ev };
    int rc = dp_poll(ch, dp, &p, 1, s->name, waited, 0, false);

    return rc == 1 ? source_ctl(ch, false) : rc;
}

/* Exactly len bytes onto s's socket. */
static int raw_send(xlmig_chan *ch, xlmig_datapath *dp, xlmig_dp_stream *s,
                    const uint8_t *p, size_t len, uint64_t *waited)
{
    ssize_t r;
    int rc;

    while (len) {
        r = send(s->fd, p, len, MSG_NOSIGNAL);
        if (r > 0) {
            p += r;
            len -= (size_t)r;
            continue;
        }
        if (r < 0 && errno != EAGAIN && errno != EINTR) {
            xlmig_err(XLMIG_E_IO, "%s: %s", s->name, strerror(errno));
            return XLMIG_E_IO;
        }
        rc = wait_send(ch, dp, s, POLLOUT, waited);
        if (rc)
            return rc;
    }
    return 0;
}

static int tls_write_all(xlmig_chan *ch, xlmig_datapath *dp,
                         xlmig_dp_stream *s, const uint8_t *p, size_t len,
                         uint64_t *waited)
{
    const uint8_t *out;
    char why[256];
    short ev;
    int r, rc;

    for (;;) {
        errno = 0;
        r = SSL_write(s->ssl, p, (int)len);
        if (r > 0)
            break;
        if (s->gather ||
            !xlmig_tls_retry(s->ssl, r, &ev, why, sizeof(why))) {
            if (s->gather)
                snprintf(why, sizeof(why), "records not gathered");
            xlmig_err(XLMIG_E_IO, "%s: TLS write failed: %s", s->name, why);
            return XLMIG_E_IO;
        }
        rc = wait_send(ch, dp, s, ev, waited);
        if (rc)
            return rc;
    }
    if (s->gather) {
        size_t n = xlmig_tls_gathered(s->ssl, &out);

        rc = raw_send(ch, dp, s, out, n, waited);
        xlmig_tls_gathered_sent(s->ssl);
        if (rc)
            return rc;
    }
    xlmig_meter_add(&ch->meter, len);
    xlmig_chan_pace(ch, len);
    return 0;
}

static int tls_send(xlmig_chan *ch, xlmig_datapath *dp, xlmig_dp_stream *s,
                    const struct iovec *v, int n, uint64_t *waited)
{
    size_t fill = 0, off;
    int i, rc;

    if (!dp->stage && !(dp->stage = malloc(STAGE_LEN))) {
        xlmig_err(XLMIG_E_NOMEM, "no memory for the data path's buffer");
        return XLMIG_E_NOMEM;
    }
    for (i = 0; i < n; i++) {
        for (off = 0; off < v[i].iov_len;) {
            size_t k = v[i].iov_len - off;

            if (k > STAGE_LEN - fill)
                k = STAGE_LEN - fill;
            memcpy(dp->stage + fill, (const char *)v[i].iov_base + off, k);
            fill += k;
            off += k;
            if (fill < STAGE_LEN)
                continue;
            rc = tls_write_all(ch, dp, s, dp->stage, fill, waited);
            if (rc)
                return rc;
            fill = 0;
        }
    }
    return fill ? tls_write_all(ch, dp, s, dp->stage, fill, waited) : 0;
}

static int tcp_send(xlmig_chan *ch, xlmig_datapath *dp, xlmig_dp_stream *s,
                    struct iovec *v, int n, uint64_t *waited)
{
    struct msghdr mh;
    ssize_t r;
    int rc;

    while (n > 0) {
        memset(&mh, 0, sizeof(mh));
        mh.msg_iov = v;
        mh.msg_iovlen = (size_t)n;
        r = sendmsg(s->fd, &mh, MSG_NOSIGNAL);
        if (r < 0) {
            if (errno != EAGAIN && errno != EINTR) {
                xlmig_err(XLMIG_E_IO, "%s: %s", s->name, strerror(errno));
                return XLMIG_E_IO;
            }
            rc = wait_send(ch, dp, s, POLLOUT, waited);
            if (rc)
                return rc;
            continue;
        }
        xlmig_meter_add(&ch->meter, (uint64_t)r);
        xlmig_chan_pace(ch, (size_t)r);
        while (n > 0 && (size_t)r >= v[0].iov_len) {
            r -= (ssize_t)v[0].iov_len;
            v++;
            n--;
        }
        if (n > 0) {
            v[0].iov_base = (char *)v[0].iov_base + r;
            v[0].iov_len -= (size_t)r;
        }
    }
    return 0;
}

int xlmig_dp_send(xlmig_datapath *dp, xlmig_chan *ch, uint32_t type,
                  const struct iovec *iov, int n)
{
    static const uint8_t zeros[8];
    uint8_t hdr[XLMIG_STRIPE_HDR_LEN];
    volatile int *cancel = ch->cancel;
    uint64_t waited = 0;
    xlmig_dp_stream *s;
    struct iovec *v;
    size_t len = 0;
    int i, k = 0, rc;

    if (cancel && *cancel) {
        xlmig_err(XLMIG_E_ABORTED, "cancelled while sending to %s",
                  ch->peer);
        return XLMIG_E_ABORTED;
    }
    for (i = 0; i < n; i++)
        len += iov[i].iov_len;
    if (len > UINT32_MAX)
        return XLMIG_E_INVAL;
    v = malloc(((size_t)n + 2) * sizeof(*v));
    if (!v) {
        xlmig_err(XLMIG_E_NOMEM, "no memory for a record's %d pieces", n);
        return XLMIG_E_NOMEM;
    }
    /*
     * Record seq on stream seq % n: the records after the next one in
     * order are then at most n - 1 ahead at the destination, well
     * within its reorder lead (4 n), whatever the streams' speeds.
     */
    s = &dp->s[dp->seq % dp->n];
    xlmig_stripe_hdr_put(hdr, dp->seq, type, (uint32_t)len);
    v[k++] = (struct iovec){ hdr, sizeof(hdr) };
    for (i = 0; i < n; i++)
        if (iov[i].iov_len)
            v[k++] = iov[i];
    if (xlmig_rec_padded(len) != len)
        v[k++] = (struct iovec){ (void *)zeros, xlmig_rec_padded(len) - len };
    /* Once started, a record is finished (as chan_writev does). */
    ch->cancel = NULL;
    if (dp->kind == XLMIG_DP_TLS)
        rc = tls_send(ch, dp, s, v, k, &waited);
    else
        rc = tcp_send(ch, dp, s, v, k, &waited);
    ch->cancel = cancel;
    free(v);
    if (rc)
        return send_failed(ch, rc);
    dp->seq++;
    return 0;
}

void xlmig_dp_end(xlmig_datapath *dp)
{
    const uint8_t *p;
    unsigned i;
    size_t n;

    dp->active = false;
    for (i = 0; i < dp->open; i++) {
        xlmig_dp_stream *s = &dp->s[i];

        /* close_notify, no wait: one try into an emptied socket. */
        if (s->ssl)
            SSL_shutdown(s->ssl);
        if (s->gather && (n = xlmig_tls_gathered(s->ssl, &p)) > 0) {
            if (send(s->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
                XLMIG_DBG("%s: close_notify not sent: %s", s->name,
                          strerror(errno));
            xlmig_tls_gathered_sent(s->ssl);
        }
        if (s->fd >= 0)
            shutdown(s->fd, SHUT_WR);
    }
}

/* ---- destination: setting up ---- */

int xlmig_dp_from_msg(xlmig_datapath *dp, const xlmig_msg *req)
{
    unsigned recs;
    int rc;

    xlmig_dp_dispose(dp);
    if (!req->transport || !strcmp(req->transport, "ssh"))
        return 0;
    if (xlmig_dp_kind_parse("migrate request: transport", req->transport,
                            &dp->kind)) {
        xlmig_err_replace(XLMIG_E_PROTO, "%s", xlmig_errmsg());
        return XLMIG_E_PROTO;
    }
    if (req->streams < 1 || req->streams > XLMIG_DP_MAX_STREAMS) {
        xlmig_err(XLMIG_E_PROTO, "migrate request: %llu data streams (1 to"
                  " %d allowed)", (unsigned long long)req->streams,
                  XLMIG_DP_MAX_STREAMS);
        return XLMIG_E_PROTO;
    }
    dp->n = (unsigned)req->streams;
    rc = xlmig_data_key_parse(req->data_key, dp->key);
    if (rc)
        return rc;
    dp->has_key = true;
    recs = REORDER_RECS * dp->n;
    rc = xlmig_reorder_init(&dp->ro, recs < 8 ? 8 : recs,
                            (size_t)(recs < 8 ? 8 : recs) *
                            REORDER_REC_BYTES);
    dp->ro_init = !rc;
    return rc;
}

int xlmig_dp_listen(xlmig_datapath *dp, const char *addr)
{
    sockaddr_any a;
    socklen_t alen;
    int rc;

    if (parse_addr(addr, 0, &a, &alen) || wildcard(&a)) {
        xlmig_err(XLMIG_E_INVAL, "data path: \"%.64s\" is not an address"
                  " of this host to listen on", addr ? addr : "");
        return XLMIG_E_INVAL;
    }
    if (dp->kind == XLMIG_DP_TLS) {
        rc = xlmig_tls_setup(&dp->tls, true, dp->key);
        if (rc)
            return rc;
    }
    dp->listen_fd = socket(a.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK |
                           SOCK_CLOEXEC, 0);
    if (dp->listen_fd < 0 || bind(dp->listen_fd, &a.sa, alen) ||
        listen(dp->listen_fd, (int)dp->n + PENDING_MAX)) {
        xlmig_err(XLMIG_E_IO, "data path: cannot listen on %s: %s", addr,
                  strerror(errno));
        xlmig_dp_close_listener(dp);
        return XLMIG_E_IO;
    }
    alen = sizeof(a);
    if (getsockname(dp->listen_fd, &a.sa, &alen)) {
        xlmig_err(XLMIG_E_IO, "data path: listener on %s: %s", addr,
                  strerror(errno));
        xlmig_dp_close_listener(dp);
        return XLMIG_E_IO;
    }
    dp->port = a.sa.sa_family == AF_INET ? ntohs(a.in.sin_port)
                                         : ntohs(a.in6.sin6_port);
    snprintf(dp->addr, sizeof(dp->addr), "%s", addr);
    dp->dest = true;
    return 0;
}

int xlmig_dp_listen_msg(const xlmig_datapath *dp, xlmig_msg *m)
{
    xlmig_msg_init(m, XLMIG_MSG_DATA_LISTEN);
    m->port = dp->port;
    return xlmig_msg_set(&m->data_addr, dp->addr);
}

typedef struct {
    int fd;
    SSL *ssl;
    uint64_t t0;
    char peer[64];
    uint8_t nonce[XLMIG_AUTH_NONCE_LEN];
    uint8_t proof[XLMIG_AUTH_PROOF_LEN];
    size_t done;             /* nonce bytes sent, then proof bytes read */
    bool sent;               /* the nonce is out */
    short ev;
} pending;

static void pending_close(pending *p)
{
    if (p->ssl)
        SSL_free(p->ssl);
    if (p->fd >= 0)
        close(p->fd);
    memset(p, 0, sizeof(*p));
    p->fd = -1;
}

/* One step of a connection's proof: 0 proven, 1 not yet, or < 0. */
static int pending_step(xlmig_datapath *dp, pending *p, char *why,
                        size_t why_len)
{
    ssize_t r;
    int rc;

    if (dp->kind == XLMIG_DP_TLS) {
        char ossl[200];

        rc = xlmig_tls_handshake(p->ssl, &p->ev, ossl, sizeof(ossl));
        if (rc == 0 && !SSL_session_reused(p->ssl)) {
            snprintf(why, why_len, "no pre-shared key");
            return XLMIG_E_IO;
        }
        if (rc < 0)
            snprintf(why, why_len, "TLS handshake failed: %.199s", ossl);
        return rc;
    }
    while (!p->sent) {
        r = send(p->fd, p->nonce + p->done, sizeof(p->nonce) - p->done,
                 MSG_NOSIGNAL);
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
            p->ev = POLLOUT;
            return 1;
        }
        if (r <= 0) {
            snprintf(why, why_len, "%s", r < 0 ? strerror(errno) : "closed");
            return XLMIG_E_IO;
        }
        p->done += (size_t)r;
        if (p->done == sizeof(p->nonce)) {
            p->sent = true;
            p->done = 0;
        }
    }
    while (p->done < sizeof(p->proof)) {
        r = recv(p->fd, p->proof + p->done, sizeof(p->proof) - p->done, 0);
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
            p->ev = POLLIN;
            return 1;
        }
        if (r <= 0) {
            snprintf(why, why_len, "%s", r < 0 ? strerror(errno)
                     : "closed before it proved the key");
            return XLMIG_E_IO;
        }
        p->done += (size_t)r;
    }
    if (!xlmig_auth_check(dp->key, p->nonce, p->proof)) {
        snprintf(why, why_len, "wrong key");
        return XLMIG_E_IO;
    }
    /* One byte into a fresh socket's buffer: it never blocks. */
    if (send(p->fd, "", 1, MSG_NOSIGNAL) != 1) {
        snprintf(why, why_len, "%s", strerror(errno));
        return XLMIG_E_IO;
    }
    return 0;
}

static int refuse(xlmig_datapath *dp, pending *p, const char *why)
{
    char peer[sizeof(p->peer)];

    XLMIG_WARN("data path: refused a connection from %s: %s", p->peer, why);
    snprintf(peer, sizeof(peer), "%s", p->peer);
    pending_close(p);
    if (++dp->refused <= XLMIG_DP_MAX_FAILED)
        return 0;
    /* Not an I/O error: the control channel is fine, the source told. */
    xlmig_err(XLMIG_E_PROTO, "data path: %u connections to %s port %u"
              " failed to prove the key (last from %s: %s); giving up",
              dp->refused, dp->addr, dp->port, peer, why);
    return XLMIG_E_PROTO;
}

static int take_new(xlmig_datapath *dp, pending *pend)
{
    sockaddr_any a;
    socklen_t alen = sizeof(a);
    pending *p = NULL;
    unsigned i;
    int fd;

    fd = accept4(dp->listen_fd, &a.sa, &alen, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return 0;               /* gone already, or a spurious wake */
    for (i = 0; i < PENDING_MAX && !p; i++)
        if (pend[i].fd < 0)
            p = &pend[i];
    if (!p) {
        pending over = { .fd = fd };

        addr_str(&a, over.peer, sizeof(over.peer));
        return refuse(dp, &over, "too many handshakes at once");
    }
    p->fd = fd;
    p->t0 = xlmig_now_ns();
    p->ev = POLLIN;
    addr_str(&a, p->peer, sizeof(p->peer));
    tune(fd);
    if (dp->kind == XLMIG_DP_TCP) {
        p->ev = POLLOUT;
        if (xlmig_auth_nonce(p->nonce))
            return XLMIG_E_IO;
        return 0;
    }
    p->ssl = xlmig_tls_new(&dp->tls, fd);
    return p->ssl ? 0 : XLMIG_E_IO;
}

/* The source spoke while the streams were being opened: it quit. */
static int accept_ctl(xlmig_chan *ch)
{
    xlmig_msg m;
    int rc;

    xlmig_msg_init(&m, XLMIG_MSG_NONE);
    rc = xlmig_chan_recv_ctl(ch);
    if (!rc)
        rc = xlmig_chan_decode_last(ch, &m);
    if (!rc && (m.type == XLMIG_MSG_ABORT || m.type == XLMIG_MSG_ERROR)) {
        xlmig_err(XLMIG_E_ABORTED, "source aborted the migration: %s",
                  m.message ? m.message : "no reason given");
        rc = XLMIG_E_ABORTED;
    } else if (!rc) {
        xlmig_err(XLMIG_E_PROTO, "source sent \"%s\" while the data streams"
                  " were being opened", xlmig_msg_type_str(m.type));
        rc = XLMIG_E_PROTO;
    }
    xlmig_msg_dispose(&m);
    return rc;
}

/* Each pending connection one step on; the proven ones become streams. */
static int advance(xlmig_datapath *dp, pending *pend, uint64_t now)
{
    char why[256];
    unsigned i;
    int rc;

    for (i = 0; i < PENDING_MAX && dp->open < dp->n; i++) {
        pending *p = &pend[i];
        xlmig_dp_stream *s;

        if (p->fd < 0)
            continue;
        why[0] = 0;
        rc = pending_step(dp, p, why, sizeof(why));
        if (rc == 1 && now - p->t0 > XLMIG_DP_HANDSHAKE_MS * 1000000ULL) {
            snprintf(why, sizeof(why), "no handshake within %d ms",
                     XLMIG_DP_HANDSHAKE_MS);
            rc = XLMIG_E_IO;
        }
        if (rc == 1)
            continue;
        if (rc < 0) {
            rc = refuse(dp, p, why);
            if (rc)
                return rc;
            continue;
        }
        s = &dp->s[dp->open++];
        s->fd = p->fd;
        s->ssl = p->ssl;
        snprintf(s->name, sizeof(s->name), "data stream %u from %s",
                 dp->open, p->peer);
        p->fd = -1;
        p->ssl = NULL;
        pending_close(p);
    }
    return 0;
}

int xlmig_dp_accept(xlmig_datapath *dp, xlmig_chan *ch)
{
    uint64_t limit = ch->io_timeout_ns ? ch->io_timeout_ns : DEFAULT_WAIT_NS;
    uint64_t until = xlmig_now_ns() + limit, waited = 0;
    struct pollfd p[PENDING_MAX + 1];
    pending pend[PENDING_MAX];
    unsigned i;
    int np, rc = 0;

    for (i = 0; i < PENDING_MAX; i++) {
        memset(&pend[i], 0, sizeof(pend[i]));
        pend[i].fd = -1;
    }
    while (dp->open < dp->n) {
        np = 0;
        p[np] = (struct pollfd){ .fd = dp->listen_fd, .events = POLLIN };
        np++;
        for (i = 0; i < PENDING_MAX; i++) {
            if (pend[i].fd < 0)
                continue;
            p[np++] = (struct pollfd){ .fd = pend[i].fd,
                                       .events = pend[i].ev };
        }
        waited = 0;             /* the absolute limit bounds this */
        rc = dp_poll(ch, dp, p, np, "opening the data streams", &waited,
                     until, true);
        if (rc == 1) {
            rc = accept_ctl(ch);
            goto out;
        }
        if (rc == XLMIG_E_TIMEOUT && xlmig_now_ns() >= until) {
            xlmig_err_replace(rc, "data path: %u of %u data streams"
                              " connected to %s port %u within %.0f s",
                              dp->open, dp->n, dp->addr, dp->port,
                              (double)limit / 1e9);
            goto out;
        }
        if (rc)
            goto out;
        if (p[0].revents) {
            rc = take_new(dp, pend);
            if (rc)
                goto out;
        }
        rc = advance(dp, pend, xlmig_now_ns());
        if (rc)
            goto out;
    }
    /* All in: nobody else may even try. */
    xlmig_dp_close_listener(dp);
    dp->active = true;
    ch->dp = dp;
out:
    for (i = 0; i < PENDING_MAX; i++)
        pending_close(&pend[i]);
    xlmig_dp_close_listener(dp);
    return rc;
}

/* ---- destination: receiving ---- */

/* Bytes read: > 0; 0 would block; -1 end of stream; -2 error (why). */
static ssize_t stream_read(xlmig_dp_stream *s, void *buf, size_t len,
                           char *why, size_t why_len)
{
    ssize_t r;
    short ev;

    if (s->ssl) {
        errno = 0;
        r = SSL_read(s->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
        if (r > 0)
            return r;
        if (SSL_get_error(s->ssl, (int)r) == SSL_ERROR_ZERO_RETURN)
            return -1;
        if (xlmig_tls_retry(s->ssl, (int)r, &ev, why, why_len))
            return 0;
        return !strcmp(why, "closed by the peer") ? -1 : -2;
    }
    r = recv(s->fd, buf, len, 0);
    if (r > 0)
        return r;
    if (r == 0)
        return -1;
    if (errno == EAGAIN || errno == EINTR)
        return 0;
    snprintf(why, why_len, "%s", strerror(errno));
    return -2;
}

static int stream_err(xlmig_dp_stream *s, const char *what)
{
    xlmig_err(XLMIG_E_IO, "%s: %s", s->name, what);
    return XLMIG_E_IO;
}

/* The frame header just read: known type, length within its bound. */
static int take_hdr(xlmig_chan *ch, xlmig_dp_stream *s)
{
    uint8_t legacy[XLMIG_REC_HDR_LEN];
    xlmig_rec_hdr h;
    int rc;

    xlmig_stripe_hdr_get(s->hdr, &s->seq, &s->type, &s->len);
    xlmig_rec_hdr_put(legacy, s->type, s->len);
    rc = xlmig_rec_hdr_get(legacy, sizeof(legacy), ch->page_size, &h);
    if (rc) {
        xlmig_err_replace(rc, "%s: record %llu: %s", s->name,
                          (unsigned long long)s->seq, xlmig_errmsg());
        return rc;
    }
    s->have_hdr = true;
    s->want = xlmig_rec_padded(s->len);
    s->got = 0;
    return 0;
}

/*
 * A whole record read on s. The next one in order goes to the chan as
 * it is (the buffers swap: no copy; the reorder buffer only counts it,
 * an empty put and pop); a later one is held in the reorder buffer.
 */
static int complete(xlmig_datapath *dp, xlmig_chan *ch, xlmig_dp_stream *s,
                    bool *got)
{
    uint8_t *b;
    size_t cap;
    unsigned i;
    int rc;

    ch->bytes_in += XLMIG_STRIPE_HDR_LEN + s->want;
    s->have_hdr = false;
    s->hdr_got = 0;
    s->got = 0;
    if (s->seq != dp->ro.next_seq) {
        rc = xlmig_reorder_put(&dp->ro, s->seq, s->type, s->buf, s->len);
        if (rc)
            xlmig_err_replace(rc, "%s: %s", s->name, xlmig_errmsg());
        return rc;
    }
    rc = xlmig_reorder_put(&dp->ro, s->seq, s->type, "", 0);
    if (rc)
        return rc;
    xlmig_reorder_pop(&dp->ro);
    b = ch->buf;
    cap = ch->buf_cap;
    ch->buf = s->buf;
    ch->buf_cap = s->cap;
    s->buf = b;
    s->cap = cap;
    ch->buf[s->len] = 0;
    ch->last.type = s->type;
    ch->last.length = s->len;
    for (i = 0; i < dp->open; i++)
        dp->s[i].parked = false;
    /* memory-end, the only control record striped, ends the data path. */
    if (s->type == XLMIG_REC_CONTROL)
        dp->active = false;
    *got = true;
    return 0;
}

/*
 * Read what stream s has, up to one whole record. *moved says whether
 * anything came, *got whether the chan has its next record.
 */
static int pump(xlmig_datapath *dp, xlmig_chan *ch, xlmig_dp_stream *s,
                bool *moved, bool *got)
{
    char why[256] = "";
    ssize_t r;
    int rc;

    while (!s->ended && !s->parked) {
        if (!s->have_hdr) {
            r = stream_read(s, s->hdr + s->hdr_got,
                            sizeof(s->hdr) - s->hdr_got, why, sizeof(why));
            if (r == 0)
                return 0;
            if (r == -1 && !s->hdr_got) {
                s->ended = true;
                return 0;
            }
            if (r == -1)
                return stream_err(s, "closed in the middle of a record");
            if (r < 0)
                return stream_err(s, why);
            *moved = true;
            s->hdr_got += (size_t)r;
            if (s->hdr_got < sizeof(s->hdr))
                continue;
            rc = take_hdr(ch, s);
            if (rc)
                return rc;
        }
        if (!s->got && !xlmig_reorder_room(&dp->ro, s->seq, s->len)) {
            s->parked = true;
            return 0;
        }
        /* One more byte: the chan's records end in a NUL. */
        if (s->want + 1 > s->cap) {
            uint8_t *nb = realloc(s->buf, s->want + 1);

            if (!nb) {
                xlmig_err(XLMIG_E_NOMEM, "%s: no memory for a %zu-byte"
                          " record", s->name, s->want);
                return XLMIG_E_NOMEM;
            }
            s->buf = nb;
            s->cap = s->want + 1;
        }
        while (s->got < s->want) {
            r = stream_read(s, s->buf + s->got, s->want - s->got, why,
                            sizeof(why));
            if (r == 0)
                return 0;
            if (r == -1)
                return stream_err(s, "closed in the middle of a record");
            if (r < 0)
                return stream_err(s, why);
            *moved = true;
            s->got += (size_t)r;
        }
        return complete(dp, ch, s, got);
    }
    return 0;
}

/* The next record in order, if it is here, into the chan. */
static int deliver(xlmig_datapath *dp, xlmig_chan *ch, bool *got)
{
    const uint8_t *p;
    uint32_t type;
    size_t len;
    unsigned i;
    int rc;

    if (!xlmig_reorder_peek(&dp->ro, &type, &p, &len))
        return 0;
    rc = xlmig_chan_reserve(ch, len);
    if (rc)
        return rc;
    memcpy(ch->buf, p, len);
    ch->buf[len] = 0;
    ch->last.type = type;
    ch->last.length = (uint32_t)len;
    xlmig_reorder_pop(&dp->ro);
    for (i = 0; i < dp->open; i++)
        dp->s[i].parked = false;
    /* memory-end, the only control record striped, ends the data path. */
    if (type == XLMIG_REC_CONTROL)
        dp->active = false;
    *got = true;
    return 0;
}

/*
 * The source spoke on ssh during the stream: its abort or error is
 * handed on as the record read (the phase machine says it aborted);
 * anything else waits until the data path has ended.
 */
static int dest_ctl(xlmig_datapath *dp, xlmig_chan *ch, bool *got)
{
    xlmig_msg m;
    int rc = xlmig_chan_recv_ctl(ch);

    if (rc)
        return rc;
    xlmig_msg_init(&m, XLMIG_MSG_NONE);
    if (ch->last.type == XLMIG_REC_CONTROL &&
        xlmig_chan_decode_last(ch, &m) == 0 &&
        m.type != XLMIG_MSG_ABORT && m.type != XLMIG_MSG_ERROR) {
        xlmig_msg_dispose(&m);
        free(dp->stash);
        dp->stash = malloc(ch->last.length + 1u);
        if (!dp->stash) {
            xlmig_err(XLMIG_E_NOMEM, "no memory for a control message");
            return XLMIG_E_NOMEM;
        }
        memcpy(dp->stash, ch->buf, ch->last.length);
        dp->stash_len = ch->last.length;
        dp->stash_type = ch->last.type;
        dp->has_stash = true;
        return 0;
    }
    xlmig_msg_dispose(&m);
    xlmig_err_clear();          /* a bad message: stream_control says */
    *got = true;
    return 0;
}

bool xlmig_dp_take_stash(xlmig_datapath *dp, xlmig_chan *ch)
{
    if (!dp->has_stash || xlmig_chan_reserve(ch, dp->stash_len))
        return false;
    memcpy(ch->buf, dp->stash, dp->stash_len);
    ch->buf[dp->stash_len] = 0;
    ch->last.type = dp->stash_type;
    ch->last.length = (uint32_t)dp->stash_len;
    free(dp->stash);
    dp->stash = NULL;
    dp->has_stash = false;
    return true;
}

/* A stream failed: if the source said why on ssh, that is the record. */
static int recv_failed(xlmig_datapath *dp, xlmig_chan *ch, int rc)
{
    xlmig_err_saved e;
    bool got = false;

    if (dp->has_stash || !peer_word_waiting(ch))
        return rc;
    xlmig_err_save(&e);
    if (!dest_ctl(dp, ch, &got) && got)
        return 0;
    xlmig_err_restore(&e);
    return rc;
}

int xlmig_dp_recv(xlmig_datapath *dp, xlmig_chan *ch)
{
    struct pollfd p[XLMIG_DP_MAX_STREAMS];
    uint64_t waited = 0;
    bool got = false, moved;
    unsigned i, ended;
    int np, rc;

    for (;;) {
        rc = deliver(dp, ch, &got);
        if (rc || got)
            return rc;
        moved = false;
        for (i = 0; i < dp->open && !got; i++) {
            rc = pump(dp, ch, &dp->s[i], &moved, &got);
            if (rc)
                return recv_failed(dp, ch, rc);
        }
        if (got)
            return 0;
        if (moved) {
            waited = 0;
            continue;
        }
        np = 0;
        ended = 0;
        for (i = 0; i < dp->open; i++) {
            if (dp->s[i].ended) {
                ended++;
                continue;
            }
            if (dp->s[i].parked)
                continue;
            p[np++] = (struct pollfd){ .fd = dp->s[i].fd, .events = POLLIN };
        }
        if (ended == dp->open) {
            xlmig_err(XLMIG_E_IO, "data streams from the source ended"
                      " before memory-end (record %llu never came)",
                      (unsigned long long)dp->ro.next_seq);
            return recv_failed(dp, ch, XLMIG_E_IO);
        }
        rc = dp_poll(ch, dp, p, np, "waiting for the data streams from the"
                     " source", &waited, 0, true);
        if (rc == 1) {
            rc = dest_ctl(dp, ch, &got);
            if (rc || got)
                return rc;
            continue;
        }
        if (rc)
            return rc;
    }
}
