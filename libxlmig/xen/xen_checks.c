/*
 * Pre-checks of the Xen backend. Each refusal names its reason, so that
 * --dry-run tells the operator what to fix.
 */
#include "xen_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

#define SRC "source"
#define DST "dest"

static void check_state(xlmig_xen_src *x, xlmig_checks *c)
{
    const libxl_dominfo *i = &x->info;

    if (x->domid == 0)
        xlmig_checks_add(c, SRC, "domain-running", false,
                         "%s is dom0, which cannot migrate", x->name);
    else if (i->dying || i->shutdown)
        xlmig_checks_add(c, SRC, "domain-running", false,
                         "%s (id %u) is shutting down (reason %s)", x->name,
                         x->domid,
                         libxl_shutdown_reason_to_string(i->shutdown_reason)
                         ?: "unknown");
    else if (i->paused)
        xlmig_checks_add(c, SRC, "domain-running", false,
                         "%s (id %u) is paused; unpause it first", x->name,
                         x->domid);
    else
        xlmig_checks_add(c, SRC, "domain-running", true,
                         "%s (id %u) runs", x->name, x->domid);
    xlmig_checks_add(c, SRC, "domain-name",
                     !xlmig_xen_is_transient_name(x->name),
                     xlmig_xen_is_transient_name(x->name)
                     ? "%s is a leftover of an earlier migration; run"
                       " xl-migrate-drbd recover"
                     : "%s is a plain name", x->name);
}

/*
 * Log-dirty is what makes a live save possible. HVM and PVH guests use
 * the hardware (HAP) log-dirty; a PV guest needs shadow paging, which
 * Debian's hypervisor is built without.
 */
static void check_type(xlmig_xen_src *x, xlmig_checks *c)
{
    libxl_domain_type t = xlmig_xen_src_type(x);
    libxl_physinfo pi;
    bool shadow = false, hap = false;

    libxl_physinfo_init(&pi);
    if (!libxl_get_physinfo(x->h.ctx, &pi)) {
        shadow = pi.cap_shadow;
        hap = pi.cap_hap;
    }
    libxl_physinfo_dispose(&pi);

    switch (t) {
    case LIBXL_DOMAIN_TYPE_PVH:
        xlmig_checks_add(c, SRC, "guest-type", true, "PVH guest");
        xlmig_checks_add(c, SRC, "log-dirty", hap || shadow,
                         hap ? "PVH guest, hardware-assisted paging (HAP)"
                         " log-dirty" : shadow ? "PVH guest, shadow paging"
                         " log-dirty" : "this Xen has neither HAP nor"
                         " shadow paging: no log-dirty for PVH");
        break;
    case LIBXL_DOMAIN_TYPE_PV:
        xlmig_checks_add(c, SRC, "guest-type", true, "PV guest");
        xlmig_checks_add(c, SRC, "log-dirty", shadow, shadow
                         ? "PV guest, shadow paging log-dirty"
                         : "PV guest cannot enable log-dirty: this Xen is"
                           " built without shadow paging");
        break;
    case LIBXL_DOMAIN_TYPE_HVM:
        /* Its device model goes along (xen_emu.c); blockers below. */
        xlmig_checks_add(c, SRC, "guest-type", true, "HVM guest, device"
                         " model state sent (EMULATOR records)");
        xlmig_checks_add(c, SRC, "log-dirty", hap || shadow,
                         hap ? "HVM guest, hardware-assisted paging (HAP)"
                         " log-dirty" : shadow ? "HVM guest, shadow paging"
                         " log-dirty" : "this Xen has neither HAP nor"
                         " shadow paging: no log-dirty for HVM");
        if (x->have_cfg)
            xlmig_xen_hvm_checks(&x->cfg, c);
        break;
    default:
        xlmig_checks_add(c, SRC, "guest-type", false,
                         "cannot tell the guest type of %s", x->name);
        break;
    }
}

static void check_devices(xlmig_xen_src *x, xlmig_checks *c)
{
    uint32_t nodes = 0, ranges = 0, vcpus = 0;
    int r;

    if (x->have_cfg)
        xlmig_checks_add(c, SRC, "pci-passthrough", !x->cfg.num_pcidevs,
                         x->cfg.num_pcidevs
                         ? "%d PCI device(s) passed through: log-dirty"
                           " cannot track device DMA"
                         : "no PCI passthrough", x->cfg.num_pcidevs);
    /* As libxl's own save: any vNUMA info at all is refused. */
    errno = 0;
    r = xc_domain_getvnuma(x->h.xch, x->domid, &nodes, &ranges, &vcpus,
                           NULL, NULL, NULL);
    xlmig_checks_add(c, SRC, "vnuma", r == -1 && errno == EOPNOTSUPP,
                     r == -1 && errno == EOPNOTSUPP ? "no vNUMA"
                     : "vNUMA configured: the migration stream does not"
                       " carry node information");
}

