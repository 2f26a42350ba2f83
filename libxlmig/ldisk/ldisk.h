/*
 * Local disks (issue 18): a guest whose disks are local LVM logical
 * volumes moves over a temporary DRBD resource, set up for the move
 * and gone afterwards (docs/design.md, "Local disks over a temporary
 * DRBD resource").
 *
 * Layers:
 *   ldisk_parse.c  pure parsers: `lvs/vgs --reportformat json` (yajl),
 *                  `dmsetup table`, DRBD's sync progress
 *   ldisk_gen.c    generated text: resource file, device-mapper tables,
 *                  the metadata size, device and LV names
 *   ldisk_plan.c   the plan of steps for each side, each with its undo
 *   ldisk_run.c    running a plan through a runner (commands as argv,
 *                  files), undoing what ran on the first failure
 *   ldisk_journal.c  the small journal of one temporary resource
 *   ldisk_exec.c   the real runner: no shell, deadline, bounded output
 *   ldisk_wire.c   the disks as the migrate request carries them
 *   ldisk_config.c the carried domain config onto the destination's VG
 *   ldisk_hooks.c  the phase machine's hooks (ldisk_hooks.h): shared
 *                  parts; ldisk_src.c, ldisk_dst.c each side's hooks
 *   ldisk_peer.c   after a rollback, the destination's cleanup run
 *                  there from the source
 *
 * Nothing here reaches a shell; every name that goes into a command
 * line, a table or a resource file has been checked by
 * xlmig_ldisk_name_ok first.
 */
#ifndef XLMIG_LDISK_H
#define XLMIG_LDISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks.h"
#include "drbd.h"

#define XLMIG_LDISK_NAME_MAX   128   /* VG and LV names (LVM allows 127) */
#define XLMIG_LDISK_MAX_LVS    256   /* rows of one lvs report */
#define XLMIG_LDISK_MAX_SEGS   64    /* lines of one dm table */
#define XLMIG_LDISK_LINE_MAX   512   /* one dm table line */
#define XLMIG_LDISK_MAX_DISKS  8     /* per guest */
#define XLMIG_LDISK_ARGS       16    /* argv of one step, NULL included */
#define XLMIG_LDISK_ARG_MAX    320
#define XLMIG_LDISK_PATH_MAX   256
#define XLMIG_LDISK_SECTOR     512u

/* VG and LV names as LVM allows them: [A-Za-z0-9+_.-], not "-" first. */
bool xlmig_ldisk_name_ok(const char *s);

/* One row of `lvs --reportformat json --units b --nosuffix -o ...`. */
typedef struct {
    char vg[XLMIG_LDISK_NAME_MAX];
    char lv[XLMIG_LDISK_NAME_MAX];
    uint64_t size;                       /* bytes */
    char attr[16];                       /* "-wi-ao----" */
    char segtype[32];                    /* "linear", "striped", "thin" */
    char origin[XLMIG_LDISK_NAME_MAX];   /* a snapshot's origin, or "" */
    char pool[XLMIG_LDISK_NAME_MAX];     /* a thin LV's pool, or "" */
} xlmig_ldisk_lv;

/* One row of `vgs --reportformat json --units b --nosuffix -o ...`. */
typedef struct {
    char vg[XLMIG_LDISK_NAME_MAX];
    uint64_t free;                       /* bytes */
    uint64_t extent;                     /* bytes */
} xlmig_ldisk_vg;

/* The lvs/vgs fields asked for; the parsers expect exactly these. */
#define XLMIG_LDISK_LVS_FIELDS "vg_name,lv_name,lv_size,lv_attr,segtype," \
                               "origin,pool_lv"
#define XLMIG_LDISK_VGS_FIELDS "vg_name,vg_free,vg_extent_size"

/*
 * Pure parsers: len bytes, no NUL needed; anything unexpected is one
 * error line naming `what` (XLMIG_E_EXTERNAL), a name that is not an
 * LVM name included.
 */
