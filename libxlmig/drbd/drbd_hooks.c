/*
 * The DRBD side of a migration, as xlmig_hooks for the phase machine.
 * Each host runs its own half; neither reaches into the other:
 *
 *   source                          destination
 *   precheck: resources ready,      check: same, from its side; not
 *     peer = destination              Primary here yet
 *   prepare: two-primaries on       prepare: two-primaries on, tokens,
 *                                     promote (ahead of the hotplug add)
 *   verify (guest stopped, before
 *     go): still Connected,
 *     UpToDate/UpToDate
 *   commit: demote if the destroy   commit: tokens gone; two-primaries
 *     did not; two-primaries off      off once the source is Secondary
 *   rollback: two-primaries off     rollback: demote, tokens gone,
 *     once the peer is Secondary      two-primaries off
 *
 * A failure to read DRBD state at check time is a refusal (a failed
 * check row), not an internal error.
 */
#include "drbd.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "error.h"

static bool same_host(const char *a, const char *b)
{
    size_t la = strcspn(a, "."), lb = strcspn(b, ".");

    if (!strcasecmp(a, b))
        return true;
    return la == lb && !strncasecmp(a, b, la) && (!a[la] || !b[lb]);
}

/* Turn the recorded error into a failed check row. */
static void fail_row(xlmig_checks *c, const char *where, const char *name)
{
    xlmig_checks_add(c, where, name, false, "%s", xlmig_errmsg());
    xlmig_err_clear();
}

static void check_one(xlmig_drbd *d, xlmig_drbd_res *r, const char *where,
                      const char *peer_host, bool source, xlmig_checks *c)
{
    xlmig_drbd_role want = source ? XLMIG_DRBD_ROLE_PRIMARY
                                  : XLMIG_DRBD_ROLE_SECONDARY;
    xlmig_drbd_show_res n;
    xlmig_drbd_state s;
    char name[48];

    snprintf(name, sizeof(name), "drbd %.40s", r->name);
    if (peer_host && *peer_host && !same_host(r->peer, peer_host)) {
        xlmig_checks_add(c, where, name, false, "its DRBD peer is %s, not"
                         " the %s %s", r->peer, source ? "destination" :
                         "source", peer_host);
        return;
    }
    if (xlmig_drbd_query(d, r->name, &s) ||
        xlmig_drbd_query_net(d, r->name, &n)) {
        fail_row(c, where, name);
        return;
    }
    if (s.nconn > 1 || n.nconn > 1)
        xlmig_checks_add(c, where, name, false, "%u peers, %u of them"
                         " Primary; two-node resources only",
                         s.nconn > n.nconn ? s.nconn : n.nconn,
                         s.peer_primaries);
    else if (!xlmig_drbd_state_synced(&s))
        xlmig_checks_add(c, where, name, false, "not in sync: connection"
                         " %s, replication %s, disks %s/%s (needs"
                         " Connected, UpToDate/UpToDate)", s.cstate,
                         s.repl, s.disk, s.peer_disk);
    else if (n.protocol != 'C')
        xlmig_checks_add(c, where, name, false, "protocol %c; two"
                         " primaries need protocol C", n.protocol);
    else if (s.role != want || s.peer_role == want)
        xlmig_checks_add(c, where, name, false, "roles %s/%s here; expected"
                         " %s/%s (%s)", xlmig_drbd_role_str(s.role),
                         xlmig_drbd_role_str(s.peer_role),
                         xlmig_drbd_role_str(want),
                         xlmig_drbd_role_str(source ?
                             XLMIG_DRBD_ROLE_SECONDARY :
                             XLMIG_DRBD_ROLE_PRIMARY),
                         source ? "the guest runs here" :
                                  "the guest runs on the source");
    else
        xlmig_checks_add(c, where, name, true, "Connected, UpToDate/"
                         "UpToDate, protocol C, %s/%s, peer %s%s",
                         xlmig_drbd_role_str(s.role),
                         xlmig_drbd_role_str(s.peer_role), r->peer,
                         n.two_primaries ? "; two primaries already"
                         " allowed" : "");
}

