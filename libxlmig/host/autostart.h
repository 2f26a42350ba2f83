/*
 * The guest's xl config file (/etc/xen/<name>.cfg) and its autostart
 * entry (/etc/xen/auto/..., what xendomains starts at boot) follow it:
 * the source finds them and sends them with the migrate request, the
 * destination validates them at its pre-check, stages them before the
 * memory moves and puts them in place (rename, atomic) only once the
 * guest runs there; the source then drops its autostart entry. Until
 * the commit nothing visible changes on either host.
 */
#ifndef XLMIG_AUTOSTART_H
#define XLMIG_AUTOSTART_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "control.h"

/* An xl config file bigger than this is not carried. */
#define XLMIG_XL_CONFIG_MAX (64u * 1024u)

typedef struct xlmig_autostart_dirs_s {
    char cfg_dir[PATH_MAX];      /* /etc/xen */
    char auto_dir[PATH_MAX];     /* /etc/xen/auto */
} xlmig_autostart_dirs;

/* /etc/xen and /etc/xen/auto; $XLMIG_XEN_DIR (tests) moves both. */
int xlmig_autostart_dirs_default(xlmig_autostart_dirs *d);
int xlmig_autostart_dirs_set(xlmig_autostart_dirs *d, const char *cfg_dir,
                             const char *auto_dir);

/* What the guest has: found on the source, or received. */
typedef struct {
    char *guest;
    char *cfg_name;              /* in cfg_dir; NULL: none */
    char *cfg_text;
    char *auto_name;             /* in auto_dir; NULL: none */
    char *auto_text;             /* a copy's text; NULL: a link to cfg */
    bool auto_relative;          /* the link is "../<cfg_name>" */
    char *auto_path;             /* source: where the entry was found */
} xlmig_placement;

void xlmig_placement_init(xlmig_placement *p);
void xlmig_placement_dispose(xlmig_placement *p);
bool xlmig_placement_empty(const xlmig_placement *p);

/*
 * Find guest's config file (<name>.cfg or <name> in cfg_dir, or what
 * an autostart link points to there) and autostart entry (a link to
 * it, or a file of its own, naming the guest). Files that do not parse
 * as xl config or name another guest are not the guest's. Finding
 * nothing is no error.
 */
int xlmig_placement_find(const xlmig_autostart_dirs *d, const char *guest,
                         xlmig_placement *p);

/* Check names and texts: safe file names, xl syntax, the guest's name. */
int xlmig_placement_validate(const xlmig_placement *p);

/* One line for a check's detail: what would move where. */
void xlmig_placement_describe(const xlmig_placement *p,
                              const xlmig_autostart_dirs *d, char *buf,
                              size_t len);

int xlmig_placement_to_msg(const xlmig_placement *p, xlmig_msg *m);
/* From a migrate request, validated; m->name is the guest. */
int xlmig_placement_from_msg(const xlmig_msg *m, xlmig_placement *p);
bool xlmig_placement_in_msg(const xlmig_msg *m);

/* The destination's change: staged, then committed or rolled back. */
typedef enum {
    XLMIG_AS_NONE,               /* did not exist */
    XLMIG_AS_FILE,
    XLMIG_AS_LINK,
} xlmig_as_kind;

typedef struct {
    char path[PATH_MAX];
    char tmp[PATH_MAX];
    bool want;                   /* part of the change */
    bool same;                   /* already as wanted: nothing to do */
    bool staged, done;
    xlmig_as_kind old_kind;      /* what was there, for a rollback */
    char *old_text;
    size_t old_len;
    mode_t old_mode;
    char old_link[PATH_MAX];
} xlmig_as_item;

typedef struct xlmig_autostart_txn_s {
    xlmig_autostart_dirs dirs;
    xlmig_placement p;           /* what was received */
    xlmig_as_item cfg, au;
    bool made_auto_dir;
} xlmig_autostart_txn;

void xlmig_autostart_txn_init(xlmig_autostart_txn *t,
                              const xlmig_autostart_dirs *d);
/* Forget it: temporaries go, what was committed stays. */
void xlmig_autostart_txn_dispose(xlmig_autostart_txn *t);
/* Take the received placement (validated) and see what it would do. */
int xlmig_autostart_check(xlmig_autostart_txn *t, const xlmig_msg *req,
                          char *detail, size_t len);
/* Write temporaries beside the targets; nothing visible changes. */
int xlmig_autostart_stage(xlmig_autostart_txn *t);
/* Rename them into place; on a failure half-way, undo the first. */
int xlmig_autostart_commit(xlmig_autostart_txn *t);
/* Undo everything: temporaries removed, old files and links back. */
void xlmig_autostart_rollback(xlmig_autostart_txn *t);

/*
 * The source, after the commit: remove its autostart entry, if it is
 * still what was sent (an operator's edit meanwhile is kept).
 */
int xlmig_autostart_release(const xlmig_autostart_dirs *d,
                            const xlmig_placement *p);

/* The destination's word in "done": did it write them? */
#define XLMIG_AUTOSTART_CHECK "config"
bool xlmig_autostart_confirmed(const xlmig_msg *done, const char **why);

#endif