int xlmig_ldisk_parse_lvs(const char *buf, size_t len, const char *what,
                          xlmig_ldisk_lv *out, unsigned max, unsigned *n);
int xlmig_ldisk_parse_vgs(const char *buf, size_t len, const char *what,
                          xlmig_ldisk_vg *out, unsigned max, unsigned *n);

/* One dm table: contiguous segments from sector 0. */
typedef struct {
    unsigned n;
    uint64_t sectors;                    /* sum of the lengths */
    struct {
        uint64_t start, len;
        char target[32];                 /* "linear", "striped" */
        char args[XLMIG_LDISK_LINE_MAX];
    } seg[XLMIG_LDISK_MAX_SEGS];
} xlmig_ldisk_table;

/*
 * `dmsetup table NAME`. Only targets that map straight onto extents
 * (linear, striped) are taken: anything else (a snapshot, thin, a
 * table already ours onto DRBD) is refused, naming it.
 */
int xlmig_ldisk_parse_table(const char *buf, size_t len, const char *what,
                            xlmig_ldisk_table *t);
/* The table as dmsetup reads it back (one line per segment). */
int xlmig_ldisk_table_text(const xlmig_ldisk_table *t, char **out);

/* DRBD's resync progress of one resource. */
typedef struct {
    bool found;
    char repl[XLMIG_DRBD_NAME_MAX];      /* "SyncSource", "Established" */
    char disk[XLMIG_DRBD_NAME_MAX];      /* this side's disk state */
    char peer_disk[XLMIG_DRBD_NAME_MAX];
    uint64_t oos_bytes;                  /* out of sync, still to go */
} xlmig_ldisk_sync;

/* DRBD 8.4 /proc/drbd: the entry of minor. */
int xlmig_ldisk_parse_proc(const char *buf, size_t len, int minor,
                           xlmig_ldisk_sync *s);
/* DRBD 9 `drbdsetup status --json --statistics RES`. */
int xlmig_ldisk_parse_status(const char *buf, size_t len, const char *res,
                             xlmig_ldisk_sync *s);
/* In sync: both disks UpToDate, nothing out of sync. */
bool xlmig_ldisk_sync_done(const xlmig_ldisk_sync *s);

/* Configuration (xlmig.conf: local_disk_vg, local_disk_minors, ...). */
typedef struct {
    char vg[XLMIG_LDISK_NAME_MAX];       /* "": the source's VG name */
    int minor_lo, minor_hi;              /* DRBD minors to take */
    int port_lo;                         /* port = port_lo + minor - lo */
    char res_dir[XLMIG_LDISK_PATH_MAX];  /* where drbdadm reads *.res */
    char state_dir[XLMIG_LDISK_PATH_MAX];/* journals and saved tables */
    int drbd_version;                    /* 84 or 9 */
    uint64_t rate_Bps;                   /* resync rate; 0 unlimited */
} xlmig_ldisk_conf;

void xlmig_ldisk_conf_init(xlmig_ldisk_conf *c);

/* One disk to carry: the source LV, its table, the chosen minor. */
typedef struct {
    char vdev[32];
    xlmig_ldisk_lv lv;                   /* on the source */
    char dst_vg[XLMIG_LDISK_NAME_MAX];
    int minor, port;
    uint64_t md_bytes;                   /* each side's metadata LV */
} xlmig_ldisk_disk;

#define XLMIG_ADDR_TEXT_MAX 64

/* The two ends, by the names drbdadm matches ("on" sections). */
typedef struct {
    char name[XLMIG_DRBD_NAME_MAX];
    char addr[XLMIG_ADDR_TEXT_MAX];      /* IPv4 or IPv6, no port */
} xlmig_ldisk_end;

/* An IPv4 or IPv6 address (hex digits, dots, colons), no port. */
bool xlmig_ldisk_addr_ok(const char *a);

