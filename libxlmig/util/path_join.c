/* A file's path in a directory: see path_join.h. */
#include "path_join.h"

#include <stdio.h>

#include "error.h"

int xlmig_path_join(char *buf, size_t len, const char *dir,
                    const char *name, const char *what)
{
    int n = snprintf(buf, len, "%s/%s", dir, name);

    if (n < 0 || (size_t)n >= len) {
        xlmig_err(XLMIG_E_INVAL, "%s path is too long", what);
        return XLMIG_E_INVAL;
    }
    return 0;
}
