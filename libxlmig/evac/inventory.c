/* The inventory's containers; filling them is inventory_*.c's job. */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "inventory.h"
#include "names.h"

void xlmig_inventory_init(xlmig_inventory *inv)
{
    memset(inv, 0, sizeof(*inv));
}

void xlmig_inventory_dispose(xlmig_inventory *inv)
{
    free(inv->guests);
    free(inv->hosts);
    xlmig_inventory_init(inv);
}

bool xlmig_inv_name_ok(const char *s)
{
    return strlen(s) < XLMIG_INV_NAME_MAX && xlmig_name_word_ok(s);
}

static int check_name(const char *what, const char *name)
{
    if (xlmig_inv_name_ok(name))
        return 0;
    xlmig_err(XLMIG_E_INVAL, "%s name \"%.64s\" is not usable (1 to %d of"
              " A-Z a-z 0-9 . _ -)", what, name, XLMIG_INV_NAME_MAX - 1);
    return XLMIG_E_INVAL;
}

/*
 * Room for entry n (of at most max `what`), zeroed: the array, moved
 * if it had to grow by doubling, or NULL with the error recorded.
 */
static void *grow(void *arr, unsigned n, size_t size, unsigned max,
                  const char *what)
{
    void *p = arr;

    if (n >= max) {
        xlmig_err(XLMIG_E_INVAL, "more than %u %s", max, what);
        return NULL;
    }
    /* capacity is 4, 8, 16...: full exactly at those counts */
    if (!n || (n >= 4 && !(n & (n - 1))))
        p = realloc(arr, (n ? 2 * (size_t)n : 4) * size);
    if (!p) {
        xlmig_err(XLMIG_E_NOMEM, "out of memory");
        return NULL;
    }
    memset((char *)p + (size_t)n * size, 0, size);
    return p;
}

xlmig_inv_guest *xlmig_inventory_add_guest(xlmig_inventory *inv,
                                           const char *name)
{
    xlmig_inv_guest *g, *arr;

    if (check_name("guest", name))
        return NULL;
    if (xlmig_inventory_guest(inv, name)) {
        xlmig_err(XLMIG_E_INVAL, "guest %s is listed twice", name);
        return NULL;
    }
    arr = grow(inv->guests, inv->nguests, sizeof(*arr),
               XLMIG_INV_MAX_GUESTS, "guests");
    if (!arr)
        return NULL;
    inv->guests = arr;
    g = &inv->guests[inv->nguests++];
    strcpy(g->name, name);
    return g;
}

xlmig_inv_host *xlmig_inventory_add_host(xlmig_inventory *inv,
                                         const char *name)
{
    xlmig_inv_host *h, *arr;

    if (check_name("host", name))
        return NULL;
    h = xlmig_inventory_host(inv, name);
    if (h)
        return h;
    arr = grow(inv->hosts, inv->nhosts, sizeof(*arr), XLMIG_INV_MAX_HOSTS,
               "hosts");
    if (!arr)
        return NULL;
    inv->hosts = arr;
    h = &inv->hosts[inv->nhosts++];
    strcpy(h->name, name);
    return h;
}

xlmig_inv_host *xlmig_inventory_host(const xlmig_inventory *inv,
                                     const char *name)
{
    unsigned i;

    for (i = 0; i < inv->nhosts; i++)
        if (!strcmp(inv->hosts[i].name, name))
            return &inv->hosts[i];
    return NULL;
}

const xlmig_inv_guest *xlmig_inventory_guest(const xlmig_inventory *inv,
                                             const char *name)
{
    unsigned i;

    for (i = 0; i < inv->nguests; i++)
        if (!strcmp(inv->guests[i].name, name))
            return &inv->guests[i];
    return NULL;
}

int xlmig_inv_guest_add_peer(xlmig_inv_guest *g, const char *res,
                             const char *peer)
{
    xlmig_inv_res *r = NULL;
    unsigned i;
    int rc;

    rc = check_name("resource", res);
    if (!rc)
        rc = check_name("peer host", peer);
    if (rc)
        return rc;
    for (i = 0; i < g->nres; i++)
        if (!strcmp(g->res[i].name, res))
            r = &g->res[i];
    if (!r) {
        if (g->nres >= XLMIG_INV_MAX_RES) {
            xlmig_err(XLMIG_E_INVAL, "guest %s: more than %d DRBD"
                      " resources", g->name, XLMIG_INV_MAX_RES);
            return XLMIG_E_INVAL;
        }
        r = &g->res[g->nres++];
        memset(r, 0, sizeof(*r));
        strcpy(r->name, res);
    }
    for (i = 0; i < r->npeers; i++)
        if (!strcmp(r->peers[i], peer))
            return 0;
    if (r->npeers >= XLMIG_INV_MAX_PEERS) {
        xlmig_err(XLMIG_E_INVAL, "guest %s: resource %s has more than %d"
                  " peers", g->name, res, XLMIG_INV_MAX_PEERS);
        return XLMIG_E_INVAL;
    }
    strcpy(r->peers[r->npeers++], peer);
    return 0;
}

int xlmig_inventory_add_peer_hosts(xlmig_inventory *inv)
{
    unsigned i, j, k;

    for (i = 0; i < inv->nguests; i++)
        for (j = 0; j < inv->guests[i].nres; j++)
            for (k = 0; k < inv->guests[i].res[j].npeers; k++)
                if (!xlmig_inventory_add_host(inv,
                                              inv->guests[i].res[j].peers[k]))
                    return xlmig_errcode() ? xlmig_errcode()
                                           : XLMIG_E_INVAL;
    return 0;
}

bool xlmig_inv_drbd_synced(const xlmig_inv_drbd *d)
{
    return !d->known || d->synced;
}
