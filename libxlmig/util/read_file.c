/* Reading a small file whole: see read_file.h. */
#include "read_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"

int xlmig_read_file(const char *path, size_t max, char **buf, size_t *len)
{
    size_t n = 0;
    char *b = NULL;
    ssize_t r;
    int fd, rc;

    *buf = NULL;
    *len = 0;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        /* a missing file is the caller's bad input, not a disk error */
        rc = errno == ENOENT ? XLMIG_E_INVAL : XLMIG_E_IO;
        xlmig_err(rc, "%s: %s", path, strerror(errno));
        return rc;
    }
    b = malloc(max + 1);
    if (!b) {
        xlmig_err(XLMIG_E_NOMEM, "out of memory");
        rc = XLMIG_E_NOMEM;
        goto out;
    }
    for (;;) {
        r = read(fd, b + n, max + 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            xlmig_err(XLMIG_E_IO, "%s: %s", path, strerror(errno));
            rc = XLMIG_E_IO;
            goto out;
        }
        if (!r)
            break;
        n += (size_t)r;
        rc = xlmig_size_check(path, n, max);
        if (rc)
            goto out;
    }
    b[n] = 0;
    *buf = b;
    *len = n;
    b = NULL;
    rc = 0;
out:
    free(b);
    close(fd);
    return rc;
}

int xlmig_size_check(const char *what, size_t len, size_t max)
{
    if (len <= max)
        return 0;
    xlmig_err(XLMIG_E_INVAL, "%s: larger than %zu bytes", what, max);
    return XLMIG_E_INVAL;
}
