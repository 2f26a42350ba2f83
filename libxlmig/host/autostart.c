/*
 * Finding, checking and carrying the guest's xl config file and its
 * autostart entry (autostart.h); the destination's transaction is in
 * autostart_txn.c.
 */
#include "autostart.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxlutil.h>

#include "error.h"
#include "testhooks.h"

int xlmig_autostart_dirs_set(xlmig_autostart_dirs *d, const char *cfg_dir,
                             const char *auto_dir)
{
    if (snprintf(d->cfg_dir, sizeof(d->cfg_dir), "%s", cfg_dir) >=
        (int)sizeof(d->cfg_dir) ||
        snprintf(d->auto_dir, sizeof(d->auto_dir), "%s", auto_dir) >=
        (int)sizeof(d->auto_dir) || !*cfg_dir || !*auto_dir) {
        xlmig_err(XLMIG_E_INVAL, "config directory %.60s: empty or too long",
                  cfg_dir);
        return XLMIG_E_INVAL;
    }
    return 0;
}

int xlmig_autostart_dirs_default(xlmig_autostart_dirs *d)
{
    const char *env = xlmig_test_env("XLMIG_XEN_DIR");
    char au[PATH_MAX];

    if (!env || !*env)
        return xlmig_autostart_dirs_set(d, "/etc/xen", "/etc/xen/auto");
    if (snprintf(au, sizeof(au), "%s/auto", env) >= (int)sizeof(au)) {
        xlmig_err(XLMIG_E_INVAL, "XLMIG_XEN_DIR is too long");
        return XLMIG_E_INVAL;
    }
    return xlmig_autostart_dirs_set(d, env, au);
}

void xlmig_placement_init(xlmig_placement *p)
{
    memset(p, 0, sizeof(*p));
}

void xlmig_placement_dispose(xlmig_placement *p)
{
    free(p->guest);
    free(p->cfg_name);
    free(p->cfg_text);
    free(p->auto_name);
    free(p->auto_text);
    free(p->auto_path);
    memset(p, 0, sizeof(*p));
}

bool xlmig_placement_empty(const xlmig_placement *p)
{
    return !p->cfg_name && !p->auto_name;
}

/* A plain file name: no path, no dot file, no shell or glob metas. */
static bool safe_name(const char *n)
{
    static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
                             "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+@-_";
    size_t len = strlen(n);

    return len && len <= 255 && n[0] != '.' && n[0] != '-' &&
           strspn(n, ok) == len;
}

/*
 * Does text parse as an xl config naming guest? On a mismatch, why
 * (for the error line) in why.
 */
static bool names_guest(const char *text, size_t len, const char *guest,
                        char *why, size_t wlen)
{
    char *report = NULL;
    size_t rlen = 0;
    FILE *rf = open_memstream(&report, &rlen);
    XLU_Config *c;
    const char *name = NULL;
    bool ok = false;

    snprintf(why, wlen, "no memory");
    if (!rf)
        return false;
    c = xlu_cfg_init(rf, "config");
    if (!c)
        goto out;
    if (memchr(text, 0, len) || len > INT32_MAX ||
        xlu_cfg_readdata(c, text, (int)len)) {
        fflush(rf);
        snprintf(why, wlen, "is not an xl config%s%.120s",
                 rlen ? ": " : "", report ? report : "");
        goto out;
    }
    if (xlu_cfg_get_string(c, "name", &name, 0) || !name) {
        snprintf(why, wlen, "sets no name");
        goto out;
    }
    ok = !strcmp(name, guest);
    if (!ok)
        snprintf(why, wlen, "names guest \"%.60s\"", name);
out:
    if (c)
        xlu_cfg_destroy(c);
    fclose(rf);
    free(report);
    if (ok)
        why[0] = 0;
    else if (why[0] && why[strlen(why) - 1] == '\n')
        why[strlen(why) - 1] = 0;
    return ok;
}

/* Read a regular file (following links) of at most the limit. */
static int read_small(const char *path, char **out, size_t *len)
{
    struct stat st;
    ssize_t r;
    char *buf;
    int fd;

    *out = NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
        st.st_size > (off_t)XLMIG_XL_CONFIG_MAX) {
        close(fd);
        errno = EFBIG;
        return -1;
    }
    buf = malloc((size_t)st.st_size + 1);
    r = buf ? read(fd, buf, (size_t)st.st_size) : -1;
    close(fd);
    if (r != st.st_size) {
        free(buf);
        errno = EIO;
        return -1;
    }
    buf[r] = 0;
    *out = buf;
    *len = (size_t)r;
    return 0;
}

/* The text of path if it is the guest's config; NULL otherwise. */
static char *guest_text(const char *path, const char *guest)
{
    char why[200], *text;
    size_t len;

    if (read_small(path, &text, &len))
        return NULL;
    if (names_guest(text, len, guest, why, sizeof(why)))
        return text;
    XLMIG_DBG("%s is not %s's config: it %s", path, guest, why);
    free(text);
    return NULL;
}

