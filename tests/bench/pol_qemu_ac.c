/*
 * QEMU pre-copy with auto-converge (migration/ram.c): at each dirty
 * bitmap sync, at most once a second, if the bytes dirtied in the period
 * exceed 50% of the bytes transferred in it for the second time, the
 * vCPUs are throttled: 20% at first, then +10% a step, at most 99%.
 * Pre-copy completes when the pending dirty bytes fit in the measured
 * bandwidth x the 300 ms downtime limit. QEMU syncs when a pass over the
 * dirty bitmap ends and decides with the pending set in hand: here that
 * is call B, with a log-dirty PEEK. No stream rate limit (as libvirt
 * and Proxmox configure it).
 */
#include "policies.h"

typedef struct {
    uint64_t t_a, t_period;
    double round_bytes;
    double bw_Bps;
    double period_dirty;      /* pages found dirty at syncs this period */
    double xfer_prev;         /* bytes sent when the period began */
    unsigned high_cnt;
    double pct;               /* 0 = not throttling */
} qemu;

static void init(void *priv, bm_model *m)
{
    qemu *q = priv;

    q->t_period = m->now_ns;
}

static void throttle_down(qemu *q, bm_model *m)
{
    if (q->pct <= 0)
        q->pct = bm_pol.qemu_initial;
    else
        q->pct += bm_pol.qemu_increment;
    if (q->pct > bm_pol.qemu_max)
        q->pct = bm_pol.qemu_max;
    m->share = 1 - q->pct;
}

static int decide(void *priv, bm_model *m, const xlmig_precopy_stats *st)
{
    qemu *q = priv;
    double secs, pending, xfer;
    uint64_t d;

    if (st->dirty_count >= 0) {
        q->t_a = m->now_ns;
        q->round_bytes = (double)st->dirty_count * m->sc->page_size;
        return XLMIG_POLICY_CONTINUE;
    }
    /* QEMU's bandwidth: bytes over time, in windows of >= 100 ms. */
    secs = (double)(m->now_ns - q->t_a) / 1e9;
    if (secs >= 0.1 || !(q->bw_Bps > 0))
        q->bw_Bps = secs > 0 ? q->round_bytes / secs : bm_send_rate(m);

    /* migration_bitmap_sync() and migration_trigger_throttle(). */
    d = bm_peek(m);
    q->period_dirty += (double)d;
    if ((double)(m->now_ns - q->t_period) >
        bm_pol.qemu_period_s * 1e9) {
        xfer = m->res.bytes_sent - q->xfer_prev;
        if (q->period_dirty * m->sc->page_size >
            xfer * bm_pol.qemu_threshold && ++q->high_cnt >= 2) {
            q->high_cnt = 0;
            throttle_down(q, m);
        }
        q->t_period = m->now_ns;
        q->period_dirty = 0;
        q->xfer_prev = m->res.bytes_sent;
    }

    pending = (double)d * m->sc->page_size;
    if (pending <= q->bw_Bps * m->sc->max_downtime_s) {
        bm_stop_reason(m, "pending fits the downtime limit", true);
        return XLMIG_POLICY_STOP_AND_COPY;
    }
    return XLMIG_POLICY_CONTINUE;
}

const bm_policy_ops bm_qemu_ac = {
    .name = "qemu-ac",
    .priv_size = sizeof(qemu),
    .init = init,
    .decide = decide,
};
