/*
 * What the receiver leaves beside a migration token once it has
 * promoted the resource: TOKEN_DIR/<uuid>.<resource>.ready holding
 * "dev=/dev/drbdN\n". With it the hotplug script's add, which runs
 * inside the downtime, needs no drbdadm (block-drbd-xlmig's fast
 * path); the script appends its own timing to <uuid>.<resource>.took.
 * Both go with the token.
 */
#include "drbd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "names.h"
#include "write_atomic.h"

static int side_path(const xlmig_drbd *d, const char *res, const char *ext,
                     char *buf, size_t sz)
{
    int n;

    if (!xlmig_name_uuid_ok(d->dom_uuid)) {
        xlmig_err(XLMIG_E_INVAL, "drbd %s: domain uuid '%s' is not a uuid",
                  res, d->dom_uuid);
        return XLMIG_E_INVAL;
    }
    n = snprintf(buf, sz, "%s/%s.%s.%s", d->token_dir, d->dom_uuid, res,
                 ext);
    if (n < 0 || (size_t)n >= sz) {
        xlmig_err(XLMIG_E_INVAL, "drbd %s: token path too long", res);
        return XLMIG_E_INVAL;
    }
    return 0;
}

int xlmig_drbd_ready_write(const xlmig_drbd *d, const xlmig_drbd_res *r)
{
    char path[340], text[48];
    int rc;

    if (r->minor < 0) {
        xlmig_err(XLMIG_E_INVAL, "drbd %s: no minor known", r->name);
        return XLMIG_E_INVAL;
    }
    rc = side_path(d, r->name, "ready", path, sizeof(path));
    if (rc)
        return rc;
    snprintf(text, sizeof(text), "dev=/dev/drbd%d\n", r->minor);
    /* Whole or not at all: the script never sees half a line. */
    return xlmig_write_atomic_mode(path, text, strlen(text), 0600);
}

void xlmig_drbd_prepared_remove(const xlmig_drbd *d, const char *res)
{
    static const char *const ext[] = { "ready", "took" };
    char path[340];
    unsigned i;

    for (i = 0; i < 2; i++) {
        if (side_path(d, res, ext[i], path, sizeof(path))) {
            xlmig_err_clear();
            return;
        }
        if (unlink(path) && errno != ENOENT)
            XLMIG_WARN("drbd %s: cannot remove %s: %s", res, path,
                       strerror(errno));
    }
}
