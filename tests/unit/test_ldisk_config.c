/*
 * The carried domain config pointed at the destination's VG: each
 * carried disk's pdev_path in the form it had, everything else as it
 * came; a config that does not match the plan refused whole.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ldisk.h"
#include "unit.h"

static xlmig_ldisk_disk d[2];

static void disk(unsigned i, const char *vdev, const char *vg,
                 const char *lv, const char *dst_vg)
{
    memset(&d[i], 0, sizeof(d[i]));
    snprintf(d[i].vdev, sizeof(d[i].vdev), "%s", vdev);
    snprintf(d[i].lv.vg, sizeof(d[i].lv.vg), "%s", vg);
    snprintf(d[i].lv.lv, sizeof(d[i].lv.lv), "%s", lv);
    snprintf(d[i].dst_vg, sizeof(d[i].dst_vg), "%s", dst_vg);
}

static char *rewrite(unsigned n, const char *json)
{
    char *out = (char *)"unset";

    xlmig_err_clear();
    if (xlmig_ldisk_config_rewrite(d, n, json, strlen(json), &out)) {
        CU_ASSERT_PTR_NULL(out);
        return NULL;
    }
    return out;
}

static void test_dev_form(void)
{
    char *out;

    disk(0, "xvda", "vg0", "guest-root", "data");
    out = rewrite(1, "{\"c_info\":{\"name\":\"g\",\"uuid\":\"u-1\"},"
                  "\"disks\":[{\"pdev_path\":\"/dev/vg0/guest-root\","
                  "\"vdev\":\"xvda\",\"format\":\"raw\",\"readwrite\":1,"
                  "\"removable\":false,\"x\":null,\"n\":-1.5e3}],"
                  "\"b_info\":{\"max_memkb\":1048576}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_STRING_EQUAL(out, "{\"c_info\":{\"name\":\"g\",\"uuid\":"
                           "\"u-1\"},\"disks\":[{\"pdev_path\":"
                           "\"/dev/data/guest-root\",\"vdev\":\"xvda\","
                           "\"format\":\"raw\",\"readwrite\":1,"
                           "\"removable\":false,\"x\":null,\"n\":-1.5e3}],"
                           "\"b_info\":{\"max_memkb\":1048576}}");
    free(out);
    /* "phy:" kept. */
    out = rewrite(1, "{\"disks\":[{\"vdev\":\"xvda\",\"pdev_path\":"
                  "\"phy:/dev/vg0/guest-root\"}]}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_STRING_EQUAL(out, "{\"disks\":[{\"vdev\":\"xvda\","
                           "\"pdev_path\":\"phy:/dev/data/guest-root\"}]}");
    free(out);
}

