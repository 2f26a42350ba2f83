/*
 * Destination side of the Xen backend: libxl_domain_create_restore reads
 * the libxl stream from a pipe in a thread of its own while we feed the
 * pipe from the connection. The guest is built paused as
 * "<name>--incoming"; only the commit renames and unpauses it.
 */
#include "xen_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "error.h"
#include "fault.h"
#include "wire.h"

int xlmig_xen_dst_open(xlmig_xen_dst **out, const xlmig_xen_opts *opts)
{
    xlmig_xen_dst *d;
    int rc;

    *out = NULL;
    d = calloc(1, sizeof(*d));
    if (!d) {
        xlmig_err(XLMIG_E_NOMEM, "no memory for the Xen backend");
        return XLMIG_E_NOMEM;
    }
    xlmig_xen_host_init(&d->h);
    d->domid = XLMIG_NO_DOMID;
    d->debug = opts && opts->debug;
    rc = xlmig_xen_host_open(&d->h, d->debug);
    if (rc) {
        xlmig_xen_dst_close(d);
        return rc;
    }
    *out = d;
    return 0;
}

void xlmig_xen_dst_close(xlmig_xen_dst *d)
{
    if (!d)
        return;
    xlmig_xen_host_dispose(&d->h);
    free(d->name);
    free(d->incoming);
    free(d);
}

typedef struct {
    xlmig_xen_dst *d;
    libxl_domain_config *cfg;
    int rd;                     /* the restore's end of the pipe */
    int done_fd;                /* readable once the restore returned */
    uint32_t domid;
    int r;                      /* libxl's result */
} restore_job;

static void *restore_main(void *arg)
{
    restore_job *j = arg;
    libxl_domain_restore_params par;

    libxl_domain_restore_params_init(&par);
    par.checkpointed_stream = LIBXL_CHECKPOINTED_STREAM_NONE;
    par.stream_version = 2;
    j->domid = XLMIG_NO_DOMID;
    j->r = libxl_domain_create_restore(j->d->h.ctx, j->cfg, &j->domid,
                                       j->rd, -1, &par, NULL, NULL);
    libxl_domain_restore_params_dispose(&par);
    (void)eventfd_write(j->done_fd, 1);
    return NULL;
}

/* The restore's side of the stream, and what the feeder knows. */
typedef struct {
    restore_job j;
    pthread_t th;
    bool started;               /* the restore thread runs */
    int wr;                     /* our end of the pipe */
    uint64_t bytes, t_end;
} feed;

/*
 * libxl starts building the domain as soon as it runs: started only on
 * the first stream data, a migration abandoned before any leaves
 * nothing half-built here (libxl 4.17 can hang tearing down a domain
 * whose stream ended before its header).
 */
static int start_restore(feed *f)
{
    int r = pthread_create(&f->th, NULL, restore_main, &f->j);

    if (r) {
        xlmig_err(XLMIG_E_BACKEND, "cannot start the restore thread: %s",
                  strerror(r));
        return XLMIG_E_BACKEND;
    }
    f->started = true;
    return 0;
}

static int feed_chunk(xlmig_chan *ch, feed *f, unsigned long *nrec)
{
    int rc = 0;

    if (!f->started)
        rc = start_restore(f);
    if (!rc)
        rc = xlmig_xen_feed(f->wr, f->j.done_fd, ch->buf, ch->last.length);
    if (!rc && ++*nrec % 4 == 0)
        rc = xlmig_fault_point(XLMIG_SIDE_DEST, "precopy-round", ch);
    if (!rc)
        f->bytes += ch->last.length;
    return rc;
}

