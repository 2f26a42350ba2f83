/* The switchover cost history: parse, keep, estimate, store. */
#include "unit.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "switchover_cost.h"

#define MS 1000000ULL

static int parse(xlmig_swcost *s, const char *text)
{
    return xlmig_swcost_parse(s, text, strlen(text));
}

static void test_parse_good(void)
{
    xlmig_swcost s;
    unsigned used;

    CU_ASSERT_EQUAL(parse(&s, ""), 0);
    CU_ASSERT_EQUAL(s.n, 0);
    CU_ASSERT_EQUAL(xlmig_swcost_estimate(&s, &used), 0);
    CU_ASSERT_EQUAL(used, 0);
    CU_ASSERT_EQUAL(parse(&s, "1700000000 5210 5600\n"
                              "1700000100 4100 4300\n"), 0);
    CU_ASSERT_EQUAL(s.n, 2);
    CU_ASSERT_EQUAL(s.when[1], 1700000100);
    CU_ASSERT_EQUAL(s.cost_ns[0], 5210 * MS);
    CU_ASSERT_EQUAL(s.downtime_ns[1], 4300 * MS);
    CU_ASSERT_EQUAL(xlmig_swcost_estimate(&s, &used), 5210 * MS);
    CU_ASSERT_EQUAL(used, 2);
}

static void test_parse_bad(void)
{
    static const char *bad[] = {
        "1700000000 5210 5600",            /* no newline */
        "1700000000 5210\n",
        "1700000000  5210 5600\n",
        " 1700000000 5210 5600\n",
        "1700000000 5210 5600 7\n",
        "1700000000 -5 5600\n",
        "1700000000 52x0 5600\n",
        "1700000000 5210 5600\n\n",
        "1700000000 99999999999 5600\n",   /* over the sanity bound */
        "999999999999999999999 1 1\n",     /* overflows */
        "1700000000\t5210\t5600\n",
        "\n",
    };
    xlmig_swcost s;
    unsigned i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CU_ASSERT_NOT_EQUAL(parse(&s, bad[i]), 0);
        /* A refused file leaves nothing half-read behind. */
        CU_ASSERT_EQUAL(s.n, 0);
    }
}

static void test_parse_every_truncation(void)
{
    const char *text = "1700000000 5210 5600\n1700000100 4100 4300\n";
    size_t len = strlen(text), i;
    xlmig_swcost s;

    for (i = 0; i <= len; i++) {
        int rc = xlmig_swcost_parse(&s, text, i);

        /* Only whole lines parse: at 0, after the first and at the end. */
        bool whole = i == 0 || i == 21 || i == len;

        CU_ASSERT_EQUAL(rc == 0, whole);
    }
}

static void test_parse_too_long(void)
{
    char buf[XLMIG_SWCOST_FILE_MAX + 64];
    size_t len = 0;
    xlmig_swcost s;

    while (len + 6 < sizeof(buf))
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "1 2 3\n");
    CU_ASSERT(len > XLMIG_SWCOST_FILE_MAX);
    CU_ASSERT_NOT_EQUAL(xlmig_swcost_parse(&s, buf, len), 0);
}

static void test_keep_and_recent(void)
{
    xlmig_swcost s;
    unsigned i, used;

    xlmig_swcost_init(&s);
    /* One slow switchover, then ten fast ones. */
    xlmig_swcost_add(&s, 1, 9000 * MS, 9000 * MS);
    for (i = 0; i < 10; i++)
        xlmig_swcost_add(&s, 2 + i, (100 + i) * MS, 200 * MS);
    CU_ASSERT_EQUAL(s.n, XLMIG_SWCOST_KEEP);
    CU_ASSERT_EQUAL(s.when[0], 11 - XLMIG_SWCOST_KEEP + 1);
    /* The slow one has aged out: the worst of the last five counts. */
    CU_ASSERT_EQUAL(xlmig_swcost_estimate(&s, &used), 109 * MS);
    CU_ASSERT_EQUAL(used, XLMIG_SWCOST_RECENT);
    xlmig_swcost_add(&s, 20, 3000 * MS, 3100 * MS);
    CU_ASSERT_EQUAL(xlmig_swcost_estimate(&s, NULL), 3000 * MS);
}

