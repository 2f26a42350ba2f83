/*
 * The destination side, as run by the transport: stdin and stdout carry
 * the stream, so everything for humans goes to stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "drbd.h"
#include "error.h"
#include "hoststate.h"
#include "inventory_sim.h"
#include "kv.h"
#include "ldisk_cli.h"
#include "lock.h"
#include "testhooks.h"
#include "migrate.h"
#include "sim.h"
#include "xen.h"

/* An activation that may have run the guest keeps it for recover. */
static const char *kept(const xlmig_report *rep)
{
    return rep->outcome == XLMIG_OUT_UNDEFINED
        ? "the guest may run here: run recover" : "nothing kept here";
}

/*
 * With -s "" the receiver shares the source's terminal: its lines start
 * on a line of their own, never after the source's progress bar.
 */
static void clear_tty_line(void *arg)
{
    (void)arg;
    fputs("\r\033[K", stderr);
}

static void print_result(const cli_opts *o, const xlmig_report *rep)
{
    if (rep->outcome == XLMIG_OUT_MIGRATED) {
        if (o->quiet)
            return;
        xlmig_log_line_start();
        fprintf(stderr, PROG " receive: %s is running here%s\n",
                rep->domain, rep->verified ? ", memory verified" : "");
    } else if (rep->outcome != XLMIG_OUT_CHECKED) {
        xlmig_log_line_start();
        fprintf(stderr, PROG " receive: %s: %s; %s\n",
                xlmig_outcome_str(rep->outcome), rep->message, kept(rep));
    }
}

static int receive_xen(const cli_opts *o, const xlmig_dst_opts *dopts,
                       xlmig_report *rep)
{
    xlmig_xen_opts xo = { .debug = o->debug, .paused = o->paused };
    xlmig_dst_opts d = *dopts;
    xlmig_xen_dst *x;
    xlmig_hooks hooks, lhooks;
    xlmig_ldisk_ctx *ld;
    xlmig_drbd drbd;
    char *name = NULL;
    uint32_t domid;

    if (xlmig_xen_dst_open(&x, &xo)) {
        cli_error("receive: %s", xlmig_errmsg());
        return XLMIG_EXIT_ERROR;
    }
    /* Opens our side of the DRBD window and pre-promotes the disks. */
    if (xlmig_drbd_init(&drbd) || xlmig_drbd_hooks_init(&drbd, &hooks)) {
        cli_error("receive: %s", xlmig_errmsg());
        xlmig_xen_dst_close(x);
        return XLMIG_EXIT_ERROR;
    }
    /* A request may carry local disks: their hooks round DRBD's. */
    ld = malloc(sizeof(*ld));
    if (!ld) {
        cli_error("receive: out of memory");
        xlmig_drbd_hooks_dispose(&drbd, &hooks);
        xlmig_drbd_dispose(&drbd);
        xlmig_xen_dst_close(x);
        return XLMIG_EXIT_ERROR;
    }
    cli_ldisk_setup(o, &drbd, &hooks, NULL, NULL, ld, &lhooks);
    d.hooks = &lhooks;
    xlmig_migrate_dest(&d, &xlmig_xen_dst_ops, x, rep);
    xlmig_ldisk_ctx_dispose(ld);
    free(ld);
    print_result(o, rep);
    /* Started by name: that is what ps shows, and restarts keep it. */
    domid = xlmig_xen_dst_domid(x);
    if (domid && xlmig_xen_dst_name(x))
        name = strdup(xlmig_xen_dst_name(x));
    xlmig_drbd_hooks_dispose(&drbd, &hooks);
    xlmig_drbd_dispose(&drbd);
    xlmig_xen_dst_close(x);
    /* As xl migrate-receive: a monitor stays behind, unless -e. */
    if (rep->outcome == XLMIG_OUT_MIGRATED && !o->no_daemon && name)
        cli_leave_monitor(name, false, o->debug);
    else if (rep->outcome == XLMIG_OUT_MIGRATED && !o->no_daemon && domid)
        cli_leave_monitor_id(domid, false, o->debug);
    free(name);
    return xlmig_report_exit_code(rep);
}

