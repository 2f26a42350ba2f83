/* Tables, target checks, CSV and the gnuplot chart of the comparison. */
#include "bench.h"

#include <math.h>
#include <string.h>

#define MIB (1024.0 * 1024.0)

int bm_policy_index(const bm_bench *b, const char *name)
{
    unsigned i;

    for (i = 0; i < b->npol; i++)
        if (!strcmp(b->pol[i]->name, name))
            return (int)i;
    return -1;
}

static double lost_pct(const bm_result *r)
{
    return r->total_s > 0 ? r->lost_s / r->total_s * 100 : 0;
}

static double sent_ratio(const bm_scenario *sc, const bm_result *r)
{
    return r->bytes_sent / (double)sc->mem_bytes;
}

static void link_str(char *buf, size_t len, const bm_link *l)
{
    snprintf(buf, len, "%s (%g Gbit/s, RTT %g ms)", l->name,
             l->bw_Bps * 8 / 1e9, l->rtt_s * 1e3);
}

void bm_print_cell(FILE *out, const bm_bench *b, const bm_cell *c)
{
    const bm_scenario *sc = &c->sc;
    char lk[96];
    unsigned i;
    int x;

    link_str(lk, sizeof(lk), &sc->link);
    fprintf(out, "\n== %s on %s: %.0f MiB guest, dirtying %.1f MiB/s, "
            "hot set %.0f MiB (%.0f%% of writes)\n", sc->wl.name, lk,
            sc->mem_bytes / MIB, sc->wl.rate_Bps / MIB,
            sc->wl.hot_bytes / MIB, sc->wl.hot_fraction * 100);
    fprintf(out, "   floor: downtime >= %.1f ms (switchover %.0f ms + "
            "%.1f RTT; %s), total >= %.2f s (memory/bandwidth + those RTT)\n",
            c->floor_down_s * 1e3, sc->switch_fixed_s * 1e3,
            sc->switch_rtts, sc->two_step ? "two steps" : "one flight",
            c->floor_total_s);
    fprintf(out, "   %-12s %11s %8s %8s %7s %6s %6s %9s  %s\n", "policy",
            "downtime ms", "total s", "sent/mem", "lost s", "lost %",
            "rounds", "converged", "stop reason");
    for (i = 0; i < b->npol; i++) {
        const bm_result *r = &c->res[i];

        if (r->migrated)
            fprintf(out, "   %-12s %11.1f %8.2f %8.2f %7.2f %6.2f %6u %9s"
                    "  %s\n", b->pol[i]->name, r->downtime_s * 1e3,
                    r->total_s, sent_ratio(sc, r), r->lost_s, lost_pct(r),
                    r->rounds,
                    r->converged ? "yes" : "no", r->why);
        else
            fprintf(out, "   %-12s %11s %8.2f %8.2f %7.2f %6.2f %6u %9s"
                    "  aborted: %s\n", b->pol[i]->name, "-", r->total_s,
                    sent_ratio(sc, r), r->lost_s, lost_pct(r), r->rounds,
                    "no", r->why);
    }
    x = bm_policy_index(b, "xlmig");
    if (x >= 0 && c->res[x].migrated)
        fprintf(out, "   xlmig / floor: downtime x%.2f, total x%.3f\n",
                c->res[x].downtime_s / c->floor_down_s,
                c->res[x].total_s / c->floor_total_s);
}

int bm_print_targets(FILE *out, const bm_bench *b)
{
    int x = bm_policy_index(b, "xlmig"), q = bm_policy_index(b, "qemu-ac");
    unsigned i, missed = 0;

    if (x < 0)
        return 0;
    fprintf(out, "\n== targets for xlmig\n");
    for (i = 0; i < b->ncell; i++) {
        const bm_cell *c = &b->cell[i];
        const bm_result *r = &c->res[x];
        const char *wl = c->sc.wl.name, *lk = c->sc.link.name;
        double lim = c->sc.max_downtime_s, ratio;

        if (!r->migrated) {
            fprintf(out, "   MISS %-10s %-6s aborted (%s)\n", wl, lk, r->why);
            missed++;
        } else if (r->downtime_s > lim) {
            fprintf(out, "   MISS %-10s %-6s downtime %.1f ms > %.0f ms "
                    "(x%.2f; floor %.1f ms)\n", wl, lk, r->downtime_s * 1e3,
                    lim * 1e3, r->downtime_s / lim, c->floor_down_s * 1e3);
            missed++;
        }
        if (q >= 0 && r->min_share < 1 && c->res[q].min_share < 1) {
            ratio = c->res[q].lost_s > 0 ? r->lost_s / c->res[q].lost_s : 0;
            fprintf(out, "   %s %-10s %-6s guest lost %.2f s vs qemu-ac "
                    "%.2f s: x%.2f (target <= 0.5)\n",
                    ratio <= 0.5 ? "ok  " : "MISS", wl, lk, r->lost_s,
                    c->res[q].lost_s, ratio);
            missed += ratio > 0.5;
        }
        if (r->migrated && (!strcmp(wl, "idle") || !strcmp(wl, "web"))) {
            ratio = r->total_s / c->floor_total_s;
            fprintf(out, "   %s %-10s %-6s total %.2f s = x%.3f of the "
                    "floor (target <= 1.1)\n", ratio <= 1.1 ? "ok  " : "MISS",
                    wl, lk, r->total_s, ratio);
            missed += ratio > 1.1;
        }
    }
    fprintf(out, "   %u miss(es); downtime <= %.0f ms met wherever not "
            "listed\n", missed, b->ncell ? b->cell[0].sc.max_downtime_s * 1e3
                                         : 0);
    return missed ? 1 : 0;
}

