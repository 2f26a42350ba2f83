/* xlmig.conf: see config.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "defaults.h"
#include "error.h"
#include "kv.h"
#include "names.h"
#include "peer_map.h"

void xlmig_config_init(xlmig_config *c)
{
    memset(c, 0, sizeof(*c));
}

static int parse_peers(const char *where, const char *val, xlmig_config *c)
{
    char buf[XLMIG_KV_VAL_MAX], *save = NULL, *tok;

    snprintf(buf, sizeof(buf), "%s", val);
    c->npeers = 0;
    for (tok = strtok_r(buf, " \t,", &save); tok;
         tok = strtok_r(NULL, " \t,", &save)) {
        if (!xlmig_inv_name_ok(tok)) {
            char what[XLMIG_KV_VAL_MAX + 2];

            snprintf(what, sizeof(what), "%s:", where);
            return xlmig_name_refuse(what, tok, XLMIG_NAME_PEER_RULE);
        }
        if (c->npeers >= XLMIG_CONF_MAX_PEERS) {
            xlmig_err(XLMIG_E_INVAL, "%s: more than %d hosts", where,
                      XLMIG_CONF_MAX_PEERS);
            return XLMIG_E_INVAL;
        }
        strcpy(c->peers[c->npeers++], tok);
    }
    if (!c->npeers) {
        xlmig_err(XLMIG_E_INVAL, "%s: no host named", where);
        return XLMIG_E_INVAL;
    }
    return 0;
}

#define ADDR_KEY "migration_address."

/* migration_address.<peer> = [user@]host: one per peer and address. */
static int parse_addr(const char *where, const char *key, const char *val,
                      xlmig_config *c)
{
    const char *peer = key + strlen(ADDR_KEY);
    unsigned i;

    if (!xlmig_inv_name_ok(peer)) {
        xlmig_err(XLMIG_E_INVAL, "%s: \"%.40s\" is not a host name",
                  where, peer);
        return XLMIG_E_INVAL;
    }
    if (!xlmig_addr_ok(val)) {
        xlmig_err(XLMIG_E_INVAL, "%s: \"%.60s\" is not [user@]host (a host"
                  " name, IPv4 or IPv6 address)", where, val);
        return XLMIG_E_INVAL;
    }
    for (i = 0; i < c->naddrs; i++) {
        if (xlmig_host_same(c->addrs[i].peer, peer)) {
            xlmig_err(XLMIG_E_INVAL, "%s: given twice", where);
            return XLMIG_E_INVAL;
        }
        if (!strcmp(c->addrs[i].addr, val)) {
            xlmig_err(XLMIG_E_INVAL, "%s: %s is already the address of %s",
                      where, val, c->addrs[i].peer);
            return XLMIG_E_INVAL;
        }
    }
    if (c->naddrs >= XLMIG_CONF_MAX_PEERS) {
        xlmig_err(XLMIG_E_INVAL, "%s: more than %d migration addresses",
                  where, XLMIG_CONF_MAX_PEERS);
        return XLMIG_E_INVAL;
    }
    strcpy(c->addrs[c->naddrs].peer, peer);
    strcpy(c->addrs[c->naddrs++].addr, val);
    return 0;
}

enum { K_BANDWIDTH, K_MAX_DOWNTIME, K_TIMEOUT, K_PARALLEL, K_SSH, K_PEERS,
       K_SHARED, K_DEADLINE_MIN, K_DEADLINE_MAX, K_SWITCHOVER, K_LD_VG,
       K_LD_MINORS, K_LD_PORT, K_LD_ADDR, K__COUNT };
static const char *const keys[K__COUNT] = {
    "bandwidth", "max_downtime", "timeout", "parallel", "ssh", "peers",
    "shared_storage", "switchover_deadline_min", "switchover_deadline_max",
    "switchover", "local_disk_vg", "local_disk_minors", "local_disk_port",
    "local_disk_address",
};

/* local_disk_minors = LO-HI (0..1048575, at most 1000 of them). */
static int parse_minors(const char *where, const char *val, xlmig_config *c)
{
    unsigned long lo, hi;
    char *end;

    lo = strtoul(val, &end, 10);
    if (end == val || *end != '-')
        goto bad;
    val = end + 1;
    hi = strtoul(val, &end, 10);
    if (end == val || *end || lo > hi || hi > 1048575 || hi - lo >= 1000)
        goto bad;
    c->local_disk_minor_lo = (int)lo;
    c->local_disk_minor_hi = (int)hi;
    return 0;
bad:
    xlmig_err(XLMIG_E_INVAL, "%s: not LO-HI DRBD minors (at most 1000,"
              " below 1048576)", where);
    return XLMIG_E_INVAL;
}

static int parse_ld_name(const char *where, const char *val, char *out,
                         size_t sz, const char *chars, const char *what)
{
    if (!val[0] || strlen(val) >= sz || val[0] == '-' ||
        strspn(val, chars) != strlen(val)) {
        xlmig_err(XLMIG_E_INVAL, "%s: \"%.60s\" is not %s", where, val,
                  what);
        return XLMIG_E_INVAL;
    }
    strcpy(out, val);
    return 0;
}

