/*
 * The local-disk move as phase-machine hooks (ldisk_hooks.h): the
 * checks on each side, then the plans of ldisk_plan.c run at prepare,
 * torn down at the commit and undone at a rollback.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "clock.h"
#include "error.h"
#include "json_guard.h"
#include "ldisk_hooks.h"
#include "ldisk_journal.h"
#include "progress.h"
#include "read_file.h"
#include "testhooks.h"

void xlmig_ldisk_ctx_init(xlmig_ldisk_ctx *l)
{
    memset(l, 0, sizeof(*l));
    xlmig_ldisk_conf_init(&l->conf);
    l->cmd_timeout_ns = XLMIG_S(60);
    l->sync_timeout_ns = XLMIG_S(6 * 3600);
    l->poll_ns = XLMIG_MS(500);
    xlmig_ldisk_runner_real(&l->runner, &l->cmd_timeout_ns);
    snprintf(l->proc_path, sizeof(l->proc_path), "/proc/drbd");
}

void xlmig_ldisk_ctx_dispose(xlmig_ldisk_ctx *l)
{
    unsigned i;

    for (i = 0; i < XLMIG_LDISK_MAX_DISKS; i++) {
        xlmig_ldisk_plan_dispose(&l->setup[i]);
        xlmig_ldisk_plan_dispose(&l->attach[i]);
    }
}

/* Run argv through the runner; *out its output (caller frees). */
static int query(xlmig_ldisk_ctx *l, const char *const *argv, char **out,
                 size_t *len)
{
    char err[256] = "";
    int status = -1, rc;

    *out = NULL;
    rc = l->runner.run(l->runner.arg, argv, &status, out, len, err,
                       sizeof(err));
    if (!rc && status) {
        size_t n = strlen(err);

        while (n && err[n - 1] == '\n')
            err[--n] = 0;
        xlmig_err(XLMIG_E_EXTERNAL, "%s %s: exit %d%s%s", argv[0], argv[1],
                  status, err[0] ? ": " : "", err);
        free(*out);
        *out = NULL;
        rc = XLMIG_E_EXTERNAL;
    }
    return rc;
}

static bool drbd_loaded(void)
{
    const char *p = xlmig_test_env("XLMIG_LDISK_DRBD_MODULE");

    return access(p && *p ? p : "/sys/module/drbd", F_OK) == 0;
}

static bool minor_free(const xlmig_ldisk_ctx *l, int minor, unsigned upto)
{
    char dev[64];
    unsigned i;

    for (i = 0; i < upto; i++)
        if (l->disks[i].minor == minor)
            return false;
    snprintf(dev, sizeof(dev), "/dev/drbd%d", minor);
    return access(dev, F_OK) != 0 &&
           !xlmig_ldisk_journal_exists(&l->conf, minor);
}

