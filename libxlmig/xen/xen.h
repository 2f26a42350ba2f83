/*
 * The Xen backend: libxl for the domain's configuration and lifecycle,
 * libxenguest's xc_domain_save with our precopy_policy for its memory.
 */
#ifndef XLMIG_XEN_H
#define XLMIG_XEN_H

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"

typedef struct xlmig_xen_src xlmig_xen_src;
typedef struct xlmig_xen_dst xlmig_xen_dst;

typedef struct {
    const char *config_override;  /* -C FILE: libxl JSON to send */
    bool debug;                   /* --debug: libxl/libxc verbose */
    bool paused;                  /* -p: the receiver leaves it paused */
    bool keep_domid;              /* -D: the source asks for its domid */
} xlmig_xen_opts;

int xlmig_xen_src_open(xlmig_xen_src **out, const char *domain,
                       const xlmig_xen_opts *opts);
void xlmig_xen_src_close(xlmig_xen_src *x);
extern const xlmig_src_ops xlmig_xen_src_ops;
/* Was the guest suspended and then resumed here (a rollback)? */
bool xlmig_xen_src_resumed(const xlmig_xen_src *x, uint32_t *domid);
/* Its name here (NULL if not found): what its monitor is started for. */
const char *xlmig_xen_src_name(const xlmig_xen_src *x);

int xlmig_xen_dst_open(xlmig_xen_dst **out, const xlmig_xen_opts *opts);
void xlmig_xen_dst_close(xlmig_xen_dst *x);
extern const xlmig_dst_ops xlmig_xen_dst_ops;
/* The guest's id once it runs here (activated); else 0. */
uint32_t xlmig_xen_dst_domid(const xlmig_xen_dst *x);
/* Its real name (NULL before the stream named it). */
const char *xlmig_xen_dst_name(const xlmig_xen_dst *x);

#endif
