/*
 * status: this host's guests, free memory, maintenance flag and open
 * evacuation journals. An evacuating peer reads `status --json`
 * through the transport to plan its moves.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ldisk_cli.h"
#include "error.h"
#include "hostctx.h"
#include "hoststate.h"
#include "inventory_drbd.h"
#include "inventory_sim.h"
#include "inventory_xen.h"
#include "journal.h"
#include "report.h"
#include "status.h"
#include "status_extra.h"
#include "hostlock.h"
#include "throttle_cap.h"

static void usage(FILE *f)
{
    fprintf(f,
"Usage: " PROG " status [options]\n"
"\n"
"This host's guests (with their DRBD resources, peers and live DRBD\n"
"state), free memory, maintenance flag, the evacuations not yet\n"
"returned, the migrations in progress, the learned switchover costs\n"
"and the last results (see `" PROG " history`).\n"
"\n"
"Options:\n"
"  --json                  one JSON object (what evacuate reads)\n"
"  --sim-state <dir>       simulated hosts, one directory each\n"
"  --sim-host <name>       which simulated host this is\n"
"  -h, --help              this text\n"
"\n"
"Exit status: 0 shown, 1 this host could not be read, 2 usage error.\n");
}

/* This host's inventory and status, from the simulator or from Xen. */
int hostctx_local_status(const hostctx *h, xlmig_inventory *inv,
                         xlmig_status *st)
{
    int rc;

    memset(st, 0, sizeof(*st));
    snprintf(st->host, sizeof(st->host), "%s", h->self);
    if (hostctx_sim(h))
        rc = xlmig_sim_inv_load(h->sim_root, h->sim_host, inv,
                                &st->free_mib);
    else
        rc = xlmig_xen_inv_load(inv, &st->free_mib);
    if (rc)
        return rc;
    if (!hostctx_sim(h))
        xlmig_inventory_drbd_fill(inv);
    st->nguests = inv->nguests;
    xlmig_maint_get(h->state_dir, &st->maintenance, st->since,
                    sizeof(st->since));
    return xlmig_journal_list_open(h->state_dir, st->journals,
                                   sizeof(st->journals), &st->njournals);
}

/* The cap records of this host (throttle_cap.h); says so if it cannot. */
static unsigned cap_records(const hostctx *h, xlmig_capfile *f, bool say)
{
    char dir[4096];
    unsigned n = 0;

    if (xlmig_capfile_dir(hostctx_sim(h) ? h->state_dir : NULL, dir,
                          sizeof(dir)) ||
        xlmig_capfile_list(dir, hostctx_sim(h) ? "sim" : "xen", f,
                           XLMIG_CAP_LIST_MAX, &n)) {
        if (say)
            printf("CPU caps under throttling: cannot tell: %s\n",
                   xlmig_errmsg());
        xlmig_err_clear();
    }
    return n;
}

/* For --json: the guests a dead migration left capped, "g1,g2". */
static void stale_caps(const hostctx *h, xlmig_status *st)
{
    xlmig_capfile f[XLMIG_CAP_LIST_MAX];
    unsigned n = cap_records(h, f, false), i;
    size_t used = 0;

    for (i = 0; i < n; i++) {
        if (xlmig_capfile_writer_alive(&f[i]) ||
            used + strlen(f[i].domain) + 2 > sizeof(st->throttled))
            continue;
        used += (size_t)snprintf(st->throttled + used,
                                 sizeof(st->throttled) - used, "%s%s",
                                 used ? "," : "", f[i].domain);
    }
}

/*
 * Guests whose CPU cap a throttling migration lowered: still running,
 * or dead and leaving the guest capped until recover puts it back.
 */
static void print_throttled(const hostctx *h)
{
    xlmig_capfile f[XLMIG_CAP_LIST_MAX];
    unsigned n = cap_records(h, f, true), i;

    for (i = 0; i < n; i++) {
        if (xlmig_capfile_writer_alive(&f[i]))
            printf("  %-20s CPU capped by the migration in progress (pid"
                   " %ld)\n", f[i].domain, f[i].pid);
        else
            printf("  %-20s throttled by a migration that did not finish:"
                   " run `" PROG " recover %s <peer>`\n", f[i].domain,
                   f[i].domain);
    }
}

/* Locks in progress, learned costs, last results: status_extra.h. */
static void load_extra(const hostctx *h, xlmig_status_extra *x)
{
    char run[4096], dir[4200];

    if (hostlock_run_dir(h, h->self, run, sizeof(run)) ||
        xlmig_lock_dir(run, dir, sizeof(dir)))
        dir[0] = 0;
    xlmig_err_clear();
    xlmig_status_extra_load(x, h->state_dir, dir[0] ? dir : NULL);
}

int cmd_status(int argc, char **argv)
{
    static const struct option lo[] = {
        HOSTCTX_OPTS,
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    xlmig_inventory inv;
    xlmig_status st;
    hostctx h = { 0 };
    xlmig_status_extra extra;
    bool json = false;
    char *text = NULL;
    unsigned i, r;
    size_t len;
    int c, rc;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        if (hostctx_opt(&h, c, optarg))
            continue;
        if (c == 'j') {
            json = true;
            continue;
        }
        if (c == 'h') {
            usage(stdout);
            return 0;
        }
        cli_error("status: unknown option %s (see --help)",
                  argv[optind - 1]);
        return CLI_EXIT_USAGE;
    }
    if (optind != argc) {
        cli_error("status: unexpected argument \"%s\"", argv[optind]);
        return CLI_EXIT_USAGE;
    }
    if (hostctx_setup(&h, "status"))
        return XLMIG_EXIT_ERROR;
    xlmig_inventory_init(&inv);
    xlmig_status_extra_init(&extra);
    load_extra(&h, &extra);
    rc = hostctx_local_status(&h, &inv, &st);
    if (rc) {
        cli_error("status: %s", xlmig_errmsg());
        rc = XLMIG_EXIT_ERROR;
        goto out;
    }
    st.extra = &extra;
    if (json) {
        stale_caps(&h, &st);
        rc = xlmig_status_encode(&st, &inv, &text, &len);
        if (rc) {
            cli_error("status: %s", xlmig_errmsg());
            rc = XLMIG_EXIT_ERROR;
            goto out;
        }
        printf("%s\n", text);
        goto out;
    }
    printf("host %s: %llu MiB free, maintenance %s%s%s\n", st.host,
           (unsigned long long)st.free_mib, st.maintenance ? "on" : "off",
           st.maintenance && st.since[0] ? " since " : "", st.since);
    printf("%u guest%s\n", inv.nguests, inv.nguests == 1 ? "" : "s");
    for (i = 0; i < inv.nguests; i++) {
        const xlmig_inv_guest *g = &inv.guests[i];

        printf("  %-20s %6llu MiB ", g->name,
               (unsigned long long)g->mem_mib);
        for (r = 0; r < g->nres; r++) {
            unsigned p;

            printf(" %s ->", g->res[r].name);
            for (p = 0; p < g->res[r].npeers; p++)
                printf("%s%s", p ? "," : " ", g->res[r].peers[p]);
            xlmig_status_res_print(stdout, &g->res[r].state);
        }
        printf("%s\n", g->nres ? "" : " (no DRBD disk)");
    }
    if (st.njournals)
        printf("evacuations not returned: %s (run `" PROG " return`)\n",
               st.journals);
    print_throttled(&h);
    cli_ldisk_status(stdout);
    xlmig_status_extra_print(stdout, &extra);
    rc = 0;
out:
    free(text);
    xlmig_status_extra_dispose(&extra);
    xlmig_inventory_dispose(&inv);
    return rc;
}
