/* The journals not done, together, for return: see journal.h. */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "journal.h"
#include "journal_priv.h"

void xlmig_journal_set_init(xlmig_journal_set *s)
{
    memset(s, 0, sizeof(*s));
}

void xlmig_journal_set_dispose(xlmig_journal_set *s)
{
    unsigned i;

    for (i = 0; i < s->n; i++)
        xlmig_journal_dispose(&s->j[i]);
    xlmig_journal_set_init(s);
}

typedef struct {
    const char *dir;
    xlmig_journal_set *s;
} set_acc;

static int take_all(const char *path, xlmig_journal *j, void *arg)
{
    set_acc *a = arg;

    (void)path;
    if (a->s->n == XLMIG_JOURNAL_MAX_OPEN) {
        xlmig_err(XLMIG_E_INVAL, "%s/journal: more than %d evacuations not"
                  " returned; move the oldest journals away", a->dir,
                  XLMIG_JOURNAL_MAX_OPEN);
        return XLMIG_E_INVAL;
    }
    a->s->j[a->s->n++] = *j;
    xlmig_journal_init(j);      /* ownership moves to the set */
    return 0;
}

int xlmig_journal_load_open(const char *dir, xlmig_journal_set *s)
{
    set_acc a = { dir, s };
    int rc;

    xlmig_journal_set_dispose(s);
    rc = xlmig_journal_walk_open(dir, take_all, &a);
    if (rc)
        xlmig_journal_set_dispose(s);
    return rc;
}

typedef struct {
    const char *name;
    xlmig_jref r;
} named_ref;

static int cmp_place(const xlmig_jref *x, const xlmig_jref *y)
{
    if (x->j != y->j)
        return x->j < y->j ? -1 : 1;
    return (x->g > y->g) - (x->g < y->g);
}

static int by_name_newest(const void *a, const void *b)
{
    const named_ref *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    return c ? c : cmp_place(&x->r, &y->r);
}

static int by_place(const void *a, const void *b)
{
    return cmp_place(&((const named_ref *)a)->r, &((const named_ref *)b)->r);
}

int xlmig_journal_set_moved(const xlmig_journal_set *s, xlmig_jref **refs,
                            unsigned *n)
{
    named_ref *all = NULL;
    unsigned i, k, m = 0, total = 0;
    int rc;

    *n = 0;
    for (i = 0; i < s->n; i++)
        total += s->j[i].n;
    all = calloc(total + 1, sizeof(*all));
    *refs = calloc(total + 1, sizeof(**refs));
    if (!all || !*refs) {
        xlmig_err(XLMIG_E_NOMEM, "out of memory");
        rc = XLMIG_E_NOMEM;
        goto out;
    }
    for (i = 0; i < s->n; i++)
        for (k = 0; k < s->j[i].n; k++)
            if (s->j[i].guests[k].result == XLMIG_JR_MOVED)
                all[m++] = (named_ref){ s->j[i].guests[k].name, { i, k } };
    /* sorted, a name's newest entry comes first: keep only it */
    qsort(all, m, sizeof(*all), by_name_newest);
    for (i = 0, k = 0; i < m; i++)
        if (!k || strcmp(all[i].name, all[k - 1].name))
            all[k++] = all[i];
    qsort(all, k, sizeof(*all), by_place);
    for (i = 0; i < k; i++)
        (*refs)[i] = all[i].r;
    *n = k;
    rc = 0;
out:
    free(all);
    if (rc) {
        free(*refs);
        *refs = NULL;
    }
    return rc;
}
