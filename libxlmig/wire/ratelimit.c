#include "ratelimit.h"

void xlmig_ratelimit_init(xlmig_ratelimit *rl, double rate_Bps, double burst)
{
    rl->rate_Bps = rate_Bps > 0 ? rate_Bps : 0;
    if (!(burst > 0))
        burst = rl->rate_Bps / 20; /* 50 ms worth */
    if (burst < 64 * 1024)
        burst = 64 * 1024;
    rl->burst = burst;
    rl->tokens = burst;
    rl->t_last = 0;
}

uint64_t xlmig_ratelimit_take(xlmig_ratelimit *rl, uint64_t len,
                              uint64_t now)
{
    if (!(rl->rate_Bps > 0))
        return 0;
    if (rl->t_last && now > rl->t_last) {
        rl->tokens += (double)(now - rl->t_last) * rl->rate_Bps / 1e9;
        if (rl->tokens > rl->burst)
            rl->tokens = rl->burst;
    }
    rl->t_last = now;
    rl->tokens -= (double)len;
    if (rl->tokens >= 0)
        return 0;
    return (uint64_t)(-rl->tokens / rl->rate_Bps * 1e9);
}

void xlmig_meter_init(xlmig_meter *m, uint64_t now)
{
    atomic_store(&m->bytes, 0);
    m->t_start = now;
    m->w_bytes = 0;
    m->w_t = now;
    m->rate_Bps = 0;
}

void xlmig_meter_add(xlmig_meter *m, uint64_t bytes)
{
    atomic_fetch_add(&m->bytes, bytes);
}

uint64_t xlmig_meter_bytes(xlmig_meter *m)
{
    return atomic_load(&m->bytes);
}

double xlmig_meter_rate(xlmig_meter *m, uint64_t now)
{
    uint64_t b = atomic_load(&m->bytes);

    if (now > m->w_t && now - m->w_t >= 500000000ULL) {
        m->rate_Bps = (double)(b - m->w_bytes) * 1e9 / (double)(now - m->w_t);
        m->w_bytes = b;
        m->w_t = now;
    }
    return m->rate_Bps;
}
