/*
 * Names that come from another host, a file or the command line, and
 * then land in argv vectors, token files, terminals and logs: one
 * strict checker per kind, and an escaper for showing a refused one.
 *
 *   domain    Xen's rules: 1..XLMIG_NAME_DOMAIN_MAX printable ASCII
 *             characters (space included), no '/', not starting with
 *             '-'. No newline or escape sequence can pass.
 *   word      a name that may go on a remote command line (ssh hands
 *             the command to the peer's shell): 1..100 of
 *             A-Z a-z 0-9 _ . -, not starting with '-' or '.'.
 *   host      a host name, an IPv4 or IPv6 address (':' and a '%'
 *             scope), optionally after "user@"; 1..253 characters,
 *             not starting with '-'. peer=false refuses "user@" (a
 *             peer's name for itself has none).
 *   resource  a DRBD resource: 1..63 of A-Z a-z 0-9 _ . + -, not
 *             starting with '-' or '.' (the hotplug script's rule).
 *   uuid      8-4-4-4-12 hex digits.
 */
#ifndef XLMIG_NAMES_H
#define XLMIG_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#define XLMIG_NAME_DOMAIN_MAX 100
#define XLMIG_NAME_HOST_MAX   253
#define XLMIG_NAME_RES_MAX    63

bool xlmig_name_domain_ok(const char *s);
bool xlmig_name_word_ok(const char *s);
bool xlmig_name_host_ok(const char *s, bool peer);
bool xlmig_name_resource_ok(const char *s);
bool xlmig_name_uuid_ok(const char *s);

/*
 * s made safe to print: printable ASCII kept, anything else as \xNN,
 * at most 64 input bytes shown ("..." after). Returns buf.
 */
const char *xlmig_name_shown(const char *s, char *buf, size_t len);
#define XLMIG_NAME_SHOWN_LEN (64 * 4 + 4)

/*
 * Record "<what> \"<shown>\" is not <kind rule>" as the error and
 * return XLMIG_E_INVAL: the one message every caller prints.
 */
int xlmig_name_refuse(const char *what, const char *s, const char *rule);

/* The rules as they read in error messages. */
#define XLMIG_NAME_DOMAIN_RULE "a domain name (1 to 100 printable" \
    " characters, no '/', not starting with '-')"
#define XLMIG_NAME_HOST_RULE "a host name or address ([user@]host:" \
    " letters, digits, . - _ : %, not starting with '-')"
#define XLMIG_NAME_RES_RULE "a DRBD resource name (1 to 63 of" \
    " A-Z a-z 0-9 _ . + -)"
#define XLMIG_NAME_UUID_RULE "a uuid (8-4-4-4-12 hex digits)"
/* A host known by name only (xlmig.conf peers, journals, --to). */
#define XLMIG_NAME_PEER_RULE "a host name (1 to 63 of A-Z a-z 0-9 . _ -," \
    " not starting with '-' or '.')"
#define XLMIG_NAME_WORD_RULE "a plain name (1 to 100 of A-Z a-z 0-9" \
    " _ . -, not starting with '-' or '.')"

#endif
