/* The disk pre-check: shared_storage prefixes and each disk's verdict. */
#include <string.h>

#include "config.h"
#include "disks.h"
#include "error.h"
#include "unit.h"

static xlmig_shared_storage ss;

static int parse(const char *v)
{
    xlmig_err_clear();
    return xlmig_shared_storage_parse("conf:1: shared_storage", v, &ss);
}

static void test_parse(void)
{
    CU_ASSERT_EQUAL(parse(" /srv/nfs/, /dev/disk/by-path/ip-1:3260-x"
                          "\trbd:pool/ "), 0);
    CU_ASSERT_EQUAL(ss.n, 3);
    CU_ASSERT_STRING_EQUAL(ss.prefix[0], "/srv/nfs/");
    CU_ASSERT_STRING_EQUAL(ss.prefix[1], "/dev/disk/by-path/ip-1:3260-x");
    CU_ASSERT_STRING_EQUAL(ss.prefix[2], "rbd:pool/");
    CU_ASSERT_EQUAL(parse(""), XLMIG_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "no prefix"));
    CU_ASSERT_EQUAL(parse("/"), XLMIG_E_INVAL);
    CU_ASSERT_EQUAL(parse("srv/nfs"), XLMIG_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(),
                                  "conf:1: shared_storage: \"srv/nfs\""));
    CU_ASSERT_EQUAL(parse("/srv/../dev/"), XLMIG_E_INVAL);
    CU_ASSERT_EQUAL(parse("/srv/./nfs"), XLMIG_E_INVAL);
    CU_ASSERT_EQUAL(parse("/a/\x01"), XLMIG_E_INVAL);
    CU_ASSERT_EQUAL(parse("/1 /2 /3 /4 /5 /6 /7 /8 /9 /10 /11 /12 /13 /14"
                          " /15 /16"), 0);
    CU_ASSERT_EQUAL(parse("/1 /2 /3 /4 /5 /6 /7 /8 /9 /10 /11 /12 /13 /14"
                          " /15 /16 /17"), XLMIG_E_INVAL);
}

static void test_match(void)
{
    CU_ASSERT_EQUAL_FATAL(parse("/srv/nfs /mnt/san/ rbd:pool/"), 0);
    CU_ASSERT_PTR_NOT_NULL(xlmig_shared_storage_match(&ss, "/srv/nfs/a"));
    CU_ASSERT_PTR_NOT_NULL(xlmig_shared_storage_match(&ss, "/srv/nfs"));
    CU_ASSERT_PTR_NULL(xlmig_shared_storage_match(&ss, "/srv/nfsx/a"));
    CU_ASSERT_PTR_NOT_NULL(xlmig_shared_storage_match(&ss, "/mnt/san/x"));
    CU_ASSERT_PTR_NULL(xlmig_shared_storage_match(&ss, "/mnt/san"));
    CU_ASSERT_PTR_NULL(xlmig_shared_storage_match(&ss, "/srv/nfs/../x"));
    CU_ASSERT_PTR_NULL(xlmig_shared_storage_match(&ss, "/srv/nfs/./x"));
    CU_ASSERT_PTR_NOT_NULL(xlmig_shared_storage_match(&ss, "/srv/nfs/.x"));
    CU_ASSERT_PTR_NOT_NULL(xlmig_shared_storage_match(&ss, "rbd:pool/w"));
    CU_ASSERT_PTR_NULL(xlmig_shared_storage_match(&ss, "rbd:other/w"));
    CU_ASSERT_PTR_NULL(xlmig_shared_storage_match(NULL, "/srv/nfs/a"));
}

