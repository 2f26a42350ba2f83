/*
 * mkdir -p: the one walk down a path that every directory xlmig keeps
 * (state, locks, DRBD tokens, monitor locks) is made with.
 */
#ifndef XLMIG_MKDIR_P_H
#define XLMIG_MKDIR_P_H

#include <sys/types.h>

/*
 * Each missing component of path made with mode (what exists is left
 * as it is). An error names what ("lock directory") when path is empty
 * or too long, else the component that could not be made.
 */
int xlmig_mkdir_p_mode(const char *path, mode_t mode, const char *what);

#endif
