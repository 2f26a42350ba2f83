/* Reading a small file (config, state, simulator record) whole. */
#ifndef XLMIG_READ_FILE_H
#define XLMIG_READ_FILE_H

#include <stddef.h>

/*
 * At most max bytes of path into *buf (malloc'd, NUL-terminated, *len
 * without the NUL). A missing file is XLMIG_E_INVAL, a larger one too;
 * both name the path.
 */
int xlmig_read_file(const char *path, size_t max, char **buf, size_t *len);

/*
 * The same bound for text that came another way: 0, or XLMIG_E_INVAL
 * as "<what>: larger than <max> bytes".
 */
int xlmig_size_check(const char *what, size_t len, size_t max);

#endif