/* Generated names. */
void xlmig_ldisk_res_name(int minor, char *out, size_t sz);   /* xlmig-M */
void xlmig_ldisk_lower_name(int minor, char *out, size_t sz); /* ...-lower */
void xlmig_ldisk_md_name(int minor, char *out, size_t sz);    /* ...-md */
/* LVM's dm name: "-" doubled in each part, joined by "-". */
int xlmig_ldisk_dm_name(const char *vg, const char *lv, char *out,
                        size_t sz);

/*
 * External metadata for data_bytes and one peer, per DRBD's formula:
 * ceil(sectors / 2^18) * 8 * peers + 72 sectors, rounded up to 1 MiB.
 */
uint64_t xlmig_ldisk_md_bytes(uint64_t data_bytes, unsigned peers);

/* The resource file both sides generate for disk d (NUL-terminated). */
int xlmig_ldisk_res_text(const xlmig_ldisk_conf *c, const xlmig_ldisk_disk *d,
                         const xlmig_ldisk_end *src,
                         const xlmig_ldisk_end *dst, char **out);
/*
 * "0 <sectors> linear 147:M 0\n": the guest's LV onto DRBD, by device
 * number (DRBD's major is 147), so no /dev node is needed (a dom0
 * without udevd has none for a new minor).
 */
#define XLMIG_LDISK_DRBD_MAJOR 147
int xlmig_ldisk_drbd_table(const xlmig_ldisk_disk *d, char *out, size_t sz);

/*
 * Refusals: why lv cannot be carried ("" when it can): not linear or
 * striped, thin, a snapshot or an origin of one, inactive.
 */
bool xlmig_ldisk_lv_refused(const xlmig_ldisk_lv *lv, char *why, size_t sz);
/* Is a disk target a local LV path /dev/VG/LV or /dev/mapper/VG-LV? */
bool xlmig_ldisk_target_lv(const char *target, char *vg, char *lv,
                           size_t sz);

/*
 * The carried domain config (libxl's JSON) with each of disks' entries
 * (by vdev) naming its LV in dst_vg, in the form it had; the rest is
 * copied. A config that does not parse, or that lacks a disk or names
 * another LV for it, is one error (XLMIG_E_PROTO) and *out stays NULL.
 */
int xlmig_ldisk_config_rewrite(const xlmig_ldisk_disk *disks, unsigned n,
                               const char *json, size_t len, char **out);
/*
 * d's LV in volume group vg as prefix + /dev/VG/LV, or with mapper
 * prefix + /dev/mapper/VG-LV (dm_name); too long is an error naming d.
 */
int xlmig_ldisk_lv_path(const xlmig_ldisk_disk *d, const char *vg,
                        bool mapper, const char *prefix, char *out,
                        size_t sz);
/*
 * The guest's xl config file text with each of disks' LVs named in its
 * dst_vg wherever the text names it as a whole path, in the same form
 * (ldisk_xlcfg.c); a disk whose VG changes and that the text does not
 * name is an error and *out stays NULL.
 */
int xlmig_ldisk_xlcfg_rewrite(const xlmig_ldisk_disk *disks, unsigned n,
                              const char *text, char **out);

/* ---- Plans -------------------------------------------------------- */

typedef enum {
    XLMIG_LDISK_NONE = 0,
    XLMIG_LDISK_CMD,                     /* run argv */
    XLMIG_LDISK_WRITE,                   /* write text to path */
    XLMIG_LDISK_UNLINK,                  /* remove path (gone is fine) */
    XLMIG_LDISK_SAVE_TABLE,              /* dmsetup table argv[..] into
                                            path, checked by the parser */
} xlmig_ldisk_kind;

typedef struct {
    xlmig_ldisk_kind kind;
    unsigned argc;
    char argv[XLMIG_LDISK_ARGS][XLMIG_LDISK_ARG_MAX];
    char path[XLMIG_LDISK_PATH_MAX];
    char *text;                          /* WRITE: owned */
} xlmig_ldisk_action;

typedef struct {
    char what[96];                       /* for the log and errors */
    xlmig_ldisk_action act;
    xlmig_ldisk_action undo, undo2;      /* kind NONE: nothing; undo2
                                            runs after undo */
    bool undo2_anyway;                   /* undo2 even if undo failed */
} xlmig_ldisk_step;

