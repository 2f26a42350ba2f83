/* Journals of temporary resources and kept source LVs: see the header. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "kv.h"
#include "ldisk_journal.h"
#include "mkdir_p.h"
#include "read_file.h"
#include "throttle_cap.h"
#include "write_atomic.h"

static int path_of(const xlmig_ldisk_conf *c, int minor, char *out,
                   size_t sz)
{
    int r = snprintf(out, sz, "%s/xlmig-%d.journal", c->state_dir, minor);

    return r < 0 || (size_t)r >= sz ? XLMIG_E_INVAL : 0;
}

int xlmig_ldisk_journal_write(const xlmig_ldisk_conf *c,
                              const xlmig_ldisk_disk *d, bool is_src,
                              const char *stage, unsigned done)
{
    char path[XLMIG_LDISK_PATH_MAX], buf[1024];
    xlmig_capfile self;
    int n;

    if (path_of(c, d->minor, path, sizeof(path)) ||
        xlmig_mkdir_p_mode(c->state_dir, 0700, "local disk state"))
        return XLMIG_E_IO;
    /* The owner, so a cleanup elsewhere can tell a running move from
     * the leftovers of a dead one (the same check as the cap file's). */
    memset(&self, 0, sizeof(self));
    if (xlmig_capfile_self(&self))
        return XLMIG_E_IO;
    n = snprintf(buf, sizeof(buf),
                 "side = %s\nstage = %s\ndone = %u\nvdev = %s\nvg = %s\n"
                 "lv = %s\nsize = %" PRIu64 "\ndst_vg = %s\nminor = %d\n"
                 "port = %d\nmd = %" PRIu64 "\nowner = %ld\n"
                 "owner_start = %" PRIu64 "\n",
                 is_src ? "source" : "dest", stage, done, d->vdev,
                 d->lv.vg, d->lv.lv, d->lv.size, d->dst_vg, d->minor,
                 d->port, d->md_bytes, self.pid, self.start);
    if (n < 0 || (size_t)n >= sizeof(buf))
        return XLMIG_E_INVAL;
    return xlmig_write_atomic(path, buf, (size_t)n);
}

int xlmig_ldisk_journal_remove(const xlmig_ldisk_conf *c, int minor)
{
    char path[XLMIG_LDISK_PATH_MAX];

    if (path_of(c, minor, path, sizeof(path)))
        return XLMIG_E_INVAL;
    return xlmig_remove_file(path);
}

bool xlmig_ldisk_journal_exists(const xlmig_ldisk_conf *c, int minor)
{
    char path[XLMIG_LDISK_PATH_MAX];

    return !path_of(c, minor, path, sizeof(path)) && !access(path, F_OK);
}

int xlmig_ldisk_journal_read(const xlmig_ldisk_conf *c, int minor,
                             xlmig_ldisk_journal *j, bool *found)
{
    char path[XLMIG_LDISK_PATH_MAX], *buf = NULL;
    size_t len;
    int rc;

    *found = false;
    if (path_of(c, minor, path, sizeof(path)))
        return XLMIG_E_INVAL;
    if (access(path, F_OK))
        return errno == ENOENT ? 0 : XLMIG_E_IO;
    rc = xlmig_read_file(path, XLMIG_KV_FILE_MAX, &buf, &len);
    if (!rc)
        rc = xlmig_ldisk_journal_parse(buf, len, path, j);
    if (!rc && j->disk.minor != minor) {
        xlmig_err(XLMIG_E_INVAL, "%s: names minor %d", path, j->disk.minor);
        rc = XLMIG_E_INVAL;
    }
    free(buf);
    *found = !rc;
    return rc;
}

bool xlmig_ldisk_journal_owned(const xlmig_ldisk_journal *j)
{
    xlmig_capfile f;

    if (j->owner <= 0)
        return false;
    memset(&f, 0, sizeof(f));
    f.pid = j->owner;
    f.start = j->owner_start;
    return xlmig_capfile_writer_alive(&f);
}

static int name_val(const char *where, const char *val, char *out,
                    size_t sz)
{
    if (!xlmig_ldisk_name_ok(val) || strlen(val) >= sz) {
        xlmig_err(XLMIG_E_INVAL, "%s: \"%.60s\" is not an LVM name", where,
                  val);
        return XLMIG_E_INVAL;
    }
    strcpy(out, val);
    return 0;
}

