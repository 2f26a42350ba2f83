/*
 * Generated text for a local disk's move: names, the metadata size,
 * the DRBD resource file and the device-mapper table onto DRBD.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ldisk.h"

void xlmig_ldisk_conf_init(xlmig_ldisk_conf *c)
{
    memset(c, 0, sizeof(*c));
    c->minor_lo = 900;
    c->minor_hi = 999;
    c->port_lo = 7900;
    snprintf(c->res_dir, sizeof(c->res_dir), "/etc/drbd.d");
    snprintf(c->state_dir, sizeof(c->state_dir), "/var/lib/xlmig/ldisk");
    c->drbd_version = XLMIG_DRBD_V84;
}

bool xlmig_ldisk_name_ok(const char *s)
{
    size_t i, n = strlen(s);

    if (!n || n >= XLMIG_LDISK_NAME_MAX || s[0] == '-' ||
        !strcmp(s, ".") || !strcmp(s, ".."))
        return false;
    for (i = 0; i < n; i++) {
        char ch = s[i];

        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '+' || ch == '_' ||
              ch == '.' || ch == '-'))
            return false;
    }
    return true;
}

void xlmig_ldisk_res_name(int minor, char *out, size_t sz)
{
    snprintf(out, sz, "xlmig-%d", minor);
}

void xlmig_ldisk_lower_name(int minor, char *out, size_t sz)
{
    snprintf(out, sz, "xlmig-%d-lower", minor);
}

void xlmig_ldisk_md_name(int minor, char *out, size_t sz)
{
    snprintf(out, sz, "xlmig-%d-md", minor);
}

/* One part with its hyphens doubled, as LVM names its dm devices. */
static size_t dm_part(const char *s, char *out, size_t o, size_t sz)
{
    for (; *s && o + 1 < sz; s++) {
        out[o++] = *s;
        if (*s == '-' && o + 1 < sz)
            out[o++] = '-';
    }
    out[o < sz ? o : sz - 1] = 0;
    return o;
}

int xlmig_ldisk_dm_name(const char *vg, const char *lv, char *out,
                        size_t sz)
{
    size_t o;

    if (!xlmig_ldisk_name_ok(vg) || !xlmig_ldisk_name_ok(lv) ||
        sz < 2 * (strlen(vg) + strlen(lv)) + 2) {
        xlmig_err(XLMIG_E_INVAL, "LV %s/%s: not an LVM name, or too long",
                  vg, lv);
        return XLMIG_E_INVAL;
    }
    o = dm_part(vg, out, 0, sz);
    out[o++] = '-';
    dm_part(lv, out, o, sz);
    return 0;
}

uint64_t xlmig_ldisk_md_bytes(uint64_t data_bytes, unsigned peers)
{
    uint64_t sectors = (data_bytes + XLMIG_LDISK_SECTOR - 1) /
                       XLMIG_LDISK_SECTOR;
    uint64_t md = ((sectors + (1u << 18) - 1) >> 18) * 8 *
                  (peers ? peers : 1) + 72;
    uint64_t mib = 1024 * 1024;

    md *= XLMIG_LDISK_SECTOR;
    return (md + mib - 1) / mib * mib;
}

bool xlmig_ldisk_target_lv(const char *target, char *vg, char *lv,
                           size_t sz)
{
    const char *p, *slash;
    char buf[2 * XLMIG_LDISK_NAME_MAX + 2];
    size_t i, o = 0;

    if (!strncmp(target, "phy:", 4))
        target += 4;
    if (!strncmp(target, "/dev/mapper/", 12)) {
        /* VG-LV with "--" for a hyphen inside either. */
        p = target + 12;
        for (i = 0; p[i] && o + 1 < sizeof(buf); i++) {
            if (p[i] == '-' && p[i + 1] == '-') {
                buf[o++] = '-';
                i++;
            } else if (p[i] == '-') {
                buf[o++] = '/';
            } else {
                buf[o++] = p[i];
            }
        }
        if (p[i])
            return false;
        buf[o] = 0;
    } else if (!strncmp(target, "/dev/", 5)) {
        if (strlen(target + 5) >= sizeof(buf))
            return false;
        strcpy(buf, target + 5);
    } else {
        return false;
    }
    slash = strchr(buf, '/');
    if (!slash || strchr(slash + 1, '/'))
        return false;
    if ((size_t)(slash - buf) >= sz || strlen(slash + 1) >= sz)
        return false;
    memcpy(vg, buf, (size_t)(slash - buf));
    vg[slash - buf] = 0;
    strcpy(lv, slash + 1);
    return xlmig_ldisk_name_ok(vg) && xlmig_ldisk_name_ok(lv);
}

