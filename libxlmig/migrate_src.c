/*
 * The source side of a migration: precheck -> prepare -> precopy ->
 * switchover -> commit, or rollback. The commit point is the "go"
 * message: before it every failure resumes the guest here; after it the
 * guest belongs to the destination.
 */
#include "migrate_src_run.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "autostart.h"
#include "error.h"
#include "fault.h"
#include "lock.h"
#include "phase.h"
#include "policy_setup.h"

#define NPINGS 3

void xlmig_src_opts_init(xlmig_src_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->in_fd = o->out_fd = -1;
    xlmig_policy_params_init(&o->policy);
    xlmig_throttle_params_init(&o->throttle);
    o->io_timeout_ns = XLMIG_S(XLMIG_IO_TIMEOUT_DEFAULT_S);
    xlmig_deadline_params_init(&o->deadline);
}

/* For recover: a DRBD peer with a migration_address is found again. */
static const char *peer_name(const src_run *r)
{
    if (r->o->dest && r->o->dest->peer)
        return r->o->dest->peer;
    return r->peer[0] ? r->peer : r->o->dest_host ? r->o->dest_host : "?";
}

static void enter(src_run *r, xlmig_phase ph)
{
    r->phase = ph;
    XLMIG_DBG("source: phase %s", xlmig_phase_name(ph));
    if (r->o->progress)
        xlmig_progress_phase(r->o->progress, xlmig_phase_name(ph));
}

static int fault(src_run *r, const char *point)
{
    return xlmig_fault_point(XLMIG_SIDE_SOURCE, point,
                             r->chan_open ? &r->ch : NULL);
}

static int throttle_apply(void *arg, double share)
{
    src_run *r = arg;

    return r->ops->set_share ? r->ops->set_share(r->be, share) : 0;
}

/* Runs on the save path just before the suspend request. */
static void on_suspending(xlmig_save_ctx *sc)
{
    src_run *r = sc->priv;

    if (r->throttle_on)
        xlmig_throttle_release(&r->thr, xlmig_now_ns());
}

/* Runs on the save path right after the guest stopped. */
static void on_suspended(xlmig_save_ctx *sc)
{
    src_run *r = sc->priv;

    r->suspended = true;
    r->t_suspend = sc->t_suspend;
    r->t_down = sc->t_down ? sc->t_down : sc->t_suspend;
    /* Released at the suspend request already; idempotent here. */
    if (r->throttle_on)
        xlmig_throttle_release(&r->thr, sc->t_suspend);
    /* From now on every wait counts against the guest's downtime. */
    r->deadline_ns = xlmig_deadline_ns(&r->o->deadline, r->pol.predicted_ns,
                                       r->o->policy.max_downtime_ns);
    r->rep->deadline_ns = r->deadline_ns;
    r->ch.deadline_ns = sc->t_suspend + r->deadline_ns;
    enter(r, XLMIG_PHASE_SWITCHOVER);
    /* Past the suspend, before the last pages: the worst place to lag. */
    r->fault_rc = fault(r, "suspended");
}

static int expect(src_run *r, xlmig_msg *m, xlmig_msg_type want)
{
    return xlmig_chan_expect(&r->ch, m, want, XLMIG_E_REMOTE, &r->peer_gone);
}

static int open_transport(src_run *r)
{
    const xlmig_src_opts *o = r->o;
    int rc;

    if (o->argv) {
        rc = xlmig_conn_spawn(&r->conn, o->argv);
        if (rc)
            return rc;
    } else {
        xlmig_conn_borrow(&r->conn, o->in_fd, o->out_fd);
    }
    /* The transmit rate counts from the connection on. */
    xlmig_meter_init(&r->ch.meter, xlmig_now_ns());
    r->chan_open = true;
    r->ch.cancel = o->cancel;
    r->ch.io_timeout_ns = o->io_timeout_ns;
    return 0;
}

/* The peer never answered: say why, from the transport's exit. */
static void explain_unreachable(src_run *r)
{
    char st[64];
    int status;

    if (!xlmig_conn_has_child(&r->conn))
        return;
    status = xlmig_conn_reap(&r->conn, 2000);
    r->peer_gone = true;
    xlmig_err_replace(XLMIG_E_IO, "cannot reach destination %s: transport"
                      " command %s", r->o->dest_host,
                      xlmig_transport_status_str(status, st, sizeof(st)));
}

