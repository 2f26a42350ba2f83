/*
 * The destination side, run by the transport with the stream on stdin
 * and stdout: check, prepare, restore the guest paused under an incoming
 * name, and only on "go" (in one flight with memory-end, or after our
 * "ready" in two steps) rename and unpause it. Anything else, including
 * the source vanishing, discards what was built.
 */
#include "migrate_dst_run.h"

#include <string.h>
#include <unistd.h>

#include "autostart.h"
#include "codec.h"
#include "conn.h"
#include "drain.h"
#include "error.h"
#include "fault.h"
#include "lock.h"
#include "phase.h"
#include "restore_cost.h"
#include "wire.h"

#define MAX_PINGS 16


void xlmig_dst_opts_init(xlmig_dst_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->in_fd = 0;
    o->out_fd = 1;
    o->io_timeout_ns = XLMIG_S(XLMIG_IO_TIMEOUT_DEFAULT_S);
}

void xlmig_dst_enter(dst_run *r, xlmig_phase ph)
{
    r->phase = ph;
    XLMIG_DBG("destination: phase %s", xlmig_phase_name(ph));
}

int xlmig_dst_fault(dst_run *r, const char *point)
{
    return xlmig_fault_point(XLMIG_SIDE_DEST, point, &r->ch);
}

int xlmig_dst_expect(dst_run *r, xlmig_msg *m, xlmig_msg_type want)
{
    return xlmig_chan_expect(&r->ch, m, want, XLMIG_E_ABORTED, &r->peer_gone);
}

static int hello(dst_run *r)
{
    xlmig_msg m;
    int rc;

    xlmig_msg_init(&m, XLMIG_MSG_HELLO);
    rc = xlmig_chan_send_magic(&r->ch);
    if (rc)
        goto out;
    if (xlmig_msg_set(&m.host, r->host) ||
        xlmig_msg_set(&m.backend, r->ops->name)) {
        rc = XLMIG_E_NOMEM;
        goto out;
    }
    m.streams = XLMIG_DP_MAX_STREAMS;   /* we have a data path */
    m.codec = XLMIG_CODEC_ALL;
    /* Offered; a source that does not know it sends no one_flight. */
    m.one_flight = true;
    m.drain = true;
    rc = xlmig_chan_send_msg(&r->ch, &m);
    if (!rc)
        rc = xlmig_chan_expect_magic(&r->ch);
    if (rc)
        goto out;
    rc = xlmig_dst_expect(r, &r->req, XLMIG_MSG_MIGRATE);
    if (!rc && r->req.proto != XLMIG_PROTO_VERSION) {
        xlmig_err(XLMIG_E_PROTO, "the source speaks xlmig protocol %u,"
                  " this receiver speaks %u", r->req.proto,
                  XLMIG_PROTO_VERSION);
        rc = XLMIG_E_PROTO;
    }
    r->one_flight = !rc && r->req.one_flight;
    /* A request refused as it arrived (a bad name...): say why. */
    if (rc == XLMIG_E_PROTO && !r->peer_gone)
        xlmig_chan_send_error(&r->ch, XLMIG_MSG_ERROR, rc, xlmig_errmsg());
out:
    xlmig_msg_dispose(&m);
    return rc;
}

/*
 * Taken as soon as the request names the guest: two sources never
 * feed this host the same guest. A live holder is a failed check row
 * naming it, sent back like any other; a dry run only looks.
 * Returns 1 when refused so, 0 when we may go on, or an error.
 */
static int lock_guest(dst_run *r, xlmig_checks *c)
{
    char name[XLMIG_LOCK_NAME_LEN], what[300], who[128];
    xlmig_lock_holder h;
    int rc;

    if (!r->o->lock_dir)
        return 0;
    if (!r->req.uuid || xlmig_lock_guest_name(r->req.uuid, name,
                                              sizeof(name))) {
        xlmig_err_clear();
        xlmig_checks_add(c, "dest", "request", false,
                         "migrate request carries no valid guest uuid");
        return 1;
    }
    snprintf(what, sizeof(what), "guest %s (uuid %s) on %s", r->req.name,
             r->req.uuid, r->host);
    if (r->req.dry_run) {
        rc = xlmig_lock_probe(r->o->lock_dir, name, &h);
        if (rc < 0)
            return rc;
        xlmig_lock_holder_str(&h, who, sizeof(who));
        xlmig_checks_add(c, "dest", "guest-lock", !rc, rc ?
                         "%s is locked by %s; try again when it ends" :
                         "%s is not locked", what, who);
        return 0;               /* a dry run lists every other check */
    }
    rc = xlmig_lock_take(&r->lock, r->o->lock_dir, name, "receive", what,
                         NULL);
    if (rc == XLMIG_E_CHECK) {
        xlmig_checks_add(c, "dest", "guest-lock", false, "%s",
                         xlmig_errmsg());
        xlmig_err_clear();
        return 1;
    }
    if (!rc)
        xlmig_checks_add(c, "dest", "guest-lock", true,
                         "%s locked for this migration", what);
    return rc;
}

