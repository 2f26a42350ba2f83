/*
 * Reaching the destination the way xl migrate does: run a command (ssh
 * by default) whose stdin/stdout carry the stream. With an empty ssh
 * command the host argument is the whole command, run locally. There is
 * never a listening socket.
 */
#ifndef XLMIG_TRANSPORT_H
#define XLMIG_TRANSPORT_H

#include <sys/types.h>

typedef struct {
    pid_t pid;
    int send_fd;    /* child's stdin */
    int recv_fd;    /* child's stdout */
    char *rune;
} xlmig_transport;

void xlmig_transport_init(xlmig_transport *t);
/*
 * Build the command: "exec <ssh> <host> <receiver>" or, with ssh == "",
 * host itself. Returns malloc'd string or NULL.
 */
char *xlmig_transport_rune(const char *ssh, const char *host,
                           const char *receiver);
int xlmig_transport_spawn(xlmig_transport *t, const char *rune);
/* Close our ends (the child sees EOF). Idempotent. */
void xlmig_transport_close_fds(xlmig_transport *t);
/*
 * Close and reap the child, waiting at most wait_ms before killing it.
 * Returns its wait status in *status (or -1). Idempotent.
 */
void xlmig_transport_dispose(xlmig_transport *t, int wait_ms, int *status);
/* "exited with status N" / "killed by signal N" */
const char *xlmig_transport_status_str(int status, char *buf, size_t len);

#endif
