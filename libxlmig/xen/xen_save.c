/*
 * The live save: libxenguest's xc_domain_save, in a thread of our own,
 * with our pre-copy policy in its precopy_policy callback, writing into
 * a pipe. This thread pumps the pipe into XLMIG_REC_XEN records on the
 * connection (rate limit, metering), gives the pre-copy driver
 * (precopy.h) a tick between the policy's calls so the throttle can act
 * within long rounds, and reports progress. See docs/design.md,
 * "Putting our policy into a real save".
 */
#include "xen_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <xenguest.h>

#include "error.h"
#include "fault.h"
#include "precopy.h"
#include "progress.h"
#include "testhooks.h"
#include "wire.h"

_Static_assert(XGS_POLICY_ABORT == XLMIG_POLICY_ABORT &&
               XGS_POLICY_CONTINUE_PRECOPY == XLMIG_POLICY_CONTINUE &&
               XGS_POLICY_STOP_AND_COPY == XLMIG_POLICY_STOP_AND_COPY,
               "libxenguest's policy verdicts are ours");

#define CHUNK       (256u * 1024u)      /* <= XLMIG_MAX_XEN_CHUNK */
#define PIPE_SIZE   (1024 * 1024)
#define WIRE_PAGE   XLMIG_PAGE_WIRE_BYTES(XC_PAGE_SIZE)

_Static_assert(CHUNK <= XLMIG_MAX_XEN_CHUNK, "chunk fits a record");

typedef struct {
    xlmig_xen_src *x;
    xlmig_save_ctx *sc;
    xc_interface *xch;          /* the save thread's own handle */
    int rd, wr;                 /* the pipe */
    int evfd;                   /* save thread -> pump: suspended */
    int drainfd;                /* save thread -> pump: catch up now */
    pthread_mutex_t lock;       /* the driver, policy and throttle */
    pthread_cond_t drained;     /* drain_state went to DRAIN_DONE */
    int drain_state;            /* under lock */
    int drain_rc;               /* under lock: the catch-up's */
    xlmig_precopy pc;           /* under lock */
    pthread_t th;
    bool started;

    /* Written by the save thread, read after join or under lock. */
    int xc_r, xc_errno;
    int frame_errno;            /* writing our framing failed */
    int emu_rc;                 /* the device model's records failed */
    xlmig_err_saved emu_err;    /* and why, from the save thread */
    bool hvm;
    _Atomic unsigned policy_calls;
    unsigned long round_pages;  /* pages the current round sends */
    uint64_t pages_est;         /* pages sent or being sent live */
    _Atomic uint64_t t_suspend;
    _Atomic uint64_t t_down;
    _Atomic bool suspend_failed;

    /* Pump side. */
    _Atomic uint64_t pumped;    /* libxl stream bytes forwarded */
    int tee;                    /* test build: a copy of the stream */
    uint64_t pumped_at_a;       /* at the last call A */
    uint64_t pumped_at_suspend;
    bool told_suspended;
    uint64_t t_tick;
} save_run;

enum { DRAIN_NONE, DRAIN_ASKED, DRAIN_DONE };

/* ---- the save thread ---------------------------------------------- */

static unsigned long guest_pages(const save_run *s)
{
    return (unsigned long)(s->x->info.current_memkb /
                           (XC_PAGE_SIZE / 1024));
}

static int policy_cb(struct precopy_stats st, void *data)
{
    save_run *s = data;
    xlmig_precopy_stats ps = {
        .iteration = st.iteration,
        .total_written = st.total_written,
        .dirty_count = st.dirty_count,
    };
    int d;

    pthread_mutex_lock(&s->lock);
    d = xlmig_precopy_decide(&s->pc, &ps);
    atomic_fetch_add(&s->policy_calls, 1);
    s->sc->iterations = st.iteration;
    s->pages_est = st.total_written;
    if (st.dirty_count >= 0 && d != XLMIG_POLICY_ABORT) {
        /* Call A: the round about to be sent, at most the guest's
         * pages (the first names every pfn up to the highest). */
        s->round_pages = (unsigned long)st.dirty_count;
        if (s->round_pages > guest_pages(s))
            s->round_pages = guest_pages(s);
        s->pumped_at_a = atomic_load(&s->pumped);
        s->pages_est += s->round_pages;
    }
    pthread_mutex_unlock(&s->lock);
    return d;
}

