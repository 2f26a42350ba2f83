/*
 * A client of QEMU's QMP, the device model's JSON control socket
 * (/var/run/xen/qmp-libxl-<domid>), for what an HVM guest's migration
 * needs of it and libxl has no public call for: the dirty log of the
 * VRAM (xen-set-global-dirty-log). QEMU is another process: each reply
 * is one line of JSON, bounded, depth-checked and parsed with yajl;
 * every command has a deadline; a QEMU that closes the socket, sends
 * garbage or answers an error is an error naming what it did.
 */
#ifndef XLMIG_QMP_H
#define XLMIG_QMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XLMIG_QMP_LINE_MAX  (64u * 1024u)
#define XLMIG_QMP_DIR       "/var/run/xen"

typedef enum {
    XLMIG_QMP_GREETING,     /* {"QMP": {...}}, once on connect */
    XLMIG_QMP_RETURN,       /* {"return": ..., "id": N} */
    XLMIG_QMP_ERROR,        /* {"error": {"class", "desc"}, "id": N} */
    XLMIG_QMP_EVENT,        /* {"event": NAME, ...}: skipped */
} xlmig_qmp_kind;

typedef struct {
    xlmig_qmp_kind kind;
    long long id;               /* -1: none */
    char err_class[64];         /* printable, truncated */
    char err_desc[256];
    char event[64];
    long long fdset_id;         /* add-fd's answer, -1: none */
} xlmig_qmp_reply;

/*
 * One line of QMP (without its newline) into r. 0, or XLMIG_E_PROTO
 * recorded with `what` (e.g. "QEMU of domain 5") and what was wrong.
 */
int xlmig_qmp_reply_parse(const char *buf, size_t len, const char *what,
                          xlmig_qmp_reply *r);

typedef struct {
    int fd;
    char *buf;                  /* bytes read, not yet a whole line */
    size_t len;
    long long next_id;
    char what[48];
} xlmig_qmp;

void xlmig_qmp_init(xlmig_qmp *q);
void xlmig_qmp_dispose(xlmig_qmp *q);

/*
 * Take fd (a connected stream socket; closed by _dispose), read the
 * greeting and leave capabilities negotiation mode, within timeout.
 */
int xlmig_qmp_open_fd(xlmig_qmp *q, int fd, const char *what,
                      uint64_t timeout_ns);
/* Connect to dir/qmp-libxl-<domid> (dir NULL: XLMIG_QMP_DIR). */
int xlmig_qmp_connect(xlmig_qmp *q, const char *dir, uint32_t domid,
                      uint64_t timeout_ns);

/* A command's arguments: a string or a boolean each. */
typedef struct {
    const char *key;
    const char *str;            /* NULL: a boolean */
    bool b;
} xlmig_qmp_arg;

/*
 * Run one command and wait for its answer (events in between are
 * skipped). pass_fd >= 0 goes along with the command (SCM_RIGHTS), as
 * add-fd wants. r may be NULL. An error answer is XLMIG_E_BACKEND
 * naming the command and QEMU's own words.
 */
int xlmig_qmp_exec(xlmig_qmp *q, const char *cmd, const xlmig_qmp_arg *args,
                   unsigned nargs, int pass_fd, uint64_t timeout_ns,
                   xlmig_qmp_reply *r);

/* libxenguest's switch_qemu_logdirty, as libxl does it. */
int xlmig_qmp_set_dirty_log(const char *dir, uint32_t domid, bool enable,
                            uint64_t timeout_ns);

#endif
