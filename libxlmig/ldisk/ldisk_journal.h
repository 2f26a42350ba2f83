/*
 * The journal of one temporary resource: STATE/xlmig-M.journal, a few
 * "key = value" lines (the disk, the side, the stage and how many of
 * its steps ran, and the process running the move), rewritten
 * atomically after every step. The plans
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
    long owner;                          /* the mover's pid, 0 unknown */
    uint64_t owner_start;                /* its start (/proc/PID/stat) */
} xlmig_ldisk_journal;

int xlmig_ldisk_journal_write(const xlmig_ldisk_conf *c,
                              const xlmig_ldisk_disk *d, bool is_src,
                              const char *stage, unsigned done);
int xlmig_ldisk_journal_remove(const xlmig_ldisk_conf *c, int minor);
bool xlmig_ldisk_journal_exists(const xlmig_ldisk_conf *c, int minor);
/*
 * The journal of minor, if there is one (*found): parsed, so a bad one
 * is an error naming it.
 */
int xlmig_ldisk_journal_read(const xlmig_ldisk_conf *c, int minor,
                             xlmig_ldisk_journal *j, bool *found);
/*
 * Is the move that wrote j still running? Its pid, and the same start
 * time (a reused pid is not taken for it); a journal without an owner
 * (older ones) has none.
 */
bool xlmig_ldisk_journal_owned(const xlmig_ldisk_journal *j);
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
