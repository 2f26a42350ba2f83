/* status beyond the planning keys: see status_extra.h. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "history_json.h"
#include "json_gen.h"
#include "json_out.h"
#include "status_extra.h"
#include "switchover_cost.h"

void xlmig_status_extra_init(xlmig_status_extra *x)
{
    memset(x, 0, sizeof(*x));
    xlmig_hist_init(&x->hist);
}

void xlmig_status_extra_dispose(xlmig_status_extra *x)
{
    xlmig_hist_dispose(&x->hist);
    xlmig_status_extra_init(x);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static void load_locks(xlmig_status_extra *x, const char *dir)
{
    struct dirent **list = NULL;
    int n, i;

    n = dir ? scandir(dir, &list, NULL, by_name) : -1;
    for (i = 0; i < n; i++) {
        const char *name = list[i]->d_name;
        xlmig_stx_lock *l = &x->locks[x->nlocks];

        if (x->nlocks < XLMIG_STX_MAX_LOCKS &&
            strlen(name) < sizeof(l->name) &&
            (!strcmp(name, XLMIG_LOCK_HOST) || !strncmp(name, "guest-", 6)) &&
            xlmig_lock_probe(dir, name, &l->holder) == 1) {
            strcpy(l->name, name);
            x->nlocks++;
        }
        free(list[i]);
    }
    free(list);
    xlmig_err_clear();
}

static void load_costs(xlmig_status_extra *x, const char *state_dir)
{
    struct dirent **list = NULL;
    char dir[4096];
    xlmig_swcost s;
    int n, i;

    snprintf(dir, sizeof(dir), "%s/switchover", state_dir);
    n = scandir(dir, &list, NULL, by_name);
    for (i = 0; i < n; i++) {
        xlmig_stx_cost *c = &x->costs[x->ncosts];
        const char *name = list[i]->d_name;

        if (x->ncosts < XLMIG_STX_MAX_COSTS && name[0] != '.' &&
            strlen(name) < sizeof(c->host) && !strstr(name, ".tmp") &&
            !xlmig_swcost_load(&s, dir, name) && s.n) {
            strcpy(c->host, name);
            c->samples = s.n;
            c->estimate_ns = xlmig_swcost_estimate(&s, &c->used);
            c->last_downtime_ns = s.downtime_ns[s.n - 1];
            x->ncosts++;
        }
        xlmig_swcost_dispose(&s);
        free(list[i]);
    }
    free(list);
    xlmig_err_clear();
}

void xlmig_status_extra_load(xlmig_status_extra *x, const char *state_dir,
                             const char *lock_dir)
{
    load_locks(x, lock_dir);
    load_costs(x, state_dir);
    if (xlmig_hist_load(state_dir, &x->hist))
        snprintf(x->hist_error, sizeof(x->hist_error), "%s",
                 xlmig_errmsg());
    xlmig_err_clear();
}

static void since_str(int64_t t, char *buf, size_t len)
{
    struct tm tm;
    time_t tt = (time_t)t;

    gmtime_r(&tt, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void xlmig_status_extra_gen(yajl_gen g, const xlmig_status_extra *x)
{
    unsigned i, first;
    char since[32];

    GS(g, "in_progress");
    yajl_gen_array_open(g);
    for (i = 0; i < x->nlocks; i++) {
        const xlmig_stx_lock *l = &x->locks[i];

        since_str(l->holder.since, since, sizeof(since));
        yajl_gen_map_open(g);
        xlmig_jout_str(g, "lock", l->name);
        xlmig_jout_str(g, "op", l->holder.op);
        xlmig_jout_int(g, "pid", l->holder.pid);
        xlmig_jout_str(g, "since", l->holder.since ? since : "");
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    GS(g, "switchover_costs");
    yajl_gen_array_open(g);
    for (i = 0; i < x->ncosts; i++) {
        const xlmig_stx_cost *c = &x->costs[i];

        yajl_gen_map_open(g);
        xlmig_jout_str(g, "host", c->host);
        xlmig_jout_int(g, "samples", c->samples);
        xlmig_jout_int(g, "estimate_ms",
                       (long long)(c->estimate_ns / 1000000));
        xlmig_jout_int(g, "last_downtime_ms",
                       (long long)(c->last_downtime_ns / 1000000));
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    GS(g, "recent");
    yajl_gen_array_open(g);
    first = x->hist.n > XLMIG_STX_RECENT ? x->hist.n - XLMIG_STX_RECENT : 0;
    for (i = first; i < x->hist.n; i++) {
        const xlmig_hist_rec *r = &x->hist.r[i];

        yajl_gen_map_open(g);
        xlmig_hist_rec_gen(g, r);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
}

void xlmig_status_res_gen(yajl_gen g, const xlmig_inv_drbd *d)
{
    GS(g, "state");
    if (!d->known) {
        yajl_gen_null(g);
        return;
    }
    yajl_gen_map_open(g);
    xlmig_jout_str(g, "role", d->role);
    xlmig_jout_str(g, "connection", d->cstate);
    xlmig_jout_str(g, "disk", d->disk);
    xlmig_jout_str(g, "peer_disk", d->peer_disk);
    GS(g, "in_sync");
    yajl_gen_bool(g, d->synced);
    yajl_gen_map_close(g);
}

void xlmig_status_res_print(FILE *f, const xlmig_inv_drbd *d)
{
    if (d->known)
        fprintf(f, " [%s %s %s/%s%s]", d->role, d->cstate, d->disk,
                d->peer_disk, d->synced ? "" : ", NOT IN SYNC");
}

void xlmig_status_extra_print(FILE *f, const xlmig_status_extra *x)
{
    char since[32];
    unsigned i, first;

    fprintf(f, "migrations in progress:%s\n", x->nlocks ? "" : " none");
    for (i = 0; i < x->nlocks; i++) {
        const xlmig_stx_lock *l = &x->locks[i];

        since_str(l->holder.since, since, sizeof(since));
        fprintf(f, "  %-44s %s, pid %ld, since %s\n", l->name,
                l->holder.op[0] ? l->holder.op : "?", l->holder.pid,
                l->holder.since ? since : "?");
    }
    fprintf(f, "learned switchover costs:%s\n", x->ncosts ? "" : " none");
    for (i = 0; i < x->ncosts; i++) {
        const xlmig_stx_cost *c = &x->costs[i];

        fprintf(f, "  to %-20s plans with %llu ms (worst of the last %u"
                " of %u), last downtime %llu ms\n", c->host,
                (unsigned long long)(c->estimate_ns / 1000000), c->used,
                c->samples,
                (unsigned long long)(c->last_downtime_ns / 1000000));
    }
    if (x->hist_error[0]) {
        fprintf(f, "last results: cannot tell: %s\n", x->hist_error);
        return;
    }
    fprintf(f, "last results:%s\n", x->hist.n ? "" : " none");
    first = x->hist.n > XLMIG_STX_RECENT ? x->hist.n - XLMIG_STX_RECENT : 0;
    for (i = first; i < x->hist.n; i++) {
        const xlmig_hist_rec *r = &x->hist.r[i];
        char shown[XLMIG_NAME_SHOWN_LEN];

        fprintf(f, "  %s %s %s -> %s: %s (%s), %.1f s, downtime %llu ms\n",
                r->start, xlmig_name_shown(r->guest, shown, sizeof(shown)),
                r->from[0] ? r->from : "?", r->to[0] ? r->to : "?",
                r->result, r->via, r->total_ms / 1000.0,
                (unsigned long long)r->downtime_ms);
    }
}
