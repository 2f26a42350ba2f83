/* The persisted CPU cap: see throttle_cap.h. */
#include "throttle_cap.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "hoststate.h"
#include "kv.h"
#include "path_join.h"
#include "recover.h"
#include "testhooks.h"

int xlmig_capfile_dir(const char *sim_dir, char *buf, size_t len)
{
    int n = sim_dir ? snprintf(buf, len, "%s/.run/throttle", sim_dir)
                    : snprintf(buf, len, "%s/throttle", xlmig_run_dir());

    if (n < 0 || (size_t)n >= len) {
        xlmig_err(XLMIG_E_INVAL, "run directory path too long");
        return XLMIG_E_INVAL;
    }
    return 0;
}

/* 8-4-4-4-12 hex digits: also what makes it a safe file name. */
static bool uuid_ok(const char *s)
{
    size_t i;
    bool dash;

    if (strlen(s) != 36)
        return false;
    for (i = 0; i < 36; i++) {
        dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return false;
    }
    return true;
}

static bool backend_ok(const char *s)
{
    return !strcmp(s, "xen") || !strcmp(s, "sim");
}

int xlmig_capfile_encode(const xlmig_capfile *f, char *buf, size_t len)
{
    int n;

    if (!backend_ok(f->backend) || !xlmig_domain_name_ok(f->domain) ||
        !uuid_ok(f->uuid) || f->cap < 0 || f->cap > XLMIG_CAP_MAX ||
        f->pid < 1) {
        xlmig_err(XLMIG_E_INVAL, "CPU cap record of %.40s: bad field",
                  f->domain);
        return XLMIG_E_INVAL;
    }
    n = snprintf(buf, len, "# xlmig: CPU cap of a guest under a"
                 " migration's throttle\nbackend = %s\ndomain = %s\n"
                 "uuid = %s\ncap = %d\npid = %ld\nstart = %llu\n",
                 f->backend, f->domain, f->uuid, f->cap, f->pid,
                 (unsigned long long)f->start);
    if (n < 0 || (size_t)n >= len) {
        xlmig_err(XLMIG_E_INVAL, "CPU cap record too long");
        return XLMIG_E_INVAL;
    }
    return 0;
}

enum { F_BACKEND, F_DOMAIN, F_UUID, F_CAP, F_PID, F_START, F__COUNT };
static const char *const fields[F__COUNT] = {
    "backend", "domain", "uuid", "cap", "pid", "start",
};

int xlmig_capfile_parse(const char *buf, size_t len, const char *what,
                        xlmig_capfile *f)
{
    unsigned line = 0, seen = 0, k;
    char where[300];
    size_t pos = 0;
    uint64_t u;
    xlmig_kv kv;
    int r, rc = 0;

    memset(f, 0, sizeof(*f));
    rc = xlmig_size_check(what, len, XLMIG_CAP_FILE_MAX);
    if (rc)
        return rc;
    while (!rc && (r = xlmig_kv_line(buf, len, &pos, &line, what, &kv))) {
        if (r < 0)
            return r;
        snprintf(where, sizeof(where), "%s:%u: %s", what, line, kv.key);
        for (k = 0; k < F__COUNT && strcmp(kv.key, fields[k]); k++)
            ;
        if (k == F__COUNT || (seen & (1u << k))) {
            xlmig_err(XLMIG_E_INVAL, "%s: %s", where, k == F__COUNT
                      ? "unknown key" : "given twice");
            return XLMIG_E_INVAL;
        }
        seen |= 1u << k;
        switch (k) {
        case F_BACKEND:
        case F_DOMAIN:
        case F_UUID:
            if (k == F_BACKEND ? !backend_ok(kv.val) : k == F_DOMAIN
                ? !xlmig_domain_name_ok(kv.val) || strlen(kv.val) >=
                  sizeof(f->domain) : !uuid_ok(kv.val)) {
                xlmig_err(XLMIG_E_INVAL, "%s: \"%.40s\" is not valid",
                          where, kv.val);
                return XLMIG_E_INVAL;
            }
            strcpy(k == F_BACKEND ? f->backend : k == F_DOMAIN ? f->domain
                   : f->uuid, kv.val);
            break;
        case F_CAP:
            rc = xlmig_kv_u64(where, kv.val, 0, XLMIG_CAP_MAX, &u);
            f->cap = (int)u;
            break;
        case F_PID:
            rc = xlmig_kv_u64(where, kv.val, 1, 1 << 22, &u);
            f->pid = (long)u;
            break;
        case F_START:
            rc = xlmig_kv_u64(where, kv.val, 0, UINT64_MAX / 2, &f->start);
            break;
        }
    }
    if (!rc && seen != (1u << F__COUNT) - 1) {
        for (k = 0; seen & (1u << k); k++)
            ;
        xlmig_err(XLMIG_E_INVAL, "%s: no \"%s\"", what, fields[k]);
        rc = XLMIG_E_INVAL;
    }
    return rc;
}

/* Field 22 of /proc/PID/stat, after the parenthesised command name. */
static int proc_start(long pid, uint64_t *start)
{
    char path[64], buf[1024], *p;
    unsigned i;
    size_t n;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = 0;
    p = strrchr(buf, ')');
    if (!p)
        return -1;
    /* ") S ppid ..." : the state is field 3, starttime field 22. */
    for (i = 2; i < 22 && p; i++)
        p = strchr(p + 1, ' ');
    if (!p)
        return -1;
    *start = strtoull(p + 1, NULL, 10);
    return 0;
}

int xlmig_capfile_self(xlmig_capfile *f)
{
    f->pid = (long)getpid();
    if (proc_start(f->pid, &f->start)) {
        f->start = 0;
        xlmig_err(XLMIG_E_IO, "cannot read /proc/self/stat");
        return XLMIG_E_IO;
    }
    return 0;
}

