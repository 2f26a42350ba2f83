/*
 * One monitor per guest. The lock is keyed by the guest's UUID, which
 * stays the same across migrations, restarts and renames, so a second
 * monitor for the same guest (a receiver's and a rollback's, or one
 * started by hand) finds the first and leaves.
 */
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "mkdir_p.h"

/* A UUID as libxl prints it: hex digits and dashes, nothing else. */
static bool uuid_ok(const char *u)
{
    size_t n = strlen(u);

    if (n < 8 || n > 64)
        return false;
    return strspn(u, "0123456789abcdefABCDEF-") == n;
}

/* "<pid> <domid>" as the holder wrote it. */
static void read_holder(int fd, pid_t *pid, uint32_t *domid)
{
    char buf[64];
    ssize_t r = pread(fd, buf, sizeof(buf) - 1, 0);
    unsigned long d = 0;
    long p = 0;

    *pid = 0;
    *domid = 0;
    if (r <= 0)
        return;
    buf[r] = 0;
    if (sscanf(buf, "%ld %lu", &p, &d) >= 1 && p > 0)
        *pid = (pid_t)p;
    if (d <= UINT32_MAX)
        *domid = (uint32_t)d;
}

static int open_lock(const char *dir, const char *uuid, char *path,
                     size_t len, int *fd)
{
    *fd = -1;
    if (!uuid_ok(uuid)) {
        xlmig_err(XLMIG_E_INVAL, "monitor lock: \"%.40s\" is not a UUID",
                  uuid);
        return XLMIG_E_INVAL;
    }
    /* Our own directory (/run/xlmig/monitor). */
    if (xlmig_mkdir_p_mode(dir, 0755, "monitor lock directory")) {
        char why[256];

        snprintf(why, sizeof(why), "%s", xlmig_errmsg());
        xlmig_err_replace(XLMIG_E_IO, "monitor lock directory %s: %s", dir,
                          why);
        return XLMIG_E_IO;
    }
    if (snprintf(path, len, "%s/%s.lock", dir, uuid) >= (int)len) {
        xlmig_err(XLMIG_E_IO, "monitor lock directory %s: %s", dir,
                  strerror(errno));
        return XLMIG_E_IO;
    }
    *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (*fd < 0) {
        xlmig_err(XLMIG_E_IO, "monitor lock %s: %s", path, strerror(errno));
        return XLMIG_E_IO;
    }
    return 0;
}

/* Ours now: say who holds it. */
static int claim(int fd, const char *path, uint32_t domid)
{
    char line[48];
    int n = snprintf(line, sizeof(line), "%ld %u\n", (long)getpid(),
                     domid);

    if (ftruncate(fd, 0) || pwrite(fd, line, (size_t)n, 0) != n) {
        xlmig_err(XLMIG_E_IO, "monitor lock %s: %s", path, strerror(errno));
        return XLMIG_E_IO;
    }
    return 0;
}

int xlmig_monitor_lock(const char *dir, const char *uuid, uint32_t domid,
                       int *fd, pid_t *holder, uint32_t *holder_domid)
{
    char path[4096];
    int f, rc;

    *fd = -1;
    *holder = 0;
    *holder_domid = 0;
    rc = open_lock(dir, uuid, path, sizeof(path), &f);
    if (rc)
        return rc;
    if (flock(f, LOCK_EX | LOCK_NB)) {
        rc = errno == EWOULDBLOCK ? XLMIG_E_CHECK : XLMIG_E_IO;
        read_holder(f, holder, holder_domid);
        xlmig_err(rc, "monitor lock %s: %s", path, rc == XLMIG_E_CHECK
                  ? "held by another monitor" : strerror(errno));
        close(f);
        return rc;
    }
    rc = claim(f, path, domid);
    if (rc)
        close(f);
    else
        *fd = f;
    return rc;
}

int xlmig_monitor_lock_wait(const char *dir, const char *uuid,
                            uint32_t domid, int *fd)
{
    char path[4096];
    int f, rc, r;

    *fd = -1;
    rc = open_lock(dir, uuid, path, sizeof(path), &f);
    if (rc)
        return rc;
    while ((r = flock(f, LOCK_EX)) && errno == EINTR)
        ;
    rc = r ? XLMIG_E_IO : claim(f, path, domid);
    if (r)
        xlmig_err(rc, "monitor lock %s: %s", path, strerror(errno));
    if (rc)
        close(f);
    else
        *fd = f;
    return rc;
}
