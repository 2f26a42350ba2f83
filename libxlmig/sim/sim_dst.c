/*
 * Simulator, destination side: rebuild the guest's memory from PAGES
 * records, keep a hash per page as it arrives (so verifying costs
 * nothing during the downtime), compare with the source's digest.
 */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "error.h"
#include "fault.h"
#include "inventory_sim.h"
#include "sim_host.h"
#include "wire.h"

uint64_t xlmig_sim_host_free(void)
{
    unsigned long long kb = 0;
    char line[256];
    FILE *f = fopen("/proc/meminfo", "r");

    if (!f)
        return 0;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
            break;
    fclose(f);
    return (uint64_t)kb * 1024;
}

uint64_t xlmig_sim_alloc_limit(uint64_t avail_bytes)
{
    uint64_t lim = avail_bytes / 4 * 3;

    return lim && lim < XLMIG_SIM_MEM_MAX ? lim : XLMIG_SIM_MEM_MAX;
}

/* Refuse, before anything is allocated, what this machine cannot hold. */
static bool alloc_ok(uint64_t mem_bytes, uint64_t *limit)
{
    *limit = xlmig_sim_alloc_limit(xlmig_sim_host_free());
    return mem_bytes <= *limit;
}

void xlmig_sim_dst_init(xlmig_sim_dst *d, uint64_t free_bytes)
{
    memset(d, 0, sizeof(*d));
    d->free_bytes = free_bytes;
    xlmig_sim_guest_init(&d->guest);
    xlmig_page_digest_init(&d->digest);
    xlmig_sim_populate_init(&d->populate);
}

void xlmig_sim_dst_dispose(xlmig_sim_dst *d)
{
    xlmig_sim_populate_dispose(&d->populate);
    xlmig_sim_guest_dispose(&d->guest);
    xlmig_page_digest_dispose(&d->digest);
    free(d->name);
    free(d->incoming);
    d->name = NULL;
    d->incoming = NULL;
}

static int sim_check(void *be, const xlmig_msg *req, xlmig_checks *c,
                     uint64_t *free_bytes)
{
    xlmig_sim_dst *d = be;
    char st[XLMIG_SIM_STATE_LEN], incoming[160];
    bool clash = d->existing && req->name && !strcmp(d->existing, req->name);
    bool fits = req->mem_bytes <= d->free_bytes;
    uint64_t limit;
    bool alloc = alloc_ok(req->mem_bytes, &limit);
    const char *names[2] = { req->name, incoming };
    int i, r;

    /* As on Xen: the name and a leftover <name>--incoming both clash. */
    snprintf(incoming, sizeof(incoming), "%s--incoming",
             req->name ? req->name : "");
    for (i = 0; i < 2 && !clash && d->host_dir && req->name; i++) {
        r = xlmig_sim_host_get(d->host_dir, names[i], st, sizeof(st));
        if (r < 0)
            return r;
        clash = r == 1;
    }
    *free_bytes = d->free_bytes;
    xlmig_checks_add(c, "dest", "name-free", !clash, clash
                     ? "a domain named %s (or its --incoming copy)"
                       " already exists here"
                     : "no domain named %s here", req->name);
    xlmig_checks_add(c, "dest", "free-memory", fits,
                     "%llu MiB needed, %llu MiB free",
                     (unsigned long long)(req->mem_bytes / XLMIG_MIB),
                     (unsigned long long)(d->free_bytes / XLMIG_MIB));
    xlmig_checks_add(c, "dest", "sim-allocation", alloc,
                     "%llu MiB claimed, this simulator allocates at most"
                     " %llu MiB", (unsigned long long)(req->mem_bytes /
                                                       XLMIG_MIB),
                     (unsigned long long)(limit / XLMIG_MIB));
    xlmig_checks_add(c, "dest", "page-size", req->page_size >= 64 &&
                     req->page_size <= XLMIG_MAX_PAGE_SIZE &&
                     !(req->page_size & (req->page_size - 1)),
                     "page size %llu", (unsigned long long)req->page_size);
    return 0;
}

