#include "conn.h"

#include <fcntl.h>
#include <unistd.h>

#define REAP_MS 5000

void xlmig_conn_init(xlmig_conn *c)
{
    c->in_fd = c->out_fd = -1;
    c->owned = false;
    c->out_flags = -1;
    c->status = -1;
    xlmig_transport_init(&c->tr);
}

/*
 * A blocking write into a full pipe waits for as long as the peer is
 * silent: non-blocking, every wait goes through the chan's poll and its
 * I/O timeout. Returns the flags to put back, or -1.
 */
static int make_nonblocking(int fd)
{
    int fl = fd >= 0 ? fcntl(fd, F_GETFL) : -1;

    if (fl < 0 || (fl & O_NONBLOCK))
        return -1;
    return fcntl(fd, F_SETFL, fl | O_NONBLOCK) ? -1 : fl;
}

int xlmig_conn_spawn(xlmig_conn *c, const char *const *argv)
{
    int rc = xlmig_transport_spawn(&c->tr, argv);

    if (rc)
        return rc;
    /* The pipe ends are ours now; the transport keeps the child. */
    c->in_fd = c->tr.recv_fd;
    c->out_fd = c->tr.send_fd;
    c->tr.recv_fd = c->tr.send_fd = -1;
    c->owned = true;
    make_nonblocking(c->out_fd);
    return 0;
}

void xlmig_conn_borrow(xlmig_conn *c, int in_fd, int out_fd)
{
    c->in_fd = in_fd;
    c->out_fd = out_fd;
    c->owned = false;
    c->out_flags = make_nonblocking(out_fd);
}

bool xlmig_conn_has_child(const xlmig_conn *c)
{
    return c->tr.pid > 0;
}

/*
 * Ours: closed. Borrowed: the connection dropped, but the number kept
 * taken (by /dev/null), so that the lender's close stays right and no
 * file opened meanwhile lands on it.
 */
static void drop(const xlmig_conn *c, int fd, int null_fd)
{
    if (c->owned || null_fd < 0 || dup2(null_fd, fd) < 0)
        close(fd);
}

void xlmig_conn_hangup(xlmig_conn *c)
{
    int null_fd = -1;

    if (c->in_fd < 0 && c->out_fd < 0)
        return;
    if (!c->owned)
        null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (c->in_fd >= 0)
        drop(c, c->in_fd, null_fd);
    if (c->out_fd >= 0 && c->out_fd != c->in_fd)
        drop(c, c->out_fd, null_fd);
    if (null_fd >= 0)
        close(null_fd);
    c->in_fd = c->out_fd = -1;
    /* Nothing of ours is left to put flags back on. */
    c->out_flags = -1;
}

int xlmig_conn_reap(xlmig_conn *c, int wait_ms)
{
    xlmig_conn_hangup(c);
    if (xlmig_conn_has_child(c))
        xlmig_transport_dispose(&c->tr, wait_ms, &c->status);
    return c->status;
}

void xlmig_conn_dispose(xlmig_conn *c)
{
    if (c->owned || xlmig_conn_has_child(c)) {
        xlmig_conn_reap(c, REAP_MS);
    } else if (c->out_fd >= 0 && c->out_flags >= 0) {
        fcntl(c->out_fd, F_SETFL, c->out_flags);
    }
    /* Frees the command line even if the spawn failed half-way. */
    xlmig_transport_dispose(&c->tr, 0, NULL);
    c->in_fd = c->out_fd = -1;
    c->out_flags = -1;
    c->owned = false;
}
