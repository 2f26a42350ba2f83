/* Guest and host locks: see lock.h. */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "hoststate.h"
#include "kv.h"
#include "mkdir_p.h"
#include "path_join.h"

#define PID_LIMIT 4194304           /* the kernel's PID_MAX_LIMIT */
#define SINCE_LIMIT ((int64_t)1 << 40)
#define REOPEN_TRIES 8
/* A holder writes its record just after it locks: a reader that saw
 * the lock before the record waits this long for it. */
#define RECORD_TRIES 20
#define RECORD_WAIT_NS XLMIG_MS(5)

void xlmig_lock_init(xlmig_lock *l)
{
    l->fd = -1;
    l->path[0] = 0;
}

void xlmig_lock_dispose(xlmig_lock *l)
{
    if (l->fd < 0)
        return;
    /* Unlinked while still held: a taker that opened it sees the inode
     * gone after its own lock succeeds, and opens afresh. */
    if (unlink(l->path) && errno != ENOENT)
        XLMIG_WARN("cannot remove lock %s: %s", l->path, strerror(errno));
    close(l->fd);
    xlmig_lock_init(l);
}

int xlmig_lock_dir(const char *run_dir, char *buf, size_t len)
{
    if (!run_dir || !*run_dir ||
        snprintf(buf, len, "%s/lock", run_dir) >= (int)len) {
        xlmig_err(XLMIG_E_INVAL, "run directory \"%.60s\" is empty or too"
                  " long", run_dir ? run_dir : "");
        return XLMIG_E_INVAL;
    }
    return 0;
}

int xlmig_lock_dir_default(bool sim, char *buf, size_t len,
                           const char **dir)
{
    const char *run = xlmig_run_dir_env();
    int rc;

    *dir = NULL;
    if (sim && !run)
        return 0;
    rc = xlmig_lock_dir(run ? run : xlmig_run_dir(), buf, len);
    if (!rc)
        *dir = buf;
    return rc;
}

static bool hex_run(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
              (s[i] >= 'A' && s[i] <= 'F')))
            return false;
    return true;
}

int xlmig_lock_guest_name(const char *uuid, char *buf, size_t len)
{
    if (!uuid || strlen(uuid) != 36 || uuid[8] != '-' || uuid[13] != '-' ||
        uuid[18] != '-' || uuid[23] != '-' || !hex_run(uuid, 8) ||
        !hex_run(uuid + 9, 4) || !hex_run(uuid + 14, 4) ||
        !hex_run(uuid + 19, 4) || !hex_run(uuid + 24, 12)) {
        xlmig_err(XLMIG_E_INVAL, "\"%.40s\" is not a guest uuid",
                  uuid ? uuid : "");
        return XLMIG_E_INVAL;
    }
    if (snprintf(buf, len, "guest-%s", uuid) >= (int)len) {
        xlmig_err(XLMIG_E_INVAL, "lock name buffer too small");
        return XLMIG_E_INVAL;
    }
    return 0;
}

static bool op_ok(const char *op, size_t n)
{
    size_t i;

    if (!n || n >= XLMIG_LOCK_OP_LEN || op[0] == ' ' || op[n - 1] == ' ')
        return false;
    for (i = 0; i < n; i++)
        if (!(op[i] >= 'a' && op[i] <= 'z') && op[i] != ' ')
            return false;
    return true;
}

static bool name_ok(const char *name)
{
    size_t i, n = strlen(name);

    if (!n || n >= XLMIG_LOCK_NAME_LEN || name[0] == '.')
        return false;
    for (i = 0; i < n; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') ||
              (name[i] >= 'A' && name[i] <= 'F') ||
              (name[i] >= '0' && name[i] <= '9') || name[i] == '-'))
            return false;
    return true;
}

