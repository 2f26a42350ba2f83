/*
 * DRBD tool output parsers, on recorded outputs of DRBD 8.4 and 9
 * (tests/unit/data/drbd/), on malformed variants, and on every
 * truncation of each recording.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drbd.h"
#include "drbd_fixture.h"
#include "error.h"

/* ---- drbdadm --version ---- */

static void test_version(void)
{
    char kver[32];
    size_t len;
    char *b;
    int v = 0;

    b = rec_load("v84-drbdadm-version.txt", &len);
    CU_ASSERT_EQUAL(xlmig_drbd_parse_version(b, len, &v, kver,
                                             sizeof(kver)), 0);
    CU_ASSERT_EQUAL(v, XLMIG_DRBD_V84);
    CU_ASSERT_STRING_EQUAL(kver, "8.4.11");
    free(b);
    b = rec_load("v9-drbdadm-version.txt", &len);
    CU_ASSERT_EQUAL(xlmig_drbd_parse_version(b, len, &v, NULL, 0), 0);
    CU_ASSERT_EQUAL(v, XLMIG_DRBD_V9);
    free(b);
    /* Recorded on a host without the module. */
    xlmig_err_clear();
    b = rec_load("none-drbdadm-version.txt", &len);
    CU_ASSERT_EQUAL(xlmig_drbd_parse_version(b, len, &v, NULL, 0),
                    XLMIG_E_EXTERNAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "not loaded"));
    free(b);
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_drbd_parse_version(
        S("DRBD_KERNEL_VERSION_CODE=0x080300\n"), &v, NULL, 0),
        XLMIG_E_EXTERNAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "neither 8.4 nor 9"));
    CU_ASSERT_EQUAL(xlmig_drbd_parse_version(
        S("DRBD_KERNEL_VERSION_CODE=banana\n"), &v, NULL, 0),
        XLMIG_E_EXTERNAL);
    CU_ASSERT_EQUAL(xlmig_drbd_parse_version(
        S("DRBD_KERNEL_VERSION_CODE=0x08040b"), &v, NULL, 0),
        XLMIG_E_EXTERNAL);
    CU_ASSERT_EQUAL(xlmig_drbd_parse_version(S(""), &v, NULL, 0),
                    XLMIG_E_EXTERNAL);
}

/* ---- DRBD 8.4 role / cstate / dstate ---- */

static void test_84_state_synced(void)
{
    xlmig_drbd_state s;

    xlmig_drbd_state_init(&s);
    CU_ASSERT_EQUAL(xlmig_drbd_parse_role84(S("Primary/Secondary\n"), "r0",
                                            &s), 0);
    CU_ASSERT_EQUAL(xlmig_drbd_parse_cstate84(S("Connected\n"), "r0", &s),
                    0);
    CU_ASSERT_EQUAL(xlmig_drbd_parse_dstate84(S("UpToDate/UpToDate\n"),
                                              "r0", &s), 0);
    CU_ASSERT_EQUAL(s.role, XLMIG_DRBD_ROLE_PRIMARY);
    CU_ASSERT_EQUAL(s.peer_role, XLMIG_DRBD_ROLE_SECONDARY);
    CU_ASSERT_STRING_EQUAL(s.cstate, "Connected");
    CU_ASSERT_STRING_EQUAL(s.repl, "Established");
    CU_ASSERT_EQUAL(s.nvol, 1);
    CU_ASSERT(xlmig_drbd_state_synced(&s));
}

