/*
 * The local-disk move as phase-machine hooks (ldisk_hooks.h): what both
 * sides share (running a plan with its journal, undoing, reading the
 * sync, tearing down) and the hooks' table; each side's hooks are in
 * ldisk_src.c and ldisk_dst.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "ldisk_journal.h"
#include "ldisk_priv.h"
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
int xlmig_ldisk_query(xlmig_ldisk_ctx *l, const char *const *argv,
                      char **out, size_t *len)
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

bool xlmig_ldisk_drbd_loaded(void)
{
    const char *p = xlmig_test_env("XLMIG_LDISK_DRBD_MODULE");

    return access(p && *p ? p : "/sys/module/drbd", F_OK) == 0;
}

bool xlmig_ldisk_minor_free(const xlmig_ldisk_ctx *l, int minor,
                            unsigned upto)
{
    char dev[64];
    unsigned i;

    for (i = 0; i < upto; i++)
        if (l->disks[i].minor == minor)
            return false;
    /* sysfs, not /dev: without udevd no node shows a minor in use. */
    snprintf(dev, sizeof(dev), "/sys/block/drbd%d", minor);
    return access(dev, F_OK) != 0 &&
           !xlmig_ldisk_journal_exists(&l->conf, minor);
}

/* Set the existing "disk <vdev>" row to this verdict. */
void xlmig_ldisk_set_row(xlmig_checks *c, const char *where,
                         const char *vdev, bool ok, const char *why)
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

int xlmig_ldisk_run_plan(xlmig_ldisk_ctx *l, unsigned i,
                         xlmig_ldisk_plan *p, const char *stage,
                         unsigned *done)
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
int xlmig_ldisk_undo_all(xlmig_ldisk_ctx *l)
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

        rc = xlmig_ldisk_query(l, argv, &out, &len);
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
int xlmig_ldisk_sync_total(xlmig_ldisk_ctx *l, uint64_t *oos,
                           bool *all_done, bool *lost)
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

/* After the commit: forward only; a failure keeps the journal. */
int xlmig_ldisk_close(xlmig_ldisk_ctx *l, int (*inner)(void *arg),
                      int (*ours)(xlmig_ldisk_ctx *l))
{
    int rc = 0;

    if (inner)
        rc = inner(l->inner->arg);
    if (ours(l) && !rc)
        rc = XLMIG_E_EXTERNAL;
    return rc;
}

int xlmig_ldisk_teardown_all(xlmig_ldisk_ctx *l)
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
            r = xlmig_ldisk_run_plan(l, i, &p, "teardown", &done);
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

/* The restore's hotplug time is DRBD's to tell (its scripts time it). */
static void dst_hotplug(void *arg, uint64_t *ns, unsigned *fast,
                        unsigned *n)
{
    xlmig_ldisk_ctx *l = arg;

    *ns = 0;
    *fast = *n = 0;
    if (l->inner && l->inner->dst_hotplug)
        l->inner->dst_hotplug(l->inner->arg, ns, fast, n);
}

void xlmig_ldisk_hooks_init(xlmig_ldisk_ctx *l, xlmig_hooks *out)
{
    memset(out, 0, sizeof(*out));
    out->arg = l;
    out->src_precheck = src_precheck;
    out->src_peers = src_peers;
    out->src_disks = xlmig_ldisk_src_disks;
    out->src_request = xlmig_ldisk_src_request;
    out->src_prepare = xlmig_ldisk_src_prepare;
    out->src_sync = xlmig_ldisk_src_sync;
    out->src_verify = xlmig_ldisk_src_verify;
    out->src_commit = xlmig_ldisk_src_commit;
    out->src_rollback = xlmig_ldisk_src_rollback;
    out->dst_check = xlmig_ldisk_dst_check;
    out->dst_prepare = xlmig_ldisk_dst_prepare;
    out->dst_config = xlmig_ldisk_dst_config;
    out->dst_commit = xlmig_ldisk_dst_commit;
    out->dst_rollback = xlmig_ldisk_dst_rollback;
    out->dst_hotplug = dst_hotplug;
}
