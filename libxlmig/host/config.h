/*
 * /etc/xlmig/xlmig.conf ($XLMIG_CONF overrides the path): defaults for
 * the tools. "key = value" lines, # comments. Strict: an unknown key,
 * a key given twice or a bad value is an error naming file:line and
 * the key. A missing default file is fine; a missing $XLMIG_CONF is
 * not.
 *
 *   bandwidth = 100          MiB/s per migration, 0 = unlimited
 *   max_downtime = 300       ms
 *   timeout = 600            s, pre-copy budget
 *   parallel = 1             evacuation: migrations at once (1..16)
 *   ssh = ssh -o BatchMode=yes
 *   peers = xen2 xen3        evacuation: the only allowed destinations
 *   shared_storage = /srv/nfs/ rbd:pool/
 *                            disks under these are not DRBD's to carry
 *                            (disks.h); any other non-DRBD disk is
 *                            refused at the pre-check
 *   switchover_deadline_min = 5000, switchover_deadline_max = 60000  ms
 *   switchover = one-flight  or two-step (--switchover)
 *   migration_address.xen2 = 10.0.0.2
 *                            how DRBD peer xen2 is reached ([user@]host)
 *   local_disk_vg = vg0      --with-local-disks: the VG new LVs go in
 *                            (default: the source LV's VG name)
 *   local_disk_minors = 900-999
 *                            DRBD minors for temporary resources; port
 *   local_disk_port = 7900   = local_disk_port + (minor - first minor)
 *   local_disk_address = 10.0.0.1
 *                            this host's IP for temporary resources
 */
#ifndef XLMIG_CONFIG_H
#define XLMIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "disks.h"
#include "inventory.h"

#define XLMIG_CONF_DEFAULT   "/etc/xlmig/xlmig.conf"
#define XLMIG_CONF_MAX_PEERS 16
#define XLMIG_PARALLEL_MAX   16
#define XLMIG_ADDR_MAX       256

/* migration_address.<peer> = <addr> */
typedef struct {
    char peer[XLMIG_INV_NAME_MAX];
    char addr[XLMIG_ADDR_MAX];
} xlmig_conf_addr;

typedef struct {
    bool has_bandwidth, has_max_downtime, has_timeout;
    double bandwidth_mib;
    double max_downtime_ms;
    double timeout_s;
    unsigned parallel;          /* 0: not set */
    char ssh[256];              /* "": not set */
    unsigned npeers;
    char peers[XLMIG_CONF_MAX_PEERS][XLMIG_INV_NAME_MAX];
    xlmig_shared_storage shared;  /* n == 0: none declared */
    double deadline_min_ms, deadline_max_ms;   /* 0: not set */
    bool has_switchover, two_step;             /* switchover = ... */
    unsigned naddrs;
    xlmig_conf_addr addrs[XLMIG_CONF_MAX_PEERS];
    char local_disk_vg[128];    /* "": not set */
    int local_disk_minor_lo, local_disk_minor_hi;  /* hi 0: not set */
    int local_disk_port;        /* 0: not set */
    char local_disk_address[64];/* "": not set */
} xlmig_config;

void xlmig_config_init(xlmig_config *c);
/* Pure: (buf, len); what names the file in errors. */
int xlmig_config_parse(xlmig_config *c, const char *buf, size_t len,
                       const char *what);
/* $XLMIG_CONF or the default; *explicit when from the environment. */
const char *xlmig_config_path(bool *explicit);
/* Load path (NULL: xlmig_config_path()); missing default file = ok. */
int xlmig_config_load(xlmig_config *c, const char *path);

#endif
