/* Live DRBD state in the inventory: see inventory_drbd.h. */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "inventory_drbd.h"
#include "kv.h"

static void scopy(char *dst, size_t len, const char *src)
{
    size_t n = strnlen(src, len - 1);

    memcpy(dst, src, n);
    dst[n] = 0;
}

void xlmig_inv_drbd_from(const xlmig_drbd_state *s, xlmig_inv_drbd *d)
{
    memset(d, 0, sizeof(*d));
    d->known = true;
    d->synced = xlmig_drbd_state_synced(s);
    scopy(d->role, sizeof(d->role), xlmig_drbd_role_str(s->role));
    scopy(d->cstate, sizeof(d->cstate), s->repl[0] && strcmp(s->repl,
          s->cstate) && !d->synced ? s->repl : s->cstate);
    scopy(d->disk, sizeof(d->disk), s->disk);
    scopy(d->peer_disk, sizeof(d->peer_disk), s->peer_disk);
}

void xlmig_inventory_drbd_fill(xlmig_inventory *inv)
{
    xlmig_drbd_state st;
    xlmig_drbd d;
    unsigned i, r;

    if (xlmig_drbd_init(&d)) {
        xlmig_err_clear();
        return;
    }
    for (i = 0; i < inv->nguests; i++) {
        for (r = 0; r < inv->guests[i].nres; r++) {
            xlmig_inv_res *res = &inv->guests[i].res[r];

            if (xlmig_drbd_query(&d, res->name, &st))
                memset(&res->state, 0, sizeof(res->state));
            else
                xlmig_inv_drbd_from(&st, &res->state);
            xlmig_err_clear();
        }
    }
    xlmig_drbd_dispose(&d);
}

/* One "Word" of [A-Za-z] into out; false when empty or too long. */
static bool word(const char **p, char *out, size_t len)
{
    size_t n = 0;

    while (((**p >= 'A' && **p <= 'Z') || (**p >= 'a' && **p <= 'z')) &&
           n + 1 < len)
        out[n++] = *(*p)++;
    out[n] = 0;
    return n > 0 && !((**p >= 'A' && **p <= 'Z') ||
                      (**p >= 'a' && **p <= 'z'));
}

int xlmig_inv_drbd_parse(const char *where, const char *val,
                         xlmig_inv_guest *g)
{
    char buf[XLMIG_KV_VAL_MAX], *save = NULL, *tok;
    unsigned r;

    snprintf(buf, sizeof(buf), "%s", val);
    for (tok = strtok_r(buf, " ", &save); tok;
         tok = strtok_r(NULL, " ", &save)) {
        char *colon = strchr(tok, ':');
        const char *p = colon ? colon + 1 : NULL;
        xlmig_inv_drbd d = { .known = true };

        if (colon)
            *colon = 0;
        for (r = 0; colon && r < g->nres; r++)
            if (!strcmp(g->res[r].name, tok))
                break;
        if (!colon || r == g->nres || !word(&p, d.role, sizeof(d.role)) ||
            *p++ != '/' || !word(&p, d.cstate, sizeof(d.cstate)) ||
            *p++ != '/' || !word(&p, d.disk, sizeof(d.disk)) ||
            *p++ != '/' || !word(&p, d.peer_disk, sizeof(d.peer_disk)) ||
            *p) {
            xlmig_err(XLMIG_E_INVAL, "%s: \"%.40s\" is not resource:Role/"
                      "Connection/Disk/PeerDisk of a resource in drbd",
                      where, tok);
            return XLMIG_E_INVAL;
        }
        d.synced = !strcmp(d.cstate, "Connected") &&
                   !strcmp(d.disk, "UpToDate") &&
                   !strcmp(d.peer_disk, "UpToDate");
        g->res[r].state = d;
    }
    return 0;
}
