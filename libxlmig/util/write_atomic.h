/*
 * Replacing (and removing) a small file whole: after a crash, or a
 * failed write, the
 * path holds its old content or the new one, never a part. The one
 * way xlmig writes state files (flags, journals, learned costs, DRBD
 * tokens, the simulator's records).
 */
#ifndef XLMIG_WRITE_ATOMIC_H
#define XLMIG_WRITE_ATOMIC_H

#include <stddef.h>
#include <sys/types.h>

/*
 * len bytes to a hidden temporary beside path (".<name>.tmp.<pid>",
 * which directory scanners skip), fsync(2)ed, renamed over path, and
 * the directory fsync(2)ed so the rename lasts. A new file gets mode
 * 0644; on any failure the temporary is removed and path untouched.
 */
int xlmig_write_atomic(const char *path, const char *buf, size_t len);
int xlmig_write_atomic_mode(const char *path, const char *buf, size_t len,
                            mode_t mode);

/* Remove a state file; fine if it is not there (XLMIG_E_IO else). */
int xlmig_remove_file(const char *path);

/* fsync(2) the directory that holds path, so a rename in it lasts. */
int xlmig_fsync_parent(const char *path);

#endif
