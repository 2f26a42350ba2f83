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
#include <stdbool.h>
#include <stdint.h>
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

int xlmig_drbd_took_parse(const char *buf, size_t len, uint64_t *ns,
                          bool *fast)
{
    char line[128], path[8];
    double t0, t1;
    size_t i = 0, n;
    int got = 0;

    *ns = 0;
    *fast = false;
    while (i < len) {
        n = 0;
        while (i < len && buf[i] != '\n') {
            if (n + 1 < sizeof(line))
                line[n++] = buf[i];
            i++;
        }
        i++;
        line[n] = 0;
        /* The last add counts: libxl may run the script again. */
        if (sscanf(line, "add %7s %lf %lf", path, &t0, &t1) == 3 &&
            (!strcmp(path, "fast") || !strcmp(path, "full")) &&
            t0 > 0 && t1 >= t0 && t1 - t0 < 3600) {
            *ns = (uint64_t)((t1 - t0) * 1e9);
            *fast = !strcmp(path, "fast");
            got = 1;
        }
    }
    return got;
}

static int took_read(const char *path, uint64_t *ns, bool *fast)
{
    char buf[1024];
    size_t n;
    FILE *f = fopen(path, "re");

    if (!f)
        return 0;
    n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    return xlmig_drbd_took_parse(buf, n, ns, fast);
}

void xlmig_drbd_took_sum(const xlmig_drbd *d, uint64_t *ns, unsigned *fast,
                         unsigned *n)
{
    char path[340];
    uint64_t one;
    unsigned i;
    bool f;

    *ns = 0;
    *fast = *n = 0;
    for (i = 0; i < d->nres; i++) {
        if (side_path(d, d->res[i].name, "took", path, sizeof(path))) {
            xlmig_err_clear();
            return;
        }
        if (!took_read(path, &one, &f))
            continue;
        *ns += one;
        *fast += f;
        (*n)++;
    }
}

/* What the script said of its add, in the receiver's log. */
static void took_log(const char *res, const char *path)
{
    uint64_t ns;
    bool fast;

    if (took_read(path, &ns, &fast))
        XLMIG_INFO("drbd %s: hotplug add took %.0f ms (%s path)", res,
                   (double)ns / 1e6, fast ? "fast" : "full");
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
        if (i == 1)
            took_log(res, path);
        if (unlink(path) && errno != ENOENT)
            XLMIG_WARN("drbd %s: cannot remove %s: %s", res, path,
                       strerror(errno));
    }
}