/* The guest's xl config and autostart entry, if the source sent them. */
bool xlmig_dst_carried(const dst_run *r)
{
    return r->o->autostart && xlmig_placement_in_msg(&r->req);
}

static void carry_check(dst_run *r, xlmig_checks *c)
{
    char detail[512];
    int rc = xlmig_autostart_check(r->o->autostart, &r->req, detail,
                                   sizeof(detail));

    xlmig_checks_add(c, "dest", XLMIG_AUTOSTART_CHECK, rc == 0, "%s",
                     detail);
    xlmig_err_clear();
}

/* Staged before the memory moves; a failure costs the file, not the
 * migration: the source then keeps its autostart entry. */
static void carry_stage(dst_run *r)
{
    r->carry = !xlmig_autostart_stage(r->o->autostart);
    if (!r->carry) {
        snprintf(r->carry_why, sizeof(r->carry_why), "%s", xlmig_errmsg());
        XLMIG_WARN("the guest's config will not be written here: %s",
                   r->carry_why);
        xlmig_err_clear();
    }
}

/* Put in place once the guest runs here; "done" says whether. */
void xlmig_dst_carry_commit(dst_run *r, xlmig_msg *done)
{
    char detail[512];
    bool ok = r->carry && !xlmig_autostart_commit(r->o->autostart);

    if (r->carry && !ok) {
        snprintf(r->carry_why, sizeof(r->carry_why), "%s", xlmig_errmsg());
        XLMIG_WARN("the guest runs here, but its config was not written:"
                   " %s", r->carry_why);
        xlmig_err_clear();
    }
    if (ok)
        xlmig_placement_describe(&r->o->autostart->p, &r->o->autostart->dirs,
                                 detail, sizeof(detail));
    xlmig_msg_add_check(done, XLMIG_AUTOSTART_CHECK, ok,
                        ok ? detail : r->carry_why);
}

static int check(dst_run *r, bool *ok)
{
    const xlmig_hooks *h = r->o->hooks;
    const xlmig_check *bad;
    xlmig_checks c;
    xlmig_msg m;
    unsigned i;
    int rc, locked_out = 0;

    xlmig_dst_enter(r, XLMIG_PHASE_PRECHECK);
    xlmig_checks_init(&c);
    xlmig_msg_init(&m, XLMIG_MSG_PREPARED);
    snprintf(r->rep->domain, sizeof(r->rep->domain), "%s",
             r->req.name ? r->req.name : "?");
    rc = xlmig_dst_fault(r, "precheck");
    if (rc)
        goto out;
    if (!r->req.backend || strcmp(r->req.backend, r->ops->name))
        xlmig_checks_add(&c, "dest", "backend", false,
                         "source backend %s, this receiver runs %s",
                         r->req.backend ? r->req.backend : "?",
                         r->ops->name);
    else if (!r->req.name || !*r->req.name)
        xlmig_checks_add(&c, "dest", "request", false,
                         "migrate request names no domain");
    else if ((locked_out = lock_guest(r, &c)) == 0)
        rc = r->ops->check(r->be, &r->req, &c, &m.free_bytes);
    if (locked_out < 0)
        rc = locked_out;
    /* Locked out: nothing else is looked at. */
    /* Shared here too: the source's word is not this host's mounts. */
    if (!rc && !locked_out && r->req.config)
        xlmig_disks_check(r->req.config, r->o->shared, "dest", &c);
    if (!rc && !locked_out && h && h->dst_check)
        rc = h->dst_check(h->arg, &r->req, r->req.host, &c);
    if (!rc && !locked_out && h && h->dst_config)
        rc = h->dst_config(h->arg, &r->req.config, &r->req.xl_config, &c);
    if (!rc && !locked_out && xlmig_dst_carried(r))
        carry_check(r, &c);
    if (rc)
        goto out;
    for (i = 0; i < c.n; i++)
        xlmig_msg_add_check(&m, c.items[i].name, c.items[i].ok,
                            c.items[i].detail);
    bad = xlmig_checks_failed(&c);
    m.ok = !bad;
    *ok = m.ok;
    /* A prior for a source that never moved a guest here. */
    m.restore_ns = xlmig_restore_cost_estimate(r->o->swcost_dir);
    rc = xlmig_chan_send_msg(&r->ch, &m);
    if (!rc && bad && !r->req.dry_run) {
        r->rep->outcome = XLMIG_OUT_REFUSED;
        xlmig_err(XLMIG_E_CHECK, "%s: %s", bad->name, bad->detail);
        rc = XLMIG_E_CHECK;
    }
out:
    xlmig_msg_dispose(&m);
    return rc;
}

