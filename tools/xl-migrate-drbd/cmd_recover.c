/*
 * recover <domain> <peer>: settle what a broken migration left on this
 * host and its peer (docs/reliability.md). It runs inspect on the peer
 * through the transport (recover_peer.c), as migrate runs the receiver.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ldisk_cli.h"
#include "error.h"
#include "recover_cli.h"

/* Learn the guest's uuid and resources from a view, where unknown. */
static void learn_hint(rec_opts *o, const xlmig_host_view *v)
{
    if (!o->hint.uuid[0])
        snprintf(o->hint.uuid, sizeof(o->hint.uuid), "%s", v->uuid);
    if (!o->hint.resources[0])
        snprintf(o->hint.resources, sizeof(o->hint.resources), "%s",
                 v->resources);
}

static void print_view(FILE *out, const char *label, const char *host,
                       const rec_opts *o, const xlmig_host_view *v)
{
    char name[160];
    int c, n = 0;

    if (!out)
        return;
    fprintf(out, "  %-5s %-16s", label, host);
    if (!v->reachable) {
        fprintf(out, " could not be inspected\n");
        return;
    }
    for (c = 0; c < XLMIG_COPY__COUNT; c++) {
        if (v->copy[c] == XLMIG_DS_NONE)
            continue;
        xlmig_copy_name(o->domain, (xlmig_copy)c, name, sizeof(name));
        fprintf(out, "%s %s %s", n++ ? "," : "", name,
                xlmig_dom_state_str(v->copy[c]));
    }
    fprintf(out, "%s; DRBD %s%s; %u token%s%s%s%s\n", n ? "" : " no copy",
            xlmig_disk_role_str(v->drbd), v->window ? ", window open" : "",
            v->tokens, v->tokens == 1 ? "" : "s",
            v->capped ? "; CPU cap left lowered" : "",
            v->locked_by[0] ? "; locked by " : "", v->locked_by);
}

