/*
 * The destination's switchover and end (migrate_dst_run.h): the memory
 * stream read to its end, then "go" (in one flight right behind
 * memory-end, or after our "ready" in two steps), the guest renamed
 * and unpaused, "done"; or the rollback that discards what was built.
 */
#include "migrate_dst_run.h"

#include <string.h>

#include "error.h"

/*
 * One flight: a restore slower than the source's switchover deadline
 * would leave it waiting past the point where it gives up; then the
 * guest is not started here, and our not_started lets it resume.
 */
static int within_budget(dst_run *r, const xlmig_msg *go)
{
    uint64_t took = r->t_go - r->t_stream_end;

    if (!go->budget_ns || !r->t_stream_end || took <= go->budget_ns)
        return 0;
    xlmig_err(XLMIG_E_CHECK, "restored %.0f ms after the memory stream's"
              " end, past the source's budget of %.0f ms: not started",
              (double)took / 1e6, (double)go->budget_ns / 1e6);
    return XLMIG_E_CHECK;
}

/*
 * A stop asked for before go was read wins even if go was already
 * buffered: nothing runs here yet, and not_started lets the source
 * resume its copy.
 */
static int cancelled_before_go(dst_run *r)
{
    if (!r->ch.cancel || !*r->ch.cancel)
        return 0;
    xlmig_err(XLMIG_E_ABORTED, "cancelled while waiting for source");
    return XLMIG_E_ABORTED;
}

int xlmig_dst_restore_and_switch(dst_run *r)
{
    xlmig_restore_result res;
    xlmig_msg m;
    int rc;

    xlmig_dst_enter(r, XLMIG_PHASE_PRECOPY);
    memset(&res, 0, sizeof(res));
    xlmig_msg_init(&m, XLMIG_MSG_NONE);
    rc = xlmig_dst_fault(r, "precopy");
    if (rc)
        goto out;
    r->restoring = true;
    rc = xlmig_migrate_dest_stream(&r->ch, r->ops, r->be, &r->req, &res);
    if (rc)
        goto out;
    xlmig_dst_enter(r, XLMIG_PHASE_SWITCHOVER);
    r->rep->has_verify = res.has_verify;
    r->rep->verified = res.verified;
    r->verified = res.verified;
    r->t_stream_end = res.t_stream_end;
    r->t_drained = res.t_drained;
    rc = xlmig_dst_fault(r, "switchover");
    if (rc)
        goto out;
    /* One flight: go came right behind memory-end; start at once. */
    if (r->one_flight) {
        rc = xlmig_dst_expect(r, &m, XLMIG_MSG_GO);
        r->t_go = xlmig_now_ns();
        if (!rc)
            rc = cancelled_before_go(r);
        if (!rc)
            rc = within_budget(r, &m);
        goto out;
    }
    xlmig_msg_init(&m, XLMIG_MSG_READY);
    m.verified = res.verified;
    m.value = res.pages;
    m.ok = true;
    /* The source cannot tell our restore from bytes still in flight. */
    if (res.t_stream_end)
        m.took_ns = xlmig_now_ns() - res.t_stream_end;
    rc = xlmig_chan_send_msg(&r->ch, &m);
    if (!rc)
        rc = xlmig_dst_expect(r, &m, XLMIG_MSG_GO);
    if (!rc)
        rc = cancelled_before_go(r);
out:
    xlmig_msg_dispose(&m);
    return rc;
}

/* Where the restore's time went, for the source's report. */
static void done_timing(dst_run *r, xlmig_msg *m)
{
    const xlmig_hooks *h = r->o->hooks;
    unsigned fast = 0, n = 0;
    uint64_t ns = 0;

    if (h && h->dst_hotplug)
        h->dst_hotplug(h->arg, &ns, &fast, &n);
    m->hotplug_ns = ns;
    m->hotplug_fast = fast;
    m->hotplug_n = n;
    if (r->t_go && r->t_active > r->t_go)
        m->activate_ns = r->t_active - r->t_go;
}