static void test_mapper_form_dash(void)
{
    char *out;

    /* dm's names double a dash inside the VG or the LV name. */
    disk(0, "xvda", "vg0", "guest-root", "fast-vg");
    out = rewrite(1, "{\"disks\":[{\"vdev\":\"xvda\",\"pdev_path\":"
                  "\"/dev/mapper/vg0-guest--root\"}]}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_STRING_EQUAL(out, "{\"disks\":[{\"vdev\":\"xvda\","
                           "\"pdev_path\":\"/dev/mapper/fast--vg-guest--root"
                           "\"}]}");
    free(out);
    /* And back from a dashed VG, /dev form. */
    disk(0, "xvda", "fast-vg", "root", "vg0");
    out = rewrite(1, "{\"disks\":[{\"vdev\":\"xvda\",\"pdev_path\":"
                  "\"/dev/fast-vg/root\"}]}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_STRING_EQUAL(out, "{\"disks\":[{\"vdev\":\"xvda\","
                           "\"pdev_path\":\"/dev/vg0/root\"}]}");
    free(out);
}

static void test_others_untouched(void)
{
    char *out;

    /* Two carried, one DRBD disk, one file, one CD-ROM with no path,
     * a string equal to a carried path elsewhere. */
    disk(0, "xvda", "vg0", "root", "vg1");
    disk(1, "xvdc", "vg0", "data", "vg1");
    out = rewrite(2, "{\"c_info\":{\"name\":\"/dev/vg0/root\"},\"disks\":["
                  "{\"vdev\":\"xvda\",\"pdev_path\":\"/dev/vg0/root\"},"
                  "{\"vdev\":\"xvdb\",\"pdev_path\":\"r0\",\"script\":"
                  "\"block-drbd\"},"
                  "{\"vdev\":\"xvdc\",\"pdev_path\":\"/dev/mapper/vg0-data\"},"
                  "{\"vdev\":\"xvdd\",\"pdev_path\":\"/srv/img/x.raw\"},"
                  "{\"vdev\":\"xvde\",\"pdev_path\":\"/dev/vg0/other\"},"
                  "{\"vdev\":\"hdc\",\"is_cdrom\":1}]}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_STRING_EQUAL(out, "{\"c_info\":{\"name\":\"/dev/vg0/root\"},"
                           "\"disks\":["
                           "{\"vdev\":\"xvda\",\"pdev_path\":"
                           "\"/dev/vg1/root\"},"
                           "{\"vdev\":\"xvdb\",\"pdev_path\":\"r0\","
                           "\"script\":\"block-drbd\"},"
                           "{\"vdev\":\"xvdc\",\"pdev_path\":"
                           "\"/dev/mapper/vg1-data\"},"
                           "{\"vdev\":\"xvdd\",\"pdev_path\":"
                           "\"/srv/img/x.raw\"},"
                           "{\"vdev\":\"xvde\",\"pdev_path\":"
                           "\"/dev/vg0/other\"},"
                           "{\"vdev\":\"hdc\",\"is_cdrom\":1}]}");
    free(out);
}

static void test_refused(void)
{
    disk(0, "xvda", "vg0", "root", "vg1");
    CU_ASSERT_PTR_NULL(rewrite(1, "{\"disks\":[{\"vdev\":\"xvda\","));
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "domain config is not"
                                  " JSON"));
    CU_ASSERT_PTR_NULL(rewrite(1, "[1,2]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "no disks array"));
    /* The plan's disk is not in the config. */
    CU_ASSERT_PTR_NULL(rewrite(1, "{\"disks\":[{\"vdev\":\"xvdb\","
                                  "\"pdev_path\":\"/dev/vg0/root\"}]}"));
    CU_ASSERT_STRING_EQUAL(xlmig_errmsg(), "local disk xvda: not among the"
                           " disks of the guest's domain config");
    /* There, but another LV, or twice, or no path. */
    CU_ASSERT_PTR_NULL(rewrite(1, "{\"disks\":[{\"vdev\":\"xvda\","
                                  "\"pdev_path\":\"/dev/vg0/root2\"}]}"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "names /dev/vg0/root2,"
                                  " not the LV vg0/root"));
    CU_ASSERT_PTR_NULL(rewrite(1, "{\"disks\":[{\"vdev\":\"xvda\","
                                  "\"pdev_path\":\"/dev/vg0/root\"},"
                                  "{\"vdev\":\"xvda\",\"pdev_path\":"
                                  "\"/dev/vg0/root\"}]}"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "names it twice"));
    CU_ASSERT_PTR_NULL(rewrite(1, "{\"disks\":[{\"vdev\":\"xvda\","
                                  "\"pdev_path\":7}]}"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "no pdev_path"));
    xlmig_err_clear();
}

/* The xl config file's text: whole paths only, both forms, one error
 * for a carried disk it does not name. */
static char *xlcfg(unsigned n, const char *text)
{
    char *out = (char *)"unset";

    xlmig_err_clear();
    if (xlmig_ldisk_xlcfg_rewrite(d, n, text, &out)) {
        CU_ASSERT_PTR_NULL(out);
        return NULL;
    }
    return out;
}

static void test_xl_config_text(void)
{
    char *out;

    disk(0, "xvda", "vg0", "web", "data-vg");
    disk(1, "xvdb", "vg0", "web-log", "data-vg");
    out = xlcfg(2, "name = 'web'\n# was /dev/vg0/webby\n"
                "disk = [ 'phy:/dev/vg0/web,xvda,w',\n"
                "  'format=raw, vdev=xvdb, target=/dev/mapper/vg0-web--log',"
                "\n  '/dev/vg0/web2,raw,xvdc,w' ]\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_STRING_EQUAL(out, "name = 'web'\n# was /dev/vg0/webby\n"
                           "disk = [ 'phy:/dev/data-vg/web,xvda,w',\n"
                           "  'format=raw, vdev=xvdb, target=/dev/mapper/"
                           "data--vg-web--log',\n  '/dev/vg0/web2,raw,xvdc,"
                           "w' ]\n");
    free(out);
    /* Same VG: nothing to name, the text as it came. */
    disk(0, "xvda", "vg0", "web", "vg0");
    out = xlcfg(1, "disk = [ '/dev/disk/by-id/x,xvda,w' ]\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_STRING_EQUAL(out, "disk = [ '/dev/disk/by-id/x,xvda,w' ]\n");
    free(out);
    /* Named only as part of a longer path, or not at all: refused. */
    disk(0, "xvda", "vg0", "web", "data");
    CU_ASSERT_PTR_NULL(xlcfg(1, "disk = [ '/dev/vg0/web2,raw,xvda,w' ]\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "xvda"));
    CU_ASSERT_PTR_NULL(xlcfg(1, "disk = [ '/dev/disk/by-id/x,xvda,w' ]"));
}

static CU_TestInfo tests[] = {
    { "/dev/VG/LV form, other keys as they came", test_dev_form },
    { "/dev/mapper form, dashes doubled", test_mapper_form_dash },
    { "other disks and strings untouched", test_others_untouched },
    { "malformed or not the plan's: refused", test_refused },
    {"the xl config file's text", test_xl_config_text},
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("ldisk_config", NULL, NULL, tests);
