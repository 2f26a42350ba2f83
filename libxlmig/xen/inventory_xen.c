/*
 * Xen inventory: see inventory_xen.h. The DRBD peer lookup here is a
 * minimal reading of `drbdadm dump` (the "on <host> {" sections), kept
 * until the DRBD module's parser is available to this code.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxl.h>
#include <libxl_utils.h>

#include "drbd.h"
#include "error.h"
#include "inventory_xen.h"
#include "names.h"

void xlmig_xen_disk_res(const char *target, const char *script, char *res,
                        size_t len)
{
    const char *t = target ? target : "";
    size_t n;

    res[0] = 0;
    if (!strncmp(t, "drbd:", 5))
        t += 5;
    else if (!strncmp(t, "/dev/drbd/by-res/", 17))
        t += 17;
    else if (!script || !strstr(script, "drbd"))
        return;
    n = strcspn(t, "/");
    if (n && n < len) {
        memcpy(res, t, n);
        res[n] = 0;
    }
}

int xlmig_drbd_dump_hosts(const char *buf, size_t len, const char *res,
                          char hosts[][XLMIG_INV_NAME_MAX], unsigned max,
                          unsigned *n)
{
    size_t i = 0;

    *n = 0;
    while (i < len) {
        const char *l = buf + i, *nl = memchr(l, '\n', len - i);
        size_t ll = nl ? (size_t)(nl - l) : len - i;
        char name[XLMIG_INV_NAME_MAX];
        const char *p = l, *e = l + ll;
        size_t k = 0;
        unsigned j;

        i += ll + 1;
        while (p < e && (*p == ' ' || *p == '\t'))
            p++;
        if (e - p < 4 || strncmp(p, "on ", 3))
            continue;
        p += 3;
        while (p < e && *p == ' ')
            p++;
        while (p < e && *p != ' ' && *p != '{' && k + 1 < sizeof(name))
            name[k++] = *p++;
        name[k] = 0;
        if (!k || !xlmig_inv_name_ok(name)) {
            xlmig_err(XLMIG_E_EXTERNAL, "drbdadm dump %s: unusable host"
                      " name in \"%.*s\"", res, (int)(ll > 60 ? 60 : ll), l);
            return XLMIG_E_EXTERNAL;
        }
        for (j = 0; j < *n && strcmp(hosts[j], name); j++)
            ;
        if (j < *n)
            continue;
        if (*n >= max) {
            xlmig_err(XLMIG_E_EXTERNAL, "drbdadm dump %s: more than %u"
                      " hosts", res, max);
            return XLMIG_E_EXTERNAL;
        }
        strcpy(hosts[(*n)++], name);
    }
    return 0;
}

static int res_peers(const char *res, const char *self, xlmig_inv_guest *g)
{
    char hosts[XLMIG_INV_MAX_PEERS + 1][XLMIG_INV_NAME_MAX];
    const char *argv[] = { xlmig_drbd_prog_adm(), "dump", res, NULL };
    xlmig_drbd_out o;
    unsigned n, i;
    int rc;

    if (!xlmig_inv_name_ok(res)) {
        char what[XLMIG_INV_NAME_MAX + 32];

        snprintf(what, sizeof(what), "guest %s: DRBD resource", g->name);
        return xlmig_name_refuse(what, res, XLMIG_NAME_WORD_RULE);
    }
    /* No shell: the resource name goes in argv, as every DRBD call. */
    xlmig_drbd_out_init(&o);
    rc = xlmig_drbd_exec(argv, XLMIG_S(30), &o);
    if (!rc && (o.status || o.truncated)) {
        xlmig_err(XLMIG_E_EXTERNAL, "drbdadm dump %s failed", res);
        rc = XLMIG_E_EXTERNAL;
    }
    if (rc) {
        xlmig_drbd_out_dispose(&o);
        return rc;
    }
    rc = xlmig_drbd_dump_hosts(o.out, o.out_len, res, hosts,
                               XLMIG_INV_MAX_PEERS + 1, &n);
    xlmig_drbd_out_dispose(&o);
    for (i = 0; !rc && i < n; i++)
        if (strcmp(hosts[i], self))
            rc = xlmig_inv_guest_add_peer(g, res, hosts[i]);
    return rc;
}

int xlmig_xen_inv_load(xlmig_inventory *inv, uint64_t *free_mib)
{
    xentoollog_logger_stdiostream *lg = NULL;
    libxl_dominfo *info = NULL;
    libxl_ctx *ctx = NULL;
    libxl_domain_config cfg;
    uint64_t memkb = 0;
    char self[XLMIG_INV_NAME_MAX];
    int nb = 0, i, d, r, rc;

    libxl_domain_config_init(&cfg);
    if (gethostname(self, sizeof(self) - 1))
        strcpy(self, "localhost");
    self[strcspn(self, ".")] = 0;
    snprintf(inv->self, sizeof(inv->self), "%s", self);
    lg = xtl_createlogger_stdiostream(stderr, XTL_ERROR, 0);
    if (!lg || libxl_ctx_alloc(&ctx, LIBXL_VERSION, 0,
                               (xentoollog_logger *)lg)) {
        xlmig_err(XLMIG_E_BACKEND, "cannot open libxl (is this a Xen dom0,"
                  " run as root?)");
        rc = XLMIG_E_BACKEND;
        goto out;
    }
    r = libxl_get_free_memory(ctx, &memkb);
    if (r) {
        xlmig_err(XLMIG_E_BACKEND, "libxl_get_free_memory failed (%d)", r);
        rc = XLMIG_E_BACKEND;
        goto out;
    }
    *free_mib = memkb / 1024;
    info = libxl_list_domain(ctx, &nb);
    if (!info) {
        xlmig_err(XLMIG_E_BACKEND, "libxl_list_domain failed");
        rc = XLMIG_E_BACKEND;
        goto out;
    }
    rc = 0;
    for (i = 0; i < nb && !rc; i++) {
        char *name;
        xlmig_inv_guest *g;

        if (!info[i].domid || info[i].dying || info[i].shutdown)
            continue;
        name = libxl_domid_to_name(ctx, info[i].domid);
        /* a migration's "--incoming" copy is not a guest to move */
        if (!name || strstr(name, "--incoming")) {
            free(name);
            continue;
        }
        g = xlmig_inventory_add_guest(inv, name);
        free(name);
        if (!g) {
            rc = XLMIG_E_INVAL;
            break;
        }
        g->mem_mib = info[i].current_memkb / 1024;
        libxl_domain_config_dispose(&cfg);
        libxl_domain_config_init(&cfg);
        if (libxl_retrieve_domain_configuration(ctx, info[i].domid, &cfg,
                                                NULL)) {
            xlmig_err(XLMIG_E_BACKEND, "cannot read the configuration of"
                      " %s", g->name);
            rc = XLMIG_E_BACKEND;
            break;
        }
        for (d = 0; d < cfg.num_disks && !rc; d++) {
            char res[XLMIG_INV_NAME_MAX];

            xlmig_xen_disk_res(cfg.disks[d].pdev_path, cfg.disks[d].script,
                               res, sizeof(res));
            if (res[0])
                rc = res_peers(res, self, g);
        }
    }
out:
    libxl_domain_config_dispose(&cfg);
    if (info)
        libxl_dominfo_list_free(info, nb);
    if (ctx)
        libxl_ctx_free(ctx);
    if (lg)
        xtl_logger_destroy((xentoollog_logger *)lg);
    return rc;
}
