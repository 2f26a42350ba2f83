/*
 * The destination's local-disk hooks: its VG, room and names checked
 * against the request, the new LV and DRBD set up at prepare (the sync
 * starts), Primary with its guest's LV onto DRBD once connected, torn
 * down at the commit (the LV stays) or undone at a rollback.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "error.h"
#include "ldisk_journal.h"
#include "ldisk_priv.h"

/* The destination's verdict on disk d: its VG, free space, names. */
static bool judge_dst(xlmig_ldisk_ctx *l, const xlmig_ldisk_disk *d,
                      uint64_t *need, char *why, size_t sz)
{
    char full[2 * XLMIG_LDISK_NAME_MAX + 2];
    const char *vgs[] = { "vgs", "--reportformat", "json", "--units", "b",
                          "--nosuffix", "-o", XLMIG_LDISK_VGS_FIELDS,
                          d->dst_vg, NULL };
    const char *lvs[] = { "lvs", "--reportformat", "json", "--units", "b",
                          "--nosuffix", "-o", XLMIG_LDISK_LVS_FIELDS,
                          d->dst_vg, NULL };
    static xlmig_ldisk_lv lv[XLMIG_LDISK_MAX_LVS];
    xlmig_ldisk_vg vg;
    char *out = NULL, md[64];
    size_t len;
    unsigned n = 0, i;
    bool ok = false;

    snprintf(full, sizeof(full), "%s/%s", d->dst_vg, d->lv.lv);
    xlmig_ldisk_md_name(d->minor, md, sizeof(md));
    if (xlmig_ldisk_query(l, vgs, &out, &len) ||
        xlmig_ldisk_parse_vgs(out, len, "vgs", &vg, 1, &n) || n != 1) {
        snprintf(why, sz, "volume group %s: %s", d->dst_vg,
                 xlmig_errmsg()[0] ? xlmig_errmsg() : "not found");
        goto out;
    }
    free(out);
    out = NULL;
    *need += d->lv.size + d->md_bytes + 2 * vg.extent;
    if (vg.free < *need) {
        snprintf(why, sz, "volume group %s has %" PRIu64 " bytes free,"
                 " needs %" PRIu64 " (LV and DRBD metadata)", d->dst_vg,
                 vg.free, *need);
        goto out;
    }
    if (xlmig_ldisk_query(l, lvs, &out, &len) ||
        xlmig_ldisk_parse_lvs(out, len, "lvs", lv, XLMIG_LDISK_MAX_LVS,
                              &n)) {
        snprintf(why, sz, "%s", xlmig_errmsg());
        goto out;
    }
    for (i = 0; i < n; i++)
        if (!strcmp(lv[i].lv, d->lv.lv) || !strcmp(lv[i].lv, md)) {
            snprintf(why, sz, "%s/%s already exists here", d->dst_vg,
                     lv[i].lv);
            goto out;
        }
    if (!xlmig_ldisk_minor_free(l, d->minor, 0)) {
        snprintf(why, sz, "DRBD minor %d is in use here", d->minor);
        goto out;
    }
    snprintf(why, sz, "%.120s: to be created (%" PRIu64 " bytes; %s has %"
             PRIu64 " free)", full, d->lv.size, d->dst_vg, vg.free);
    ok = true;
out:
    free(out);
    xlmig_err_clear();
    return ok;
}

/*
 * What an earlier move left at d's minor here, its receiver dead before
 * its rollback (killed, and its source never reached us to clean):
 * finished as cleanup would, so this move can take the minor. Only a
 * destination's side before its commit; a running move's is left.
 */
