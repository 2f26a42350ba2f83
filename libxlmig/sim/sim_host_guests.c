/*
 * A simulated host's directory and its guests' definitions
 * (sim_host.h): what the simulator's migrations write as a guest
 * arrives and remove as it leaves.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "names.h"
#include "sim_host.h"
#include "write_atomic.h"

/* dir/<sub><name><suffix>, for a name that passes the inventory's rule. */
static int name_path(char *buf, size_t len, const char *what,
                     const char *name, const char *rule, const char *dir,
                     const char *sub, const char *suffix)
{
    if (!xlmig_inv_name_ok(name))
        return xlmig_name_refuse(what, name, rule);
    if (snprintf(buf, len, "%s/%s%s%s", dir, sub, name, suffix) >=
        (int)len) {
        xlmig_err(XLMIG_E_INVAL, "%s %s: path too long", what, name);
        return XLMIG_E_INVAL;
    }
    return 0;
}

int xlmig_sim_host_dir(const char *root, const char *host, char *buf,
                       size_t len)
{
    struct stat st;
    int rc;

    rc = name_path(buf, len, "simulated host", host, XLMIG_NAME_PEER_RULE,
                   root, "", "");
    if (rc)
        return rc;
    if (stat(buf, &st) || !S_ISDIR(st.st_mode)) {
        xlmig_err(XLMIG_E_INVAL, "simulated host %s: no directory %s",
                  host, buf);
        return XLMIG_E_INVAL;
    }
    return 0;
}

static int def_path(char *buf, size_t len, const char *dir,
                    const char *name)
{
    return name_path(buf, len, "simulated guest", name,
                     XLMIG_NAME_WORD_RULE, dir, "guests/", ".conf");
}

static int format_def(const xlmig_inv_guest *g, char *body, size_t len,
                      size_t *used_out)
{
    size_t used;
    unsigned r, p;

    used = (size_t)snprintf(body, len,
                            "name = %s\nmem_mib = %llu\nprofile = %s\n",
                            g->name, (unsigned long long)g->mem_mib,
                            g->profile[0] ? g->profile : "idle");
    if (g->nres && used < len) {
        used += (size_t)snprintf(body + used, len - used, "drbd =");
        for (r = 0; r < g->nres && used < len; r++) {
            used += (size_t)snprintf(body + used, len - used, " %s:",
                                     g->res[r].name);
            for (p = 0; p < g->res[r].npeers && used < len; p++)
                used += (size_t)snprintf(body + used, len - used, "%s%s",
                                         p ? "," : "", g->res[r].peers[p]);
        }
        if (used < len)
            used += (size_t)snprintf(body + used, len - used, "\n");
    }
    if (used >= len) {
        xlmig_err(XLMIG_E_INVAL, "guest record for %s is too long",
                  g->name);
        return XLMIG_E_INVAL;
    }
    *used_out = used;
    return 0;
}

int xlmig_sim_host_guest_put(const char *dir, const xlmig_inv_guest *g)
{
    char path[4400], body[4096];
    size_t used;
    int rc;

    if (snprintf(path, sizeof(path), "%s/host.conf", dir) >=
        (int)sizeof(path)) {
        xlmig_err(XLMIG_E_INVAL, "simulated host: path too long");
        return XLMIG_E_INVAL;
    }
    if (access(path, F_OK))
        return 0;               /* not a --sim-state host: no list */
    snprintf(path, sizeof(path), "%s/guests", dir);
    if (mkdir(path, 0755) && errno != EEXIST) {
        xlmig_err(XLMIG_E_IO, "cannot create %s: %s", path,
                  strerror(errno));
        return XLMIG_E_IO;
    }
    rc = def_path(path, sizeof(path), dir, g->name);
    if (!rc)
        rc = format_def(g, body, sizeof(body), &used);
    return rc ? rc : xlmig_write_atomic(path, body, used);
}

int xlmig_sim_host_guest_remove(const char *dir, const char *name)
{
    char path[4400];
    int rc;

    rc = def_path(path, sizeof(path), dir, name);
    return rc ? rc : xlmig_remove_file(path);
}
