/* recover --json: see recover_json.h. */
#include <stdio.h>
#include <string.h>

#include "json_out.h"
#include "recover.h"
#include "recover_json.h"

void recover_record_init(recover_record *r, const char *domain,
                         bool dry_run)
{
    unsigned i;

    memset(r, 0, sizeof(*r));
    r->domain = domain;
    r->dry_run = dry_run;
    for (i = 0; i < XLMIG_PLAN_MAX; i++)
        r->done[i] = -1;
}

static void gen_view(yajl_gen g, const char *key, const char *host,
                     const char *domain, const xlmig_host_view *v)
{
    char name[160];
    int c;

    xlmig_jout_key(g, key);
    yajl_gen_map_open(g);
    xlmig_jout_str(g, "host", host);
    xlmig_jout_bool(g, "reachable", v->reachable);
    if (v->reachable) {
        xlmig_jout_key(g, "copies");
        yajl_gen_map_open(g);
        for (c = 0; c < XLMIG_COPY__COUNT; c++)
            if (!xlmig_copy_name(domain, (xlmig_copy)c, name, sizeof(name)))
                xlmig_jout_str(g, name, xlmig_dom_state_str(v->copy[c]));
        yajl_gen_map_close(g);
        xlmig_jout_str(g, "drbd", xlmig_disk_role_str(v->drbd));
        xlmig_jout_bool(g, "window", v->window);
        xlmig_jout_u64(g, "tokens", v->tokens);
        xlmig_jout_bool(g, "capped", v->capped);
        xlmig_jout_str_or_null(g, "locked_by", v->locked_by);
    }
    yajl_gen_map_close(g);
}

static void gen_views(yajl_gen g, const char *key, const recover_record *r,
                      const xlmig_host_view *v)
{
    xlmig_jout_key(g, key);
    yajl_gen_map_open(g);
    gen_view(g, "local", r->host[0], r->domain, &v[0]);
    gen_view(g, "peer", r->host[1], r->domain, &v[1]);
    yajl_gen_map_close(g);
}

static const char *verdict_str(xlmig_verdict v)
{
    return v == XLMIG_PLAN_NOTHING ? "nothing"
         : v == XLMIG_PLAN_ACT ? "act" : "refuse";
}

static void gen_actions(yajl_gen g, const recover_record *r)
{
    char what[256];
    unsigned i;

    xlmig_jout_key(g, "actions");
    yajl_gen_array_open(g);
    for (i = 0; r->planned && r->plan.verdict == XLMIG_PLAN_ACT &&
                i < r->plan.n; i++) {
        const xlmig_action *a = &r->plan.a[i];

        xlmig_action_describe(a, r->domain, what, sizeof(what));
        yajl_gen_map_open(g);
        xlmig_jout_str(g, "host", a->host == XLMIG_HOST_LOCAL ? "local"
                                                             : "peer");
        xlmig_jout_str(g, "action", what);
        xlmig_jout_str(g, "result", r->dry_run ? "would-do"
                       : r->done[i] > 0 ? "done"
                       : r->done[i] == 0 ? "failed" : "not-run");
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
}

void recover_print_json(const recover_record *r, int exit_code)
{
    yajl_gen g = xlmig_jout_new();

    if (!g)
        return;
    yajl_gen_map_open(g);
    xlmig_jout_str(g, "domain", r->domain);
    xlmig_jout_now(g, "time");
    xlmig_jout_bool(g, "dry_run", r->dry_run);
    if (r->found)
        gen_views(g, "found", r, r->seen);
    else
        xlmig_jout_null(g, "found");
    xlmig_jout_str_or_null(g, "verdict", r->planned
                           ? verdict_str(r->plan.verdict) : NULL);
    xlmig_jout_str_or_null(g, "decision", r->planned ? r->plan.why : NULL);
    gen_actions(g, r);
    if (r->now)
        gen_views(g, "now", r, r->after);
    else
        xlmig_jout_null(g, "now");
    xlmig_jout_str(g, "outcome", r->outcome ? r->outcome : "failed");
    xlmig_jout_int(g, "exit_code", exit_code);
    yajl_gen_map_close(g);
    xlmig_jout_print(g, stdout);
}
