/* Evacuation planning: see evac_plan.h for the rules and the order. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "evac_plan.h"

void xlmig_evac_opts_init(xlmig_evac_opts *o)
{
    memset(o, 0, sizeof(*o));
}

void xlmig_evac_plan_init(xlmig_evac_plan *p)
{
    memset(p, 0, sizeof(*p));
}

void xlmig_evac_plan_dispose(xlmig_evac_plan *p)
{
    free(p->items);
    xlmig_evac_plan_init(p);
}

static const xlmig_inventory *sort_inv;

/* Smallest first; equal sizes by name, so a plan is reproducible. */
static int by_size(const void *a, const void *b)
{
    const xlmig_inv_guest *ga = &sort_inv->guests[*(const unsigned *)a];
    const xlmig_inv_guest *gb = &sort_inv->guests[*(const unsigned *)b];

    if (ga->mem_mib != gb->mem_mib)
        return ga->mem_mib < gb->mem_mib ? -1 : 1;
    return strcmp(ga->name, gb->name);
}

static bool res_has_peer(const xlmig_inv_res *r, const char *h)
{
    unsigned i;

    for (i = 0; i < r->npeers; i++)
        if (!strcmp(r->peers[i], h))
            return true;
    return false;
}

/* Hosts every resource of g replicates to: the only places it can go. */
static unsigned common_peers(const xlmig_inv_guest *g,
                             const char *out[XLMIG_INV_MAX_PEERS])
{
    unsigned i, j, n = 0;

    for (i = 0; i < g->res[0].npeers; i++) {
        const char *h = g->res[0].peers[i];
        bool all = true;

        for (j = 1; j < g->nres && all; j++)
            all = res_has_peer(&g->res[j], h);
        if (all)
            out[n++] = h;
    }
    return n;
}

/* Reasons for several candidate hosts, joined by "; ". */
static void __attribute__((format(printf, 3, 4)))
append(char *buf, size_t len, const char *fmt, ...)
{
    size_t used = strlen(buf);
    va_list ap;

    if (used + 3 >= len)
        return;
    if (used) {
        strcpy(buf + used, "; ");
        used += 2;
    }
    va_start(ap, fmt);
    vsnprintf(buf + used, len - used, fmt, ap);
    va_end(ap);
}

static void mixed_peers(const xlmig_inv_guest *g, char *buf, size_t len)
{
    size_t used;
    unsigned i, j;

    snprintf(buf, len, "its DRBD resources have different peers (");
    for (i = 0; i < g->nres; i++) {
        used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s ->", i ? ", " : "",
                 g->res[i].name);
        for (j = 0; j < g->res[i].npeers; j++) {
            used = strlen(buf);
            snprintf(buf + used, len - used, " %s", g->res[i].peers[j]);
        }
    }
    used = strlen(buf);
    snprintf(buf + used, len - used, "): no one host has all its disks");
}

static bool allowed(const xlmig_evac_opts *o, const char *h)
{
    unsigned i;

    if (!o->npeers)
        return true;
    for (i = 0; i < o->npeers; i++)
        if (!strcmp(o->peers[i], h))
            return true;
    return false;
}

static bool named(const char *const *set, unsigned n, const char *name)
{
    unsigned i;

    for (i = 0; i < n; i++)
        if (!strcmp(set[i], name))
            return true;
    return false;
}

/* Left out by --only/--exclude, or a resource out of sync: why. */
static bool held_back(const xlmig_evac_opts *o, const xlmig_inv_guest *g,
                      char *buf, size_t len)
{
    unsigned i;

    if (o->nonly && !named(o->only, o->nonly, g->name)) {
        snprintf(buf, len, "not in --only");
        return true;
    }
    if (named(o->exclude, o->nexclude, g->name)) {
        snprintf(buf, len, "left out by --exclude");
        return true;
    }
    for (i = 0; i < g->nres; i++) {
        const xlmig_inv_drbd *d = &g->res[i].state;

        if (xlmig_inv_drbd_synced(d))
            continue;
        snprintf(buf, len, "DRBD %s is not in sync (%s, disk %s, peer disk"
                 " %s): its peer has no current copy", g->res[i].name,
                 d->cstate, d->disk, d->peer_disk);
        return true;
    }
    return false;
}

