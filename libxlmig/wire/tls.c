#include "tls.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "error.h"

/* Names the key; the binder in the ClientHello proves it is held. */
static const unsigned char psk_identity[] = "xlmig-data-v1";
#define PSK_IDENTITY_LEN (sizeof(psk_identity) - 1)
static const unsigned char aes128gcm[] = { 0x13, 0x01 };
static const char auth_label[] = "xlmig data stream v1";

int xlmig_data_key_new(uint8_t key[XLMIG_DATA_KEY_LEN])
{
    if (RAND_bytes(key, XLMIG_DATA_KEY_LEN) != 1) {
        xlmig_err(XLMIG_E_IO, "data path: no random key: %s",
                  ERR_reason_error_string(ERR_get_error()));
        return XLMIG_E_IO;
    }
    return 0;
}

void xlmig_data_key_hex(const uint8_t key[XLMIG_DATA_KEY_LEN],
                        char out[XLMIG_DATA_KEY_HEX + 1])
{
    static const char dig[] = "0123456789abcdef";
    unsigned i;

    for (i = 0; i < XLMIG_DATA_KEY_LEN; i++) {
        out[2 * i] = dig[key[i] >> 4];
        out[2 * i + 1] = dig[key[i] & 15];
    }
    out[XLMIG_DATA_KEY_HEX] = 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int xlmig_data_key_parse(const char *hex, uint8_t key[XLMIG_DATA_KEY_LEN])
{
    unsigned i;

    if (!hex || strlen(hex) != XLMIG_DATA_KEY_HEX)
        goto bad;
    for (i = 0; i < XLMIG_DATA_KEY_LEN; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

        if (hi < 0 || lo < 0)
            goto bad;
        key[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
bad:
    xlmig_err(XLMIG_E_PROTO, "control message: \"data_key\" is not %d hex"
              " digits", XLMIG_DATA_KEY_HEX);
    return XLMIG_E_PROTO;
}

void xlmig_tls_init(xlmig_tls *t)
{
    memset(t, 0, sizeof(*t));
}

void xlmig_tls_dispose(xlmig_tls *t)
{
    if (t->ctx)
        SSL_CTX_free(t->ctx);
    OPENSSL_cleanse(t->key, sizeof(t->key));
    t->ctx = NULL;
}

/* The external PSK as a session: AES-128-GCM-SHA256, TLS 1.3. */
static SSL_SESSION *psk_session(SSL *ssl)
{
    const SSL_CIPHER *c = SSL_CIPHER_find(ssl, aes128gcm);
    xlmig_tls *t = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
    SSL_SESSION *s;

    if (!c || !t)
        return NULL;
    s = SSL_SESSION_new();
    if (!s)
        return NULL;
    if (!SSL_SESSION_set1_master_key(s, t->key, sizeof(t->key)) ||
        !SSL_SESSION_set_cipher(s, c) ||
        !SSL_SESSION_set_protocol_version(s, TLS1_3_VERSION)) {
        SSL_SESSION_free(s);
        return NULL;
    }
    return s;
}

static int use_session_cb(SSL *ssl, const EVP_MD *md,
                          const unsigned char **id, size_t *idlen,
                          SSL_SESSION **sess)
{
    const SSL_CIPHER *c = SSL_CIPHER_find(ssl, aes128gcm);

    *sess = NULL;
    *id = NULL;
    *idlen = 0;
    /* After a HelloRetryRequest only a PSK of that hash may be used. */
    if (md && (!c || SSL_CIPHER_get_handshake_digest(c) != md))
        return 1;
    *sess = psk_session(ssl);
    if (!*sess)
        return 0;
    *id = psk_identity;
    *idlen = PSK_IDENTITY_LEN;
    return 1;
}

static int find_session_cb(SSL *ssl, const unsigned char *id, size_t idlen,
                           SSL_SESSION **sess)
{
    *sess = NULL;
    /* Any other identity: no PSK, and with no certificate no handshake. */
    if (idlen != PSK_IDENTITY_LEN || memcmp(id, psk_identity, idlen))
        return 1;
    *sess = psk_session(ssl);
    return *sess ? 1 : 0;
}

static const char *ossl_reason(char *buf, size_t len)
{
    unsigned long e = ERR_get_error();

    if (!e)
        snprintf(buf, len, "unknown OpenSSL error");
    else
        ERR_error_string_n(e, buf, len);
    ERR_clear_error();
    return buf;
}

int xlmig_tls_setup(xlmig_tls *t, bool server,
                    const uint8_t key[XLMIG_DATA_KEY_LEN])
{
    char why[200];
    SSL_CTX *ctx;

    xlmig_tls_dispose(t);
    ERR_clear_error();
    ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    if (!ctx)
        goto fail;
    memcpy(t->key, key, sizeof(t->key));
    t->server = server;
    if (!SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) ||
        !SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) ||
        !SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256") ||
        !SSL_CTX_set_num_tickets(ctx, 0))
        goto fail;
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
#ifdef SSL_OP_ENABLE_KTLS
    SSL_CTX_set_options(ctx, SSL_OP_ENABLE_KTLS);
#endif
    SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_app_data(ctx, t);
    if (server)
        SSL_CTX_set_psk_find_session_callback(ctx, find_session_cb);
    else
        SSL_CTX_set_psk_use_session_callback(ctx, use_session_cb);
    t->ctx = ctx;
    return 0;
fail:
    xlmig_err(XLMIG_E_IO, "data path: TLS setup failed: %s",
              ossl_reason(why, sizeof(why)));
    if (ctx)
        SSL_CTX_free(ctx);
    OPENSSL_cleanse(t->key, sizeof(t->key));
    return XLMIG_E_IO;
}

SSL *xlmig_tls_new(xlmig_tls *t, int fd)
{
    char why[200];
    SSL *s;

    ERR_clear_error();
    s = SSL_new(t->ctx);
    if (s && SSL_set_fd(s, fd) == 1) {
        if (t->server)
            SSL_set_accept_state(s);
        else
            SSL_set_connect_state(s);
        return s;
    }
    xlmig_err(XLMIG_E_IO, "data path: TLS session: %s",
              ossl_reason(why, sizeof(why)));
    if (s)
        SSL_free(s);
    return NULL;
}

int xlmig_tls_retry(SSL *s, int r, short *events, char *why,
                    size_t why_len)
{
    int e = SSL_get_error(s, r);

    switch (e) {
    case SSL_ERROR_WANT_READ:
        *events = POLLIN;
        return 1;
    case SSL_ERROR_WANT_WRITE:
        *events = POLLOUT;
        return 1;
    case SSL_ERROR_ZERO_RETURN:
        snprintf(why, why_len, "closed by the peer");
        break;
    case SSL_ERROR_SYSCALL:
        if (ERR_peek_error())
            ossl_reason(why, why_len);
        else if (errno && r < 0)
            snprintf(why, why_len, "%s", strerror(errno));
        else
            snprintf(why, why_len, "closed by the peer");
        break;
    default:
        ossl_reason(why, why_len);
        break;
    }
    ERR_clear_error();
    return 0;
}

int xlmig_tls_handshake(SSL *s, short *events, char *why, size_t why_len)
{
    int r;

    ERR_clear_error();
    errno = 0;
    r = SSL_do_handshake(s);
    if (r == 1)
        return 0;
    return xlmig_tls_retry(s, r, events, why, why_len) ? 1 : XLMIG_E_IO;
}

bool xlmig_tls_ktls_send(SSL *s)
{
    return BIO_get_ktls_send(SSL_get_wbio(s)) > 0;
}

bool xlmig_tls_ktls_recv(SSL *s)
{
    return BIO_get_ktls_recv(SSL_get_rbio(s)) > 0;
}

int xlmig_auth_nonce(uint8_t nonce[XLMIG_AUTH_NONCE_LEN])
{
    if (RAND_bytes(nonce, XLMIG_AUTH_NONCE_LEN) != 1) {
        xlmig_err(XLMIG_E_IO, "data path: no random nonce");
        return XLMIG_E_IO;
    }
    return 0;
}

int xlmig_auth_proof(const uint8_t key[XLMIG_DATA_KEY_LEN],
                     const uint8_t nonce[XLMIG_AUTH_NONCE_LEN],
                     uint8_t out[XLMIG_AUTH_PROOF_LEN])
{
    uint8_t msg[sizeof(auth_label) - 1 + XLMIG_AUTH_NONCE_LEN];
    unsigned len = 0;

    memcpy(msg, auth_label, sizeof(auth_label) - 1);
    memcpy(msg + sizeof(auth_label) - 1, nonce, XLMIG_AUTH_NONCE_LEN);
    if (!HMAC(EVP_sha256(), key, XLMIG_DATA_KEY_LEN, msg, sizeof(msg), out,
              &len) || len != XLMIG_AUTH_PROOF_LEN) {
        xlmig_err(XLMIG_E_IO, "data path: HMAC failed");
        return XLMIG_E_IO;
    }
    return 0;
}

bool xlmig_auth_check(const uint8_t key[XLMIG_DATA_KEY_LEN],
                      const uint8_t nonce[XLMIG_AUTH_NONCE_LEN],
                      const uint8_t proof[XLMIG_AUTH_PROOF_LEN])
{
    uint8_t want[XLMIG_AUTH_PROOF_LEN];
    bool ok;

    if (xlmig_auth_proof(key, nonce, want)) {
        xlmig_err_clear();
        return false;
    }
    ok = CRYPTO_memcmp(want, proof, sizeof(want)) == 0;
    OPENSSL_cleanse(want, sizeof(want));
    return ok;
}
