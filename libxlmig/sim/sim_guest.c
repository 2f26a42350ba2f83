#include "sim_guest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "error.h"
#include "page_digest.h"

#define PERIOD_NS 10000000ULL  /* 10 ms, as credit2 refills caps */

int xlmig_sim_workload_preset(xlmig_sim_workload *w, const char *profile,
                              uint64_t mem_bytes, double link_Bps)
{
    memset(w, 0, sizeof(*w));
    snprintf(w->profile, sizeof(w->profile), "%s", profile);
    if (!strcmp(profile, "idle")) {
        w->rate_Bps = 256.0 * 1024;
        w->hot_bytes = 4 * XLMIG_MIB;
        w->hot_fraction = 1.0;
    } else if (!strcmp(profile, "web")) {
        w->rate_Bps = 64.0 * XLMIG_MIB;
        w->hot_bytes = 16 * XLMIG_MIB;
        w->hot_fraction = 0.95;
    } else if (!strcmp(profile, "oltp")) {
        w->rate_Bps = 512.0 * XLMIG_MIB;
        w->hot_bytes = 256 * XLMIG_MIB;
        w->hot_fraction = 0.9;
    } else if (!strcmp(profile, "diabolical")) {
        w->rate_Bps = link_Bps > 0 ? 2 * link_Bps : 2048.0 * XLMIG_MIB;
        w->hot_bytes = mem_bytes;
        w->hot_fraction = 1.0;
    } else {
        xlmig_err(XLMIG_E_INVAL, "unknown workload profile \"%s\" (idle,"
                  " web, oltp, diabolical)", profile);
        return XLMIG_E_INVAL;
    }
    if (w->hot_bytes > mem_bytes / 2 && strcmp(profile, "diabolical"))
        w->hot_bytes = mem_bytes / 2;
    return 0;
}

void xlmig_sim_guest_init(xlmig_sim_guest *g)
{
    memset(g, 0, sizeof(*g));
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->cond, NULL);
    atomic_store(&g->share_ppm, 1000000);
}

static uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

int xlmig_sim_guest_alloc(xlmig_sim_guest *g, uint64_t mem_bytes,
                          uint32_t page_size, uint64_t seed)
{
    uint64_t pfn;
    void *m;

    if (!page_size || page_size % 64 || mem_bytes < page_size ||
        mem_bytes % page_size) {
        xlmig_err(XLMIG_E_INVAL, "simulated guest: memory size %llu is not"
                  " a multiple of the page size %u",
                  (unsigned long long)mem_bytes, page_size);
        return XLMIG_E_INVAL;
    }
    /*
     * A guest we fill is populated up front: one pass is far cheaper
     * than a fault a page. Memory about to be received is not: each
     * page is faulted in as it arrives, overlapped with the stream,
     * and a page that never comes reads as zero.
     */
    m = mmap(NULL, mem_bytes, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS |
             (seed ? MAP_POPULATE : MAP_NORESERVE), -1, 0);
    if (m == MAP_FAILED) {
        xlmig_err(XLMIG_E_NOMEM, "simulated guest: cannot allocate %llu"
                  " MiB: %s", (unsigned long long)(mem_bytes / XLMIG_MIB),
                  strerror(errno));
        return XLMIG_E_NOMEM;
    }
    /* A command we fork (the transport, a hook) needs none of it. */
    (void)madvise(m, mem_bytes, MADV_DONTFORK);
    g->mem = m;
    g->mem_bytes = mem_bytes;
    g->page_size = page_size;
    g->npages = mem_bytes / page_size;
    g->nwords = (g->npages + 63) / 64;
    g->dirty = calloc(g->nwords, sizeof(*g->dirty));
    if (!g->dirty) {
        xlmig_err(XLMIG_E_NOMEM, "simulated guest: no memory for the dirty"
                  " log");
        return XLMIG_E_NOMEM;
    }
    g->seed = seed ? seed : 0x9e3779b97f4a7c15ULL;
    if (!seed)
        return 0;
    /* Distinct content per page, so a misplaced page is caught. */
    for (pfn = 0; pfn < g->npages; pfn++) {
        uint64_t *w = (uint64_t *)(g->mem + pfn * page_size);
        uint64_t s = g->seed ^ (pfn * 0x2545f4914f6cdd1dULL);
        unsigned i;

        for (i = 0; i < 8; i++)
            w[i] = xorshift(&s);
    }
    return 0;
}

static void touch(xlmig_sim_guest *g, uint64_t *rng, uint64_t hot_pages)
{
    uint64_t r = xorshift(rng), pfn, bit, old;
    uint64_t *w;

    if (hot_pages && (double)(r >> 11) / (double)(1ULL << 53) <
        g->wl.hot_fraction)
        pfn = xorshift(rng) % hot_pages;
    else
        pfn = xorshift(rng) % g->npages;
    w = (uint64_t *)(g->mem + pfn * g->page_size);
    w[r % (g->page_size / 8)] = r;
    if (atomic_load_explicit(&g->logdirty, memory_order_relaxed)) {
        bit = 1ULL << (pfn % 64);
        old = atomic_fetch_or(&g->dirty[pfn / 64], bit);
        (void)old;
    }
}