/* Choose a destination for g among its peers, or say why none. */
static void place(const xlmig_inventory *inv, const xlmig_evac_opts *o,
                  const xlmig_inv_guest *g, const uint64_t *planned,
                  xlmig_evac_item *it)
{
    const char *cand[XLMIG_INV_MAX_PEERS];
    const xlmig_inv_host *best = NULL;
    uint64_t need = g->mem_mib + o->overhead_mib, best_left = 0;
    unsigned i, n;

    if (held_back(o, g, it->reason, sizeof(it->reason)))
        return;
    if (!g->nres) {
        snprintf(it->reason, sizeof(it->reason), "no DRBD disk: no host"
                 " has a replica of its storage");
        return;
    }
    n = common_peers(g, cand);
    if (!n) {
        mixed_peers(g, it->reason, sizeof(it->reason));
        return;
    }
    for (i = 0; i < n; i++) {
        const xlmig_inv_host *h = xlmig_inventory_host(inv, cand[i]);
        uint64_t used, left;

        if (o->to && strcmp(o->to, cand[i])) {
            append(it->reason, sizeof(it->reason), "its peer %s is not"
                   " --to host", cand[i]);
            continue;
        }
        if (!strcmp(cand[i], inv->self)) {
            append(it->reason, sizeof(it->reason), "peer %s is this host",
                   cand[i]);
            continue;
        }
        if (!allowed(o, cand[i])) {
            append(it->reason, sizeof(it->reason), "peer %s is not in"
                   " the configured peers", cand[i]);
            continue;
        }
        if (!h || !h->known) {
            append(it->reason, sizeof(it->reason), "peer %s: %s", cand[i],
                   h && h->error[0] ? h->error : "state unknown");
            continue;
        }
        if (h->maintenance) {
            append(it->reason, sizeof(it->reason), "destination %s is in"
                   " maintenance", cand[i]);
            continue;
        }
        used = planned[h - inv->hosts] + o->reserve_mib;
        left = h->free_mib > used ? h->free_mib - used : 0;
        if (left < need) {
            append(it->reason, sizeof(it->reason), "%s has %llu MiB free"
                   " after %llu MiB planned onto it, %llu MiB needed",
                   cand[i], (unsigned long long)h->free_mib,
                   (unsigned long long)planned[h - inv->hosts],
                   (unsigned long long)need);
            continue;
        }
        if (!best || left > best_left ||
            (left == best_left && strcmp(h->name, best->name) < 0)) {
            best = h;
            best_left = left;
        }
    }
    if (best) {
        it->move = true;
        it->reason[0] = 0;
        strcpy(it->dest, best->name);
    }
}

int xlmig_evac_plan_make(const xlmig_inventory *inv,
                         const xlmig_evac_opts *o, xlmig_evac_plan *p)
{
    uint64_t *planned = NULL;
    unsigned *order = NULL, i;
    int rc;

    xlmig_evac_plan_dispose(p);
    if (!inv->nguests)
        return 0;
    order = calloc(inv->nguests, sizeof(*order));
    planned = calloc(inv->nhosts + 1, sizeof(*planned));
    p->items = calloc(inv->nguests, sizeof(*p->items));
    if (!order || !planned || !p->items) {
        xlmig_err(XLMIG_E_NOMEM, "out of memory");
        rc = XLMIG_E_NOMEM;
        goto out;
    }
    for (i = 0; i < inv->nguests; i++)
        order[i] = i;
    sort_inv = inv;
    qsort(order, inv->nguests, sizeof(*order), by_size);
    for (i = 0; i < inv->nguests; i++) {
        const xlmig_inv_guest *g = &inv->guests[order[i]];
        xlmig_evac_item *it = &p->items[p->n++];

        it->guest = order[i];
        place(inv, o, g, planned, it);
        if (it->move) {
            planned[xlmig_inventory_host(inv, it->dest) - inv->hosts] +=
                g->mem_mib + o->overhead_mib;
            p->nmove++;
        }
    }
    rc = 0;
out:
    free(order);
    free(planned);
    if (rc)
        xlmig_evac_plan_dispose(p);
    return rc;
}

int xlmig_evac_next(const xlmig_evac_plan *p,
                    const xlmig_evac_state *state, unsigned parallel)
{
    unsigned i, running = 0;
    int next = -1;

    for (i = 0; i < p->n; i++) {
        if (!p->items[i].move)
            continue;
        if (state[i] == XLMIG_EVAC_RUNNING)
            running++;
        else if (state[i] == XLMIG_EVAC_PENDING && next < 0)
            next = (int)i;
    }
    if (running >= (parallel ? parallel : 1))
        return -1;
    return next;
}
