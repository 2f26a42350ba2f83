/*
 * The Xen backend's insides, shared by its files and by the unit tests
 * of its pure parts (stream framing, names, cap arithmetic).
 */
#ifndef XLMIG_XEN_PRIV_H
#define XLMIG_XEN_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libxl.h>
#include <libxl_utils.h>
#include <xenctrl.h>
#include <xentoollog.h>

#include "checks.h"
#include "xen.h"
#include "xen_feeder.h"

/* libxl's INVALID_DOMID is an int; domids are uint32_t. */
#define XLMIG_NO_DOMID ((uint32_t)INVALID_DOMID)

/* One host connection: libxl, libxc and the logger they share. */
typedef struct {
    xentoollog_logger_stdiostream *lg;
    libxl_ctx *ctx;
    xc_interface *xch;
} xlmig_xen_host;

void xlmig_xen_host_init(xlmig_xen_host *h);
int xlmig_xen_host_open(xlmig_xen_host *h, bool debug);
void xlmig_xen_host_dispose(xlmig_xen_host *h);

/* "<name>--incoming": the name a guest has while it is being received. */
#define XLMIG_XEN_INCOMING_SUFFIX "--incoming"
/* Allocates; NULL if name is empty, the result would be too long for
 * a domain name, or out of memory. */
char *xlmig_xen_incoming_name(const char *name);
/* Does name carry a migration suffix (--incoming, --migratedaway)? */
bool xlmig_xen_is_transient_name(const char *name);
/*
 * Give a parsed config its incoming name; the real one is returned in
 * *real (allocated). Refuses, with XLMIG_E_PROTO, empty names, leftover
 * (--incoming, --migratedaway) names and names too long to extend.
 */
int xlmig_xen_config_rename(libxl_domain_config *cfg, char **real);
/*
 * Parse a libxl JSON domain config and give it its incoming name. The
 * real name is returned in *real (allocated). XLMIG_E_PROTO for no
 * config, one libxl does not parse, or a name refused as above.
 */
int xlmig_xen_config_incoming(libxl_ctx *ctx, const char *json,
                              libxl_domain_config *cfg, char **real);

/*
 * The scheduler cap for a CPU share: share of what the guest normally
 * gets, which is its own cap if it has one, else all of its vCPUs.
 * share >= 1 gives back orig_cap exactly (0 = uncapped); any smaller
 * share gives at least 1, never 0, which would mean uncapped.
 */
int xlmig_xen_cap_for_share(double share, unsigned vcpus, int orig_cap);

/*
 * libxl migration stream v2 framing (docs/specs/libxl-migration-
 * stream.pandoc): a big-endian 16-byte header, then records of u32
 * type, u32 length, little-endian (what the header's options = 0
 * declares, whatever this host's order), bodies padded to 8.
 */
#define XLMIG_LIBXL_IDENT        0x4c6962786c466d74ULL   /* "LibxlFmt" */
#define XLMIG_LIBXL_VERSION      2u
#define XLMIG_LIBXL_HDR_LEN      16u
#define XLMIG_LIBXL_REC_HDR_LEN  8u
#define XLMIG_LIBXL_REC_END            0u
#define XLMIG_LIBXL_REC_LIBXC_CONTEXT  1u

void xlmig_libxl_hdr_put(uint8_t out[XLMIG_LIBXL_HDR_LEN]);
/* Header of a record without body. */
void xlmig_libxl_rec_put(uint8_t out[XLMIG_LIBXL_REC_HDR_LEN],
                         uint32_t type, uint32_t length);
/* Check a stream header: 0, or XLMIG_E_PROTO saying what is wrong. */
int xlmig_libxl_hdr_check(const uint8_t *buf, size_t len);

/* write(2) all of it, retrying on EINTR; -1 with errno on failure. */
int xlmig_xen_write_all(int fd, const void *buf, size_t len);

/*
 * Destination: write one XLMIG_REC_XEN payload into fd, the pipe that
 * libxl_domain_create_restore reads, waiting with poll on fd and on
 * stop_fd (readable = the restore ended; -1 = none). Returns 0;
 * XLMIG_E_BACKEND when the restore stopped reading, closed its end or
 * a write failed; XLMIG_E_IO if poll itself fails.
 */
int xlmig_xen_feed(int fd, int stop_fd, const void *buf, size_t len);

/* Source-side domain handle. */
struct xlmig_xen_src {
    xlmig_xen_host h;
    char *want;                /* as given: name or domid */
    char *name;
    uint32_t domid;
    bool found;
    libxl_dominfo info;
    libxl_domain_config cfg;   /* retrieved (or -C) */
    bool have_cfg;
    const char *config_override;
    bool debug;
    bool keep_domid;           /* -D: send our domid in the config */
    /* throttle lever */
    bool sched_read;
    bool sched_has_cap;        /* credit / credit2 */
    libxl_domain_sched_params sched_orig;
    int cap_now;
    unsigned vcpus;
    bool cap_saved;            /* its own cap is on disk (throttle_cap.h) */
    bool destroyed;
    bool resumed;              /* suspended, then resumed here */
};

/* Destination-side state. */
struct xlmig_xen_dst {
    xlmig_xen_host h;
    bool debug;
    bool paused;               /* -p: activate renames, leaves it paused */
    uint32_t domid;            /* XLMIG_NO_DOMID until created */
    char *name;                /* real name */
    char *incoming;            /* name while received */
    libxl_uuid uuid;
    bool have_uuid;
    bool active;
    libxl_domain_config cfg;   /* what the restore builds */
    xlmig_xen_feeder feed;     /* the stream into the restore */
    uint32_t restored;         /* the restore's domid, once it returned */
};

int xlmig_xen_src_lookup(xlmig_xen_src *x);
int xlmig_xen_src_precheck(void *be, xlmig_checks *c);
int xlmig_xen_src_save(void *be, xlmig_save_ctx *sc);
int xlmig_xen_src_set_share(void *be, double share);
int xlmig_xen_dst_check(void *be, const xlmig_msg *req, xlmig_checks *c,
                        uint64_t *free_bytes);

/* Read the guest type; LIBXL_DOMAIN_TYPE_INVALID if unknown. */
libxl_domain_type xlmig_xen_src_type(const xlmig_xen_src *x);

/*
 * The device model's part of an HVM save (xen_emu.c): QEMU's dirty log
 * switched over QMP, and after libxenguest's stream its xenstore keys
 * and saved state as EMULATOR_* records into fd.
 */
int xlmig_xen_emu_logdirty(uint32_t domid, bool enable);
int xlmig_xen_emu_write(uint32_t domid, int fd);

/* An HVM guest's blockers in its configuration, a check row each
 * (xen_hvm_checks.c). */
void xlmig_xen_hvm_checks(const libxl_domain_config *cfg, xlmig_checks *c);

#endif