/*
 * Before the suspend, with every byte of the last live round in the
 * pipe: the pump forwards them and waits, the guest still running,
 * until the destination took in all it was sent (drain.h). The pump
 * thread owns the channel, so it does the catch-up; we wait for it.
 */
static int catch_up(save_run *s)
{
    int rc;

    pthread_mutex_lock(&s->lock);
    if (s->drain_state == DRAIN_NONE) {
        s->drain_state = DRAIN_ASKED;
        if (eventfd_write(s->drainfd, 1)) {
            s->drain_state = DRAIN_DONE;
            s->drain_rc = XLMIG_E_IO;
        }
    }
    while (s->drain_state != DRAIN_DONE)
        pthread_cond_wait(&s->drained, &s->lock);
    rc = s->drain_rc;
    pthread_mutex_unlock(&s->lock);
    return rc;
}

static int suspend_cb(void *data)
{
    save_run *s = data;
    xlmig_xen_src *x = s->x;
    libxl_dominfo info;
    uint64_t t;
    bool down;
    int r;

    /* Not caught up: no suspend, the save fails, the guest runs on. */
    if (s->sc->drain && catch_up(s))
        return 0;
    /* A guest capped to a few percent would take ages to suspend. */
    pthread_mutex_lock(&s->lock);
    xlmig_precopy_suspending(&s->pc);
    if (s->sc->suspending)
        s->sc->suspending(s->sc);
    pthread_mutex_unlock(&s->lock);
    t = xlmig_now_ns();

    /* xenstore control/shutdown or the suspend event channel, as xl. */
    r = libxl_domain_suspend_only(x->h.ctx, x->domid, NULL);
    libxl_dominfo_init(&info);
    down = !libxl_domain_info(x->h.ctx, &info, x->domid) && info.shutdown &&
           info.shutdown_reason == LIBXL_SHUTDOWN_REASON_SUSPEND;
    libxl_dominfo_dispose(&info);
    if (r && !down) {
        atomic_store(&s->suspend_failed, true);
        return 0;
    }
    /* Down from the request on: the conservative downtime start. */
    atomic_store(&s->t_down, xlmig_now_ns());
    atomic_store(&s->t_suspend, t);
    /* If this fails the pump still sees t_suspend at the stream's end. */
    (void)eventfd_write(s->evfd, 1);
    return 1;
}

static int logdirty_cb(uint32_t domid, unsigned enable, void *data)
{
    save_run *s = data;
    int rc;

    /* PVH: no device model whose log-dirty would need switching. */
    if (!s->hvm)
        return 0;
    rc = xlmig_xen_emu_logdirty(domid, enable);
    if (rc && !s->emu_rc) {
        s->emu_rc = rc;
        xlmig_err_save(&s->emu_err);
    }
    return rc ? -1 : 0;
}

static void *save_main(void *arg)
{
    save_run *s = arg;
    struct save_callbacks cb;
    uint8_t hdr[XLMIG_LIBXL_HDR_LEN + XLMIG_LIBXL_REC_HDR_LEN];
    uint8_t end[XLMIG_LIBXL_REC_HDR_LEN];
    sigset_t pipe_sig;

    /* A closed pump must fail our writes with EPIPE, not kill us. */
    sigemptyset(&pipe_sig);
    sigaddset(&pipe_sig, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_sig, NULL);
    memset(&cb, 0, sizeof(cb));
    cb.suspend = suspend_cb;
    cb.precopy_policy = policy_cb;
    cb.switch_qemu_logdirty = logdirty_cb;
    cb.data = s;

    s->xc_r = -1;
    xlmig_libxl_hdr_put(hdr);
    xlmig_libxl_rec_put(hdr + XLMIG_LIBXL_HDR_LEN,
                        XLMIG_LIBXL_REC_LIBXC_CONTEXT, 0);
    if (xlmig_xen_write_all(s->wr, hdr, sizeof(hdr))) {
        s->frame_errno = errno;
        goto out;
    }
    s->xc_r = xc_domain_save(s->xch, s->wr, s->x->domid, XCFLAGS_LIVE, &cb,
                             XC_STREAM_PLAIN, -1);
    s->xc_errno = errno;
    if (s->xc_r)
        goto out;
    if (s->hvm) {
        s->emu_rc = xlmig_xen_emu_write(s->x->domid, s->wr);
        if (s->emu_rc) {
            xlmig_err_save(&s->emu_err);
            goto out;
        }
    }
    xlmig_libxl_rec_put(end, XLMIG_LIBXL_REC_END, 0);
    if (xlmig_xen_write_all(s->wr, end, sizeof(end)))
        s->frame_errno = errno;
out:
    /* EOF tells the pump we are done, successful or not. */
    close(s->wr);
    s->wr = -1;
    return NULL;
}

