#include "recover_plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *state_names[XLMIG_DS__COUNT] = {
    "none", "running", "paused", "suspended", "other",
};
static const char *role_names[XLMIG_DISKS__COUNT] = {
    "unknown", "none", "primary", "secondary", "mixed",
};
static const char *act_names[XLMIG_ACT__COUNT] = {
    "destroy", "rename", "resume", "unpause", "demote", "promote",
    "drop-tokens", "close-window", "restore-cap",
};
static const char *suffix[XLMIG_COPY__COUNT] = {
    "", "--incoming", "--migratedaway",
};

static int lookup(const char *const *names, int n, const char *s)
{
    int i;

    for (i = 0; s && i < n; i++)
        if (!strcmp(names[i], s))
            return i;
    return -1;
}

const char *xlmig_dom_state_str(xlmig_dom_state s)
{
    return (unsigned)s < XLMIG_DS__COUNT ? state_names[s] : "?";
}

int xlmig_dom_state_parse(const char *s)
{
    return lookup(state_names, XLMIG_DS__COUNT, s);
}

const char *xlmig_disk_role_str(xlmig_disk_role r)
{
    return (unsigned)r < XLMIG_DISKS__COUNT ? role_names[r] : "?";
}

int xlmig_disk_role_parse(const char *s)
{
    return lookup(role_names, XLMIG_DISKS__COUNT, s);
}

const char *xlmig_act_str(xlmig_act a)
{
    return (unsigned)a < XLMIG_ACT__COUNT ? act_names[a] : "?";
}

int xlmig_act_parse(const char *s)
{
    return lookup(act_names, XLMIG_ACT__COUNT, s);
}

