/*
 * The plans of steps for one local disk's move, as data: every step is
 * an action and its undo, so a failure part-way is undone in reverse
 * and a crash part-way can be undone later from the journal (the plan
 * is rebuilt from the same disk, and the journal says how far it got).
 * docs/design.md, "Local disks over a temporary DRBD resource", says
 * why each step is where it is.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ldisk.h"

void xlmig_ldisk_plan_init(xlmig_ldisk_plan *p)
{
    memset(p, 0, sizeof(*p));
}

void xlmig_ldisk_plan_dispose(xlmig_ldisk_plan *p)
{
    unsigned i;

    for (i = 0; i < p->n; i++) {
        free(p->steps[i].act.text);
        free(p->steps[i].undo.text);
        free(p->steps[i].undo2.text);
    }
    free(p->steps);
    xlmig_ldisk_plan_init(p);
}

void xlmig_ldisk_action_str(const xlmig_ldisk_action *a, char *out,
                            size_t sz)
{
    size_t o = 0;
    unsigned i;

    out[0] = 0;
    switch (a->kind) {
    case XLMIG_LDISK_WRITE:
        snprintf(out, sz, "write %s", a->path);
        return;
    case XLMIG_LDISK_UNLINK:
        snprintf(out, sz, "remove %s", a->path);
        return;
    case XLMIG_LDISK_SAVE_TABLE:
        o = (size_t)snprintf(out, sz, "save to %s: ", a->path);
        break;
    case XLMIG_LDISK_NONE:
        snprintf(out, sz, "nothing");
        return;
    case XLMIG_LDISK_CMD:
        break;
    }
    for (i = 0; i < a->argc && o + 1 < sz; i++)
        o += (size_t)snprintf(out + o, sz - o, "%s%s", i ? " " : "",
                              a->argv[i]);
}

/* Building: the first error sticks, so a plan is built in one go and
 * checked once at the end. */
typedef struct {
    xlmig_ldisk_plan *p;
    const xlmig_ldisk_conf *c;
    const xlmig_ldisk_disk *d;
    int rc;
    char res[64], lower[64], md[64];
    char dm[2 * XLMIG_LDISK_NAME_MAX + 2];     /* the guest's LV's dm */
    char orig[XLMIG_LDISK_PATH_MAX];           /* its own table, saved */
    char onto[XLMIG_LDISK_PATH_MAX];           /* its table onto DRBD */
    char resfile[XLMIG_LDISK_PATH_MAX];
} builder;

