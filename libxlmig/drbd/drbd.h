/*
 * DRBD resources under a domain's disks: find them, read their state
 * through drbdadm/drbdsetup (DRBD 8.4 and 9), and open and close the
 * dual-primary window a live migration needs.
 *
 * Layers:
 *   drbd_parse.c   pure parsers, buffer + length in, struct out; any
 *                  output they do not recognise is an error naming the
 *                  resource and what was unexpected
 *   drbd_exec.c    drbdadm/drbdsetup without a shell: argv, bounded
 *                  output, timeout
 *   drbd_window.c  queries and idempotent operations on one resource
 *   drbd_token.c   the migration token the hotplug script looks for
 *   drbd_hooks.c   xlmig_hooks for the phase machine
 *
 * The programs run are drbdadm and drbdsetup from PATH, or whatever
 * XLMIG_DRBDADM and XLMIG_DRBDSETUP name (tests point them at fakes).
 */
#ifndef XLMIG_DRBD_H
#define XLMIG_DRBD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"

#define XLMIG_DRBD_NAME_MAX   64     /* resource, host, state names */
#define XLMIG_DRBD_MAX_RES    16     /* per domain */
#define XLMIG_DRBD_MAX_SHOW   64     /* resources in one show output */
#define XLMIG_DRBD_MAX_VOL    16
#define XLMIG_DRBD_MAX_HOSTS  8
#define XLMIG_DRBD_OUT_MAX    (1u << 20)  /* larger tool output: error */

/* Kernel module generation, from `drbdadm --version`. */
enum {
    XLMIG_DRBD_V84 = 84,
    XLMIG_DRBD_V9 = 9,
};

typedef enum {
    XLMIG_DRBD_ROLE_UNKNOWN = 0,
    XLMIG_DRBD_ROLE_PRIMARY,
    XLMIG_DRBD_ROLE_SECONDARY,
} xlmig_drbd_role;

const char *xlmig_drbd_role_str(xlmig_drbd_role r);

/*
 * Live state of one resource seen from this node. Over several
 * volumes, and over every peer connection (DRBD 9), each state field
 * holds the first one that is not the good value (UpToDate,
 * Established), so one bad volume or peer is never hidden; peer_role
 * is Primary if any peer is.
 */
typedef struct {
    xlmig_drbd_role role, peer_role;
    char cstate[XLMIG_DRBD_NAME_MAX];    /* "Connected", "StandAlone" */
    char repl[XLMIG_DRBD_NAME_MAX];      /* 9: "Established"; 8.4: cstate */
    char disk[XLMIG_DRBD_NAME_MAX];      /* "UpToDate", ... */
    char peer_disk[XLMIG_DRBD_NAME_MAX];
    char peer_name[XLMIG_DRBD_NAME_MAX]; /* 9: connection name */
    unsigned nvol;
    unsigned nconn;                      /* 8.4: 1 once cstate is known */
    unsigned peer_primaries;             /* 9: peers that are Primary */
    int minor;                           /* first volume's, or -1 */
} xlmig_drbd_state;

void xlmig_drbd_state_init(xlmig_drbd_state *s);
/* Connected, replication established, UpToDate on both sides. */
bool xlmig_drbd_state_synced(const xlmig_drbd_state *s);

/* One resource as `drbdsetup show --show-defaults` reports it. */
typedef struct {
    char name[XLMIG_DRBD_NAME_MAX];
    char protocol;                       /* 'A', 'B', 'C'; 0 not shown */
    int two_primaries;                   /* 1, 0, or -1 not shown */
    char peer_name[XLMIG_DRBD_NAME_MAX]; /* 9: net _name */
    unsigned nconn;
    unsigned nminors;
    int minors[XLMIG_DRBD_MAX_VOL];
} xlmig_drbd_show_res;

typedef struct {
    unsigned n;
    xlmig_drbd_show_res res[XLMIG_DRBD_MAX_SHOW];
} xlmig_drbd_show;

const xlmig_drbd_show_res *xlmig_drbd_show_find(const xlmig_drbd_show *s,
                                                const char *name);
const xlmig_drbd_show_res *xlmig_drbd_show_by_minor(const xlmig_drbd_show *s,
                                                    int minor);

/* One resource's configuration as `drbdadm dump RES` prints it. */
typedef struct {
    char name[XLMIG_DRBD_NAME_MAX];
    int minor;                           /* resource-level device, or -1 */
    unsigned nhosts;
    struct {
        char name[XLMIG_DRBD_NAME_MAX];
        int minor;                       /* from the host section, or -1 */
    } hosts[XLMIG_DRBD_MAX_HOSTS];
} xlmig_drbd_conf;

