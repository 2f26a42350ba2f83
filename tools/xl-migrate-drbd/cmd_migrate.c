/* The source side: pick the backend, run the phase machine, report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "drbd.h"
#include "error.h"
#include "fault.h"
#include "hoststate.h"
#include "inventory_sim.h"
#include "kv.h"
#include "lock.h"
#include "mig_record.h"
#include "migrate.h"
#include "sim.h"
#include "xen.h"
#include "ldisk_cli.h"
#include "testhooks.h"
#include "transport.h"

static int sim_params(const cli_opts *o, xlmig_sim_src_params *p)
{
    uint64_t mem = (uint64_t)(o->sim_mem_mib * XLMIG_MIB);
    int rc;

    memset(p, 0, sizeof(*p));
    p->name = o->domain;
    p->page_size = XLMIG_PAGE_SIZE;
    p->mem_bytes = mem / p->page_size * p->page_size;
    p->seed = 0x5eed;
    p->host_dir = o->sim_host_dir;
    p->disks = o->sim_disks;
    p->ndisks = o->sim_ndisks;
    p->zero_bytes = (uint64_t)(o->sim_zero_mib * XLMIG_MIB);
    rc = xlmig_sim_workload_preset(&p->wl, o->sim_profile, p->mem_bytes,
                                   o->bandwidth_mib * XLMIG_MIB);
    if (rc)
        return rc;
    if (o->sim_dirty_mib >= 0)
        p->wl.rate_Bps = o->sim_dirty_mib * XLMIG_MIB;
    if (o->sim_hot_mib >= 0)
        p->wl.hot_bytes = (uint64_t)(o->sim_hot_mib * XLMIG_MIB);
    return 0;
}

/*
 * The receiver command. Through ssh it does not inherit our
 * environment, so injected faults (XLMIG_FAULT...) travel on its
 * command line; with -s "" the command runs here and inherits them.
 */
/* --with-local-disks: the I/O timeout, s, unless --io-timeout says. */
#define LDISK_IO_TIMEOUT "600"

static int receiver_cmd(const cli_opts *o, const char *address,
                        xlmig_cmd *cmd)
{
    char *env = NULL, *recv = NULL;
    int rc = XLMIG_E_NOMEM;

    if (o->ssh && !*o->ssh)
        env = strdup("");
    else
        xlmig_fault_env_prefix(xlmig_test_env("XLMIG_FAULT"),
                               xlmig_test_env("XLMIG_FAULT_STALL_S"),
                               xlmig_test_env("XLMIG_FAULT_DRBD_CMD"), &env);
    if (!env)
        goto out;
    /* Local disks: each side waits for the other's LVM and DRBD setup
     * (tens of seconds on a slow host) for one message. */
    if (asprintf(&recv, "%s%s%s%s%s%s%s", env, o->receiver ? o->receiver
                 : PROG " --receive", !o->receiver && o->sim ? " --sim" : "",
                 o->no_daemon ? " -e" : "", o->paused ? " -p" : "",
                 o->debug ? " --debug" : "", o->with_local_disks &&
                 !o->receiver ? " --io-timeout " LDISK_IO_TIMEOUT : "") < 0) {
        recv = NULL;
        goto out;
    }
    rc = xlmig_transport_cmd(cmd, o->ssh, address, recv);
out:
    free(env);
    free(recv);
    return rc;
}

/*
 * Where switchover costs are learned: the host's state directory. The
 * simulator learns only when a state directory is given explicitly.
 */
static const char *swcost_dir(const cli_opts *o, char *buf, size_t len)
{
    const char *env = xlmig_test_env("XLMIG_STATE_DIR");

    if (o->sim && !(env && *env))
        return NULL;
    if (snprintf(buf, len, "%s/switchover", xlmig_state_dir()) >= (int)len)
        return NULL;
    return buf;
}

/* The simulated guest's DRBD resources (--sim-drbd), as the hook. */
static int sim_peers(void *arg, const xlmig_domain_info *di,
                     xlmig_inv_res *res, unsigned max, unsigned *n)
{
    const xlmig_inv_guest *g = arg;

    (void)di;
    for (*n = 0; *n < g->nres && *n < max; (*n)++)
        res[*n] = g->res[*n];
    return 0;
}

static int sim_hooks(const cli_opts *o, xlmig_inv_guest *g,
                     xlmig_hooks *h)
{
    memset(g, 0, sizeof(*g));
    memset(h, 0, sizeof(*h));
    if (!o->sim_drbd)
        return 0;
    if (strlen(o->sim_drbd) >= XLMIG_KV_VAL_MAX) {
        cli_error("--sim-drbd: longer than %d bytes", XLMIG_KV_VAL_MAX - 1);
        return -1;
    }
    if (xlmig_sim_drbd_parse("--sim-drbd", o->sim_drbd, g)) {
        cli_error("%s", xlmig_errmsg());
        return -1;
    }
    h->arg = g;
    h->src_peers = sim_peers;
    return 0;
}

