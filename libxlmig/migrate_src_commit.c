/*
 * The source's switchover and its end: "go" (the commit point), sent
 * with memory-end in one flight or after the destination's "ready" in
 * two steps, then "done", then commit, or the rollback that resumes
 * the guest here (migrate_src_run.h).
 */
#include "migrate_src_run.h"

#include <poll.h>
#include <string.h>

#include "error.h"

/* Says which deadline, and how it came about. */
void xlmig_src_deadline_passed(src_run *r)
{
    xlmig_err_replace(XLMIG_E_TIMEOUT, "%s, %.0f ms after the suspend"
                      " (deadline %.0f ms: %u x planned downtime %.0f ms,"
                      " floor %.0f ms, cap %.0f ms; see"
                      " --switchover-deadline-min/-max)", xlmig_errmsg(),
                      (double)(xlmig_now_ns() - r->t_suspend) / 1e6,
                      (double)r->deadline_ns / 1e6, XLMIG_DEADLINE_FACTOR,
                      r->pol.predicted_ns == UINT64_MAX ? -1.0
                      : (double)r->pol.predicted_ns / 1e6,
                      (double)r->o->deadline.min_ns / 1e6,
                      (double)r->o->deadline.max_ns / 1e6);
}

static int peer_quit_before_go(src_run *r)
{
    struct pollfd p = { .fd = r->conn.in_fd, .events = POLLIN };
    xlmig_msg m;
    int rc;

    if (poll(&p, 1, 0) <= 0)
        return 0;
    xlmig_msg_init(&m, XLMIG_MSG_NONE);
    rc = xlmig_src_expect(r, &m, XLMIG_MSG_GO);
    if (!rc) {
        xlmig_err(XLMIG_E_PROTO, "destination sent \"go\" itself");
        rc = XLMIG_E_PROTO;
    }
    /* A destination caught up may fail its restore before go: said so
     * as after it. */
    if (rc == XLMIG_E_REMOTE && m.not_started)
        xlmig_err_replace(rc, "destination could not start the guest: %s",
                          m.message ? m.message : "no reason given");
    xlmig_msg_dispose(&m);
    return rc;
}

/*
 * What the destination answered to go. Only "done" with ok commits;
 * only an explicit not_started (done, error or abort) lets the source
 * resume; anything else leaves it unknown where the guest runs.
 */
static int settle(src_run *r, const xlmig_msg *m)
{
    if (m->type == XLMIG_MSG_DONE && m->ok)
        return 0;
    if (m->not_started && (m->type == XLMIG_MSG_DONE ||
                           m->type == XLMIG_MSG_ERROR ||
                           m->type == XLMIG_MSG_ABORT)) {
        /* It never ran there and discarded its copy: ours again. */
        r->peer_gone = true;
        xlmig_err(XLMIG_E_REMOTE, "destination could not start the guest:"
                  " %s", m->message ? m->message
                  : xlmig_msg_type_str(m->type));
        return XLMIG_E_REMOTE;
    }
    xlmig_err(XLMIG_E_UNDEFINED, "destination answered \"%s\"%s%s to go",
              xlmig_msg_type_str(m->type), m->message ? ": " : "",
              m->message ? m->message : "");
    return XLMIG_E_UNDEFINED;
}

/*
 * The last checks before the commit point: a failure still rolls back.
 * One flight: run before memory-end, src_verify already done at the
 * suspend; two steps: after "ready".
 */
int xlmig_src_clear_to_go(src_run *r)
{
    int rc;

    rc = xlmig_src_fault(r, "go");
    if (rc)
        return rc;
    /* Nothing writes any more: the peer must hold every write. */
    if (!r->one_flight) {
        rc = xlmig_src_verify_stopped(r);
        if (rc)
            return rc;
    }
    if (r->o->cancel && *r->o->cancel) {
        xlmig_err(XLMIG_E_ABORTED, "cancelled before the commit point");
        return XLMIG_E_ABORTED;
    }
    /* Too late is too late, even with ready in hand. */
    rc = xlmig_chan_check_deadline(&r->ch, "about to commit to");
    if (rc)
        return rc;
    /*
     * A destination that gave up (timed out, failed) has said so, or
     * hung up: then go must not be sent, and the rollback is certain.
     * Its data streams are asked before memory-end (after it, a live
     * one may close them).
     */
    if (r->one_flight && r->dp.active) {
        rc = xlmig_dp_check_alive(&r->dp, &r->ch);
        if (rc)
            return rc;
    }
    return peer_quit_before_go(r);
}

