/*
 * Guest and host locks: taken, refused naming the holder, free again
 * when the holder dies, strict about the record another process left.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "lock.h"
#include "recover.h"
#include "unit.h"

#define UUID "0a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"

static char dir[256];
static char name[XLMIG_LOCK_NAME_LEN];

static int setup(void)
{
    char tmpl[] = "/tmp/xlmig-lock-unit-XXXXXX";

    if (!mkdtemp(tmpl))
        return -1;
    snprintf(dir, sizeof(dir), "%s/run/lock", tmpl);
    return xlmig_lock_guest_name(UUID, name, sizeof(name));
}

static int cleanup(void)
{
    char cmd[300];

    /* dir is .../run/lock: remove the whole temporary tree */
    snprintf(cmd, sizeof(cmd), "rm -rf '%.*s'", (int)(strlen(dir) - 9),
             dir);
    return system(cmd) ? -1 : 0;
}

static void path_of(char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", dir, name);
}

static void put_file(const char *text)
{
    char p[512];
    FILE *f;

    path_of(p, sizeof(p));
    f = fopen(p, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
}

static int record_of_file(xlmig_lock_holder *h)
{
    char p[512], buf[XLMIG_LOCK_RECORD_MAX + 1];
    size_t n;
    FILE *f;

    path_of(p, sizeof(p));
    f = fopen(p, "r");
    if (!f)
        return -1;
    n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    return xlmig_lock_record_parse(buf, n, h);
}

static void test_take_release(void)
{
    xlmig_lock l;
    xlmig_lock_holder h;
    struct stat st;
    char p[512];

    xlmig_lock_init(&l);
    xlmig_err_clear();
    CU_ASSERT_EQUAL_FATAL(xlmig_lock_take(&l, dir, name, "migrate",
                                          "guest g1", NULL), 0);
    CU_ASSERT(xlmig_lock_held(&l));
    /* made 0700; the descriptor does not reach children */
    CU_ASSERT_EQUAL(stat(dir, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0700);
    CU_ASSERT(fcntl(l.fd, F_GETFD) & FD_CLOEXEC);
    CU_ASSERT_EQUAL(record_of_file(&h), 0);
    CU_ASSERT_EQUAL(h.pid, (long)getpid());
    CU_ASSERT_STRING_EQUAL(h.op, "migrate");
    CU_ASSERT(h.since > 0);
    CU_ASSERT_EQUAL(xlmig_lock_probe(dir, name, &h), 1);
    CU_ASSERT_EQUAL(h.pid, (long)getpid());
    xlmig_lock_dispose(&l);
    xlmig_lock_dispose(&l);         /* idempotent */
    path_of(p, sizeof(p));
    CU_ASSERT_NOT_EQUAL(access(p, F_OK), 0);
    CU_ASSERT_EQUAL(xlmig_lock_probe(dir, name, &h), 0);
}

static void test_refused_names_holder(void)
{
    xlmig_lock a, b;
    xlmig_lock_holder h;
    char want[64];

    xlmig_lock_init(&a);
    xlmig_lock_init(&b);
    CU_ASSERT_EQUAL_FATAL(xlmig_lock_take(&a, dir, name, "receive",
                                          "guest g1", NULL), 0);
    xlmig_err_clear();
    /* another open file description: refused even in this process */
    CU_ASSERT_EQUAL(xlmig_lock_take(&b, dir, name, "migrate",
                                    "guest g1 (uuid " UUID ")", &h),
                    XLMIG_E_CHECK);
    CU_ASSERT(!xlmig_lock_held(&b));
    CU_ASSERT_EQUAL(h.pid, (long)getpid());
    CU_ASSERT_STRING_EQUAL(h.op, "receive");
    snprintf(want, sizeof(want), "is locked by pid %ld (receive, since ",
             (long)getpid());
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), want));
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "guest g1 (uuid " UUID
                                  ") is locked"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(),
                                  "; try again when it ends"));
    CU_ASSERT_PTR_NULL(strchr(xlmig_errmsg(), '\n'));
    /* the refused attempt did not disturb the holder's record */
    CU_ASSERT_EQUAL(record_of_file(&h), 0);
    CU_ASSERT_STRING_EQUAL(h.op, "receive");
    xlmig_lock_dispose(&a);
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_lock_take(&b, dir, name, "migrate", "guest g1",
                                    NULL), 0);
    xlmig_lock_dispose(&b);
}