int bm_write_csv(const bm_bench *b, const char *path)
{
    FILE *f = fopen(path, "w");
    unsigned i, j;

    if (!f) {
        perror(path);
        return -1;
    }
    fprintf(f, "workload,link,bandwidth_bps,rtt_ms,mem_bytes,policy,"
            "migrated,converged,downtime_ms,total_s,bytes_sent,"
            "sent_over_mem,guest_lost_s,guest_lost_pct,rounds,final_pages,"
            "min_share,floor_downtime_ms,floor_total_s,stop_reason,"
            "source_knows_s\n");
    for (i = 0; i < b->ncell; i++) {
        const bm_cell *c = &b->cell[i];

        for (j = 0; j < b->npol; j++) {
            const bm_result *r = &c->res[j];

            fprintf(f, "%s,%s,%.0f,%g,%llu,%s,%s,%s,%.3f,%.4f,%.0f,%.4f,"
                    "%.4f,%.3f,%u,%llu,%.4f,%.3f,%.4f,\"%s\",%.4f\n",
                    c->sc.wl.name, c->sc.link.name, c->sc.link.bw_Bps * 8,
                    c->sc.link.rtt_s * 1e3,
                    (unsigned long long)c->sc.mem_bytes, b->pol[j]->name,
                    r->migrated ? "yes" : "no", r->converged ? "yes" : "no",
                    r->downtime_s * 1e3, r->total_s, r->bytes_sent,
                    sent_ratio(&c->sc, r), r->lost_s, lost_pct(r), r->rounds,
                    (unsigned long long)r->final_pages, r->min_share,
                    c->floor_down_s * 1e3, c->floor_total_s, r->why,
                    r->known_s);
        }
    }
    if (fclose(f)) {
        perror(path);
        return -1;
    }
    return 0;
}

int bm_write_plot(const bm_bench *b, const char *dat, const char *gp,
                  const char *png)
{
    FILE *f = fopen(dat, "w"), *g = NULL;
    double target_ms = b->ncell ? b->cell[0].sc.max_downtime_s * 1e3 : 300;
    unsigned i, j;
    int rc = -1;

    if (!f) {
        perror(dat);
        goto out;
    }
    /* One row per scenario: downtimes, then total times, per policy. */
    fprintf(f, "scenario");
    for (j = 0; j < b->npol; j++)
        fprintf(f, " down-%s", b->pol[j]->name);
    for (j = 0; j < b->npol; j++)
        fprintf(f, " total-%s", b->pol[j]->name);
    fprintf(f, "\n");
    for (i = 0; i < b->ncell; i++) {
        const bm_cell *c = &b->cell[i];

        fprintf(f, "%s/%s", c->sc.wl.name, c->sc.link.name);
        for (j = 0; j < b->npol; j++)
            if (c->res[j].migrated)
                fprintf(f, " %.3f", c->res[j].downtime_s * 1e3);
            else
                fprintf(f, " ?");
        for (j = 0; j < b->npol; j++)
            if (c->res[j].migrated)
                fprintf(f, " %.4f", c->res[j].total_s);
            else
                fprintf(f, " ?");
        fprintf(f, "\n");
    }
    g = fopen(gp, "w");
    if (!g) {
        perror(gp);
        goto out;
    }
    fprintf(g, "set terminal pngcairo size 1400,900 font ',10'\n"
            "set output '%s'\n"
            "set datafile missing '?'\n"
            "set style data histograms\n"
            "set style histogram clustered gap 1\n"
            "set style fill solid 0.8 border -1\n"
            "set key top left\n"
            "set logscale y\n"
            "set grid ytics\n"
            "set xtics rotate by -30 noenhanced\n"
            "set multiplot layout 2,1\n"
            "set title 'Downtime per policy (ms, log scale; "
            "missing bar = aborted; line = target)'\n"
            "set arrow 1 from graph 0, first %g to graph 1, first %g "
            "nohead dt 2\n"
            "set ylabel 'downtime (ms)'\n"
            "plot for [i=2:%u] '%s' using i:xtic(1) title columnhead "
            "noenhanced\n"
            "unset arrow 1\n"
            "set title 'Total migration time per policy (s, log scale)'\n"
            "set ylabel 'total time (s)'\n"
            "plot for [i=%u:%u] '%s' using i:xtic(1) title columnhead "
            "noenhanced\n"
            "unset multiplot\n", png, target_ms, target_ms, 1 + b->npol,
            dat, 2 + b->npol,
            1 + 2 * b->npol, dat);
    rc = 0;
out:
    if (f && fclose(f))
        rc = -1;
    if (g && fclose(g))
        rc = -1;
    return rc;
}