static void test_verdict(void)
{
    char why[256];

    CU_ASSERT_EQUAL_FATAL(parse("/srv/nfs/"), 0);
    CU_ASSERT(xlmig_disk_verdict("drbd:r0", NULL, false, &ss, why,
                                 sizeof(why)));
    CU_ASSERT_STRING_EQUAL(why, "drbd:r0: DRBD resource r0");
    CU_ASSERT(xlmig_disk_verdict("r1", "/etc/xen/scripts/block-drbd",
                                 false, NULL, why, sizeof(why)));
    CU_ASSERT(xlmig_disk_verdict("/dev/drbd3", NULL, false, NULL, why,
                                 sizeof(why)));
    CU_ASSERT_STRING_EQUAL(why, "/dev/drbd3: DRBD device minor 3");
    CU_ASSERT_FALSE(xlmig_disk_verdict("drbd:bad name", NULL, false, &ss,
                                       why, sizeof(why)));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "names no DRBD resource"));
    CU_ASSERT(xlmig_disk_verdict("/srv/nfs/w.img", "block", false, &ss,
                                 why, sizeof(why)));
    CU_ASSERT_STRING_EQUAL(why, "/srv/nfs/w.img: on shared storage"
                                " /srv/nfs/");
    CU_ASSERT_FALSE(xlmig_disk_verdict("/dev/vg0/web01-data", NULL, false,
                                       &ss, why, sizeof(why)));
    CU_ASSERT_STRING_EQUAL(why, "/dev/vg0/web01-data: not a DRBD resource"
                                " and not on shared storage");
    CU_ASSERT_FALSE(xlmig_disk_verdict("/srv/iso/x.iso", NULL, true, &ss,
                                       why, sizeof(why)));
    CU_ASSERT(xlmig_disk_verdict("", NULL, true, &ss, why, sizeof(why)));
    CU_ASSERT_STRING_EQUAL(why, "empty CD-ROM drive");
}

static void test_config(void)
{
    xlmig_checks c;

    CU_ASSERT_EQUAL_FATAL(parse("/srv/nfs/"), 0);
    xlmig_checks_init(&c);
    xlmig_disks_check("{\"disks\":[{\"vdev\":\"xvda\",\"pdev_path\":"
                      "\"drbd:r0\",\"script\":\"block-drbd-xlmig\"},"
                      "{\"vdev\":\"xvdb\",\"pdev_path\":\"/dev/vg0/d\"},"
                      "{\"vdev\":\"xvdc\",\"pdev_path\":\"/srv/nfs/c\"},"
                      "{\"vdev\":\"hdc\",\"is_cdrom\":1}]}", &ss, "source", &c);
    CU_ASSERT_EQUAL_FATAL(c.n, 4);
    CU_ASSERT_STRING_EQUAL(c.items[0].name, "disk xvda");
    CU_ASSERT(c.items[0].ok);
    CU_ASSERT_STRING_EQUAL(c.items[1].name, "disk xvdb");
    CU_ASSERT_FALSE(c.items[1].ok);
    CU_ASSERT(c.items[2].ok);
    CU_ASSERT(c.items[3].ok);
    CU_ASSERT_PTR_EQUAL(xlmig_checks_failed(&c), &c.items[1]);
    /* No disks at all: nothing to refuse. */
    xlmig_checks_init(&c);
    xlmig_disks_check("{\"c_info\":{}}", &ss, "source", &c);
    CU_ASSERT_EQUAL(c.n, 0);
    /* Unreadable: one failed row, never a pass. */
    xlmig_checks_init(&c);
    xlmig_disks_check("{\"disks\":", &ss, "source", &c);
    CU_ASSERT_EQUAL_FATAL(c.n, 1);
    CU_ASSERT_FALSE(c.items[0].ok);
    xlmig_checks_init(&c);
    xlmig_disks_check("{\"disks\":{}}", &ss, "source", &c);
    CU_ASSERT_EQUAL_FATAL(c.n, 1);
    CU_ASSERT_FALSE(c.items[0].ok);
    xlmig_checks_init(&c);
    xlmig_disks_check("{\"disks\":[3]}", &ss, "source", &c);
    CU_ASSERT_EQUAL_FATAL(c.n, 1);
    CU_ASSERT_STRING_EQUAL(c.items[0].name, "disk ?");
    CU_ASSERT_FALSE(c.items[0].ok);
}

static void test_conf_key(void)
{
    const char *t = "shared_storage = /srv/nfs/ /mnt/x/\n";
    xlmig_config cfg;

    CU_ASSERT_EQUAL_FATAL(xlmig_config_parse(&cfg, t, strlen(t), "f"), 0);
    CU_ASSERT_EQUAL(cfg.shared.n, 2);
    t = "shared_storage = /a/\nshared_storage = /b/\n";
    CU_ASSERT_EQUAL(xlmig_config_parse(&cfg, t, strlen(t), "f"),
                    XLMIG_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "given twice"));
}

static CU_TestInfo tests[] = {
    { "shared_storage parse", test_parse },
    { "prefix match by component", test_match },
    { "one disk's verdict", test_verdict },
    { "rows from a domain config", test_config },
    { "xlmig.conf key", test_conf_key },
    CU_TEST_INFO_NULL,
};
XLMIG_UNIT_SUITE("disks", NULL, NULL, tests);