/* Records until MEMORY_END: XEN chunks into the pipe, then XEN_END. */
static int feed_stream(xlmig_chan *ch, feed *f)
{
    bool ended = false;
    unsigned long nrec = 0;
    xlmig_msg m;
    int rc;

    xlmig_msg_init(&m, XLMIG_MSG_NONE);
    for (;;) {
        rc = xlmig_chan_recv_rec(ch);
        if (rc)
            goto out;
        switch (ch->last.type) {
        case XLMIG_REC_XEN:
            if (ended) {
                xlmig_err(XLMIG_E_PROTO, "Xen stream data after its end");
                rc = XLMIG_E_PROTO;
                goto out;
            }
            rc = feed_chunk(ch, f, &nrec);
            if (rc)
                goto out;
            continue;
        case XLMIG_REC_XEN_END:
            ended = true;
            /* EOF after END: libxl has all it will read. */
            close(f->wr);
            f->wr = -1;
            continue;
        case XLMIG_REC_CONTROL:
            break;
        default:
            xlmig_err(XLMIG_E_PROTO, "record type %u in a Xen stream",
                      ch->last.type);
            rc = XLMIG_E_PROTO;
            goto out;
        }
        xlmig_msg_dispose(&m);
        xlmig_msg_init(&m, XLMIG_MSG_NONE);
        rc = xlmig_chan_decode_last(ch, &m);
        if (rc)
            goto out;
        if (m.type == XLMIG_MSG_ABORT || m.type == XLMIG_MSG_ERROR) {
            xlmig_err(XLMIG_E_ABORTED, "source aborted the migration: %s",
                      m.message ? m.message : "no reason given");
            rc = XLMIG_E_ABORTED;
            goto out;
        }
        if (m.type != XLMIG_MSG_MEMORY_END) {
            xlmig_err(XLMIG_E_PROTO, "source sent \"%s\" during the Xen"
                      " stream", xlmig_msg_type_str(m.type));
            rc = XLMIG_E_PROTO;
            goto out;
        }
        if (!ended || !f->started) {
            xlmig_err(XLMIG_E_PROTO, "memory-end before the Xen stream"
                      " %s", f->started ? "ended" : "began");
            rc = XLMIG_E_PROTO;
            goto out;
        }
        f->t_end = xlmig_now_ns();
        rc = 0;
        goto out;
    }
out:
    xlmig_msg_dispose(&m);
    return rc;
}

/* On failure the EOF makes libxl give up (and destroy its copy). */
static void feed_finish(feed *f)
{
    if (f->wr >= 0) {
        close(f->wr);
        f->wr = -1;
    }
    if (f->started)
        pthread_join(f->th, NULL);
    f->started = false;
}

static int xen_restore(void *be, xlmig_chan *ch, const xlmig_msg *req,
                       xlmig_restore_result *res)
{
    xlmig_xen_dst *d = be;
    libxl_domain_config cfg;
    feed f;
    int fds[2] = { -1, -1 }, rc;

    memset(&f, 0, sizeof(f));
    f.j.done_fd = -1;
    f.wr = -1;
    libxl_domain_config_init(&cfg);
    rc = xlmig_xen_config_incoming(d->h.ctx, req->config, &cfg, &d->name);
    if (rc)
        goto out;
    d->incoming = strdup(cfg.c_info.name);
    if (!d->incoming) {
        rc = XLMIG_E_NOMEM;
        goto out;
    }
    libxl_uuid_copy(d->h.ctx, &d->uuid, &cfg.c_info.uuid);
    d->have_uuid = !libxl_uuid_is_nil(&d->uuid);
    if (pipe2(fds, O_CLOEXEC) || fcntl(fds[1], F_SETFL, O_NONBLOCK)) {
        xlmig_err(XLMIG_E_IO, "pipe: %s", strerror(errno));
        rc = XLMIG_E_IO;
        goto out;
    }
    (void)fcntl(fds[1], F_SETPIPE_SZ, 1024 * 1024);
    f.wr = fds[1];
    fds[1] = -1;
    f.j.done_fd = eventfd(0, EFD_CLOEXEC);
    if (f.j.done_fd < 0) {
        xlmig_err(XLMIG_E_IO, "eventfd: %s", strerror(errno));
        rc = XLMIG_E_IO;
        goto out;
    }
    f.j.d = d;
    f.j.cfg = &cfg;
    f.j.rd = fds[0];
    rc = feed_stream(ch, &f);
    feed_finish(&f);
    if (f.j.r == 0 && f.bytes)
        d->domid = f.j.domid;
    if (!rc && f.j.r) {
        xlmig_err(XLMIG_E_BACKEND, "libxl_domain_create_restore of %s"
                  " failed (libxl error %d); see the receiver's log",
                  d->incoming, f.j.r);
        rc = XLMIG_E_BACKEND;
    }
    if (rc)
        goto out;
    res->has_verify = false;
    res->verified = false;
    res->pages = f.bytes / XLMIG_PAGE_WIRE_BYTES(XC_PAGE_SIZE);
    res->t_stream_end = f.t_end;
    XLMIG_INFO("restored %s as %s (id %u) from %llu MiB of stream",
               d->name, d->incoming, d->domid,
               (unsigned long long)(f.bytes >> 20));
out:
    feed_finish(&f);
    if (fds[0] >= 0)
        close(fds[0]);
    if (fds[1] >= 0)
        close(fds[1]);
    if (f.j.done_fd >= 0)
        close(f.j.done_fd);
    libxl_domain_config_dispose(&cfg);
    return rc;
}

