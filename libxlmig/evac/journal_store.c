/* The journal files under <state dir>/journal/: see journal.h. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "hoststate.h"
#include "journal.h"
#include "journal_priv.h"
#include "read_file.h"

int xlmig_journal_save(const char *dir, const xlmig_journal *j)
{
    char path[4096], *text = NULL;
    size_t len;
    int rc;

    rc = xlmig_state_dir_make(dir);
    if (!rc)
        rc = xlmig_journal_encode(j, &text, &len);
    if (rc)
        return rc;
    snprintf(path, sizeof(path), "%s/journal/%s.json", dir, j->id);
    rc = xlmig_write_atomic(path, text, len);
    free(text);
    return rc;
}

int xlmig_journal_load(const char *path, xlmig_journal *j)
{
    char *buf = NULL;
    size_t len;
    int rc;

    rc = xlmig_read_file(path, XLMIG_JOURNAL_MAX_BYTES, &buf, &len);
    if (!rc) {
        rc = xlmig_journal_decode(buf, len, j);
        if (rc)
            xlmig_err_replace(rc, "%s: %s", path, xlmig_errmsg());
    }
    free(buf);
    return rc;
}

static int journal_names(const char *dir, struct dirent ***list)
{
    char path[4096];
    int n;

    snprintf(path, sizeof(path), "%s/journal", dir);
    n = scandir(path, list, NULL, alphasort);
    if (n < 0) {
        *list = NULL;
        return 0;           /* no journal directory: no journals */
    }
    return n;
}

static bool is_journal(const char *name)
{
    size_t n = strlen(name);

    return !strncmp(name, "evac-", 5) && n > 5 &&
           !strcmp(name + n - 5, ".json");
}

int xlmig_journal_walk_open(const char *dir,
                            int (*fn)(const char *path, xlmig_journal *j,
                                      void *arg), void *arg)
{
    struct dirent **list = NULL;
    char path[4096];
    xlmig_journal j;
    int n, i, rc = 0;

    xlmig_journal_init(&j);
    n = journal_names(dir, &list);
    for (i = n - 1; i >= 0; i--) {
        if (!rc && is_journal(list[i]->d_name)) {
            snprintf(path, sizeof(path), "%s/journal/%s", dir,
                     list[i]->d_name);
            rc = xlmig_journal_load(path, &j);
            if (!rc && j.state != XLMIG_JS_DONE)
                rc = fn(path, &j, arg);
            xlmig_journal_dispose(&j);
        }
        free(list[i]);
    }
    free(list);
    return rc;
}

typedef struct {
    char *buf;
    size_t len;
    unsigned n;
} list_acc;

static int add_id(const char *path, xlmig_journal *j, void *arg)
{
    list_acc *a = arg;
    size_t used = strlen(a->buf);

    (void)path;
    if (used + strlen(j->id) + 2 < a->len)
        snprintf(a->buf + used, a->len - used, "%s%s", used ? "," : "",
                 j->id);
    a->n++;
    return 0;
}

int xlmig_journal_list_open(const char *dir, char *buf, size_t len,
                            unsigned *n)
{
    list_acc a = { buf, len, 0 };
    int rc;

    if (len)
        buf[0] = 0;
    rc = xlmig_journal_walk_open(dir, add_id, &a);
    *n = a.n;
    return rc;
}

typedef struct {
    const char *episode;
    xlmig_journal *out;
} episode_acc;

static int take_episode(const char *path, xlmig_journal *j, void *arg)
{
    episode_acc *a = arg;

    (void)path;
    if (strcmp(j->episode, a->episode))
        return 0;
    *a->out = *j;
    xlmig_journal_init(j);      /* ownership moves to the caller */
    return 1;                   /* newest first: this is the one */
}

int xlmig_journal_find_episode(const char *dir, const char *episode,
                               xlmig_journal *j)
{
    episode_acc a = { episode, j };

    xlmig_journal_dispose(j);
    if (!episode[0])
        return 0;
    return xlmig_journal_walk_open(dir, take_episode, &a);
}

int xlmig_journal_prune_done(const char *dir, unsigned keep, unsigned *n)
{
    struct dirent **list = NULL;
    char path[4096];
    xlmig_journal j;
    unsigned done = 0;
    int nn, i, rc = 0;

    *n = 0;
    xlmig_journal_init(&j);
    nn = journal_names(dir, &list);
    for (i = nn - 1; i >= 0; i--) {
        if (!rc && is_journal(list[i]->d_name)) {
            snprintf(path, sizeof(path), "%s/journal/%s", dir,
                     list[i]->d_name);
            /* one that cannot be read is left for the operator */
            if (!xlmig_journal_load(path, &j) &&
                j.state == XLMIG_JS_DONE && ++done > keep) {
                if (unlink(path)) {
                    xlmig_err(XLMIG_E_IO, "cannot remove %s", path);
                    rc = XLMIG_E_IO;
                } else {
                    (*n)++;
                }
            }
            xlmig_journal_dispose(&j);
            if (!rc)
                xlmig_err_clear();
        }
        free(list[i]);
    }
    free(list);
    return rc;
}
