/*
 * The evacuation journal: what an evacuation moved where, when, and
 * how each move ended; later, how each return ended. One JSON file per
 * evacuation under <state dir>/journal/, rewritten atomically after
 * every guest, so a crash midway leaves an accurate record.
 */
#ifndef XLMIG_JOURNAL_H
#define XLMIG_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inventory.h"

#define XLMIG_JOURNAL_VERSION    1
#define XLMIG_JOURNAL_MAX_BYTES  (4u << 20)

typedef enum {
    XLMIG_JR_PLANNED = 0,   /* not run yet */
    XLMIG_JR_MOVED,         /* runs at dest */
    XLMIG_JR_FAILED,        /* tried; still here */
    XLMIG_JR_STAYED,        /* never tried: reason says why */
    XLMIG_JR_UNDEFINED,     /* commit unconfirmed: run recover */
    XLMIG_JR_RETURNED,      /* moved, and brought back since */
    XLMIG_JR_GONE,          /* was stuck; left this host another way */
    XLMIG_JR__COUNT
} xlmig_jresult;

const char *xlmig_jresult_str(xlmig_jresult r);

typedef struct {
    char name[XLMIG_INV_NAME_MAX];
    char dest[XLMIG_INV_NAME_MAX];      /* "" when it stayed */
    uint64_t mem_mib;
    xlmig_jresult result;
    char reason[256];
    char started[32], finished[32];
    int exit_code;                      /* the migration's, or -1 */
    /* the last migration's numbers, 0 when it never ran */
    uint64_t total_ms, downtime_ms, bytes;
} xlmig_jguest;

typedef enum {
    XLMIG_JS_RUNNING = 0,   /* the evacuation is in progress */
    XLMIG_JS_EVACUATED,     /* finished; guests may be brought back */
    XLMIG_JS_DONE,          /* return brought every moved guest back */
    XLMIG_JS__COUNT
} xlmig_jstate;

const char *xlmig_jstate_str(xlmig_jstate s);

typedef struct {
    char id[64];                        /* also the file name */
    char host[XLMIG_INV_NAME_MAX];      /* the evacuated host */
    char started[32], finished[32];
    xlmig_jstate state;
    /* cron: the maintenance episode (the flag's "since"), else "" */
    char episode[32];
    unsigned n;
    xlmig_jguest *guests;
} xlmig_journal;

void xlmig_journal_init(xlmig_journal *j);
void xlmig_journal_dispose(xlmig_journal *j);
/* A fresh journal (id from the time and pid) with n zeroed guests. */
int xlmig_journal_start(xlmig_journal *j, const char *host, unsigned n);
/* One more zeroed guest at the end; its index in *idx. */
int xlmig_journal_add_guest(xlmig_journal *j, unsigned *idx);
/* The guest entry named name, or -1. */
int xlmig_journal_find_guest(const xlmig_journal *j, const char *name);

int xlmig_journal_encode(const xlmig_journal *j, char **out, size_t *len);
/* Bounded, strict: every error names the key (and guest index). */
int xlmig_journal_decode(const char *buf, size_t len, xlmig_journal *j);

/* <dir>/journal/<id>.json */
int xlmig_journal_save(const char *dir, const xlmig_journal *j);
int xlmig_journal_load(const char *path, xlmig_journal *j);
/* Ids of the journals not done, newest first, comma-separated. */
int xlmig_journal_list_open(const char *dir, char *buf, size_t len,
                            unsigned *n);

/*
 * The newest journal not done of the maintenance episode `episode`:
 * 1 (loaded into *j), 0 none, or an error.
 */
int xlmig_journal_find_episode(const char *dir, const char *episode,
                               xlmig_journal *j);
/*
 * Delete done journals beyond the newest keep; how many went in *n.
 * Journals not done are never touched.
 */
#define XLMIG_JOURNAL_KEEP_DONE  20
int xlmig_journal_prune_done(const char *dir, unsigned keep, unsigned *n);

/* Every entry named name still MOVED becomes RETURNED; how many did. */
unsigned xlmig_journal_mark_returned(xlmig_journal *j, const char *name);
/* Whether some guest of j is still MOVED (away). */
bool xlmig_journal_has_moved(const xlmig_journal *j);

/*
 * All the journals not done, newest first, for return. Bounded: the
 * cron job re-runs evacuate while a host is in maintenance, but only
 * a forgotten host piles up more than this.
 */
#define XLMIG_JOURNAL_MAX_OPEN   32

typedef struct {
    unsigned n;
    xlmig_journal j[XLMIG_JOURNAL_MAX_OPEN];
} xlmig_journal_set;

void xlmig_journal_set_init(xlmig_journal_set *s);
void xlmig_journal_set_dispose(xlmig_journal_set *s);
/* Error beyond XLMIG_JOURNAL_MAX_OPEN; s is empty after any error. */
int xlmig_journal_load_open(const char *dir, xlmig_journal_set *s);

/* One guest entry of a set: s->j[j].guests[g]. */
typedef struct {
    unsigned j, g;
} xlmig_jref;

/*
 * The guests to bring back: one ref per name among the MOVED entries,
 * from the newest journal naming it (where the guest went last), in
 * journal order, newest first. The caller frees *refs.
 */
int xlmig_journal_set_moved(const xlmig_journal_set *s, xlmig_jref **refs,
                            unsigned *n);

#endif
