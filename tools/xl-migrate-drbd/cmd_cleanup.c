/*
 * cleanup: what local-disk moves left on this host. Interrupted ones
 * (a journal under the state directory) are finished as recover would:
 * undone before the commit, torn down after it. Source LVs kept after
 * a move are removed, unless something still holds them open.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "clock.h"
#include "error.h"
#include "ldisk_cli.h"
#include "ldisk_journal.h"
#include "num.h"
#include "report.h"

#define MAX_RES XLMIG_LDISK_MAX_DISKS

static void usage(FILE *f)
{
    fprintf(f,
"Usage: " PROG " cleanup [--dry-run] [--resource xlmig-M]... [--wait S]\n"
"\n"
"Remove what moves with --with-local-disks left on this host: finish\n"
"an interrupted one from its journal (before its commit everything it\n"
"set up is undone, the guest's LV back on its own extents; after it,\n"
"its temporary DRBD resource is torn down), and remove the source LVs\n"
"kept after a move (not one that is still open). A move still running\n"
"(the process that wrote the journal) is left alone.\n"
"\n"
"Options:\n"
"  --dry-run               say what would be removed, change nothing\n"
"  --resource xlmig-M      only this move's temporary resource (again for\n"
"                          more); kept source LVs are not touched. The\n"
"                          source of a failed move runs this on the\n"
"                          destination\n"
"  --wait S                a running move's process: wait up to S seconds\n"
"                          for it to end (default 0)\n"
"  -h, --help              this text\n"
"\n"
"Exit status: 0 nothing left, 1 something could not be removed, 2 usage\n"
"error.\n");
}

/* Is vg/lv there and held by nobody? 1 yes, 0 gone, -1 open or error. */
static int lv_free(const xlmig_ldisk_runner *r, const xlmig_ldisk_lv *lv)
{
    char dm[2 * XLMIG_LDISK_NAME_MAX + 2], err[256], *out = NULL;
    const char *argv[] = { "dmsetup", "info", "-c", "--noheadings", "-o",
                           "open", dm, NULL };
    size_t len;
    int status = -1, rc;

    if (xlmig_ldisk_dm_name(lv->vg, lv->lv, dm, sizeof(dm)))
        return -1;
    rc = r->run(r->arg, argv, &status, &out, &len, err, sizeof(err));
    if (!rc && status)
        rc = strstr(err, "not exist") ? 0 : -1;
    else if (!rc)
        rc = strtol(out, NULL, 10) == 0 ? 1 : -1;
    free(out);
    return rc;
}

/* "xlmig-900" -> 900, or -1: the names the tool gives its resources. */
static int res_minor(const char *name)
{
    uint64_t m;

    if (strncmp(name, "xlmig-", 6) || xlmig_num_u64(name + 6, 10, 0,
                                                    1048575, &m))
        return -1;
    return (int)m;
}

/* The named resources' journals (those there are) into j. */
static int named(const xlmig_ldisk_conf *c, const int *minor, unsigned nm,
                 xlmig_ldisk_journal *j, unsigned *n)
{
    unsigned i;
    bool found;

    *n = 0;
    for (i = 0; i < nm; i++) {
        if (xlmig_ldisk_journal_read(c, minor[i], &j[*n], &found))
            return XLMIG_E_IO;
        if (found)
            (*n)++;
        else
            printf("nothing left of xlmig-%d\n", minor[i]);
    }
    return 0;
}

/*
 * A move still running owns j: wait up to wait_s for it to end (a
 * receiver rolling back its side removes the journal as it ends). 1
 * still running, 0 j as it is now (*gone: nothing left), -1 error.
 */
static int still_owned(const xlmig_ldisk_conf *c, xlmig_ldisk_journal *j,
                       unsigned wait_s, bool *gone)
{
    uint64_t t0 = xlmig_now_ns();
    bool found = true;

    *gone = false;
    if (!xlmig_ldisk_journal_owned(j))
        return 0;
    while (found && xlmig_ldisk_journal_owned(j)) {
        if (xlmig_now_ns() - t0 >= XLMIG_S(wait_s))
            return 1;
        xlmig_sleep_ns(XLMIG_MS(500));
        if (xlmig_ldisk_journal_read(c, j->disk.minor, j, &found))
            return -1;
    }
    *gone = !found;
    return 0;
}