/* ---- the pump ----------------------------------------------------- */

static void tell_suspended(save_run *s)
{
    xlmig_save_ctx *sc = s->sc;
    uint64_t t = atomic_load(&s->t_suspend);

    if (s->told_suspended || !t)
        return;
    s->told_suspended = true;
    s->pumped_at_suspend = atomic_load(&s->pumped);
    sc->t_suspend = t;
    sc->t_down = atomic_load(&s->t_down);
    pthread_mutex_lock(&s->lock);
    if (sc->suspended)
        sc->suspended(sc);
    pthread_mutex_unlock(&s->lock);
}

/*
 * The driver's tick. A PEEK reads the dirty count without disturbing
 * libxc's bitmap; a budget spent mid-round stops feeding the stream.
 */
static int tick(save_run *s, uint64_t now)
{
    xc_shadow_op_stats_t st;
    uint64_t sent;
    long long r;
    int rc;

    if (s->told_suspended || !atomic_load(&s->policy_calls))
        return 0;
    memset(&st, 0, sizeof(st));
    /* Fails when not enabled yet, or busy with a CLEAN. */
    r = xc_logdirty_control(s->x->h.xch, s->x->domid,
                            XEN_DOMCTL_SHADOW_OP_PEEK, NULL, 0, 0, &st);
    pthread_mutex_lock(&s->lock);
    sent = (atomic_load(&s->pumped) - s->pumped_at_a) / WIRE_PAGE;
    rc = xlmig_precopy_tick(&s->pc, r < 0 ? -1 : (long)st.dirty_count,
                            (unsigned long)sent, now);
    pthread_mutex_unlock(&s->lock);
    return rc;
}

static void progress(save_run *s, uint64_t now, bool force)
{
    xlmig_save_ctx *sc = s->sc;
    xlmig_progress_sample smp;
    uint64_t done, round;

    if (!sc->progress)
        return;
    memset(&smp, 0, sizeof(smp));
    pthread_mutex_lock(&s->lock);
    round = (uint64_t)s->round_pages * XC_PAGE_SIZE;
    /* Stream bytes to page bytes: each page goes with its pfn. */
    done = (atomic_load(&s->pumped) - s->pumped_at_a) /
           WIRE_PAGE * XC_PAGE_SIZE;
    smp.phase = s->told_suspended ? "switchover" : "precopy";
    smp.iteration = sc->iterations;
    smp.mem_bytes = s->x->info.current_memkb * 1024ULL;
    smp.remaining_bytes = xlmig_progress_round_left(
        smp.mem_bytes, atomic_load(&s->policy_calls) > 0, round, done);
    smp.dirty_Bps = sc->policy->dirty_Bps;
    smp.throttle_pct = sc->throttle ? xlmig_throttle_pct(sc->throttle) : 0;
    pthread_mutex_unlock(&s->lock);
    smp.sent_bytes = xlmig_meter_bytes(&sc->ch->meter);
    smp.tx_Bps = xlmig_meter_rate(&sc->ch->meter, now);
    xlmig_progress_update(sc->progress, &smp, force);
}

/* n bytes of the libxl stream onto the channel (and the tee). */
static int forward(save_run *s, const uint8_t *buf, size_t n)
{
    int rc = xlmig_chan_send_xen(s->sc->ch, buf, n);

    if (!rc && s->tee >= 0 && xlmig_xen_write_all(s->tee, buf, n)) {
        xlmig_err(XLMIG_E_IO, "XLMIG_TEST_TEE: %s", strerror(errno));
        rc = XLMIG_E_IO;
    }
    if (!rc)
        atomic_fetch_add(&s->pumped, (uint64_t)n);
    return rc;
}

/*
 * The save thread waits in its suspend callback, so the pipe holds
 * the last live round's tail and nothing more will come: forward it,
 * then the catch-up itself.
 */