static const char *base_of(const char *p)
{
    const char *s = strrchr(p, '/');

    return s ? s + 1 : p;
}

static int dupstr(char **dst, const char *s)
{
    *dst = strdup(s);
    if (!*dst) {
        xlmig_err(XLMIG_E_NOMEM, "no memory");
        return XLMIG_E_NOMEM;
    }
    return 0;
}

static int find_cfg(const xlmig_autostart_dirs *d, const char *guest,
                    xlmig_placement *p)
{
    char path[PATH_MAX];
    int i, rc;

    for (i = 0; i < 2; i++) {
        if (snprintf(path, sizeof(path), "%s/%s%s", d->cfg_dir, guest,
                     i ? "" : ".cfg") >= (int)sizeof(path))
            continue;
        p->cfg_text = guest_text(path, guest);
        if (!p->cfg_text)
            continue;
        rc = dupstr(&p->cfg_name, base_of(path));
        return rc;
    }
    return 0;
}

/* The entries of the autostart directory, sorted: a stable choice. */
static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Dot files are not xendomains' (nor our temporaries). */
static int visible(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

/* Is real a file directly in dir (both resolved)? */
static bool directly_in(const char *real, const char *dir)
{
    char rdir[PATH_MAX];
    size_t n;

    if (!realpath(dir, rdir))
        return false;
    n = strlen(rdir);
    return !strncmp(real, rdir, n) && real[n] == '/' &&
           !strchr(real + n + 1, '/');
}

/* Does the link at path lead to <cfg_dir>/<cfg_name>? */
static bool links_to_cfg(const xlmig_autostart_dirs *d,
                         const xlmig_placement *p, const char *real)
{
    char cfg[PATH_MAX], rcfg[PATH_MAX];

    return p->cfg_name &&
           snprintf(cfg, sizeof(cfg), "%s/%s", d->cfg_dir, p->cfg_name) <
           (int)sizeof(cfg) && realpath(cfg, rcfg) && !strcmp(rcfg, real);
}

/*
 * One autostart entry: the guest's link to its config, its own copy,
 * or not the guest's at all.
 */
static int look_at_entry(const xlmig_autostart_dirs *d, const char *guest,
                         const char *entry, xlmig_placement *p, bool *found)
{
    char path[PATH_MAX], real[PATH_MAX], link[PATH_MAX], *text;
    struct stat st;
    ssize_t n;
    int rc;

    *found = false;
    if (snprintf(path, sizeof(path), "%s/%s", d->auto_dir, entry) >=
        (int)sizeof(path) || lstat(path, &st))
        return 0;
    text = guest_text(path, guest);
    if (!text)
        return 0;
    *found = true;
    if (S_ISLNK(st.st_mode) && realpath(path, real) &&
        (n = readlink(path, link, sizeof(link) - 1)) > 0) {
        link[n] = 0;
        /* No <name>.cfg: the file the link names in cfg_dir is it. */
        if (!p->cfg_name && directly_in(real, d->cfg_dir) &&
            safe_name(base_of(real))) {
            rc = dupstr(&p->cfg_name, base_of(real));
            if (rc) {
                free(text);
                return rc;
            }
            p->cfg_text = text;
            text = NULL;
        }
        if (links_to_cfg(d, p, real)) {
            p->auto_relative = link[0] != '/';
            free(text);
            text = NULL;
        }
    }
    /* A file of its own, or a link elsewhere: carried as a copy. */
    p->auto_text = text;
    rc = dupstr(&p->auto_name, entry);
    if (!rc)
        rc = dupstr(&p->auto_path, path);
    return rc;
}

int xlmig_placement_find(const xlmig_autostart_dirs *d, const char *guest,
                         xlmig_placement *p)
{
    struct dirent **ents = NULL;
    bool found = false;
    int n, i, rc;

    xlmig_placement_dispose(p);
    rc = dupstr(&p->guest, guest);
    if (!rc)
        rc = find_cfg(d, guest, p);
    if (rc)
        return rc;
    n = scandir(d->auto_dir, &ents, visible, by_name);
    for (i = 0; i < n; i++) {
        if (!found && !rc)
            rc = look_at_entry(d, guest, ents[i]->d_name, p, &found);
        free(ents[i]);
    }
    free(ents);
    if (!rc && !xlmig_placement_empty(p))
        rc = xlmig_placement_validate(p);
    return rc;
}

static int invalid(const char *what, const char *name, const char *why)
{
    xlmig_err(XLMIG_E_PROTO, "guest config: %s \"%.60s\" %s", what, name,
              why);
    return XLMIG_E_PROTO;
}

int xlmig_placement_validate(const xlmig_placement *p)
{
    char why[200];

    if (!p->guest || !*p->guest)
        return invalid("guest", "", "has no name");
    if (p->cfg_name && !safe_name(p->cfg_name))
        return invalid("file name", p->cfg_name, "is not a plain file name");
    if (p->auto_name && !safe_name(p->auto_name))
        return invalid("autostart entry", p->auto_name,
                       "is not a plain file name");
    if (!p->cfg_name != !p->cfg_text)
        return invalid("file", p->cfg_name ? p->cfg_name : "",
                       "comes without its text");
    if (p->auto_name && !p->auto_text && !p->cfg_name)
        return invalid("autostart entry", p->auto_name,
                       "links to no config file");
    if (!p->auto_name && (p->auto_text || p->auto_relative))
        return invalid("autostart entry", "", "has no name");
    if (p->cfg_text && (strlen(p->cfg_text) > XLMIG_XL_CONFIG_MAX ||
                        !names_guest(p->cfg_text, strlen(p->cfg_text),
                                     p->guest, why, sizeof(why))))
        return invalid("file", p->cfg_name, why[0] ? why : "is too long");
    if (p->auto_text && (strlen(p->auto_text) > XLMIG_XL_CONFIG_MAX ||
                         !names_guest(p->auto_text, strlen(p->auto_text),
                                      p->guest, why, sizeof(why))))
        return invalid("autostart entry", p->auto_name,
                       why[0] ? why : "is too long");
    return 0;
}

void xlmig_placement_describe(const xlmig_placement *p,
                              const xlmig_autostart_dirs *d, char *buf,
                              size_t len)
{
    int n = 0;

    if (xlmig_placement_empty(p)) {
        snprintf(buf, len, "no xl config file or autostart entry for %s in"
                 " %s", p->guest ? p->guest : "?", d->cfg_dir);
        return;
    }
    if (p->cfg_name)
        n = snprintf(buf, len, "%s/%s", d->cfg_dir, p->cfg_name);
    if (p->auto_name && n >= 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, "%s%s/%s (%s)", n ? ", " : "",
                 d->auto_dir, p->auto_name, p->auto_text ? "a copy"
                 : "a link");
}

int xlmig_placement_to_msg(const xlmig_placement *p, xlmig_msg *m)
{
    if (xlmig_msg_set(&m->xl_config_file, p->cfg_name) ||
        xlmig_msg_set(&m->xl_config, p->cfg_text) ||
        xlmig_msg_set(&m->autostart, p->auto_name) ||
        xlmig_msg_set(&m->autostart_config, p->auto_text))
        return XLMIG_E_NOMEM;
    m->autostart_relative = p->auto_name && !p->auto_text &&
                            p->auto_relative;
    return 0;
}

bool xlmig_placement_in_msg(const xlmig_msg *m)
{
    return m->xl_config_file || m->xl_config || m->autostart ||
           m->autostart_config || m->autostart_relative;
}

int xlmig_placement_from_msg(const xlmig_msg *m, xlmig_placement *p)
{
    xlmig_placement_dispose(p);
    if (xlmig_msg_set(&p->guest, m->name) ||
        xlmig_msg_set(&p->cfg_name, m->xl_config_file) ||
        xlmig_msg_set(&p->cfg_text, m->xl_config) ||
        xlmig_msg_set(&p->auto_name, m->autostart) ||
        xlmig_msg_set(&p->auto_text, m->autostart_config)) {
        xlmig_err(XLMIG_E_NOMEM, "no memory");
        return XLMIG_E_NOMEM;
    }
    p->auto_relative = m->autostart_relative;
    return xlmig_placement_validate(p);
}

int xlmig_autostart_release(const xlmig_autostart_dirs *d,
                            const xlmig_placement *p)
{
    char real[PATH_MAX], want[PATH_MAX], cfg[PATH_MAX], *text = NULL;
    struct stat st;
    size_t len;
    bool same;

    if (!p->auto_path)
        return 0;
    if (lstat(p->auto_path, &st))
        return 0;                /* gone already */
    if (!p->auto_text) {
        same = S_ISLNK(st.st_mode) && p->cfg_name &&
               snprintf(cfg, sizeof(cfg), "%s/%s", d->cfg_dir, p->cfg_name)
               < (int)sizeof(cfg) && realpath(cfg, want) &&
               realpath(p->auto_path, real) && !strcmp(real, want);
    } else {
        same = !read_small(p->auto_path, &text, &len) &&
               !strcmp(text, p->auto_text);
        free(text);
    }
    if (!same) {
        xlmig_err(XLMIG_E_CHECK, "autostart entry %s changed during the"
                  " migration; left in place", p->auto_path);
        return XLMIG_E_CHECK;
    }
    if (unlink(p->auto_path)) {
        xlmig_err(XLMIG_E_IO, "removing autostart entry %s: %s",
                  p->auto_path, strerror(errno));
        return XLMIG_E_IO;
    }
    return 0;
}

bool xlmig_autostart_confirmed(const xlmig_msg *done, const char **why)
{
    unsigned i;

    *why = "the destination did not say it wrote them";
    for (i = 0; i < done->nchecks; i++) {
        if (!done->checks[i].name ||
            strcmp(done->checks[i].name, XLMIG_AUTOSTART_CHECK))
            continue;
        if (done->checks[i].detail && *done->checks[i].detail)
            *why = done->checks[i].detail;
        return done->checks[i].ok;
    }
    return false;
}
