/* Destinations and DRBD peers: see peer_map.h. */
#include "peer_map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "testhooks.h"

static bool alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

static bool hexish(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
           (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

/* An IPv6 address's characters, with at least two colons. */
static bool ipv6_ok(const char *s, size_t n)
{
    unsigned colons = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        if (!hexish(s[i]))
            return false;
        colons += s[i] == ':';
    }
    return colons >= 2;
}

/* DNS name or IPv4: labels of [A-Za-z0-9_-], no '-' at either end. */
static bool name_ok(const char *s, size_t n)
{
    size_t i, start = 0;

    if (!n || n > 253)
        return false;
    for (i = 0; i <= n; i++) {
        if (i < n && s[i] != '.') {
            if (!alnum(s[i]) && s[i] != '-' && s[i] != '_')
                return false;
            continue;
        }
        if (i == start || i - start > 63 || s[start] == '-' ||
            s[i - 1] == '-')
            return false;
        start = i + 1;
    }
    return true;
}

/* Where the host part starts: after the one '@', if any. */
static const char *host_part(const char *s)
{
    const char *at = strchr(s, '@');

    return at ? at + 1 : s;
}

bool xlmig_addr_ok(const char *s)
{
    const char *h = host_part(s);
    size_t i, n = strlen(s), hn = strlen(h);

    if (!n || n >= XLMIG_ADDR_MAX || strchr(h, '@'))
        return false;
    if (h != s) {
        if (h - 1 == s || s[0] == '-')
            return false;
        for (i = 0; s + i < h - 1; i++)
            if (!alnum(s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
                return false;
    }
    if (h[0] == '[')
        return hn > 2 && h[hn - 1] == ']' && ipv6_ok(h + 1, hn - 2);
    if (strchr(h, ':'))
        return ipv6_ok(h, hn);
    return name_ok(h, hn);
}

/* An IP address: no short name to compare by. */
static bool is_ip(const char *s)
{
    return strchr(s, ':') || strspn(s, "0123456789.") == strlen(s);
}

bool xlmig_host_same(const char *a, const char *b)
{
    size_t la = strcspn(a, "."), lb = strcspn(b, ".");

    if (!strcasecmp(a, b))
        return true;
    if (is_ip(a) || is_ip(b))
        return false;
    return la == lb && !strncasecmp(a, b, la) && (!a[la] || !b[lb]);
}

void xlmig_self_name(char *buf, size_t len)
{
    const char *env = xlmig_test_env("XLMIG_HOSTNAME");

    if (env && *env)
        snprintf(buf, len, "%s", env);
    else if (len < 2 || gethostname(buf, len - 1))
        snprintf(buf, len, "unknown");
    else
        buf[len - 1] = 0;
}

static const xlmig_conf_addr *by_peer(const xlmig_config *c,
                                      const char *peer)
{
    unsigned i;

    for (i = 0; c && i < c->naddrs; i++)
        if (xlmig_host_same(c->addrs[i].peer, peer))
            return &c->addrs[i];
    return NULL;
}

const char *xlmig_peer_address(const xlmig_config *c, const char *peer)
{
    const xlmig_conf_addr *a = by_peer(c, peer);

    return a ? a->addr : peer;
}

void xlmig_dest_resolve(const xlmig_config *c, const char *given,
                        xlmig_dest *d)
{
    const char *gh = host_part(given);
    const xlmig_conf_addr *a = by_peer(c, gh);
    unsigned i;

    d->given = d->address = given;
    d->peer = NULL;
    d->buf[0] = 0;
    if (a) {
        d->peer = a->peer;
        d->address = a->addr;
        /* root@xen2: the user typed stays, the host is the address */
        if (gh != given && host_part(a->addr) == a->addr &&
            snprintf(d->buf, sizeof(d->buf), "%.*s%s", (int)(gh - given),
                     given, a->addr) < (int)sizeof(d->buf))
            d->address = d->buf;
        return;
    }
    for (i = 0; c && i < c->naddrs; i++)
        if (!strcasecmp(host_part(c->addrs[i].addr), gh)) {
            d->peer = c->addrs[i].peer;
            return;
        }
}

/*
 * "destination 10.0.0.9 calls itself xen3, which is", or, named by its
 * own name, "destination xen3 is".
 */
static void who(char *buf, size_t len, const xlmig_dest *d,
                const char *said)
{
    if (xlmig_host_same(host_part(d->given), said))
        snprintf(buf, len, "destination %s is", d->given);
    else
        snprintf(buf, len, "destination %s calls itself %s, which is",
                 d->given, said);
}

static void join_peers(char *buf, size_t len, const xlmig_inv_res *r)
{
    size_t used = 0;
    unsigned j;

    buf[0] = 0;
    for (j = 0; j < r->npeers && used < len; j++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s",
                                 j ? ", " : "", r->peers[j]);
    if (!r->npeers)
        snprintf(buf, len, "none");
}

const char *xlmig_peer_check(xlmig_checks *c, const xlmig_dest *d,
                             const char *said, const xlmig_inv_res *res,
                             unsigned n)
{
    const char *match = NULL;
    char w[200], peers[120], names[160];
    size_t used = 0;
    unsigned i, j;

    if (!said || !*said) {
        if (d->peer || n)
            xlmig_checks_add(c, "dest", "drbd-peer", false, "destination"
                             " %s did not say its host name", d->given);
        return NULL;
    }
    who(w, sizeof(w), d, said);
    if (d->peer && !xlmig_host_same(d->peer, said)) {
        xlmig_checks_add(c, "dest", "drbd-peer", false, "destination %s"
                         " calls itself %s, but xlmig.conf gives %s as the"
                         " migration_address of %s", d->given, said,
                         d->address, d->peer);
        return NULL;
    }
    if (!n) {
        if (d->peer)
            xlmig_checks_add(c, "dest", "drbd-peer", true, "%s is %s"
                             " (migration_address in xlmig.conf); no DRBD"
                             " disks", d->given, d->peer);
        return NULL;
    }
    names[0] = 0;
    for (i = 0; i < n; i++) {
        for (j = 0; j < res[i].npeers; j++)
            if (xlmig_host_same(res[i].peers[j], said))
                break;
        if (j == res[i].npeers) {
            join_peers(peers, sizeof(peers), &res[i]);
            xlmig_checks_add(c, "dest", "drbd-peer", false, "%s not a"
                             " DRBD peer of %s (peers: %s)", w,
                             res[i].name, peers);
            return NULL;
        }
        if (!match)
            match = res[i].peers[j];
        if (used < sizeof(names))
            used += (size_t)snprintf(names + used, sizeof(names) - used,
                                     "%s%s", i ? ", " : "", res[i].name);
    }
    xlmig_checks_add(c, "dest", "drbd-peer", true, "destination %s is %s,"
                     " the DRBD peer of %s%s", d->given, match, names,
                     d->peer ? " (migration_address in xlmig.conf)" : "");
    return match;
}
