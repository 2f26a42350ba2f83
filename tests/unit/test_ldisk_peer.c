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
#include "log_capture.h"

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
    unit_log_capture lc;
    size_t len;

    ctx(1);
    CU_ASSERT_EQUAL(xlmig_ldisk_peer_cleanup(&l), 0);
    CU_ASSERT_EQUAL_FATAL(nseen, 1);
    CU_ASSERT_STRING_EQUAL(seen[0], "ssh|--|root@10.0.0.2|xl-migrate-drbd"
                           " cleanup --wait 120 --resource xlmig-900");
    /* Its own time: the wait there and a few commands. */
    CU_ASSERT_EQUAL(l.cmd_timeout_ns, XLMIG_S(60));
    ctx(1);
    peer_status = 255;
    CU_ASSERT_FATAL(unit_log_capture_begin(&lc) == 0);
    CU_ASSERT_NOT_EQUAL(xlmig_ldisk_peer_cleanup(&l), 0);
    unit_log_capture_end(&lc, log, sizeof(log));
    len = strlen(log);
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

/* The destination's tools, scripted: every command recorded; its VG
 * has room and no LV. */
static char ran[64][256];
static unsigned nran;

static int d_run(void *arg, const char *const *argv, int *status,
                 char **out, size_t *out_len, char *err, size_t errsz)
{
    const char *o = "";
    size_t n = 0;
    unsigned i;

    (void)arg;
    if (nran < 64) {
        ran[nran][0] = 0;
        for (i = 0; argv[i] && n + 1 < sizeof(ran[0]); i++)
            n += (size_t)snprintf(ran[nran] + n, sizeof(ran[0]) - n,
                                  "%s%s", i ? " " : "", argv[i]);
        nran++;
    }
    if (!strcmp(argv[0], "vgs"))
        o = "{\"report\":[{\"vg\":[{\"vg_name\":\"vg0\",\"vg_free\":"
            "\"1073741824\",\"vg_extent_size\":\"4194304\"}]}]}";
    else if (!strcmp(argv[0], "lvs"))
        o = "{\"report\":[{\"lv\":[]}]}";
    *status = 0;
    err[0] = 0;
    (void)errsz;
    if (out) {
        *out = strdup(o);
        *out_len = strlen(o);
    }
    return 0;
}

static int ran_at(const char *line)
{
    unsigned i;

    for (i = 0; i < nran; i++)
        if (!strcmp(ran[i], line))
            return (int)i;
    return -1;
}

/*
 * A receiver given minor 900 finds what an earlier move left there,
 * its receiver dead: finished before the checks (so the minor and the
 * LV are free again), not in a dry run, not while its owner runs.
 */