/* Set the existing "disk <vdev>" row to this verdict. */
static void set_row(xlmig_checks *c, const char *where, const char *vdev,
                    bool ok, const char *why)
{
    char name[48];
    unsigned i;

    snprintf(name, sizeof(name), "disk %.40s", vdev);
    for (i = 0; i < c->n; i++)
        if (!strcmp(c->items[i].name, name) &&
            !strcmp(c->items[i].where, where)) {
            c->items[i].ok = ok;
            snprintf(c->items[i].detail, sizeof(c->items[i].detail), "%s",
                     why);
            return;
        }
    xlmig_checks_add(c, where, name, ok, "%s", why);
}

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
        query(l, lvs, &out, &len) ||
        xlmig_ldisk_parse_lvs(out, len, "lvs", &d->lv, 1, &n) || n != 1) {
        snprintf(why, sz, "%.120s: %.120s", full, n != 1 && !xlmig_errmsg()[0]
                 ? "not one LV" : xlmig_errmsg());
        goto bad;
    }
    free(out);
    out = NULL;
    if (xlmig_ldisk_lv_refused(&d->lv, why, sz))
        goto bad;
    if (query(l, tab, &out, &len) ||
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
    if (query(l, inf, &out, &len) || (open_count = strtol(out, NULL, 10)) <
        0 || open_count > 1) {
        snprintf(why, sz, "%.120s is open %s: shared with another guest or"
                 " user?", full, out ? out : "?");
        goto bad;
    }
    free(out);
    out = NULL;
    for (m = l->conf.minor_lo; m <= l->conf.minor_hi; m++)
        if (minor_free(l, m, l->n))
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

static void src_disks(void *arg, const xlmig_domain_info *di,
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
            set_row(c, "source", vdev, false, target[0] == '/' &&
                    strncmp(target, "/dev/", 5) ? "a file disk: only LVM"
                    " logical volumes are carried (--with-local-disks)"
                    : "not an LVM logical volume: not carried");
            continue;
        }
        if (l->n >= XLMIG_LDISK_MAX_DISKS) {
            set_row(c, "source", vdev, false, "more than 8 local disks");
            continue;
        }
        set_row(c, "source", vdev, judge_src(l, vdev, vg, lvname, why,
                                             sizeof(why)), why);
    }
    if (l->n && !xlmig_ldisk_addr_ok(l->self.addr))
        xlmig_checks_add(c, "source", "local disk address", false, "%s",
                         l->self.addr[0] ? "local_disk_address is not an"
                         " IP address" : "set local_disk_address in"
                         " xlmig.conf: this host's IP for the temporary"
                         " DRBD resources");
    else if (l->n && !xlmig_ldisk_addr_ok(l->peer.addr))
        xlmig_checks_add(c, "source", "local disk address", false, "the"
                         " destination is reached as \"%.80s\", not an IP:"
                         " set migration_address.%.60s to its IP",
                         l->peer.addr, l->peer.name);
    if (l->n)
        xlmig_checks_add(c, "source", "drbd module", drbd_loaded(), "%s",
                         drbd_loaded() ? "loaded: local disks move over a"
                         " temporary resource" : "not loaded (modprobe"
                         " drbd): local disks cannot be carried");
    yajl_tree_free(root);
}

static int src_request(void *arg, xlmig_msg *req)
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

typedef struct {
    xlmig_ldisk_ctx *l;
    unsigned i;
    const char *stage;
    unsigned *done;
} journal_arg;

static void on_step(void *arg, unsigned step)
{
    journal_arg *j = arg;

    *j->done = step + 1;
    xlmig_ldisk_journal_write(&j->l->conf, &j->l->disks[j->i], j->l->is_src,
                              j->stage, step + 1);
}

static int run_plan(xlmig_ldisk_ctx *l, unsigned i, xlmig_ldisk_plan *p,
                    const char *stage, unsigned *done)
{
    journal_arg j = { l, i, stage, done };
    int rc;

    rc = xlmig_ldisk_journal_write(&l->conf, &l->disks[i], l->is_src, stage,
                                   0);
    if (!rc)
        rc = xlmig_ldisk_plan_run(p, &l->runner, on_step, &j, done);
    return rc;
}

/* Undo every disk's attach and setup, last first; journals go. */
static int undo_all(xlmig_ldisk_ctx *l)
{
    unsigned i;
    int rc = 0;

    for (i = l->n; i-- > 0;) {
        if (xlmig_ldisk_plan_undo(&l->attach[i], l->attach_done[i],
                                  &l->runner) && !rc)
            rc = XLMIG_E_EXTERNAL;
        if (xlmig_ldisk_plan_undo(&l->setup[i], l->setup_done[i],
                                  &l->runner) && !rc)
            rc = XLMIG_E_EXTERNAL;
        l->attach_done[i] = l->setup_done[i] = 0;
        /* A failed undo keeps its journal: recover finds the rest. */
        if (!rc)
            xlmig_ldisk_journal_remove(&l->conf, l->disks[i].minor);
    }
    return rc;
}

static int src_prepare(void *arg)
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
            rc = run_plan(l, i, &l->setup[i], "setup", &l->setup_done[i]);
    }
    if (rc) {
        xlmig_err_saved saved;

        xlmig_err_save(&saved);
        undo_all(l);
        xlmig_err_restore(&saved);
    }
    return rc;
}

int xlmig_ldisk_sync_read(xlmig_ldisk_ctx *l, unsigned i,
                          xlmig_ldisk_sync *s)
{
    char res[64], *out = NULL;
    size_t len = 0;
    int rc;

    xlmig_ldisk_res_name(l->disks[i].minor, res, sizeof(res));
    if (l->conf.drbd_version == XLMIG_DRBD_V9) {
        const char *argv[] = { "drbdsetup", "status", "--json",
                               "--statistics", res, NULL };

        rc = query(l, argv, &out, &len);
        if (!rc)
            rc = xlmig_ldisk_parse_status(out, len, res, s);
    } else {
        rc = xlmig_read_file(l->proc_path, XLMIG_DRBD_OUT_MAX, &out, &len);
        if (!rc)
            rc = xlmig_ldisk_parse_proc(out, len, l->disks[i].minor, s);
    }
    free(out);
    if (!rc && !s->found) {
        xlmig_err(XLMIG_E_EXTERNAL, "DRBD resource %s is gone", res);
        rc = XLMIG_E_EXTERNAL;
    }
    return rc;
}

