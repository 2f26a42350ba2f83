/*
 * Migration tokens: the receiver's promise to this host's hotplug
 * script (block-drbd-xlmig) that a second Primary is wanted, for one
 * domain and one resource, until a time. The script ignores (and
 * removes) a token past its expiry, so a crashed receiver cannot leave
 * the guard disarmed for long.
 *
 * File: TOKEN_DIR/<uuid>.<resource>, four lines "key=value", each key
 * once (drbd_token.h): domain, uuid, resource, expires (epoch seconds).
 */
#include "drbd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "drbd_token.h"
#include "error.h"
#include "mkdir_p.h"
#include "write_atomic.h"

/* ---- the text (drbd_token.h) ---- */

static const char *const keys[] = { "domain", "uuid", "resource",
                                    "expires" };

static int check(const xlmig_drbd_token *t)
{
    if (!xlmig_name_domain_ok(t->domain))
        return xlmig_name_refuse("token: domain", t->domain,
                                 XLMIG_NAME_DOMAIN_RULE);
    if (!xlmig_name_uuid_ok(t->uuid))
        return xlmig_name_refuse("token: uuid", t->uuid,
                                 XLMIG_NAME_UUID_RULE);
    if (!xlmig_name_resource_ok(t->resource))
        return xlmig_name_refuse("token: resource", t->resource,
                                 XLMIG_NAME_RES_RULE);
    if (t->expires < 0 || t->expires > 999999999999LL) {
        xlmig_err(XLMIG_E_INVAL, "token: expiry %lld out of range",
                  t->expires);
        return XLMIG_E_INVAL;
    }
    return 0;
}

int xlmig_drbd_token_format(const xlmig_drbd_token *t, char *buf,
                            size_t len)
{
    int rc = check(t), n;

    if (rc)
        return rc;
    n = snprintf(buf, len, "domain=%s\nuuid=%s\nresource=%s\nexpires=%lld\n",
                 t->domain, t->uuid, t->resource, t->expires);
    if (n < 0 || (size_t)n >= len) {
        xlmig_err(XLMIG_E_INVAL, "token: too long");
        return XLMIG_E_INVAL;
    }
    return 0;
}

static int bad_token(const char *why)
{
    xlmig_err(XLMIG_E_INVAL, "token: %s", why);
    return XLMIG_E_INVAL;
}

int xlmig_drbd_token_parse(const char *buf, size_t len, xlmig_drbd_token *t)
{
    const char *p = buf, *end = buf + len, *nl, *eq;
    unsigned seen = 0, k;
    char val[XLMIG_TOKEN_MAX];
    size_t kl, vl;

    memset(t, 0, sizeof(*t));
    if (len > XLMIG_TOKEN_MAX)
        return bad_token("larger than a token");
    while (p < end) {
        nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return bad_token("last line has no newline");
        eq = memchr(p, '=', (size_t)(nl - p));
        if (!eq)
            return bad_token("a line is not key=value");
        kl = (size_t)(eq - p);
        vl = (size_t)(nl - eq - 1);
        for (k = 0; k < 4; k++)
            if (strlen(keys[k]) == kl && !memcmp(p, keys[k], kl))
                break;
        if (k == 4)
            return bad_token("unknown key");
        if (seen & (1u << k))
            return bad_token("a key given twice");
        if (seen != (1u << k) - 1)
            return bad_token("keys out of order");
        seen |= 1u << k;
        if (memchr(eq + 1, 0, vl))
            return bad_token("a NUL byte");
        memcpy(val, eq + 1, vl);
        val[vl] = 0;
        if (k == 3) {
            if (!vl || vl > 12 || strspn(val, "0123456789") != vl ||
                (val[0] == '0' && vl > 1))
                return bad_token("expires is not 1 to 12 digits");
            t->expires = strtoll(val, NULL, 10);
        } else {
            char *dst = k == 0 ? t->domain : k == 1 ? t->uuid
                                                    : t->resource;
            size_t cap = k == 0 ? sizeof(t->domain) : k == 1 ?
                         sizeof(t->uuid) : sizeof(t->resource);

            if (vl >= cap)
                return bad_token("a value is too long");
            memcpy(dst, val, vl + 1);
        }
        p = nl + 1;
    }
    if (seen != 0xf)
        return bad_token("a key is missing");
    return check(t);
}

/* ---- the file ---- */

static int copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);

    if (n >= cap)
        return -1;
    memcpy(dst, src, n + 1);
    return 0;
}

static int token_path(const xlmig_drbd *d, const char *res, char *buf,
                      size_t sz)
{
    int n;

    if (!xlmig_name_uuid_ok(d->dom_uuid)) {
        xlmig_err(XLMIG_E_INVAL, "drbd %s: domain uuid '%s' is not a uuid;"
                  " no migration token", res, d->dom_uuid);
        return XLMIG_E_INVAL;
    }
    n = snprintf(buf, sz, "%s/%s.%s", d->token_dir, d->dom_uuid, res);
    if (n < 0 || (size_t)n >= sz) {
        xlmig_err(XLMIG_E_INVAL, "token path too long");
        return XLMIG_E_INVAL;
    }
    return 0;
}

int xlmig_drbd_token_write(const xlmig_drbd *d, const char *res)
{
    char path[320], text[XLMIG_TOKEN_MAX];
    xlmig_drbd_token t;
    int rc;

    memset(&t, 0, sizeof(t));
    t.expires = (long long)time(NULL) + (long long)d->token_ttl_s;
    /* What the script will read: only what it would accept. */
    if (copy(t.domain, sizeof(t.domain), d->dom_name) ||
        copy(t.uuid, sizeof(t.uuid), d->dom_uuid) ||
        copy(t.resource, sizeof(t.resource), res))
        rc = bad_token("a name is too long");
    else
        rc = xlmig_drbd_token_format(&t, text, sizeof(text));
    if (!rc)
        rc = token_path(d, res, path, sizeof(path));
    if (rc) {
        char why[256];

        snprintf(why, sizeof(why), "%s", xlmig_errmsg());
        xlmig_err_replace(rc, "drbd %s: no migration token: %s", res, why);
        return rc;
    }
    /* Private: tokens are nobody else's business. */
    if (xlmig_mkdir_p_mode(d->token_dir, 0700, "token directory")) {
        char why[256];

        snprintf(why, sizeof(why), "%s", xlmig_errmsg());
        xlmig_err_replace(XLMIG_E_IO, "drbd %s: %s", res, why);
        return XLMIG_E_IO;
    }
    /* Written whole or not at all: the script must never see half. */
    rc = xlmig_write_atomic_mode(path, text, strlen(text), 0600);
    if (rc) {
        char why[256];

        snprintf(why, sizeof(why), "%s", xlmig_errmsg());
        xlmig_err_replace(rc, "drbd %s: %s", res, why);
        return rc;
    }
    XLMIG_INFO("drbd %s: migration token %s written", res, path);
    return 0;
}

int xlmig_drbd_token_remove(const xlmig_drbd *d, const char *res)
{
    char path[320];
    int rc = token_path(d, res, path, sizeof(path));

    if (rc)
        return rc;
    if (unlink(path) && errno != ENOENT) {
        xlmig_err(XLMIG_E_IO, "drbd %s: cannot remove %s: %s", res, path,
                  strerror(errno));
        return XLMIG_E_IO;
    }
    return 0;
}
