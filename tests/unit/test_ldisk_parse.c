/* Parsers of lvs/vgs JSON, dm tables and DRBD's sync progress. */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ldisk.h"
#include "unit.h"

#define LEN(s) s, strlen(s)

static const char lvs_json[] =
    "  {\n      \"report\": [\n          {\n              \"lv\": [\n"
    "                  {\"vg_name\":\"vg0\", \"lv_name\":\"root\","
    " \"lv_size\":\"4294967296\", \"lv_attr\":\"-wi-ao----\","
    " \"segtype\":\"linear\", \"origin\":\"\", \"pool_lv\":\"\"},\n"
    "                  {\"vg_name\":\"vg0\", \"lv_name\":\"snap\","
    " \"lv_size\":\"1073741824\", \"lv_attr\":\"swi-a-s---\","
    " \"segtype\":\"linear\", \"origin\":\"root\", \"pool_lv\":\"\"},\n"
    "                  {\"vg_name\":\"vg0\", \"lv_name\":\"thin1\","
    " \"lv_size\":\"1073741824\", \"lv_attr\":\"Vwi-a-tz--\","
    " \"segtype\":\"thin\", \"origin\":\"\", \"pool_lv\":\"pool\"},\n"
    "                  {\"vg_name\":\"vg0\", \"lv_name\":\"[pool_tdata]\","
    " \"lv_size\":\"1073741824\", \"lv_attr\":\"Twi-ao----\","
    " \"segtype\":\"linear\", \"origin\":\"\", \"pool_lv\":\"\"}\n"
    "              ]\n          }\n      ]\n      ,\n"
    "      \"log\": [\n      ]\n  }\n";

static void test_lvs(void)
{
    xlmig_ldisk_lv lv[8];
    char why[256];
    unsigned n;

    CU_ASSERT_EQUAL_FATAL(xlmig_ldisk_parse_lvs(LEN(lvs_json), "lvs", lv, 8,
                                                &n), 0);
    CU_ASSERT_EQUAL_FATAL(n, 4);
    CU_ASSERT_STRING_EQUAL(lv[0].vg, "vg0");
    CU_ASSERT_STRING_EQUAL(lv[0].lv, "root");
    CU_ASSERT_EQUAL(lv[0].size, 4294967296ull);
    CU_ASSERT_FALSE(xlmig_ldisk_lv_refused(&lv[0], why, sizeof(why)));
    CU_ASSERT_STRING_EQUAL(lv[1].origin, "root");
    CU_ASSERT(xlmig_ldisk_lv_refused(&lv[1], why, sizeof(why)));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "vg0/snap is a snapshot of root"));
    CU_ASSERT(xlmig_ldisk_lv_refused(&lv[2], why, sizeof(why)));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "thin LV (pool pool)"));
    CU_ASSERT_STRING_EQUAL(lv[3].lv, "pool_tdata");
    CU_ASSERT(xlmig_ldisk_lv_refused(&lv[3], why, sizeof(why)));
    /* Too many rows for the room given: an error, not a cut list. */
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_ldisk_parse_lvs(LEN(lvs_json), "lvs", lv, 3, &n),
                    XLMIG_E_EXTERNAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "more than 3 rows"));
}

static int lvs_bad(const char *s)
{
    xlmig_ldisk_lv lv[2];
    unsigned n;

    xlmig_err_clear();
    return xlmig_ldisk_parse_lvs(LEN(s), "lvs on xen2", lv, 2, &n);
}

static void test_lvs_bad(void)
{
    CU_ASSERT_EQUAL(lvs_bad("{"), XLMIG_E_EXTERNAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "lvs on xen2: not JSON"));
    CU_ASSERT_EQUAL(lvs_bad("{\"x\":1}"), XLMIG_E_EXTERNAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "no \"report\""));
    /* A name that could become an option or a path. */
    CU_ASSERT_EQUAL(lvs_bad("{\"report\":[{\"lv\":[{\"vg_name\":\"vg0\","
                            "\"lv_name\":\"-rf\",\"lv_size\":\"1\","
                            "\"lv_attr\":\"-wi-a-----\",\"segtype\":"
                            "\"linear\",\"origin\":\"\",\"pool_lv\":\"\"}]"
                            "}]}"), XLMIG_E_EXTERNAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "row 1 of \"lv\""));
    CU_ASSERT_EQUAL(lvs_bad("{\"report\":[{\"lv\":[{\"vg_name\":\"../x\"}]"
                            "}]}"), XLMIG_E_EXTERNAL);
    CU_ASSERT_EQUAL(lvs_bad("{\"report\":[{\"lv\":[{\"vg_name\":\"vg0\","
                            "\"lv_name\":\"a\",\"lv_size\":\"1x\","
                            "\"lv_attr\":\"-wi-a-----\",\"segtype\":"
                            "\"linear\",\"origin\":\"\",\"pool_lv\":\"\"}]"
                            "}]}"), XLMIG_E_EXTERNAL);
    CU_ASSERT_EQUAL(lvs_bad("{\"report\":[{\"lv\":[{\"vg_name\":\"vg0\","
                            "\"lv_name\":\"a\",\"lv_size\":"
                            "\"99999999999999999999\",\"lv_attr\":\"x\","
                            "\"segtype\":\"linear\",\"origin\":\"\","
                            "\"pool_lv\":\"\"}]}]}"), XLMIG_E_EXTERNAL);
}