static void reclaim(xlmig_ldisk_ctx *l, const xlmig_ldisk_disk *d)
{
    xlmig_ldisk_journal j;
    bool found = false;

    if (xlmig_ldisk_journal_read(&l->conf, d->minor, &j, &found) || !found ||
        j.is_src || !strcmp(j.stage, "teardown") ||
        xlmig_ldisk_journal_owned(&j)) {
        xlmig_err_clear();
        return;
    }
    XLMIG_WARN("local disk %s: xlmig-%d was left here by an earlier move"
               " whose receiver died (%s/%s, %s): cleaning it up", d->vdev,
               d->minor, j.disk.dst_vg, j.disk.lv.lv, j.stage);
    if (xlmig_ldisk_recover(&l->conf, &j, &l->runner)) {
        XLMIG_WARN("local disk %s: xlmig-%d: %s", d->vdev, d->minor,
                   xlmig_errmsg());
        xlmig_err_clear();
    }
}

int xlmig_ldisk_dst_check(void *arg, const xlmig_msg *req,
                          const char *src_host, xlmig_checks *c)
{
    xlmig_ldisk_ctx *l = arg;
    xlmig_ldisk_end own = l->self;
    char why[256];
    uint64_t need = 0;
    unsigned i;
    int rc;

    if (l->inner && l->inner->dst_check &&
        (rc = l->inner->dst_check(l->inner->arg, req, src_host, c)))
        return rc;

    l->is_src = false;
    l->n = 0;
    if (!req->local_disks)
        return 0;
    if (xlmig_ldisk_wire_decode(req->local_disks, strlen(req->local_disks),
                                l)) {
        xlmig_checks_add(c, "dest", "local disks", false, "%s",
                         xlmig_errmsg());
        xlmig_err_clear();
        return 0;
    }
    /* This host's own word on its name and address wins. */
    if (own.name[0] && strcmp(own.name, l->self.name))
        xlmig_checks_add(c, "dest", "local disk host", false, "the"
                         " request calls this host %.60s; DRBD knows it as"
                         " %.60s", l->self.name, own.name);
    if (own.addr[0])
        snprintf(l->self.addr, sizeof(l->self.addr), "%s", own.addr);
    xlmig_checks_add(c, "dest", "drbd module", xlmig_ldisk_drbd_loaded(),
                     "%s", xlmig_ldisk_drbd_loaded() ? "loaded"
                     : "not loaded (modprobe"
                     " drbd): local disks cannot be carried");
    for (i = 0; i < l->n; i++) {
        bool ok;

        if (l->conf.vg[0])
            memcpy(l->disks[i].dst_vg, l->conf.vg, sizeof(l->conf.vg));
        if (!req->dry_run)
            reclaim(l, &l->disks[i]);
        ok = judge_dst(l, &l->disks[i], &need, why, sizeof(why));

        xlmig_ldisk_set_row(c, "dest", l->disks[i].vdev, ok, why);
    }
    return 0;
}

/*
 * The carried config names the source's VG: where this host's differs,
 * its disks are pointed at the LVs here before anything is created
 * (and before the backend reads the config).
 */
/* A config that cannot be pointed here refuses the move (a check row);
 * only running out of memory is an error of ours. */
static int config_refused(xlmig_checks *c, int rc)
{
    if (rc == XLMIG_E_NOMEM)
        return rc;
    xlmig_checks_add(c, "dest", "local disk config", false, "%s",
                     xlmig_errmsg());
    xlmig_err_clear();
    return 0;
}