static void check_all(xlmig_drbd *d, const char *config, const char *where,
                      const char *peer_host, bool source, xlmig_checks *c)
{
    unsigned i;

    if (xlmig_drbd_find_resources(d, config)) {
        fail_row(c, where, "drbd");
        return;
    }
    if (!d->nres) {
        xlmig_checks_add(c, where, "drbd", true, "no DRBD disks");
        return;
    }
    for (i = 0; i < d->nres; i++)
        check_one(d, &d->res[i], where, peer_host, source, c);
}

/* ---- source ---- */

static int src_precheck(void *arg, const xlmig_domain_info *di,
                        const char *dest_host, xlmig_checks *c)
{
    xlmig_drbd *d = arg;

    check_all(d, di->config, "source", dest_host, true, c);
    return 0;
}

/*
 * Unreadable resources give none here; src_precheck, which resolves
 * them again (a few drbdadm calls, nothing touched yet), says why.
 */
static int src_peers(void *arg, const xlmig_domain_info *di,
                     xlmig_inv_res *res, unsigned max, unsigned *n)
{
    xlmig_drbd *d = arg;
    unsigned i;

    *n = 0;
    if (xlmig_drbd_find_resources(d, di->config)) {
        xlmig_err_clear();
        return 0;
    }
    for (i = 0; i < d->nres && *n < max; i++, (*n)++) {
        memset(&res[*n], 0, sizeof(res[*n]));
        snprintf(res[*n].name, sizeof(res[*n].name), "%s", d->res[i].name);
        snprintf(res[*n].peers[0], sizeof(res[*n].peers[0]), "%s",
                 d->res[i].peer);
        res[*n].npeers = 1;
    }
    return 0;
}

static int src_prepare(void *arg)
{
    xlmig_drbd *d = arg;
    unsigned i;
    int rc;

    for (i = 0; i < d->nres; i++) {
        rc = xlmig_drbd_open_window(d, &d->res[i]);
        if (!rc)
            rc = xlmig_drbd_wait_synced(d, &d->res[i], d->sync_timeout_ns);
        if (rc)
            return rc;
    }
    return 0;
}

/*
 * The guest is stopped and will not write again here. With protocol C
 * every write it made while Connected is on the peer too; a link lost
 * (and not resynced) since the window opened means the destination's
 * disks may miss some: it must not take over.
 */
static int src_verify(void *arg)
{
    xlmig_drbd *d = arg;
    xlmig_drbd_state s;
    unsigned i;
    int rc;

    for (i = 0; i < d->nres; i++) {
        rc = xlmig_drbd_query_fast(d, &d->res[i], &s);
        if (rc)
            return rc;
        if (!xlmig_drbd_state_synced(&s)) {
            xlmig_err(XLMIG_E_CHECK, "drbd %s: %s, disks %s/%s at the"
                      " switchover: the destination's copy may miss"
                      " writes; the guest stays here", d->res[i].name,
                      s.cstate, s.disk, s.peer_disk);
            return XLMIG_E_CHECK;
        }
    }
    return 0;
}

static int src_close(xlmig_drbd *d, bool demote)
{
    xlmig_err_saved e;
    unsigned i;
    int rc, first = 0;

    /*
     * Every resource gets its chance, whatever the others did. The
     * first failure goes to the caller; later ones are warned here.
     */
    for (i = 0; i < d->nres; i++) {
        rc = xlmig_drbd_close_window(d, &d->res[i], demote);
        if (!rc)
            continue;
        if (!first) {
            first = rc;
            xlmig_err_save(&e);
        } else {
            XLMIG_WARN("%s", xlmig_errmsg());
            xlmig_err_clear();
        }
    }
    if (first)
        xlmig_err_restore(&e);
    return first;
}