/*
 * The first round comes in pfn order: populate the span a record
 * covers in one call before copying into it, cheaper here than a
 * fault a page. Pages below the mark (resent ones, or the populating
 * thread's) are in already; a record that leaps far ahead is left to
 * fault page by page.
 */
static void prefault(xlmig_sim_dst *d, const xlmig_pages_view *v)
{
    uint64_t ps = d->guest.page_size, lo = d->faulted, hi = 0, pfn;
    uint64_t ahead = xlmig_sim_populate_done(&d->populate);
    uint64_t os_page = (uint64_t)sysconf(_SC_PAGESIZE);
    uint32_t i;

    for (i = 0; i < v->count; i++) {
        pfn = xlmig_pages_pfn(v, i);
        if ((pfn + 1) * ps > hi)
            hi = (pfn + 1) * ps;
    }
    if (ahead > lo)
        lo = ahead;
    lo -= lo % os_page;
    if (hi <= lo || hi - lo > 2 * (uint64_t)v->count * ps + os_page)
        return;
#ifdef MADV_POPULATE_WRITE
    (void)madvise(d->guest.mem + lo, hi - lo, MADV_POPULATE_WRITE);
#endif
    d->faulted = hi;
    xlmig_sim_populate_reached(&d->populate, hi);
}

static int sim_feed(void *be, const uint8_t *p, size_t len)
{
    xlmig_sim_dst *d = be;
    xlmig_sim_guest *g = &d->guest;
    xlmig_pages_view v;
    uint32_t i, ps = g->page_size;
    int rc;

    rc = xlmig_pages_parse(p, len, ps, g->npages, &v);
    if (rc)
        return rc;
    prefault(d, &v);
    for (i = 0; i < v.count; i++) {
        uint64_t pfn = xlmig_pages_pfn(&v, i);
        const uint8_t *src = v.data + (size_t)i * ps;

        memcpy(g->mem + pfn * ps, src, ps);
        /* What memory now holds, not what the record said. */
        xlmig_page_digest_put(&d->digest, pfn, g->mem + pfn * ps, ps);
    }
    d->records++;
    return 0;
}

/* Everything the pages need, before the first arrives. */
static int sim_begin(void *be, const xlmig_msg *req, uint32_t *page_size)
{
    xlmig_sim_dst *d = be;
    uint64_t limit;
    int rc;

    if (!req->name || !req->mem_bytes || !req->page_size) {
        xlmig_err(XLMIG_E_PROTO, "migrate request lacks name, memory size"
                  " or page size");
        return XLMIG_E_PROTO;
    }
    if (!alloc_ok(req->mem_bytes, &limit)) {
        xlmig_err(XLMIG_E_CHECK, "%llu MiB claimed, this simulator"
                  " allocates at most %llu MiB",
                  (unsigned long long)(req->mem_bytes / XLMIG_MIB),
                  (unsigned long long)(limit / XLMIG_MIB));
        return XLMIG_E_CHECK;
    }
    if (asprintf(&d->name, "%s--incoming", req->name) < 0) {
        d->name = NULL;
        return XLMIG_E_NOMEM;
    }
    d->incoming = strdup(d->name);
    if (!d->incoming)
        return XLMIG_E_NOMEM;
    rc = xlmig_sim_guest_alloc(&d->guest, req->mem_bytes,
                               (uint32_t)req->page_size, 0);
    if (rc)
        return rc;
    d->created = true;
    if (d->host_dir) {
        /* A leftover of that name is recover's, not ours to reuse. */
        rc = xlmig_sim_host_create(d->host_dir, d->incoming, "paused");
        if (rc)
            return rc;
        d->recorded = true;
    }
    rc = xlmig_page_digest_alloc(&d->digest, d->guest.npages);
    if (rc)
        return rc;
    d->records = 0;
    d->faulted = 0;
    if (xlmig_sim_populate_start(&d->populate, d->guest.mem,
                                 d->guest.mem_bytes)) {
        XLMIG_WARN("%s; pages fault in as they come", xlmig_errmsg());
        xlmig_err_clear();
    }
    *page_size = (uint32_t)req->page_size;
    return 0;
}