static void test_84_state_resync_and_down(void)
{
    xlmig_drbd_state s;

    xlmig_drbd_state_init(&s);
    CU_ASSERT_EQUAL(xlmig_drbd_parse_cstate84(S("SyncSource\n"), "r0", &s),
                    0);
    CU_ASSERT_EQUAL(xlmig_drbd_parse_dstate84(S("UpToDate/Inconsistent\n"),
                                              "r0", &s), 0);
    CU_ASSERT_STRING_EQUAL(s.cstate, "Connected");
    CU_ASSERT_STRING_EQUAL(s.repl, "SyncSource");
    CU_ASSERT_STRING_EQUAL(s.peer_disk, "Inconsistent");
    CU_ASSERT(!xlmig_drbd_state_synced(&s));

    xlmig_drbd_state_init(&s);
    CU_ASSERT_EQUAL(xlmig_drbd_parse_role84(S("Secondary/Unknown\n"), "r0",
                                            &s), 0);
    CU_ASSERT_EQUAL(xlmig_drbd_parse_cstate84(S("WFConnection\n"), "r0",
                                              &s), 0);
    CU_ASSERT_EQUAL(xlmig_drbd_parse_dstate84(S("UpToDate/DUnknown\n"),
                                              "r0", &s), 0);
    CU_ASSERT_EQUAL(s.peer_role, XLMIG_DRBD_ROLE_UNKNOWN);
    CU_ASSERT_STRING_EQUAL(s.cstate, "WFConnection");
    CU_ASSERT(!xlmig_drbd_state_synced(&s));
}

static void test_84_two_volumes_worst_wins(void)
{
    xlmig_drbd_state s;

    xlmig_drbd_state_init(&s);
    CU_ASSERT_EQUAL(xlmig_drbd_parse_role84(
        S("Primary/Secondary\nPrimary/Secondary\n"), "r1", &s), 0);
    CU_ASSERT_EQUAL(xlmig_drbd_parse_cstate84(
        S("Connected\nSyncSource\n"), "r1", &s), 0);
    CU_ASSERT_EQUAL(xlmig_drbd_parse_dstate84(
        S("UpToDate/UpToDate\nUpToDate/Inconsistent\n"), "r1", &s), 0);
    CU_ASSERT_EQUAL(s.nvol, 2);
    CU_ASSERT_STRING_EQUAL(s.repl, "SyncSource");
    CU_ASSERT_STRING_EQUAL(s.peer_disk, "Inconsistent");
    CU_ASSERT(!xlmig_drbd_state_synced(&s));
    /* Volume counts that disagree between tools are an error. */
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_drbd_parse_dstate84(S("UpToDate/UpToDate\n"),
                                              "r1", &s), XLMIG_E_EXTERNAL);
    rec_err("r1", "volumes");
}

static void test_84_state_malformed(void)
{
    static const struct {
        int which;          /* 0 role, 1 cstate, 2 dstate */
        const char *text;
        const char *needle;
    } cases[] = {
        { 0, "Primary\n", "role" },
        { 0, "Primary/Secondary/Primary\n", "role" },
        { 0, "primary/secondary\n", "role" },
        { 0, "Primary/Secondary", "truncated" },
        { 0, "Primary/Secondary\nSecondary/Secondary\n", "different" },
        { 0, "", "empty" },
        { 0, "\n\n", "empty" },
        { 0, "Primary/Seco", "truncated" },
        { 0, "Primary/ Secondary\n", "role" },
        { 1, "Connectd\n", "connection state" },
        { 1, "Connected extra\n", "cstate" },
        { 1, "Conn", "truncated" },
        { 1, "Connected\0\n", "NUL" },
        { 2, "UpToDate\n", "disk state" },
        { 2, "UpToDate/Whatever\n", "disk state" },
        { 2, "UpToDate/UpTo", "truncated" },
        { 2, "Command 'drbdsetup-84 dstate 0' terminated\n", "dstate" },
    };
    unsigned i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        xlmig_drbd_state s;
        size_t n = strlen(cases[i].text);
        int rc;

        if (strstr(cases[i].needle, "NUL"))
            n = 11;
        xlmig_drbd_state_init(&s);
        xlmig_err_clear();
        rc = cases[i].which == 0 ?
                 xlmig_drbd_parse_role84(cases[i].text, n, "r0", &s) :
             cases[i].which == 1 ?
                 xlmig_drbd_parse_cstate84(cases[i].text, n, "r0", &s) :
                 xlmig_drbd_parse_dstate84(cases[i].text, n, "r0", &s);
        if (rc != XLMIG_E_EXTERNAL)
            fprintf(stderr, "\ncase %u accepted\n", i);
        CU_ASSERT_EQUAL(rc, XLMIG_E_EXTERNAL);
        rec_err("r0", cases[i].needle);
    }
}

/* ---- drbdsetup show ---- */