int xlmig_lock_record_parse(const char *buf, size_t len,
                            xlmig_lock_holder *h)
{
    bool got_pid = false, got_op = false, got_since = false;
    bool *seen = NULL;
    const char *what = "lock record";
    unsigned line = 0;
    size_t pos = 0;
    uint64_t u;
    xlmig_kv kv;
    int rc;

    memset(h, 0, sizeof(*h));
    if (len > XLMIG_LOCK_RECORD_MAX) {
        xlmig_err(XLMIG_E_PROTO, "%s: longer than %d bytes", what,
                  XLMIG_LOCK_RECORD_MAX);
        return XLMIG_E_PROTO;
    }
    while ((rc = xlmig_kv_line(buf, len, &pos, &line, what, &kv)) > 0) {
        if (!strcmp(kv.key, "pid")) {
            seen = &got_pid;
            rc = xlmig_kv_u64("lock record: pid", kv.val, 1, PID_LIMIT, &u);
            h->pid = (long)u;
        } else if (!strcmp(kv.key, "since")) {
            seen = &got_since;
            rc = xlmig_kv_u64("lock record: since", kv.val, 1,
                              SINCE_LIMIT, &u);
            h->since = (int64_t)u;
        } else if (!strcmp(kv.key, "op")) {
            seen = &got_op;
            rc = 0;
            if (!op_ok(kv.val, strlen(kv.val))) {
                xlmig_err(XLMIG_E_PROTO, "%s:%u: op is not a few words of"
                          " a-z", what, line);
                rc = XLMIG_E_PROTO;
            } else {
                strcpy(h->op, kv.val);
            }
        } else {
            xlmig_err(XLMIG_E_PROTO, "%s:%u: unknown key \"%s\"", what,
                      line, kv.key);
            rc = XLMIG_E_PROTO;
            break;
        }
        if (!rc && seen && *seen) {
            xlmig_err(XLMIG_E_PROTO, "%s:%u: %s given twice", what, line,
                      kv.key);
            rc = XLMIG_E_PROTO;
        }
        if (rc)
            break;
        *seen = true;
    }
    if (!rc && !(got_pid && got_op && got_since)) {
        xlmig_err(XLMIG_E_PROTO, "%s: pid, op and since are all needed",
                  what);
        rc = XLMIG_E_PROTO;
    }
    if (rc) {
        memset(h, 0, sizeof(*h));
        return rc < 0 ? XLMIG_E_PROTO : rc;
    }
    return 0;
}

void xlmig_lock_holder_str(const xlmig_lock_holder *h, char *buf,
                           size_t len)
{
    char when[32] = "?";
    time_t t = (time_t)h->since;
    struct tm tm;

    if (!h->pid) {
        snprintf(buf, len, "another process (its lock record is"
                 " unreadable)");
        return;
    }
    if (localtime_r(&t, &tm))
        strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(buf, len, "pid %ld (%s, since %s)", h->pid, h->op, when);
}

/* mkdir -p with 0700, then insist on a directory only we can write. */
static int dir_make(const char *dir)
{
    struct stat st;
    int rc;

    rc = xlmig_mkdir_p_mode(dir, 0700, "lock directory");
    if (rc)
        return rc;
    if (lstat(dir, &st)) {
        xlmig_err(XLMIG_E_IO, "lock directory %s: %s", dir, strerror(errno));
        return XLMIG_E_IO;
    }
    if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & 022)) {
        xlmig_err(XLMIG_E_INVAL, "lock directory %s is not a directory"
                  " that only this user can write", dir);
        return XLMIG_E_INVAL;
    }
    return 0;
}

static int lock_path(const char *dir, const char *name, char *buf,
                     size_t len)
{
    if (!name_ok(name)) {
        xlmig_err(XLMIG_E_INVAL, "\"%.48s\" is not a lock name", name);
        return XLMIG_E_INVAL;
    }
    return xlmig_path_join(buf, len, dir, name, "lock directory");
}

/* 1 no record, 0 read into *h, <0 damaged (error recorded). */
static int read_record(int fd, xlmig_lock_holder *h)
{
    char buf[XLMIG_LOCK_RECORD_MAX + 1];
    ssize_t n = pread(fd, buf, sizeof(buf), 0);

    memset(h, 0, sizeof(*h));
    if (n < 0) {
        xlmig_err(XLMIG_E_IO, "cannot read lock record: %s",
                  strerror(errno));
        return XLMIG_E_IO;
    }
    if (!n)
        return 1;
    return xlmig_lock_record_parse(buf, (size_t)n, h);
}

/* A held lock's record; its holder may be writing it just now. */
static void holder_of(int fd, xlmig_lock_holder *h)
{
    unsigned i;

    for (i = 0; i < RECORD_TRIES; i++) {
        if (!read_record(fd, h))
            return;
        xlmig_err_clear();
        xlmig_sleep_ns(RECORD_WAIT_NS);
    }
    memset(h, 0, sizeof(*h));
}

static int write_record(int fd, const char *op, const char *path)
{
    char buf[128];
    int n;

    n = snprintf(buf, sizeof(buf), "pid = %ld\nop = %s\nsince = %lld\n",
                 (long)getpid(), op, (long long)time(NULL));
    if (ftruncate(fd, 0) || pwrite(fd, buf, (size_t)n, 0) != n) {
        xlmig_err(XLMIG_E_IO, "cannot write lock %s: %s", path,
                  strerror(errno));
        return XLMIG_E_IO;
    }
    return 0;
}

