/* Generated text: the resource files, the dm table onto DRBD, names. */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ldisk.h"
#include "unit.h"

static xlmig_ldisk_conf conf;
static xlmig_ldisk_disk disk;
static xlmig_ldisk_end src = { "xen1", "10.0.0.1" };
static xlmig_ldisk_end dst = { "xen2", "10.0.0.2" };

static void setup(int version, uint64_t rate)
{
    xlmig_ldisk_conf_init(&conf);
    conf.drbd_version = version;
    conf.rate_Bps = rate;
    memset(&disk, 0, sizeof(disk));
    snprintf(disk.vdev, sizeof(disk.vdev), "xvda");
    snprintf(disk.lv.vg, sizeof(disk.lv.vg), "vg0");
    snprintf(disk.lv.lv, sizeof(disk.lv.lv), "root");
    snprintf(disk.dst_vg, sizeof(disk.dst_vg), "data");
    disk.lv.size = 1ull << 32;
    disk.minor = 901;
    disk.port = 7901;
}

static void test_res84(void)
{
    char *t = NULL;

    setup(XLMIG_DRBD_V84, 0);
    CU_ASSERT_EQUAL_FATAL(xlmig_ldisk_res_text(&conf, &disk, &src, &dst, &t),
                          0);
    CU_ASSERT_STRING_EQUAL(t,
        "# Written by xl-migrate-drbd for one move of a local disk"
        " (vg0/root);\n# removed when the move ends.\n"
        "resource xlmig-901 {\n"
        "    net {\n        protocol C;\n"
        "        allow-two-primaries yes;\n    }\n"
        "    on xen1 {\n"
        "        device /dev/drbd901 minor 901;\n"
        "        disk /dev/mapper/xlmig-901-lower;\n"
        "        meta-disk /dev/vg0/xlmig-901-md;\n"
        "        address 10.0.0.1:7901;\n"
        "    }\n"
        "    on xen2 {\n"
        "        device /dev/drbd901 minor 901;\n"
        "        disk /dev/mapper/xlmig-901-lower;\n"
        "        meta-disk /dev/data/xlmig-901-md;\n"
        "        address 10.0.0.2:7901;\n"
        "    }\n"
        "}\n");
    free(t);
}

static void test_res9(void)
{
    char *t = NULL;

    setup(XLMIG_DRBD_V9, 100u << 20);
    snprintf(dst.addr, sizeof(dst.addr), "fd00::2");
    CU_ASSERT_EQUAL_FATAL(xlmig_ldisk_res_text(&conf, &disk, &src, &dst, &t),
                          0);
    snprintf(dst.addr, sizeof(dst.addr), "10.0.0.2");
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "    options {\n        auto-promote"
                                  " no;\n    }\n"));
    /* The budget as a fixed resync rate, DRBD's controller off. */
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "    disk {\n        c-plan-ahead 0;\n"
                                  "        resync-rate 102400K;\n"
                                  "        c-max-rate 102400K;\n    }\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "    on xen1 {\n        node-id 0;\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "    on xen2 {\n        node-id 1;\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "address ipv6 [fd00::2]:7901;"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "protocol C;"));
    free(t);
}

static int res_bad(void)
{
    char *t = (char *)"x";
    int rc;

    xlmig_err_clear();
    rc = xlmig_ldisk_res_text(&conf, &disk, &src, &dst, &t);
    CU_ASSERT_PTR_NULL(t);
    return rc;
}

static void test_res_refused(void)
{
    setup(XLMIG_DRBD_V84, 0);
    snprintf(src.addr, sizeof(src.addr), "10.0.0.1; }");
    CU_ASSERT_EQUAL(res_bad(), XLMIG_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "local disk xvda"));
    snprintf(src.addr, sizeof(src.addr), "10.0.0.1");
    snprintf(src.name, sizeof(src.name), "xen2");
    CU_ASSERT_EQUAL(res_bad(), XLMIG_E_INVAL);
    snprintf(src.name, sizeof(src.name), "xen{1");
    CU_ASSERT_EQUAL(res_bad(), XLMIG_E_INVAL);
    snprintf(src.name, sizeof(src.name), "xen1");
    disk.port = 70000;
    CU_ASSERT_EQUAL(res_bad(), XLMIG_E_INVAL);
    disk.port = 7901;
    snprintf(disk.dst_vg, sizeof(disk.dst_vg), "a b");
    CU_ASSERT_EQUAL(res_bad(), XLMIG_E_INVAL);
}