static void test_cost_of(void)
{
    /* 2 s down, 8 MiB of last pages at 8 MiB/s: 1 s was switchover. */
    CU_ASSERT_EQUAL(xlmig_swcost_of(2000 * MS, 8 << 20, 8.0 * (1 << 20)),
                    1000 * MS);
    /* Pages alone explain it all. */
    CU_ASSERT_EQUAL(xlmig_swcost_of(500 * MS, 8 << 20, 8.0 * (1 << 20)),
                    0);
    /* No rate known: all of the downtime counts. */
    CU_ASSERT_EQUAL(xlmig_swcost_of(700 * MS, 1 << 20, 0), 700 * MS);
}

static void test_file_names(void)
{
    char buf[128];

    CU_ASSERT_EQUAL(xlmig_swcost_file("/d", "xen2", buf, sizeof(buf)), 0);
    CU_ASSERT_STRING_EQUAL(buf, "/d/xen2");
    CU_ASSERT_EQUAL(xlmig_swcost_file("/d", "../etc/passwd", buf,
                                      sizeof(buf)), 0);
    CU_ASSERT_STRING_EQUAL(buf, "/d/_._etc_passwd");
    CU_ASSERT_EQUAL(xlmig_swcost_file("/d", "root@h 2", buf,
                                      sizeof(buf)), 0);
    CU_ASSERT_STRING_EQUAL(buf, "/d/root_h_2");
    CU_ASSERT_NOT_EQUAL(xlmig_swcost_file("/d", "", buf, sizeof(buf)), 0);
    CU_ASSERT_NOT_EQUAL(xlmig_swcost_file("/d", "a-host-name-that-goes-"
                        "on-and-on-for-more-than-sixty-four-characters",
                        buf, sizeof(buf)), 0);
    CU_ASSERT_NOT_EQUAL(xlmig_swcost_file("/a/long/directory", "xen2",
                                          buf, 10), 0);
}

static void test_save_load(void)
{
    char dir[] = "/tmp/xlmig-swcost-XXXXXX", sub[64], path[128];
    xlmig_swcost s, t;
    FILE *f;

    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    snprintf(sub, sizeof(sub), "%s/switchover", dir);
    /* Nothing there yet: an empty history, not an error. */
    CU_ASSERT_EQUAL(xlmig_swcost_load(&t, sub, "xen2"), 0);
    CU_ASSERT_EQUAL(t.n, 0);
    xlmig_swcost_init(&s);
    xlmig_swcost_add(&s, 1700000000, 5210 * MS, 5600 * MS);
    xlmig_swcost_add(&s, 1700000100, 4100 * MS + 999, 4300 * MS);
    CU_ASSERT_EQUAL(xlmig_swcost_save(&s, sub, "xen2"), 0);
    CU_ASSERT_EQUAL(xlmig_swcost_load(&t, sub, "xen2"), 0);
    CU_ASSERT_EQUAL(t.n, 2);
    CU_ASSERT_EQUAL(t.cost_ns[1], 4100 * MS);   /* kept in whole ms */
    CU_ASSERT_EQUAL(t.when[0], 1700000000);
    /* A damaged file is refused with its name. */
    snprintf(path, sizeof(path), "%s/xen2", sub);
    f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs("garbage\n", f);
    fclose(f);
    CU_ASSERT_NOT_EQUAL(xlmig_swcost_load(&t, sub, "xen2"), 0);
    CU_ASSERT_EQUAL(t.n, 0);
    unlink(path);
    rmdir(sub);
    rmdir(dir);
}

static CU_TestInfo tests[] = {
    { "parse good", test_parse_good },
    { "parse bad", test_parse_bad },
    { "parse every truncation", test_parse_every_truncation },
    { "parse too long", test_parse_too_long },
    { "keep the newest, estimate the recent worst", test_keep_and_recent },
    { "cost of a switchover", test_cost_of },
    { "file names", test_file_names },
    { "save and load", test_save_load },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("switchover cost", NULL, NULL, tests)
