#include "model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "defaults.h"
#include "error.h"

/* The policy treats a time of 0 as "never": start the clock at 1 s. */
#define EPOCH_NS 1000000000ULL
#define BATCH_PAGES 1024          /* libxenguest's MAX_BATCH_SIZE */
#define MAX_ROUNDS 100000

void bm_scenario_init(bm_scenario *sc)
{
    memset(sc, 0, sizeof(*sc));
    sc->mem_bytes = 1024ULL << 20;
    sc->page_size = XLMIG_PAGE_SIZE;
    sc->switch_fixed_s = 0.010;
    /* One flight: last pages, memory-end and go; "done" comes back. */
    sc->switch_rtts = 0.5;
    sc->ack_rtts = 0.5;
    sc->wire_overhead = XLMIG_PAGE_WIRE_OVERHEAD;
    sc->max_downtime_s = XLMIG_DOWNTIME_DEFAULT_MS / 1e3;
    sc->horizon_s = 3600;
    sc->tick_s = (double)XLMIG_TICK_NS / 1e9;
}

double bm_link_rate(const bm_scenario *sc)
{
    double r = sc->link.bw_Bps;

    if (sc->link.window_bytes > 0 && sc->link.rtt_s > 0 &&
        sc->link.window_bytes / sc->link.rtt_s < r)
        r = sc->link.window_bytes / sc->link.rtt_s;
    return r;
}

double bm_send_rate(const bm_model *m)
{
    double r = bm_link_rate(m->sc);

    if (m->rate_limit_Bps > 0 && m->rate_limit_Bps < r)
        r = m->rate_limit_Bps;
    return r;
}

uint64_t bm_peek(const bm_model *m)
{
    return (uint64_t)llround(m->d_hot + m->d_rest);
}

void bm_stop_reason(bm_model *m, const char *why, bool converged)
{
    snprintf(m->res.why, sizeof(m->res.why), "%s", why);
    m->res.converged = converged;
}

static uint64_t clean(bm_model *m)
{
    uint64_t n = bm_peek(m);

    m->d_hot = m->d_rest = 0;
    return n;
}

/*
 * n random page writes over a set of size pages, d of them already
 * dirty: the expected number of distinct dirty pages afterwards.
 */
static double distinct(double size, double d, double n)
{
    if (size <= 0 || n <= 0)
        return d;
    return d + (size - d) * -expm1(-n / size);
}

static void dirty(bm_model *m, double dt)
{
    const bm_scenario *sc = m->sc;
    double mem = (double)(sc->mem_bytes / sc->page_size);
    double hot = floor(sc->wl.hot_bytes / sc->page_size);
    double f = sc->wl.hot_fraction, n, n_hot, n_rest;

    if (hot > mem)
        hot = mem;
    if (hot <= 0)
        f = 0;
    n = sc->wl.rate_Bps * m->share * dt / sc->page_size;
    /* Cold writes are uniform over all memory, the hot set included. */
    n_hot = f * n + (1 - f) * n * hot / mem;
    n_rest = (1 - f) * n * (mem - hot) / mem;
    m->d_hot = distinct(hot, m->d_hot, n_hot);
    m->d_rest = distinct(mem - hot, m->d_rest, n_rest);
}

static void advance(bm_model *m, double dt)
{
    if (!m->suspended) {
        dirty(m, dt);
        m->res.lost_s += (1 - m->share) * dt;
        if (m->share < m->res.min_share)
            m->res.min_share = m->share;
    }
    m->now_ns += (uint64_t)llround(dt * 1e9);
}

static void trace(const bm_model *m, const char *what, long pages)
{
    if (!getenv("BM_TRACE"))
        return;
    fprintf(stderr, "  t=%9.3f %-8s pages=%-8ld share=%.3f limit=%.0f\n",
            (double)(m->now_ns - m->t0_ns) / 1e9, what, pages, m->share,
            m->rate_limit_Bps);
}

/*
 * Send pages at the stream's rate, in slices that end where the driver
 * takes its next tick, so that a throttle or rate change applies from
 * the next slice. As in the simulator, the driver looks at the clock
 * after each batch: a tick is due a tick after the last one, and never
 * before the round's first batch went. XLMIG_E_ABORTED: the budget ran
 * out mid-round.
 */