/*
 * The data streams the request asks for: a listener on the migration
 * address (the control connection's own, else the source's hint) until
 * the expected connections proved the key.
 */
static int open_data(dst_run *r)
{
    const char *addr = r->o->data_addr ? r->o->data_addr : r->req.data_addr;
    xlmig_msg m;
    int rc = xlmig_dp_from_msg(&r->dp, &r->req);

    if (rc || r->dp.kind == XLMIG_DP_SSH)
        return rc;
    if (!addr) {
        xlmig_err(XLMIG_E_INVAL, "data path: no migration address to listen"
                  " on (no SSH_CONNECTION, and the source named none); use"
                  " --transport ssh");
        return XLMIG_E_INVAL;
    }
    rc = xlmig_dp_listen(&r->dp, addr);
    if (rc)
        return rc;
    rc = xlmig_dp_listen_msg(&r->dp, &m);
    if (!rc)
        rc = xlmig_chan_send_msg(&r->ch, &m);
    xlmig_msg_dispose(&m);
    if (!rc)
        rc = xlmig_dp_accept(&r->dp, &r->ch);
    return rc;
}

static int prepare(dst_run *r)
{
    const xlmig_hooks *h = r->o->hooks;
    xlmig_msg m;
    unsigned i, n;
    int rc;

    xlmig_dst_enter(r, XLMIG_PHASE_PREPARE);
    rc = xlmig_dst_fault(r, "prepare");
    if (rc)
        return rc;
    n = r->req.value > MAX_PINGS ? MAX_PINGS : (unsigned)r->req.value;
    if (!n) {
        xlmig_err(XLMIG_E_PROTO, "migrate request asks for no round trips");
        return XLMIG_E_PROTO;
    }
    xlmig_msg_init(&m, XLMIG_MSG_NONE);
    for (i = 0; i < n && !rc; i++) {
        rc = xlmig_dst_expect(r, &m, XLMIG_MSG_PING);
        /*
         * The source opens its side of the disk window before its first
         * ping; only then may this side go Primary beside it.
         */
        if (!rc && i == 0 && h && h->dst_prepare) {
            r->hooks_prepared = true;
            rc = h->dst_prepare(h->arg, &r->req);
        }
        if (!rc) {
            m.type = XLMIG_MSG_PONG;
            rc = xlmig_chan_send_msg(&r->ch, &m);
        }
    }
    xlmig_msg_dispose(&m);
    if (!rc)
        rc = open_data(r);
    if (!rc && xlmig_dst_carried(r))
        carry_stage(r);
    return rc;
}

/* A control message in the memory stream: its end, or the source quit. */
static int stream_control(xlmig_chan *ch, const xlmig_dst_ops *ops,
                          void *be, xlmig_restore_result *res, bool *ended)
{
    xlmig_msg m;
    int rc;

    xlmig_msg_init(&m, XLMIG_MSG_NONE);
    rc = xlmig_chan_decode_last(ch, &m);
    if (rc)
        goto out;
    if (m.type == XLMIG_MSG_MEMORY_END) {
        res->t_stream_end = xlmig_now_ns();
        *ended = true;
        /* The backend's restore failing there, as a fault can make it. */
        rc = xlmig_fault_point(XLMIG_SIDE_DEST, "restore", ch);
        if (!rc)
            rc = ops->end(be, &m, res);
    } else if (m.type == XLMIG_MSG_PING) {
        rc = 0;     /* keepalive: the source waits for its disks' sync */
    } else if (m.type == XLMIG_MSG_ABORT || m.type == XLMIG_MSG_ERROR) {
        xlmig_err(XLMIG_E_ABORTED, "source aborted the migration: %s",
                  m.message ? m.message : "no reason given");
        rc = XLMIG_E_ABORTED;
    } else {
        xlmig_err(XLMIG_E_PROTO, "unexpected \"%s\" message during"
                  " pre-copy", xlmig_msg_type_str(m.type));
        rc = XLMIG_E_PROTO;
    }
out:
    xlmig_msg_dispose(&m);
    return rc;
}