static void test_receiver_reclaims(void)
{
    static const char wire[] =
        "{\"disks\":[{\"vdev\":\"xvda\",\"vg\":\"vg0\",\"lv\":\"root\","
        "\"size\":67108864,\"dst_vg\":\"vg0\",\"minor\":900,\"port\":7900,"
        "\"md\":1048576}],\"src\":{\"name\":\"xen1\",\"addr\":\"10.0.0.1\"},"
        "\"dst\":{\"name\":\"xen2\",\"addr\":\"10.0.0.2\"}}";
    char dir[] = "/tmp/ldisk-reclaim-XXXXXX", path[300], text[600];
    xlmig_ldisk_journal j;
    xlmig_checks c;
    xlmig_hooks h;
    xlmig_msg req;
    bool found;
    pid_t pid;
    FILE *f;
    int st, k;

    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    setenv("XLMIG_LDISK_DRBD_MODULE", "/", 1);
    pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (!pid)
        _exit(0);
    waitpid(pid, &st, 0);
    for (k = 0; k < 3; k++) {
        bool dry = k == 1, live = k == 2;

        xlmig_ldisk_ctx_init(&l);
        l.runner.run = d_run;
        snprintf(l.conf.state_dir, sizeof(l.conf.state_dir), "%s", dir);
        snprintf(l.conf.res_dir, sizeof(l.conf.res_dir), "%s", dir);
        snprintf(l.self.name, sizeof(l.self.name), "xen2");
        xlmig_ldisk_hooks_init(&l, &h);
        snprintf(path, sizeof(path), "%s/xlmig-900.journal", dir);
        snprintf(text, sizeof(text), "side = dest\nstage = attach\n"
                 "done = 4\nvdev = xvda\nvg = vg0\nlv = root\nsize ="
                 " 67108864\ndst_vg = vg0\nminor = 900\nport = 7900\n"
                 "md = 1048576\nowner = %ld\n", live ? (long)getpid()
                 : (long)pid);
        f = fopen(path, "w");
        CU_ASSERT_FATAL(f != NULL);
        fputs(text, f);
        fclose(f);
        if (live) {
            /* The owner's real start time: a running move. */
            CU_ASSERT_EQUAL_FATAL(xlmig_ldisk_journal_read(&l.conf, 900, &j,
                                                           &found), 0);
            CU_ASSERT_FALSE(xlmig_ldisk_journal_owned(&j));
            memset(&l.disks[0], 0, sizeof(l.disks[0]));
            snprintf(l.disks[0].vdev, sizeof(l.disks[0].vdev), "xvda");
            snprintf(l.disks[0].lv.vg, sizeof(l.disks[0].lv.vg), "vg0");
            snprintf(l.disks[0].lv.lv, sizeof(l.disks[0].lv.lv), "root");
            snprintf(l.disks[0].dst_vg, sizeof(l.disks[0].dst_vg), "vg0");
            l.disks[0].lv.size = 67108864;
            l.disks[0].minor = 900;
            l.disks[0].port = 7900;
            l.disks[0].md_bytes = 1048576;
            CU_ASSERT_EQUAL_FATAL(xlmig_ldisk_journal_write(&l.conf,
                                  &l.disks[0], false, "attach", 4), 0);
        }
        xlmig_msg_init(&req, XLMIG_MSG_MIGRATE);
        req.local_disks = strdup(wire);
        req.dry_run = dry;
        xlmig_checks_init(&c);
        nran = 0;
        CU_ASSERT_EQUAL(h.dst_check(h.arg, &req, "xen1", &c), 0);
        found = false;
        CU_ASSERT_EQUAL(xlmig_ldisk_journal_read(&l.conf, 900, &j, &found),
                        0);
        if (!dry && !live) {
            int f1 = ran_at("drbdadm disconnect --force xlmig-900");
            int f2 = ran_at("lvremove --force vg0/root");
            int f3 = ran_at("drbdadm secondary xlmig-900");

            CU_ASSERT(f3 >= 0 && f1 > f3 && f2 > f1);
            CU_ASSERT(f2 < ran_at("vgs --reportformat json --units b"
                                  " --nosuffix -o vg_name,vg_free,"
                                  "vg_extent_size vg0"));
            CU_ASSERT_FALSE(found);
        } else {
            CU_ASSERT_EQUAL(ran_at("drbdadm secondary xlmig-900"), -1);
            CU_ASSERT_TRUE(found);
        }
        xlmig_msg_dispose(&req);
        xlmig_ldisk_journal_remove(&l.conf, 900);
        xlmig_ldisk_ctx_dispose(&l);
    }
    unsetenv("XLMIG_LDISK_DRBD_MODULE");
    CU_ASSERT_EQUAL(rmdir(dir), 0);
}

static CU_TestInfo tests[] = {
    { "peer cleanup: the command built", test_cmd },
    { "peer cleanup: run, and out of reach named", test_run },
    { "source rollback runs it, after its own undo",
      test_rollback_runs_it },
    { "journal owner: running or dead", test_owner },
    { "a receiver finishes a dead receiver's leftovers",
      test_receiver_reclaims },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("ldisk_peer", NULL, NULL, tests);