/* Total out of sync over the disks; *all_done when every one is. */
static int sync_total(xlmig_ldisk_ctx *l, uint64_t *oos, bool *all_done,
                      bool *lost)
{
    xlmig_ldisk_sync s;
    unsigned i;
    int rc;

    *oos = 0;
    *all_done = true;
    *lost = false;
    for (i = 0; i < l->n; i++) {
        rc = xlmig_ldisk_sync_read(l, i, &s);
        if (rc)
            return rc;
        *oos += s.oos_bytes;
        if (!xlmig_ldisk_sync_done(&s))
            *all_done = false;
        if (!strcmp(s.repl, "StandAlone") || !strcmp(s.disk, "Failed") ||
            !strcmp(s.disk, "Diskless"))
            *lost = true;
    }
    return 0;
}

static int src_sync(void *arg, struct xlmig_progress *p,
                    volatile int *cancel)
{
    xlmig_ldisk_ctx *l = arg;
    uint64_t t0 = xlmig_now_ns(), total = 0, oos = 0, last_oos = 0;
    uint64_t t_last = t0;
    double rate = 0;
    bool done = false, lost = false;
    unsigned i;
    int rc;

    if (l->inner && l->inner->src_sync &&
        (rc = l->inner->src_sync(l->inner->arg, p, cancel)))
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

        rc = sync_total(l, &oos, &done, &lost);
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
        if (done)
            return 0;
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
        xlmig_sleep_ns(l->poll_ns);
    }
}

static int src_verify(void *arg)
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
    rc = sync_total(l, &oos, &done, &lost);
    if (!rc && !done) {
        xlmig_err(XLMIG_E_EXTERNAL, "local disks: not in sync at the"
                  " switchover (%" PRIu64 " bytes out of sync)", oos);
        rc = XLMIG_E_EXTERNAL;
    }
    return rc;
}

/* After the commit: forward only; a failure keeps the journal. */
static int teardown_all(xlmig_ldisk_ctx *l)
{
    xlmig_ldisk_plan p;
    unsigned i, done;
    int rc = 0, r;

    for (i = 0; i < l->n; i++) {
        xlmig_ldisk_plan_init(&p);
        r = l->is_src ? xlmig_ldisk_plan_src_teardown(&l->conf, &l->disks[i],
                                                      &p)
                      : xlmig_ldisk_plan_dst_teardown(&l->conf, &l->disks[i],
                                                      &p);
        if (!r)
            r = run_plan(l, i, &p, "teardown", &done);
        xlmig_ldisk_plan_dispose(&p);
        if (!r && l->is_src && l->delete_source) {
            xlmig_ldisk_plan_init(&p);
            r = xlmig_ldisk_plan_delete(&l->disks[i].lv, &p);
            if (!r)
                r = xlmig_ldisk_plan_run(&p, &l->runner, NULL, NULL, &done);
            xlmig_ldisk_plan_dispose(&p);
        }
        if (r) {
            XLMIG_WARN("local disk %s: %s (run recover)", l->disks[i].vdev,
                       xlmig_errmsg());
            xlmig_err_clear();
            rc = rc ? rc : r;
            continue;
        }
        if (l->is_src && !l->delete_source)
            xlmig_ldisk_journal_keep(&l->conf, &l->disks[i]);
        xlmig_ldisk_journal_remove(&l->conf, l->disks[i].minor);
    }
    return rc;
}

static int src_commit(void *arg)
{
    xlmig_ldisk_ctx *l = arg;
    int rc = 0;

    if (l->inner && l->inner->src_commit)
        rc = l->inner->src_commit(l->inner->arg);
    if (teardown_all(l) && !rc)
        rc = XLMIG_E_EXTERNAL;
    return rc;
}