int xlmig_migrate_dest_stream(xlmig_chan *ch, const xlmig_dst_ops *ops,
                              void *be, const xlmig_msg *req,
                              xlmig_restore_result *res)
{
    unsigned long nrec = 0;
    uint32_t page_size = 0, type;
    xlmig_codec_dec dec;
    const uint8_t *p;
    bool ended = false;
    size_t len;
    int rc;

    xlmig_codec_dec_init(&dec, (unsigned)(req->codec & XLMIG_CODEC_ALL));
    rc = ops->begin(be, req, &page_size);
    if (rc)
        goto out;
    ch->page_size = page_size;
    while (!ended) {
        rc = xlmig_chan_recv_rec(ch);
        if (rc)
            goto out;
        type = ch->last.type;
        p = ch->buf;
        len = ch->last.length;
        /* The one place a coded record becomes the original again. */
        if (type == XLMIG_REC_CODED) {
            rc = xlmig_codec_decode(&dec, ch->buf, ch->last.length,
                                    page_size, &type, &p, &len);
            if (!rc && type != ops->rec_type) {
                xlmig_err(XLMIG_E_PROTO, "coded record carries type %u in"
                          " a stream of type %u", type, ops->rec_type);
                rc = XLMIG_E_PROTO;
            }
            if (rc)
                goto out;
        }
        /* Everything before it was fed: the source may suspend now. */
        if (type == XLMIG_REC_DRAIN) {
            rc = xlmig_drain_answer(ch, p, len);
            if (rc)
                goto out;
            res->t_drained = xlmig_now_ns();
            continue;
        }
        if (type != ops->rec_type) {
            /* Anything but a control message is refused in there. */
            rc = stream_control(ch, ops, be, res, &ended);
            if (rc)
                goto out;
            continue;
        }
        rc = ops->feed(be, p, len);
        if (!rc && ++nrec % 4 == 0)
            rc = xlmig_fault_point(XLMIG_SIDE_DEST, "precopy-round", ch);
        if (rc)
            goto out;
    }
out:
    if (rc && ops->abort)
        ops->abort(be);
    xlmig_codec_dec_dispose(&dec);
    return rc;
}

int xlmig_migrate_dest(const xlmig_dst_opts *o, const xlmig_dst_ops *ops,
                       void *be, xlmig_report *rep)
{
    uint64_t t0 = xlmig_now_ns();
    bool ok = false;
    dst_run r;
    int rc;

    memset(&r, 0, sizeof(r));
    r.o = o;
    r.ops = ops;
    r.be = be;
    r.rep = rep;
    xlmig_msg_init(&r.req, XLMIG_MSG_NONE);
    xlmig_lock_init(&r.lock);
    xlmig_conn_init(&r.conn);
    xlmig_conn_borrow(&r.conn, o->in_fd, o->out_fd);
    xlmig_chan_init(&r.ch, &r.conn, "source");
    xlmig_dp_init(&r.dp);
    r.ch.cancel = o->cancel;
    r.ch.io_timeout_ns = o->io_timeout_ns;
    xlmig_self_name(r.host, sizeof(r.host));
    snprintf(rep->backend, sizeof(rep->backend), "%s", ops->name);

    rc = hello(&r);
    if (!rc)
        rc = check(&r, &ok);
    if (rc || r.req.dry_run) {
        if (!rc)
            rep->outcome = ok ? XLMIG_OUT_CHECKED : XLMIG_OUT_REFUSED;
        goto out;
    }
    rc = prepare(&r);
    if (!rc)
        rc = xlmig_dst_restore_and_switch(&r);
    if (!rc)
        rc = xlmig_dst_commit(&r);
    if (!rc && r.t_stream_end && r.t_active > r.t_stream_end)
        xlmig_restore_cost_learn(o->swcost_dir,
                                 r.t_active - r.t_stream_end);
    if (rc && rc != XLMIG_E_UNDEFINED)
        xlmig_dst_rollback(&r, rc);
out:
    if (rc && rep->outcome == XLMIG_OUT_NONE)
        rep->outcome = XLMIG_OUT_FAILED;
    if (rc)
        snprintf(rep->message, sizeof(rep->message), "%s", xlmig_errmsg());
    rep->total_ns = xlmig_now_ns() - t0;
    rep->bytes_sent = r.ch.bytes_in;
    rep->mem_bytes = r.req.mem_bytes;
    xlmig_chan_dispose(&r.ch);
    xlmig_dp_dispose(&r.dp);
    xlmig_conn_dispose(&r.conn);
    xlmig_msg_dispose(&r.req);
    xlmig_lock_dispose(&r.lock);
    return rc;
}
