/*
 * The source's local-disk hooks: the guest's LVs judged (disk rows),
 * described in the request, set up and put onto DRBD at prepare, the
 * sync waited for with progress, checked at the switchover, torn down
 * at the commit (the LV kept) or undone at a rollback.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "clock.h"
#include "error.h"
#include "json_guard.h"
#include "ldisk_priv.h"
#include "progress.h"

/* The source LV behind target: looked up, judged, a minor chosen. */
static bool judge_src(xlmig_ldisk_ctx *l, const char *vdev,
                      const char *vg, const char *lvname, char *why,
                      size_t sz)
{
    static xlmig_ldisk_table t;
    xlmig_ldisk_disk *d = &l->disks[l->n];
    char full[2 * XLMIG_LDISK_NAME_MAX + 2], dm[2 * XLMIG_LDISK_NAME_MAX + 2];
    const char *lvs[] = { "lvs", "--reportformat", "json", "--units", "b",
                          "--nosuffix", "-o", XLMIG_LDISK_LVS_FIELDS, full,
                          NULL };
    const char *tab[] = { "dmsetup", "table", dm, NULL };
    const char *inf[] = { "dmsetup", "info", "-c", "--noheadings", "-o",
                          "open", dm, NULL };
    char *out = NULL;
    size_t len = 0;
    unsigned n = 0;
    long open_count;
    int m;

    memset(d, 0, sizeof(*d));
    snprintf(d->vdev, sizeof(d->vdev), "%s", vdev);
    snprintf(full, sizeof(full), "%s/%s", vg, lvname);
    if (xlmig_ldisk_dm_name(vg, lvname, dm, sizeof(dm)) ||
        xlmig_ldisk_query(l, lvs, &out, &len) ||
        xlmig_ldisk_parse_lvs(out, len, "lvs", &d->lv, 1, &n) || n != 1) {
        snprintf(why, sz, "%.120s: %.120s", full, n != 1 && !xlmig_errmsg()[0]
                 ? "not one LV" : xlmig_errmsg());
        goto bad;
    }
    free(out);
    out = NULL;
    if (xlmig_ldisk_lv_refused(&d->lv, why, sz))
        goto bad;
    if (xlmig_ldisk_query(l, tab, &out, &len) ||
        xlmig_ldisk_parse_table(out, len, dm, &t)) {
        snprintf(why, sz, "%s", xlmig_errmsg());
        goto bad;
    }
    free(out);
    out = NULL;
    if (t.sectors * XLMIG_LDISK_SECTOR != d->lv.size) {
        snprintf(why, sz, "%.120s: its table maps %" PRIu64 " sectors, the LV"
                 " is %" PRIu64 " bytes", full, t.sectors, d->lv.size);
        goto bad;
    }
    /* blkback holds one open per disk: more is another user. */
    if (xlmig_ldisk_query(l, inf, &out, &len) ||
        (open_count = strtol(out, NULL, 10)) < 0 || open_count > 1) {
        snprintf(why, sz, "%.120s is open %s: shared with another guest or"
                 " user?", full, out ? out : "?");
        goto bad;
    }
    free(out);
    out = NULL;
    for (m = l->conf.minor_lo; m <= l->conf.minor_hi; m++)
        if (xlmig_ldisk_minor_free(l, m, l->n))
            break;
    if (m > l->conf.minor_hi) {
        snprintf(why, sz, "no free DRBD minor in local_disk_minors %d-%d",
                 l->conf.minor_lo, l->conf.minor_hi);
        goto bad;
    }
    d->minor = m;
    d->port = l->conf.port_lo + (m - l->conf.minor_lo);
    d->md_bytes = xlmig_ldisk_md_bytes(d->lv.size, 1);
    snprintf(d->dst_vg, sizeof(d->dst_vg), "%s",
             l->conf.vg[0] ? l->conf.vg : vg);
    snprintf(why, sz, "%.120s: local LV, %" PRIu64 " bytes, carried over"
             " DRBD minor %d to %s/%s", full, d->lv.size, m, d->dst_vg,
             d->lv.lv);
    l->n++;
    return true;
bad:
    free(out);
    xlmig_err_clear();
    return false;
}

static const char *jstr(yajl_val o, const char *key)
{
    const char *path[] = { key, NULL };
    yajl_val v = yajl_tree_get(o, path, yajl_t_string);

    return v ? YAJL_GET_STRING(v) : NULL;
}

