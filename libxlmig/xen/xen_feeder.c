/*
 * libxl starts building the domain as soon as its restore runs: the
 * thread is started only with the first chunk, so a migration given up
 * before any leaves nothing half-built here (libxl 4.17 can hang
 * tearing down a domain whose stream ended before its header). The
 * pipe's write end is non-blocking and every wait also watches an
 * eventfd the thread signals when it returns, so a restore that fails
 * early never leaves us blocked on a full pipe.
 */
#include "xen_feeder.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "defaults.h"
#include "error.h"
#include "xen_priv.h"

void xlmig_xen_feeder_init(xlmig_xen_feeder *f)
{
    memset(f, 0, sizeof(*f));
    f->rd = f->wr = f->done_fd = -1;
}

int xlmig_xen_feeder_open(xlmig_xen_feeder *f, xlmig_xen_restore_fn fn,
                          void *arg)
{
    int fds[2];

    f->fn = fn;
    f->arg = arg;
    if (pipe2(fds, O_CLOEXEC)) {
        xlmig_err(XLMIG_E_IO, "pipe: %s", strerror(errno));
        return XLMIG_E_IO;
    }
    f->rd = fds[0];
    f->wr = fds[1];
    if (fcntl(f->wr, F_SETFL, O_NONBLOCK)) {
        xlmig_err(XLMIG_E_IO, "pipe: %s", strerror(errno));
        return XLMIG_E_IO;
    }
    (void)fcntl(f->wr, F_SETPIPE_SZ, 1024 * 1024);
    f->done_fd = eventfd(0, EFD_CLOEXEC);
    if (f->done_fd < 0) {
        xlmig_err(XLMIG_E_IO, "eventfd: %s", strerror(errno));
        return XLMIG_E_IO;
    }
    return 0;
}

static void *restore_main(void *arg)
{
    xlmig_xen_feeder *f = arg;

    f->r = f->fn(f->arg, f->rd);
    (void)eventfd_write(f->done_fd, 1);
    return NULL;
}

int xlmig_xen_feeder_put(xlmig_xen_feeder *f, const void *p, size_t len)
{
    int r, rc;

    if (f->wr < 0) {
        xlmig_err(XLMIG_E_BACKEND, "the restore's stream is closed");
        return XLMIG_E_BACKEND;
    }
    if (!f->started) {
        r = pthread_create(&f->th, NULL, restore_main, f);
        if (r) {
            xlmig_err(XLMIG_E_BACKEND, "cannot start the restore thread:"
                      " %s", strerror(r));
            return XLMIG_E_BACKEND;
        }
        f->started = true;
    }
    rc = xlmig_xen_feed(f->wr, f->done_fd, p, len);
    if (!rc)
        f->bytes += len;
    return rc;
}

/* On failure the EOF makes libxl give up (and destroy its copy). */
void xlmig_xen_feeder_finish(xlmig_xen_feeder *f)
{
    if (f->wr >= 0) {
        close(f->wr);
        f->wr = -1;
    }
    if (f->started)
        pthread_join(f->th, NULL);
    f->started = false;
}

int xlmig_xen_feeder_end(xlmig_xen_feeder *f, const char *what,
                         xlmig_restore_result *res)
{
    if (!f->started) {
        xlmig_err(XLMIG_E_PROTO, "memory-end before the Xen stream began");
        return XLMIG_E_PROTO;
    }
    /* EOF after the last chunk: libxl has all it will read. */
    xlmig_xen_feeder_finish(f);
    if (f->r) {
        xlmig_err(XLMIG_E_BACKEND, "libxl_domain_create_restore of %s"
                  " failed (libxl error %d); see the receiver's log",
                  what ? what : "?", f->r);
        return XLMIG_E_BACKEND;
    }
    res->has_verify = false;
    res->verified = false;
    res->pages = f->bytes / XLMIG_PAGE_WIRE_BYTES(XC_PAGE_SIZE);
    return 0;
}

void xlmig_xen_feeder_dispose(xlmig_xen_feeder *f)
{
    xlmig_xen_feeder_finish(f);
    if (f->rd >= 0)
        close(f->rd);
    if (f->done_fd >= 0)
        close(f->done_fd);
    f->rd = f->done_fd = -1;
}
