/*
 * What `xl-migrate-drbd recover` decides, as a pure function of what it
 * found on both hosts: the copies of one guest under its three names
 * (<name>, <name>--incoming, <name>--migratedaway) and their states,
 * the guest's DRBD role, whether its DRBD window (allow-two-primaries)
 * is open, leftover migration tokens on each host, and a CPU cap left
 * lowered by a throttling migration that died.
 * The table it implements is in docs/reliability.md; the rules that
 * never bend: a running copy is never destroyed, and anything the
 * rules do not settle is refused with the reason, touching nothing.
 */
#ifndef XLMIG_RECOVER_PLAN_H
#define XLMIG_RECOVER_PLAN_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    XLMIG_DS_NONE = 0,       /* no such domain */
    XLMIG_DS_RUNNING,
    XLMIG_DS_PAUSED,
    XLMIG_DS_SUSPENDED,      /* stopped by a save, resumable */
    XLMIG_DS_OTHER,          /* crashed, dying, shut down */
    XLMIG_DS__COUNT
} xlmig_dom_state;

typedef enum {
    XLMIG_COPY_NAME = 0,     /* <name> */
    XLMIG_COPY_INCOMING,     /* <name>--incoming: restored, not started */
    XLMIG_COPY_AWAY,         /* <name>--migratedaway (xl's source name) */
    XLMIG_COPY__COUNT
} xlmig_copy;

typedef enum {
    XLMIG_DISKS_UNKNOWN = 0,  /* could not tell */
    XLMIG_DISKS_NONE,         /* no DRBD disks */
    XLMIG_DISKS_PRIMARY,      /* every resource Primary */
    XLMIG_DISKS_SECONDARY,    /* every resource Secondary */
    XLMIG_DISKS_MIXED,
    XLMIG_DISKS__COUNT
} xlmig_disk_role;

/* Carried along for the hosts' own use; the plan does not read them. */
#define XLMIG_VIEW_UUID_LEN 40
#define XLMIG_VIEW_RES_LEN 128
#define XLMIG_VIEW_LOCK_LEN 96

typedef struct {
    bool reachable;
    xlmig_dom_state copy[XLMIG_COPY__COUNT];
    xlmig_disk_role drbd;
    bool window;             /* allow-two-primaries on for one of them */
    unsigned tokens;         /* migration tokens for this guest */
    bool capped;             /* its CPU cap was left lowered by a
                                migration no longer running
                                (throttle_cap.h) */
    char uuid[XLMIG_VIEW_UUID_LEN];     /* the guest's, "" unknown */
    char resources[XLMIG_VIEW_RES_LEN]; /* "r0,r1", "" unknown or none */
    char locked_by[XLMIG_VIEW_LOCK_LEN]; /* the guest lock's live holder
                                            there, "" none (lock.h) */
} xlmig_host_view;

enum { XLMIG_HOST_LOCAL = 0, XLMIG_HOST_PEER = 1 };

typedef enum {
    XLMIG_ACT_DESTROY = 0,
    XLMIG_ACT_RENAME,        /* copy -> to */
    XLMIG_ACT_RESUME,        /* a suspended copy runs again */
    XLMIG_ACT_UNPAUSE,
    XLMIG_ACT_DEMOTE,        /* DRBD Secondary */
    XLMIG_ACT_PROMOTE,       /* DRBD Primary */
    XLMIG_ACT_DROP_TOKENS,
    XLMIG_ACT_CLOSE_WINDOW,  /* DRBD allow-two-primaries off */
    XLMIG_ACT_RESTORE_CAP,   /* the guest's own CPU cap back, record gone */
    XLMIG_ACT__COUNT
} xlmig_act;

typedef struct {
    int host;                /* XLMIG_HOST_* */
    xlmig_act act;
    xlmig_copy copy;
    xlmig_copy to;           /* RENAME only */
} xlmig_action;

typedef enum {
    XLMIG_PLAN_NOTHING = 0,  /* one running guest, window closed */
    XLMIG_PLAN_ACT,
    XLMIG_PLAN_REFUSE,
} xlmig_verdict;

/* Operator's word for two running copies: which one to keep. */
typedef enum {
    XLMIG_KEEP_AUTO = 0,
    XLMIG_KEEP_LOCAL,
    XLMIG_KEEP_PEER,
} xlmig_keep;

#define XLMIG_PLAN_MAX 16

typedef struct {
    xlmig_verdict verdict;
    int keeper;              /* host the guest runs on afterwards, or -1 */
    xlmig_copy keeper_copy;  /* its name before any rename */
    char why[256];           /* the rule that decided, in words */
    unsigned n;
    xlmig_action a[XLMIG_PLAN_MAX];
} xlmig_plan;

void xlmig_host_view_init(xlmig_host_view *v);
int xlmig_recover_plan(const xlmig_host_view *local,
                       const xlmig_host_view *peer, xlmig_keep keep,
                       xlmig_plan *out);

const char *xlmig_dom_state_str(xlmig_dom_state s);
int xlmig_dom_state_parse(const char *s);      /* -1 if unknown */
const char *xlmig_disk_role_str(xlmig_disk_role r);
int xlmig_disk_role_parse(const char *s);      /* -1 if unknown */
const char *xlmig_act_str(xlmig_act a);
int xlmig_act_parse(const char *s);            /* -1 if unknown */
/* "<name>", "<name>--incoming", "<name>--migratedaway" */
int xlmig_copy_name(const char *name, xlmig_copy c, char *buf, size_t len);

#endif