void xlmig_ldisk_src_disks(void *arg, const xlmig_domain_info *di,
                           xlmig_checks *c)
{
    xlmig_ldisk_ctx *l = arg;
    const char *dpath[] = { "disks", NULL };
    char err[128], why[256], vg[XLMIG_LDISK_NAME_MAX];
    char lvname[XLMIG_LDISK_NAME_MAX];
    yajl_val root = NULL, disks;
    size_t i;

    if (l->inner && l->inner->src_disks)
        l->inner->src_disks(l->inner->arg, di, c);
    l->is_src = true;
    l->n = 0;
    if (!l->enabled || !di->config ||
        xlmig_json_parse(di->config, strlen(di->config), "domain config",
                         &root, err, sizeof(err))) {
        xlmig_err_clear();
        return;
    }
    disks = yajl_tree_get(root, dpath, yajl_t_array);
    for (i = 0; disks && i < YAJL_GET_ARRAY(disks)->len; i++) {
        yajl_val d = YAJL_GET_ARRAY(disks)->values[i];
        const char *vdev = jstr(d, "vdev"), *target = jstr(d, "pdev_path");
        const char *script = jstr(d, "script");
        char name[48];
        unsigned k;
        bool passed = false;

        if (!vdev || !target || xlmig_drbd_is_disk(script, target))
            continue;
        snprintf(name, sizeof(name), "disk %.40s", vdev);
        for (k = 0; k < c->n; k++)
            if (!strcmp(c->items[k].name, name) && c->items[k].ok)
                passed = true;
        if (passed)
            continue;             /* shared storage, an empty CD-ROM */
        if (!xlmig_ldisk_target_lv(target, vg, lvname, sizeof(vg))) {
            xlmig_ldisk_set_row(c, "source", vdev, false, target[0] == '/' &&
                    strncmp(target, "/dev/", 5) ? "a file disk: only LVM"
                    " logical volumes are carried (--with-local-disks)"
                    : "not an LVM logical volume: not carried");
            continue;
        }
        if (l->n >= XLMIG_LDISK_MAX_DISKS) {
            xlmig_ldisk_set_row(c, "source", vdev, false,
                                "more than 8 local disks");
            continue;
        }
        xlmig_ldisk_set_row(c, "source", vdev,
                            judge_src(l, vdev, vg, lvname, why, sizeof(why)),
                            why);
    }
    if (l->n && !xlmig_ldisk_addr_ok(l->self.addr))
        xlmig_checks_add(c, "source", "local disk address", false, "%s",
                         l->self.addr[0] ? "local_disk_address is not an"
                         " IP address" : "no address of this host"
                         " reaches the destination: set"
                         " local_disk_address in xlmig.conf");
    else if (l->n && !xlmig_ldisk_addr_ok(l->peer.addr))
        xlmig_checks_add(c, "source", "local disk address", false, "the"
                         " destination %.60s has no IP address here: set"
                         " migration_address.%.60s to its IP",
                         l->peer.name, l->peer.name);
    if (l->n)
        xlmig_checks_add(c, "source", "drbd module",
                         xlmig_ldisk_drbd_loaded(), "%s",
                         xlmig_ldisk_drbd_loaded() ? "loaded: local disks"
                         " move over a temporary resource" : "not loaded"
                         " (modprobe drbd): local disks cannot be"
                         " carried");
    yajl_tree_free(root);
}

int xlmig_ldisk_src_request(void *arg, xlmig_msg *req)
{
    xlmig_ldisk_ctx *l = arg;

    if (l->inner && l->inner->src_request) {
        int rc = l->inner->src_request(l->inner->arg, req);

        if (rc)
            return rc;
    }
    if (!l->n)
        return 0;
    free(req->local_disks);
    req->local_disks = NULL;
    return xlmig_ldisk_wire_encode(l, &req->local_disks);
}

int xlmig_ldisk_src_prepare(void *arg)
{
    xlmig_ldisk_ctx *l = arg;
    unsigned i;
    int rc = 0;

    if (l->inner && l->inner->src_prepare &&
        (rc = l->inner->src_prepare(l->inner->arg)))
        return rc;
    for (i = 0; i < l->n && !rc; i++) {
        rc = xlmig_ldisk_plan_src_setup(&l->conf, &l->disks[i], &l->self,
                                        &l->peer, &l->setup[i]);
        if (!rc)
            rc = xlmig_ldisk_run_plan(l, i, &l->setup[i], "setup",
                                      &l->setup_done[i]);
    }
    if (rc) {
        xlmig_err_saved saved;

        xlmig_err_save(&saved);
        xlmig_ldisk_undo_all(l);
        xlmig_err_restore(&saved);
    }
    return rc;
}