static xlmig_ldisk_step *step(builder *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static xlmig_ldisk_step *step(builder *b, const char *fmt, ...)
{
    static xlmig_ldisk_step scratch;
    xlmig_ldisk_plan *p = b->p;
    xlmig_ldisk_step *s;
    va_list ap;

    if (!b->rc && p->n == p->cap) {
        unsigned cap = p->cap ? p->cap * 2 : 16;
        xlmig_ldisk_step *ns = realloc(p->steps, cap * sizeof(*ns));

        if (!ns)
            b->rc = XLMIG_E_NOMEM;
        else {
            p->steps = ns;
            p->cap = cap;
        }
    }
    if (b->rc) {
        memset(&scratch, 0, sizeof(scratch));
        return &scratch;
    }
    s = &p->steps[p->n++];
    memset(s, 0, sizeof(*s));
    va_start(ap, fmt);
    vsnprintf(s->what, sizeof(s->what), fmt, ap);
    va_end(ap);
    return s;
}

/* argv from the NULL-terminated list; each one bounded. */
static void cmd(builder *b, xlmig_ldisk_action *a, xlmig_ldisk_kind kind,
                ...)
{
    const char *arg;
    va_list ap;

    a->kind = kind;
    a->argc = 0;
    va_start(ap, kind);
    while ((arg = va_arg(ap, const char *))) {
        if (a->argc + 1 >= XLMIG_LDISK_ARGS ||
            strlen(arg) >= XLMIG_LDISK_ARG_MAX) {
            xlmig_err(XLMIG_E_INVAL, "local disk plan: command too long");
            b->rc = XLMIG_E_INVAL;
            break;
        }
        strcpy(a->argv[a->argc++], arg);
    }
    va_end(ap);
}

static void file(builder *b, xlmig_ldisk_action *a, xlmig_ldisk_kind kind,
                 const char *path, const char *text)
{
    a->kind = kind;
    snprintf(a->path, sizeof(a->path), "%s", path);
    if (text && !b->rc && !(a->text = strdup(text)))
        b->rc = XLMIG_E_NOMEM;
}

static int builder_init(builder *b, const xlmig_ldisk_conf *c,
                        const xlmig_ldisk_disk *d, const char *vg,
                        xlmig_ldisk_plan *p)
{
    int r;

    memset(b, 0, sizeof(*b));
    b->p = p;
    b->c = c;
    b->d = d;
    xlmig_ldisk_res_name(d->minor, b->res, sizeof(b->res));
    xlmig_ldisk_lower_name(d->minor, b->lower, sizeof(b->lower));
    xlmig_ldisk_md_name(d->minor, b->md, sizeof(b->md));
    if (xlmig_ldisk_dm_name(vg, d->lv.lv, b->dm, sizeof(b->dm)))
        return XLMIG_E_INVAL;
    r = snprintf(b->orig, sizeof(b->orig), "%s/%s.table", c->state_dir,
                 b->res);
    if (r > 0 && (size_t)r < sizeof(b->orig))
        r = snprintf(b->onto, sizeof(b->onto), "%s/%s.drbd.table",
                     c->state_dir, b->res);
    if (r > 0 && (size_t)r < sizeof(b->onto))
        r = snprintf(b->resfile, sizeof(b->resfile), "%s/%s.res",
                     c->res_dir, b->res);
    if (r <= 0 || (size_t)r >= sizeof(b->resfile) || d->minor < 0) {
        xlmig_err(XLMIG_E_INVAL, "local disk %s: state or resource"
                  " directory path too long", d->vdev);
        return XLMIG_E_INVAL;
    }
    return 0;
}

static int builder_end(builder *b, int rc)
{
    if (!rc)
        rc = b->rc;
    if (rc)
        xlmig_ldisk_plan_dispose(b->p);
    return rc;
}

static void size_arg(uint64_t bytes, char *out, size_t sz)
{
    snprintf(out, sz, "%" PRIu64 "b", bytes);
}

/* The metadata LV: DRBD's, never the guest's data LV. */
static void md_create(builder *b, const char *vg)
{
    char size[32], full[2 * XLMIG_LDISK_NAME_MAX + 2];
    xlmig_ldisk_step *s = step(b, "create the metadata LV %s/%s", vg,
                               b->md);

    size_arg(b->d->md_bytes, size, sizeof(size));
    snprintf(full, sizeof(full), "%s/%s", vg, b->md);
    cmd(b, &s->act, XLMIG_LDISK_CMD, "lvcreate", "--yes", "--zero", "y",
        "--wipesignatures", "y", "--name", b->md, "--size", size, vg,
        NULL);
    cmd(b, &s->undo, XLMIG_LDISK_CMD, "lvremove", "--force", full, NULL);
}

/* The lower device: a second dm device over the same extents. */
static void lower_create(builder *b)
{
    xlmig_ldisk_step *s = step(b, "save the table of %s", b->dm);

    cmd(b, &s->act, XLMIG_LDISK_SAVE_TABLE, "dmsetup", "table", b->dm,
        NULL);
    file(b, &s->act, XLMIG_LDISK_SAVE_TABLE, b->orig, NULL);
    file(b, &s->undo, XLMIG_LDISK_UNLINK, b->orig, NULL);
    s = step(b, "create %s over the same extents", b->lower);
    cmd(b, &s->act, XLMIG_LDISK_CMD, "dmsetup", "create", b->lower,
        b->orig, NULL);
    cmd(b, &s->undo, XLMIG_LDISK_CMD, "dmsetup", "remove", b->lower, NULL);
    /* Without udevd no /dev/mapper node appears, and drbdadm needs it;
     * with udevd this changes nothing. */
    s = step(b, "make the node of %s", b->lower);
    cmd(b, &s->act, XLMIG_LDISK_CMD, "dmsetup", "mknodes", b->lower, NULL);
}

static void drbd_create(builder *b, const xlmig_ldisk_end *src,
                        const xlmig_ldisk_end *dst)
{
    xlmig_ldisk_step *s;
    char *text = NULL;
    int rc;

    rc = xlmig_ldisk_res_text(b->c, b->d, src, dst, &text);
    if (rc && !b->rc)
        b->rc = rc;
    s = step(b, "write the resource file %s", b->resfile);
    file(b, &s->act, XLMIG_LDISK_WRITE, b->resfile, text);
    file(b, &s->undo, XLMIG_LDISK_UNLINK, b->resfile, NULL);
    free(text);
    s = step(b, "create DRBD's metadata of %s", b->res);
    if (b->c->drbd_version == XLMIG_DRBD_V9)
        cmd(b, &s->act, XLMIG_LDISK_CMD, "drbdadm", "create-md", "--force",
            "--max-peers=1", b->res, NULL);
    else
        cmd(b, &s->act, XLMIG_LDISK_CMD, "drbdadm", "create-md", "--force",
            b->res, NULL);
    s = step(b, "bring %s up", b->res);
    cmd(b, &s->act, XLMIG_LDISK_CMD, "drbdadm", "up", b->res, NULL);
    /* Undone without asking the peer: a plain down first disconnects
     * gracefully, which a peer that is Primary on an Inconsistent disk
     * refuses ("State change was refused by peer node"), and a peer
     * whose mover died is exactly that. The forced disconnect may
     * fail (already StandAlone, or gone); down runs anyway. */
    cmd(b, &s->undo, XLMIG_LDISK_CMD, "drbdadm", "disconnect", "--force",
        b->res, NULL);
    cmd(b, &s->undo2, XLMIG_LDISK_CMD, "drbdadm", "down", b->res, NULL);
    s->undo2_anyway = true;
}

/*
 * The guest's LV onto `table`: the new table loaded first (its devices
 * opened outside any I/O pause), then a bare resume, in which the
 * kernel suspends, swaps and resumes in one ioctl: the guest's I/O
 * waits only for that. Undone by loading `back` and resuming the same
 * way; a load that never went live is cleared.
 */
static void swap(builder *b, const char *table, const char *back,
                 const char *why)
{
    xlmig_ldisk_step *s = step(b, "load %s's table %s", b->dm, why);

    cmd(b, &s->act, XLMIG_LDISK_CMD, "dmsetup", "reload", b->dm, table,
        NULL);
    if (back) {
        cmd(b, &s->undo, XLMIG_LDISK_CMD, "dmsetup", "clear", b->dm, NULL);
        cmd(b, &s->undo2, XLMIG_LDISK_CMD, "dmsetup", "resume", b->dm,
            NULL);
    }
    s = step(b, "resume %s %s", b->dm, why);
    cmd(b, &s->act, XLMIG_LDISK_CMD, "dmsetup", "resume", b->dm, NULL);
    if (back) {
        cmd(b, &s->undo, XLMIG_LDISK_CMD, "dmsetup", "reload", b->dm, back,
            NULL);
        cmd(b, &s->undo2, XLMIG_LDISK_CMD, "dmsetup", "resume", b->dm,
            NULL);
    }
}

static void onto_drbd(builder *b)
{
    char table[128];
    xlmig_ldisk_step *s;

    if (xlmig_ldisk_drbd_table(b->d, table, sizeof(table)) && !b->rc)
        b->rc = XLMIG_E_INVAL;
    s = step(b, "write the table onto /dev/drbd%d", b->d->minor);
    file(b, &s->act, XLMIG_LDISK_WRITE, b->onto, table);
    file(b, &s->undo, XLMIG_LDISK_UNLINK, b->onto, NULL);
    swap(b, b->onto, b->orig, "onto DRBD");
}

int xlmig_ldisk_plan_src_setup(const xlmig_ldisk_conf *c,
                               const xlmig_ldisk_disk *d,
                               const xlmig_ldisk_end *src,
                               const xlmig_ldisk_end *dst,
                               xlmig_ldisk_plan *p)
{
    xlmig_ldisk_step *s;
    builder b;
    int rc = builder_init(&b, c, d, d->lv.vg, p);

    if (rc)
        return rc;
    md_create(&b, d->lv.vg);
    lower_create(&b);
    drbd_create(&b, src, dst);
    /* Alone (the peer comes up only after this plan): the guest's
     * data is declared current here, before anything can sync. */
    s = step(&b, "make %s Primary with the guest's data", b.res);
    cmd(&b, &s->act, XLMIG_LDISK_CMD, "drbdadm", "primary", "--force",
        b.res, NULL);
    cmd(&b, &s->undo, XLMIG_LDISK_CMD, "drbdadm", "secondary", b.res, NULL);
    onto_drbd(&b);
    return builder_end(&b, 0);
}

/* After the commit: forward only, so no undo; a crash leaves the
 * journal and recover runs the rest. */
static void teardown(builder *b, const char *vg, bool keep_lv)
{
    char full[2 * XLMIG_LDISK_NAME_MAX + 2];
    xlmig_ldisk_step *s;

    swap(b, b->orig, NULL, "back onto its own extents");
    s = step(b, "make %s Secondary", b->res);
    cmd(b, &s->act, XLMIG_LDISK_CMD, "drbdadm", "secondary", b->res, NULL);
    s = step(b, "take %s down", b->res);
    cmd(b, &s->act, XLMIG_LDISK_CMD, "drbdadm", "down", b->res, NULL);
    s = step(b, "remove %s", b->lower);
    cmd(b, &s->act, XLMIG_LDISK_CMD, "dmsetup", "remove", b->lower, NULL);
    s = step(b, "remove the resource file");
    file(b, &s->act, XLMIG_LDISK_UNLINK, b->resfile, NULL);
    s = step(b, "remove the metadata LV %s/%s", vg, b->md);
    snprintf(full, sizeof(full), "%s/%s", vg, b->md);
    cmd(b, &s->act, XLMIG_LDISK_CMD, "lvremove", "--force", full, NULL);
    s = step(b, "remove the table onto DRBD");
    file(b, &s->act, XLMIG_LDISK_UNLINK, b->onto, NULL);
    s = step(b, "remove the saved table");
    file(b, &s->act, XLMIG_LDISK_UNLINK, b->orig, NULL);
    (void)keep_lv;
}

int xlmig_ldisk_plan_src_teardown(const xlmig_ldisk_conf *c,
                                  const xlmig_ldisk_disk *d,
                                  xlmig_ldisk_plan *p)
{
    builder b;
    int rc = builder_init(&b, c, d, d->lv.vg, p);

    if (rc)
        return rc;
    teardown(&b, d->lv.vg, true);
    return builder_end(&b, 0);
}

int xlmig_ldisk_plan_dst_setup(const xlmig_ldisk_conf *c,
                               const xlmig_ldisk_disk *d,
                               const xlmig_ldisk_end *src,
                               const xlmig_ldisk_end *dst,
                               xlmig_ldisk_plan *p)
{
    char size[32], full[2 * XLMIG_LDISK_NAME_MAX + 2];
    xlmig_ldisk_step *s;
    builder b;
    int rc = builder_init(&b, c, d, d->dst_vg, p);

    if (rc)
        return rc;
    size_arg(d->lv.size, size, sizeof(size));
    snprintf(full, sizeof(full), "%s/%s", d->dst_vg, d->lv.lv);
    s = step(&b, "create the LV %s", full);
    cmd(&b, &s->act, XLMIG_LDISK_CMD, "lvcreate", "--yes", "--zero", "n",
        "--name", d->lv.lv, "--size", size, d->dst_vg, NULL);
    cmd(&b, &s->undo, XLMIG_LDISK_CMD, "lvremove", "--force", full, NULL);
    md_create(&b, d->dst_vg);
    lower_create(&b);
    /* Up: it connects to the source, already Primary, and syncs. */
    drbd_create(&b, src, dst);
    return builder_end(&b, 0);
}

int xlmig_ldisk_plan_dst_attach(const xlmig_ldisk_conf *c,
                                const xlmig_ldisk_disk *d,
                                xlmig_ldisk_plan *p)
{
    xlmig_ldisk_step *s;
    builder b;
    int rc = builder_init(&b, c, d, d->dst_vg, p);

    if (rc)
        return rc;
    s = step(&b, "make %s Primary beside the source", b.res);
    cmd(&b, &s->act, XLMIG_LDISK_CMD, "drbdadm", "primary", b.res, NULL);
    cmd(&b, &s->undo, XLMIG_LDISK_CMD, "drbdadm", "secondary", b.res, NULL);
    onto_drbd(&b);
    return builder_end(&b, 0);
}

int xlmig_ldisk_plan_dst_teardown(const xlmig_ldisk_conf *c,
                                  const xlmig_ldisk_disk *d,
                                  xlmig_ldisk_plan *p)
{
    builder b;
    int rc = builder_init(&b, c, d, d->dst_vg, p);

    if (rc)
        return rc;
    teardown(&b, d->dst_vg, false);
    return builder_end(&b, 0);
}

int xlmig_ldisk_plan_delete(const xlmig_ldisk_lv *lv, xlmig_ldisk_plan *p)
{
    char full[2 * XLMIG_LDISK_NAME_MAX + 2];
    xlmig_ldisk_step *s;
    builder b;

    memset(&b, 0, sizeof(b));
    b.p = p;
    if (!xlmig_ldisk_name_ok(lv->vg) || !xlmig_ldisk_name_ok(lv->lv)) {
        xlmig_err(XLMIG_E_INVAL, "LV %s/%s: not an LVM name", lv->vg,
                  lv->lv);
        return XLMIG_E_INVAL;
    }
    snprintf(full, sizeof(full), "%s/%s", lv->vg, lv->lv);
    s = step(&b, "remove the source's copy %s", full);
    cmd(&b, &s->act, XLMIG_LDISK_CMD, "lvremove", "--force", full, NULL);
    return builder_end(&b, 0);
}