static void test_tables_names(void)
{
    char buf[300];

    setup(XLMIG_DRBD_V84, 0);
    CU_ASSERT_EQUAL(xlmig_ldisk_drbd_table(&disk, buf, sizeof(buf)), 0);
    CU_ASSERT_STRING_EQUAL(buf, "0 8388608 linear 147:901 0\n");
    CU_ASSERT_EQUAL(xlmig_ldisk_drbd_table(&disk, buf, 10), XLMIG_E_INVAL);
    CU_ASSERT_EQUAL(xlmig_ldisk_dm_name("my-vg", "a-b-c", buf, sizeof(buf)),
                    0);
    CU_ASSERT_STRING_EQUAL(buf, "my--vg-a--b--c");
    CU_ASSERT_EQUAL(xlmig_ldisk_dm_name("vg", "-x", buf, sizeof(buf)),
                    XLMIG_E_INVAL);
    xlmig_ldisk_lower_name(7, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "xlmig-7-lower");
    xlmig_ldisk_md_name(7, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "xlmig-7-md");
}

static void test_target(void)
{
    char vg[XLMIG_LDISK_NAME_MAX], lv[XLMIG_LDISK_NAME_MAX];

    CU_ASSERT(xlmig_ldisk_target_lv("/dev/vg0/root", vg, lv, sizeof(vg)));
    CU_ASSERT_STRING_EQUAL(vg, "vg0");
    CU_ASSERT_STRING_EQUAL(lv, "root");
    CU_ASSERT(xlmig_ldisk_target_lv("phy:/dev/mapper/my--vg-a--b", vg, lv,
                                    sizeof(vg)));
    CU_ASSERT_STRING_EQUAL(vg, "my-vg");
    CU_ASSERT_STRING_EQUAL(lv, "a-b");
    CU_ASSERT_FALSE(xlmig_ldisk_target_lv("/srv/img/disk.img", vg, lv,
                                          sizeof(vg)));
    CU_ASSERT_FALSE(xlmig_ldisk_target_lv("/dev/sda", vg, lv, sizeof(vg)));
    CU_ASSERT_FALSE(xlmig_ldisk_target_lv("/dev/vg0/../sda", vg, lv,
                                          sizeof(vg)));
    CU_ASSERT_FALSE(xlmig_ldisk_target_lv("/dev/drbd/by-res/r0", vg, lv,
                                          sizeof(vg)));
    CU_ASSERT_FALSE(xlmig_ldisk_target_lv("drbd:r0", vg, lv, sizeof(vg)));
}

/* DRBD's formula: ceil(sectors / 2^18) * 8 * peers + 72 sectors. */
static void test_md_size(void)
{
    uint64_t mib = 1 << 20;

    CU_ASSERT_EQUAL(xlmig_ldisk_md_bytes(1ull << 30, 1), mib);
    /* 1 TiB: 2^31 sectors -> 65536 + 72 sectors, 32 MiB + 36 KiB. */
    CU_ASSERT_EQUAL(xlmig_ldisk_md_bytes(1ull << 40, 1), 33 * mib);
    CU_ASSERT_EQUAL(xlmig_ldisk_md_bytes(1ull << 40, 2), 65 * mib);
    CU_ASSERT_EQUAL(xlmig_ldisk_md_bytes(1, 1), mib);
    /* 128 GiB: 2^28 sectors -> 8192 + 72 sectors, 4 MiB + 36 KiB. */
    CU_ASSERT_EQUAL(xlmig_ldisk_md_bytes(128ull << 30, 1), 5 * mib);
}

static void test_lv_refused(void)
{
    xlmig_ldisk_lv lv = { .vg = "vg0", .lv = "x", .size = 1 << 20,
                          .attr = "-wi-ao----", .segtype = "linear" };
    char why[256];

    CU_ASSERT_FALSE(xlmig_ldisk_lv_refused(&lv, why, sizeof(why)));
    snprintf(lv.attr, sizeof(lv.attr), "owi-aos---");
    CU_ASSERT(xlmig_ldisk_lv_refused(&lv, why, sizeof(why)));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "has snapshots"));
    snprintf(lv.attr, sizeof(lv.attr), "-wi-------");
    CU_ASSERT(xlmig_ldisk_lv_refused(&lv, why, sizeof(why)));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "not active"));
    snprintf(lv.attr, sizeof(lv.attr), "rwi-aor---");
    snprintf(lv.segtype, sizeof(lv.segtype), "raid1");
    CU_ASSERT(xlmig_ldisk_lv_refused(&lv, why, sizeof(why)));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "raid1 LV"));
}

static CU_TestInfo tests[] = {
    { "resource file, DRBD 8.4", test_res84 },
    { "resource file, DRBD 9, rate, IPv6", test_res9 },
    { "resource file refusals", test_res_refused },
    { "tables and names", test_tables_names },
    { "disk targets that are LVs", test_target },
    { "external metadata size", test_md_size },
    { "LV refusals", test_lv_refused },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("ldisk_gen", NULL, NULL, tests);
