/*
 * The destination's side of a carried config (autostart.h): what was
 * at each target is remembered, the new content is written to a dot
 * file beside it (xendomains skips dot files) and fsynced before the
 * memory moves, and only the commit renames it into place. A rollback
 * puts back what was there, file or link, or removes what was not.
 */
#include "autostart.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

#define TMP_SUFFIX ".xlmig-new"
/* An existing file we may have to put back: bounded like ours. */
#define OLD_MAX (1024u * 1024u)

void xlmig_autostart_txn_init(xlmig_autostart_txn *t,
                              const xlmig_autostart_dirs *d)
{
    memset(t, 0, sizeof(*t));
    t->dirs = *d;
    xlmig_placement_init(&t->p);
}

static void item_forget(xlmig_as_item *it)
{
    if (it->staged && !it->done)
        (void)unlink(it->tmp);
    free(it->old_text);
    memset(it, 0, sizeof(*it));
}

void xlmig_autostart_txn_dispose(xlmig_autostart_txn *t)
{
    item_forget(&t->cfg);
    item_forget(&t->au);
    xlmig_placement_dispose(&t->p);
}

static int io_err(const char *what, const char *path)
{
    xlmig_err(XLMIG_E_IO, "%s %s: %s", what, path, strerror(errno));
    return XLMIG_E_IO;
}

static int set_paths(xlmig_as_item *it, const char *dir, const char *name)
{
    if (snprintf(it->path, sizeof(it->path), "%s/%s", dir, name) >=
        (int)sizeof(it->path) ||
        snprintf(it->tmp, sizeof(it->tmp), "%s/.%s" TMP_SUFFIX, dir, name)
        >= (int)sizeof(it->tmp)) {
        xlmig_err(XLMIG_E_INVAL, "path %s/%s is too long", dir, name);
        return XLMIG_E_INVAL;
    }
    it->want = true;
    return 0;
}

/* What is at it->path now, and is it already what we want? */
static int read_old(xlmig_as_item *it, const char *text,
                    const char *link)
{
    struct stat st;
    ssize_t n;
    int fd;

    if (lstat(it->path, &st)) {
        if (errno != ENOENT)
            return io_err("cannot look at", it->path);
        it->old_kind = XLMIG_AS_NONE;
        return 0;
    }
    if (S_ISLNK(st.st_mode)) {
        n = readlink(it->path, it->old_link, sizeof(it->old_link) - 1);
        if (n <= 0)
            return io_err("cannot read link", it->path);
        it->old_link[n] = 0;
        it->old_kind = XLMIG_AS_LINK;
        it->same = link && !strcmp(link, it->old_link);
        return 0;
    }
    if (!S_ISREG(st.st_mode) || st.st_size > (off_t)OLD_MAX) {
        xlmig_err(XLMIG_E_CHECK, "%s exists and is %s; not replaced"
                  " (--no-move-config leaves the guest's config alone)",
                  it->path, S_ISDIR(st.st_mode) ? "a directory"
                  : !S_ISREG(st.st_mode) ? "not a file or link"
                  : "larger than 1 MiB");
        return XLMIG_E_CHECK;
    }
    it->old_kind = XLMIG_AS_FILE;
    it->old_mode = st.st_mode & 07777;
    it->old_text = malloc((size_t)st.st_size + 1);
    fd = open(it->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    n = fd >= 0 && it->old_text
        ? read(fd, it->old_text, (size_t)st.st_size) : -1;
    if (fd >= 0)
        close(fd);
    if (n != st.st_size)
        return io_err("cannot read", it->path);
    it->old_text[n] = 0;
    it->old_len = (size_t)n;
    it->same = text && strlen(text) == it->old_len &&
               !memcmp(text, it->old_text, it->old_len);
    return 0;
}

/* A file or a link at tmp, durable before anything points at it. */
static int write_tmp(const char *tmp, const char *text, size_t len,
                     mode_t mode, const char *link)
{
    ssize_t w;
    int fd;

    if (unlink(tmp) && errno != ENOENT)
        return io_err("cannot remove stale", tmp);
    if (link)
        return symlink(link, tmp) ? io_err("cannot create link", tmp) : 0;
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
              mode);
    if (fd < 0)
        return io_err("cannot create", tmp);
    w = write(fd, text, len);
    if (w != (ssize_t)len || fchmod(fd, mode) || fsync(fd)) {
        close(fd);
        (void)unlink(tmp);
        return io_err("cannot write", tmp);
    }
    if (close(fd)) {
        (void)unlink(tmp);
        return io_err("cannot write", tmp);
    }
    return 0;
}

