/*
 * The source's pre-check phase: the guest's own checks, then the
 * transport, the handshake and the destination's answer to the request
 * (migrate_src_run.h). Nothing here has touched the guest yet.
 */
#include "migrate_src_run.h"

#include <string.h>

#include "error.h"

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
    rc = xlmig_src_expect(r, &m, XLMIG_MSG_HELLO);
    if (rc)
        goto out;
    snprintf(r->peer, sizeof(r->peer), "%s",
             m.host ? m.host : r->o->dest_host);
    snprintf(r->said, sizeof(r->said), "%s", m.host ? m.host : "");
    xlmig_src_flight_choose(r, &m);
    r->peer_drain = m.drain;
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
    /* Its hello's "streams": how many data streams it takes, if any. */
    r->peer_dp = m.streams > 0;
    if (r->dp.kind != XLMIG_DP_SSH && r->peer_dp && r->dp.n > m.streams)
        xlmig_checks_add(r->checks, "dest", "data-path", false, "%s takes"
                         " at most %llu data streams, not %u", r->peer,
                         (unsigned long long)m.streams, r->dp.n);
    else if (r->dp.kind != XLMIG_DP_SSH && r->peer_dp)
        xlmig_checks_add(r->checks, "dest", "data-path", true, "%u %s"
                         " stream(s) to %s", r->dp.n,
                         xlmig_dp_kind_str(r->dp.kind), r->peer);
    else if (r->dp.kind != XLMIG_DP_SSH)
        xlmig_checks_add(r->checks, "dest", "data-path", false, "%s has no"
                         " data path (an older xlmig): update it, or pass"
                         " --transport ssh", r->peer);
    /* An older destination says nothing: it gets raw records. */
    xlmig_codec_enc_agree(&r->ch.enc, r->o->compress, (unsigned)m.codec);
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
    if (r->o->hooks && r->o->hooks->src_request) {
        rc = r->o->hooks->src_request(r->o->hooks->arg, &m);
        if (rc)
            goto out;
        rc = XLMIG_E_NOMEM;
    }
    m.mem_bytes = r->di.mem_bytes;
    m.page_size = r->di.page_size;
    m.dry_run = r->o->dry_run;
    m.value = XLMIG_SRC_NPINGS;
    /* A fresh key for this run only; a dry run opens no data path. */
    if (!r->o->dry_run && r->dp.kind != XLMIG_DP_SSH) {
        rc = xlmig_dp_source_setup(&r->dp, r->dp.kind, r->dp.n);
        if (!rc)
            rc = xlmig_dp_to_msg(&r->dp, &m);
        if (!rc && r->o->data_addr)
            rc = xlmig_msg_set(&m.data_addr, r->o->data_addr);
        if (rc)
            goto out;
    }
    m.codec = r->ch.enc.use;
    m.one_flight = r->one_flight;
    rc = xlmig_chan_send_msg(&r->ch, &m);
    if (rc)
        goto out;
    rc = xlmig_src_expect(r, &m, XLMIG_MSG_PREPARED);
    if (rc)
        goto out;
    xlmig_src_restore_prior(r, m.restore_ns);
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

int xlmig_src_precheck(src_run *r)
{
    const xlmig_hooks *h = r->o->hooks;
    const xlmig_check *bad;
    int rc;

    xlmig_src_enter(r, XLMIG_PHASE_PRECHECK);
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
    if (!rc && h && h->src_disks)
        h->src_disks(h->arg, &r->di, r->checks);
    if (!rc)
        xlmig_src_carry_check(r);
    if (!rc)
        rc = xlmig_src_fault(r, "precheck");
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