/* The destroy's hotplug remove demoted us, normally; make sure. */
static int src_commit(void *arg)
{
    return src_close(arg, true);
}

/* The guest stays here, Primary; the peer's rollback demotes it. */
static int src_rollback(void *arg)
{
    return src_close(arg, false);
}

/* ---- destination ---- */

static int dst_check(void *arg, const xlmig_msg *req, const char *src_host,
                     xlmig_checks *c)
{
    xlmig_drbd *d = arg;

    snprintf(d->dom_name, sizeof(d->dom_name), "%s",
             req->name ? req->name : "");
    snprintf(d->dom_uuid, sizeof(d->dom_uuid), "%s",
             req->uuid ? req->uuid : "");
    check_all(d, req->config, "dest", src_host, false, c);
    return 0;
}

static int dst_prepare(void *arg, const xlmig_msg *req)
{
    xlmig_drbd *d = arg;
    unsigned i;
    int rc;

    (void)req;
    for (i = 0; i < d->nres; i++) {
        xlmig_drbd_res *r = &d->res[i];

        rc = xlmig_drbd_open_window(d, r);
        if (!rc)
            rc = xlmig_drbd_token_write(d, r->name);
        if (!rc)
            d->tokens_written = true;
        /* Never promote on data that is not current (Ganeti's lesson). */
        if (!rc)
            rc = xlmig_drbd_wait_synced(d, r, d->sync_timeout_ns);
        if (!rc)
            rc = xlmig_drbd_promote(d, r);
        if (rc)
            return rc;
        /* The hotplug add inside the downtime then runs no drbdadm. */
        if (xlmig_drbd_ready_write(d, r)) {
            XLMIG_WARN("drbd %s: the hotplug script will take its full"
                       " path: %s", r->name, xlmig_errmsg());
            xlmig_err_clear();
        }
    }
    return 0;
}

static int dst_close(xlmig_drbd *d, bool demote)
{
    unsigned i;
    int rc, first = 0;

    for (i = 0; i < d->nres; i++) {
        if (d->tokens_written &&
            xlmig_drbd_token_remove(d, d->res[i].name))
            XLMIG_WARN("%s", xlmig_errmsg());
        if (d->tokens_written)
            xlmig_drbd_prepared_remove(d, d->res[i].name);
        rc = xlmig_drbd_close_window(d, &d->res[i], demote);
        if (rc) {
            XLMIG_WARN("%s", xlmig_errmsg());
            if (!first)
                first = rc;
        }
    }
    d->tokens_written = false;
    return first;
}

static void dst_hotplug(void *arg, uint64_t *ns, unsigned *fast,
                        unsigned *n)
{
    xlmig_drbd_took_sum(arg, ns, fast, n);
}

/* The guest runs here now: keep Primary, wait for the source to drop. */
static int dst_commit(void *arg)
{
    return dst_close(arg, false);
}

/* The incoming domain is gone already; so must our Primary be. */
static int dst_rollback(void *arg)
{
    return dst_close(arg, true);
}

int xlmig_drbd_hooks_init(xlmig_drbd *d, xlmig_hooks *out)
{
    memset(out, 0, sizeof(*out));
    out->arg = d;
    out->src_precheck = src_precheck;
    out->src_peers = src_peers;
    out->src_prepare = src_prepare;
    out->src_verify = src_verify;
    out->src_commit = src_commit;
    out->src_rollback = src_rollback;
    out->dst_check = dst_check;
    out->dst_prepare = dst_prepare;
    out->dst_commit = dst_commit;
    out->dst_rollback = dst_rollback;
    out->dst_hotplug = dst_hotplug;
    return 0;
}

void xlmig_drbd_hooks_dispose(xlmig_drbd *d, xlmig_hooks *out)
{
    (void)d;
    memset(out, 0, sizeof(*out));
}