static int handshake(src_run *r)
{
    xlmig_msg m;
    int rc;

    xlmig_msg_init(&m, XLMIG_MSG_NONE);
    rc = xlmig_chan_send_magic(&r->ch);
    if (rc == XLMIG_E_IO) {
        /*
         * A peer that is no receiver (a shell's "command not found")
         * may be gone before we wrote: what it printed says why.
         */
        xlmig_err_clear();
        rc = xlmig_chan_expect_magic(&r->ch);
        if (!rc) {
            xlmig_err(XLMIG_E_IO, "destination stopped reading");
            rc = XLMIG_E_IO;
        }
    } else if (!rc) {
        rc = xlmig_chan_expect_magic(&r->ch);
    }
    if (rc == XLMIG_E_IO) {
        explain_unreachable(r);
        goto out;
    }
    if (rc)
        goto out;
    rc = expect(r, &m, XLMIG_MSG_HELLO);
    if (rc)
        goto out;
    snprintf(r->peer, sizeof(r->peer), "%s",
             m.host ? m.host : r->o->dest_host);
    snprintf(r->said, sizeof(r->said), "%s", m.host ? m.host : "");
    snprintf(r->rep->dest, sizeof(r->rep->dest), "%s", r->peer);
    xlmig_checks_add(r->checks, "dest", "reachable", true, "%s answered",
                     r->peer);
    xlmig_checks_add(r->checks, "dest", "protocol",
                     m.proto == XLMIG_PROTO_VERSION,
                     "destination speaks xlmig protocol %u, we speak %u",
                     m.proto, XLMIG_PROTO_VERSION);
    /* Nothing more is said to a peer whose messages we cannot read. */
    if (m.proto != XLMIG_PROTO_VERSION) {
        xlmig_err(XLMIG_E_PROTO, "destination %s speaks xlmig protocol %u,"
                  " we speak %u", r->peer, m.proto, XLMIG_PROTO_VERSION);
        rc = XLMIG_E_PROTO;
        goto out;
    }
    xlmig_checks_add(r->checks, "dest", "backend", m.backend &&
                     !strcmp(m.backend, r->ops->name),
                     "destination backend %s, source backend %s",
                     m.backend ? m.backend : "?", r->ops->name);
out:
    xlmig_msg_dispose(&m);
    return rc;
}

static int request(src_run *r)
{
    xlmig_msg m;
    unsigned i;
    int rc;

    xlmig_msg_init(&m, XLMIG_MSG_MIGRATE);
    rc = XLMIG_E_NOMEM;
    if (xlmig_msg_set(&m.host, r->host) ||
        xlmig_msg_set(&m.backend, r->ops->name) ||
        xlmig_msg_set(&m.name, r->di.name) ||
        xlmig_msg_set(&m.uuid, r->di.uuid) ||
        xlmig_msg_set(&m.config, r->di.config) ||
        xlmig_placement_to_msg(&r->placement, &m))
        goto out;
    m.mem_bytes = r->di.mem_bytes;
    m.page_size = r->di.page_size;
    m.dry_run = r->o->dry_run;
    m.value = NPINGS;
    rc = xlmig_chan_send_msg(&r->ch, &m);
    if (rc)
        goto out;
    rc = expect(r, &m, XLMIG_MSG_PREPARED);
    if (rc)
        goto out;
    for (i = 0; i < m.nchecks; i++)
        xlmig_checks_add(r->checks, "dest", m.checks[i].name,
                         m.checks[i].ok, "%s", m.checks[i].detail
                         ? m.checks[i].detail : "");
    if (!m.ok && !xlmig_checks_failed(r->checks))
        xlmig_checks_add(r->checks, "dest", "prepare", false, "%s",
                         m.message ? m.message : "refused");
out:
    xlmig_msg_dispose(&m);
    return rc;
}

