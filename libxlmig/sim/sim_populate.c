#include "sim_populate.h"

#include <string.h>
#include <sys/mman.h>

#include "error.h"

/* Small enough to stop within a few ms, big enough to be one call. */
#define POPULATE_STEP (8ULL << 20)

void xlmig_sim_populate_init(xlmig_sim_populate *p)
{
    memset(p, 0, sizeof(*p));
    atomic_init(&p->stop, false);
    atomic_init(&p->done, 0);
    atomic_init(&p->skip_to, 0);
}

static void *populate_run(void *arg)
{
    xlmig_sim_populate *p = arg;
    uint64_t off = 0, n, ahead;

    while (off < p->len && !atomic_load(&p->stop)) {
        ahead = atomic_load(&p->skip_to);
        if (ahead > off)
            off = ahead - ahead % POPULATE_STEP;
        n = p->len - off < POPULATE_STEP ? p->len - off : POPULATE_STEP;
#ifdef MADV_POPULATE_WRITE
        /* A failure (no memory yet) leaves the pages to fault. */
        (void)madvise(p->mem + off, n, MADV_POPULATE_WRITE);
#endif
        off += n;
        atomic_store(&p->done, off);
    }
    return NULL;
}

int xlmig_sim_populate_start(xlmig_sim_populate *p, uint8_t *mem,
                             uint64_t len)
{
    int r;

    xlmig_sim_populate_dispose(p);
#ifndef MADV_POPULATE_WRITE
    (void)mem;
    (void)len;
    (void)r;
    return 0;
#else
    p->mem = mem;
    p->len = len;
    r = pthread_create(&p->thread, NULL, populate_run, p);
    if (r) {
        /* Not fatal: the receiver prefaults what it gets. */
        xlmig_err(XLMIG_E_NOMEM, "cannot start the thread that populates"
                  " guest memory: %s", strerror(r));
        return XLMIG_E_NOMEM;
    }
    p->running = true;
    return 0;
#endif
}

uint64_t xlmig_sim_populate_done(xlmig_sim_populate *p)
{
    return p->running ? atomic_load(&p->done) : 0;
}

void xlmig_sim_populate_reached(xlmig_sim_populate *p, uint64_t off)
{
    if (p->running && off > atomic_load(&p->skip_to))
        atomic_store(&p->skip_to, off);
}

void xlmig_sim_populate_dispose(xlmig_sim_populate *p)
{
    if (p->running) {
        atomic_store(&p->stop, true);
        pthread_join(p->thread, NULL);
    }
    xlmig_sim_populate_init(p);
}
