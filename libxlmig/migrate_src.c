/*
 * The source side of a migration: precheck -> prepare -> precopy ->
 * switchover -> commit, or rollback. The commit point is the "go"
 * message (sent with memory-end in one flight, or after the
 * destination's "ready" in two steps): before it every failure resumes
 * the guest here; after it only the destination's "not started" does.
 *
 * Here: the run itself, prepare and precopy. The pre-check is in
 * migrate_src_precheck.c, switchover, commit and rollback in
 * migrate_src_commit.c, the guards in migrate_src_guard.c.
 */
#include "migrate_src_run.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "autostart.h"
#include "drain.h"
#include "error.h"
#include "fault.h"
#include "lock.h"
#include "phase.h"
#include "policy_setup.h"

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
const char *xlmig_src_peer_name(const src_run *r)
{
    if (r->o->dest && r->o->dest->peer)
        return r->o->dest->peer;
    return r->peer[0] ? r->peer : r->o->dest_host ? r->o->dest_host : "?";
}

void xlmig_src_enter(src_run *r, xlmig_phase ph)
{
    r->phase = ph;
    XLMIG_DBG("source: phase %s", xlmig_phase_name(ph));
    if (r->o->progress)
        xlmig_progress_phase(r->o->progress, xlmig_phase_name(ph));
}

int xlmig_src_fault(src_run *r, const char *point)
{
    return xlmig_fault_point(XLMIG_SIDE_SOURCE, point,
                             r->chan_open ? &r->ch : NULL);
}

static int throttle_apply(void *arg, double share)
{
    src_run *r = arg;

    return r->ops->set_share ? r->ops->set_share(r->be, share) : 0;
}

/*
 * The policy said stop: before the suspend, the destination takes in
 * what the streams still hold (drain.h), so that the downtime waits
 * only for the last pages.
 */
static int on_drain(xlmig_save_ctx *sc)
{
    src_run *r = sc->priv;
    uint64_t t0 = xlmig_now_ns();
    int rc;

    if (!r->peer_drain)
        return 0;
    rc = xlmig_drain_wait(&r->ch, 1, XLMIG_E_REMOTE, &r->peer_gone);
    if (rc)
        return rc;
    r->t_pong = xlmig_now_ns();
    r->rep->drain_ns = r->t_pong - t0;
    r->rep->drained = true;
    XLMIG_DBG("source: the destination caught up in %.1f ms",
              (double)r->rep->drain_ns / 1e6);
    return 0;
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
    xlmig_src_enter(r, XLMIG_PHASE_SWITCHOVER);
    /* Past the suspend, before the last pages: the worst place to lag. */
    r->fault_rc = xlmig_src_fault(r, "suspended");
    if (!r->fault_rc)
        xlmig_src_flight_verify(r);
}

int xlmig_src_expect(src_run *r, xlmig_msg *m, xlmig_msg_type want)
{
    return xlmig_chan_expect(&r->ch, m, want, XLMIG_E_REMOTE, &r->peer_gone);
}

/* Round trips before any data flows: the switchover's network cost. */
static int measure_rtt(src_run *r, uint64_t *rtt)
{
    xlmig_msg m;
    uint64_t best = UINT64_MAX, t0;
    unsigned i;
    int rc = 0;

    xlmig_msg_init(&m, XLMIG_MSG_NONE);
    for (i = 0; i < XLMIG_SRC_NPINGS && !rc; i++) {
        xlmig_msg_dispose(&m);
        xlmig_msg_init(&m, XLMIG_MSG_PING);
        t0 = xlmig_now_ns();
        m.value = i + 1;
        rc = xlmig_chan_send_msg(&r->ch, &m);
        if (!rc)
            rc = xlmig_src_expect(r, &m, XLMIG_MSG_PONG);
        if (!rc && xlmig_now_ns() - t0 < best)
            best = xlmig_now_ns() - t0;
    }
    xlmig_msg_dispose(&m);
    *rtt = best == UINT64_MAX ? 0 : best;
    return rc;
}

/* A ping in the stream: the destination's wait for it starts again. */
static int keepalive(void *arg)
{
    src_run *r = arg;
    xlmig_msg m;
    int rc;

    xlmig_msg_init(&m, XLMIG_MSG_PING);
    rc = xlmig_chan_send_msg(&r->ch, &m);
    xlmig_msg_dispose(&m);
    return rc;
}

/*
 * The data streams, once the round trips are measured: to the address
 * and port the destination's listener has, proving the one-time key.
 */
static int open_data(src_run *r)
{
    xlmig_msg m;
    int rc;

    if (r->dp.kind == XLMIG_DP_SSH)
        return 0;
    xlmig_msg_init(&m, XLMIG_MSG_NONE);
    rc = xlmig_src_expect(r, &m, XLMIG_MSG_DATA_LISTEN);
    if (!rc)
        rc = xlmig_dp_connect(&r->dp, &r->ch, &m);
    xlmig_msg_dispose(&m);
    return rc;
}