static void print_outcome(const cli_opts *o, const xlmig_report *rep,
                          const xlmig_checks *checks)
{
    if (o->dry_run && !o->json) {
        printf("pre-checks for %s -> %s:\n", o->domain, o->host);
        xlmig_checks_print(checks, stdout);
    }
    if (o->json)
        xlmig_report_print_json(rep, checks, stdout);
    else if (!o->quiet && !o->dry_run)
        xlmig_report_print(rep, stdout);
    fflush(stdout);
    if (rep->outcome != XLMIG_OUT_MIGRATED &&
        rep->outcome != XLMIG_OUT_CHECKED)
        fprintf(stderr, PROG ": %s%s\n", rep->message,
                rep->guest_on_source ? " (guest still running on the"
                " source)" : "");
}

static int migrate_xen(const cli_opts *o, xlmig_src_opts *so,
                       xlmig_report *rep, xlmig_checks *checks)
{
    xlmig_xen_opts xo = {
        .config_override = o->config_override,
        .debug = o->debug,
        .keep_domid = o->keep_domid,
    };
    xlmig_xen_src *x;
    xlmig_hooks hooks, lhooks;
    xlmig_ldisk_ctx *ld = NULL;
    xlmig_drbd drbd;
    uint32_t domid;
    char *name = NULL;
    bool resumed;

    if (xlmig_xen_src_open(&x, o->domain, &xo)) {
        cli_error("%s", xlmig_errmsg());
        return XLMIG_EXIT_ERROR;
    }
    /* DRBD under the guest's disks: the dual-primary window. */
    if (xlmig_drbd_init(&drbd) || xlmig_drbd_hooks_init(&drbd, &hooks)) {
        cli_error("%s", xlmig_errmsg());
        xlmig_xen_src_close(x);
        return XLMIG_EXIT_ERROR;
    }
    so->hooks = &hooks;
    /* Local disks: over temporary DRBD resources, round DRBD's hooks. */
    if (o->with_local_disks) {
        ld = malloc(sizeof(*ld));
        if (!ld || cli_ldisk_setup(o, &drbd, &hooks, so->dest && so->dest->
                                   peer ? so->dest->peer : o->host,
                                   so->dest ? so->dest->address : o->host,
                                   ld, &lhooks)) {
            cli_error("--with-local-disks: out of memory");
            free(ld);
            xlmig_drbd_hooks_dispose(&drbd, &hooks);
            xlmig_drbd_dispose(&drbd);
            xlmig_xen_src_close(x);
            return XLMIG_EXIT_ERROR;
        }
        so->hooks = &lhooks;
    }
    xlmig_migrate_source(so, &xlmig_xen_src_ops, x, rep);
    so->hooks = NULL;
    if (ld) {
        xlmig_ldisk_ctx_dispose(ld);
        free(ld);
    }
    print_outcome(o, rep, checks);
    /* xl's monitor of the guest exited on the suspend. */
    resumed = xlmig_xen_src_resumed(x, &domid);
    if (resumed && xlmig_xen_src_name(x))
        name = strdup(xlmig_xen_src_name(x));
    xlmig_drbd_hooks_dispose(&drbd, &hooks);
    xlmig_drbd_dispose(&drbd);
    xlmig_xen_src_close(x);
    if (resumed && !o->no_daemon && name)
        cli_leave_monitor(name, true, o->debug);
    else if (resumed && !o->no_daemon)
        cli_leave_monitor_id(domid, true, o->debug);
    free(name);
    return xlmig_report_exit_code(rep);
}

