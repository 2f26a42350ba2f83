/*
 * history: the migrations this host started (history.h), newest last:
 * guest, from, to, when, total time, downtime, bytes and outcome.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "cli.h"
#include "error.h"
#include "history.h"
#include "history_json.h"
#include "hostctx.h"
#include "json_gen.h"
#include "json_out.h"
#include "kv.h"
#include "names.h"
#include "report.h"

#define HIST_DEFAULT_N 20

static void usage(FILE *f)
{
    fprintf(f,
"Usage: " PROG " history [options] [<domain>]\n"
"\n"
"The migrations started on this host (single ones, each move of an\n"
"evacuation or a return, recover), newest last: when, guest, from, to,\n"
"outcome, how, total time, downtime and bytes sent. The last %d are\n"
"kept in the state directory.\n"
"\n"
"Options:\n"
"  -n <count>              the last <count> (default %d; 0: all kept)\n"
"  --json                  one JSON object\n"
"  --sim-state <dir>       simulated hosts, one directory each\n"
"  --sim-host <name>       which simulated host this is\n"
"  -h, --help              this text\n", XLMIG_HIST_KEEP, HIST_DEFAULT_N);
}

/* Printable ASCII only: valid JSON (UTF-8) whatever the bytes were. */
static const char *ascii(const char *s, char *buf, size_t len)
{
    size_t i;

    for (i = 0; s[i] && i + 1 < len; i++)
        buf[i] = (unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f
                 ? '?' : s[i];
    buf[i] = 0;
    return buf;
}

static int print_json(const hostctx *h, const xlmig_hist *hi,
                      const bool *show)
{
    char reason[sizeof(hi->r[0].reason)];
    const unsigned char *buf;
    size_t len;
    unsigned i;
    yajl_gen g = yajl_gen_alloc(NULL);
    int rc = 0;

    if (!g)
        return XLMIG_E_NOMEM;
    yajl_gen_map_open(g);
    xlmig_jout_str(g, "host", h->self);
    GS(g, "migrations");
    yajl_gen_array_open(g);
    for (i = 0; i < hi->n; i++) {
        const xlmig_hist_rec *r = &hi->r[i];

        if (!show[i])
            continue;
        yajl_gen_map_open(g);
        xlmig_hist_rec_gen(g, r);
        xlmig_jout_str(g, "journal", r->journal);
        xlmig_jout_str(g, "reason",
                       ascii(r->reason, reason, sizeof(reason)));
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
    if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
        printf("%.*s\n", (int)len, buf);
    else
        rc = XLMIG_E_NOMEM;
    yajl_gen_free(g);
    return rc;
}

/* Another process wrote it: no control byte reaches the terminal. */
static void print_reason(const char *s)
{
    printf("%22s", "");
    for (; *s; s++)
        putchar((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f ? '?'
                : *s);
    putchar('\n');
}

static void print_text(const xlmig_hist *hi, const bool *show)
{
    char shown[XLMIG_NAME_SHOWN_LEN];
    unsigned i;

    printf("%-20s  %-16s %-10s %-10s %-9s %-8s %9s %9s %10s\n", "WHEN",
           "GUEST", "FROM", "TO", "RESULT", "VIA", "TOTAL", "DOWNTIME",
           "MIB SENT");
    for (i = 0; i < hi->n; i++) {
        const xlmig_hist_rec *r = &hi->r[i];

        if (!show[i])
            continue;
        printf("%-20s  %-16s %-10s %-10s %-9s %-8s %7.1f s %6llu ms"
               " %10.1f\n", r->start,
               xlmig_name_shown(r->guest, shown, sizeof(shown)),
               r->from[0] ? r->from : "-", r->to[0] ? r->to : "-",
               r->result, r->via, r->total_ms / 1000.0,
               (unsigned long long)r->downtime_ms,
               (double)r->bytes / (1024.0 * 1024.0));
        if (r->reason[0])
            print_reason(r->reason);
    }
}

int cmd_history(int argc, char **argv)
{
    static const struct option lo[] = {
        HOSTCTX_OPTS,
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *guest = NULL;
    hostctx h = { 0 };
    xlmig_hist hi;
    uint64_t count = HIST_DEFAULT_N;
    bool json = false, *show = NULL;
    unsigned i, left;
    int c, rc;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":hn:", lo, NULL)) != -1) {
        if (hostctx_opt(&h, c, optarg))
            continue;
        switch (c) {
        case 'j': json = true; break;
        case 'n':
            if (xlmig_kv_u64("history: -n", optarg, 0, XLMIG_HIST_KEEP,
                             &count)) {
                cli_error("%s", xlmig_errmsg());
                return CLI_EXIT_USAGE;
            }
            break;
        case 'h': usage(stdout); return 0;
        case ':':
            cli_error("history: option %s needs a value", argv[optind - 1]);
            return CLI_EXIT_USAGE;
        default:
            cli_error("history: unknown option %s (see --help)",
                      argv[optind - 1]);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind < argc)
        guest = argv[optind++];
    if (optind < argc) {
        cli_error("history: unexpected argument \"%s\"", argv[optind]);
        return CLI_EXIT_USAGE;
    }
    if (guest && !xlmig_name_domain_ok(guest)) {
        xlmig_name_refuse("history: domain", guest, XLMIG_NAME_DOMAIN_RULE);
        cli_error("%s", xlmig_errmsg());
        return CLI_EXIT_USAGE;
    }
    if (hostctx_setup(&h, "history"))
        return XLMIG_EXIT_ERROR;
    xlmig_hist_init(&hi);
    rc = xlmig_hist_load(h.state_dir, &hi);
    if (!rc && !(show = calloc(hi.n + 1, sizeof(*show))))
        rc = XLMIG_E_NOMEM;
    if (rc) {
        cli_error("history: %s", rc == XLMIG_E_NOMEM ? "out of memory"
                  : xlmig_errmsg());
        rc = XLMIG_EXIT_ERROR;
        goto out;
    }
    /* the newest count records of the guest (or of all) */
    left = count ? (unsigned)count : hi.n;
    for (i = hi.n; i-- > 0 && left; )
        if (!guest || !strcmp(hi.r[i].guest, guest)) {
            show[i] = true;
            left--;
        }
    if (json)
        rc = print_json(&h, &hi, show) ? XLMIG_EXIT_ERROR : 0;
    else
        print_text(&hi, show);
out:
    free(show);
    xlmig_hist_dispose(&hi);
    return rc;
}