static void test_vgs(void)
{
    static const char j[] = "{\"report\":[{\"vg\":[{\"vg_name\":\"vg1\","
                            "\"vg_free\":\"10737418240\","
                            "\"vg_extent_size\":4194304}]}]}";
    xlmig_ldisk_vg vg[2];
    unsigned n;

    CU_ASSERT_EQUAL_FATAL(xlmig_ldisk_parse_vgs(LEN(j), "vgs", vg, 2, &n), 0);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_STRING_EQUAL(vg[0].vg, "vg1");
    CU_ASSERT_EQUAL(vg[0].free, 10737418240ull);
    CU_ASSERT_EQUAL(vg[0].extent, 4194304u);
    CU_ASSERT_EQUAL(xlmig_ldisk_parse_vgs(LEN("{\"report\":[{\"vg\":[{"
                    "\"vg_name\":\"vg1\",\"vg_free\":\"1\","
                    "\"vg_extent_size\":\"0\"}]}]}"), "vgs", vg, 2, &n),
                    XLMIG_E_EXTERNAL);
}

static int table(const char *s, xlmig_ldisk_table *t)
{
    xlmig_err_clear();
    return xlmig_ldisk_parse_table(LEN(s), "dmsetup table vg0-root", t);
}

static void test_table(void)
{
    static xlmig_ldisk_table t;
    char *text = NULL;

    CU_ASSERT_EQUAL_FATAL(table("0 2097152 linear 8:16 2048\n"
                                "2097152 1048576 striped 2 128 8:32 384"
                                " 8:48 384\n", &t), 0);
    CU_ASSERT_EQUAL(t.n, 2);
    CU_ASSERT_EQUAL(t.sectors, 3145728u);
    CU_ASSERT_STRING_EQUAL(t.seg[1].target, "striped");
    CU_ASSERT_STRING_EQUAL(t.seg[1].args, "2 128 8:32 384 8:48 384");
    CU_ASSERT_EQUAL_FATAL(xlmig_ldisk_table_text(&t, &text), 0);
    CU_ASSERT_STRING_EQUAL(text, "0 2097152 linear 8:16 2048\n"
                           "2097152 1048576 striped 2 128 8:32 384 8:48"
                           " 384\n");
    free(text);
    CU_ASSERT_EQUAL(table("", &t), XLMIG_E_EXTERNAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "empty table"));
    CU_ASSERT_EQUAL(table("0 100 snapshot 253:1 253:2 P 8\n", &t),
                    XLMIG_E_EXTERNAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "segment 1 is a snapshot"
                                  " target"));
    CU_ASSERT_EQUAL(table("0 100 thin 253:3 1\n", &t), XLMIG_E_EXTERNAL);
    CU_ASSERT_EQUAL(table("0 100 linear 8:16 0\n200 100 linear 8:16 100\n",
                          &t), XLMIG_E_EXTERNAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "starts at 200, not 100"));
    CU_ASSERT_EQUAL(table("0 0 linear 8:16 0\n", &t), XLMIG_E_EXTERNAL);
    CU_ASSERT_EQUAL(table("0 100 linear\n", &t), XLMIG_E_EXTERNAL);
    CU_ASSERT_EQUAL(table("0 100 linear 8:16 0\x01\n", &t),
                    XLMIG_E_EXTERNAL);
    CU_ASSERT_EQUAL(table("0 18446744073709551615 linear 8:16 0\n"
                          "18446744073709551615 5 linear 8:16 0\n", &t),
                    XLMIG_E_EXTERNAL);
}

