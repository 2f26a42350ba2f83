/*
 * Is xl's own monitor still watching a guest? xl holds no lock we could
 * test; what every xl monitor has is its log on stdout and stderr (xl
 * daemonizes into /var/log/xen/xl-<name>.log, or xl-<name>--incoming
 * .log after a migrate-receive), and an executable named xl.
 */
#include "monitor.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *base(const char *p)
{
    const char *s = strrchr(p, '/');

    return s ? s + 1 : p;
}

/* s is "" or "." followed by digits only (a rotated copy). */
static bool rotation_suffix(const char *s)
{
    if (!*s)
        return true;
    if (*s != '.' || !s[1])
        return false;
    return strspn(s + 1, "0123456789") == strlen(s + 1);
}

bool xlmig_monitor_is_xl_log(const char *path, const char *name)
{
    static const char *const tails[] = { ".log", "--incoming.log" };
    const char *b = base(path);
    size_t n = strlen(name), i, t;

    if (!n || strncmp(b, "xl-", 3) || strncmp(b + 3, name, n))
        return false;
    for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
        t = strlen(tails[i]);
        if (!strncmp(b + 3 + n, tails[i], t) &&
            rotation_suffix(b + 3 + n + t))
            return true;
    }
    return false;
}

static bool link_is(const char *proc, const char *pid, const char *what,
                    char *buf, size_t len)
{
    char p[PATH_MAX];
    ssize_t r;

    if (snprintf(p, sizeof(p), "%s/%s/%s", proc, pid, what) >= (int)sizeof(p))
        return false;
    r = readlink(p, buf, len - 1);
    if (r <= 0)
        return false;
    buf[r] = 0;
    return true;
}

pid_t xlmig_monitor_find_xl(const char *proc, const char *name)
{
    char target[PATH_MAX];
    struct dirent *e;
    pid_t found = 0;
    DIR *d = opendir(proc);

    if (!d)
        return 0;
    while (!found && (e = readdir(d))) {
        const char *fds[] = { "fd/1", "fd/2" };
        unsigned i;

        if (strspn(e->d_name, "0123456789") != strlen(e->d_name) ||
            atol(e->d_name) == (long)getpid())
            continue;
        if (!link_is(proc, e->d_name, "exe", target, sizeof(target)) ||
            strcmp(base(target), "xl"))
            continue;
        for (i = 0; i < 2 && !found; i++)
            if (link_is(proc, e->d_name, fds[i], target, sizeof(target)) &&
                xlmig_monitor_is_xl_log(target, name))
                found = (pid_t)atol(e->d_name);
    }
    closedir(d);
    return found;
}
