/*
 * The migration token's text, as drbd_token.c writes it and the
 * hotplug script (block-drbd-xlmig) reads it: exactly four lines
 *
 *   domain=<name>\n uuid=<uuid>\n resource=<res>\n expires=<seconds>\n
 *
 * each key once and in this order, nothing else, every value by
 * names.h's rules, the expiry 1 to 12 decimal digits without a leading
 * zero. A file that is not exactly that is no token: a duplicate key (a
 * name carrying "\nexpires=..."), an unknown key, a missing one, a line
 * without its newline, any control byte. Both sides apply these rules,
 * so a name cannot forge or extend one.
 */
#ifndef XLMIG_DRBD_TOKEN_H
#define XLMIG_DRBD_TOKEN_H

#include <stddef.h>

#include "names.h"

#define XLMIG_TOKEN_MAX 512         /* bytes of a token file, at most */

typedef struct {
    char domain[XLMIG_NAME_DOMAIN_MAX + 1];
    char uuid[37];
    char resource[XLMIG_NAME_RES_MAX + 1];
    long long expires;
} xlmig_drbd_token;

/* Format t into buf (NUL-terminated); refuses values the rules refuse. */
int xlmig_drbd_token_format(const xlmig_drbd_token *t, char *buf,
                            size_t len);
/* Parse len bytes (no NUL needed): 0, or XLMIG_E_INVAL naming why. */
int xlmig_drbd_token_parse(const char *buf, size_t len, xlmig_drbd_token *t);

#endif
