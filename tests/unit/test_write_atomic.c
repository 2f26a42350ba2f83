/*
 * A state file is replaced whole or not at all: a write that fails
 * part-way (the file size limit hit) or a rename that cannot happen
 * leaves the old content and no temporary behind.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "read_file.h"
#include "unit.h"
#include "write_atomic.h"

static char dir[64], path[128];

static int setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/xlmig-atomic-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof(path), "%s/state", dir);
    return 0;
}

static int teardown(void)
{
    unlink(path);
    return rmdir(dir);
}

static void content_is(const char *want)
{
    char *buf = NULL;
    size_t len = 0;

    CU_ASSERT_EQUAL_FATAL(xlmig_read_file(path, 1 << 20, &buf, &len), 0);
    CU_ASSERT_EQUAL(len, strlen(want));
    CU_ASSERT_STRING_EQUAL(buf, want);
    free(buf);
}

/* Nothing in the directory but the file itself. */
static void no_temporary(void)
{
    struct dirent *e;
    unsigned n = 0;
    DIR *d = opendir(dir);

    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n += strcmp(e->d_name, "state") != 0;
    closedir(d);
    CU_ASSERT_EQUAL(n, 0);
}

static void test_replace(void)
{
    struct stat st;

    CU_ASSERT_EQUAL(xlmig_write_atomic(path, "one\n", 4), 0);
    content_is("one\n");
    CU_ASSERT_EQUAL(xlmig_write_atomic(path, "two two\n", 8), 0);
    content_is("two two\n");
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0644);
    CU_ASSERT_EQUAL(xlmig_write_atomic_mode(path, "3\n", 2, 0600), 0);
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
    no_temporary();
}

/* The write itself fails half-way: the old content stays. */
static void test_failed_write_keeps_old(void)
{
    struct rlimit old, small = { 4096, 4096 };
    void (*prev)(int);
    size_t big = 64 * 1024;
    char *buf = malloc(big);
    int rc;

    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    memset(buf, 'x', big);
    CU_ASSERT_EQUAL_FATAL(xlmig_write_atomic(path, "old\n", 4), 0);
    CU_ASSERT_EQUAL_FATAL(getrlimit(RLIMIT_FSIZE, &old), 0);
    prev = signal(SIGXFSZ, SIG_IGN);
    small.rlim_max = old.rlim_max;
    CU_ASSERT_EQUAL_FATAL(setrlimit(RLIMIT_FSIZE, &small), 0);
    xlmig_err_clear();
    rc = xlmig_write_atomic(path, buf, big);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, prev);
    CU_ASSERT_EQUAL(rc, XLMIG_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "cannot write"));
    xlmig_err_clear();
    content_is("old\n");
    no_temporary();
    free(buf);
}

/* The rename cannot land (a directory is in the way): nothing moves. */
static void test_failed_rename_keeps_old(void)
{
    char sub[160], inner[200];

    snprintf(sub, sizeof(sub), "%s/sub", dir);
    snprintf(inner, sizeof(inner), "%s/keep", sub);
    CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0755), 0);
    CU_ASSERT_EQUAL_FATAL(xlmig_write_atomic(inner, "k\n", 2), 0);
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_write_atomic(sub, "new\n", 4), XLMIG_E_IO);
    xlmig_err_clear();
    CU_ASSERT_EQUAL(unlink(inner), 0);
    CU_ASSERT_EQUAL(rmdir(sub), 0);
    no_temporary();
}

static void test_bad_paths(void)
{
    CU_ASSERT_EQUAL(xlmig_write_atomic("", "x", 1), XLMIG_E_INVAL);
    CU_ASSERT_EQUAL(xlmig_write_atomic("/tmp/", "x", 1), XLMIG_E_INVAL);
    CU_ASSERT_EQUAL(xlmig_write_atomic("/nonexistent-xlmig/f", "x", 1),
                    XLMIG_E_IO);
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_fsync_parent(path), 0);
}

static CU_TestInfo tests[] = {
    { "replaces the file whole", test_replace },
    { "a failed write leaves the old content", test_failed_write_keeps_old },
    { "a failed rename leaves the old content",
      test_failed_rename_keeps_old },
    { "bad paths", test_bad_paths },
    CU_TEST_INFO_NULL,
};
XLMIG_UNIT_SUITE("write_atomic", setup, teardown, tests);