int cmd_migrate(const cli_opts *o)
{
    xlmig_sim_src_params sp;
    xlmig_sim_src sim;
    xlmig_progress prog;
    xlmig_src_opts so;
    xlmig_checks checks;
    xlmig_report rep;
    xlmig_inv_guest simg;
    xlmig_hooks simh;
    xlmig_dest dest;
    xlmig_cmd cmd;
    char swdir[4096], lockdir[4200], hint[64];
    xlmig_autostart_dirs dirs;
    bool sim_up = false;
    time_t start = time(NULL);
    int rc;

    xlmig_report_init(&rep);
    xlmig_checks_init(&checks);
    xlmig_src_opts_init(&so);
    xlmig_progress_init(&prog, o->json ? XLMIG_PROGRESS_JSON
                        : o->quiet || o->dry_run ? XLMIG_PROGRESS_NONE
                        : isatty(2) ? XLMIG_PROGRESS_TTY
                        : XLMIG_PROGRESS_LINES, o->json ? stdout : stderr);
    /* With -s "" the host argument is a command, not a name. */
    so.dest_host = o->ssh && !*o->ssh ? "local receiver" : o->host;
    /* A DRBD peer's migration_address, or the peer an address is. */
    xlmig_dest_resolve(o->conf, so.dest_host, &dest);
    if (!(o->ssh && !*o->ssh))
        so.dest = &dest;
    so.bandwidth_Bps = o->bandwidth_mib * XLMIG_MIB;
    /* The data path (datapath.h): TLS streams unless asked otherwise. */
    so.transport = o->no_encrypt ? XLMIG_DP_TCP : o->transport &&
                   !strcmp(o->transport, "ssh") ? XLMIG_DP_SSH
                   : XLMIG_DP_TLS;
    so.streams = o->streams ? (unsigned)o->streams
                 : xlmig_dp_default_streams(so.bandwidth_Bps);
    /* A local receiver (-s "") is this host: loopback. */
    so.data_addr = o->ssh && !*o->ssh ? "127.0.0.1"
                   : xlmig_dp_resolve(so.dest ? dest.address : o->host,
                                      hint, sizeof(hint));
    so.compress = (xlmig_compress_mode)o->compress;
    so.policy.max_downtime_ns = (uint64_t)(o->max_downtime_ms * 1e6);
    so.policy.timeout_ns = (uint64_t)(o->timeout_s * 1e9);
    so.policy.allow_long_downtime = o->allow_long_downtime;
    so.policy.bound = o->downtime;
    so.swcost_dir = swcost_dir(o, swdir, sizeof(swdir));
    so.no_throttle = o->no_throttle;
    so.two_step = o->two_step;
    so.shared = o->shared;
    so.dry_run = o->dry_run;
    so.io_timeout_ns = (uint64_t)(o->io_timeout_s * 1e9);
    if (o->with_local_disks && o->io_timeout_s == XLMIG_IO_TIMEOUT_DEFAULT_S)
        so.io_timeout_ns = XLMIG_S(atoi(LDISK_IO_TIMEOUT));
    so.deadline.min_ns = (uint64_t)(o->deadline_min_ms * 1e6);
    so.deadline.max_ns = (uint64_t)(o->deadline_max_ms * 1e6);
    so.progress = &prog;
    so.cancel = &cli_cancel;
    so.checks = &checks;
    if (!o->no_move_config && !cli_xen_dirs(o->sim, &dirs))
        so.xen_dirs = &dirs;
    if (xlmig_lock_dir_default(o->sim, lockdir, sizeof(lockdir),
                               &so.lock_dir)) {
        cli_error("%s", xlmig_errmsg());
        xlmig_progress_dispose(&prog);
        return XLMIG_EXIT_ERROR;
    }
    xlmig_cmd_init(&cmd);
    if (receiver_cmd(o, so.dest ? dest.address : o->host, &cmd)) {
        cli_error("%s", xlmig_errcode() ? xlmig_errmsg() : "out of memory");
        xlmig_cmd_dispose(&cmd);
        xlmig_progress_dispose(&prog);
        return XLMIG_EXIT_ERROR;
    }
    so.argv = (const char *const *)cmd.argv;

    if (!o->sim) {
        rc = migrate_xen(o, &so, &rep, &checks);
        goto out_free;
    }
    rc = sim_params(o, &sp);
    if (!rc && sim_hooks(o, &simg, &simh)) {
        rc = XLMIG_EXIT_ERROR;
        goto out;
    }
    so.hooks = &simh;
    if (!rc) {
        /* Disposable from here even if init fails half-way. */
        sim_up = true;
        rc = xlmig_sim_src_init(&sim, &sp);
    }
    if (rc) {
        cli_error("%s", xlmig_errmsg());
        rc = XLMIG_EXIT_ERROR;
        goto out;
    }
    xlmig_migrate_source(&so, &xlmig_sim_src_ops, &sim, &rep);
    print_outcome(o, &rep, &checks);
    rc = xlmig_report_exit_code(&rep);
out:
    if (sim_up)
        xlmig_sim_src_dispose(&sim);
out_free:
    if (rep.outcome != XLMIG_OUT_NONE)
        mig_record_migration(o, &rep, start);
    xlmig_progress_dispose(&prog);
    xlmig_cmd_dispose(&cmd);
    return rc;
}
