#include "model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The policy treats a time of 0 as "never": start the clock at 1 s. */
#define EPOCH_NS 1000000000ULL
#define BATCH_PAGES 1024          /* libxenguest's MAX_BATCH_SIZE */
#define MAX_ROUNDS 100000

void bm_scenario_init(bm_scenario *sc)
{
    memset(sc, 0, sizeof(*sc));
    sc->mem_bytes = 1024ULL << 20;
    sc->page_size = 4096;
    sc->switch_fixed_s = 0.010;
    sc->switch_rtts = 1.5;
    sc->wire_overhead = 8;
    sc->max_downtime_s = 0.300;
    sc->horizon_s = 3600;
    sc->tick_s = 0.050;
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

/*
 * Send pages at the stream's rate, in slices that end at each policy
 * tick, so that a throttle or rate change applies from the next slice.
 */
static void send_round(bm_model *m, const bm_policy_ops *pol, void *priv,
                       uint64_t pages, uint64_t *next_tick)
{
    const bm_scenario *sc = m->sc;
    double wire = sc->page_size + sc->wire_overhead;
    uint64_t tick_ns = (uint64_t)llround(sc->tick_s * 1e9);

    m->round_pages = pages;
    m->round_sent = 0;
    while (m->round_sent < (double)pages) {
        double rate = bm_send_rate(m);
        double left = ((double)pages - m->round_sent) * wire / rate;
        uint64_t batch_ns = (uint64_t)llround(BATCH_PAGES * wire / rate *
                                              1e9);
        double dt = left;
        bool ticking = !m->suspended && pol->tick && tick_ns;

        /* As the simulator: a tick is looked at after a batch went. */
        if (ticking && *next_tick < m->now_ns + batch_ns)
            *next_tick = m->now_ns + batch_ns;
        if (ticking && (double)(*next_tick - m->now_ns) / 1e9 < dt)
            dt = (double)(*next_tick - m->now_ns) / 1e9;
        if (dt * 1e9 < 1 || dt >= left) {
            dt = left;
            m->round_sent = (double)pages;
        } else {
            m->round_sent += dt * rate / wire;
        }
        advance(m, dt);
        m->res.bytes_sent += dt * rate;
        if (ticking && m->now_ns >= *next_tick &&
            m->round_sent < (double)pages) {
            *next_tick = m->now_ns + tick_ns;
            pol->tick(priv, m);
        }
    }
}

static void trace(const bm_model *m, const char *what, long pages)
{
    if (!getenv("BM_TRACE"))
        return;
    fprintf(stderr, "  t=%9.3f %-8s pages=%-8ld share=%.3f limit=%.0f\n",
            (double)(m->now_ns - m->t0_ns) / 1e9, what, pages, m->share,
            m->rate_limit_Bps);
}

void bm_run(const bm_scenario *sc, const bm_policy_ops *pol, bm_result *res)
{
    bm_model m;
    xlmig_precopy_stats st;
    uint64_t next_tick, final;
    double horizon_ns = sc->horizon_s * 1e9;
    void *priv;
    int d;

    memset(&m, 0, sizeof(m));
    m.sc = sc;
    m.now_ns = m.t0_ns = EPOCH_NS;
    m.share = 1.0;
    m.res.min_share = 1.0;
    next_tick = m.now_ns;
    priv = calloc(1, pol->priv_size ? pol->priv_size : 1);
    if (!priv) {
        fprintf(stderr, "bench: out of memory\n");
        exit(1);
    }
    pol->init(priv, &m);

    /* xg_sr_save.c send_memory_live(), on virtual time. */
    st = (xlmig_precopy_stats){ 0, 0, (long)(sc->mem_bytes /
                                             sc->page_size) };
    for (;;) {
        d = pol->decide(priv, &m, &st);                     /* call A */
        trace(&m, "call A", st.dirty_count);
        if (st.dirty_count > 0 && d != XLMIG_POLICY_ABORT) {
            send_round(&m, pol, priv, (uint64_t)st.dirty_count, &next_tick);
            m.res.rounds++;
        }
        if (d != XLMIG_POLICY_CONTINUE)
            break;
        st.iteration++;
        st.total_written += (unsigned long)st.dirty_count;
        st.dirty_count = -1;
        d = pol->decide(priv, &m, &st);                     /* call B */
        trace(&m, "call B", (long)bm_peek(&m));
        if (d != XLMIG_POLICY_CONTINUE)
            break;
        if ((double)(m.now_ns - m.t0_ns) >= horizon_ns ||
            m.res.rounds >= MAX_ROUNDS) {
            /* A policy that never stops: the bench stops it. */
            bm_stop_reason(&m, "model horizon", false);
            d = XLMIG_POLICY_STOP_AND_COPY;
            break;
        }
        st.dirty_count = (long)clean(&m);                   /* CLEAN */
    }

    m.res.precopy_s = (double)(m.now_ns - m.t0_ns) / 1e9;
    if (d == XLMIG_POLICY_ABORT) {
        m.res.migrated = false;
        m.res.total_s = m.res.precopy_s;
        if (pol->dispose)
            pol->dispose(priv, &m);
        goto out;
    }

    /* Suspend, send what was dirtied since the last clean, switch. */
    if (pol->suspended)
        pol->suspended(priv, &m);
    m.suspended = true;
    m.share = 0;
    final = clean(&m);
    trace(&m, "suspend", (long)final);
    m.res.final_pages = final;
    if (final)
        send_round(&m, pol, priv, final, &next_tick);
    advance(&m, sc->switch_rtts * sc->link.rtt_s + sc->switch_fixed_s);
    m.res.migrated = true;
    m.res.total_s = (double)(m.now_ns - m.t0_ns) / 1e9;
    m.res.downtime_s = m.res.total_s - m.res.precopy_s;
    m.res.lost_s += m.res.downtime_s;
    if (pol->dispose)
        pol->dispose(priv, &m);
out:
    free(priv);
    *res = m.res;
}