/* Resource name of the show recording file, parsed whole into sh. */
static const xlmig_drbd_show_res *show_res(const char *file,
                                           xlmig_drbd_show *sh,
                                           const char *name)
{
    const xlmig_drbd_show_res *r;
    size_t len;
    char *b = rec_load(file, &len);

    CU_ASSERT_EQUAL(xlmig_drbd_parse_show(b, len, "show", sh), 0);
    free(b);
    r = xlmig_drbd_show_find(sh, name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    return r;
}

static void test_show_84(void)
{
    const xlmig_drbd_show_res *r;
    xlmig_drbd_show *sh = calloc(1, sizeof(*sh));

    r = show_res("v84-show-r0.txt", sh, "r0");
    CU_ASSERT_EQUAL(sh->n, 1);
    CU_ASSERT_EQUAL(r->protocol, 'C');
    CU_ASSERT_EQUAL(r->two_primaries, 0);
    CU_ASSERT_EQUAL(r->nminors, 1);
    CU_ASSERT_EQUAL(r->minors[0], 0);

    r = show_res("v84-show-all.txt", sh, "r1");
    CU_ASSERT_EQUAL(sh->n, 2);
    CU_ASSERT_EQUAL(r->two_primaries, 1);
    CU_ASSERT_EQUAL(r->nminors, 2);
    CU_ASSERT_PTR_EQUAL(xlmig_drbd_show_by_minor(sh, 2), r);
    CU_ASSERT_PTR_EQUAL(xlmig_drbd_show_by_minor(sh, 0),
                        xlmig_drbd_show_find(sh, "r0"));
    CU_ASSERT_PTR_NULL(xlmig_drbd_show_by_minor(sh, 9));
    CU_ASSERT_PTR_NULL(xlmig_drbd_show_find(sh, "r2"));
    free(sh);
}

static void test_show_9(void)
{
    const xlmig_drbd_show_res *r;
    xlmig_drbd_show *sh = calloc(1, sizeof(*sh));

    r = show_res("v9-show-r9.txt", sh, "r9");
    CU_ASSERT_EQUAL(r->protocol, 'C');
    CU_ASSERT_EQUAL(r->two_primaries, 0);
    CU_ASSERT_EQUAL(r->nconn, 1);
    CU_ASSERT_STRING_EQUAL(r->peer_name, "xen2");
    CU_ASSERT_EQUAL(r->nminors, 1);
    CU_ASSERT_EQUAL(r->minors[0], 1);
    free(sh);
}

static void test_show_malformed(void)
{
    static const char *const cases[] = {
        "resource r0 {\n    net {\n        protocol D;\n    }\n}\n",
        "resource r0 {\n    net {\n        allow-two-primaries maybe;\n"
        "    }\n}\n",
        "resource r0 {\n    net {\n        protocol C\n    }\n}\n",
        "resource r0 {\n    }\n}\n",
        "net { protocol C; }\n",
        "resource r0 {\n    net \"{\n",
        "resource r0 {\n    _this_host {\n        volume 0 {\n"
        "            device /dev/drbd;\n        }\n    }\n}\n",
        "resource r0 { a { b { c { d { e { f { g { h { i { j { k { l { m {"
        " n { o { p { q { } } } } } } } } } } } } } } } } } }\n",
        "resource r0 { x a b c d e f g h i j k; }\n",
        "resource r\x01 { }\n",
    };
    xlmig_drbd_show *sh = calloc(1, sizeof(*sh));
    unsigned i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        xlmig_err_clear();
        if (xlmig_drbd_parse_show(S(cases[i]), "show", sh) !=
            XLMIG_E_EXTERNAL) {
            fprintf(stderr, "\nshow case %u accepted\n", i);
            CU_FAIL("malformed show accepted");
        }
        CU_ASSERT(strlen(xlmig_errmsg()) > 0);
    }
    free(sh);
}

/*
 * Every cut before the last '}' is refused or, cut between two whole
 * resources, loses the later one entirely (a lookup then fails). Never
 * a half-read resource, never a crash.
 */
