/*
 * Rollback when the destination's mover died: the cleanup the source
 * runs on the destination (its command line and argv through the
 * receiver's transport, checked, not run), its failure named in one
 * warning, the rollback hook that runs it after this side's undo, and
 * the journal's owner that tells a running move from a dead one's
 * leftovers.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "ldisk_hooks.h"
#include "ldisk_journal.h"
#include "unit.h"

static char seen[8][512];
static unsigned nseen;
static int peer_status;

/* Records each command (argv joined by '|'); the peer's exit scripted. */
static int p_run(void *arg, const char *const *argv, int *status,
                 char **out, size_t *out_len, char *err, size_t errsz)
{
    size_t o = 0;
    unsigned i;

    (void)arg;
    if (nseen < 8) {
        seen[nseen][0] = 0;
        for (i = 0; argv[i] && o + 1 < sizeof(seen[0]); i++)
            o += (size_t)snprintf(seen[nseen] + o, sizeof(seen[0]) - o,
                                  "%s%s", i ? "|" : "", argv[i]);
        nseen++;
    }
    *status = peer_status;
    snprintf(err, errsz, "%s", peer_status == 255 ? "ssh: connect to host"
             " 10.0.0.2 port 22: No route to host\n" : "");
    if (out) {
        *out = strdup(peer_status ? "" : "finishing temporary resource"
                      " xlmig-900 of vg0/root (destination, attach)\n");
        *out_len = strlen(*out);
    }
    return 0;
}

static xlmig_ldisk_ctx l;

static void ctx(unsigned n)
{
    unsigned i;

    xlmig_ldisk_ctx_init(&l);
    l.runner.run = p_run;
    l.is_src = true;
    snprintf(l.conf.state_dir, sizeof(l.conf.state_dir),
             "/nonexistent/ldisk-unit");
    snprintf(l.peer.name, sizeof(l.peer.name), "xen2");
    snprintf(l.peer_host, sizeof(l.peer_host), "root@10.0.0.2");
    l.n = n;
    for (i = 0; i < n; i++) {
        snprintf(l.disks[i].vdev, sizeof(l.disks[i].vdev), "xvd%c",
                 'a' + (int)i);
        snprintf(l.disks[i].lv.vg, sizeof(l.disks[i].lv.vg), "vg0");
        snprintf(l.disks[i].dst_vg, sizeof(l.disks[i].dst_vg), "vg0");
        snprintf(l.disks[i].lv.lv, sizeof(l.disks[i].lv.lv), "root%u", i);
        l.disks[i].minor = 900 + (int)i;
        l.disks[i].port = 7900 + (int)i;
        l.disks[i].lv.size = 67108864;
        l.disks[i].md_bytes = 1048576;
    }
    nseen = 0;
    peer_status = 0;
}

/* The command: the tool's cleanup of exactly this move's resources,
 * through ssh as the receiver was reached, or the -s words. */
static void test_cmd(void)
{
    char line[512];
    xlmig_cmd c;

    ctx(2);
    CU_ASSERT_EQUAL_FATAL(xlmig_ldisk_peer_cleanup_line(&l, line,
                                                        sizeof(line)), 0);
    CU_ASSERT_STRING_EQUAL(line, "xl-migrate-drbd cleanup --wait 120"
                           " --resource xlmig-900 --resource xlmig-901");
    xlmig_cmd_init(&c);
    CU_ASSERT_EQUAL_FATAL(xlmig_ldisk_peer_cleanup_cmd(&l, &c), 0);
    CU_ASSERT_EQUAL_FATAL(c.argc, 4);
    CU_ASSERT_STRING_EQUAL(c.argv[0], "ssh");
    CU_ASSERT_STRING_EQUAL(c.argv[1], "--");
    CU_ASSERT_STRING_EQUAL(c.argv[2], "root@10.0.0.2");
    CU_ASSERT_STRING_EQUAL(c.argv[3], line);
    CU_ASSERT_PTR_NULL(c.argv[4]);
    xlmig_cmd_dispose(&c);
    l.peer_ssh = "ssh -p 2222 -o 'BatchMode yes'";
    xlmig_cmd_init(&c);
    CU_ASSERT_EQUAL_FATAL(xlmig_ldisk_peer_cleanup_cmd(&l, &c), 0);
    CU_ASSERT_EQUAL_FATAL(c.argc, 8);
    CU_ASSERT_STRING_EQUAL(c.argv[2], "2222");
    CU_ASSERT_STRING_EQUAL(c.argv[4], "BatchMode yes");
    CU_ASSERT_STRING_EQUAL(c.argv[6], "root@10.0.0.2");
    CU_ASSERT_STRING_EQUAL(c.argv[7], line);
    xlmig_cmd_dispose(&c);
    /* A local receiver command (-s "") is no host to reach; a host
     * that is no host name is refused by the transport. */
    l.peer_ssh = "";
    xlmig_cmd_init(&c);
    CU_ASSERT_NOT_EQUAL(xlmig_ldisk_peer_cleanup_cmd(&l, &c), 0);
    xlmig_cmd_dispose(&c);
    l.peer_ssh = NULL;
    snprintf(l.peer_host, sizeof(l.peer_host), "-oProxyCommand=x");
    xlmig_cmd_init(&c);
    CU_ASSERT_NOT_EQUAL(xlmig_ldisk_peer_cleanup_cmd(&l, &c), 0);
    xlmig_cmd_dispose(&c);
    xlmig_err_clear();
    ctx(0);
    CU_ASSERT_NOT_EQUAL(xlmig_ldisk_peer_cleanup_line(&l, line,
                                                      sizeof(line)), 0);
    xlmig_err_clear();
}