static void *workload(void *arg)
{
    xlmig_sim_guest *g = arg;
    uint64_t rng = g->seed ^ 0xdeadbeefULL, hot_pages;
    double carry = 0;

    hot_pages = g->wl.hot_bytes / g->page_size;
    if (hot_pages > g->npages)
        hot_pages = g->npages;
    for (;;) {
        uint64_t t0 = xlmig_now_ns(), n, i, t1;
        double share, want;

        pthread_mutex_lock(&g->lock);
        while (g->paused && !g->stop) {
            g->parked = true;
            pthread_cond_broadcast(&g->cond);
            pthread_cond_wait(&g->cond, &g->lock);
        }
        g->parked = false;
        if (g->stop) {
            pthread_mutex_unlock(&g->lock);
            break;
        }
        pthread_mutex_unlock(&g->lock);

        /* This period's quota of writes, cut by the CPU share. */
        share = (double)atomic_load(&g->share_ppm) / 1e6;
        want = g->wl.rate_Bps / g->page_size * (PERIOD_NS / 1e9) * share +
               carry;
        n = (uint64_t)want;
        carry = want - (double)n;
        for (i = 0; i < n; i++)
            touch(g, &rng, hot_pages);
        atomic_fetch_add(&g->writes, n + 1);
        t1 = xlmig_now_ns();
        if (t1 - t0 < PERIOD_NS)
            xlmig_sleep_ns(PERIOD_NS - (t1 - t0));
    }
    return NULL;
}

int xlmig_sim_guest_start(xlmig_sim_guest *g, const xlmig_sim_workload *wl)
{
    int r;

    g->wl = *wl;
    r = pthread_create(&g->thread, NULL, workload, g);
    if (r) {
        xlmig_err(XLMIG_E_BACKEND, "cannot start the workload thread: %s",
                  strerror(r));
        return XLMIG_E_BACKEND;
    }
    g->thread_started = true;
    return 0;
}

void xlmig_sim_guest_pause(xlmig_sim_guest *g)
{
    pthread_mutex_lock(&g->lock);
    if (!g->paused)
        g->share_at_pause_ppm = atomic_load(&g->share_ppm);
    g->paused = true;
    pthread_cond_broadcast(&g->cond);
    while (g->thread_started && !g->parked && !g->stop)
        pthread_cond_wait(&g->cond, &g->lock);
    pthread_mutex_unlock(&g->lock);
}

void xlmig_sim_guest_unpause(xlmig_sim_guest *g)
{
    pthread_mutex_lock(&g->lock);
    g->paused = false;
    g->parked = false;
    pthread_cond_broadcast(&g->cond);
    pthread_mutex_unlock(&g->lock);
}

bool xlmig_sim_guest_running(xlmig_sim_guest *g)
{
    bool r;

    pthread_mutex_lock(&g->lock);
    r = g->thread_started && !g->paused && !g->stop;
    pthread_mutex_unlock(&g->lock);
    return r;
}

void xlmig_sim_guest_set_share(xlmig_sim_guest *g, double share)
{
    if (share > 1.0)
        share = 1.0;
    if (share < 0.0)
        share = 0.0;
    atomic_store(&g->share_ppm, (uint64_t)(share * 1e6));
}

double xlmig_sim_guest_share(xlmig_sim_guest *g)
{
    return (double)atomic_load(&g->share_ppm) / 1e6;
}

void xlmig_sim_guest_dispose(xlmig_sim_guest *g)
{
    if (g->thread_started) {
        pthread_mutex_lock(&g->lock);
        g->stop = true;
        pthread_cond_broadcast(&g->cond);
        pthread_mutex_unlock(&g->lock);
        pthread_join(g->thread, NULL);
        g->thread_started = false;
    }
    if (g->mem)
        munmap(g->mem, g->mem_bytes);
    g->mem = NULL;
    free(g->dirty);
    g->dirty = NULL;
    pthread_mutex_destroy(&g->lock);
    pthread_cond_destroy(&g->cond);
}

void xlmig_sim_logdirty_enable(xlmig_sim_guest *g)
{
    uint64_t i;

    for (i = 0; i < g->nwords; i++)
        atomic_store(&g->dirty[i], 0);
    atomic_store(&g->logdirty, true);
}

void xlmig_sim_logdirty_disable(xlmig_sim_guest *g)
{
    atomic_store(&g->logdirty, false);
}

uint64_t xlmig_sim_logdirty_clean(xlmig_sim_guest *g, uint64_t *out)
{
    uint64_t i, n = 0;

    for (i = 0; i < g->nwords; i++) {
        out[i] = atomic_exchange(&g->dirty[i], 0);
        n += (uint64_t)__builtin_popcountll(out[i]);
    }
    return n;
}

uint64_t xlmig_sim_logdirty_peek(xlmig_sim_guest *g)
{
    uint64_t i, n = 0;

    for (i = 0; i < g->nwords; i++)
        n += (uint64_t)__builtin_popcountll(atomic_load(&g->dirty[i]));
    return n;
}

uint64_t xlmig_sim_guest_digest(xlmig_sim_guest *g)
{
    uint64_t pfn, sum = 0;

    for (pfn = 0; pfn < g->npages; pfn++)
        sum += xlmig_page_hash(g->mem + pfn * g->page_size, g->page_size,
                               pfn);
    return sum;
}
