/*
 * The journal of one temporary resource: STATE/xlmig-M.journal, a few
 * "key = value" lines (the disk, the side, the stage and how many of
 * its steps ran), rewritten atomically after every step. The plans
 * are rebuilt from the disk, so the count is all recover needs to undo
 * (before the commit) or finish (a teardown). A source LV kept after a
 * move is STATE/kept/VG+LV, until --delete-source or cleanup.
 */
#ifndef XLMIG_LDISK_JOURNAL_H
#define XLMIG_LDISK_JOURNAL_H

#include "ldisk.h"

typedef struct {
    xlmig_ldisk_disk disk;
    bool is_src;
    char stage[16];                      /* setup, attach, teardown */
    unsigned done;
} xlmig_ldisk_journal;

int xlmig_ldisk_journal_write(const xlmig_ldisk_conf *c,
                              const xlmig_ldisk_disk *d, bool is_src,
                              const char *stage, unsigned done);
int xlmig_ldisk_journal_remove(const xlmig_ldisk_conf *c, int minor);
bool xlmig_ldisk_journal_exists(const xlmig_ldisk_conf *c, int minor);
/* Pure: one journal's text; what names it in errors. */
int xlmig_ldisk_journal_parse(const char *buf, size_t len, const char *what,
                              xlmig_ldisk_journal *j);
/* Every journal under the state dir (at most max). */
int xlmig_ldisk_journal_list(const xlmig_ldisk_conf *c,
                             xlmig_ldisk_journal *out, unsigned max,
                             unsigned *n);
/* Kept source LVs. */
int xlmig_ldisk_journal_keep(const xlmig_ldisk_conf *c,
                             const xlmig_ldisk_disk *d);
int xlmig_ldisk_journal_unkeep(const xlmig_ldisk_conf *c, const char *vg,
                               const char *lv);
int xlmig_ldisk_journal_kept(const xlmig_ldisk_conf *c, xlmig_ldisk_lv *out,
                             unsigned max, unsigned *n);

/*
 * Leftovers of an interrupted move, finished: a setup or attach undone
 * (reverse, from its count), a teardown run to its end. The journal
 * goes once that worked.
 */
int xlmig_ldisk_recover(const xlmig_ldisk_conf *c,
                        const xlmig_ldisk_journal *j,
                        const xlmig_ldisk_runner *r);

#endif
