/* A file's path in a directory, checked to fit its buffer. */
#ifndef XLMIG_PATH_JOIN_H
#define XLMIG_PATH_JOIN_H

#include <stddef.h>

/*
 * dir "/" name into buf; XLMIG_E_INVAL when it does not fit, as
 * "<what> path is too long" (what: "lock directory").
 */
int xlmig_path_join(char *buf, size_t len, const char *dir,
                    const char *name, const char *what);

#endif