static int pump_catch_up(save_run *s, uint8_t *buf)
{
    struct pollfd p;
    ssize_t n;
    int r, rc;

    for (;;) {
        p = (struct pollfd){ .fd = s->rd, .events = POLLIN };
        r = poll(&p, 1, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0 || !(p.revents & POLLIN))
            break;
        n = read(s->rd, buf, CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        rc = forward(s, buf, (size_t)n);
        if (rc)
            return rc;
    }
    return s->sc->drain(s->sc);
}

/* Release the save thread from catch_up with rc; later asks get it too. */
static void drain_done(save_run *s, int rc)
{
    pthread_mutex_lock(&s->lock);
    if (s->drain_state != DRAIN_DONE) {
        s->drain_state = DRAIN_DONE;
        s->drain_rc = rc;
        pthread_cond_broadcast(&s->drained);
    }
    pthread_mutex_unlock(&s->lock);
}

static int pump(save_run *s)
{
    struct pollfd pf[3];
    uint8_t *buf;
    eventfd_t ev;
    uint64_t now;
    ssize_t n;
    int rc, r;

    buf = malloc(CHUNK);
    if (!buf) {
        xlmig_err(XLMIG_E_NOMEM, "no memory for the save pump");
        return XLMIG_E_NOMEM;
    }
    s->t_tick = xlmig_now_ns();
    for (;;) {
        pf[0].fd = s->rd;
        pf[0].events = POLLIN;
        pf[1].fd = s->evfd;
        pf[1].events = POLLIN;
        pf[2].fd = s->drainfd;
        pf[2].events = POLLIN;
        pf[0].revents = pf[1].revents = pf[2].revents = 0;
        r = poll(pf, 3, (int)(XLMIG_TICK_NS / 1000000));
        if (r < 0 && errno != EINTR) {
            xlmig_err(XLMIG_E_IO, "save pump: poll: %s", strerror(errno));
            rc = XLMIG_E_IO;
            goto out;
        }
        if (r > 0 && pf[1].revents) {
            eventfd_read(s->evfd, &ev);
            tell_suspended(s);
        }
        if (r > 0 && pf[2].revents) {
            eventfd_read(s->drainfd, &ev);
            rc = pump_catch_up(s, buf);
            drain_done(s, rc);
            if (rc)
                goto out;
            continue;
        }
        if (r > 0 && pf[0].revents) {
            n = read(s->rd, buf, CHUNK);
            if (n < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            if (n < 0) {
                xlmig_err(XLMIG_E_IO, "save pump: read: %s",
                          strerror(errno));
                rc = XLMIG_E_IO;
                goto out;
            }
            if (n == 0)
                break;
            rc = forward(s, buf, (size_t)n);
            if (rc)
                goto out;
        }
        now = xlmig_now_ns();
        if (now - s->t_tick >= XLMIG_TICK_NS) {
            s->t_tick = now;
            rc = tick(s, now);
            /* A save that stalls once suspended meets the deadline too. */
            if (!rc && s->told_suspended)
                rc = xlmig_chan_check_deadline(s->sc->ch, "sending to");
            if (rc)
                goto out;
            /* The fault point inside pre-copy, as the simulator's. */
            if (!s->told_suspended && atomic_load(&s->policy_calls)) {
                rc = xlmig_fault_point(XLMIG_SIDE_SOURCE, "precopy-round",
                                       s->sc->ch);
                if (rc)
                    goto out;
            }
        }
        progress(s, now, false);
    }
    rc = 0;
out:
    free(buf);
    return rc;
}

/* ---- the save op -------------------------------------------------- */

static int save_setup(save_run *s)
{
    const char *tee = xlmig_test_env("XLMIG_TEST_TEE");
    int fds[2], r;

    /* The test bed checks the libxl stream we send with Xen's own
     * verify-stream-v2: a copy of every byte goes to this file. */
    if (tee && *tee) {
        s->tee = open(tee, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (s->tee < 0) {
            xlmig_err(XLMIG_E_IO, "XLMIG_TEST_TEE %s: %s", tee,
                      strerror(errno));
            return XLMIG_E_IO;
        }
    }

    if (pipe2(fds, O_CLOEXEC)) {
        xlmig_err(XLMIG_E_IO, "pipe: %s", strerror(errno));
        return XLMIG_E_IO;
    }
    s->rd = fds[0];
    s->wr = fds[1];
    /* Fewer, larger reads; failure only costs speed. */
    r = fcntl(s->wr, F_SETPIPE_SZ, PIPE_SIZE);
    (void)r;
    s->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    s->drainfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (s->evfd < 0 || s->drainfd < 0) {
        xlmig_err(XLMIG_E_IO, "eventfd: %s", strerror(errno));
        return XLMIG_E_IO;
    }
    s->xch = xc_interface_open((xentoollog_logger *)s->x->h.lg,
                               (xentoollog_logger *)s->x->h.lg, 0);
    if (!s->xch) {
        xlmig_err(XLMIG_E_BACKEND, "cannot open libxenctrl for the save: %s",
                  strerror(errno));
        return XLMIG_E_BACKEND;
    }
    return 0;
}

static void save_dispose(save_run *s)
{
    if (s->tee >= 0)
        close(s->tee);
    if (s->rd >= 0)
        close(s->rd);
    if (s->wr >= 0)
        close(s->wr);
    if (s->evfd >= 0)
        close(s->evfd);
    if (s->drainfd >= 0)
        close(s->drainfd);
    if (s->xch)
        xc_interface_close(s->xch);
    xlmig_precopy_dispose(&s->pc);
    pthread_cond_destroy(&s->drained);
    pthread_mutex_destroy(&s->lock);
}

/* Turn the save thread's outcome into ours. */
static int save_verdict(save_run *s)
{
    /* QEMU's own words, recorded in the save thread. */
    if (s->emu_rc) {
        xlmig_err_restore(&s->emu_err);
        return s->emu_rc;
    }
    if (s->frame_errno) {
        xlmig_err(XLMIG_E_IO, "writing the libxl stream framing: %s",
                  strerror(s->frame_errno));
        return XLMIG_E_IO;
    }
    if (s->xc_r && s->pc.decision == XLMIG_POLICY_ABORT)
        return xlmig_precopy_aborted(&s->pc);
    if (s->xc_r && atomic_load(&s->suspend_failed)) {
        xlmig_err(XLMIG_E_BACKEND, "%s did not suspend when asked",
                  s->x->name);
        return XLMIG_E_BACKEND;
    }
    if (s->xc_r) {
        xlmig_err(XLMIG_E_BACKEND, "xc_domain_save of %s failed: %s",
                  s->x->name, strerror(s->xc_errno));
        return XLMIG_E_BACKEND;
    }
    /* A libxenguest that ignored our callback must not pass unnoticed. */
    if (!atomic_load(&s->policy_calls)) {
        xlmig_err(XLMIG_E_BACKEND, "libxenguest never consulted the xlmig"
                  " pre-copy policy: ABI mismatch, rebuild xlmig for this"
                  " Xen");
        return XLMIG_E_BACKEND;
    }
    if (!s->sc->t_suspend) {
        xlmig_err(XLMIG_E_BACKEND, "the save ended but %s was never"
                  " suspended", s->x->name);
        return XLMIG_E_BACKEND;
    }
    return 0;
}

int xlmig_xen_src_save(void *be, xlmig_save_ctx *sc)
{
    xlmig_xen_src *x = be;
    save_run s;
    int rc, prc, r;

    memset(&s, 0, sizeof(s));
    s.x = x;
    s.sc = sc;
    s.rd = s.wr = s.evfd = s.drainfd = s.tee = -1;
    s.hvm = xlmig_xen_src_type(x) == LIBXL_DOMAIN_TYPE_HVM;
    pthread_mutex_init(&s.lock, NULL);
    pthread_cond_init(&s.drained, NULL);
    /* libxenguest runs the loop: the driver only decides and ticks. */
    xlmig_precopy_init(&s.pc, sc->policy, NULL, NULL);
    s.pc.guest_pages = guest_pages(&s);
    rc = save_setup(&s);
    if (rc)
        goto out;
    r = pthread_create(&s.th, NULL, save_main, &s);
    if (r) {
        xlmig_err(XLMIG_E_BACKEND, "cannot start the save thread: %s",
                  strerror(r));
        rc = XLMIG_E_BACKEND;
        goto out;
    }
    s.started = true;
    prc = pump(&s);
    /* A save thread waiting to catch up must not wait for a gone pump. */
    drain_done(&s, prc ? prc : XLMIG_E_IO);
    if (prc) {
        /* Make the next policy call abort and every write fail. */
        xlmig_policy_cancel(sc->policy);
        close(s.rd);
        s.rd = -1;
    }
    pthread_join(s.th, NULL);
    s.started = false;
    tell_suspended(&s);
    sc->pages_sent = s.pages_est;
    if (s.told_suspended)
        sc->final_pages = (atomic_load(&s.pumped) - s.pumped_at_suspend) /
                          WIRE_PAGE;
    progress(&s, xlmig_now_ns(), true);
    rc = prc ? prc : save_verdict(&s);
out:
    if (s.started)
        pthread_join(s.th, NULL);
    save_dispose(&s);
    return rc;
}