static int prepare(src_run *r)
{
    const xlmig_hooks *h = r->o->hooks;
    xlmig_policy_params pp;
    xlmig_policy_env env;
    uint64_t rtt = 0;
    int rc;

    xlmig_src_enter(r, XLMIG_PHASE_PREPARE);
    rc = xlmig_src_fault(r, "prepare");
    if (rc)
        return rc;
    if (h && h->src_prepare) {
        r->hooks_prepared = true;
        rc = h->src_prepare(h->arg);
        if (rc)
            return rc;
    }
    rc = measure_rtt(r, &rtt);
    r->rtt_ns = rtt;
    if (!rc)
        rc = open_data(r);
    if (rc)
        return rc;
    /* Local disks: their initial sync, before any memory is sent. */
    if (h && h->src_sync) {
        rc = h->src_sync(h->arg, r->o->progress, r->o->cancel, keepalive,
                         r);
        if (rc)
            return rc;
    }
    env = (xlmig_policy_env){
        .rtt_ns = rtt,
        .backend_ns = r->ops->switchover_ns ? r->ops->switchover_ns(r->be)
                                            : 0,
        .learned_ns = r->learned_ns,
        .dst_restore_ns = r->dst_restore_ns,
        .page_size = r->di.page_size,
        .bandwidth_Bps = r->o->bandwidth_Bps,
        .one_flight = r->one_flight,
    };
    xlmig_policy_params_build(&pp, &r->o->policy, &env);
    r->rep->switchover_est_ns = pp.switchover_ns;
    xlmig_chan_set_rate(&r->ch, r->o->bandwidth_Bps);
    xlmig_codec_enc_set_link(&r->ch.enc, r->o->bandwidth_Bps);
    xlmig_throttle_init(&r->thr, &r->o->throttle, throttle_apply, r);
    r->throttle_on = !r->o->no_throttle;
    xlmig_policy_init(&r->pol, &pp, r->throttle_on ? &r->thr : NULL);
    r->pol.cancel_ext = r->o->cancel;
    return 0;
}

static int precopy(src_run *r)
{
    xlmig_save_ctx sc;
    xlmig_msg m;
    int rc;

    xlmig_src_enter(r, XLMIG_PHASE_PRECOPY);
    rc = xlmig_src_fault(r, "precopy");
    if (rc)
        return rc;
    memset(&sc, 0, sizeof(sc));
    sc.ch = &r->ch;
    sc.policy = &r->pol;
    sc.throttle = r->throttle_on ? &r->thr : NULL;
    sc.progress = r->o->progress;
    sc.cancel = r->o->cancel;
    sc.drain = on_drain;
    sc.suspending = on_suspending;
    sc.suspended = on_suspended;
    sc.priv = r;
    r->ch.page_size = r->di.page_size;
    r->t_precopy = xlmig_now_ns();
    rc = r->ops->save(r->be, &sc);
    r->rep->iterations = sc.iterations;
    r->rep->pages_sent = sc.pages_sent;
    r->rep->final_pages = sc.final_pages;
    r->rep->codec = r->ch.enc.st;
    r->rep->compress = r->o->compress;
    r->rep->predicted_ns = r->pol.predicted_ns;
    snprintf(r->rep->stop_reason, sizeof(r->rep->stop_reason), "%s",
             xlmig_policy_reason_str(r->pol.why));
    if (sc.t_suspend && !r->suspended)
        on_suspended(&sc);
    if (!rc && r->fault_rc)
        rc = r->fault_rc;
    if (!rc && r->verify_rc)
        rc = r->verify_rc;
    if (rc == XLMIG_E_TIMEOUT && r->ch.deadline_hit)
        xlmig_src_deadline_passed(r);
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
        rc = xlmig_src_fault(r, "switchover");
    /* One flight: nothing may stop the commit once memory-end is out. */
    if (!rc && r->one_flight)
        rc = xlmig_src_clear_to_go(r);
    if (rc)
        return rc;
    xlmig_msg_init(&m, XLMIG_MSG_MEMORY_END);
    m.hash = sc.has_digest ? sc.digest : 0;
    m.value = sc.pages_sent;
    r->t_memend_out = xlmig_now_ns();
    rc = xlmig_chan_send_msg(&r->ch, &m);
    r->t_memend = xlmig_now_ns();
    xlmig_msg_dispose(&m);
    if (rc == XLMIG_E_TIMEOUT && r->ch.deadline_hit)
        xlmig_src_deadline_passed(r);
    return rc;
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
    snprintf(rep->transport, sizeof(rep->transport), "%s",
             xlmig_dp_kind_str(r->dp.kind));
    rep->streams = r->dp.kind == XLMIG_DP_SSH ? 1 : r->dp.n;
    rep->ktls = r->dp.ktls;
    snprintf(rep->data_addr, sizeof(rep->data_addr), "%s", r->dp.addr);
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
    xlmig_dp_init(&r.dp);
    r.dp.kind = o->transport;
    r.dp.n = o->streams;
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

    rc = xlmig_src_precheck(&r);
    if (rc || o->dry_run)
        goto out;
    rc = prepare(&r);
    if (!rc)
        rc = precopy(&r);
    if (!rc)
        rc = xlmig_src_switchover(&r);
    if (!rc)
        rc = xlmig_src_commit(&r);
    else if (rc != XLMIG_E_UNDEFINED)
        xlmig_src_rollback(&r, rc);
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
    xlmig_dp_dispose(&r.dp);
    xlmig_conn_dispose(&r.conn);
    xlmig_domain_info_dispose(&r.di);
    xlmig_placement_dispose(&r.placement);
    /* Last: whatever happened, it is over here. */
    xlmig_lock_dispose(&r.lock);
    return rc;
}