/*
 * In a child: take the lock for op, say 'y' (taken) or 'n' on up, wait
 * for down to close, exit (with dispose, releasing it; without, as a
 * crash would, the file left behind).
 */
static void take_in_child(int up[2], int down[2], const char *op,
                          bool dispose)
{
    xlmig_lock l;
    char c;

    close(up[0]);
    close(down[1]);
    xlmig_lock_init(&l);
    c = xlmig_lock_take(&l, dir, name, op, "guest g1", NULL) ? 'n' : 'y';
    if (write(up[1], &c, 1) != 1 || read(down[0], &c, 1) < 0)
        _exit(2);
    if (dispose)
        xlmig_lock_dispose(&l);
    _exit(0);
}

/* A child takes the lock, says so through a pipe, waits, then exits
 * without releasing (as a crash would). */
static pid_t holder_child(int *release_fd)
{
    int up[2], down[2];
    pid_t pid;
    char c;

    if (pipe(up) || pipe(down))
        return -1;
    pid = fork();
    if (!pid)
        take_in_child(up, down, "evacuate", false);
    close(up[1]);
    close(down[0]);
    if (pid < 0 || read(up[0], &c, 1) != 1 || c != 'y') {
        close(up[0]);
        close(down[1]);
        return -1;
    }
    close(up[0]);
    *release_fd = down[1];
    return pid;
}

static void test_takeover_after_holder_died(void)
{
    xlmig_lock l;
    xlmig_lock_holder h;
    int release = -1, status;
    pid_t pid;

    pid = holder_child(&release);
    CU_ASSERT_FATAL(pid > 0);
    xlmig_lock_init(&l);
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_lock_take(&l, dir, name, "migrate", "guest g1",
                                    &h), XLMIG_E_CHECK);
    CU_ASSERT_EQUAL(h.pid, (long)pid);
    CU_ASSERT_STRING_EQUAL(h.op, "evacuate");
    close(release);
    CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
    /* its record is still there, but nobody holds the lock */
    CU_ASSERT_EQUAL(record_of_file(&h), 0);
    CU_ASSERT_EQUAL(h.pid, (long)pid);
    CU_ASSERT_EQUAL(xlmig_lock_probe(dir, name, &h), 0);
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_lock_take(&l, dir, name, "recover", "guest g1",
                                    NULL), 0);
    CU_ASSERT_EQUAL(record_of_file(&h), 0);
    CU_ASSERT_EQUAL(h.pid, (long)getpid());
    CU_ASSERT_STRING_EQUAL(h.op, "recover");
    xlmig_lock_dispose(&l);
}

/* Many at once, each holding what it got: exactly one takes it. */
static void test_one_of_many(void)
{
    enum { N = 8 };
    int up[2], down[2], status, won = 0;
    pid_t pids[N];
    unsigned i;
    char c;

    CU_ASSERT_FATAL(!pipe(up) && !pipe(down));
    for (i = 0; i < N; i++) {
        pids[i] = fork();
        if (!pids[i])
            take_in_child(up, down, "migrate", true);
    }
    close(up[1]);
    close(down[0]);
    for (i = 0; i < N; i++) {
        CU_ASSERT_EQUAL(read(up[0], &c, 1), 1);
        won += c == 'y';
    }
    CU_ASSERT_EQUAL(won, 1);
    close(down[1]);
    close(up[0]);
    for (i = 0; i < N; i++)
        CU_ASSERT(waitpid(pids[i], &status, 0) == pids[i] &&
                  WIFEXITED(status) && !WEXITSTATUS(status));
}