static void truncations_show(const char *file)
{
    xlmig_drbd_show *sh = calloc(1, sizeof(*sh));
    size_t len, cut, last;
    char *b = rec_load(file, &len);
    unsigned full;

    CU_ASSERT_EQUAL_FATAL(xlmig_drbd_parse_show(b, len, "show", sh), 0);
    full = sh->n;
    last = strrchr(b, '}') - b;
    for (cut = 0; cut < len; cut++) {
        int rc = xlmig_drbd_parse_show(b, cut, "show", sh);

        if (cut <= last && rc == 0 && sh->n >= full) {
            fprintf(stderr, "\n%s cut at %zu accepted\n", file, cut);
            CU_FAIL("truncated show accepted");
            break;
        }
    }
    free(b);
    free(sh);
}

static void test_show_truncated(void)
{
    truncations_show("v84-show-r0.txt");
    truncations_show("v84-show-all.txt");
    truncations_show("v9-show-r9.txt");
}

/* ---- drbdadm dump ---- */

/* The dump recording file, read into c for res: its two hosts. */
static char *load_pair_dump(const char *file, const char *res,
                            xlmig_drbd_conf *c, size_t *len)
{
    char *b = rec_load(file, len);

    CU_ASSERT_EQUAL(xlmig_drbd_parse_dump(b, *len, res, c), 0);
    CU_ASSERT_EQUAL(c->nhosts, 2);
    return b;
}

static void test_dump_84(void)
{
    xlmig_drbd_conf c;
    size_t len;
    char *b = load_pair_dump("v84-dump-r0.txt", "r0", &c, &len);

    CU_ASSERT_STRING_EQUAL(c.hosts[0].name, "xen1");
    CU_ASSERT_STRING_EQUAL(c.hosts[1].name, "xen2");
    CU_ASSERT_EQUAL(c.hosts[0].minor, 0);
    CU_ASSERT_EQUAL(c.minor, -1);
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_drbd_parse_dump(b, len, "r5", &c),
                    XLMIG_E_EXTERNAL);
    rec_err("r5", "not in drbdadm dump");
    free(b);
}

static void test_dump_9(void)
{
    xlmig_drbd_conf c;
    size_t len;
    char *b = load_pair_dump("v9-dump-r9.txt", "r9", &c, &len);

    CU_ASSERT_STRING_EQUAL(c.hosts[1].name, "xen2");
    CU_ASSERT_EQUAL(c.hosts[1].minor, -1);
    CU_ASSERT_EQUAL(c.minor, 1);
    free(b);
}

static void test_dump_malformed_and_truncated(void)
{
    static const char *const cases[] = {
        "resource r0 {\n    floating ipv4 10.0.0.1:7789 {\n    }\n}\n",
        "resource r0 {\n    on a b {\n    }\n}\n",
        "resource r0 {\n    net {\n    }\n}\n",
        "resource r0 {\n    on a {\n        device minor x;\n    }\n}\n",
        "resource r0 {\n    on a {\n    }\n}\nresource r0 {\n}\n",
        "something else\n",
    };
    xlmig_drbd_conf c;
    size_t len, cut, last;
    unsigned i;
    char *b;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        xlmig_err_clear();
        if (xlmig_drbd_parse_dump(S(cases[i]), "r0", &c) !=
            XLMIG_E_EXTERNAL) {
            fprintf(stderr, "\ndump case %u accepted\n", i);
            CU_FAIL("malformed dump accepted");
        }
        rec_err("r0", NULL);
    }
    b = rec_load("v84-dump-r0.txt", &len);
    last = strrchr(b, '}') - b;
    for (cut = 0; cut <= last; cut++)
        if (!xlmig_drbd_parse_dump(b, cut, "r0", &c)) {
            fprintf(stderr, "\ndump cut at %zu accepted\n", cut);
            CU_FAIL("truncated dump accepted");
            break;
        }
    free(b);
}

/* ---- disk targets and the libxl config ---- */