static void check_route(xlmig_xen_src *x, xlmig_checks *c)
{
    const char *helper = getenv("LIBXL_SAVE_HELPER");

    (void)x;
    /*
     * We never go through libxl's save helper, so a helper override can
     * neither help nor silently fall back to Xen's default policy.
     */
    xlmig_checks_add(c, SRC, "save-route", true,
                     "in-process xc_domain_save with the xlmig pre-copy"
                     " policy%s", helper ? "; LIBXL_SAVE_HELPER is set but"
                     " has no effect on xl-migrate-drbd" : "");
}

int xlmig_xen_src_precheck(void *be, xlmig_checks *c)
{
    xlmig_xen_src *x = be;

    if (!x->found) {
        xlmig_checks_add(c, SRC, "domain-exists", false,
                         "no domain %s on this host", x->want);
        return 0;
    }
    check_state(x, c);
    check_type(x, c);
    check_devices(x, c);
    check_route(x, c);
    return 0;
}

/* Destination: name and UUID free, enough memory. */
int xlmig_xen_dst_check(void *be, const xlmig_msg *req, xlmig_checks *c,
                        uint64_t *free_bytes)
{
    xlmig_xen_dst *d = be;
    libxl_domain_config cfg;
    libxl_dominfo *list = NULL;
    libxl_uuid uuid;
    uint64_t free_kb = 0, need_kb = 0, need;
    char *incoming, name[256];
    bool uuid_ok, name_clash = false, uuid_clash = false, have_cfg = false;
    uint32_t domid;
    int n = 0, i, r;

    libxl_domain_config_init(&cfg);
    incoming = xlmig_xen_incoming_name(req->name);
    if (!libxl_name_to_domid(d->h.ctx, req->name, &domid))
        name_clash = true;
    if (incoming && !libxl_name_to_domid(d->h.ctx, incoming, &domid))
        name_clash = true;
    xlmig_checks_add(c, DST, "name-free", !name_clash, name_clash
                     ? "a domain named %s (or its --incoming copy)"
                       " already exists here" : "no domain named %s here",
                     req->name);

    uuid_ok = req->uuid && !libxl_uuid_from_string(&uuid, req->uuid);
    if (uuid_ok) {
        list = libxl_list_domain(d->h.ctx, &n);
        for (i = 0; list && i < n; i++)
            if (!libxl_uuid_compare(&list[i].uuid, &uuid))
                uuid_clash = true;
    }
    xlmig_checks_add(c, DST, "uuid-free", uuid_ok && !uuid_clash, !uuid_ok
                     ? "the source sent no usable UUID" : uuid_clash
                     ? "a domain with UUID %s already exists here"
                     : "no domain with UUID %s here",
                     req->uuid ? req->uuid : "");

    /* What libxl will want: the guest plus its overheads. */
    need = req->mem_bytes;
    if (req->config &&
        !libxl_domain_config_from_json(d->h.ctx, &cfg, req->config)) {
        have_cfg = true;
        if (!libxl_domain_need_memory(d->h.ctx, &cfg, XLMIG_NO_DOMID,
                                      &need_kb) && need_kb * 1024 > need)
            need = need_kb * 1024;
    }
    r = libxl_get_free_memory(d->h.ctx, &free_kb);
    *free_bytes = r ? 0 : free_kb * 1024;
    snprintf(name, sizeof(name), "%s", req->name ? req->name : "?");
    xlmig_checks_add(c, DST, "memory", !r && *free_bytes >= need, r
                     ? "cannot read this host's free memory"
                     : "%s needs %llu MiB, %llu MiB free here", name,
                     (unsigned long long)(need >> 20),
                     (unsigned long long)(*free_bytes >> 20));
    xlmig_checks_add(c, DST, "config", have_cfg, have_cfg
                     ? "libxl reads the domain configuration"
                     : "the domain configuration is not libxl JSON");
    /* -D: the source asks for its domid; libxl would fail on one used. */
    if (have_cfg && libxl_domid_valid_guest(cfg.c_info.domid)) {
        libxl_dominfo di;
        bool used;

        libxl_dominfo_init(&di);
        used = !libxl_domain_info(d->h.ctx, &di, cfg.c_info.domid);
        libxl_dominfo_dispose(&di);
        xlmig_checks_add(c, DST, "domid-free", !used, used
                         ? "domain id %u (kept with -D) is in use here"
                         : "domain id %u (kept with -D) is free here",
                         (unsigned)cfg.c_info.domid);
    }

    if (list)
        libxl_dominfo_list_free(list, n);
    libxl_domain_config_dispose(&cfg);
    free(incoming);
    return 0;
}