bool xlmig_ldisk_lv_refused(const xlmig_ldisk_lv *lv, char *why, size_t sz)
{
    char type = lv->attr[0];

    why[0] = 0;
    if (lv->pool[0] || type == 'V' || !strcmp(lv->segtype, "thin"))
        snprintf(why, sz, "%s/%s is a thin LV (pool %s): not supported",
                 lv->vg, lv->lv, lv->pool[0] ? lv->pool : "?");
    else if (lv->origin[0] || type == 's' || type == 'S')
        snprintf(why, sz, "%s/%s is a snapshot of %s: not supported",
                 lv->vg, lv->lv, lv->origin[0] ? lv->origin : "?");
    else if (type == 'o')
        snprintf(why, sz, "%s/%s has snapshots: they would not follow it",
                 lv->vg, lv->lv);
    else if (type != '-' || (strcmp(lv->segtype, "linear") &&
                             strcmp(lv->segtype, "striped")))
        snprintf(why, sz, "%s/%s is a %s LV (attr %s): only linear and"
                 " striped LVs are carried", lv->vg, lv->lv,
                 lv->segtype, lv->attr);
    else if (strlen(lv->attr) < 5 || lv->attr[4] != 'a')
        snprintf(why, sz, "%s/%s is not active", lv->vg, lv->lv);
    else if (!lv->size || lv->size % XLMIG_LDISK_SECTOR)
        snprintf(why, sz, "%s/%s: size %" PRIu64 " is not whole sectors",
                 lv->vg, lv->lv, lv->size);
    return why[0] != 0;
}

/* "address 10.0.0.1:7900;" or "address ipv6 [fd00::1]:7900;". */
static void addr_line(const char *addr, int port, char *out, size_t sz)
{
    if (strchr(addr, ':'))
        snprintf(out, sz, "address ipv6 [%s]:%d;", addr, port);
    else
        snprintf(out, sz, "address %s:%d;", addr, port);
}

bool xlmig_ldisk_addr_ok(const char *a)
{
    size_t i, n = strlen(a);

    if (!n || n >= XLMIG_ADDR_TEXT_MAX)
        return false;
    for (i = 0; i < n; i++)
        if (!strchr("0123456789abcdefABCDEF.:", a[i]))
            return false;
    return true;
}

