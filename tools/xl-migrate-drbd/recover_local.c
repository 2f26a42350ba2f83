/*
 * This host's side of recover and inspect: its view, its actions, and
 * the guest's lock they act under.
 */
#include <stdio.h>

#include "cli.h"
#include "error.h"
#include "recover_cli.h"
#include "sim_host.h"

int rec_local_inspect(const rec_opts *o, xlmig_host_view *v)
{
    return o->sim ? xlmig_sim_host_inspect(o->host_dir, o->domain, v)
                  : xlmig_xen_host_inspect(o->domain, &o->hint, v);
}

int rec_local_act(const rec_opts *o, const xlmig_action *a)
{
    int rc = o->sim ? xlmig_sim_host_act(o->host_dir, o->domain, a)
                    : xlmig_xen_host_act(o->domain, &o->hint, a);

    /* Running again here, as after a rollback: it needs a monitor. */
    if (!rc && !o->sim &&
        (a->act == XLMIG_ACT_RESUME || a->act == XLMIG_ACT_UNPAUSE))
        cli_leave_monitor(o->domain, true, false);
    return rc;
}

/* The guest's lock on this host: where, and under which name. */
static int lock_where(const rec_opts *o, const char *uuid, char *dir,
                      size_t len, char *name, bool *none)
{
    const char *d;
    int rc;

    *none = true;
    rc = xlmig_lock_dir_default(o->sim, dir, len, &d);
    if (rc || !d || !uuid[0])
        return rc;          /* no lock directory, or nothing to key by */
    rc = xlmig_lock_guest_name(uuid, name, XLMIG_LOCK_NAME_LEN);
    *none = rc != 0;
    return rc;
}

/*
 * Take the guest's lock here before acting: a live migration or
 * receiver settles itself, so recover waits for it (refused, naming
 * it); a dead one's lock is free. A dry run only looks.
 */
int rec_lock_here(const rec_opts *o, const char *uuid, xlmig_lock *l)
{
    char dir[4200], name[XLMIG_LOCK_NAME_LEN], what[200], who[128];
    xlmig_lock_holder h;
    bool none;
    int rc;

    rc = lock_where(o, uuid, dir, sizeof(dir), name, &none);
    if (rc || none)
        return rc;
    snprintf(what, sizeof(what), "guest %s (uuid %s)", o->domain, uuid);
    if (!o->dry_run)
        return xlmig_lock_take(l, dir, name, "recover", what, NULL);
    rc = xlmig_lock_probe(dir, name, &h);
    if (rc <= 0)
        return rc;
    xlmig_lock_holder_str(&h, who, sizeof(who));
    xlmig_err_replace(XLMIG_E_CHECK, "%s is locked by %s; try again when"
                      " it ends", what, who);
    return XLMIG_E_CHECK;
}

/* Who holds the guest's lock here, for the view inspect prints. */
void rec_probe_here(const rec_opts *o, xlmig_host_view *v)
{
    char dir[4200], name[XLMIG_LOCK_NAME_LEN];
    xlmig_lock_holder h;
    bool none;

    if (!lock_where(o, v->uuid[0] ? v->uuid : o->hint.uuid, dir,
                    sizeof(dir), name, &none) && !none &&
        xlmig_lock_probe(dir, name, &h) == 1)
        xlmig_lock_holder_str(&h, v->locked_by, sizeof(v->locked_by));
    xlmig_err_clear();
}