/* Where the two steps' downtime went: for the operator and the tuner. */
static void two_step_steps(src_run *r, uint64_t took)
{
    r->rep->downtime_ns = xlmig_now_ns() - r->t_suspend;
    r->rep->sw_suspend_ns = r->t_down - r->t_suspend;
    r->rep->sw_pages_ns = r->t_memend - r->t_down;
    r->rep->sw_restore_ns = r->t_ready - r->t_memend;
    /* A peer that did not say (or a clock step) leaves it all restore. */
    if (took && took <= r->rep->sw_restore_ns) {
        r->rep->sw_flight_ns = r->rep->sw_restore_ns - took;
        r->rep->sw_restore_ns = took;
    }
    r->rep->sw_resume_ns = r->t_suspend + r->rep->downtime_ns - r->t_ready;
}

int xlmig_src_switchover(src_run *r)
{
    uint64_t took = 0;          /* the peer's part of memend -> ready */
    xlmig_msg m;
    int rc;

    xlmig_msg_init(&m, XLMIG_MSG_NONE);
    /* One flight: checked before memory-end, no ready to wait for. */
    if (!r->one_flight) {
        rc = xlmig_src_expect(r, &m, XLMIG_MSG_READY);
        if (rc)
            goto out;
        r->t_ready = xlmig_now_ns();
        took = m.took_ns;
        r->rep->has_verify = m.verified;
        r->rep->verified = m.verified;
        rc = xlmig_src_clear_to_go(r);
        if (rc)
            goto out;
    }
    /*
     * The commit point: from here on nothing is cancelled. Go itself is
     * written under the switchover deadline: a link too slow for it
     * (paced, or blocked) ends the write before its last byte, and a
     * go the destination does not hold whole is no go: the rollback is
     * certain. Nothing more is written after a partial record, whose
     * length would swallow it.
     */
    xlmig_msg_dispose(&m);
    xlmig_msg_init(&m, XLMIG_MSG_GO);
    r->ch.cancel = NULL;
    if (r->one_flight) {
        m.budget_ns = r->deadline_ns;
        /* memory-end is out: a hang-up since then is still seen. */
        rc = peer_quit_before_go(r);
        if (rc)
            goto out;
    }
    rc = xlmig_chan_send_msg(&r->ch, &m);
    if (rc) {
        r->peer_gone = true;
        xlmig_err_replace(rc, "go not sent, the guest resumes here: %s",
                          xlmig_errmsg());
        goto out;
    }
    /*
     * The answer gets a deadline of its own: two steps, the
     * activation's, which is little; one flight, also the restore's,
     * which gets the deadline "ready" had (the destination does not
     * start a guest it restored later than that, and says so).
     */
    r->ch.deadline_ns = xlmig_now_ns() + r->deadline_ns + m.budget_ns;
    r->ch.deadline_hit = false;
    rc = xlmig_src_fault(r, "go-sent");
    if (!rc)
        rc = xlmig_chan_recv_msg(&r->ch, &m);
    if (!rc)
        rc = settle(r, &m);
    if (rc && rc != XLMIG_E_REMOTE) {
        r->rep->outcome = XLMIG_OUT_UNDEFINED;
        xlmig_err_replace(XLMIG_E_UNDEFINED, "go sent but destination did"
                          " not confirm (%s): the guest may run on either"
                          " host; run: xl-migrate-drbd recover %s %s",
                          xlmig_errmsg(), r->di.name, xlmig_src_peer_name(r));
        rc = XLMIG_E_UNDEFINED;
        goto out;
    }
    if (rc)
        goto out;
    if (r->one_flight) {
        /* The destination verified before it started the guest. */
        r->rep->has_verify = r->rep->verified = m.verified;
        xlmig_src_flight_steps(r, &m, xlmig_now_ns());
    } else {
        two_step_steps(r, took);
    }
    xlmig_report_restore_detail(r->rep, m.hotplug_ns, m.hotplug_fast,
                                m.hotplug_n, m.activate_ns);
    if (!xlmig_placement_empty(&r->placement)) {
        const char *why;

        r->placed = xlmig_autostart_confirmed(&m, &why);
        snprintf(r->placed_why, sizeof(r->placed_why), "%s", why);
    }
out:
    if (rc == XLMIG_E_TIMEOUT && r->ch.deadline_hit)
        xlmig_src_deadline_passed(r);
    xlmig_msg_dispose(&m);
    return rc;
}