/* Round trips before any data flows: the switchover's network cost. */
static int measure_rtt(src_run *r, uint64_t *rtt)
{
    xlmig_msg m;
    uint64_t best = UINT64_MAX, t0;
    unsigned i;
    int rc = 0;

    xlmig_msg_init(&m, XLMIG_MSG_NONE);
    for (i = 0; i < NPINGS && !rc; i++) {
        xlmig_msg_dispose(&m);
        xlmig_msg_init(&m, XLMIG_MSG_PING);
        t0 = xlmig_now_ns();
        m.value = i + 1;
        rc = xlmig_chan_send_msg(&r->ch, &m);
        if (!rc)
            rc = expect(r, &m, XLMIG_MSG_PONG);
        if (!rc && xlmig_now_ns() - t0 < best)
            best = xlmig_now_ns() - t0;
    }
    xlmig_msg_dispose(&m);
    *rtt = best == UINT64_MAX ? 0 : best;
    return rc;
}


static int precheck(src_run *r)
{
    const xlmig_hooks *h = r->o->hooks;
    const xlmig_check *bad;
    int rc;

    enter(r, XLMIG_PHASE_PRECHECK);
    rc = r->ops->info(r->be, &r->di);
    if (rc)
        return rc;
    snprintf(r->rep->domain, sizeof(r->rep->domain), "%s", r->di.name);
    r->rep->mem_bytes = r->di.mem_bytes;
    rc = xlmig_src_lock_guest(r);
    if (rc)
        return rc;
    rc = r->ops->precheck(r->be, r->checks);
    /* Every disk must be on the far side already: DRBD or shared. */
    if (!rc && r->di.config)
        xlmig_disks_check(r->di.config, r->o->shared, "source",
                          r->checks);
    if (!rc)
        xlmig_src_carry_check(r);
    if (!rc)
        rc = fault(r, "precheck");
    if (rc)
        return rc;
    /* A refused domain never needs the destination bothered. */
    if (!r->o->dry_run && xlmig_checks_failed(r->checks))
        goto refused;
    rc = open_transport(r);
    if (!rc)
        rc = handshake(r);
    if (!rc)
        rc = xlmig_src_peer_check(r);
    /* Its history is the DRBD peer's: known once it said who it is. */
    if (!rc)
        xlmig_src_learned_check(r);
    /* Disk checks want the peer's own name for itself. */
    if (!rc && h && h->src_precheck)
        rc = h->src_precheck(h->arg, &r->di, r->peer, r->checks);
    if (!rc)
        rc = request(r);
    if (rc)
        return rc;
    if (r->o->dry_run) {
        bad = xlmig_checks_failed(r->checks);
        r->rep->outcome = bad ? XLMIG_OUT_REFUSED : XLMIG_OUT_CHECKED;
        if (bad) {
            xlmig_err(XLMIG_E_CHECK, "dry run: %s check %s failed: %s",
                      bad->where, bad->name, bad->detail);
            return XLMIG_E_CHECK;
        }
        return 0;
    }
    if (!xlmig_checks_failed(r->checks))
        return 0;
refused:
    bad = xlmig_checks_failed(r->checks);
    r->rep->outcome = XLMIG_OUT_REFUSED;
    xlmig_err(XLMIG_E_CHECK, "pre-check failed on %s: %s: %s", bad->where,
              bad->name, bad->detail);
    return XLMIG_E_CHECK;
}

static int prepare(src_run *r)
{
    const xlmig_hooks *h = r->o->hooks;
    xlmig_policy_params pp;
    xlmig_policy_env env;
    uint64_t rtt = 0;
    int rc;

    enter(r, XLMIG_PHASE_PREPARE);
    rc = fault(r, "prepare");
    if (rc)
        return rc;
    if (h && h->src_prepare) {
        r->hooks_prepared = true;
        rc = h->src_prepare(h->arg);
        if (rc)
            return rc;
    }
    rc = measure_rtt(r, &rtt);
    if (rc)
        return rc;
    env = (xlmig_policy_env){
        .rtt_ns = rtt,
        .backend_ns = r->ops->switchover_ns ? r->ops->switchover_ns(r->be)
                                            : 0,
        .learned_ns = r->learned_ns,
        .page_size = r->di.page_size,
        .bandwidth_Bps = r->o->bandwidth_Bps,
    };
    xlmig_policy_params_build(&pp, &r->o->policy, &env);
    r->rep->switchover_est_ns = pp.switchover_ns;
    xlmig_chan_set_rate(&r->ch, r->o->bandwidth_Bps);
    xlmig_throttle_init(&r->thr, &r->o->throttle, throttle_apply, r);
    r->throttle_on = !r->o->no_throttle;
    xlmig_policy_init(&r->pol, &pp, r->throttle_on ? &r->thr : NULL);
    r->pol.cancel_ext = r->o->cancel;
    return 0;
}

