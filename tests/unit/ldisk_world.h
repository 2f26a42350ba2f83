/*
 * A fake host for the local-disk plans: LVs, device-mapper devices
 * (live and loaded tables), DRBD resources and files, changed by the
 * commands a plan runs, which are recorded (argv joined by spaces)
 * and never executed. fail_at makes the n-th action (from 1) fail.
 */
#ifndef XLMIG_UNIT_LDISK_WORLD_H
#define XLMIG_UNIT_LDISK_WORLD_H

#include <stdbool.h>

#include "ldisk.h"

#define W_MAX     32
#define W_LOG     128
#define W_TEXT    1024

typedef struct {
    char name[128];
    char live[W_TEXT], loaded[W_TEXT];
    bool suspended;
} w_dm;

typedef struct {
    unsigned nlv, ndm, nfile, nres, nlog, actions, fail_at;
    /* A peer (Primary on an Inconsistent disk, its mover dead) that
     * refuses a graceful disconnect: down fails until --force. */
    bool peer_refuses;
    char lv[W_MAX][256];
    w_dm dm[W_MAX];
    char file[W_MAX][256];
    char text[W_MAX][4096];
    struct { char name[64]; bool primary, two, peer; } res[W_MAX];
    char log[W_LOG][400];
} ldisk_world;

/* Empty, with one LV vg/lv whose dm device maps `table`. */
void ldisk_world_init(ldisk_world *w, const char *vg, const char *lv,
                      const char *table);
void ldisk_world_runner(ldisk_world *w, xlmig_ldisk_runner *r);
/* Equal hosts: the same LVs, devices and tables, files, resources. */
bool ldisk_world_same(const ldisk_world *a, const ldisk_world *b);
const char *ldisk_world_file(const ldisk_world *w, const char *path);
const w_dm *ldisk_world_dm(const ldisk_world *w, const char *name);
bool ldisk_world_has_lv(const ldisk_world *w, const char *full);
/* Index of the first log line starting with `prefix`, or -1. */
int ldisk_world_find(const ldisk_world *w, const char *prefix);

#endif
