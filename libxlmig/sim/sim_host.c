/* A simulated host's domain records: see sim_host.h. */
#include "sim_host.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "path_join.h"
#include "write_atomic.h"

/* What else a host's directory holds (sim_host.h, hoststate.h). */
static bool reserved(const char *name)
{
    static const char *const own[] = {
        "host.conf", "guests", "journal", "maintenance", "run",
    };
    size_t i;

    for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
        if (!strcmp(name, own[i]))
            return true;
    return false;
}

static int path(char *buf, size_t len, const char *dir, const char *name)
{
    if (!*name || *name == '.' || strchr(name, '/')) {
        xlmig_err(XLMIG_E_INVAL, "simulated host: bad domain name \"%s\"",
                  name);
        return XLMIG_E_INVAL;
    }
    if (reserved(name)) {
        xlmig_err(XLMIG_E_INVAL, "simulated host: \"%s\" names the host's"
                  " own state, not a domain", name);
        return XLMIG_E_INVAL;
    }
    return xlmig_path_join(buf, len, dir, name, "simulated host");
}

/* The scheduler cap on the record's second line, "cap=N"; 0 if none. */
static int read_cap(const char *p)
{
    char line[64];
    int cap = 0;
    FILE *f = fopen(p, "r");

    if (!f)
        return 0;
    if (fgets(line, sizeof(line), f) && fgets(line, sizeof(line), f) &&
        sscanf(line, "cap=%d", &cap) != 1)
        cap = 0;
    fclose(f);
    return cap > 0 && cap <= 65535 ? cap : 0;
}

static int write_rec(const char *p, const char *state, int cap)
{
    char body[64];
    int n;

    n = cap > 0 ? snprintf(body, sizeof(body), "%s\ncap=%d\n", state, cap)
                : snprintf(body, sizeof(body), "%s\n", state);

    if (n < 0 || (size_t)n >= sizeof(body)) {
        xlmig_err(XLMIG_E_INVAL, "simulated host: bad state \"%.20s\"",
                  state);
        return XLMIG_E_INVAL;
    }
    return xlmig_write_atomic(p, body, (size_t)n);
}

int xlmig_sim_host_put(const char *dir, const char *name, const char *state)
{
    char p[512];
    int rc;

    rc = path(p, sizeof(p), dir, name);
    /* As on Xen, a cap outlives pause, suspend and resume. */
    return rc ? rc : write_rec(p, state, read_cap(p));
}

int xlmig_sim_host_set_cap(const char *dir, const char *name, int cap)
{
    char p[512], st[XLMIG_SIM_STATE_LEN];
    int r;

    r = xlmig_sim_host_get(dir, name, st, sizeof(st));
    if (r <= 0) {
        if (!r)
            xlmig_err(XLMIG_E_BACKEND, "simulated host: no domain %s",
                      name);
        return r ? r : XLMIG_E_BACKEND;
    }
    r = path(p, sizeof(p), dir, name);
    return r ? r : write_rec(p, st, cap);
}

int xlmig_sim_host_get_cap(const char *dir, const char *name, int *cap)
{
    char p[512];
    int rc;

    *cap = 0;
    rc = path(p, sizeof(p), dir, name);
    if (rc)
        return rc;
    if (access(p, F_OK))
        return 0;
    *cap = read_cap(p);
    return 1;
}

int xlmig_sim_host_get(const char *dir, const char *name, char *state,
                       size_t len)
{
    char p[512], *nl;
    FILE *f;
    int rc;

    state[0] = 0;
    rc = path(p, sizeof(p), dir, name);
    if (rc)
        return rc;
    f = fopen(p, "r");
    if (!f) {
        if (errno == ENOENT)
            return 0;
        xlmig_err(XLMIG_E_IO, "simulated host: cannot read %s: %s", p,
                  strerror(errno));
        return XLMIG_E_IO;
    }
    if (!fgets(state, (int)len, f))
        state[0] = 0;
    fclose(f);
    nl = strchr(state, '\n');
    if (nl)
        *nl = 0;
    return 1;
}

int xlmig_sim_host_rename(const char *dir, const char *from, const char *to)
{
    char a[512], b[512];
    int rc;

    rc = path(a, sizeof(a), dir, from);
    if (!rc)
        rc = path(b, sizeof(b), dir, to);
    if (rc)
        return rc;
    /* As libxl_domain_rename: never over a domain that has the name. */
    if (renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_NOREPLACE)) {
        xlmig_err(XLMIG_E_BACKEND, "simulated host: cannot rename %s to"
                  " %s: %s", from, to, errno == EEXIST
                  ? "a domain of that name exists" : strerror(errno));
        return XLMIG_E_BACKEND;
    }
    return 0;
}

int xlmig_sim_host_create(const char *dir, const char *name,
                          const char *state)
{
    char p[512];
    FILE *f;
    int rc, fd;

    rc = path(p, sizeof(p), dir, name);
    if (rc)
        return rc;
    fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 && errno == EEXIST) {
        xlmig_err(XLMIG_E_BACKEND, "simulated host: a domain named %s"
                  " already exists", name);
        return XLMIG_E_BACKEND;
    }
    f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f || fprintf(f, "%s\n", state) < 0 || fclose(f)) {
        xlmig_err(XLMIG_E_IO, "simulated host: cannot write %s: %s", p,
                  strerror(errno));
        if (!f && fd >= 0)
            close(fd);
        if (fd >= 0)
            unlink(p);
        return XLMIG_E_IO;
    }
    return 0;
}

int xlmig_sim_host_remove(const char *dir, const char *name)
{
    char p[512];
    int rc;

    rc = path(p, sizeof(p), dir, name);
    return rc ? rc : xlmig_remove_file(p);
}