static void write_report(const char *path, const xlmig_report *rep)
{
    FILE *f = fopen(path, "w");

    if (!f) {
        cli_error("receive: cannot write %s: %s", path, strerror(errno));
        return;
    }
    xlmig_report_print_json(rep, NULL, f);
    if (fclose(f))
        cli_error("receive: cannot write %s: %s", path, strerror(errno));
}

/* --sim-drbd: the guest's resources as this host will list them. */
static int sim_drbd_check(const cli_opts *o)
{
    xlmig_inv_guest g;

    memset(&g, 0, sizeof(g));
    if (!o->sim_drbd)
        return 0;
    if (strlen(o->sim_drbd) >= XLMIG_KV_VAL_MAX) {
        cli_error("--sim-drbd: longer than %d bytes", XLMIG_KV_VAL_MAX - 1);
        return -1;
    }
    if (xlmig_sim_drbd_parse("--sim-drbd", o->sim_drbd, &g)) {
        cli_error("%s", xlmig_errmsg());
        return -1;
    }
    return 0;
}

/*
 * This host's own restore costs live beside the switchover history
 * (restore_cost.h); the simulator's only with a state directory given.
 */
static const char *restore_dir(const cli_opts *o, char *buf, size_t len)
{
    const char *env = xlmig_test_env("XLMIG_STATE_DIR");

    if (o->sim && !(env && *env))
        return NULL;
    if (snprintf(buf, len, "%s/switchover", xlmig_state_dir()) >= (int)len)
        return NULL;
    return buf;
}

int cmd_receive(const cli_opts *o)
{
    xlmig_autostart_dirs dirs;
    xlmig_autostart_txn txn;
    xlmig_dst_opts dopts;
    xlmig_report rep;
    xlmig_sim_dst sim;
    uint64_t free_bytes;
    char lockdir[4200], ssh_local[64], swdir[4200];
    int rc;

    if (isatty(2))
        xlmig_log_set_line_hook(clear_tty_line, NULL);
    xlmig_report_init(&rep);
    xlmig_dst_opts_init(&dopts);
    dopts.io_timeout_ns = (uint64_t)(o->io_timeout_s * 1e9);
    /* The data path listens where ssh came in: the migration address. */
    dopts.data_addr = xlmig_dp_ssh_local(ssh_local, sizeof(ssh_local));
    dopts.cancel = &cli_cancel;
    dopts.shared = o->shared;
    dopts.swcost_dir = restore_dir(o, swdir, sizeof(swdir));
    if (xlmig_lock_dir_default(o->sim, lockdir, sizeof(lockdir),
                               &dopts.lock_dir)) {
        cli_error("receive: %s", xlmig_errmsg());
        return XLMIG_EXIT_ERROR;
    }
    /* Whatever the source sends of the guest's config lands here. */
    if (!cli_xen_dirs(o->sim, &dirs)) {
        xlmig_autostart_txn_init(&txn, &dirs);
        dopts.autostart = &txn;
    }
    if (!o->sim) {
        rc = receive_xen(o, &dopts, &rep);
        goto out;
    }
    if (sim_drbd_check(o)) {
        rc = XLMIG_EXIT_ERROR;
        goto out;
    }
    free_bytes = o->sim_free_mib >= 0
        ? (uint64_t)(o->sim_free_mib * XLMIG_MIB) : xlmig_sim_host_free();
    xlmig_sim_dst_init(&sim, free_bytes);
    sim.existing = o->sim_existing;
    sim.paused = o->paused;
    sim.host_dir = o->sim_host_dir;
    sim.profile = o->sim_profile;
    sim.drbd = o->sim_drbd;
    xlmig_migrate_dest(&dopts, &xlmig_sim_dst_ops, &sim, &rep);
    rc = xlmig_report_exit_code(&rep);
    /* Where the guest is, for whoever drives the receiver (tests). */
    rep.guest_on_source = rep.outcome != XLMIG_OUT_MIGRATED;
    if (o->report_json)
        write_report(o->report_json, &rep);
    print_result(o, &rep);
    if (rep.outcome == XLMIG_OUT_MIGRATED && o->run_after_s > 0)
        xlmig_sleep_ns((uint64_t)(o->run_after_s * 1e9));
    xlmig_sim_dst_dispose(&sim);
out:
    if (dopts.autostart)
        xlmig_autostart_txn_dispose(&txn);
    return rc;
}
