/* Host state directory and maintenance flag: see hoststate.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "hoststate.h"
#include "kv.h"
#include "mkdir_p.h"
#include "testhooks.h"

const char *xlmig_state_dir(void)
{
    const char *d = xlmig_test_env("XLMIG_STATE_DIR");

    return d && *d ? d : XLMIG_STATE_DIR_DEFAULT;
}

const char *xlmig_run_dir_env(void)
{
    const char *d = xlmig_test_env("XLMIG_RUN_DIR");

    return d && *d ? d : NULL;
}

const char *xlmig_run_dir(void)
{
    const char *d = xlmig_run_dir_env();

    return d ? d : XLMIG_RUN_DIR_DEFAULT;
}

int xlmig_mkdir_p(const char *path)
{
    return xlmig_mkdir_p_mode(path, 0755, "state directory path");
}

int xlmig_state_dir_make(const char *dir)
{
    char j[4096];

    if (snprintf(j, sizeof(j), "%s/journal", dir) >= (int)sizeof(j)) {
        xlmig_err(XLMIG_E_INVAL, "state directory path is too long");
        return XLMIG_E_INVAL;
    }
    return xlmig_mkdir_p(j);
}

int xlmig_maint_get(const char *dir, bool *on, char *since, size_t len)
{
    char path[4096], *buf = NULL;
    unsigned line = 0;
    size_t n, pos = 0;
    xlmig_kv kv;
    int rc;

    *on = false;
    if (since && len)
        since[0] = 0;
    snprintf(path, sizeof(path), "%s/maintenance", dir);
    if (access(path, F_OK))
        return errno == ENOENT ? 0 : XLMIG_E_IO;
    *on = true;
    rc = xlmig_read_file(path, 4096, &buf, &n);
    while (!rc && (rc = xlmig_kv_line(buf, n, &pos, &line, path, &kv)) > 0)
        if (!strcmp(kv.key, "since") && since && len)
            snprintf(since, len, "%s", kv.val);
    free(buf);
    /* a damaged flag file still means "on": the safe reading */
    if (rc < 0)
        xlmig_err_clear();
    return 0;
}

int xlmig_maint_set(const char *dir, bool on)
{
    char path[4096], body[64], stamp[32];
    int rc;

    snprintf(path, sizeof(path), "%s/maintenance", dir);
    if (!on)
        return xlmig_remove_file(path);
    rc = xlmig_state_dir_make(dir);
    if (rc)
        return rc;
    if (!access(path, F_OK))
        return 0;               /* keep the original "since" */
    xlmig_utc_stamp(time(NULL), stamp, sizeof(stamp));
    snprintf(body, sizeof(body), "since=%s\n", stamp);
    return xlmig_write_atomic(path, body, strlen(body));
}