/* memory-end: the digest kept as pages arrived against the source's. */
static int sim_end(void *be, const xlmig_msg *end, xlmig_restore_result *res)
{
    xlmig_sim_dst *d = be;
    uint64_t digest = xlmig_page_digest_value(&d->digest);

    /* Every page is here: what is not yet populated reads as zero. */
    xlmig_sim_populate_dispose(&d->populate);
    res->pages = d->records;
    res->has_verify = true;
    res->verified = end->hash && digest == end->hash;
    if (!res->verified) {
        xlmig_err(XLMIG_E_BACKEND, "memory verification failed: digest"
                  " %016llx, source sent %016llx",
                  (unsigned long long)digest, (unsigned long long)end->hash);
        return XLMIG_E_BACKEND;
    }
    return 0;
}

/* The guest's definition on this host, as it runs here now. */
static int put_definition(const xlmig_sim_dst *d)
{
    xlmig_inv_guest g;
    int rc = 0;

    memset(&g, 0, sizeof(g));
    snprintf(g.name, sizeof(g.name), "%s", d->name);
    snprintf(g.profile, sizeof(g.profile), "%s",
             d->profile ? d->profile : "idle");
    g.mem_mib = d->guest.mem_bytes / XLMIG_MIB;
    if (d->drbd)
        rc = xlmig_sim_drbd_parse("--sim-drbd", d->drbd, &g);
    return rc ? rc : xlmig_sim_host_guest_put(d->host_dir, &g);
}

static int sim_activate(void *be)
{
    xlmig_sim_dst *d = be;
    xlmig_sim_workload wl;
    char *dash;
    int rc;

    if (!d->created)
        return XLMIG_E_INVAL;
    dash = strstr(d->name, "--incoming");
    if (dash)
        *dash = 0;
    /* The workload's profile stays at the source; run it idle here. */
    rc = xlmig_sim_workload_preset(&wl, "idle", d->guest.mem_bytes, 0);
    if (!rc && !d->paused)
        rc = xlmig_sim_guest_start(&d->guest, &wl);
    if (rc)
        return rc;
    /* It runs: a failure from here on cannot say it never did. */
    if (d->host_dir)
        rc = xlmig_sim_host_rename(d->host_dir, d->incoming, d->name);
    if (!rc && d->host_dir)
        rc = xlmig_sim_host_put(d->host_dir, d->name, d->paused ? "paused"
                                                             : "running");
    if (!rc && d->host_dir)
        rc = put_definition(d);
    if (rc) {
        xlmig_err_replace(XLMIG_E_UNDEFINED, "simulated guest started but"
                          " not recorded: %s", xlmig_errmsg());
        return XLMIG_E_UNDEFINED;
    }
    d->active = true;
    return 0;
}

static int sim_discard(void *be)
{
    xlmig_sim_dst *d = be;
    int rc = 0;

    if (d->host_dir && d->incoming && d->recorded)
        rc = xlmig_sim_host_remove(d->host_dir, d->incoming);
    d->recorded = false;
    xlmig_sim_populate_dispose(&d->populate);
    xlmig_sim_guest_dispose(&d->guest);
    xlmig_sim_guest_init(&d->guest);
    xlmig_page_digest_dispose(&d->digest);
    d->created = false;
    d->active = false;
    return rc;
}

const xlmig_dst_ops xlmig_sim_dst_ops = {
    .name = "sim",
    .check = sim_check,
    .rec_type = XLMIG_REC_PAGES,
    .begin = sim_begin,
    .feed = sim_feed,
    .end = sim_end,
    /* No abort: discard frees what begin built. */
    .activate = sim_activate,
    .discard = sim_discard,
};