/* Says which deadline, and how it came about. */
static void deadline_passed(src_run *r)
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

static int precopy(src_run *r)
{
    xlmig_save_ctx sc;
    xlmig_msg m;
    int rc;

    enter(r, XLMIG_PHASE_PRECOPY);
    rc = fault(r, "precopy");
    if (rc)
        return rc;
    memset(&sc, 0, sizeof(sc));
    sc.ch = &r->ch;
    sc.policy = &r->pol;
    sc.throttle = r->throttle_on ? &r->thr : NULL;
    sc.progress = r->o->progress;
    sc.cancel = r->o->cancel;
    sc.suspending = on_suspending;
    sc.suspended = on_suspended;
    sc.priv = r;
    r->ch.page_size = r->di.page_size;
    r->t_precopy = xlmig_now_ns();
    rc = r->ops->save(r->be, &sc);
    r->rep->iterations = sc.iterations;
    r->rep->pages_sent = sc.pages_sent;
    r->rep->final_pages = sc.final_pages;
    r->rep->predicted_ns = r->pol.predicted_ns;
    snprintf(r->rep->stop_reason, sizeof(r->rep->stop_reason), "%s",
             xlmig_policy_reason_str(r->pol.why));
    if (sc.t_suspend && !r->suspended)
        on_suspended(&sc);
    if (!rc && r->fault_rc)
        rc = r->fault_rc;
    if (rc == XLMIG_E_TIMEOUT && r->ch.deadline_hit)
        deadline_passed(r);
    if (rc == XLMIG_E_ABORTED && r->pol.why == XLMIG_WHY_TIMEOUT_ROUND)
        xlmig_err_replace(rc, "pre-copy aborted: downtime target"
                          " unmeetable before timeout (--timeout %.0f s"
                          " reached in round %u); raise --timeout or pass"
                          " --allow-long-downtime",
                          (double)r->pol.par.timeout_ns / 1e9,
                          sc.iterations);
    if (rc == XLMIG_E_ABORTED && (r->pol.why == XLMIG_WHY_TIMEOUT_ABORT ||
                                  r->pol.why == XLMIG_WHY_BELOW_FLOOR ||
                                  r->pol.why == XLMIG_WHY_ITERATIONS))
        /* Tell the operator the numbers and the way out. */
        xlmig_err_replace(rc, "pre-copy aborted: %s (predicted downtime"
                          " %.0f ms, target %.0f ms, switchover %.0f ms);"
                          " raise --max-downtime or pass"
                          " --allow-long-downtime",
                          xlmig_policy_reason_str(r->pol.why),
                          r->pol.predicted_ns == UINT64_MAX ? -1.0
                          : (double)r->pol.predicted_ns / 1e6,
                          (double)r->pol.par.max_downtime_ns / 1e6,
                          (double)r->pol.par.switchover_ns / 1e6);
    if (!rc)
        rc = fault(r, "switchover");
    if (rc)
        return rc;
    xlmig_msg_init(&m, XLMIG_MSG_MEMORY_END);
    m.hash = sc.has_digest ? sc.digest : 0;
    m.value = sc.pages_sent;
    rc = xlmig_chan_send_msg(&r->ch, &m);
    r->t_memend = xlmig_now_ns();
    xlmig_msg_dispose(&m);
    return rc;
}