/* What the autostart link should say, as the source's did. */
static int link_target(const xlmig_autostart_txn *t, char *buf, size_t len)
{
    char up[PATH_MAX], rup[PATH_MAX], rcfg[PATH_MAX];
    bool rel = t->p.auto_relative &&
        snprintf(up, sizeof(up), "%s/..", t->dirs.auto_dir) <
        (int)sizeof(up) && realpath(up, rup) &&
        realpath(t->dirs.cfg_dir, rcfg) && !strcmp(rup, rcfg);
    int n = rel ? snprintf(buf, len, "../%s", t->p.cfg_name)
                : snprintf(buf, len, "%s/%s", t->dirs.cfg_dir,
                           t->p.cfg_name);

    if (n < 0 || (size_t)n >= len) {
        xlmig_err(XLMIG_E_INVAL, "autostart link target is too long");
        return XLMIG_E_INVAL;
    }
    return 0;
}

int xlmig_autostart_check(xlmig_autostart_txn *t, const xlmig_msg *req,
                          char *detail, size_t len)
{
    char link[PATH_MAX];
    int rc;

    rc = xlmig_placement_from_msg(req, &t->p);
    if (!rc && t->p.cfg_name)
        rc = set_paths(&t->cfg, t->dirs.cfg_dir, t->p.cfg_name);
    if (!rc && t->p.cfg_name)
        rc = read_old(&t->cfg, t->p.cfg_text, NULL);
    if (!rc && t->p.auto_name)
        rc = set_paths(&t->au, t->dirs.auto_dir, t->p.auto_name);
    if (!rc && t->p.auto_name && !t->p.auto_text)
        rc = link_target(t, link, sizeof(link));
    if (!rc && t->p.auto_name)
        rc = read_old(&t->au, t->p.auto_text,
                      t->p.auto_text ? NULL : link);
    if (rc) {
        snprintf(detail, len, "%s", xlmig_errmsg());
        return rc;
    }
    xlmig_placement_describe(&t->p, &t->dirs, detail, len);
    if ((t->cfg.want && !t->cfg.same && t->cfg.old_kind != XLMIG_AS_NONE) ||
        (t->au.want && !t->au.same && t->au.old_kind != XLMIG_AS_NONE)) {
        size_t n = strlen(detail);

        snprintf(detail + n, len - n, "; replaces what is there now");
    }
    return 0;
}

int xlmig_autostart_stage(xlmig_autostart_txn *t)
{
    char link[PATH_MAX];
    int rc;

    if (t->cfg.want && !t->cfg.same) {
        rc = write_tmp(t->cfg.tmp, t->p.cfg_text, strlen(t->p.cfg_text),
                       t->cfg.old_kind == XLMIG_AS_FILE ? t->cfg.old_mode
                       : 0644, NULL);
        if (rc)
            return rc;
        t->cfg.staged = true;
    }
    if (!t->au.want || t->au.same)
        return 0;
    if (mkdir(t->dirs.auto_dir, 0755) == 0)
        t->made_auto_dir = true;
    else if (errno != EEXIST)
        rc = io_err("cannot create", t->dirs.auto_dir);
    else
        rc = 0;
    if (!rc && !t->p.auto_text)
        rc = link_target(t, link, sizeof(link));
    if (!rc)
        rc = write_tmp(t->au.tmp, t->p.auto_text,
                       t->p.auto_text ? strlen(t->p.auto_text) : 0, 0644,
                       t->p.auto_text ? NULL : link);
    if (rc) {
        xlmig_autostart_rollback(t);
        return rc;
    }
    t->au.staged = true;
    return 0;
}

static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

static int put(xlmig_as_item *it, const char *dir)
{
    if (!it->staged || it->done)
        return 0;
    if (rename(it->tmp, it->path))
        return io_err("cannot put in place", it->path);
    it->done = true;
    sync_dir(dir);
    return 0;
}

int xlmig_autostart_commit(xlmig_autostart_txn *t)
{
    int rc = put(&t->cfg, t->dirs.cfg_dir);

    if (!rc)
        rc = put(&t->au, t->dirs.auto_dir);
    if (rc) {
        xlmig_err_saved e;

        xlmig_err_save(&e);
        xlmig_autostart_rollback(t);
        xlmig_err_restore(&e);
    }
    return rc;
}

/* Put back what was at it->path before the commit. */
static void restore(xlmig_as_item *it, const char *dir)
{
    int rc = 0;

    if (it->staged && !it->done)
        (void)unlink(it->tmp);
    if (it->done) {
        if (it->old_kind == XLMIG_AS_NONE) {
            if (unlink(it->path))
                rc = io_err("cannot remove", it->path);
        } else {
            rc = write_tmp(it->tmp, it->old_text, it->old_len,
                           it->old_mode, it->old_kind == XLMIG_AS_LINK
                           ? it->old_link : NULL);
            if (!rc && rename(it->tmp, it->path))
                rc = io_err("cannot put back", it->path);
        }
        sync_dir(dir);
    }
    if (rc) {
        XLMIG_WARN("rollback of the guest's config: %s", xlmig_errmsg());
        xlmig_err_clear();
    }
    it->staged = it->done = false;
}

void xlmig_autostart_rollback(xlmig_autostart_txn *t)
{
    restore(&t->au, t->dirs.auto_dir);
    restore(&t->cfg, t->dirs.cfg_dir);
    if (t->made_auto_dir && !rmdir(t->dirs.auto_dir))
        t->made_auto_dir = false;
}
