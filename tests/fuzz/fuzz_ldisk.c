/*
 * Local disks' tool output (lvs/vgs JSON, dmsetup table, /proc/drbd,
 * drbdsetup status --json), disk targets, the request's local disks
 * (another host's), a journal and the carried domain config pointed at
 * another VG: the first byte picks the parser.
 * Whatever parses must hold what the parser promises: names that pass
 * xlmig_ldisk_name_ok, a table contiguous from sector 0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "autostart.h"
#include "ldisk.h"
#include "ldisk_hooks.h"
#include "json_guard.h"
#include "ldisk_journal.h"

/* Two carried disks, each into another VG. */
static const xlmig_ldisk_disk d[2] = {
    { .vdev = "xvda", .lv = { .vg = "vg0", .lv = "root" },
      .dst_vg = "data-vg" },
    { .vdev = "xvdb", .lv = { .vg = "vg0", .lv = "a-b" },
      .dst_vg = "vg1" },
};

/* The xl config text: rewritten within the bound and naming the new
 * LVs where the old were named; refused: nothing out. */
static void check_xlcfg(const char *data, size_t len)
{
    char *out = (char *)"unset", *buf = malloc(len + 1);
    int rc;

    if (!buf)
        return;
    memcpy(buf, data, len);
    buf[len] = 0;
    rc = xlmig_ldisk_xlcfg_rewrite(d, 2, buf, &out);
    free(buf);
    if (rc) {
        if (out)
            abort();
        return;
    }
    if (!out || strlen(out) > XLMIG_XL_CONFIG_MAX ||
        (!strstr(out, "/dev/data-vg/root") &&
         !strstr(out, "/dev/mapper/data--vg-root")))
        abort();
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_table(const xlmig_ldisk_table *t)
{
    uint64_t at = 0;
    char *text = NULL;
    unsigned i;

    for (i = 0; i < t->n; i++) {
        if (t->seg[i].start != at || !t->seg[i].len ||
            !memchr(t->seg[i].args, 0, sizeof(t->seg[i].args)))
            abort();
        at += t->seg[i].len;
    }
    if (at != t->sectors || xlmig_ldisk_table_text(t, &text))
        abort();
    free(text);
}

/* Rewritten: JSON again, naming the new LV; refused: nothing out. */
static void check_config(const char *buf, size_t len)
{
    yajl_val root = NULL;
    char *out = (char *)"unset", err[64];

    if (xlmig_ldisk_config_rewrite(d, 2, buf, len, &out)) {
        if (out)
            abort();
        return;
    }
    if (!out || xlmig_json_parse(out, strlen(out), "out", &root, err,
                                 sizeof(err)) ||
        (!strstr(out, "/dev/data-vg/root") &&
         !strstr(out, "/dev/mapper/data--vg-root")))
        abort();
    yajl_tree_free(root);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static xlmig_ldisk_lv lv[16];
    static xlmig_ldisk_vg vg[16];
    static xlmig_ldisk_table t;
    static xlmig_ldisk_ctx l;
    xlmig_ldisk_journal j;
    char a[XLMIG_LDISK_NAME_MAX], b[XLMIG_LDISK_NAME_MAX], *s;
    const char *buf = (const char *)data + 1;
    size_t len = size - 1;
    xlmig_ldisk_sync sy;
    unsigned n, i;

    if (size < 1)
        return 0;
    switch (data[0] % 10) {
    case 0:
        if (!xlmig_ldisk_parse_lvs(buf, len, "lvs", lv, 16, &n))
            for (i = 0; i < n; i++)
                if (!xlmig_ldisk_name_ok(lv[i].vg) ||
                    !xlmig_ldisk_name_ok(lv[i].lv) ||
                    (lv[i].origin[0] && !xlmig_ldisk_name_ok(lv[i].origin)))
                    abort();
        break;
    case 1:
        if (!xlmig_ldisk_parse_vgs(buf, len, "vgs", vg, 16, &n))
            for (i = 0; i < n; i++)
                if (!xlmig_ldisk_name_ok(vg[i].vg) || !vg[i].extent)
                    abort();
        break;
    case 2:
        if (!xlmig_ldisk_parse_table(buf, len, "dmsetup table", &t))
            check_table(&t);
        break;
    case 3:
        xlmig_ldisk_parse_proc(buf, len, 900, &sy);
        break;
    case 4:
        xlmig_ldisk_parse_status(buf, len, "xlmig-900", &sy);
        break;
    case 5:
        s = strndup(buf, len);
        if (s && xlmig_ldisk_target_lv(s, a, b, sizeof(a)) &&
            (!xlmig_ldisk_name_ok(a) || !xlmig_ldisk_name_ok(b)))
            abort();
        free(s);
        break;
    case 6:
        xlmig_ldisk_conf_init(&l.conf);
        if (!xlmig_ldisk_wire_decode(buf, len, &l))
            for (i = 0; i < l.n; i++)
                if (!xlmig_ldisk_name_ok(l.disks[i].lv.lv) ||
                    !xlmig_ldisk_name_ok(l.disks[i].dst_vg) ||
                    l.disks[i].lv.size % XLMIG_LDISK_SECTOR ||
                    l.disks[i].minor < l.conf.minor_lo ||
                    l.disks[i].minor > l.conf.minor_hi)
                    abort();
        break;
    case 7:
        if (!xlmig_ldisk_journal_parse(buf, len, "journal", &j) &&
            (!xlmig_ldisk_name_ok(j.disk.lv.vg) || j.disk.minor < 0))
            abort();
        break;
    case 8:
        check_config(buf, len);
        break;
    case 9:
        check_xlcfg(buf, len);
        break;
    }
    xlmig_err_clear();
    return 0;
}