static int peer_quit_before_go(src_run *r)
{
    struct pollfd p = { .fd = r->conn.in_fd, .events = POLLIN };
    xlmig_msg m;
    int rc;

    if (poll(&p, 1, 0) <= 0)
        return 0;
    xlmig_msg_init(&m, XLMIG_MSG_NONE);
    rc = expect(r, &m, XLMIG_MSG_GO);
    if (!rc) {
        xlmig_err(XLMIG_E_PROTO, "destination sent \"go\" itself");
        rc = XLMIG_E_PROTO;
    }
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

static int switchover(src_run *r)
{
    const xlmig_hooks *h = r->o->hooks;
    uint64_t took;              /* the peer's part of memend -> ready */
    xlmig_msg m;
    int rc;

    xlmig_msg_init(&m, XLMIG_MSG_NONE);
    rc = expect(r, &m, XLMIG_MSG_READY);
    if (rc)
        goto out;
    r->t_ready = xlmig_now_ns();
    took = m.took_ns;
    r->rep->has_verify = m.verified;
    r->rep->verified = m.verified;
    rc = fault(r, "go");
    if (rc)
        goto out;
    /* Nothing writes any more: the peer must hold every write. */
    if (h && h->src_verify) {
        rc = h->src_verify(h->arg);
        if (rc)
            goto out;
    }
    if (r->o->cancel && *r->o->cancel) {
        xlmig_err(XLMIG_E_ABORTED, "cancelled before the commit point");
        rc = XLMIG_E_ABORTED;
        goto out;
    }
    /* Too late is too late, even with ready in hand. */
    rc = xlmig_chan_check_deadline(&r->ch, "about to commit to");
    if (rc)
        goto out;
    /*
     * A destination that gave up (timed out, failed) has said so, or
     * hung up: then go must not be sent, and the rollback is certain.
     */
    rc = peer_quit_before_go(r);
    if (rc)
        goto out;
    /*
     * The commit point: from here on nothing is cancelled, and the
     * answer gets a deadline of its own (activating takes little).
     */
    xlmig_msg_dispose(&m);
    xlmig_msg_init(&m, XLMIG_MSG_GO);
    r->ch.cancel = NULL;
    r->ch.deadline_ns = xlmig_now_ns() + r->deadline_ns;
    r->ch.deadline_hit = false;
    rc = xlmig_chan_send_msg(&r->ch, &m);
    if (!rc)
        rc = fault(r, "go-sent");
    if (!rc)
        rc = xlmig_chan_recv_msg(&r->ch, &m);
    if (!rc)
        rc = settle(r, &m);
    if (rc && rc != XLMIG_E_REMOTE) {
        r->rep->outcome = XLMIG_OUT_UNDEFINED;
        xlmig_err_replace(XLMIG_E_UNDEFINED, "go sent but destination did"
                          " not confirm (%s): the guest may run on either"
                          " host; run: xl-migrate-drbd recover %s %s",
                          xlmig_errmsg(), r->di.name, peer_name(r));
        rc = XLMIG_E_UNDEFINED;
        goto out;
    }
    if (rc)
        goto out;
    r->rep->downtime_ns = xlmig_now_ns() - r->t_suspend;
    /* Where it went: for the operator, and for whoever tunes a host. */
    r->rep->sw_suspend_ns = r->t_down - r->t_suspend;
    r->rep->sw_pages_ns = r->t_memend - r->t_down;
    r->rep->sw_restore_ns = r->t_ready - r->t_memend;
    /* A peer that did not say (or a clock step) leaves it all restore. */
    if (took && took <= r->rep->sw_restore_ns) {
        r->rep->sw_flight_ns = r->rep->sw_restore_ns - took;
        r->rep->sw_restore_ns = took;
    }
    r->rep->sw_resume_ns = r->t_suspend + r->rep->downtime_ns - r->t_ready;
    if (!xlmig_placement_empty(&r->placement)) {
        const char *why;

        r->placed = xlmig_autostart_confirmed(&m, &why);
        snprintf(r->placed_why, sizeof(r->placed_why), "%s", why);
    }
out:
    if (rc == XLMIG_E_TIMEOUT && r->ch.deadline_hit)
        deadline_passed(r);
    xlmig_msg_dispose(&m);
    return rc;
}

static int commit(src_run *r)
{
    const xlmig_hooks *h = r->o->hooks;
    int rc;

    enter(r, XLMIG_PHASE_COMMIT);
    rc = fault(r, "commit");
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
                   " %s %s", xlmig_errmsg(), r->di.name, peer_name(r));
    if (h && h->src_commit && h->src_commit(h->arg))
        XLMIG_WARN("closing the disk window after commit failed: %s",
                   xlmig_errmsg());
    r->rep->outcome = XLMIG_OUT_MIGRATED;
    xlmig_src_carry_release(r);
    xlmig_src_learn(r);
    return 0;
}

