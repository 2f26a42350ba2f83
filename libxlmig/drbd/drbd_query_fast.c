/*
 * The switchover's DRBD check without a command where DRBD 8.4 says it
 * all in /proc/drbd (see xlmig_drbd_query_fast in drbd.h).
 */
#include "drbd.h"

#include <stdio.h>

#include "error.h"
#include "testhooks.h"

int xlmig_drbd_query_fast(xlmig_drbd *d, const xlmig_drbd_res *r,
                          xlmig_drbd_state *s)
{
    const char *path = xlmig_test_env("XLMIG_PROC_DRBD");
    char buf[16384];
    size_t n;
    FILE *f;
    int rc;

    if (d->version != XLMIG_DRBD_V84 || !r->nminors)
        return xlmig_drbd_query(d, r->name, s);
    f = fopen(path && *path ? path : "/proc/drbd", "re");
    if (!f)
        return xlmig_drbd_query(d, r->name, s);
    n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    rc = xlmig_drbd_parse_proc84(buf, n, r->name, r->minors, r->nminors, s);
    if (rc) {
        /* Not what we expected to read: ask the tools after all. */
        xlmig_err_clear();
        return xlmig_drbd_query(d, r->name, s);
    }
    return 0;
}