static bool host_ok(const char *h)
{
    size_t i, n = strlen(h);

    if (!n || n >= XLMIG_DRBD_NAME_MAX || h[0] == '-')
        return false;
    for (i = 0; i < n; i++)
        if (!((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' && h[i] <= 'Z') ||
              (h[i] >= '0' && h[i] <= '9') || h[i] == '-' || h[i] == '.' ||
              h[i] == '_'))
            return false;
    return true;
}

static int on_section(const xlmig_ldisk_conf *c, const xlmig_ldisk_disk *d,
                      const xlmig_ldisk_end *e, const char *vg, int node,
                      char *out, size_t sz)
{
    char lower[64], md[64], addr[128], nid[32] = "";

    xlmig_ldisk_lower_name(d->minor, lower, sizeof(lower));
    xlmig_ldisk_md_name(d->minor, md, sizeof(md));
    addr_line(e->addr, d->port, addr, sizeof(addr));
    if (c->drbd_version == XLMIG_DRBD_V9)
        snprintf(nid, sizeof(nid), "        node-id %d;\n", node);
    return snprintf(out, sz,
                    "    on %s {\n%s"
                    "        device /dev/drbd%d minor %d;\n"
                    "        disk /dev/mapper/%s;\n"
                    "        meta-disk /dev/%s/%s;\n"
                    "        %s\n"
                    "    }\n",
                    e->name, nid, d->minor, d->minor, lower, vg, md,
                    addr) >= (int)sz ? XLMIG_E_INVAL : 0;
}

int xlmig_ldisk_res_text(const xlmig_ldisk_conf *c, const xlmig_ldisk_disk *d,
                         const xlmig_ldisk_end *src,
                         const xlmig_ldisk_end *dst, char **out)
{
    char res[64], rate[200] = "", s_on[1024], d_on[1024], *buf = NULL;
    const char *opts;
    size_t sz = 4096;
    int rc;

    *out = NULL;
    if (!host_ok(src->name) || !host_ok(dst->name) ||
        !strcmp(src->name, dst->name) || !xlmig_ldisk_addr_ok(src->addr) ||
        !xlmig_ldisk_addr_ok(dst->addr) || !xlmig_ldisk_name_ok(d->lv.vg) ||
        !xlmig_ldisk_name_ok(d->dst_vg) || d->minor < 0 ||
        d->minor > 1048575 || d->port < 1 || d->port > 65535) {
        xlmig_err(XLMIG_E_INVAL, "local disk %s: bad host name, address,"
                  " VG, minor or port for its DRBD resource", d->vdev);
        return XLMIG_E_INVAL;
    }
    xlmig_ldisk_res_name(d->minor, res, sizeof(res));
    /* A fixed resync rate (no plan-ahead controller), our budget. */
    if (c->rate_Bps)
        snprintf(rate, sizeof(rate),
                 "    disk {\n"
                 "        c-plan-ahead 0;\n"
                 "        resync-rate %" PRIu64 "K;\n"
                 "        c-max-rate %" PRIu64 "K;\n"
                 "    }\n",
                 (c->rate_Bps + 1023) / 1024, (c->rate_Bps + 1023) / 1024);
    /*
     * Promotion only when asked: an open must never promote by itself.
     * Two primaries from the start: DRBD refuses a connection whose two
     * sides disagree on it, and the resource lives only for the window.
     */
    opts = c->drbd_version == XLMIG_DRBD_V9
           ? "    options {\n        auto-promote no;\n    }\n" : "";
    rc = on_section(c, d, src, d->lv.vg, 0, s_on, sizeof(s_on));
    if (!rc)
        rc = on_section(c, d, dst, d->dst_vg, 1, d_on, sizeof(d_on));
    if (rc) {
        xlmig_err(XLMIG_E_INVAL, "local disk %s: resource text too long",
                  d->vdev);
        return rc;
    }
    buf = malloc(sz);
    if (!buf)
        return XLMIG_E_NOMEM;
    snprintf(buf, sz,
             "# Written by xl-migrate-drbd for one move of a local disk"
             " (%s/%s);\n# removed when the move ends.\n"
             "resource %s {\n%s"
             "    net {\n        protocol C;\n"
             "        allow-two-primaries yes;\n    }\n"
             "%s"
             "%s%s}\n",
             d->lv.vg, d->lv.lv, res, opts, rate, s_on, d_on);
    *out = buf;
    return 0;
}

int xlmig_ldisk_drbd_table(const xlmig_ldisk_disk *d, char *out, size_t sz)
{
    int r = snprintf(out, sz, "0 %" PRIu64 " linear %d:%d 0\n",
                     d->lv.size / XLMIG_LDISK_SECTOR, XLMIG_LDISK_DRBD_MAJOR,
                     d->minor);

    return r < 0 || (size_t)r >= sz ? XLMIG_E_INVAL : 0;
}