static void test_targets(void)
{
    xlmig_drbd_disk d;

    memset(&d, 0, sizeof(d));
    CU_ASSERT_EQUAL(xlmig_drbd_parse_target("drbd:r0", &d), 0);
    CU_ASSERT_STRING_EQUAL(d.res, "r0");
    CU_ASSERT_EQUAL(xlmig_drbd_parse_target("web-data_1", &d), 0);
    CU_ASSERT_STRING_EQUAL(d.res, "web-data_1");
    CU_ASSERT_EQUAL(xlmig_drbd_parse_target("/dev/drbd12", &d), 0);
    CU_ASSERT_EQUAL(d.minor, 12);
    CU_ASSERT_STRING_EQUAL(d.res, "");
    CU_ASSERT_EQUAL(xlmig_drbd_parse_target("/dev/drbd/by-res/r3/0", &d), 0);
    CU_ASSERT_STRING_EQUAL(d.res, "r3");
    CU_ASSERT_EQUAL(xlmig_drbd_parse_target("/dev/drbd/by-res/r4", &d), 0);
    CU_ASSERT_STRING_EQUAL(d.res, "r4");
    CU_ASSERT_EQUAL(xlmig_drbd_parse_target("", &d), XLMIG_E_INVAL);
    CU_ASSERT_EQUAL(xlmig_drbd_parse_target("/dev/drbdx", &d),
                    XLMIG_E_INVAL);
    CU_ASSERT_EQUAL(xlmig_drbd_parse_target("r0; rm -rf /", &d),
                    XLMIG_E_INVAL);
    CU_ASSERT_EQUAL(xlmig_drbd_parse_target("-r0", &d), XLMIG_E_INVAL);
    CU_ASSERT_EQUAL(xlmig_drbd_parse_target("/dev/drbd/by-res/r0/x", &d),
                    XLMIG_E_INVAL);
}

static void test_disks(void)
{
    xlmig_drbd_disk d[4];
    unsigned n = 99;
    size_t len;
    char *b = rec_load("libxl-config-two-disks.json", &len);

    CU_ASSERT_EQUAL(xlmig_drbd_parse_disks(b, len, d, 4, &n), 0);
    /* r0 twice (xvda, xvdd) counts once; the cdrom is not DRBD. */
    CU_ASSERT_EQUAL_FATAL(n, 3);
    CU_ASSERT_STRING_EQUAL(d[0].res, "r0");
    CU_ASSERT_STRING_EQUAL(d[0].vdev, "xvda");
    CU_ASSERT_STRING_EQUAL(d[1].res, "r1");
    CU_ASSERT_EQUAL(d[2].minor, 7);
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_drbd_parse_disks(b, len, d, 2, &n),
                    XLMIG_E_INVAL);
    CU_ASSERT_EQUAL(xlmig_drbd_parse_disks(b, len / 2, d, 4, &n),
                    XLMIG_E_INVAL);
    free(b);
    CU_ASSERT_EQUAL(xlmig_drbd_parse_disks(S("{\"c_info\":{}}"), d, 4, &n),
                    0);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_EQUAL(xlmig_drbd_parse_disks(S("{\"disks\":{}}"), d, 4, &n),
                    XLMIG_E_INVAL);
    CU_ASSERT_EQUAL(xlmig_drbd_parse_disks(S("[]"), d, 4, &n),
                    XLMIG_E_INVAL);
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_drbd_parse_disks(S(
        "{\"disks\":[{\"pdev_path\":\"bad name\",\"vdev\":\"xvda\","
        "\"script\":\"block-drbd-xlmig\"}]}"), d, 4, &n), XLMIG_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "xvda"));
}

static CU_TestInfo tests[] = {
    { "version", test_version },
    { "8.4 state synced", test_84_state_synced },
    { "8.4 state resync and down", test_84_state_resync_and_down },
    { "8.4 two volumes, worst wins", test_84_two_volumes_worst_wins },
    { "8.4 state malformed", test_84_state_malformed },
    { "show 8.4", test_show_84 },
    { "show 9", test_show_9 },
    { "show malformed", test_show_malformed },
    { "show truncated", test_show_truncated },
    { "dump 8.4", test_dump_84 },
    { "dump 9", test_dump_9 },
    { "dump malformed and truncated", test_dump_malformed_and_truncated },
    { "disk targets", test_targets },
    { "libxl disks", test_disks },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("drbd-parse", NULL, NULL, tests);
