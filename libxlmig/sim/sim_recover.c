/*
 * recover and inspect on a simulated host (sim_host.h): its domain
 * records stand for libxl's domain list, the host has no DRBD and no
 * tokens, and a cap left lowered is in its own DIR/.run/throttle.
 */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "recover.h"
#include "sim_host.h"
#include "throttle_cap.h"

int xlmig_sim_host_inspect(const char *dir, const char *domain,
                           xlmig_host_view *v)
{
    char name[160], st[XLMIG_SIM_STATE_LEN], capdir[4096];
    xlmig_capfile f;
    int c, r, s;

    xlmig_host_view_init(v);
    for (c = 0; c < XLMIG_COPY__COUNT; c++) {
        if (xlmig_copy_name(domain, (xlmig_copy)c, name, sizeof(name)))
            return XLMIG_E_INVAL;
        r = xlmig_sim_host_get(dir, name, st, sizeof(st));
        if (r < 0)
            return r;
        s = r ? xlmig_dom_state_parse(st) : XLMIG_DS_NONE;
        v->copy[c] = s < 0 ? XLMIG_DS_OTHER : (xlmig_dom_state)s;
    }
    /* Simulated hosts have no DRBD and no tokens. */
    v->drbd = XLMIG_DISKS_NONE;
    r = xlmig_capfile_dir(dir, capdir, sizeof(capdir));
    if (!r)
        r = xlmig_capfile_stale(capdir, "sim", domain, NULL, &f);
    if (r < 0)
        return r;
    v->capped = r == 1;
    v->reachable = true;
    return 0;
}

/* The guest's own cap back on the copy under its name, if any. */
static int sim_restore_cap(const char *dir, const char *domain)
{
    char capdir[4096];
    xlmig_capfile f;
    int r, cap;

    r = xlmig_capfile_dir(dir, capdir, sizeof(capdir));
    if (!r)
        r = xlmig_capfile_stale(capdir, "sim", domain, NULL, &f);
    if (r <= 0)
        return r;
    r = xlmig_sim_host_get_cap(dir, domain, &cap);
    if (r > 0)
        r = xlmig_sim_host_set_cap(dir, domain, f.cap);
    return r < 0 ? r : xlmig_capfile_remove(capdir, f.uuid);
}

int xlmig_sim_host_act(const char *dir, const char *domain,
                       const xlmig_action *a)
{
    char n1[160], n2[160], st[XLMIG_SIM_STATE_LEN];
    int r;

    if (xlmig_copy_name(domain, a->copy, n1, sizeof(n1)) ||
        xlmig_copy_name(domain, a->to, n2, sizeof(n2)))
        return XLMIG_E_INVAL;
    switch (a->act) {
    case XLMIG_ACT_DESTROY:
        return xlmig_sim_host_remove(dir, n1);
    case XLMIG_ACT_RENAME:
        r = xlmig_sim_host_get(dir, n2, st, sizeof(st));
        if (r) {
            if (r > 0)
                xlmig_err(XLMIG_E_BACKEND, "cannot rename %s: %s exists",
                          n1, n2);
            return r > 0 ? XLMIG_E_BACKEND : r;
        }
        return xlmig_sim_host_rename(dir, n1, n2);
    case XLMIG_ACT_RESUME:
    case XLMIG_ACT_UNPAUSE:
        r = xlmig_sim_host_get(dir, n1, st, sizeof(st));
        if (r <= 0) {
            if (!r)
                xlmig_err(XLMIG_E_BACKEND, "no domain %s here", n1);
            return r ? r : XLMIG_E_BACKEND;
        }
        if (strcmp(st, a->act == XLMIG_ACT_RESUME ? "suspended"
                                                  : "paused")) {
            xlmig_err(XLMIG_E_BACKEND, "cannot %s %s: it is %s",
                      xlmig_act_str(a->act), n1, st);
            return XLMIG_E_BACKEND;
        }
        return xlmig_sim_host_put(dir, n1, "running");
    case XLMIG_ACT_RESTORE_CAP:
        return sim_restore_cap(dir, domain);
    default:
        /* No DRBD, no tokens on a simulated host: nothing to change. */
        return 0;
    }
}