int xlmig_ldisk_src_sync(void *arg, struct xlmig_progress *p,
                         volatile int *cancel, int (*keepalive)(void *ka),
                         void *ka)
{
    xlmig_ldisk_ctx *l = arg;
    uint64_t t0 = xlmig_now_ns(), total = 0, oos = 0, last_oos = 0;
    uint64_t t_last = t0, t_ka = t0;
    double rate = 0;
    bool done = false, lost = false;
    unsigned i;
    int rc;

    if (l->inner && l->inner->src_sync &&
        (rc = l->inner->src_sync(l->inner->arg, p, cancel, keepalive,
                                 ka)))
        return rc;
    if (!l->n)
        return 0;
    for (i = 0; i < l->n; i++)
        total += l->disks[i].lv.size;
    if (p)
        xlmig_progress_phase(p, "sync");
    last_oos = total;
    for (;;) {
        xlmig_progress_sample s = { .phase = "sync", .mem_bytes = total };
        uint64_t now;

        rc = xlmig_ldisk_sync_total(l, &oos, &done, &lost);
        if (rc)
            return rc;
        now = xlmig_now_ns();
        if (now > t_last && last_oos >= oos) {
            double r = (double)(last_oos - oos) * 1e9 /
                       (double)(now - t_last);

            rate = rate ? 0.7 * rate + 0.3 * r : r;
        }
        last_oos = oos;
        t_last = now;
        s.sent_bytes = total > oos ? total - oos : 0;
        s.remaining_bytes = oos;
        s.tx_Bps = rate;
        if (p)
            xlmig_progress_update(p, &s, done);
        if (done) {
            /* Percent never goes back within a phase; the memory phase
             * that follows counts from its own start. */
            if (p)
                p->pct = 0;
            return 0;
        }
        if (cancel && *cancel) {
            xlmig_err(XLMIG_E_ABORTED, "local disks: sync cancelled with"
                      " %" PRIu64 " bytes to go", oos);
            return XLMIG_E_ABORTED;
        }
        if (lost && now - t0 > XLMIG_S(10)) {
            xlmig_err(XLMIG_E_EXTERNAL, "local disks: the sync lost its"
                      " peer or its disk, %" PRIu64 " bytes to go", oos);
            return XLMIG_E_EXTERNAL;
        }
        if (now - t0 > l->sync_timeout_ns) {
            xlmig_err(XLMIG_E_TIMEOUT, "local disks: not in sync after"
                      " %" PRIu64 " s, %" PRIu64 " bytes to go",
                      (uint64_t)(l->sync_timeout_ns / XLMIG_S(1)), oos);
            return XLMIG_E_TIMEOUT;
        }
        if (keepalive && now - t_ka >= XLMIG_S(10)) {
            rc = keepalive(ka);
            if (rc)
                return rc;
            t_ka = now;
        }
        xlmig_sleep_ns(l->poll_ns);
    }
}

int xlmig_ldisk_src_verify(void *arg)
{
    xlmig_ldisk_ctx *l = arg;
    uint64_t oos;
    bool done, lost;
    int rc;

    if (l->inner && l->inner->src_verify &&
        (rc = l->inner->src_verify(l->inner->arg)))
        return rc;
    if (!l->n)
        return 0;
    rc = xlmig_ldisk_sync_total(l, &oos, &done, &lost);
    if (!rc && !done) {
        xlmig_err(XLMIG_E_EXTERNAL, "local disks: not in sync at the"
                  " switchover (%" PRIu64 " bytes out of sync)", oos);
        rc = XLMIG_E_EXTERNAL;
    }
    return rc;
}

int xlmig_ldisk_src_commit(void *arg)
{
    xlmig_ldisk_ctx *l = arg;

    return xlmig_ldisk_close(l, l->inner ? l->inner->src_commit : NULL,
                             xlmig_ldisk_teardown_all);
}

int xlmig_ldisk_src_rollback(void *arg)
{
    xlmig_ldisk_ctx *l = arg;
    int rc;

    rc = xlmig_ldisk_close(l, l->inner ? l->inner->src_rollback : NULL,
                           xlmig_ldisk_undo_all);
    /* This side first (its forced disconnect frees the peer's), then
     * the destination's, whether or not its receiver lives: one that
     * died left its side up, Primary, with its journal. A failure
     * there is its own warning line; the move has failed anyway. */
    if (l->n && l->peer_host[0] && !(l->peer_ssh && !*l->peer_ssh)) {
        xlmig_err_saved saved;

        xlmig_err_save(&saved);
        xlmig_ldisk_peer_cleanup(l);
        xlmig_err_restore(&saved);
    }
    return rc;
}