int xlmig_ldisk_journal_parse(const char *buf, size_t len, const char *what,
                              xlmig_ldisk_journal *j)
{
    unsigned line = 0, seen = 0;
    char where[300];
    size_t pos = 0;
    uint64_t u;
    xlmig_kv kv;
    int r, rc = 0;

    memset(j, 0, sizeof(*j));
    j->disk.minor = -1;
    rc = xlmig_size_check(what, len, XLMIG_KV_FILE_MAX);
    while (!rc && (r = xlmig_kv_line(buf, len, &pos, &line, what, &kv))) {
        if (r < 0)
            return r;
        snprintf(where, sizeof(where), "%s:%u: %s", what, line, kv.key);
        if (!strcmp(kv.key, "side")) {
            j->is_src = !strcmp(kv.val, "source");
            if (!j->is_src && strcmp(kv.val, "dest"))
                rc = xlmig_kv_u64(where, "x", 0, 0, &u);
            seen |= 1;
        } else if (!strcmp(kv.key, "stage")) {
            if (strcmp(kv.val, "setup") && strcmp(kv.val, "attach") &&
                strcmp(kv.val, "teardown")) {
                xlmig_err(XLMIG_E_INVAL, "%s: not setup, attach or"
                          " teardown", where);
                return XLMIG_E_INVAL;
            }
            strcpy(j->stage, kv.val);
            seen |= 2;
        } else if (!strcmp(kv.key, "done")) {
            rc = xlmig_kv_u64(where, kv.val, 0, 1000, &u);
            j->done = (unsigned)u;
        } else if (!strcmp(kv.key, "vdev")) {
            rc = name_val(where, kv.val, j->disk.vdev, sizeof(j->disk.vdev));
        } else if (!strcmp(kv.key, "vg")) {
            rc = name_val(where, kv.val, j->disk.lv.vg,
                          sizeof(j->disk.lv.vg));
            seen |= 4;
        } else if (!strcmp(kv.key, "lv")) {
            rc = name_val(where, kv.val, j->disk.lv.lv,
                          sizeof(j->disk.lv.lv));
            seen |= 8;
        } else if (!strcmp(kv.key, "dst_vg")) {
            rc = name_val(where, kv.val, j->disk.dst_vg,
                          sizeof(j->disk.dst_vg));
            seen |= 16;
        } else if (!strcmp(kv.key, "size")) {
            rc = xlmig_kv_u64(where, kv.val, 512, UINT64_MAX / 2,
                              &j->disk.lv.size);
        } else if (!strcmp(kv.key, "md")) {
            rc = xlmig_kv_u64(where, kv.val, 0, UINT64_MAX / 2,
                              &j->disk.md_bytes);
        } else if (!strcmp(kv.key, "minor")) {
            rc = xlmig_kv_u64(where, kv.val, 0, 1048575, &u);
            j->disk.minor = (int)u;
            seen |= 32;
        } else if (!strcmp(kv.key, "port")) {
            rc = xlmig_kv_u64(where, kv.val, 1, 65535, &u);
            j->disk.port = (int)u;
        } else if (!strcmp(kv.key, "owner")) {
            rc = xlmig_kv_u64(where, kv.val, 1, 4194304, &u);
            j->owner = (long)u;
        } else if (!strcmp(kv.key, "owner_start")) {
            rc = xlmig_kv_u64(where, kv.val, 0, UINT64_MAX / 2,
                              &j->owner_start);
        } else {
            xlmig_err(XLMIG_E_INVAL, "%s: unknown key", where);
            return XLMIG_E_INVAL;
        }
    }
    if (!rc && seen != 63) {
        xlmig_err(XLMIG_E_INVAL, "%s: lacks side, stage, vg, lv, dst_vg or"
                  " minor", what);
        rc = XLMIG_E_INVAL;
    }
    return rc;
}

int xlmig_ldisk_journal_list(const xlmig_ldisk_conf *c,
                             xlmig_ldisk_journal *out, unsigned max,
                             unsigned *n)
{
    DIR *dir = opendir(c->state_dir);
    struct dirent *e;
    int rc = 0;

    *n = 0;
    if (!dir)
        return errno == ENOENT ? 0 : XLMIG_E_IO;
    while ((e = readdir(dir)) && *n < max) {
        char path[XLMIG_LDISK_PATH_MAX + 256], *buf = NULL;
        size_t len = strlen(e->d_name);

        if (strncmp(e->d_name, "xlmig-", 6) || len < 9 ||
            strcmp(e->d_name + len - 8, ".journal"))
            continue;
        snprintf(path, sizeof(path), "%s/%s", c->state_dir, e->d_name);
        if (xlmig_read_file(path, XLMIG_KV_FILE_MAX, &buf, &len)) {
            rc = XLMIG_E_IO;
            break;
        }
        rc = xlmig_ldisk_journal_parse(buf, len, path, &out[*n]);
        free(buf);
        if (rc)
            break;
        (*n)++;
    }
    closedir(dir);
    return rc;
}