static int send(bm_model *m, uint64_t pages)
{
    const bm_scenario *sc = m->sc;
    double wire = sc->page_size + sc->wire_overhead;
    int rc;

    m->round_pages = pages;
    m->round_sent = 0;
    while (m->round_sent < (double)pages) {
        double rate = bm_send_rate(m);
        double left = ((double)pages - m->round_sent) * wire / rate;
        uint64_t batch_ns = (uint64_t)llround(BATCH_PAGES * wire / rate *
                                              1e9);
        uint64_t next = xlmig_precopy_next_tick(&m->pc);
        double dt = left;

        if (next != UINT64_MAX && next < m->now_ns + batch_ns)
            next = m->now_ns + batch_ns;
        if (next != UINT64_MAX && (double)(next - m->now_ns) / 1e9 < dt)
            dt = (double)(next - m->now_ns) / 1e9;
        if (dt * 1e9 < 1 || dt >= left) {
            dt = left;
            m->round_sent = (double)pages;
        } else {
            m->round_sent += dt * rate / wire;
        }
        advance(m, dt);
        m->res.bytes_sent += dt * rate;
        if (m->round_sent < (double)pages) {
            rc = xlmig_precopy_sent(&m->pc, (unsigned long)m->round_sent);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* The driver's side of the loop (precopy.h), on virtual time. */
static uint64_t op_now(void *arg)
{
    return ((bm_model *)arg)->now_ns;
}

static long op_peek(void *arg)
{
    return (long)bm_peek(arg);
}

static int op_send_round(void *arg, unsigned long n)
{
    bm_model *m = arg;

    trace(m, "round", (long)n);
    m->res.rounds++;
    return send(m, n);
}

static unsigned long op_clean(void *arg)
{
    return (unsigned long)clean(arg);
}

/* After call B: a policy still going at the horizon is stopped here. */
static int op_between(void *arg)
{
    bm_model *m = arg;

    trace(m, "call B", (long)bm_peek(m));
    if ((double)(m->now_ns - m->t0_ns) < m->sc->horizon_s * 1e9 &&
        m->res.rounds < MAX_ROUNDS)
        return 0;
    bm_stop_reason(m, "model horizon", false);
    return 1;
}

static int op_decide(void *arg, const xlmig_precopy_stats *st,
                     uint64_t now)
{
    bm_model *m = arg;

    (void)now;
    return m->pol->decide(m->priv, m, st);
}

static const xlmig_precopy_ops bm_precopy_ops = {
    .now = op_now,
    .peek = op_peek,
    .send_round = op_send_round,
    .clean = op_clean,
    .between = op_between,
};

void bm_run(const bm_scenario *sc, const bm_policy_ops *pol, bm_result *res)
{
    bm_model m;
    uint64_t final;
    int rc;

    memset(&m, 0, sizeof(m));
    m.sc = sc;
    m.pol = pol;
    m.now_ns = m.t0_ns = EPOCH_NS;
    m.share = 1.0;
    m.res.min_share = 1.0;
    m.priv = calloc(1, pol->priv_size ? pol->priv_size : 1);
    if (!m.priv) {
        fprintf(stderr, "bench: out of memory\n");
        exit(1);
    }
    pol->init(m.priv, &m);
    /* Another tool's policy decides for itself; libxlmig's is driven. */
    m.ops = bm_precopy_ops;
    if (pol->decide)
        m.ops.decide = op_decide;
    xlmig_precopy_init(&m.pc, pol->policy ? pol->policy(m.priv) : NULL,
                       &m.ops, &m);
    m.pc.tick_ns = (uint64_t)llround(sc->tick_s * 1e9);

    /* xg_sr_save.c send_memory_live(), on virtual time. */
    rc = xlmig_precopy_run(&m.pc, (unsigned long)(sc->mem_bytes /
                                                  sc->page_size));
    xlmig_err_clear();
    if (pol->stopped)
        pol->stopped(m.priv, &m);
    m.res.precopy_s = (double)(m.now_ns - m.t0_ns) / 1e9;
    if (rc) {
        m.res.migrated = false;
        m.res.total_s = m.res.precopy_s;
        goto out;
    }

    /* Suspend, send what was dirtied since the last clean, switch. */
    xlmig_precopy_suspending(&m.pc);
    if (pol->suspended)
        pol->suspended(m.priv, &m);
    m.suspended = true;
    m.share = 0;
    final = clean(&m);
    trace(&m, "suspend", (long)final);
    m.res.final_pages = final;
    if (final)
        send(&m, final);
    advance(&m, sc->switch_rtts * sc->link.rtt_s + sc->switch_fixed_s);
    m.res.migrated = true;
    m.res.total_s = (double)(m.now_ns - m.t0_ns) / 1e9;
    m.res.downtime_s = m.res.total_s - m.res.precopy_s;
    /* The guest runs already; only the source still waits. */
    m.res.known_s = m.res.total_s + sc->ack_rtts * sc->link.rtt_s;
    m.res.lost_s += m.res.downtime_s;
out:
    if (pol->dispose)
        pol->dispose(m.priv, &m);
    xlmig_precopy_dispose(&m.pc);
    free(m.priv);
    *res = m.res;
}
