/* One evacuation journal in memory: see journal.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "journal.h"

void xlmig_journal_init(xlmig_journal *j)
{
    memset(j, 0, sizeof(*j));
}

void xlmig_journal_dispose(xlmig_journal *j)
{
    free(j->guests);
    xlmig_journal_init(j);
}

int xlmig_journal_start(xlmig_journal *j, const char *host, unsigned n)
{
    struct timespec ts;
    char stamp[32];
    unsigned i;

    xlmig_journal_dispose(j);
    if (n > XLMIG_INV_MAX_GUESTS) {
        xlmig_err(XLMIG_E_INVAL, "journal: more than %d guests",
                  XLMIG_INV_MAX_GUESTS);
        return XLMIG_E_INVAL;
    }
    j->guests = calloc(n ? n : 1, sizeof(*j->guests));
    if (!j->guests) {
        xlmig_err(XLMIG_E_NOMEM, "out of memory");
        return XLMIG_E_NOMEM;
    }
    j->n = n;
    for (i = 0; i < n; i++)
        j->guests[i].exit_code = -1;
    clock_gettime(CLOCK_REALTIME, &ts);
    xlmig_utc_stamp(ts.tv_sec, j->started, sizeof(j->started));
    /* sortable by name: the newest is the largest */
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", gmtime(&ts.tv_sec));
    snprintf(j->id, sizeof(j->id), "evac-%s-%09ld-%ld", stamp,
             ts.tv_nsec, (long)getpid());
    snprintf(j->host, sizeof(j->host), "%s", host);
    j->state = XLMIG_JS_RUNNING;
    return 0;
}

int xlmig_journal_add_guest(xlmig_journal *j, unsigned *idx)
{
    xlmig_jguest *g;

    if (j->n >= XLMIG_INV_MAX_GUESTS) {
        xlmig_err(XLMIG_E_INVAL, "journal: more than %d guests",
                  XLMIG_INV_MAX_GUESTS);
        return XLMIG_E_INVAL;
    }
    g = realloc(j->guests, (j->n + 1) * sizeof(*g));
    if (!g) {
        xlmig_err(XLMIG_E_NOMEM, "out of memory");
        return XLMIG_E_NOMEM;
    }
    j->guests = g;
    memset(&g[j->n], 0, sizeof(*g));
    g[j->n].exit_code = -1;
    *idx = j->n++;
    return 0;
}

int xlmig_journal_find_guest(const xlmig_journal *j, const char *name)
{
    unsigned i;

    for (i = 0; i < j->n; i++)
        if (!strcmp(j->guests[i].name, name))
            return (int)i;
    return -1;
}

unsigned xlmig_journal_mark_returned(xlmig_journal *j, const char *name)
{
    unsigned i, n = 0;

    for (i = 0; i < j->n; i++) {
        if (j->guests[i].result == XLMIG_JR_MOVED &&
            !strcmp(j->guests[i].name, name)) {
            j->guests[i].result = XLMIG_JR_RETURNED;
            n++;
        }
    }
    return n;
}

bool xlmig_journal_has_moved(const xlmig_journal *j)
{
    unsigned i;

    for (i = 0; i < j->n; i++)
        if (j->guests[i].result == XLMIG_JR_MOVED)
            return true;
    return false;
}
