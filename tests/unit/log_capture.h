/* What the code under test warns on stderr, read back by a test. */
#ifndef XLMIG_UNIT_LOG_CAPTURE_H
#define XLMIG_UNIT_LOG_CAPTURE_H

#include <stddef.h>
#include <stdio.h>

/* The suite's own log level: quiet unless XLMIG_UNIT_VERBOSE is set. */
void unit_log_default(void);

typedef struct {
    FILE *f;                   /* where stderr goes meanwhile */
    int saved;                 /* the real stderr; -1: not captured */
} unit_log_capture;

/* From here warnings (and worse) go to a temporary file: 0, else -1. */
int unit_log_capture_begin(unit_log_capture *lc);
/* stderr and the level back; what was written, NUL-terminated, in
 * buf (cut at sz - 1). */
void unit_log_capture_end(unit_log_capture *lc, char *buf, size_t sz);

#endif