static void rollback(src_run *r, int why)
{
    const xlmig_hooks *h = r->o->hooks;
    uint64_t now = xlmig_now_ns();
    xlmig_err_saved root;

    enter(r, XLMIG_PHASE_ROLLBACK);
    /* A crash here is the worst case: the guest may still be stopped. */
    fault(r, "rollback");     /* the first error stays the one reported */
    /* After a timeout the peer is not listening, or is mid-record. */
    if (r->chan_open && !r->peer_gone && why != XLMIG_E_TIMEOUT)
        xlmig_chan_send_error(&r->ch, XLMIG_MSG_ABORT, why, xlmig_errmsg());
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

static void fill_report(src_run *r)
{
    xlmig_report *rep = r->rep;
    uint64_t now = xlmig_now_ns();

    rep->total_ns = now - r->t_start;
    if (r->t_precopy)
        rep->precopy_ns = (r->t_suspend ? r->t_suspend : now) -
                          r->t_precopy;
    if (r->chan_open) {
        rep->bytes_sent = xlmig_meter_bytes(&r->ch.meter);
        if (rep->total_ns)
            rep->rate_Bps = (double)rep->bytes_sent * 1e9 /
                            (double)(now - (r->t_precopy ? r->t_precopy
                                                         : r->t_start));
    }
    if (r->throttle_on) {
        rep->throttled = r->thr.engaged;
        rep->throttle_max_pct = (1.0 - r->thr.min_share_seen) * 100.0;
        rep->guest_lost_ns = xlmig_throttle_lost_ns(&r->thr, now);
    }
    rep->guest_on_source = r->ops->running ? r->ops->running(r->be)
                                           : rep->outcome != XLMIG_OUT_MIGRATED;
}

int xlmig_migrate_source(const xlmig_src_opts *o, const xlmig_src_ops *ops,
                         void *be, xlmig_report *rep)
{
    src_run r;
    int rc;

    memset(&r, 0, sizeof(r));
    r.o = o;
    r.ops = ops;
    r.be = be;
    r.rep = rep;
    r.checks = o->checks ? o->checks : &r.own_checks;
    xlmig_checks_init(r.checks);
    /* Both disposable from here, whether or not the peer is reached. */
    xlmig_conn_init(&r.conn);
    xlmig_chan_init(&r.ch, &r.conn, "destination");
    xlmig_domain_info_init(&r.di);
    xlmig_lock_init(&r.lock);
    xlmig_placement_init(&r.placement);
    xlmig_policy_init(&r.pol, &o->policy, NULL);
    xlmig_throttle_init(&r.thr, &o->throttle, NULL, NULL);
    xlmig_self_name(r.host, sizeof(r.host));
    r.t_start = xlmig_now_ns();
    snprintf(rep->dest, sizeof(rep->dest), "%s",
             o->dest_host ? o->dest_host : "?");
    snprintf(rep->backend, sizeof(rep->backend), "%s", ops->name);

    rc = precheck(&r);
    if (rc || o->dry_run)
        goto out;
    rc = prepare(&r);
    if (!rc)
        rc = precopy(&r);
    if (!rc)
        rc = switchover(&r);
    if (!rc)
        rc = commit(&r);
    else if (rc != XLMIG_E_UNDEFINED)
        rollback(&r, rc);
out:
    if (rc && rep->outcome == XLMIG_OUT_NONE)
        rep->outcome = rc == XLMIG_E_ABORTED ? XLMIG_OUT_ABORTED
                                             : XLMIG_OUT_FAILED;
    if (rc)
        snprintf(rep->message, sizeof(rep->message), "%s", xlmig_errmsg());
    fill_report(&r);
    if (o->progress)
        xlmig_progress_end(o->progress, rep->outcome == XLMIG_OUT_MIGRATED);
    xlmig_throttle_dispose(&r.thr, xlmig_now_ns());
    xlmig_policy_dispose(&r.pol);
    xlmig_chan_dispose(&r.ch);
    xlmig_conn_dispose(&r.conn);
    xlmig_domain_info_dispose(&r.di);
    xlmig_placement_dispose(&r.placement);
    /* Last: whatever happened, it is over here. */
    xlmig_lock_dispose(&r.lock);
    return rc;
}