/* After a failed unpause: certainly never ran? */
static bool still_paused(xlmig_xen_dst *d)
{
    libxl_dominfo info;
    bool paused;

    libxl_dominfo_init(&info);
    paused = !libxl_domain_info(d->h.ctx, &info, d->domid) && info.paused;
    libxl_dominfo_dispose(&info);
    return paused;
}

static int xen_activate(void *be)
{
    xlmig_xen_dst *d = be;
    int r;

    if (d->domid == XLMIG_NO_DOMID) {
        xlmig_err(XLMIG_E_BACKEND, "nothing was restored to activate");
        return XLMIG_E_BACKEND;
    }
    r = libxl_domain_rename(d->h.ctx, d->domid, d->incoming, d->name);
    if (r) {
        xlmig_err(XLMIG_E_BACKEND, "renaming %s to %s failed (libxl error"
                  " %d)", d->incoming, d->name, r);
        return XLMIG_E_BACKEND;
    }
    r = libxl_domain_unpause(d->h.ctx, d->domid, NULL);
    if (r && !still_paused(d)) {
        /* The device model or a vCPU may have run: recover decides. */
        xlmig_err(XLMIG_E_UNDEFINED, "unpausing %s (id %u) failed (libxl"
                  " error %d) and it is not paused any more", d->name,
                  d->domid, r);
        return XLMIG_E_UNDEFINED;
    }
    if (r) {
        /* Give the name back: the source resumes its copy. */
        libxl_domain_rename(d->h.ctx, d->domid, d->name, d->incoming);
        xlmig_err(XLMIG_E_BACKEND, "unpausing %s (id %u) failed (libxl"
                  " error %d)", d->name, d->domid, r);
        return XLMIG_E_BACKEND;
    }
    d->active = true;
    return 0;
}

/* Our copy, found by id or else by its incoming name and UUID. */
static uint32_t find_ours(xlmig_xen_dst *d)
{
    libxl_dominfo info;
    uint32_t domid = d->domid;
    bool ok;

    if (domid == XLMIG_NO_DOMID && d->incoming &&
        libxl_name_to_domid(d->h.ctx, d->incoming, &domid))
        return XLMIG_NO_DOMID;
    if (domid == XLMIG_NO_DOMID)
        return XLMIG_NO_DOMID;
    libxl_dominfo_init(&info);
    ok = !libxl_domain_info(d->h.ctx, &info, domid) &&
         (!d->have_uuid || !libxl_uuid_compare(&info.uuid, &d->uuid));
    libxl_dominfo_dispose(&info);
    return ok ? domid : XLMIG_NO_DOMID;
}

static int xen_discard(void *be)
{
    xlmig_xen_dst *d = be;
    uint32_t domid;
    int r;

    if (d->active || !d->h.ctx)
        return 0;
    domid = find_ours(d);
    if (domid == XLMIG_NO_DOMID)
        return 0;
    r = libxl_domain_destroy(d->h.ctx, domid, NULL);
    if (r) {
        xlmig_err(XLMIG_E_BACKEND, "destroying the incoming copy %s (id %u)"
                  " failed (libxl error %d)", d->incoming ? d->incoming
                  : "?", domid, r);
        return XLMIG_E_BACKEND;
    }
    d->domid = XLMIG_NO_DOMID;
    return 0;
}

uint32_t xlmig_xen_dst_domid(const xlmig_xen_dst *d)
{
    return d->active && d->domid != XLMIG_NO_DOMID ? d->domid : 0;
}

const char *xlmig_xen_dst_name(const xlmig_xen_dst *d)
{
    return d->name;
}

const xlmig_dst_ops xlmig_xen_dst_ops = {
    .name = "xen",
    .check = xlmig_xen_dst_check,
    .restore = xen_restore,
    .activate = xen_activate,
    .discard = xen_discard,
};
