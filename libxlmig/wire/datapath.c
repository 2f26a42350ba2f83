/*
 * The data path (datapath.h): what both sides share, the addresses and
 * the wait on data streams and the control channel together. The
 * source's half is in datapath_src.c, the destination's in
 * datapath_dst.c.
 */
#include "datapath_priv.h"

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

#define SLICE_MS 100
#define PEER_WORD_MS 1000            /* after a stream failed */

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

void xlmig_dp_stream_init(xlmig_dp_stream *s)
{
    memset(s, 0, sizeof(*s));
    s->fd = -1;
}

void xlmig_dp_stream_close(xlmig_dp_stream *s)
{
    if (s->ssl)
        SSL_free(s->ssl);
    if (s->fd >= 0)
        close(s->fd);
    free(s->buf);
    xlmig_dp_stream_init(s);
}

void xlmig_dp_init(xlmig_datapath *dp)
{
    unsigned i;

    memset(dp, 0, sizeof(*dp));
    dp->listen_fd = -1;
    for (i = 0; i < XLMIG_DP_MAX_STREAMS; i++)
        xlmig_dp_stream_init(&dp->s[i]);
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
        xlmig_dp_stream_close(&dp->s[i]);
    xlmig_tls_dispose(&dp->tls);
    free(dp->stage);
    if (dp->ro_init)
        xlmig_reorder_dispose(&dp->ro);
    free(dp->stash);
    OPENSSL_cleanse(dp->key, sizeof(dp->key));
    xlmig_dp_init(dp);
}

/* ---- addresses ---- */

int xlmig_dp_parse_addr(const char *addr, unsigned port, sockaddr_any *a,
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

bool xlmig_dp_wildcard(const sockaddr_any *a)
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
                       &s_port) != 4 ||
        xlmig_dp_parse_addr(s_ip, 0, &a, &alen) || xlmig_dp_wildcard(&a) ||
        strlen(s_ip) >= len)
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

void xlmig_dp_addr_str(const sockaddr_any *a, char *buf, size_t len)
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

void xlmig_dp_tune(int fd)
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

/* See datapath_priv.h; a stashed message stops the control's watch. */
int xlmig_dp_poll(xlmig_chan *ch, xlmig_datapath *dp, struct pollfd *p,
                  int np, const char *what, uint64_t *waited,
                  uint64_t until, bool cancel)
{
    struct pollfd all[XLMIG_DP_MAX_STREAMS + XLMIG_DP_PENDING_MAX + 2];
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

/* A data stream failed: did the peer say why on the control channel? */
bool xlmig_dp_peer_word(xlmig_chan *ch)
{
    struct pollfd p = { .fd = ch->conn->in_fd, .events = POLLIN };

    return p.fd >= 0 && poll(&p, 1, PEER_WORD_MS) > 0;
}
