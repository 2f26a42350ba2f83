/*
 * What would keep an HVM guest from migrating, one check row each, read
 * from its libxl configuration alone (pure: unit-tested without a Xen).
 * Each is a reason libxl's own save refuses or cannot be trusted:
 *  - qemu-traditional: its device state is a different format, and
 *    Debian's Xen ships only upstream QEMU (qemu-xen) to restore it;
 *  - a stubdomain device model: its state is saved through the stub
 *    domain's console, not QMP in dom0;
 *  - nested virtualisation: the L1 hypervisor's state (VMCS/VMCB of its
 *    guests) is not in the stream;
 *  - populate-on-demand (maxmem above memory): the stream would need
 *    the PoD cache and balloon target moved exactly;
 *  - passed-through device-tree devices, I/O memory, ports or IRQs
 *    (PCI passthrough is checked for every guest type): log-dirty
 *    cannot see what they write.
 */
#include "xen_priv.h"

#include "checks.h"

#define SRC "source"

static void check_model(const libxl_domain_build_info *b, xlmig_checks *c)
{
    bool trad = b->device_model_version ==
                LIBXL_DEVICE_MODEL_VERSION_QEMU_XEN_TRADITIONAL;
    bool stub = libxl_defbool_is_default(b->device_model_stubdomain)
                ? false : libxl_defbool_val(b->device_model_stubdomain);

    xlmig_checks_add(c, SRC, "device-model", !trad, trad
                     ? "qemu-traditional device model: its state cannot"
                       " be restored by upstream QEMU (qemu-xen)"
                     : "upstream QEMU (qemu-xen) device model");
    xlmig_checks_add(c, SRC, "stubdomain", !stub, stub
                     ? "device model in a stub domain: its state is not"
                       " reachable over QMP in dom0"
                     : "device model in dom0");
}

static void check_hvm_features(const libxl_domain_build_info *b,
                               xlmig_checks *c)
{
    bool nested = !libxl_defbool_is_default(b->nested_hvm) &&
                  libxl_defbool_val(b->nested_hvm);
    bool pod = b->max_memkb > b->target_memkb;

    xlmig_checks_add(c, SRC, "nested-virt", !nested, nested
                     ? "nested virtualisation (nestedhvm=1): the state of"
                       " the guest's own guests is not in the stream"
                     : "no nested virtualisation");
    xlmig_checks_add(c, SRC, "populate-on-demand", !pod, pod
                     ? "maxmem %llu MiB above memory %llu MiB"
                       " (populate-on-demand): not migrated; set maxmem"
                       " equal to memory"
                     : "memory fully populated (%llu MiB)",
                     (unsigned long long)(b->max_memkb >> 10),
                     (unsigned long long)(b->target_memkb >> 10));
}

static void check_passthrough(const libxl_domain_config *cfg,
                              xlmig_checks *c)
{
    const libxl_domain_build_info *b = &cfg->b_info;
    int n = cfg->num_dtdevs + b->num_iomem + b->num_ioports + b->num_irqs;

    /* PCI has its own row (pci-passthrough), for every guest type. */
    xlmig_checks_add(c, SRC, "io-passthrough", !n, n
                     ? "%d device-tree device(s), I/O memory or port"
                       " range(s) or IRQ(s) passed through: log-dirty"
                       " cannot track them"
                     : "no I/O ranges or IRQs passed through", n);
}

void xlmig_xen_hvm_checks(const libxl_domain_config *cfg, xlmig_checks *c)
{
    const libxl_domain_build_info *b = &cfg->b_info;

    check_model(b, c);
    check_hvm_features(b, c);
    check_passthrough(cfg, c);
}
