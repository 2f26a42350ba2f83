/*
 * Migration tokens: the receiver's promise to this host's hotplug
 * script (block-drbd-xlmig) that a second Primary is wanted, for one
 * domain and one resource, until a time. The script ignores (and
 * removes) a token past its expiry, so a crashed receiver cannot leave
 * the guard disarmed for long.
 *
 * File: TOKEN_DIR/<uuid>.<resource>, lines "key=value":
 *   domain=<name>  uuid=<uuid>  resource=<res>  expires=<epoch seconds>
 */
#include "drbd.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "error.h"

/* The uuid comes from the peer: it must not be able to name a path. */
static bool uuid_ok(const char *u)
{
    size_t i, n = strlen(u);

    if (n != 36)
        return false;
    for (i = 0; i < n; i++)
        if (!(i == 8 || i == 13 || i == 18 || i == 23 ?
              u[i] == '-' : isxdigit((unsigned char)u[i])))
            return false;
    return true;
}

static int token_path(const xlmig_drbd *d, const char *res, char *buf,
                      size_t sz, bool tmp)
{
    int n;

    if (!uuid_ok(d->dom_uuid)) {
        xlmig_err(XLMIG_E_INVAL, "drbd %s: domain uuid '%s' is not a uuid;"
                  " no migration token", res, d->dom_uuid);
        return XLMIG_E_INVAL;
    }
    n = snprintf(buf, sz, "%s/%s%s.%s", d->token_dir, tmp ? "." : "",
                 d->dom_uuid, res);
    if (n < 0 || (size_t)n >= sz) {
        xlmig_err(XLMIG_E_INVAL, "token path too long");
        return XLMIG_E_INVAL;
    }
    return 0;
}

/* mkdir -p, private: tokens are nobody else's business. */
static int make_dir(const char *dir)
{
    char p[256];
    size_t i, n = strlen(dir);

    if (n >= sizeof(p))
        return -1;
    memcpy(p, dir, n + 1);
    for (i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i])
            continue;
        p[i] = 0;
        if (mkdir(p, 0700) && errno != EEXIST)
            return -1;
        p[i] = i < n ? '/' : 0;
    }
    return 0;
}

int xlmig_drbd_token_write(const xlmig_drbd *d, const char *res)
{
    char path[320], tmp[320];
    FILE *f = NULL;
    int rc, fd = -1;
    bool bad;

    rc = token_path(d, res, path, sizeof(path), false);
    if (!rc)
        rc = token_path(d, res, tmp, sizeof(tmp), true);
    if (rc)
        return rc;
    if (make_dir(d->token_dir)) {
        xlmig_err(XLMIG_E_IO, "drbd %s: cannot create %s: %s", res,
                  d->token_dir, strerror(errno));
        return XLMIG_E_IO;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || !(f = fdopen(fd, "w"))) {
        xlmig_err(XLMIG_E_IO, "drbd %s: cannot write %s: %s", res, tmp,
                  strerror(errno));
        if (fd >= 0)
            close(fd);
        return XLMIG_E_IO;
    }
    fprintf(f, "domain=%s\nuuid=%s\nresource=%s\nexpires=%lld\n",
            d->dom_name, d->dom_uuid, res,
            (long long)time(NULL) + (long long)d->token_ttl_s);
    /* Written whole or not at all: the script must never see half. */
    bad = fflush(f) != 0 || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path)) {
        xlmig_err(XLMIG_E_IO, "drbd %s: cannot write %s: %s", res, path,
                  strerror(errno));
        unlink(tmp);
        return XLMIG_E_IO;
    }
    XLMIG_INFO("drbd %s: migration token %s written", res, path);
    return 0;
}

int xlmig_drbd_token_remove(const xlmig_drbd *d, const char *res)
{
    char path[320];
    int rc = token_path(d, res, path, sizeof(path), false);

    if (rc)
        return rc;
    if (unlink(path) && errno != ENOENT) {
        xlmig_err(XLMIG_E_IO, "drbd %s: cannot remove %s: %s", res, path,
                  strerror(errno));
        return XLMIG_E_IO;
    }
    return 0;
}
