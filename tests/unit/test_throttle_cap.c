/*
 * The persisted CPU cap (throttle_cap.h): the file's text both ways,
 * its strictness, and write / list / stale / remove in a directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "throttle_cap.h"
#include "unit.h"

#define UUID "5d2e0f49-0c6a-4c1b-9a55-0123456789ab"

static char dir[64];

static int setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/xlmig-capfile-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void)
{
    char sub[128];

    snprintf(sub, sizeof(sub), "%s/throttle", dir);
    rmdir(sub);
    return rmdir(dir);
}

static xlmig_capfile sample(void)
{
    xlmig_capfile f;

    memset(&f, 0, sizeof(f));
    strcpy(f.backend, "xen");
    strcpy(f.domain, "web01");
    strcpy(f.uuid, UUID);
    f.cap = 150;
    f.pid = 4242;
    f.start = 987654;
    return f;
}

static int parse(const char *t, xlmig_capfile *f)
{
    xlmig_err_clear();
    return xlmig_capfile_parse(t, strlen(t), "rec", f);
}

static void test_round_trip(void)
{
    xlmig_capfile f = sample(), g;
    char buf[XLMIG_CAP_FILE_MAX];

    CU_ASSERT_EQUAL_FATAL(xlmig_capfile_encode(&f, buf, sizeof(buf)), 0);
    CU_ASSERT_EQUAL_FATAL(parse(buf, &g), 0);
    CU_ASSERT_STRING_EQUAL(g.backend, "xen");
    CU_ASSERT_STRING_EQUAL(g.domain, "web01");
    CU_ASSERT_STRING_EQUAL(g.uuid, UUID);
    CU_ASSERT_EQUAL(g.cap, 150);
    CU_ASSERT_EQUAL(g.pid, 4242);
    CU_ASSERT_EQUAL(g.start, 987654);
    /* Nothing that would not read back is written. */
    f.cap = -1;
    CU_ASSERT_EQUAL(xlmig_capfile_encode(&f, buf, sizeof(buf)),
                    XLMIG_E_INVAL);
    f = sample();
    strcpy(f.domain, "-x");
    CU_ASSERT_EQUAL(xlmig_capfile_encode(&f, buf, sizeof(buf)),
                    XLMIG_E_INVAL);
}

static void test_strict(void)
{
    static const struct { const char *text, *err; } bad[] = {
        { "backend=xen\ndomain=a\nuuid=" UUID "\ncap=0\npid=1\n",
          "no \"start\"" },
        { "backend=xen\nbackend=xen\n", "given twice" },
        { "colour=red\n", "unknown key" },
        { "backend=kvm\n", "\"kvm\" is not valid" },
        { "domain=a b\n", "is not valid" },
        { "domain=-rf\n", "is not valid" },
        { "uuid=../../etc/passwd\n", "is not valid" },
        { "uuid=5d2e0f49-0c6a-4c1b-9a55-0123456789a\n", "is not valid" },
        { "cap=65536\n", "cap" },
        { "cap=12x\n", "cap" },
        { "pid=0\n", "pid" },
        { "start=-1\n", "start" },
    };
    xlmig_capfile f;
    unsigned i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CU_ASSERT_EQUAL(parse(bad[i].text, &f), XLMIG_E_INVAL);
        if (!strstr(xlmig_errmsg(), bad[i].err))
            CU_FAIL(bad[i].text);
        CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "rec"));
    }
    CU_ASSERT_EQUAL(xlmig_capfile_parse("cap=1\n", 2000, "rec", &f),
                    XLMIG_E_INVAL);
}

static void test_files(void)
{
    xlmig_capfile f = sample(), g, all[4];
    char sub[128], path[256];
    unsigned n;
    struct stat st;
    FILE *x;

    snprintf(sub, sizeof(sub), "%s/throttle", dir);
    /* This process writes it, and is alive: not stale. */
    CU_ASSERT_EQUAL_FATAL(xlmig_capfile_self(&f), 0);
    CU_ASSERT_EQUAL_FATAL(xlmig_capfile_write(sub, &f), 0);
    CU_ASSERT_EQUAL(stat(sub, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0700);
    CU_ASSERT(xlmig_capfile_writer_alive(&f));
    CU_ASSERT_EQUAL(xlmig_capfile_list(sub, "xen", all, 4, &n), 0);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_EQUAL(xlmig_capfile_list(sub, "sim", all, 4, &n), 0);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_EQUAL(xlmig_capfile_stale(sub, "xen", "web01", UUID, &g), 0);
    /* Same pid, another start time: a reused pid, the writer is dead. */
    f.start++;
    CU_ASSERT_FALSE(xlmig_capfile_writer_alive(&f));
    CU_ASSERT_EQUAL_FATAL(xlmig_capfile_write(sub, &f), 0);
    CU_ASSERT_EQUAL(xlmig_capfile_stale(sub, "xen", "web01", UUID, &g), 1);
    CU_ASSERT_EQUAL(g.cap, 150);
    CU_ASSERT_EQUAL(xlmig_capfile_stale(sub, "xen", "web01", NULL, &g), 1);
    CU_ASSERT_EQUAL(xlmig_capfile_stale(sub, "xen", "db01", NULL, &g), 0);
    CU_ASSERT_EQUAL(xlmig_capfile_stale(sub, "sim", "web01", NULL, &g), 0);
    /* A file under another uuid's name is refused, naming it. */
    snprintf(path, sizeof(path), "%s/5d2e0f49-0c6a-4c1b-9a55-00000000000b",
             sub);
    x = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    fprintf(x, "backend=xen\ndomain=a\nuuid=" UUID "\ncap=0\npid=1\n"
            "start=1\n");
    fclose(x);
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_capfile_list(sub, "xen", all, 4, &n),
                    XLMIG_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "00000000000b"));
    unlink(path);
    CU_ASSERT_EQUAL(xlmig_capfile_remove(sub, UUID), 0);
    CU_ASSERT_EQUAL(xlmig_capfile_remove(sub, UUID), 0);
    CU_ASSERT_EQUAL(xlmig_capfile_remove(sub, "../x"), XLMIG_E_INVAL);
    CU_ASSERT_EQUAL(xlmig_capfile_list(sub, "xen", all, 4, &n), 0);
    CU_ASSERT_EQUAL(n, 0);
    /* No directory yet: none. */
    CU_ASSERT_EQUAL(xlmig_capfile_list("/nonexistent/x", "xen", all, 4,
                                       &n), 0);
    CU_ASSERT_EQUAL(n, 0);
}

static void test_dirs(void)
{
    char buf[256];

    CU_ASSERT_EQUAL(xlmig_capfile_dir("/tmp/h1", buf, sizeof(buf)), 0);
    CU_ASSERT_STRING_EQUAL(buf, "/tmp/h1/.run/throttle");
    CU_ASSERT_EQUAL(xlmig_capfile_dir(NULL, buf, sizeof(buf)), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "/throttle"));
}

static CU_TestInfo tests[] = {
    { "text round trip", test_round_trip },
    { "strict parsing", test_strict },
    { "write, list, stale, remove", test_files },
    { "where", test_dirs },
    CU_TEST_INFO_NULL,
};
XLMIG_UNIT_SUITE("throttle_cap", setup, teardown, tests);