bool xlmig_capfile_writer_alive(const xlmig_capfile *f)
{
    uint64_t start;

    if (kill((pid_t)f->pid, 0) && errno == ESRCH)
        return false;
    /* The pid is taken: by our writer only if it started then. */
    return proc_start(f->pid, &start) || start == f->start;
}

static int path_of(const char *dir, const char *uuid, char *buf, size_t len)
{
    if (!uuid_ok(uuid)) {
        xlmig_err(XLMIG_E_INVAL, "\"%.40s\" is not a uuid", uuid);
        return XLMIG_E_INVAL;
    }
    return xlmig_path_join(buf, len, dir, uuid, "run directory");
}

int xlmig_capfile_write(const char *dir, const xlmig_capfile *f)
{
    char path[4096], text[XLMIG_CAP_FILE_MAX];
    int rc;

    rc = path_of(dir, f->uuid, path, sizeof(path));
    if (!rc)
        rc = xlmig_capfile_encode(f, text, sizeof(text));
    if (!rc)
        rc = xlmig_mkdir_p(dir);
    /* Root's business only: what it says is what recover will apply. */
    if (!rc && chmod(dir, 0700)) {
        xlmig_err(XLMIG_E_IO, "cannot restrict %s: %s", dir,
                  strerror(errno));
        rc = XLMIG_E_IO;
    }
    if (!rc)
        rc = xlmig_write_atomic(path, text, strlen(text));
    return rc;
}

int xlmig_capfile_remove(const char *dir, const char *uuid)
{
    char path[4096];
    int rc;

    rc = path_of(dir, uuid, path, sizeof(path));
    return rc ? rc : xlmig_remove_file(path);
}

static int read_one(const char *dir, const char *name, xlmig_capfile *f)
{
    char path[4096], *buf = NULL;
    size_t len;
    int rc;

    rc = path_of(dir, name, path, sizeof(path));
    if (!rc)
        rc = xlmig_read_file(path, XLMIG_CAP_FILE_MAX, &buf, &len);
    if (!rc)
        rc = xlmig_capfile_parse(buf, len, path, f);
    /* The name is the uuid: a file saying otherwise is not ours. */
    if (!rc && strcmp(f->uuid, name)) {
        xlmig_err(XLMIG_E_INVAL, "%s: its uuid is %s", path, f->uuid);
        rc = XLMIG_E_INVAL;
    }
    free(buf);
    return rc;
}

int xlmig_capfile_list(const char *dir, const char *backend,
                       xlmig_capfile *out, unsigned max, unsigned *n)
{
    struct dirent *e;
    xlmig_capfile f;
    DIR *d;
    int rc = 0;

    *n = 0;
    d = opendir(dir);
    if (!d) {
        if (errno == ENOENT)
            return 0;
        xlmig_err(XLMIG_E_IO, "cannot read %s: %s", dir, strerror(errno));
        return XLMIG_E_IO;
    }
    while (!rc && (e = readdir(d))) {
        /* Temporary files of a write in progress are not records. */
        if (e->d_name[0] == '.' || strchr(e->d_name, '.'))
            continue;
        rc = read_one(dir, e->d_name, &f);
        if (rc || strcmp(f.backend, backend))
            continue;
        if (*n >= max) {
            xlmig_err(XLMIG_E_INVAL, "%s: more than %u records", dir, max);
            rc = XLMIG_E_INVAL;
            break;
        }
        out[(*n)++] = f;
    }
    closedir(d);
    return rc;
}

int xlmig_capfile_stale(const char *dir, const char *backend,
                        const char *domain, const char *uuid,
                        xlmig_capfile *f)
{
    xlmig_capfile all[XLMIG_CAP_LIST_MAX];
    unsigned n, i;
    int rc;

    rc = xlmig_capfile_list(dir, backend, all, XLMIG_CAP_LIST_MAX, &n);
    if (rc)
        return rc;
    for (i = 0; i < n; i++) {
        if (uuid && *uuid ? strcmp(all[i].uuid, uuid)
                          : strcmp(all[i].domain, domain))
            continue;
        if (xlmig_capfile_writer_alive(&all[i]))
            continue;
        *f = all[i];
        return 1;
    }
    return 0;
}

bool xlmig_capfile_save(const char *sim_dir, const char *backend,
                        const char *domain, const char *uuid, int cap)
{
    xlmig_capfile f;
    char dir[4096];
    int rc;

    memset(&f, 0, sizeof(f));
    snprintf(f.backend, sizeof(f.backend), "%s", backend);
    snprintf(f.domain, sizeof(f.domain), "%s", domain);
    snprintf(f.uuid, sizeof(f.uuid), "%s", uuid);
    f.cap = cap;
    rc = xlmig_capfile_self(&f);
    if (!rc)
        rc = xlmig_capfile_dir(sim_dir, dir, sizeof(dir));
    if (!rc)
        rc = xlmig_capfile_write(dir, &f);
    if (rc) {
        XLMIG_WARN("%s: the CPU cap of %s cannot be recorded; migrating"
                   " without throttling it", xlmig_errmsg(), domain);
        xlmig_err_clear();
        return false;
    }
    return true;
}

bool xlmig_capfile_drop(const char *sim_dir, const char *uuid)
{
    char dir[4096];

    if (xlmig_capfile_dir(sim_dir, dir, sizeof(dir)) ||
        xlmig_capfile_remove(dir, uuid)) {
        XLMIG_WARN("%s", xlmig_errmsg());
        xlmig_err_clear();
        return false;
    }
    return true;
}
