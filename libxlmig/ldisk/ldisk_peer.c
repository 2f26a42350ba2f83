/*
 * The destination's leftovers, cleaned from the source: after a
 * rollback the source runs `xl-migrate-drbd cleanup --resource
 * xlmig-M...` on the destination over a fresh transport connection,
 * as recover runs inspect there. A receiver alive rolls back its own
 * side (cleanup waits for it and then finds nothing); one that died
 * (killed, its host's dom0 OOM) left its journal, which cleanup
 * finishes. docs/design.md, "Local disks: rollback when the
 * destination's mover dies".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "error.h"
#include "ldisk_priv.h"
#include "transport.h"

/* How long cleanup there waits for a receiver still rolling back. */
#define PEER_WAIT_S 120

int xlmig_ldisk_peer_cleanup_line(const xlmig_ldisk_ctx *l, char *out,
                                  size_t sz)
{
    size_t o;
    unsigned i;
    int r;

    r = snprintf(out, sz, "xl-migrate-drbd cleanup --wait %d", PEER_WAIT_S);
    for (i = 0; i < l->n && r > 0 && (size_t)r < sz; i++) {
        o = (size_t)r;
        r = snprintf(out + o, sz - o, " --resource xlmig-%d",
                     l->disks[i].minor);
        r = r < 0 ? r : r + (int)o;
    }
    if (!l->n || r < 0 || (size_t)r >= sz) {
        xlmig_err(XLMIG_E_INVAL, "local disks: no cleanup line for the"
                  " destination");
        return XLMIG_E_INVAL;
    }
    return 0;
}

int xlmig_ldisk_peer_cleanup_cmd(const xlmig_ldisk_ctx *l, xlmig_cmd *c)
{
    char line[64 + 32 * XLMIG_LDISK_MAX_DISKS];
    int rc;

    if (!l->peer_host[0] || (l->peer_ssh && !*l->peer_ssh)) {
        xlmig_err(XLMIG_E_INVAL, "local disks: the destination is a local"
                  " receiver command, not a host to reach");
        return XLMIG_E_INVAL;
    }
    rc = xlmig_ldisk_peer_cleanup_line(l, line, sizeof(line));
    if (!rc)
        rc = xlmig_transport_cmd(c, l->peer_ssh, l->peer_host, line);
    if (!rc && c->argc >= XLMIG_LDISK_ARGS) {
        xlmig_err(XLMIG_E_INVAL, "local disks: the ssh command has more"
                  " than %d words", XLMIG_LDISK_ARGS - 5);
        rc = XLMIG_E_INVAL;
    }
    return rc;
}

/* What this move may have left there, for the line that says so. */
static void left_there(const xlmig_ldisk_ctx *l, char *out, size_t sz,
                       char *res, size_t rsz)
{
    size_t o = 0, ro = 0;
    unsigned i;

    out[0] = res[0] = 0;
    for (i = 0; i < l->n && o + 1 < sz && ro + 1 < rsz; i++) {
        const xlmig_ldisk_disk *d = &l->disks[i];

        o += (size_t)snprintf(out + o, sz - o, "%sLV %s/%s, metadata LV"
                              " %s/xlmig-%d-md, DRBD resource xlmig-%d",
                              i ? "; " : "", d->dst_vg, d->lv.lv,
                              d->dst_vg, d->minor, d->minor);
        ro += (size_t)snprintf(res + ro, rsz - ro, " --resource xlmig-%d",
                               d->minor);
    }
}

/* Its stdout, line by line, in our log: what it finished. */
static void log_lines(const xlmig_ldisk_ctx *l, char *out)
{
    char *save = NULL, *line;

    for (line = out ? strtok_r(out, "\n", &save) : NULL; line;
         line = strtok_r(NULL, "\n", &save))
        xlmig_log(XLMIG_LOG_INFO, "%s: %.200s", l->peer.name, line);
}

int xlmig_ldisk_peer_cleanup(xlmig_ldisk_ctx *l)
{
    char what[160 * XLMIG_LDISK_MAX_DISKS], res[32 * XLMIG_LDISK_MAX_DISKS];
    char err[256] = "", why[320];
    uint64_t saved = l->cmd_timeout_ns;
    char *out = NULL;
    size_t len = 0;
    xlmig_cmd c;
    int rc, status = -1;

    if (!l->n)
        return 0;
    xlmig_cmd_init(&c);
    rc = xlmig_ldisk_peer_cleanup_cmd(l, &c);
    if (rc)
        goto out;
    /* Its own wait, then a few LVM and DRBD commands there. */
    l->cmd_timeout_ns = XLMIG_S(PEER_WAIT_S) + l->cmd_timeout_ns * 2;
    rc = l->runner.run(l->runner.arg, (const char *const *)c.argv,
                       &status, &out, &len, err, sizeof(err));
    l->cmd_timeout_ns = saved;
    if (!rc && status) {
        size_t n = strlen(err);

        while (n && (err[n - 1] == '\n' || err[n - 1] == ' '))
            err[--n] = 0;
        xlmig_err(XLMIG_E_REMOTE, "exit %d%s%.200s", status,
                  err[0] ? ": " : "", err);
        rc = XLMIG_E_REMOTE;
    }
    if (!rc)
        log_lines(l, out);
out:
    if (rc) {
        snprintf(why, sizeof(why), "%s", xlmig_errmsg());
        left_there(l, what, sizeof(what), res, sizeof(res));
        XLMIG_WARN("the destination %s may keep what this move set up there"
                   " (%s): cleaning it from here failed (%s); run there:"
                   " xl-migrate-drbd cleanup%s", l->peer.name, what, why,
                   res);
        xlmig_err_clear();
    }
    free(out);
    xlmig_cmd_dispose(&c);
    return rc;
}