/* A line for the operator; none with --json (recover_json.h). */
static void say(FILE *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void say(FILE *out, const char *fmt, ...)
{
    va_list ap;

    if (!out)
        return;
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
}

static void found(recover_record *rr, const char *host[2],
                  const xlmig_host_view v[2], bool after)
{
    unsigned i;

    for (i = 0; i < 2; i++) {
        snprintf(rr->host[i], sizeof(rr->host[i]), "%s", host[i]);
        (after ? rr->after : rr->seen)[i] = v[i];
    }
    if (after)
        rr->now = true;
    else
        rr->found = true;
}

static int recover_run(const rec_opts *oo, xlmig_lock *lk,
                       recover_record *rr)
{
    xlmig_host_view v[2];
    char host[2][128], what[256];
    const char *label[2] = { "local", "peer" };
    const char *hosts[2] = { host[0], host[1] };
    FILE *out = oo->json ? NULL : stdout;
    xlmig_config cfg;
    xlmig_plan *plan = &rr->plan;
    unsigned i;
    int rc;
    rec_opts o = *oo;

    /* A peer with a migration_address is reached over it. */
    if (xlmig_config_load(&cfg, NULL)) {
        cli_error("recover: %s", xlmig_errmsg());
        return 1;
    }
    xlmig_dest_resolve(&cfg, o.peer, &o.dest);
    if (gethostname(host[0], sizeof(host[0]) - 1))
        strcpy(host[0], "?");
    snprintf(host[1], sizeof(host[1]), "%s",
             o.ssh && !*o.ssh ? "peer" : o.peer);
    rc = rec_local_inspect(&o, &v[0]);
    if (rc)
        cli_error("recover: cannot inspect this host: %s", xlmig_errmsg());
    xlmig_err_clear();
    if (!rc)
        learn_hint(&o, &v[0]);
    if (rec_peer_inspect(&o, &v[1], host[1], sizeof(host[1])))
        cli_error("recover: cannot inspect %s: %s", o.peer, xlmig_errmsg());
    /* No copy here: look again with what the peer knows of the guest. */
    if (!rc && v[1].reachable && (!v[0].uuid[0] || !v[0].resources[0]) &&
        (v[1].uuid[0] || v[1].resources[0])) {
        learn_hint(&o, &v[1]);
        rc = rec_local_inspect(&o, &v[0]);
        if (rc)
            cli_error("recover: cannot inspect this host: %s",
                      xlmig_errmsg());
    }
    /* Nothing else moves the guest while we act (docs/design.md). */
    if (rec_lock_here(&o, o.hint.uuid, lk)) {
        cli_error("recover %s: %s", o.domain, xlmig_errmsg());
        rr->outcome = "refused";
        return xlmig_errcode() == XLMIG_E_CHECK ? 2 : 1;
    }
    /* What we saw before the lock may have moved on: look again. */
    if (xlmig_lock_held(lk)) {
        xlmig_err_clear();
        rc = rec_local_inspect(&o, &v[0]);
        if (rc)
            cli_error("recover: cannot inspect this host: %s",
                      xlmig_errmsg());
        xlmig_err_clear();
        if (rec_peer_inspect(&o, &v[1], host[1], sizeof(host[1])))
            cli_error("recover: cannot inspect %s: %s", o.peer,
                      xlmig_errmsg());
        xlmig_err_clear();
    }
    found(rr, hosts, v, false);
    say(out, "recover %s: found\n", o.domain);
    print_view(out, "local", host[0], &o, &v[0]);
    print_view(out, "peer", host[1], &o, &v[1]);
    if (v[1].locked_by[0]) {
        say(out, "refused: nothing changed\n");
        cli_error("recover %s: guest %s is locked on %s by %s; try again"
                  " when it ends", o.domain, o.domain, host[1],
                  v[1].locked_by);
        rr->outcome = "refused";
        return 2;
    }
    xlmig_recover_plan(&v[0], &v[1], o.keep, plan);
    rr->planned = true;
    say(out, "decision: %s\n", plan->why);
    if (plan->verdict == XLMIG_PLAN_NOTHING) {
        say(out, "nothing to do\n");
        rr->outcome = "nothing-to-do";
        return 0;
    }
    if (plan->verdict == XLMIG_PLAN_REFUSE) {
        say(out, "refused: nothing changed\n");
        cli_error("recover %s: refused: %s", o.domain, plan->why);
        rr->outcome = "refused";
        return rc || !v[1].reachable ? 1 : 2;
    }
    for (i = 0; i < plan->n; i++) {
        const xlmig_action *a = &plan->a[i];

        xlmig_action_describe(a, o.domain, what, sizeof(what));
        say(out, "  %u. %-5s %s: %s", i + 1, label[a->host], what,
            o.dry_run ? "would do\n" : "");
        if (o.dry_run)
            continue;
        fflush(stdout);
        rc = a->host == XLMIG_HOST_LOCAL ? rec_local_act(&o, a)
                                         : rec_peer_act(&o, a);
        rr->done[i] = !rc;
        say(out, "%s\n", rc ? "FAILED" : "done");
        if (rc) {
            cli_error("recover %s: %s on %s failed: %s; stopped, state"
                      " above is partly changed: run recover again",
                      o.domain, what, label[a->host], xlmig_errmsg());
            rr->outcome = "failed";
            return 1;
        }
    }
    if (o.dry_run) {
        say(out, "dry run: nothing changed\n");
        rr->outcome = "dry-run";
        return 0;
    }
    /* Look again: the promise is one running guest and nothing else. */
    rec_local_inspect(&o, &v[0]);
    if (rec_peer_inspect(&o, &v[1], host[1], sizeof(host[1])))
        v[1].reachable = false;
    found(rr, hosts, v, true);
    /* what was decided stays in the record; this is only the check */
    {
        xlmig_plan check;

        xlmig_recover_plan(&v[0], &v[1], XLMIG_KEEP_AUTO, &check);
        say(out, "now:\n");
        print_view(out, "local", host[0], &o, &v[0]);
        print_view(out, "peer", host[1], &o, &v[1]);
        if (check.verdict != XLMIG_PLAN_NOTHING) {
            cli_error("recover %s: not settled after acting: %s", o.domain,
                      check.why);
            rr->outcome = "failed";
            return 1;
        }
        say(out, "%s runs on %s (%s); nothing else left\n", o.domain,
            label[check.keeper], host[check.keeper]);
    }
    rr->outcome = "settled";
    return 0;
}

int cmd_recover(int argc, char **argv)
{
    recover_record rr;
    char why[256];
    xlmig_lock lk;
    rec_opts o;
    int rc;

    if (rec_parse(&o, argc, argv, 2))
        return CLI_EXIT_USAGE;
    recover_record_init(&rr, o.domain, o.dry_run);
    xlmig_lock_init(&lk);
    rc = recover_run(&o, &lk, &rr);
    snprintf(why, sizeof(why), "%s", rr.planned && (!rc ||
             !strcmp(rr.outcome ? rr.outcome : "", "refused"))
             ? rr.plan.why : xlmig_errmsg());
    if (o.json)
        recover_print_json(&rr, rc);
    /* Local-disk leftovers are per host: named, cleanup finishes them. */
    else
        cli_ldisk_status(stdout);
    xlmig_lock_dispose(&lk);
    rec_log(&rr, o.sim, rc, why);
    return rc;
}
