/* mkdir -p: see mkdir_p.h. */
#include "mkdir_p.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"

int xlmig_mkdir_p_mode(const char *path, mode_t mode, const char *what)
{
    char buf[4096];
    size_t i, n = strlen(path);

    if (!n || n >= sizeof(buf)) {
        xlmig_err(XLMIG_E_INVAL, "%s \"%.60s\" is empty or too long", what,
                  path);
        return XLMIG_E_INVAL;
    }
    memcpy(buf, path, n + 1);
    for (i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i])
            continue;
        buf[i] = 0;
        if (mkdir(buf, mode) && errno != EEXIST) {
            xlmig_err(XLMIG_E_IO, "cannot create %s: %s", buf,
                      strerror(errno));
            return XLMIG_E_IO;
        }
        buf[i] = path[i];
    }
    return 0;
}
