#include "log_capture.h"

#include <stdlib.h>
#include <unistd.h>

#include "error.h"

void unit_log_default(void)
{
    xlmig_log_set_level(getenv("XLMIG_UNIT_VERBOSE") ? XLMIG_LOG_DEBUG
                                                      : XLMIG_LOG_ERROR - 1);
}

int unit_log_capture_begin(unit_log_capture *lc)
{
    lc->saved = -1;
    lc->f = tmpfile();
    if (!lc->f)
        return -1;
    fflush(stderr);
    lc->saved = dup(2);
    if (lc->saved < 0 || dup2(fileno(lc->f), 2) != 2) {
        if (lc->saved >= 0)
            close(lc->saved);
        lc->saved = -1;
        fclose(lc->f);
        lc->f = NULL;
        return -1;
    }
    xlmig_log_set_level(XLMIG_LOG_WARN);
    return 0;
}

void unit_log_capture_end(unit_log_capture *lc, char *buf, size_t sz)
{
    size_t n = 0;

    unit_log_default();
    if (lc->saved >= 0) {
        fflush(stderr);
        dup2(lc->saved, 2);
        close(lc->saved);
        lc->saved = -1;
    }
    if (lc->f) {
        rewind(lc->f);
        n = fread(buf, 1, sz - 1, lc->f);
        fclose(lc->f);
        lc->f = NULL;
    }
    buf[n] = 0;
}
