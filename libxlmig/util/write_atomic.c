/* Replacing a small file whole: see write_atomic.h. */
#include "write_atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "error.h"

/* dir of path ("." if none) and its base name, into buf / *base. */
static int split(const char *path, char *dir, size_t len,
                 const char **base)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 1;

    if (!*path || (slash && !slash[1]) || n >= len) {
        xlmig_err(XLMIG_E_INVAL, "cannot write \"%.60s\": not a file path",
                  path);
        return XLMIG_E_INVAL;
    }
    if (!slash)
        memcpy(dir, ".", 2);
    else if (!n)
        memcpy(dir, "/", 2);
    else {
        memcpy(dir, path, n);
        dir[n] = 0;
    }
    *base = slash ? slash + 1 : path;
    return 0;
}

static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;

    if (fd < 0)
        return -1;
    r = fsync(fd);
    close(fd);
    return r;
}

int xlmig_fsync_parent(const char *path)
{
    char dir[4096];
    const char *base;
    int rc;

    rc = split(path, dir, sizeof(dir), &base);
    if (rc)
        return rc;
    if (sync_dir(dir)) {
        xlmig_err(XLMIG_E_IO, "cannot sync %s: %s", dir, strerror(errno));
        return XLMIG_E_IO;
    }
    return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
    size_t off = 0;
    ssize_t r;

    while (off < len) {
        r = write(fd, buf + off, len - off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        off += (size_t)r;
    }
    return 0;
}

int xlmig_write_atomic_mode(const char *path, const char *buf, size_t len,
                            mode_t mode)
{
    char dir[4096], tmp[4400];
    const char *base;
    int fd = -1, rc, n;

    rc = split(path, dir, sizeof(dir), &base);
    if (rc)
        return rc;
    n = snprintf(tmp, sizeof(tmp), "%s/.%s.tmp.%ld", dir, base,
                 (long)getpid());
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        xlmig_err(XLMIG_E_INVAL, "cannot write %s: path too long", path);
        return XLMIG_E_INVAL;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        xlmig_err(XLMIG_E_IO, "cannot write %s: %s", tmp, strerror(errno));
        return XLMIG_E_IO;
    }
    if (write_all(fd, buf, len) || fsync(fd)) {
        xlmig_err(XLMIG_E_IO, "cannot write %s: %s", tmp, strerror(errno));
        rc = XLMIG_E_IO;
        goto out;
    }
    if (close(fd)) {
        fd = -1;
        xlmig_err(XLMIG_E_IO, "cannot write %s: %s", tmp, strerror(errno));
        rc = XLMIG_E_IO;
        goto out;
    }
    fd = -1;
    if (rename(tmp, path)) {
        xlmig_err(XLMIG_E_IO, "cannot rename %s to %s: %s", tmp, path,
                  strerror(errno));
        rc = XLMIG_E_IO;
        goto out;
    }
    /* The data is safe; a directory that will not sync is the disk's. */
    if (sync_dir(dir))
        XLMIG_WARN("cannot sync %s: %s", dir, strerror(errno));
    return 0;
out:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    return rc;
}

int xlmig_write_atomic(const char *path, const char *buf, size_t len)
{
    return xlmig_write_atomic_mode(path, buf, len, 0644);
}

int xlmig_remove_file(const char *path)
{
    if (unlink(path) && errno != ENOENT) {
        xlmig_err(XLMIG_E_IO, "cannot remove %s: %s", path, strerror(errno));
        return XLMIG_E_IO;
    }
    return 0;
}
