/*
 * OpenSSL for the data streams (datapath.h): TLS 1.3 authenticated by
 * an external pre-shared key, the one-time key the source sends over
 * the ssh control channel, so no certificates are involved and only
 * the holder of the key completes a handshake. The key exchange is
 * (EC)DHE with the PSK (psk_dhe_ke): the traffic keys are fresh even
 * for someone who later learns the one-time key.
 *
 * For --no-encrypt (plain TCP) the same key authenticates each
 * connection by a challenge: the destination sends a random nonce, the
 * source answers HMAC-SHA256(key, label || nonce), compared in constant
 * time.
 */
#ifndef XLMIG_TLS_H
#define XLMIG_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XLMIG_DATA_KEY_LEN   32
#define XLMIG_DATA_KEY_HEX   (2 * XLMIG_DATA_KEY_LEN)
#define XLMIG_AUTH_NONCE_LEN 32
#define XLMIG_AUTH_PROOF_LEN 32

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

typedef struct {
    SSL_CTX *ctx;
    bool server;
    uint8_t key[XLMIG_DATA_KEY_LEN];
} xlmig_tls;

/* A fresh one-time key from the system's CSPRNG (RAND_bytes). */
int xlmig_data_key_new(uint8_t key[XLMIG_DATA_KEY_LEN]);
void xlmig_data_key_hex(const uint8_t key[XLMIG_DATA_KEY_LEN],
                        char out[XLMIG_DATA_KEY_HEX + 1]);
/* Exactly 64 hex digits; XLMIG_E_PROTO (recorded) otherwise. */
int xlmig_data_key_parse(const char *hex, uint8_t key[XLMIG_DATA_KEY_LEN]);

/* Nothing allocated: dispose is a no-op. */
void xlmig_tls_init(xlmig_tls *t);
/*
 * A context for one side: TLS 1.3 only, AES-128-GCM, no tickets, kernel
 * TLS asked for where OpenSSL has it. The key is copied.
 */
int xlmig_tls_setup(xlmig_tls *t, bool server,
                    const uint8_t key[XLMIG_DATA_KEY_LEN]);
void xlmig_tls_dispose(xlmig_tls *t);
/* An SSL on a connected socket; NULL on failure (recorded). */
SSL *xlmig_tls_new(xlmig_tls *t, int fd);

/*
 * One step of a non-blocking handshake: 0 done, 1 to be called again
 * when fd is ready for *events (POLLIN / POLLOUT), or XLMIG_E_IO with
 * OpenSSL's reason in why.
 */
int xlmig_tls_handshake(SSL *s, short *events, char *why, size_t why_len);
/*
 * The last failure on s after r = SSL_read/SSL_write: 1 when it only
 * wants fd ready for *events, else 0 with the reason in why (the peer
 * closed, a system error, or OpenSSL's error queue).
 */
int xlmig_tls_retry(SSL *s, int r, short *events, char *why,
                    size_t why_len);
/*
 * Without kernel TLS each 16 KiB record would be its own write(): once
 * the handshake is done, the records of a SSL_write gather in memory
 * instead (SSL_write never blocks then), and the caller sends them in
 * one go: xlmig_tls_gathered gives them, xlmig_tls_gathered_sent
 * empties the buffer.
 */
int xlmig_tls_gather(SSL *s);
size_t xlmig_tls_gathered(SSL *s, const uint8_t **p);
void xlmig_tls_gathered_sent(SSL *s);
/*
 * A receiving stream's reads, once the handshake is done: recv() in
 * large steps into a buffer of its own, OpenSSL's reads served from it
 * (tls_bio.c says why). SSL_read may then return with bytes still
 * buffered: read until it wants more, as with read-ahead.
 */
int xlmig_tls_rx_buffer(SSL *s, int fd);

/* Did OpenSSL hand the record layer to the kernel (kTLS)? */
bool xlmig_tls_ktls_send(SSL *s);
bool xlmig_tls_ktls_recv(SSL *s);

/* HMAC-SHA256(key, label || nonce): a plain stream's proof of the key. */
int xlmig_auth_proof(const uint8_t key[XLMIG_DATA_KEY_LEN],
                     const uint8_t nonce[XLMIG_AUTH_NONCE_LEN],
                     uint8_t out[XLMIG_AUTH_PROOF_LEN]);
/* Does proof answer nonce under key? Constant time (CRYPTO_memcmp). */
bool xlmig_auth_check(const uint8_t key[XLMIG_DATA_KEY_LEN],
                      const uint8_t nonce[XLMIG_AUTH_NONCE_LEN],
                      const uint8_t proof[XLMIG_AUTH_PROOF_LEN]);
int xlmig_auth_nonce(uint8_t nonce[XLMIG_AUTH_NONCE_LEN]);

#endif