int xlmig_config_parse(xlmig_config *c, const char *buf, size_t len,
                       const char *what)
{
    unsigned line = 0, k, seen = 0;
    char where[400];
    size_t pos = 0;
    uint64_t u = 0;
    xlmig_kv kv;
    int r, rc = 0;

    xlmig_config_init(c);
    rc = xlmig_size_check(what, len, XLMIG_KV_FILE_MAX);
    if (rc)
        return rc;
    while (!rc && (r = xlmig_kv_line(buf, len, &pos, &line, what, &kv))) {
        if (r < 0)
            return r;
        snprintf(where, sizeof(where), "%s:%u: %s", what, line, kv.key);
        if (!strncmp(kv.key, ADDR_KEY, strlen(ADDR_KEY))) {
            rc = parse_addr(where, kv.key, kv.val, c);
            continue;
        }
        for (k = 0; k < K__COUNT && strcmp(kv.key, keys[k]); k++)
            ;
        if (k == K__COUNT) {
            xlmig_err(XLMIG_E_INVAL, "%s: unknown key (known: bandwidth,"
                      " max_downtime, timeout, parallel, ssh, peers,"
                      " shared_storage, switchover_deadline_min,"
                      " switchover_deadline_max, switchover,"
                      " local_disk_vg, local_disk_minors, local_disk_port,"
                      " local_disk_address, " ADDR_KEY "<peer>)",
                      where);
            return XLMIG_E_INVAL;
        }
        if (seen & (1u << k)) {
            xlmig_err(XLMIG_E_INVAL, "%s: given twice", where);
            return XLMIG_E_INVAL;
        }
        seen |= 1u << k;
        switch (k) {
        case K_BANDWIDTH:
            rc = xlmig_kv_double(where, kv.val, 0, 1e6, &c->bandwidth_mib);
            c->has_bandwidth = !rc;
            break;
        case K_MAX_DOWNTIME:
            rc = xlmig_kv_double(where, kv.val, XLMIG_DOWNTIME_MIN_MS,
                                 XLMIG_DOWNTIME_MAX_MS, &c->max_downtime_ms);
            c->has_max_downtime = !rc;
            break;
        case K_TIMEOUT:
            rc = xlmig_kv_double(where, kv.val, XLMIG_TIMEOUT_MIN_S,
                                 XLMIG_TIMEOUT_MAX_S, &c->timeout_s);
            c->has_timeout = !rc;
            break;
        case K_PARALLEL:
            rc = xlmig_kv_u64(where, kv.val, 1, XLMIG_PARALLEL_MAX, &u);
            c->parallel = (unsigned)u;
            break;
        case K_SSH:
            if (!kv.val[0] || strlen(kv.val) >= sizeof(c->ssh) ||
                strchr(kv.val, '\'')) {
                xlmig_err(XLMIG_E_INVAL, "%s: empty, longer than %zu bytes"
                          " or has a single quote", where,
                          sizeof(c->ssh) - 1);
                return XLMIG_E_INVAL;
            }
            strcpy(c->ssh, kv.val);
            break;
        case K_PEERS:
            rc = parse_peers(where, kv.val, c);
            break;
        case K_SHARED:
            rc = xlmig_shared_storage_parse(where, kv.val, &c->shared);
            break;
        case K_DEADLINE_MIN:
            rc = xlmig_kv_double(where, kv.val, 1, 86400000,
                                 &c->deadline_min_ms);
            break;
        case K_DEADLINE_MAX:
            rc = xlmig_kv_double(where, kv.val, 1, 86400000,
                                 &c->deadline_max_ms);
            break;
        case K_SWITCHOVER:
            c->has_switchover = true;
            c->two_step = !strcmp(kv.val, "two-step");
            if (!c->two_step && strcmp(kv.val, "one-flight")) {
                xlmig_err(XLMIG_E_INVAL, "%s: \"%.40s\" is neither"
                          " one-flight nor two-step", where, kv.val);
                return XLMIG_E_INVAL;
            }
            break;
        case K_LD_VG:
            rc = parse_ld_name(where, kv.val, c->local_disk_vg,
                               sizeof(c->local_disk_vg),
                               "abcdefghijklmnopqrstuvwxyz"
                               "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+_.-",
                               "an LVM volume group name");
            break;
        case K_LD_MINORS:
            rc = parse_minors(where, kv.val, c);
            break;
        case K_LD_PORT:
            rc = xlmig_kv_u64(where, kv.val, 1, 65535, &u);
            c->local_disk_port = (int)u;
            break;
        case K_LD_ADDR:
            rc = parse_ld_name(where, kv.val, c->local_disk_address,
                               sizeof(c->local_disk_address),
                               "0123456789abcdefABCDEF.:",
                               "an IPv4 or IPv6 address");
            break;
        }
    }
    return rc;
}

const char *xlmig_config_path(bool *explicit)
{
    const char *p = getenv("XLMIG_CONF");

    *explicit = p && *p;
    return *explicit ? p : XLMIG_CONF_DEFAULT;
}

int xlmig_config_load(xlmig_config *c, const char *path)
{
    bool explicit = true;
    char *buf = NULL;
    size_t len;
    int rc;

    xlmig_config_init(c);
    if (!path)
        path = xlmig_config_path(&explicit);
    if (!explicit && access(path, F_OK) && errno == ENOENT)
        return 0;
    rc = xlmig_read_file(path, XLMIG_KV_FILE_MAX, &buf, &len);
    if (!rc)
        rc = xlmig_config_parse(c, buf, len, path);
    free(buf);
    return rc;
}