static int kept_path(const xlmig_ldisk_conf *c, const char *vg,
                     const char *lv, char *out, size_t sz)
{
    int r = snprintf(out, sz, "%s/kept/%s+%s", c->state_dir, vg, lv);

    return r < 0 || (size_t)r >= sz || !xlmig_ldisk_name_ok(vg) ||
           !xlmig_ldisk_name_ok(lv) ? XLMIG_E_INVAL : 0;
}

int xlmig_ldisk_journal_keep(const xlmig_ldisk_conf *c,
                             const xlmig_ldisk_disk *d)
{
    char path[XLMIG_LDISK_PATH_MAX + 300], dir[XLMIG_LDISK_PATH_MAX + 8];

    snprintf(dir, sizeof(dir), "%s/kept", c->state_dir);
    if (kept_path(c, d->lv.vg, d->lv.lv, path, sizeof(path)) ||
        xlmig_mkdir_p_mode(dir, 0700, "local disk state"))
        return XLMIG_E_IO;
    return xlmig_write_atomic(path, d->vdev, strlen(d->vdev));
}

int xlmig_ldisk_journal_unkeep(const xlmig_ldisk_conf *c, const char *vg,
                               const char *lv)
{
    char path[XLMIG_LDISK_PATH_MAX + 300];

    if (kept_path(c, vg, lv, path, sizeof(path)))
        return XLMIG_E_INVAL;
    return xlmig_remove_file(path);
}

int xlmig_ldisk_journal_kept(const xlmig_ldisk_conf *c, xlmig_ldisk_lv *out,
                             unsigned max, unsigned *n)
{
    char dirp[XLMIG_LDISK_PATH_MAX + 8];
    struct dirent *e;
    DIR *dir;

    *n = 0;
    snprintf(dirp, sizeof(dirp), "%s/kept", c->state_dir);
    dir = opendir(dirp);
    if (!dir)
        return errno == ENOENT ? 0 : XLMIG_E_IO;
    while ((e = readdir(dir)) && *n < max) {
        char *plus = strchr(e->d_name, '+');

        if (e->d_name[0] == '.' || !plus)
            continue;
        memset(&out[*n], 0, sizeof(out[0]));
        *plus = 0;
        if (!xlmig_ldisk_name_ok(e->d_name) || !xlmig_ldisk_name_ok(plus + 1))
            continue;
        strcpy(out[*n].vg, e->d_name);
        strcpy(out[*n].lv, plus + 1);
        (*n)++;
    }
    closedir(dir);
    return 0;
}

int xlmig_ldisk_recover(const xlmig_ldisk_conf *c,
                        const xlmig_ldisk_journal *j,
                        const xlmig_ldisk_runner *r)
{
    /* The ends' names and addresses only matter to the resource file,
     * which an undo removes: placeholders rebuild the same steps. */
    const xlmig_ldisk_end a = { "src", "127.0.0.1" }, b = { "dst",
                                                         "127.0.0.2" };
    xlmig_ldisk_plan setup, attach, td;
    unsigned done;
    int rc;

    xlmig_ldisk_plan_init(&setup);
    xlmig_ldisk_plan_init(&attach);
    xlmig_ldisk_plan_init(&td);
    if (!strcmp(j->stage, "teardown")) {
        rc = j->is_src ? xlmig_ldisk_plan_src_teardown(c, &j->disk, &td)
                       : xlmig_ldisk_plan_dst_teardown(c, &j->disk, &td);
        if (rc)
            goto out;
        /* Forward from where it stopped: the step that failed again. */
        if (j->done < td.n) {
            memmove(td.steps, td.steps + j->done,
                    (td.n - j->done) * sizeof(td.steps[0]));
            td.n -= j->done;
            rc = xlmig_ldisk_plan_run(&td, r, NULL, NULL, &done);
        } else {
            rc = 0;
        }
        goto out;
    }
    rc = j->is_src ? xlmig_ldisk_plan_src_setup(c, &j->disk, &a, &b, &setup)
                   : xlmig_ldisk_plan_dst_setup(c, &j->disk, &a, &b, &setup);
    if (!rc && !j->is_src)
        rc = xlmig_ldisk_plan_dst_attach(c, &j->disk, &attach);
    if (rc)
        goto out;
    if (!strcmp(j->stage, "attach")) {
        rc = xlmig_ldisk_plan_undo(&attach, j->done, r);
        if (!rc)
            rc = xlmig_ldisk_plan_undo(&setup, setup.n, r);
    } else {
        rc = xlmig_ldisk_plan_undo(&setup, j->done, r);
    }
out:
    if (!rc)
        rc = xlmig_ldisk_journal_remove(c, j->disk.minor);
    xlmig_ldisk_plan_dispose(&setup);
    xlmig_ldisk_plan_dispose(&attach);
    xlmig_ldisk_plan_dispose(&td);
    return rc;
}
