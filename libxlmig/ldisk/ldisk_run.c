/*
 * Running a plan: its steps in order, and on the first failure the
 * undo of each completed step in reverse, so the host is left as it
 * was. Undo is best effort: one that fails is logged and the rest
 * still run (the journal keeps what is left for recover).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ldisk.h"

static void argv_of(const xlmig_ldisk_action *a, const char **argv)
{
    unsigned i;

    for (i = 0; i < a->argc; i++)
        argv[i] = a->argv[i];
    argv[a->argc] = NULL;
}

static int run_cmd(const xlmig_ldisk_action *a, const xlmig_ldisk_runner *r,
                   char **out, size_t *out_len)
{
    const char *argv[XLMIG_LDISK_ARGS];
    char err[256] = "", line[256];
    int status = -1, rc;

    argv_of(a, argv);
    xlmig_ldisk_action_str(a, line, sizeof(line));
    rc = r->run(r->arg, argv, &status, out, out_len, err, sizeof(err));
    if (rc)
        return rc;
    if (status) {
        size_t n = strlen(err);

        while (n && (err[n - 1] == '\n' || err[n - 1] == ' '))
            err[--n] = 0;
        xlmig_err(XLMIG_E_EXTERNAL, "%s: exit %d%s%s", line, status,
                  err[0] ? ": " : "", err);
        if (out) {
            free(*out);
            *out = NULL;
        }
        return XLMIG_E_EXTERNAL;
    }
    return 0;
}

static int save_table(const xlmig_ldisk_action *a,
                      const xlmig_ldisk_runner *r)
{
    static xlmig_ldisk_table t;
    char *out = NULL, *text = NULL, what[XLMIG_LDISK_ARG_MAX + 16];
    size_t len = 0;
    int rc;

    rc = run_cmd(a, r, &out, &len);
    if (rc)
        goto out;
    snprintf(what, sizeof(what), "dmsetup table %s",
             a->argc ? a->argv[a->argc - 1] : "?");
    rc = xlmig_ldisk_parse_table(out ? out : "", out ? len : 0, what, &t);
    if (!rc)
        rc = xlmig_ldisk_table_text(&t, &text);
    if (!rc)
        rc = r->write(r->arg, a->path, text);
out:
    free(out);
    free(text);
    return rc;
}

int xlmig_ldisk_action_run(const xlmig_ldisk_action *a,
                           const xlmig_ldisk_runner *r)
{
    switch (a->kind) {
    case XLMIG_LDISK_NONE:
        return 0;
    case XLMIG_LDISK_CMD:
        return run_cmd(a, r, NULL, NULL);
    case XLMIG_LDISK_WRITE:
        return r->write(r->arg, a->path, a->text ? a->text : "");
    case XLMIG_LDISK_UNLINK:
        return r->unlink(r->arg, a->path);
    case XLMIG_LDISK_SAVE_TABLE:
        return save_table(a, r);
    }
    return XLMIG_E_INVAL;
}

int xlmig_ldisk_plan_undo(const xlmig_ldisk_plan *p, unsigned done,
                          const xlmig_ldisk_runner *r)
{
    int rc = 0;
    unsigned i;

    if (done > p->n)
        done = p->n;
    for (i = done; i-- > 0;) {
        const xlmig_ldisk_step *s = &p->steps[i];
        int urc;

        if (s->undo.kind == XLMIG_LDISK_NONE)
            continue;
        urc = xlmig_ldisk_action_run(&s->undo, r);
        if (urc && s->undo2_anyway) {
            xlmig_log(XLMIG_LOG_WARN, "undo of \"%s\": %s", s->what,
                      xlmig_errmsg());
            xlmig_err_clear();
            urc = 0;
        }
        if (!urc)
            urc = xlmig_ldisk_action_run(&s->undo2, r);
        if (urc) {
            xlmig_log(XLMIG_LOG_WARN, "undo of \"%s\" failed: %s", s->what,
                      xlmig_errmsg());
            if (!rc)
                rc = urc;
            xlmig_err_clear();
        }
    }
    return rc;
}

int xlmig_ldisk_plan_run(const xlmig_ldisk_plan *p,
                         const xlmig_ldisk_runner *r,
                         void (*progress)(void *arg, unsigned i),
                         void *parg, unsigned *done)
{
    xlmig_err_saved saved;
    unsigned i;
    int rc = 0;

    *done = 0;
    for (i = 0; i < p->n; i++) {
        xlmig_log(XLMIG_LOG_DEBUG, "local disk: %s", p->steps[i].what);
        rc = xlmig_ldisk_action_run(&p->steps[i].act, r);
        if (rc)
            break;
        *done = i + 1;
        if (progress)
            progress(parg, i);
    }
    if (!rc)
        return 0;
    /* The failure is what the caller reports; undo's own errors only
     * go to the log. */
    xlmig_err_save(&saved);
    xlmig_ldisk_plan_undo(p, *done, r);
    xlmig_err_restore(&saved);
    return rc;
}
