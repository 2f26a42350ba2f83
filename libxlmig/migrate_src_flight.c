/*
 * The one-flight switchover, source side (docs/design.md, "The
 * one-flight switchover"): which switchover this run uses, the checks
 * that "ready" used to gate, run right after the suspend, and the
 * downtime's steps as the destination's "done" tells them.
 */
#include "migrate_src_run.h"

#include <stdio.h>

#include "error.h"

void xlmig_src_flight_choose(src_run *r, const xlmig_msg *hello)
{
    /* An older receiver does not offer it: the two steps, as before. */
    r->one_flight = hello->one_flight && !r->o->two_step;
    snprintf(r->rep->switchover, sizeof(r->rep->switchover), "%s",
             r->one_flight ? "one-flight" : "two-step");
}

/*
 * The guest is stopped for good: nothing it wrote is lost if the peer
 * holds every write now. The same question "go" asked after "ready",
 * asked before the last pages so that the flight needs no answer.
 */
int xlmig_src_verify_stopped(src_run *r)
{
    const xlmig_hooks *h = r->o->hooks;
    int rc;

    rc = xlmig_src_fault(r, "verify");
    if (!rc && h && h->src_verify)
        rc = h->src_verify(h->arg);
    return rc;
}

void xlmig_src_flight_verify(src_run *r)
{
    if (!r->one_flight || r->verify_rc)
        return;
    /* Seen after the save, before memory-end: the rollback is certain. */
    r->verify_rc = xlmig_src_verify_stopped(r);
}

/*
 * When the guest started there, on our clock: the destination's "done"
 * says how long after its pong to our drain (which came in about half
 * the best round trip: a small message behind an empty stream). Held
 * to what must be true: no earlier than memory-end began to leave plus
 * the destination's own time, no later than now. 0: no such anchor.
 */
static uint64_t anchored(const src_run *r, const xlmig_msg *done,
                         uint64_t now)
{
    uint64_t t, lo = r->t_memend_out + done->took_ns;

    if (!r->t_pong || !done->after_drain_ns || r->t_pong < r->rtt_ns / 2)
        return 0;
    t = r->t_pong - r->rtt_ns / 2 + done->after_drain_ns;
    return t < lo ? lo : t > now ? now : t;
}

/*
 * "done" came back at now. Its took_ns is the destination's own time
 * from memory-end to the guest running (activate_ns of it from go on);
 * the rest of memory-end -> done is the two ways on the link, of which
 * only the first kept the guest down: placed by the drain's anchor,
 * else split in half (a slow way back then counts half as downtime).
 * A peer that did not say (or a clock step) counts it all.
 */
void xlmig_src_flight_steps(src_run *r, const xlmig_msg *done,
                            uint64_t now)
{
    xlmig_report *rep = r->rep;
    uint64_t after = now - r->t_memend, took = done->took_ns, run;
    /*
     * The destination cannot have had memory-end before it began to
     * leave; its send may return only once the streams drained, after
     * the destination's clock for took started.
     */
    uint64_t bound = now - r->t_memend_out;

    rep->sw_suspend_ns = r->t_down - r->t_suspend;
    rep->sw_pages_ns = r->t_memend - r->t_down;
    rep->sw_resume_ns = 0;
    if (!took || took > bound) {
        rep->sw_restore_ns = after;
        rep->sw_flight_ns = 0;
        rep->downtime_ns = now - r->t_suspend;
        return;
    }
    if (done->activate_ns <= took)
        rep->sw_resume_ns = done->activate_ns;
    rep->sw_restore_ns = took - rep->sw_resume_ns;
    run = anchored(r, done, now);
    if (run)
        rep->sw_flight_ns = run - took > r->t_memend
                            ? run - took - r->t_memend : 0;
    else
        rep->sw_flight_ns = after > took ? (after - took) / 2 : 0;
    rep->downtime_ns = rep->sw_suspend_ns + rep->sw_pages_ns +
                       rep->sw_flight_ns + took;
}