static int src_rollback(void *arg)
{
    xlmig_ldisk_ctx *l = arg;
    int rc = 0;

    if (l->inner && l->inner->src_rollback)
        rc = l->inner->src_rollback(l->inner->arg);
    if (undo_all(l) && !rc)
        rc = XLMIG_E_EXTERNAL;
    return rc;
}

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
    if (query(l, vgs, &out, &len) ||
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
    if (query(l, lvs, &out, &len) ||
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
    if (!minor_free(l, d->minor, 0)) {
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

static int dst_check(void *arg, const xlmig_msg *req, const char *src_host,
                     xlmig_checks *c)
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
    xlmig_checks_add(c, "dest", "drbd module", drbd_loaded(), "%s",
                     drbd_loaded() ? "loaded" : "not loaded (modprobe"
                     " drbd): local disks cannot be carried");
    for (i = 0; i < l->n; i++) {
        bool ok;

        if (l->conf.vg[0])
            memcpy(l->disks[i].dst_vg, l->conf.vg, sizeof(l->conf.vg));
        /* The carried config names /dev/VG/LV: the same VG name here. */
        if (strcmp(l->disks[i].dst_vg, l->disks[i].lv.vg)) {
            snprintf(why, sizeof(why), "the guest's config names VG %.60s,"
                     " this host's local_disk_vg is %.60s: a different VG"
                     " name is not supported", l->disks[i].lv.vg,
                     l->disks[i].dst_vg);
            set_row(c, "dest", l->disks[i].vdev, false, why);
            continue;
        }
        ok = judge_dst(l, &l->disks[i], &need, why, sizeof(why));

        set_row(c, "dest", l->disks[i].vdev, ok, why);
    }
    return 0;
}

static int dst_prepare(void *arg, const xlmig_msg *req)
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
            rc = run_plan(l, i, &l->setup[i], "setup", &l->setup_done[i]);
        /* Primary beside the source while the sync runs: DRBD reads
         * what is not yet here from the source. */
        if (!rc)
            rc = xlmig_ldisk_plan_dst_attach(&l->conf, &l->disks[i],
                                             &l->attach[i]);
        if (!rc)
            rc = run_plan(l, i, &l->attach[i], "attach",
                          &l->attach_done[i]);
    }
    if (rc) {
        xlmig_err_saved saved;

        xlmig_err_save(&saved);
        undo_all(l);
        xlmig_err_restore(&saved);
    }
    return rc;
}

static int dst_commit(void *arg)
{
    xlmig_ldisk_ctx *l = arg;
    int rc = 0;

    if (l->inner && l->inner->dst_commit)
        rc = l->inner->dst_commit(l->inner->arg);
    if (teardown_all(l) && !rc)
        rc = XLMIG_E_EXTERNAL;
    return rc;
}

static int dst_rollback(void *arg)
{
    xlmig_ldisk_ctx *l = arg;
    int rc = 0;

    if (l->inner && l->inner->dst_rollback)
        rc = l->inner->dst_rollback(l->inner->arg);
    if (undo_all(l) && !rc)
        rc = XLMIG_E_EXTERNAL;
    return rc;
}

static int src_precheck(void *arg, const xlmig_domain_info *di,
                        const char *dest_host, xlmig_checks *c)
{
    xlmig_ldisk_ctx *l = arg;

    if (l->inner && l->inner->src_precheck)
        return l->inner->src_precheck(l->inner->arg, di, dest_host, c);
    return 0;
}

static int src_peers(void *arg, const xlmig_domain_info *di,
                     xlmig_inv_res *res, unsigned max, unsigned *n)
{
    xlmig_ldisk_ctx *l = arg;

    *n = 0;
    if (l->inner && l->inner->src_peers)
        return l->inner->src_peers(l->inner->arg, di, res, max, n);
    return 0;
}

void xlmig_ldisk_hooks_init(xlmig_ldisk_ctx *l, xlmig_hooks *out)
{
    memset(out, 0, sizeof(*out));
    out->arg = l;
    out->src_precheck = src_precheck;
    out->src_peers = src_peers;
    out->src_disks = src_disks;
    out->src_request = src_request;
    out->src_prepare = src_prepare;
    out->src_sync = src_sync;
    out->src_verify = src_verify;
    out->src_commit = src_commit;
    out->src_rollback = src_rollback;
    out->dst_check = dst_check;
    out->dst_prepare = dst_prepare;
    out->dst_commit = dst_commit;
    out->dst_rollback = dst_rollback;
}
