/*
 * evacuate's journal entries per plan item, and the cron episode: a
 * cron run goes on in its maintenance episode's journal and mails a
 * report only when something changed since its last run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "error.h"
#include "evac.h"
#include "journal.h"

static bool stuck(xlmig_jresult r)
{
    return r == XLMIG_JR_FAILED || r == XLMIG_JR_STAYED ||
           r == XLMIG_JR_UNDEFINED;
}


/*
 * Journal entries for the plan's guests: the moves, and the guests
 * that stay. A cron run goes on in its episode's journal (j already
 * loaded): a guest already there keeps its entry, and what it said
 * before is kept in sl to tell news from the same again.
 */
int evac_fill_journal(const xlmig_inventory *inv,
                      const xlmig_evac_plan *plan, xlmig_journal *j,
                      evac_slots *sl)
{
    unsigned k, i;
    int rc = 0, at;

    for (i = 0; i < j->n; i++) {
        xlmig_jguest *jg = &j->guests[i];

        sl->had_stuck |= stuck(jg->result);
        /* stuck before, not here now: someone else moved it */
        if (stuck(jg->result) && !xlmig_inventory_guest(inv, jg->name)) {
            jg->result = XLMIG_JR_GONE;
            snprintf(jg->reason, sizeof(jg->reason), "no longer on %s",
                     inv->self);
        }
    }
    if (!j->guests)
        rc = xlmig_journal_start(j, inv->self, 0);
    for (k = 0; !rc && k < plan->n; k++) {
        const xlmig_evac_item *it = &plan->items[k];
        const xlmig_inv_guest *g = &inv->guests[it->guest];
        xlmig_jguest *jg;

        at = xlmig_journal_find_guest(j, g->name);
        if (at < 0)
            rc = xlmig_journal_add_guest(j, &sl->slot[k]);
        else
            sl->slot[k] = (unsigned)at;
        if (rc)
            break;
        jg = &j->guests[sl->slot[k]];
        sl->was_stuck[k] = at >= 0 && stuck(jg->result);
        snprintf(sl->old[k], 256, "%s", sl->was_stuck[k] ? jg->reason : "");
        strcpy(jg->name, g->name);
        jg->mem_mib = g->mem_mib;
        if (it->move) {
            strcpy(jg->dest, it->dest);
            jg->result = XLMIG_JR_PLANNED;
        } else {
            jg->dest[0] = 0;
            jg->result = XLMIG_JR_STAYED;
            snprintf(jg->reason, sizeof(jg->reason), "%s", it->reason);
        }
    }
    return rc;
}

int evac_slots_alloc(evac_slots *sl, unsigned n)
{
    memset(sl, 0, sizeof(*sl));
    sl->slot = calloc(n + 1, sizeof(*sl->slot));
    sl->was_stuck = calloc(n + 1, sizeof(*sl->was_stuck));
    sl->old = calloc(n + 1, sizeof(*sl->old));
    if (sl->slot && sl->was_stuck && sl->old)
        return 0;
    xlmig_err(XLMIG_E_NOMEM, "out of memory");
    return XLMIG_E_NOMEM;
}

void evac_slots_dispose(evac_slots *sl)
{
    free(sl->slot);
    free(sl->was_stuck);
    free(sl->old);
    memset(sl, 0, sizeof(*sl));
}

/*
 * The cron report (mail): only when something changed since the last
 * run of the episode, a guest newly stuck (or stuck for another
 * reason), or all done after guests were stuck.
 */
void evac_cron_report(const evac_run_ctx *x, const evac_slots *sl,
                      const char *path)
{
    const xlmig_journal *j = x->j;
    unsigned k, left = 0, news = 0;

    for (k = 0; k < x->plan->n; k++) {
        const xlmig_jguest *jg = &j->guests[sl->slot[k]];

        if (jg->result == XLMIG_JR_MOVED)
            continue;
        left++;
        if (!sl->was_stuck[k] || strcmp(sl->old[k], jg->reason))
            news++;
    }
    if (!left) {
        if (sl->had_stuck)
            printf(PROG " evacuate: %s: all done, every guest moved;"
                   " journal %s\n", j->host, path);
        return;
    }
    if (!news)
        return;
    fprintf(stderr, PROG " evacuate: %s: %u of %u guests moved, %u still"
            " here:\n", j->host, x->moved, x->plan->n, left);
    for (k = 0; k < x->plan->n; k++) {
        const xlmig_jguest *jg = &j->guests[sl->slot[k]];

        if (jg->result != XLMIG_JR_MOVED)
            fprintf(stderr, "  %s: %s%s\n", jg->name, jg->reason,
                    sl->was_stuck[k] && !strcmp(sl->old[k], jg->reason)
                    ? "" : " (new)");
    }
    fprintf(stderr, "journal: %s\n", path);
}