/* What a record left by an earlier holder says about it. */
static void note_leftover(int fd, const char *what, const char *path)
{
    xlmig_lock_holder old;
    char who[128];
    int r = read_record(fd, &old);

    if (r == 1)
        return;
    if (r < 0) {
        XLMIG_WARN("%s: ignoring damaged lock %s: %s", what, path,
                   xlmig_errmsg());
        xlmig_err_clear();
        return;
    }
    xlmig_lock_holder_str(&old, who, sizeof(who));
    if (old.pid != (long)getpid() && kill((pid_t)old.pid, 0) &&
        errno == ESRCH)
        XLMIG_WARN("%s: lock taken over from dead %s", what, who);
    else
        XLMIG_DBG("%s: lock taken over; its record named %s", what, who);
}

/*
 * The lock file at path in *fd (never through a link), and *fl set to
 * a write lock over all of it. A file that is not there, when
 * missing_ok: 0 and *fd -1.
 */
static int lock_open(const char *path, int flags, bool missing_ok,
                     int *fd, struct flock *fl)
{
    memset(fl, 0, sizeof(*fl));
    fl->l_type = F_WRLCK;
    fl->l_whence = SEEK_SET;
    *fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (*fd >= 0 || (missing_ok && errno == ENOENT))
        return 0;
    xlmig_err(XLMIG_E_IO, "cannot open lock %s: %s", path, strerror(errno));
    return XLMIG_E_IO;
}

int xlmig_lock_take(xlmig_lock *l, const char *dir, const char *name,
                    const char *op, const char *what,
                    xlmig_lock_holder *holder)
{
    struct flock fl;
    struct stat a, b;
    xlmig_lock_holder h;
    char path[sizeof(l->path)], who[128];
    unsigned tries;
    int fd = -1, rc;

    if (holder)
        memset(holder, 0, sizeof(*holder));
    if (l->fd >= 0) {
        xlmig_err(XLMIG_E_INVAL, "%s: lock already held", what);
        return XLMIG_E_INVAL;
    }
    if (!op || !op_ok(op, strlen(op))) {
        xlmig_err(XLMIG_E_INVAL, "\"%.30s\" is not a lock operation",
                  op ? op : "");
        return XLMIG_E_INVAL;
    }
    rc = lock_path(dir, name, path, sizeof(path));
    if (!rc)
        rc = dir_make(dir);
    if (rc)
        return rc;
    for (tries = 0; ; tries++) {
        rc = lock_open(path, O_RDWR | O_CREAT, false, &fd, &fl);
        if (rc)
            return rc;
        if (fcntl(fd, F_OFD_SETLK, &fl)) {
            rc = errno == EAGAIN || errno == EACCES ? XLMIG_E_CHECK
                                                    : XLMIG_E_IO;
            if (rc == XLMIG_E_IO) {
                xlmig_err(rc, "cannot lock %s: %s", path, strerror(errno));
                goto out;
            }
            holder_of(fd, &h);
            xlmig_lock_holder_str(&h, who, sizeof(who));
            /* The answer to the caller, whatever was recorded before. */
            xlmig_err_replace(rc, "%s is locked by %s; try again when it"
                              " ends", what, who);
            if (holder)
                *holder = h;
            goto out;
        }
        /* Released (and unlinked) between our open and our lock? */
        if (fstat(fd, &a) || stat(path, &b) || a.st_ino != b.st_ino ||
            a.st_dev != b.st_dev) {
            close(fd);
            fd = -1;
            if (tries < REOPEN_TRIES)
                continue;
            xlmig_err(XLMIG_E_IO, "lock %s keeps changing", path);
            return XLMIG_E_IO;
        }
        break;
    }
    if (!S_ISREG(a.st_mode)) {
        xlmig_err(XLMIG_E_INVAL, "lock %s is not a regular file", path);
        rc = XLMIG_E_INVAL;
        goto out;
    }
    note_leftover(fd, what, path);
    rc = write_record(fd, op, path);
    if (rc)
        goto out;
    l->fd = fd;
    snprintf(l->path, sizeof(l->path), "%s", path);
    XLMIG_DBG("%s: locked (%s) in %s", what, op, path);
    return 0;
out:
    if (fd >= 0)
        close(fd);
    return rc;
}

int xlmig_lock_probe(const char *dir, const char *name,
                     xlmig_lock_holder *holder)
{
    char path[4200];
    struct flock fl;
    int fd, rc;

    memset(holder, 0, sizeof(*holder));
    rc = lock_path(dir, name, path, sizeof(path));
    if (rc)
        return rc;
    rc = lock_open(path, O_RDONLY, true, &fd, &fl);
    if (rc || fd < 0)
        return rc;
    if (fcntl(fd, F_OFD_GETLK, &fl)) {
        xlmig_err(XLMIG_E_IO, "cannot test lock %s: %s", path,
                  strerror(errno));
        rc = XLMIG_E_IO;
    } else if (fl.l_type == F_UNLCK) {
        rc = 0;                     /* a dead holder's record */
    } else {
        holder_of(fd, holder);
        rc = 1;
    }
    close(fd);
    return rc;
}
