/*
 * Shared pieces of the journal files (journal*.c); not part of the
 * library's interface.
 */
#ifndef XLMIG_JOURNAL_PRIV_H
#define XLMIG_JOURNAL_PRIV_H

#include "journal.h"

#pragma GCC visibility push(hidden)

/*
 * Walk the journals not done under <dir>/journal/, newest first; fn
 * stops the walk with non-zero, which is returned.
 */
int xlmig_journal_walk_open(const char *dir,
                            int (*fn)(const char *path, xlmig_journal *j,
                                      void *arg), void *arg);

#pragma GCC visibility pop

#endif