/* A DRBD-backed disk of a domain, from its libxl config. */
typedef struct {
    char vdev[32];
    char target[128];                    /* as configured */
    char res[XLMIG_DRBD_NAME_MAX];       /* "" when given as /dev/drbdN */
    int minor;                           /* -1 when given by name */
} xlmig_drbd_disk;

/*
 * Pure parsers. Each reads exactly len bytes (no NUL needed), records
 * a one-line error with xlmig_err naming `res` and returns
 * XLMIG_E_EXTERNAL on anything it does not recognise, truncated input
 * included, and XLMIG_E_NOMEM/XLMIG_E_INVAL as usual.
 */
/* `drbdadm --version`: kernel module generation (84 or 9). */
int xlmig_drbd_parse_version(const char *buf, size_t len, int *version,
                             char *kver, size_t kver_len);
/* DRBD 8.4 `drbdadm role|cstate|dstate RES`: one line per volume. */
int xlmig_drbd_parse_role84(const char *buf, size_t len, const char *res,
                            xlmig_drbd_state *s);
int xlmig_drbd_parse_cstate84(const char *buf, size_t len, const char *res,
                              xlmig_drbd_state *s);
int xlmig_drbd_parse_dstate84(const char *buf, size_t len, const char *res,
                              xlmig_drbd_state *s);
/* DRBD 8.4 /proc/drbd: the lines of res's minors (drbd_parse_proc.c). */
int xlmig_drbd_parse_proc84(const char *buf, size_t len, const char *res,
                            const int *minors, unsigned nminors,
                            xlmig_drbd_state *s);
/* DRBD 9 `drbdsetup status --json [RES]`: the entry named res. */
int xlmig_drbd_parse_status_json(const char *buf, size_t len,
                                 const char *res, xlmig_drbd_state *s);
/* DRBD 9 `drbdsetup events2 --now [RES]`: the lines about res. */
int xlmig_drbd_parse_events2(const char *buf, size_t len, const char *res,
                             xlmig_drbd_state *s);
/* `drbdsetup show [--show-defaults]`, 8.4 and 9 syntax. */
int xlmig_drbd_parse_show(const char *buf, size_t len, const char *what,
                          xlmig_drbd_show *out);
/* `drbdadm dump RES`, 8.4 and 9 syntax. */
int xlmig_drbd_parse_dump(const char *buf, size_t len, const char *res,
                          xlmig_drbd_conf *out);
/* Is a disk DRBD's: a block-drbd* script, or a drbd:/dev/drbd target? */
bool xlmig_drbd_is_disk(const char *script, const char *target);
/* A disk target: "drbd:r0", "r0", "/dev/drbd0", "/dev/drbd/by-res/r0". */
int xlmig_drbd_parse_target(const char *target, xlmig_drbd_disk *d);
/*
 * libxl domain config JSON (libxl_domain_config_to_json): the disks
 * whose script is block-drbd* or whose target says drbd. Disks on one
 * resource are reported once.
 */
int xlmig_drbd_parse_disks(const char *buf, size_t len,
                           xlmig_drbd_disk *out, unsigned max,
                           unsigned *n);

/*
 * Running a tool. out/err are NUL-terminated; status is the exit code,
 * or -1 when it died of a signal or was killed at the timeout.
 */
typedef struct {
    int status;
    char *out, *err;
    size_t out_len, err_len;
    bool truncated;                      /* output over the limit */
    bool timed_out;
} xlmig_drbd_out;

void xlmig_drbd_out_init(xlmig_drbd_out *o);
void xlmig_drbd_out_dispose(xlmig_drbd_out *o);
/*
 * fork + execvp(argv[0]) with stdin /dev/null, in its own process
 * group (killed whole at the timeout). Returns 0 once the program ran,
 * whatever its exit status; an error only if it could not be run.
 */
int xlmig_drbd_exec(const char *const *argv, uint64_t timeout_ns,
                    xlmig_drbd_out *o);
/* "drbdadm"/"drbdsetup", or $XLMIG_DRBDADM/$XLMIG_DRBDSETUP. */
const char *xlmig_drbd_prog_adm(void);
const char *xlmig_drbd_prog_setup(void);

/* One resource under the domain, resolved. */
typedef struct {
    char name[XLMIG_DRBD_NAME_MAX];
    int minor;
    char peer[XLMIG_DRBD_NAME_MAX];      /* peer host, from the config */
    bool opened;                         /* we turned two-primaries on */
    unsigned nminors;                    /* its volumes' minors, once */
    int minors[XLMIG_DRBD_MAX_VOL];      /* the window opened (show) */
    bool promoted;                       /* we promoted it */
} xlmig_drbd_res;