int xlmig_ldisk_dst_config(void *arg, char **config, char **xl_config,
                           xlmig_checks *c)
{
    xlmig_ldisk_ctx *l = arg;
    char *out = NULL;
    bool differs = false;
    unsigned i;
    int rc;

    if (l->inner && l->inner->dst_config &&
        (rc = l->inner->dst_config(l->inner->arg, config, xl_config, c)))
        return rc;
    for (i = 0; i < l->n; i++)
        differs |= strcmp(l->disks[i].dst_vg, l->disks[i].lv.vg) != 0;
    if (l->is_src || !differs)
        return 0;
    if (!*config) {
        xlmig_checks_add(c, "dest", "local disk config", false, "the"
                         " source sent no domain config to point at this"
                         " host's VG");
        return 0;
    }
    rc = xlmig_ldisk_config_rewrite(l->disks, l->n, *config,
                                    strlen(*config), &out);
    if (rc)
        return config_refused(c, rc);
    free(*config);
    *config = out;
    /* The file kept here (autostart, config follows) must agree. */
    if (*xl_config) {
        rc = xlmig_ldisk_xlcfg_rewrite(l->disks, l->n, *xl_config, &out);
        if (rc)
            return config_refused(c, rc);
        free(*xl_config);
        *xl_config = out;
    }
    xlmig_checks_add(c, "dest", "local disk config", true, "the guest's"
                     " local disks are named in volume group %s here",
                     l->disks[0].dst_vg);
    return 0;
}

/* Connected to the source, which is UpToDate: then this side may go
 * Primary (as SyncTarget, DRBD reads what is missing from the peer). */
static int wait_peer(xlmig_ldisk_ctx *l, unsigned i, uint64_t timeout_ns)
{
    uint64_t t0 = xlmig_now_ns();
    xlmig_ldisk_sync s;
    int rc;

    for (;;) {
        rc = xlmig_ldisk_sync_read(l, i, &s);
        if (rc)
            return rc;
        if (!strcmp(s.peer_disk, "UpToDate") &&
            (!strncmp(s.repl, "Sync", 4) || !strcmp(s.repl, "Connected") ||
             !strcmp(s.repl, "Established")))
            return 0;
        if (xlmig_now_ns() - t0 > timeout_ns) {
            xlmig_err(XLMIG_E_TIMEOUT, "local disk %s: DRBD resource"
                      " xlmig-%d not connected to the source's (%s, peer"
                      " %s)", l->disks[i].vdev, l->disks[i].minor, s.repl,
                      s.peer_disk);
            return XLMIG_E_TIMEOUT;
        }
        xlmig_sleep_ns(l->poll_ns);
    }
}

int xlmig_ldisk_dst_prepare(void *arg, const xlmig_msg *req)
{
    xlmig_ldisk_ctx *l = arg;
    unsigned i;
    int rc = 0;

    if (l->inner && l->inner->dst_prepare &&
        (rc = l->inner->dst_prepare(l->inner->arg, req)))
        return rc;
    for (i = 0; i < l->n && !rc; i++) {
        rc = xlmig_ldisk_plan_dst_setup(&l->conf, &l->disks[i], &l->peer,
                                        &l->self, &l->setup[i]);
        if (!rc)
            rc = xlmig_ldisk_run_plan(l, i, &l->setup[i], "setup",
                                      &l->setup_done[i]);
        /* Primary beside the source while the sync runs: DRBD reads
         * what is not yet here from the source. */
        if (!rc)
            rc = wait_peer(l, i, l->cmd_timeout_ns);
        if (!rc)
            rc = xlmig_ldisk_plan_dst_attach(&l->conf, &l->disks[i],
                                             &l->attach[i]);
        if (!rc)
            rc = xlmig_ldisk_run_plan(l, i, &l->attach[i], "attach",
                          &l->attach_done[i]);
    }
    if (rc) {
        xlmig_err_saved saved;

        xlmig_err_save(&saved);
        xlmig_ldisk_undo_all(l);
        xlmig_err_restore(&saved);
    }
    return rc;
}

int xlmig_ldisk_dst_commit(void *arg)
{
    xlmig_ldisk_ctx *l = arg;

    return xlmig_ldisk_close(l, l->inner ? l->inner->dst_commit : NULL,
                             xlmig_ldisk_teardown_all);
}

int xlmig_ldisk_dst_rollback(void *arg)
{
    xlmig_ldisk_ctx *l = arg;

    return xlmig_ldisk_close(l, l->inner ? l->inner->dst_rollback : NULL,
                             xlmig_ldisk_undo_all);
}