int xlmig_dst_commit(dst_run *r)
{
    const xlmig_hooks *h = r->o->hooks;
    xlmig_msg m;
    int rc;

    xlmig_dst_enter(r, XLMIG_PHASE_COMMIT);
    r->t_go = xlmig_now_ns();
    /* "go" is final for the source: finish even if asked to stop. */
    r->ch.cancel = NULL;
    rc = xlmig_dst_fault(r, "commit");
    if (!rc)
        rc = r->ops->activate(r->be);
    if (!rc)
        r->t_active = xlmig_now_ns();
    /* Past activate the guest runs here whatever the point injects. */
    if (!rc && xlmig_dst_fault(r, "done")) {
        XLMIG_WARN("%s", xlmig_errmsg());
        xlmig_err_clear();
    }
    xlmig_msg_init(&m, XLMIG_MSG_DONE);
    m.ok = rc == 0;
    /* One flight: the source learns here what ready used to say. */
    if (!rc && r->one_flight) {
        uint64_t now = xlmig_now_ns();

        m.verified = r->verified;
        if (r->t_stream_end)
            m.took_ns = now - r->t_stream_end;
        if (r->t_go)
            m.activate_ns = now - r->t_go;
        if (r->t_drained)
            m.after_drain_ns = now - r->t_drained;
    }
    if (!rc)
        done_timing(r, &m);
    /* Only a certain "never ran" lets the source resume its copy. */
    m.not_started = rc && rc != XLMIG_E_UNDEFINED;
    if (rc)
        xlmig_msg_set(&m.message, xlmig_errmsg());
    else if (xlmig_dst_carried(r))
        xlmig_dst_carry_commit(r, &m);
    if (xlmig_chan_send_msg(&r->ch, &m) && !rc)
        XLMIG_WARN("guest runs here but the source did not hear it: %s",
                   xlmig_errmsg());
    xlmig_msg_dispose(&m);
    if (rc == XLMIG_E_UNDEFINED) {
        /* It may run here: keep it, recover decides. */
        r->restoring = false;
        r->rep->outcome = XLMIG_OUT_UNDEFINED;
        return rc;
    }
    if (rc) {
        /* It never ran here; the source resumes its copy. */
        r->peer_gone = true;
        return rc;
    }
    r->restoring = false;
    if (h && h->dst_commit && h->dst_commit(h->arg))
        XLMIG_WARN("finishing the disk window failed: %s", xlmig_errmsg());
    r->rep->outcome = XLMIG_OUT_MIGRATED;
    return 0;
}

void xlmig_dst_rollback(dst_run *r, int why)
{
    const xlmig_hooks *h = r->o->hooks;

    xlmig_dst_enter(r, XLMIG_PHASE_ROLLBACK);
    /* A crash here leaves the incoming domain behind: recover's job. */
    /* The first error stays the one reported. */
    xlmig_dst_fault(r, "rollback");
    /* Nothing here ever ran: a source that sent go may resume. */
    if (!r->peer_gone && why != XLMIG_E_IO && why != XLMIG_E_TIMEOUT)
        xlmig_chan_send_not_started(&r->ch, why, xlmig_errmsg());
    if (r->restoring && r->ops->discard(r->be))
        XLMIG_WARN("discarding the incoming guest failed: %s",
                   xlmig_errmsg());
    r->restoring = false;
    if (xlmig_dst_carried(r))
        xlmig_autostart_rollback(r->o->autostart);
    if (r->hooks_prepared && h && h->dst_rollback && h->dst_rollback(h->arg))
        XLMIG_WARN("closing the disk window failed: %s", xlmig_errmsg());
    if (r->rep->outcome == XLMIG_OUT_NONE)
        r->rep->outcome = why == XLMIG_E_ABORTED ? XLMIG_OUT_ABORTED
                                                 : XLMIG_OUT_FAILED;
}