/* Run through the runner; a peer out of reach is one warning naming
 * the host, what may be left there and the command to run there. */
static void test_run(void)
{
    static char log[4096];
    FILE *f = tmpfile();
    size_t len;
    int saved;

    ctx(1);
    CU_ASSERT_EQUAL(xlmig_ldisk_peer_cleanup(&l), 0);
    CU_ASSERT_EQUAL_FATAL(nseen, 1);
    CU_ASSERT_STRING_EQUAL(seen[0], "ssh|--|root@10.0.0.2|xl-migrate-drbd"
                           " cleanup --wait 120 --resource xlmig-900");
    /* Its own time: the wait there and a few commands. */
    CU_ASSERT_EQUAL(l.cmd_timeout_ns, XLMIG_S(60));
    ctx(1);
    peer_status = 255;
    CU_ASSERT_FATAL(f != NULL);
    fflush(stderr);
    saved = dup(2);
    CU_ASSERT_FATAL(saved >= 0 && dup2(fileno(f), 2) == 2);
    xlmig_log_set_level(XLMIG_LOG_WARN);
    CU_ASSERT_NOT_EQUAL(xlmig_ldisk_peer_cleanup(&l), 0);
    xlmig_log_set_level(getenv("XLMIG_UNIT_VERBOSE") ? XLMIG_LOG_DEBUG
                                                      : XLMIG_LOG_ERROR - 1);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(f);
    len = fread(log, 1, sizeof(log) - 1, f);
    log[len] = 0;
    fclose(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "the destination xen2 may keep"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "LV vg0/root0, metadata LV"
                                  " vg0/xlmig-900-md, DRBD resource"
                                  " xlmig-900"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "No route to host"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "run there: xl-migrate-drbd cleanup"
                                  " --resource xlmig-900\n"));
    /* One line. */
    CU_ASSERT(len > 0 && strchr(log, '\n') == log + len - 1);
}

/* The source's rollback hook: its own undo, then the peer's cleanup;
 * none for a local receiver command. */
static void test_rollback_runs_it(void)
{
    xlmig_hooks h;

    ctx(1);
    xlmig_ldisk_hooks_init(&l, &h);
    CU_ASSERT_EQUAL(h.src_rollback(h.arg), 0);
    CU_ASSERT_EQUAL_FATAL(nseen, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(seen[0], "cleanup --wait 120 --resource"
                                  " xlmig-900"));
    ctx(1);
    l.peer_ssh = "";
    xlmig_ldisk_hooks_init(&l, &h);
    CU_ASSERT_EQUAL(h.src_rollback(h.arg), 0);
    CU_ASSERT_EQUAL(nseen, 0);
    /* The destination's hook does not reach back. */
    ctx(1);
    l.is_src = false;
    xlmig_ldisk_hooks_init(&l, &h);
    CU_ASSERT_EQUAL(h.dst_rollback(h.arg), 0);
    CU_ASSERT_EQUAL(nseen, 0);
}

/* The journal names its owner; a dead one's journal is not owned. */
static void test_owner(void)
{
    char dir[] = "/tmp/ldisk-peer-XXXXXX", cmd[64];
    xlmig_ldisk_journal j;
    xlmig_ldisk_conf c;
    bool found = true;
    pid_t pid;
    int st;

    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    ctx(1);
    xlmig_ldisk_conf_init(&c);
    snprintf(c.state_dir, sizeof(c.state_dir), "%s", dir);
    CU_ASSERT_EQUAL(xlmig_ldisk_journal_read(&c, 900, &j, &found), 0);
    CU_ASSERT_FALSE(found);
    CU_ASSERT_EQUAL_FATAL(xlmig_ldisk_journal_write(&c, &l.disks[0], false,
                                                    "attach", 3), 0);
    CU_ASSERT_EQUAL_FATAL(xlmig_ldisk_journal_read(&c, 900, &j, &found), 0);
    CU_ASSERT_TRUE_FATAL(found);
    CU_ASSERT_EQUAL(j.owner, (long)getpid());
    CU_ASSERT_TRUE(xlmig_ldisk_journal_owned(&j));
    CU_ASSERT_FALSE(j.is_src);
    CU_ASSERT_EQUAL(j.done, 3);
    /* The same pid started at another time: not ours. */
    j.owner_start++;
    CU_ASSERT_FALSE(xlmig_ldisk_journal_owned(&j));
    /* A process that has ended. */
    pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (!pid)
        _exit(0);
    waitpid(pid, &st, 0);
    j.owner = (long)pid;
    CU_ASSERT_FALSE(xlmig_ldisk_journal_owned(&j));
    /* An older journal, no owner: nobody's. */
    j.owner = 0;
    CU_ASSERT_FALSE(xlmig_ldisk_journal_owned(&j));
    /* Another minor's journal under this one's name is refused. */
    CU_ASSERT_EQUAL(xlmig_ldisk_journal_read(&c, 901, &j, &found), 0);
    CU_ASSERT_FALSE(found);
    CU_ASSERT_EQUAL(xlmig_ldisk_journal_remove(&c, 900), 0);
    snprintf(cmd, sizeof(cmd), "%s", dir);
    CU_ASSERT_EQUAL(rmdir(cmd), 0);
}

static CU_TestInfo tests[] = {
    { "peer cleanup: the command built", test_cmd },
    { "peer cleanup: run, and out of reach named", test_run },
    { "source rollback runs it, after its own undo",
      test_rollback_runs_it },
    { "journal owner: running or dead", test_owner },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("ldisk_peer", NULL, NULL, tests);
