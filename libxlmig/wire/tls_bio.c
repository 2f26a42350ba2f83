/*
 * The buffers between OpenSSL and a data stream's socket (tls.h), our
 * own BIOs so that nothing is copied or cleared more than once:
 *
 * - gather (sending): the records of a SSL_write appended to one
 *   buffer that only grows, sent by the caller in one go. A memory BIO
 *   did the same, but zeroed what it grew into and the whole buffer on
 *   every reset: two more passes over each byte.
 * - receive: recv() in 256 KiB steps, OpenSSL's reads (a record's
 *   header, then its body, read-ahead off) served from there. With
 *   read-ahead on, OpenSSL 3.0 moves what is left of its read buffer to
 *   the front at every record (ssl3_read_n), about half the buffer a
 *   16 KiB record; with a large buffer that was most of the receiver's
 *   time.
 */
#include "tls.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <openssl/bio.h>
#include <openssl/ssl.h>

#include "error.h"

#define GATHER_FIRST (64u * 1024u)
#define RX_LEN (256u * 1024u)

typedef struct {
    uint8_t *p;
    size_t len, cap;
} gather_buf;

typedef struct {
    int fd;
    uint8_t *p;
    size_t off, len;             /* unread: p[off .. len) */
    bool eof;
} rx_buf;

static BIO_METHOD *gather_meth, *rx_meth;
static int gather_type;
static pthread_once_t meth_once = PTHREAD_ONCE_INIT;

static int gather_write(BIO *b, const char *in, int inl)
{
    gather_buf *g = BIO_get_data(b);
    size_t need, cap;
    uint8_t *np;

    BIO_clear_retry_flags(b);
    if (!g || inl <= 0)
        return inl < 0 ? -1 : 0;
    need = g->len + (size_t)inl;
    if (need > g->cap) {
        for (cap = g->cap ? g->cap : GATHER_FIRST; cap < need; cap *= 2)
            ;
        np = realloc(g->p, cap);
        if (!np)
            return -1;
        g->p = np;
        g->cap = cap;
    }
    memcpy(g->p + g->len, in, (size_t)inl);
    g->len = need;
    return inl;
}

static long gather_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    gather_buf *g = BIO_get_data(b);

    (void)num;
    (void)ptr;
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        return 1;
    case BIO_CTRL_WPENDING:
        return g ? (long)g->len : 0;
    default:
        return 0;               /* no kTLS, nothing pending to read */
    }
}

static int gather_destroy(BIO *b)
{
    gather_buf *g = BIO_get_data(b);

    if (g) {
        free(g->p);
        free(g);
    }
    BIO_set_data(b, NULL);
    return 1;
}

static int rx_read(BIO *b, char *out, int outl)
{
    rx_buf *r = BIO_get_data(b);
    ssize_t n;
    size_t k;

    BIO_clear_retry_flags(b);
    if (!r || outl <= 0)
        return outl < 0 ? -1 : 0;
    if (r->off == r->len) {
        r->off = r->len = 0;
        n = recv(r->fd, r->p, RX_LEN, 0);
        if (n < 0) {
            /* errno stays: SSL_ERROR_SYSCALL's reason (tls.c) */
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                BIO_set_retry_read(b);
            return -1;
        }
        if (n == 0) {
            r->eof = true;
            return 0;
        }
        r->len = (size_t)n;
    }
    k = r->len - r->off;
    if (k > (size_t)outl)
        k = (size_t)outl;
    memcpy(out, r->p + r->off, k);
    r->off += k;
    return (int)k;
}

static long rx_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    rx_buf *r = BIO_get_data(b);

    (void)num;
    (void)ptr;
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        return 1;
    case BIO_CTRL_PENDING:
        return r ? (long)(r->len - r->off) : 0;
    case BIO_CTRL_EOF:
        return r && r->eof && r->off == r->len;
    default:
        return 0;
    }
}

static int rx_destroy(BIO *b)
{
    rx_buf *r = BIO_get_data(b);

    if (r) {
        free(r->p);
        free(r);
    }
    BIO_set_data(b, NULL);
    return 1;
}

static void meth_make(void)
{
    gather_type = BIO_get_new_index() | BIO_TYPE_SOURCE_SINK;
    gather_meth = BIO_meth_new(gather_type, "xlmig gather");
    if (gather_meth && (!BIO_meth_set_write(gather_meth, gather_write) ||
                        !BIO_meth_set_ctrl(gather_meth, gather_ctrl) ||
                        !BIO_meth_set_destroy(gather_meth, gather_destroy))) {
        BIO_meth_free(gather_meth);
        gather_meth = NULL;
    }
    rx_meth = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
                           "xlmig receive");
    if (rx_meth && (!BIO_meth_set_read(rx_meth, rx_read) ||
                    !BIO_meth_set_ctrl(rx_meth, rx_ctrl) ||
                    !BIO_meth_set_destroy(rx_meth, rx_destroy))) {
        BIO_meth_free(rx_meth);
        rx_meth = NULL;
    }
}

/* A BIO of method m owning data (freed here if that fails). */
static BIO *bio_with(BIO_METHOD *m, void *data, void (*drop)(void *))
{
    BIO *b = m ? BIO_new(m) : NULL;

    if (!b) {
        drop(data);
        return NULL;
    }
    BIO_set_data(b, data);
    BIO_set_init(b, 1);
    return b;
}

static void drop_gather(void *p)
{
    free(p);
}

static void drop_rx(void *p)
{
    rx_buf *r = p;

    if (r)
        free(r->p);
    free(r);
}

int xlmig_tls_gather(SSL *s)
{
    gather_buf *g;
    BIO *b;

    pthread_once(&meth_once, meth_make);
    g = calloc(1, sizeof(*g));
    b = g ? bio_with(gather_meth, g, drop_gather) : NULL;
    if (!b) {
        xlmig_err(XLMIG_E_NOMEM, "data path: no memory for a TLS buffer");
        return XLMIG_E_NOMEM;
    }
    SSL_set0_wbio(s, b);
    return 0;
}

size_t xlmig_tls_gathered(SSL *s, const uint8_t **p)
{
    BIO *b = SSL_get_wbio(s);
    gather_buf *g = b && BIO_method_type(b) == gather_type
                    ? BIO_get_data(b) : NULL;

    *p = g ? g->p : NULL;
    return g ? g->len : 0;
}

void xlmig_tls_gathered_sent(SSL *s)
{
    BIO *b = SSL_get_wbio(s);
    gather_buf *g = b && BIO_method_type(b) == gather_type
                    ? BIO_get_data(b) : NULL;

    if (g)
        g->len = 0;
}

int xlmig_tls_rx_buffer(SSL *s, int fd)
{
    rx_buf *r;
    BIO *b;

    pthread_once(&meth_once, meth_make);
    r = calloc(1, sizeof(*r));
    if (r) {
        r->fd = fd;
        r->p = malloc(RX_LEN);
    }
    if (r && !r->p) {
        drop_rx(r);
        r = NULL;
    }
    b = r ? bio_with(rx_meth, r, drop_rx) : NULL;
    if (!b) {
        xlmig_err(XLMIG_E_NOMEM, "data path: no memory for a TLS buffer");
        return XLMIG_E_NOMEM;
    }
    SSL_set0_rbio(s, b);
    /* A header, then the body: each served from the buffer. */
    SSL_set_read_ahead(s, 0);
    return 0;
}
