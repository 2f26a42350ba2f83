/*
 * Reaching the destination the way xl migrate does: run a command (ssh
 * by default) whose stdin/stdout carry the control channel (and with
 * --transport ssh the memory too; otherwise the data path, datapath.h,
 * carries it). Nothing here listens, and there is no local shell: ssh
 * is run from an argument
 * vector, "<ssh words> -- <host> <remote command>", the -s command split
 * into words here (xlmig_cmd_split). With an empty ssh command the host
 * argument is the operator's whole receiver command, run as given by
 * /bin/sh -c, as xl does.
 */
#ifndef XLMIG_TRANSPORT_H
#define XLMIG_TRANSPORT_H

#include <sys/types.h>

typedef struct {
    pid_t pid;
    int send_fd;    /* child's stdin */
    int recv_fd;    /* child's stdout */
    char *rune;     /* the command, words joined: for messages */
} xlmig_transport;

/* An argument vector being built: argv[argc] is NULL. */
typedef struct {
    char **argv;
    unsigned argc;
} xlmig_cmd;

void xlmig_cmd_init(xlmig_cmd *c);
void xlmig_cmd_dispose(xlmig_cmd *c);
int xlmig_cmd_add(xlmig_cmd *c, const char *word);
/*
 * Append the words of an -s command. Blanks separate words; '...'
 * keeps everything inside, "..." too except that \ and \" stand for
 * \ and ", and outside quotes \ keeps the next character. No
 * expansion of any kind: an unquoted $ ` ; & | < > ( ) { } * ? [ ] ~
 * # or newline is refused, naming `what` (the command is not run by a
 * shell, so they would not mean what they seem to). An empty or blank
 * command is refused too.
 */
int xlmig_cmd_split(xlmig_cmd *c, const char *what, const char *line);

/*
 * The transport command: with ssh == "", /bin/sh -c <host>; otherwise
 * the words of ssh (NULL: "ssh"), "--", host, remote. host must pass
 * xlmig_name_host_ok (refused naming it otherwise).
 */
int xlmig_transport_cmd(xlmig_cmd *c, const char *ssh, const char *host,
                        const char *remote);

void xlmig_transport_init(xlmig_transport *t);
/* fork + execvp(argv[0], argv) with the stream on its stdin/stdout. */
int xlmig_transport_spawn(xlmig_transport *t, const char *const *argv);
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