int cmd_cleanup(int argc, char **argv)
{
    static const struct option lo[] = {
        { "dry-run", no_argument, NULL, 'n' },
        { "resource", required_argument, NULL, 'r' },
        { "wait", required_argument, NULL, 'w' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    static xlmig_ldisk_journal j[64];
    xlmig_ldisk_lv kept[64];
    xlmig_ldisk_runner r;
    xlmig_ldisk_conf c;
    xlmig_config conf;
    uint64_t timeout = 60ull * 1000000000ull, v;
    unsigned n = 0, k = 0, i, failed = 0, nm = 0, wait_s = 0;
    int minor[MAX_RES];
    bool dry = false;
    int opt;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (opt) {
        case 'n': dry = true; break;
        case 'r':
            if (nm == MAX_RES || (minor[nm] = res_minor(optarg)) < 0) {
                cli_error("cleanup: --resource \"%.60s\": %s", optarg,
                          nm == MAX_RES ? "at most 8" : "not a temporary"
                          " resource's name (xlmig-M)");
                return CLI_EXIT_USAGE;
            }
            nm++;
            break;
        case 'w':
            if (xlmig_num_u64(optarg, 10, 0, 3600, &v)) {
                cli_error("cleanup: --wait \"%.60s\": not a number of"
                          " seconds from 0 to 3600", optarg);
                return CLI_EXIT_USAGE;
            }
            wait_s = (unsigned)v;
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return CLI_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        cli_error("cleanup: takes no arguments (got \"%s\")", argv[optind]);
        return CLI_EXIT_USAGE;
    }
    if (xlmig_config_load(&conf, NULL)) {
        cli_error("%s", xlmig_errmsg());
        return XLMIG_EXIT_ERROR;
    }
    cli_ldisk_conf(&conf, &c);
    xlmig_ldisk_runner_real(&r, &timeout);
    if (nm ? named(&c, minor, nm, j, &n)
           : xlmig_ldisk_journal_list(&c, j, 64, &n) ||
             xlmig_ldisk_journal_kept(&c, kept, 64, &k)) {
        cli_error("cleanup: %s", xlmig_errmsg());
        return XLMIG_EXIT_ERROR;
    }
    for (i = 0; i < n; i++) {
        int minor = j[i].disk.minor, st = 0;
        long owner = j[i].owner;
        bool gone = false;

        if (dry && xlmig_ldisk_journal_owned(&j[i])) {
            printf("would leave xlmig-%d alone: its move is running"
                   " (process %ld)\n", minor, owner);
            continue;
        }
        if (!dry)
            st = still_owned(&c, &j[i], wait_s, &gone);
        if (st) {
            if (st > 0)
                cli_error("cleanup: xlmig-%d belongs to a move still"
                          " running (process %ld): left alone", minor,
                          owner);
            else
                cli_error("cleanup: %s", xlmig_errmsg());
            failed++;
            continue;
        }
        if (gone) {
            printf("nothing left of xlmig-%d (its move ended)\n", minor);
            continue;
        }
        printf("%s temporary resource xlmig-%d of %s/%s (%s, %s)\n",
               dry ? "would finish" : "finishing", j[i].disk.minor,
               j[i].disk.lv.vg, j[i].disk.lv.lv,
               j[i].is_src ? "source" : "destination", j[i].stage);
        if (!dry && xlmig_ldisk_recover(&c, &j[i], &r)) {
            cli_error("cleanup: xlmig-%d: %s", j[i].disk.minor,
                      xlmig_errmsg());
            xlmig_err_clear();
            failed++;
        }
    }
    for (i = 0; i < k; i++) {
        xlmig_ldisk_plan p;
        unsigned done;
        int st;

        if (dry) {
            printf("would remove the kept source LV %s/%s (unless open)\n",
                   kept[i].vg, kept[i].lv);
            continue;
        }
        st = lv_free(&r, &kept[i]);
        if (st < 0) {
            cli_error("cleanup: %s/%s is open or cannot be read: kept",
                      kept[i].vg, kept[i].lv);
            xlmig_err_clear();
            failed++;
            continue;
        }
        printf("removing the kept source LV %s/%s\n", kept[i].vg,
               kept[i].lv);
        xlmig_ldisk_plan_init(&p);
        if (st == 1 && (xlmig_ldisk_plan_delete(&kept[i], &p) ||
                        xlmig_ldisk_plan_run(&p, &r, NULL, NULL, &done))) {
            cli_error("cleanup: %s", xlmig_errmsg());
            xlmig_err_clear();
            failed++;
        } else {
            xlmig_ldisk_journal_unkeep(&c, kept[i].vg, kept[i].lv);
        }
        xlmig_ldisk_plan_dispose(&p);
    }
    if (!n && !k && !nm)
        printf("nothing to clean up\n");
    return failed ? XLMIG_EXIT_ERROR : 0;
}