int xlmig_src_commit(src_run *r)
{
    const xlmig_hooks *h = r->o->hooks;
    int rc;

    xlmig_src_enter(r, XLMIG_PHASE_COMMIT);
    rc = xlmig_src_fault(r, "commit");
    /* The link is no longer needed: only a failing destroy matters. */
    if (rc == XLMIG_E_IO) {
        xlmig_err_clear();
        rc = 0;
    }
    if (!rc)
        rc = r->ops->destroy(r->be);
    if (rc)
        XLMIG_WARN("guest runs at the destination, but destroying the"
                   " source copy failed: %s; run: xl-migrate-drbd recover"
                   " %s %s", xlmig_errmsg(), r->di.name,
                   xlmig_src_peer_name(r));
    if (h && h->src_commit && h->src_commit(h->arg))
        XLMIG_WARN("closing the disk window after commit failed: %s",
                   xlmig_errmsg());
    r->rep->outcome = XLMIG_OUT_MIGRATED;
    xlmig_src_carry_release(r);
    xlmig_src_learn(r);
    return 0;
}

void xlmig_src_rollback(src_run *r, int why)
{
    const xlmig_hooks *h = r->o->hooks;
    uint64_t now = xlmig_now_ns();
    xlmig_err_saved root;

    xlmig_src_enter(r, XLMIG_PHASE_ROLLBACK);
    /* A crash here is the worst case: the guest may still be stopped. */
    /* The first error stays the one reported. */
    xlmig_src_fault(r, "rollback");
    /* After a timeout the peer is not listening, or is mid-record. */
    if (r->chan_open && !r->peer_gone && why != XLMIG_E_TIMEOUT)
        xlmig_chan_send_error(&r->ch, XLMIG_MSG_ABORT, why, xlmig_errmsg());
    /*
     * Without an abort a live receiver learns of the end only from the
     * hang-up: give it now, so that it rolls back beside us (a hook's
     * cleanup on the peer waits for that).
     */
    else if (r->chan_open && why == XLMIG_E_TIMEOUT)
        xlmig_conn_hangup(&r->conn);
    /* Each step's warning names its own failure, not the root cause. */
    xlmig_err_save(&root);
    if (r->throttle_on)
        xlmig_throttle_release(&r->thr, now);
    if (r->suspended && r->ops->resume(r->be))
        XLMIG_WARN("resuming the guest on the source failed: %s",
                   xlmig_errmsg());
    else if (r->suspended)
        r->rep->suspended_ns = xlmig_now_ns() - r->t_suspend;
    xlmig_err_clear();
    if (r->hooks_prepared && h && h->src_rollback && h->src_rollback(h->arg))
        XLMIG_WARN("closing the disk window on rollback failed: %s",
                   xlmig_errmsg());
    xlmig_err_restore(&root);
    if (r->rep->outcome == XLMIG_OUT_NONE)
        r->rep->outcome = why == XLMIG_E_ABORTED ? XLMIG_OUT_ABORTED
                                                 : XLMIG_OUT_FAILED;
}

