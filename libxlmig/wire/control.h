/*
 * Control messages between source and destination: one JSON object per
 * CONTROL record, generated and parsed with yajl. Unknown keys are
 * ignored (newer peers may add some); an unknown type, a wrong value
 * type or an oversized field is an error naming the key.
 */
#ifndef XLMIG_CONTROL_H
#define XLMIG_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    XLMIG_MSG_NONE = 0,
    XLMIG_MSG_HELLO,      /* dst->src first: protocol, host, capacity */
    XLMIG_MSG_MIGRATE,    /* src->dst: the domain and what to do */
    XLMIG_MSG_PREPARED,   /* dst->src: checks passed (or not), ready for data */
    XLMIG_MSG_PING,
    XLMIG_MSG_PONG,
    XLMIG_MSG_MEMORY_END, /* src->dst: all memory sent, guest suspended */
    XLMIG_MSG_READY,      /* dst->src: domain restored, paused */
    XLMIG_MSG_GO,         /* src->dst: the commit point */
    XLMIG_MSG_DONE,       /* dst->src: guest runs at the destination */
    XLMIG_MSG_ABORT,      /* either way: stop, roll back */
    XLMIG_MSG_ERROR,      /* either way: failed, with message */
    XLMIG_MSG_DATA_LISTEN, /* dst->src: data streams go to this address */
    XLMIG_MSG__COUNT
} xlmig_msg_type;

#define XLMIG_MSG_MAX_CHECKS 24

typedef struct {
    char *name;
    char *detail;
    bool ok;
} xlmig_msg_check;

typedef struct {
    xlmig_msg_type type;
    uint32_t proto;
    char *host;           /* sender's host name */
    char *backend;        /* "sim" | "xen" */
    char *name;           /* domain name */
    char *uuid;
    char *message;        /* error / abort reason */
    char *config;         /* backend-specific domain config (JSON text) */
    char *xl_config_file; /* migrate: the guest's xl config file's name, */
    char *xl_config;      /* and its text (autostart.h) */
    char *autostart;      /* its /etc/xen/auto entry's name, */
    char *autostart_config; /* its text if a copy; absent: a link */
    bool autostart_relative; /* the link is relative */
    char *transport;      /* migrate: "ssh" (or absent), "tls", "tcp" */
    char *data_key;       /* migrate: the data path's one-time key, hex */
    char *data_addr;      /* migrate: where the source would connect;
                             data-listen: where the listener is */
    uint64_t streams;     /* migrate: data streams */
    uint64_t port;        /* data-listen: the listener's port */
    char *local_disks;    /* migrate: disks carried over temporary DRBD
                             (ldisk_hooks.h), JSON text */
    uint64_t mem_bytes;
    uint64_t page_size;
    uint64_t free_bytes;
    uint64_t value;       /* ping/pong payload, pages count, ... */
    uint64_t hash;        /* memory digest, sent as hex */
    uint64_t took_ns;     /* ready: the destination's own time from the
                             memory stream's end to ready; done (one
                             flight): from it to the guest running */
    uint64_t codec;       /* hello: record codings it decodes; migrate:
                             those it will send (codec.h) */
    uint64_t activate_ns; /* done (one flight): of took_ns, the part
                             from go to the guest running */
    uint64_t after_drain_ns; /* done (one flight): from its answer to
                             the drain record to the same instant */
    uint64_t budget_ns;   /* go (one flight): restored later than this
                             after memory-end, the guest is not started */
    uint64_t restore_ns;  /* prepared: the destination's own recent
                             restore cost (restore_cost.h); 0: none */
    uint64_t hotplug_ns;  /* done: the disks' hotplug scripts' own time
                             in the restore, */
    uint64_t hotplug_fast; /* how many of them took their fast path, */
    uint64_t hotplug_n;   /* of how many that said */
    int64_t code;         /* rc for error, exit status, ... */
    bool dry_run;
    bool verified;
    bool ok;
    bool not_started;     /* dst->src after go: the guest never ran
                             here and never will: safe to resume */
    bool one_flight;      /* hello (dst): can take the one-flight
                             switchover; migrate (src): it is used */
    bool drain;           /* hello (dst): answers drain records (drain.h) */
    unsigned nchecks;
    xlmig_msg_check checks[XLMIG_MSG_MAX_CHECKS];
} xlmig_msg;

void xlmig_msg_init(xlmig_msg *m, xlmig_msg_type type);
void xlmig_msg_dispose(xlmig_msg *m);
const char *xlmig_msg_type_str(xlmig_msg_type t);

/* Helpers that copy their string argument. */
int xlmig_msg_set(char **field, const char *value);
int xlmig_msg_add_check(xlmig_msg *m, const char *name, bool ok,
                        const char *detail);

/* Encode to JSON text; *out is malloc'd, not NUL counted in *len. */
int xlmig_msg_encode(const xlmig_msg *m, char **out, size_t *len);
/* Decode len bytes (need not be NUL-terminated). m must be init'ed. */
int xlmig_msg_decode(const char *buf, size_t len, xlmig_msg *m);

#endif
