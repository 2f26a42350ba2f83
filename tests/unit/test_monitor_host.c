/*
 * The monitor's place on a host: one lock per guest UUID, and how an
 * xl monitor of the same guest is recognised (on a fake /proc).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "monitor.h"
#include "unit.h"

#define UUID "0a1b2c3d-0000-4000-8000-00000000abcd"

static char *tmpdir(void)
{
    char tpl[] = "/tmp/xlmig-mon-XXXXXX";
    char *d = mkdtemp(tpl);

    return d ? strdup(d) : NULL;
}

static void rm_rf(const char *d)
{
    char cmd[512];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

/*
 * In a child: take uuid's lock for domain domid; it exits 0 if that
 * returns want and, refused, names our process and domain hd as the
 * holder.
 */
static pid_t lock_in_child(const char *sub, const char *uuid,
                           uint32_t domid, int want, uint32_t hd)
{
    pid_t child = fork();

    if (!child) {
        pid_t h = 0;
        uint32_t d = 0;
        int f, rc = xlmig_monitor_lock(sub, uuid, domid, &f, &h, &d);

        _exit(rc == want && (rc != XLMIG_E_CHECK ||
                             (h == getppid() && d == hd)) ? 0 : 1);
    }
    return child;
}

/* The child ended with exit code 0. */
static void assert_child_ok(pid_t child)
{
    int status = 0;

    waitpid(child, &status, 0);
    CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A second taker (another process) is refused and told the holder. */
static void test_lock_once_per_uuid(void)
{
    char *d = tmpdir(), sub[512];
    pid_t holder = -1, child;
    uint32_t hd = 0;
    int fd = -1, status = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    snprintf(sub, sizeof(sub), "%s/run/monitor", d);
    CU_ASSERT_EQUAL(xlmig_monitor_lock(sub, UUID, 7, &fd, &holder, &hd),
                    0);
    CU_ASSERT(fd >= 0);
    child = lock_in_child(sub, UUID, 9, XLMIG_E_CHECK, 7);
    CU_ASSERT(child > 0);
    assert_child_ok(child);
    /* Another guest is not blocked by this one. */
    assert_child_ok(lock_in_child(sub, "0a1b2c3d-0000-4000-8000-00000000ffff",
                                  3, 0, 0));
    /* A waiter gets it once its holder lets go, and says so. */
    child = fork();
    if (!child) {
        int f4;
        pid_t h4;
        uint32_t d4;

        /* The lock is the open file's: our inherited copy holds it. */
        close(fd);
        if (xlmig_monitor_lock_wait(sub, UUID, 9, &f4))
            _exit(1);
        _exit(xlmig_monitor_lock(sub, UUID, 9, &f4, &h4, &d4) ==
              XLMIG_E_CHECK && d4 == 9 ? 0 : 2);
    }
    usleep(100000);
    CU_ASSERT_EQUAL(waitpid(child, &status, WNOHANG), 0);
    close(fd);
    assert_child_ok(child);
    rm_rf(d);
    free(d);
}

static void test_lock_refuses_bad_uuid(void)
{
    char *d = tmpdir();
    uint32_t hd;
    pid_t h;
    int fd;

    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(xlmig_monitor_lock(d, "../../etc/passwd", 1, &fd, &h,
                                       &hd), XLMIG_E_INVAL);
    CU_ASSERT_EQUAL(xlmig_monitor_lock(d, "", 1, &fd, &h, &hd),
                    XLMIG_E_INVAL);
    CU_ASSERT_EQUAL(fd, -1);
    xlmig_err_clear();
    rm_rf(d);
    free(d);
}

static void test_xl_log_names(void)
{
    CU_ASSERT_TRUE(xlmig_monitor_is_xl_log("/var/log/xen/xl-g1.log", "g1"));
    CU_ASSERT_TRUE(xlmig_monitor_is_xl_log("/var/log/xen/xl-g1.log.3",
                                           "g1"));
    CU_ASSERT_TRUE(xlmig_monitor_is_xl_log(
        "/var/log/xen/xl-g1--incoming.log", "g1"));
    CU_ASSERT_TRUE(xlmig_monitor_is_xl_log(
        "/var/log/xen/xl-g1--incoming.log.1", "g1"));
    CU_ASSERT_FALSE(xlmig_monitor_is_xl_log("/var/log/xen/xl-g10.log",
                                            "g1"));
    CU_ASSERT_FALSE(xlmig_monitor_is_xl_log("/var/log/xen/xl-g1.log.x",
                                            "g1"));
    CU_ASSERT_FALSE(xlmig_monitor_is_xl_log("/var/log/xen/xl-g1.log.",
                                            "g1"));
    CU_ASSERT_FALSE(xlmig_monitor_is_xl_log("/var/log/xen/qemu-dm-g1.log",
                                            "g1"));
    CU_ASSERT_FALSE(xlmig_monitor_is_xl_log("/var/log/xen/xl-g1.log", ""));
}

/* A fake process: its exe and fd/1 links. */
static void fake_proc(const char *root, const char *pid, const char *exe,
                      const char *out)
{
    char p[512];

    snprintf(p, sizeof(p), "%s/%s", root, pid);
    CU_ASSERT_EQUAL(mkdir(p, 0755), 0);
    snprintf(p, sizeof(p), "%s/%s/fd", root, pid);
    CU_ASSERT_EQUAL(mkdir(p, 0755), 0);
    snprintf(p, sizeof(p), "%s/%s/exe", root, pid);
    CU_ASSERT_EQUAL(symlink(exe, p), 0);
    snprintf(p, sizeof(p), "%s/%s/fd/1", root, pid);
    CU_ASSERT_EQUAL(symlink(out, p), 0);
}

static void test_find_xl_monitor(void)
{
    char *d = tmpdir();

    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    /* Not xl, though its output goes to the log: not a monitor. */
    fake_proc(d, "100", "/usr/bin/tail", "/var/log/xen/xl-g1.log");
    /* xl, but another guest's monitor. */
    fake_proc(d, "101", "/usr/lib/xen-4.17/bin/xl", "/var/log/xen/xl-g2.log");
    CU_ASSERT_EQUAL(xlmig_monitor_find_xl(d, "g1"), 0);
    CU_ASSERT_EQUAL(xlmig_monitor_find_xl(d, "g2"), 101);
    /* A migrate-receive's monitor, its log rotated once. */
    fake_proc(d, "102", "/usr/lib/xen-4.17/bin/xl",
              "/var/log/xen/xl-g1--incoming.log.1");
    CU_ASSERT_EQUAL(xlmig_monitor_find_xl(d, "g1"), 102);
    CU_ASSERT_EQUAL(xlmig_monitor_find_xl("/nonexistent-proc", "g1"), 0);
    rm_rf(d);
    free(d);
}

static CU_TestInfo tests[] = {
    { "one lock per guest uuid", test_lock_once_per_uuid },
    { "lock refuses a bad uuid", test_lock_refuses_bad_uuid },
    { "xl's monitor log names", test_xl_log_names },
    { "xl's monitor found in /proc", test_find_xl_monitor },
    CU_TEST_INFO_NULL,
};
XLMIG_UNIT_SUITE("monitor_host", NULL, NULL, tests);
