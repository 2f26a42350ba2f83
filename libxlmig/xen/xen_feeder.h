/*
 * The Xen destination's record consumer: the libxl stream's chunks go,
 * byte for byte and in order, into a pipe that a restore thread reads
 * (libxl_domain_create_restore on a Xen host, anything that reads a
 * libxl stream in the tests); the stream's end is the pipe's EOF.
 */
#ifndef XLMIG_XEN_FEEDER_H
#define XLMIG_XEN_FEEDER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"

/* Reads the stream from fd until it has all of it; libxl's result. */
typedef int (*xlmig_xen_restore_fn)(void *arg, int fd);

typedef struct {
    xlmig_xen_restore_fn fn;
    void *arg;
    int rd, wr;                 /* the pipe: the restore reads rd */
    int done_fd;                /* eventfd: readable once fn returned */
    pthread_t th;
    bool started;               /* the thread runs, until joined */
    int r;                      /* fn's result, once joined; else 0 */
    uint64_t bytes;             /* fed so far */
} xlmig_xen_feeder;

void xlmig_xen_feeder_init(xlmig_xen_feeder *f);
/* The pipe and the eventfd; fn starts only with the first chunk. */
int xlmig_xen_feeder_open(xlmig_xen_feeder *f, xlmig_xen_restore_fn fn,
                          void *arg);
/* One chunk, whole; fails if the restore stopped reading. */
int xlmig_xen_feeder_put(xlmig_xen_feeder *f, const void *p, size_t len);
/* EOF to the restore, then wait for it to return. Idempotent. */
void xlmig_xen_feeder_finish(xlmig_xen_feeder *f);
/*
 * memory-end: finish, then the restore (of what, for the message) must
 * have begun and succeeded; fills res.
 */
int xlmig_xen_feeder_end(xlmig_xen_feeder *f, const char *what,
                         xlmig_restore_result *res);
/* Finish, and close everything. Idempotent. */
void xlmig_xen_feeder_dispose(xlmig_xen_feeder *f);

#endif