static const char proc84[] =
    "version: 8.4.11 (api:1/proto:86-101)\n"
    "srcversion: 211FB288A383ED945B83420\n"
    " 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n"
    "    ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f"
    " oos:0\n"
    "900: cs:SyncSource ro:Primary/Secondary ds:UpToDate/Inconsistent C"
    " r-----\n"
    "    ns:1048576 nr:0 dw:12 dr:1049000 al:1 bm:0 lo:0 pe:3 ua:0 ap:0"
    " ep:1 wo:f oos:3145728\n"
    "\t[===>................] sync'ed: 25.0% (3072/4096)M\n"
    "\tfinish: 0:00:30 speed: 102,400 (102,400) K/sec\n";

static void test_proc(void)
{
    xlmig_ldisk_sync s;

    CU_ASSERT_EQUAL_FATAL(xlmig_ldisk_parse_proc(LEN(proc84), 900, &s), 0);
    CU_ASSERT(s.found);
    CU_ASSERT_STRING_EQUAL(s.repl, "SyncSource");
    CU_ASSERT_STRING_EQUAL(s.disk, "UpToDate");
    CU_ASSERT_STRING_EQUAL(s.peer_disk, "Inconsistent");
    CU_ASSERT_EQUAL(s.oos_bytes, 3145728ull * 1024);
    CU_ASSERT_FALSE(xlmig_ldisk_sync_done(&s));
    CU_ASSERT_EQUAL_FATAL(xlmig_ldisk_parse_proc(LEN(proc84), 0, &s), 0);
    CU_ASSERT(xlmig_ldisk_sync_done(&s));
    CU_ASSERT_EQUAL_FATAL(xlmig_ldisk_parse_proc(LEN(proc84), 90, &s), 0);
    CU_ASSERT_FALSE(s.found);
    CU_ASSERT_EQUAL(xlmig_ldisk_parse_proc(LEN("900: cs:SyncSource"
                    " ds:UpToDate/Inconsistent oos:12x\n"), 900, &s),
                    XLMIG_E_EXTERNAL);
}

static void test_status9(void)
{
    static const char j[] =
        "[{\"name\":\"xlmig-900\",\"role\":\"Primary\",\"devices\":["
        "{\"volume\":0,\"minor\":900,\"disk-state\":\"UpToDate\"}],"
        "\"connections\":[{\"name\":\"xen2\",\"connection-state\":"
        "\"Connected\",\"peer_devices\":[{\"volume\":0,"
        "\"replication-state\":\"SyncSource\",\"peer-disk-state\":"
        "\"Inconsistent\",\"out-of-sync\":2048,\"percent-in-sync\":50.0}]"
        "}]},{\"name\":\"r0\",\"devices\":[],\"connections\":[]}]";
    xlmig_ldisk_sync s;

    CU_ASSERT_EQUAL_FATAL(xlmig_ldisk_parse_status(LEN(j), "xlmig-900", &s),
                          0);
    CU_ASSERT(s.found);
    CU_ASSERT_STRING_EQUAL(s.repl, "SyncSource");
    CU_ASSERT_STRING_EQUAL(s.peer_disk, "Inconsistent");
    CU_ASSERT_EQUAL(s.oos_bytes, 2048u * 1024);
    CU_ASSERT_EQUAL_FATAL(xlmig_ldisk_parse_status(LEN(j), "xlmig-901", &s),
                          0);
    CU_ASSERT_FALSE(s.found);
    CU_ASSERT_EQUAL(xlmig_ldisk_parse_status(LEN("[{\"name\":\"xlmig-900\","
                    "\"devices\":[{}],\"connections\":[]}]"), "xlmig-900",
                    &s), XLMIG_E_EXTERNAL);
    CU_ASSERT_EQUAL(xlmig_ldisk_parse_status(LEN("[{\"name\":\"xlmig-900\","
                    "\"devices\":[],\"connections\":[{\"peer_devices\":[{"
                    "\"replication-state\":\"x\",\"peer-disk-state\":\"y\","
                    "\"out-of-sync\":-1}]}]}]"), "xlmig-900", &s),
                    XLMIG_E_EXTERNAL);
}

static CU_TestInfo tests[] = {
    { "lvs report and refusals", test_lvs },
    { "lvs report, bad rows", test_lvs_bad },
    { "vgs report", test_vgs },
    { "dmsetup table", test_table },
    { "/proc/drbd sync progress (8.4)", test_proc },
    { "status --json sync progress (9)", test_status9 },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("ldisk_parse", NULL, NULL, tests);