static void test_damaged_record(void)
{
    xlmig_lock a, b;
    xlmig_lock_holder h;
    char p[512];
    int fd;

    /* left behind, unreadable: taken, and rewritten */
    put_file("pid = 12\x01\nop = ?\n");
    xlmig_lock_init(&a);
    xlmig_err_clear();
    CU_ASSERT_EQUAL_FATAL(xlmig_lock_take(&a, dir, name, "migrate",
                                          "guest g1", NULL), 0);
    CU_ASSERT_EQUAL(record_of_file(&h), 0);
    CU_ASSERT_EQUAL(h.pid, (long)getpid());
    /* held, but its record overwritten with garbage: still refused */
    path_of(p, sizeof(p));
    fd = open(p, O_WRONLY | O_TRUNC);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, "garbage\n", 8), 8);
    close(fd);
    xlmig_lock_init(&b);
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_lock_take(&b, dir, name, "migrate", "guest g1",
                                    &h), XLMIG_E_CHECK);
    CU_ASSERT_EQUAL(h.pid, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "is locked by another"
                                  " process (its lock record is"
                                  " unreadable)"));
    CU_ASSERT_EQUAL(xlmig_lock_probe(dir, name, &h), 1);
    CU_ASSERT_EQUAL(h.pid, 0);
    xlmig_lock_dispose(&a);
}

static void test_record_strict(void)
{
    static const char *bad[] = {
        "",
        "pid = 12\nop = migrate\n",                     /* no since */
        "pid = 12\nop = migrate\nsince = 5\npid = 13\n",
        "pid = 12\nop = migrate\nsince = 5\nuser = x\n",
        "pid = 0\nop = migrate\nsince = 5\n",
        "pid = 99999999\nop = migrate\nsince = 5\n",
        "pid = -1\nop = migrate\nsince = 5\n",
        "pid = 12\nop = Migrate\nsince = 5\n",
        "pid = 12\nop = migrate; rm\nsince = 5\n",
        "pid = 12\nop = migrate\nsince = 0\n",
        "pid = 12\nop = migrate\nsince = 99999999999999999999\n",
        "pid = 12\nop = \x1b[2J\nsince = 5\n",
    };
    char big[XLMIG_LOCK_RECORD_MAX + 2];
    xlmig_lock_holder h;
    const char *ok = "pid = 4321\nop = cron evacuate\nsince = 1764581412\n";
    unsigned i;

    CU_ASSERT_EQUAL(xlmig_lock_record_parse(ok, strlen(ok), &h), 0);
    CU_ASSERT_EQUAL(h.pid, 4321);
    CU_ASSERT_STRING_EQUAL(h.op, "cron evacuate");
    CU_ASSERT_EQUAL(h.since, 1764581412);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        xlmig_err_clear();
        CU_ASSERT_NOT_EQUAL(xlmig_lock_record_parse(bad[i], strlen(bad[i]),
                                                    &h), 0);
        CU_ASSERT_EQUAL(h.pid, 0);
    }
    memset(big, ' ', sizeof(big));
    memcpy(big, ok, strlen(ok));
    CU_ASSERT_NOT_EQUAL(xlmig_lock_record_parse(big, sizeof(big), &h), 0);
    xlmig_err_clear();
}

static void test_names(void)
{
    static const char *bad[] = {
        "", "../../etc/passwd", UUID "0", "0a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5",
        "0a1b2c3d-4e5f-4a6b-8c7d_0e1f2a3b4c5d",
        "0a1b2c3g-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
        "0a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c/d",
    };
    char buf[XLMIG_LOCK_NAME_LEN];
    xlmig_lock l;
    unsigned i;

    CU_ASSERT_EQUAL(xlmig_lock_guest_name(UUID, buf, sizeof(buf)), 0);
    CU_ASSERT_STRING_EQUAL(buf, "guest-" UUID);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        xlmig_err_clear();
        CU_ASSERT_NOT_EQUAL(xlmig_lock_guest_name(bad[i], buf, sizeof(buf)),
                            0);
    }
    xlmig_lock_init(&l);
    xlmig_err_clear();
    CU_ASSERT_NOT_EQUAL(xlmig_lock_take(&l, dir, "../x", "migrate", "x",
                                        NULL), 0);
    xlmig_err_clear();
    CU_ASSERT_NOT_EQUAL(xlmig_lock_take(&l, dir, name, "Migrate!", "x",
                                        NULL), 0);
    CU_ASSERT(!xlmig_lock_held(&l));
    xlmig_err_clear();
}