typedef struct {
    unsigned n, cap;
    xlmig_ldisk_step *steps;
} xlmig_ldisk_plan;

void xlmig_ldisk_plan_init(xlmig_ldisk_plan *p);
void xlmig_ldisk_plan_dispose(xlmig_ldisk_plan *p);
/* "lvcreate -n x ..." for the log; NUL-terminated, cut at sz. */
void xlmig_ldisk_action_str(const xlmig_ldisk_action *a, char *out,
                            size_t sz);

/*
 * The stages. Source: setup (metadata LV, the lower device over the
 * LV's own table, DRBD up alone and Primary, then the guest's LV
 * reloaded onto DRBD), and after the commit teardown (the LV's own
 * table back, DRBD down, temporaries gone; the LV itself kept).
 * Destination: setup (the new LV, metadata, lower device, DRBD up:
 * the sync starts), attach once Primary (its guest's LV onto DRBD),
 * and after the commit teardown (the LV onto its own extents again,
 * DRBD down, temporaries gone). delete: the kept source LV removed.
 */
int xlmig_ldisk_plan_src_setup(const xlmig_ldisk_conf *c,
                               const xlmig_ldisk_disk *d,
                               const xlmig_ldisk_end *src,
                               const xlmig_ldisk_end *dst,
                               xlmig_ldisk_plan *p);
int xlmig_ldisk_plan_src_teardown(const xlmig_ldisk_conf *c,
                                  const xlmig_ldisk_disk *d,
                                  xlmig_ldisk_plan *p);
int xlmig_ldisk_plan_dst_setup(const xlmig_ldisk_conf *c,
                               const xlmig_ldisk_disk *d,
                               const xlmig_ldisk_end *src,
                               const xlmig_ldisk_end *dst,
                               xlmig_ldisk_plan *p);
int xlmig_ldisk_plan_dst_attach(const xlmig_ldisk_conf *c,
                                const xlmig_ldisk_disk *d,
                                xlmig_ldisk_plan *p);
int xlmig_ldisk_plan_dst_teardown(const xlmig_ldisk_conf *c,
                                  const xlmig_ldisk_disk *d,
                                  xlmig_ldisk_plan *p);
int xlmig_ldisk_plan_delete(const xlmig_ldisk_lv *lv, xlmig_ldisk_plan *p);

/* ---- Running ------------------------------------------------------ */

/* How actions are carried out: the real one (ldisk_exec.c) or a fake. */
typedef struct {
    void *arg;
    /* Run argv; *status its exit code; out (NUL-terminated, owned by
     * the caller afterwards) what it printed, if asked for. */
    int (*run)(void *arg, const char *const *argv, int *status,
               char **out, size_t *out_len, char *err, size_t errsz);
    int (*write)(void *arg, const char *path, const char *text);
    int (*unlink)(void *arg, const char *path);
} xlmig_ldisk_runner;

/* The real runner: xlmig_drbd_exec, timeout_ns per command. */
void xlmig_ldisk_runner_real(xlmig_ldisk_runner *r, uint64_t *timeout_ns);

/*
 * Run p's steps in order; *done counts those that completed. On the
 * first failure, undo what completed in reverse (best effort: an undo
 * that fails is logged, the others still run) and return the failure.
 * progress(arg, i) is called after step i (the journal records it).
 */
int xlmig_ldisk_plan_run(const xlmig_ldisk_plan *p,
                         const xlmig_ldisk_runner *r,
                         void (*progress)(void *arg, unsigned i),
                         void *parg, unsigned *done);
/* Undo steps [0, done) of p in reverse: a later rollback. */
int xlmig_ldisk_plan_undo(const xlmig_ldisk_plan *p, unsigned done,
                          const xlmig_ldisk_runner *r);
/* Run one action; for SAVE_TABLE, the table is parsed before written. */
int xlmig_ldisk_action_run(const xlmig_ldisk_action *a,
                           const xlmig_ldisk_runner *r);

#endif
