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

/* A UUID as libxl prints it: hex digits and dashes, nothing else. */
static bool uuid_ok(const char *u)
{
    size_t n = strlen(u);

    if (n < 8 || n > 64)
        return false;
    return strspn(u, "0123456789abcdefABCDEF-") == n;
}

/* mkdir -p for our own directory (/run/xlmig/monitor). */
static int make_dir(const char *dir)
{
    char buf[4096];
    size_t i, n = strlen(dir);

    if (n >= sizeof(buf))
        return -1;
    memcpy(buf, dir, n + 1);
    for (i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i])
            continue;
        buf[i] = 0;
        if (mkdir(buf, 0755) && errno != EEXIST)
            return -1;
        buf[i] = i < n ? '/' : 0;
    }
    return 0;
}

static pid_t read_pid(int fd)
{
    char buf[32];
    ssize_t r = pread(fd, buf, sizeof(buf) - 1, 0);
    long v;

    if (r <= 0)
        return 0;
    buf[r] = 0;
    v = strtol(buf, NULL, 10);
    return v > 0 ? (pid_t)v : 0;
}

int xlmig_monitor_lock(const char *dir, const char *uuid, int *fd,
                       pid_t *holder)
{
    char path[4096], pid[32];
    int f = -1, rc, n;

    *fd = -1;
    *holder = 0;
    if (!uuid_ok(uuid)) {
        xlmig_err(XLMIG_E_INVAL, "monitor lock: \"%.40s\" is not a UUID",
                  uuid);
        return XLMIG_E_INVAL;
    }
    if (make_dir(dir) ||
        snprintf(path, sizeof(path), "%s/%s.lock", dir, uuid) >=
        (int)sizeof(path)) {
        xlmig_err(XLMIG_E_IO, "monitor lock directory %s: %s", dir,
                  strerror(errno));
        return XLMIG_E_IO;
    }
    f = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (f < 0) {
        xlmig_err(XLMIG_E_IO, "monitor lock %s: %s", path, strerror(errno));
        return XLMIG_E_IO;
    }
    if (flock(f, LOCK_EX | LOCK_NB)) {
        rc = errno == EWOULDBLOCK ? XLMIG_E_CHECK : XLMIG_E_IO;
        *holder = read_pid(f);
        xlmig_err(rc, "monitor lock %s: %s", path, rc == XLMIG_E_CHECK
                  ? "held by another monitor" : strerror(errno));
        goto out;
    }
    n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
    if (ftruncate(f, 0) || pwrite(f, pid, (size_t)n, 0) != n) {
        xlmig_err(XLMIG_E_IO, "monitor lock %s: %s", path, strerror(errno));
        rc = XLMIG_E_IO;
        goto out;
    }
    *fd = f;
    f = -1;
    rc = 0;
out:
    if (f >= 0)
        close(f);
    return rc;
}
