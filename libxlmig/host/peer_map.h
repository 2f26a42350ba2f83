/*
 * Which DRBD peer a destination is, and how a DRBD peer is reached.
 *
 * The operator may name the destination by its DRBD `on <host>` name
 * or by an address of a dedicated migration network, `user@host`
 * included. xlmig.conf's `migration_address.<peer> = <address>` says
 * how a DRBD peer is reached; a destination given by that address
 * maps back to the peer. Either way the destination's own host name,
 * from its hello, decides: it must be a DRBD peer of every one of the
 * guest's resources (DRBD itself picks its `on` section by that name).
 */
#ifndef XLMIG_PEER_MAP_H
#define XLMIG_PEER_MAP_H

#include <stdbool.h>
#include <stddef.h>

#include "checks.h"
#include "config.h"
#include "inventory.h"

/*
 * A destination we hand to ssh: [user@]host, where host is a DNS name,
 * an IPv4 address or an IPv6 address (bare or in brackets); user is
 * [A-Za-z0-9._-]. Nothing else, no leading '-', at most
 * XLMIG_ADDR_MAX - 1 bytes.
 */
bool xlmig_addr_ok(const char *s);

/* Same host: equal, or equal up to the first dot (short vs FQDN);
 * IP addresses only when equal. */
bool xlmig_host_same(const char *a, const char *b);

/* This host's name as DRBD knows it: $XLMIG_HOSTNAME (tests), else
 * gethostname(). */
void xlmig_self_name(char *buf, size_t len);

/* The address DRBD peer `peer` is reached by: its migration_address,
 * else the name itself. c may be NULL. */
const char *xlmig_peer_address(const xlmig_config *c, const char *peer);

/* A destination as given, resolved through xlmig.conf (not copied:
 * address may point into buf). */
typedef struct {
    const char *given;      /* as on the command line */
    const char *address;    /* what the transport reaches */
    const char *peer;       /* the DRBD peer xlmig.conf makes it, or NULL */
    char buf[XLMIG_ADDR_MAX + XLMIG_INV_NAME_MAX];
} xlmig_dest;

/*
 * given a DRBD peer with a migration_address: reach that address (a
 * user@ typed is kept); given one of the addresses (user@ aside): that
 * peer; else as given. The strings point into c, given and d.
 */
void xlmig_dest_resolve(const xlmig_config *c, const char *given,
                        xlmig_dest *d);

/*
 * The destination d answered, calling itself said. Is it a DRBD peer
 * of each of the guest's n resources (and the peer xlmig.conf maps it
 * to)? Adds one "dest" check row "drbd-peer" (none when there is
 * nothing to compare with) and returns the DRBD peer's name as the
 * resources spell it, or NULL when the check failed or there are no
 * resources.
 */
const char *xlmig_peer_check(xlmig_checks *c, const xlmig_dest *d,
                             const char *said, const xlmig_inv_res *res,
                             unsigned n);

#endif