int xlmig_copy_name(const char *name, xlmig_copy c, char *buf, size_t len)
{
    int n;

    if ((unsigned)c >= XLMIG_COPY__COUNT)
        return -1;
    n = snprintf(buf, len, "%s%s", name, suffix[c]);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

void xlmig_host_view_init(xlmig_host_view *v)
{
    memset(v, 0, sizeof(*v));
}

static void why(xlmig_plan *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void why(xlmig_plan *p, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(p->why, sizeof(p->why), fmt, ap);
    va_end(ap);
}

static int refuse(xlmig_plan *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int refuse(xlmig_plan *p, const char *fmt, ...)
{
    va_list ap;

    p->verdict = XLMIG_PLAN_REFUSE;
    p->keeper = -1;
    p->n = 0;
    va_start(ap, fmt);
    vsnprintf(p->why, sizeof(p->why), fmt, ap);
    va_end(ap);
    return 0;
}

static void add(xlmig_plan *p, int host, xlmig_act act, xlmig_copy copy,
                xlmig_copy to)
{
    /* XLMIG_PLAN_MAX is above what the rules can emit. */
    if (p->n < XLMIG_PLAN_MAX)
        p->a[p->n++] = (xlmig_action){ host, act, copy, to };
}

typedef struct {
    int host;
    xlmig_copy copy;
} where;

/* Every copy in state s, both hosts. */
static unsigned find(const xlmig_host_view *v[2], xlmig_dom_state s,
                     where *out)
{
    unsigned n = 0;
    int h, c;

    for (h = 0; h < 2; h++)
        for (c = 0; c < XLMIG_COPY__COUNT; c++)
            if (v[h]->copy[c] == s)
                out[n++] = (where){ h, (xlmig_copy)c };
    return n;
}

static unsigned copies_on(const xlmig_host_view *v)
{
    unsigned n = 0;
    int c;

    for (c = 0; c < XLMIG_COPY__COUNT; c++)
        n += v->copy[c] != XLMIG_DS_NONE;
    return n;
}

/* With nothing running: is there one copy that can run again? */
static int choose_stopped(const xlmig_host_view *v[2], xlmig_plan *p,
                          where *keeper)
{
    where susp[6], paused[6], fwd[6];
    unsigned ns, np, nf = 0, i;

    ns = find(v, XLMIG_DS_SUSPENDED, susp);
    np = find(v, XLMIG_DS_PAUSED, paused);
    /* Paused under its own name: the destination passed "go". */
    for (i = 0; i < np; i++)
        if (paused[i].copy == XLMIG_COPY_NAME)
            fwd[nf++] = paused[i];
    if (nf == 1 && ns <= 1 &&
        (ns == 0 || susp[0].host != fwd[0].host)) {
        if (ns == 0 && copies_on(v[0]) + copies_on(v[1]) == 1) {
            p->keeper = fwd[0].host;
            p->keeper_copy = XLMIG_COPY_NAME;
            why(p, "the only copy is paused under its own name, not by a"
                " migration: left alone");
            return 1;
        }
        *keeper = fwd[0];
        why(p, "nothing runs; the %s copy was renamed, so it had \"go\","
            " but was never unpaused: it is the final state, unpause it",
            fwd[0].host == XLMIG_HOST_LOCAL ? "local" : "peer");
        return 0;
    }
    if (nf == 0 && ns == 1) {
        *keeper = susp[0];
        why(p, "nothing runs; the %s copy is suspended and no copy passed"
            " the commit point: resume it",
            susp[0].host == XLMIG_HOST_LOCAL ? "local" : "peer");
        return 0;
    }
    if (nf == 0 && ns == 0)
        return refuse(p, "no copy runs and none can be resumed (only"
                      " %s): start the guest from its configuration"
                      " yourself", np ? "paused incoming copies, which may"
                      " be incomplete" : "crashed copies, or none at all")
               - 1;
    return refuse(p, "no copy runs and %u suspended / %u renamed paused"
                  " copies compete: settle it by hand", ns, nf) - 1;
}

/* Several copies run: only --keep-local/--keep-peer can choose, and
 * exactly one copy must run there. Non-zero: refused (p says why). */
static int choose_running(const where *run, unsigned nrun, xlmig_keep keep,
                          xlmig_plan *p, where *keeper)
{
    int want = keep == XLMIG_KEEP_LOCAL ? XLMIG_HOST_LOCAL
             : keep == XLMIG_KEEP_PEER ? XLMIG_HOST_PEER : -1;
    unsigned on = 0, i;

    if (want < 0) {
        refuse(p, "%u copies are running: both may have written to their"
               " disks; find out which one is current and say"
               " --keep-local or --keep-peer", nrun);
        return 1;
    }
    for (i = 0; i < nrun; i++)
        if (run[i].host == want) {
            *keeper = run[i];
            on++;
        }
    if (on != 1) {
        refuse(p, "--keep-%s: %u copies run there, need exactly one",
               want ? "peer" : "local", on);
        return 1;
    }
    why(p, "%u copies are running; keeping the %s one as told", nrun,
        want ? "peer" : "local");
    return 0;
}

/* Steps 1-5 around the keeper: the others go, DRBD follows it, it runs
 * under its own name, the window closes, no token outlives it. */
static void settle(const xlmig_host_view *const *v, where keeper,
                   xlmig_plan *p)
{
    int other = !keeper.host, h, c;
    xlmig_dom_state kst = v[keeper.host]->copy[keeper.copy];

    /* 1. Every other copy goes: none of them is the one that runs. */
    for (h = 0; h < 2; h++)
        for (c = 0; c < XLMIG_COPY__COUNT; c++)
            if (v[h]->copy[c] != XLMIG_DS_NONE &&
                !(h == keeper.host && c == (int)keeper.copy))
                add(p, h, XLMIG_ACT_DESTROY, (xlmig_copy)c, 0);
    /* 2. Close the DRBD window: the other host first lets go. */
    if (v[other]->drbd == XLMIG_DISKS_PRIMARY ||
        v[other]->drbd == XLMIG_DISKS_MIXED)
        add(p, other, XLMIG_ACT_DEMOTE, 0, 0);
    if (v[keeper.host]->drbd == XLMIG_DISKS_SECONDARY ||
        v[keeper.host]->drbd == XLMIG_DISKS_MIXED)
        add(p, keeper.host, XLMIG_ACT_PROMOTE, 0, 0);
    /* 3. The keeper takes its own name and runs. */
    if (keeper.copy != XLMIG_COPY_NAME)
        add(p, keeper.host, XLMIG_ACT_RENAME, keeper.copy,
            XLMIG_COPY_NAME);
    if (kst == XLMIG_DS_SUSPENDED)
        add(p, keeper.host, XLMIG_ACT_RESUME, XLMIG_COPY_NAME, 0);
    else if (kst == XLMIG_DS_PAUSED)
        add(p, keeper.host, XLMIG_ACT_UNPAUSE, XLMIG_COPY_NAME, 0);
    /*
     * 4. allow-two-primaries off on both hosts, the other one first;
     * DRBD takes it only once one side is Secondary, which step 2 saw
     * to. A window left open would let the next split brain happen.
     */
    if (v[other]->window)
        add(p, other, XLMIG_ACT_CLOSE_WINDOW, 0, 0);
    if (v[keeper.host]->window)
        add(p, keeper.host, XLMIG_ACT_CLOSE_WINDOW, 0, 0);
    /* 5. No token may outlive the window. */
    for (h = 0; h < 2; h++)
        if (v[h]->tokens)
            add(p, h, XLMIG_ACT_DROP_TOKENS, 0, 0);
}

int xlmig_recover_plan(const xlmig_host_view *local,
                       const xlmig_host_view *peer, xlmig_keep keep,
                       xlmig_plan *p)
{
    const xlmig_host_view *v[2] = { local, peer };
    where run[6], keeper = { -1, XLMIG_COPY_NAME };
    unsigned nrun, i;
    int h, r;

    memset(p, 0, sizeof(*p));
    p->keeper = -1;
    if (!local->reachable || !peer->reachable)
        return refuse(p, "cannot inspect the %s host: recover needs to see"
                      " both", local->reachable ? "peer" : "local");
    nrun = find(v, XLMIG_DS_RUNNING, run);
    if (nrun >= 2) {
        if (choose_running(run, nrun, keep, p, &keeper))
            return 0;
    } else if (nrun == 1) {
        keeper = run[0];
        why(p, "exactly one copy runs (%s): keep it, clear the rest",
            keeper.host == XLMIG_HOST_LOCAL ? "local" : "peer");
    } else {
        r = choose_stopped(v, p, &keeper);
        if (r < 0)
            return 0;
        if (r > 0)
            goto done;
    }
    p->keeper = keeper.host;
    p->keeper_copy = keeper.copy;
    settle(v, keeper, p);
done:
    /*
     * 6. Last, once the keeper has its name: a cap a dead migration
     * lowered goes back (on a host without the guest the record goes).
     */
    for (h = 0, i = 0; h < 2; h++)
        if (v[h]->capped) {
            add(p, h, XLMIG_ACT_RESTORE_CAP, 0, 0);
            i++;
        }
    p->verdict = p->n ? XLMIG_PLAN_ACT : XLMIG_PLAN_NOTHING;
    if (!p->n && nrun == 1)
        why(p, "one copy runs (%s), under its own name, DRBD window"
            " closed, no tokens", p->keeper == XLMIG_HOST_LOCAL ? "local"
            : "peer");
    else if (p->n == i && nrun == 1)
        why(p, "one copy runs (%s), but its CPU cap was left lowered by"
            " a migration that did not finish: restore it",
            p->keeper == XLMIG_HOST_LOCAL ? "local" : "peer");
    return 0;
}