static void test_dir_others_can_write(void)
{
    char d[300];
    xlmig_lock l;

    snprintf(d, sizeof(d), "%s/open", dir);
    CU_ASSERT_EQUAL_FATAL(mkdir(d, 0700), 0);
    CU_ASSERT_EQUAL_FATAL(chmod(d, 0777), 0);
    xlmig_lock_init(&l);
    xlmig_err_clear();
    CU_ASSERT_NOT_EQUAL(xlmig_lock_take(&l, d, XLMIG_LOCK_HOST, "evacuate",
                                        "host xen1", NULL), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "only this user"));
    CU_ASSERT(!xlmig_lock_held(&l));
    xlmig_err_clear();
    rmdir(d);
}

/* recover reads who holds the lock on the peer from its view. */
static void test_view_names_holder(void)
{
    static const char *bad[] = {
        "pid 1 \\u001b[2J", "pid 1; rm -rf /", "pid 1 \\n two lines",
    };
    xlmig_host_view v, w;
    char *json = NULL, host[64], doc[512];
    unsigned i;

    xlmig_host_view_init(&v);
    v.copy[XLMIG_COPY_INCOMING] = XLMIG_DS_PAUSED;
    v.drbd = XLMIG_DISKS_NONE;
    snprintf(v.locked_by, sizeof(v.locked_by),
             "pid 26941 (receive, since 2026-12-01 09:33:45)");
    CU_ASSERT_EQUAL_FATAL(xlmig_host_view_to_json(&v, "xen2", "g1", &json),
                          0);
    CU_ASSERT_EQUAL(xlmig_host_view_parse(json, strlen(json), "g1", &w,
                                          host, sizeof(host)), 0);
    CU_ASSERT_STRING_EQUAL(w.locked_by, v.locked_by);
    free(json);
    /* no holder: no key, and an older peer's view parses as unlocked */
    v.locked_by[0] = 0;
    CU_ASSERT_EQUAL_FATAL(xlmig_host_view_to_json(&v, "xen2", "g1", &json),
                          0);
    CU_ASSERT_PTR_NULL(strstr(json, "locked_by"));
    CU_ASSERT_EQUAL(xlmig_host_view_parse(json, strlen(json), "g1", &w,
                                          host, sizeof(host)), 0);
    CU_ASSERT_STRING_EQUAL(w.locked_by, "");
    free(json);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(doc, sizeof(doc), "{\"domain\":\"g1\",\"copies\":{"
                 "\"g1\":\"none\",\"g1--incoming\":\"none\","
                 "\"g1--migratedaway\":\"none\"},\"drbd\":\"none\","
                 "\"tokens\":0,\"locked_by\":\"%s\"}", bad[i]);
        xlmig_err_clear();
        CU_ASSERT_NOT_EQUAL(xlmig_host_view_parse(doc, strlen(doc), "g1",
                                                  &w, host, sizeof(host)),
                            0);
    }
    xlmig_err_clear();
}

static CU_TestInfo tests[] = {
    { "take and release", test_take_release },
    { "refused, naming the holder", test_refused_names_holder },
    { "taken over after the holder died", test_takeover_after_holder_died },
    { "one of many at once", test_one_of_many },
    { "damaged record", test_damaged_record },
    { "record is strict", test_record_strict },
    { "lock names", test_names },
    { "directory others can write", test_dir_others_can_write },
    { "a host view names the holder", test_view_names_holder },
    CU_TEST_INFO_NULL,
};
XLMIG_UNIT_SUITE("lock", setup, cleanup, tests);
