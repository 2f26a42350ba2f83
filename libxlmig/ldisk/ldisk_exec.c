/*
 * The real runner: commands through xlmig_drbd_exec (no shell, own
 * process group, deadline, bounded output), files written atomically.
 * Programs are found in PATH; XLMIG_LDISK_BIN (test builds) names a
 * directory to take them from instead, so tests can put fakes there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ldisk.h"
#include "mkdir_p.h"
#include "testhooks.h"
#include "write_atomic.h"

static int real_run(void *arg, const char *const *argv, int *status,
                    char **out, size_t *out_len, char *err, size_t errsz)
{
    const uint64_t *timeout = arg;
    const char *bin = xlmig_test_env("XLMIG_LDISK_BIN");
    const char *av[XLMIG_LDISK_ARGS];
    char prog[XLMIG_LDISK_PATH_MAX];
    xlmig_drbd_out o;
    unsigned i;
    int rc;

    for (i = 0; argv[i] && i + 1 < XLMIG_LDISK_ARGS; i++)
        av[i] = argv[i];
    av[i] = NULL;
    if (bin && *bin && !strchr(argv[0], '/')) {
        snprintf(prog, sizeof(prog), "%s/%s", bin, argv[0]);
        av[0] = prog;
    }
    xlmig_drbd_out_init(&o);
    rc = xlmig_drbd_exec(av, *timeout, &o);
    if (rc)
        goto out;
    if (o.truncated) {
        xlmig_err(XLMIG_E_EXTERNAL, "%s: output over %u bytes", argv[0],
                  XLMIG_DRBD_OUT_MAX);
        rc = XLMIG_E_EXTERNAL;
        goto out;
    }
    *status = o.status;
    snprintf(err, errsz, "%s", o.err);
    if (out) {
        *out = o.out;
        *out_len = o.out_len;
        o.out = NULL;
    }
out:
    xlmig_drbd_out_dispose(&o);
    return rc;
}

static int real_write(void *arg, const char *path, const char *text)
{
    char dir[XLMIG_LDISK_PATH_MAX], *slash;

    (void)arg;
    snprintf(dir, sizeof(dir), "%s", path);
    slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = 0;
        if (xlmig_mkdir_p_mode(dir, 0700, "local disk state"))
            return XLMIG_E_IO;
    }
    return xlmig_write_atomic(path, text, strlen(text));
}

static int real_unlink(void *arg, const char *path)
{
    (void)arg;
    return xlmig_remove_file(path);
}

void xlmig_ldisk_runner_real(xlmig_ldisk_runner *r, uint64_t *timeout_ns)
{
    r->arg = timeout_ns;
    r->run = real_run;
    r->write = real_write;
    r->unlink = real_unlink;
}