/* Per-host DRBD context: the domain's resources and the knobs. */
typedef struct xlmig_drbd {
    int version;                         /* 0 until detected */
    char kver[32];
    char local_host[XLMIG_DRBD_NAME_MAX];
    uint64_t cmd_timeout_ns;             /* one drbdadm call */
    uint64_t sync_timeout_ns;            /* wait for UpToDate/UpToDate */
    uint64_t peer_timeout_ns;            /* wait for the peer to demote */
    uint64_t promote_timeout_ns;         /* wait for the peer's window */
    uint64_t token_ttl_s;
    char token_dir[256];
    unsigned nres;
    xlmig_drbd_res res[XLMIG_DRBD_MAX_RES];
    /* Hook state: the domain the window is for. */
    char dom_name[128];
    char dom_uuid[64];
    bool tokens_written;
} xlmig_drbd;

/*
 * Defaults; XLMIG_TOKEN_DIR and XLMIG_HOSTNAME (tests) are honoured.
 * Nothing is run until a query or an operation needs it.
 */
int xlmig_drbd_init(xlmig_drbd *d);
void xlmig_drbd_dispose(xlmig_drbd *d);

/* Module generation: 84 or 9; cached. */
int xlmig_drbd_detect(xlmig_drbd *d);
/*
 * Fill d->res from the domain's libxl config JSON: names resolved,
 * minors and peers from the DRBD configuration.
 */
int xlmig_drbd_find_resources(xlmig_drbd *d, const char *config_json);
/* Add one resource by target ("r0", "drbd:r0", "/dev/drbd0"). */
int xlmig_drbd_add_resource(xlmig_drbd *d, const char *target);

int xlmig_drbd_query(xlmig_drbd *d, const char *res, xlmig_drbd_state *s);
/*
 * The state of r as xlmig_drbd_query reads it, without a command where
 * the module says it in /proc/drbd (8.4, minors known since the window
 * opened): inside the downtime, three drbdadm runs cost seconds on a
 * slow host. Falls back to xlmig_drbd_query otherwise.
 */
int xlmig_drbd_query_fast(xlmig_drbd *d, const xlmig_drbd_res *r,
                          xlmig_drbd_state *s);
int xlmig_drbd_query_net(xlmig_drbd *d, const char *res,
                         xlmig_drbd_show_res *out);

/* Idempotent window operations on one resource. */
int xlmig_drbd_open_window(xlmig_drbd *d, xlmig_drbd_res *r);
int xlmig_drbd_wait_synced(xlmig_drbd *d, xlmig_drbd_res *r,
                           uint64_t timeout_ns);
int xlmig_drbd_promote(xlmig_drbd *d, xlmig_drbd_res *r);
int xlmig_drbd_demote(xlmig_drbd *d, xlmig_drbd_res *r);
/*
 * Back to one primary: if this side no longer runs the guest, demote
 * first (demote true); then wait for the peer not to be Primary too
 * (read with xlmig_drbd_query_fast: no command while it waits, once
 * the window's minors are known), then allow-two-primaries off.
 */
int xlmig_drbd_close_window(xlmig_drbd *d, xlmig_drbd_res *r, bool demote);

/*
 * Migration tokens: TOKEN_DIR/<uuid>.<resource>, with the domain name
 * and an expiry time (seconds since the epoch) inside.
 */
int xlmig_drbd_token_write(const xlmig_drbd *d, const char *res);
int xlmig_drbd_token_remove(const xlmig_drbd *d, const char *res);

/*
 * Beside the token, once promoted (drbd_prepared.c): the device for the
 * hotplug script's fast path, TOKEN_DIR/<uuid>.<resource>.ready; and
 * removing it with the script's timing (.took). A failed write costs
 * only the fast path.
 */
int xlmig_drbd_ready_write(const xlmig_drbd *d, const xlmig_drbd_res *r);
void xlmig_drbd_prepared_remove(const xlmig_drbd *d, const char *res);
/* The script's .took lines ("add fast|full T0 T1"): 1 and the last
 * add's time, or 0 with none. */
int xlmig_drbd_took_parse(const char *buf, size_t len, uint64_t *ns,
                          bool *fast);
/* Over the domain's resources: the adds' total time, how many fast, of
 * how many that left a timing. */
void xlmig_drbd_took_sum(const xlmig_drbd *d, uint64_t *ns, unsigned *fast,
                         unsigned *n);

/*
 * The phase machine's hooks, backed by d (which must outlive them).
 * Source: precheck finds the resources from the domain's config and
 * checks them against the destination; prepare opens the window;
 * commit demotes (if the destroy's hotplug remove did not) and closes;
 * rollback closes, keeping this side Primary. Destination: check does
 * the same checks from the request's config; prepare opens, writes the
 * tokens and promotes; commit closes keeping Primary; rollback demotes,
 * removes the tokens and closes.
 */
int xlmig_drbd_hooks_init(xlmig_drbd *d, xlmig_hooks *out);
void xlmig_drbd_hooks_dispose(xlmig_drbd *d, xlmig_hooks *out);

#endif
