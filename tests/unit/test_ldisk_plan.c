/*
 * The local-disk plans run against a fake host (ldisk_world.h): the
 * commands in their order, the state they leave, and for a failure at
 * every single action, the host left exactly as it was.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ldisk.h"
#include "ldisk_world.h"
#include "unit.h"

#define TABLE "0 8388608 linear 8:16 2048\n"
#define SECTORS 8388608ull

static ldisk_world w;
static xlmig_ldisk_conf conf;
static xlmig_ldisk_disk disk;
static const xlmig_ldisk_end src = { "xen1", "10.0.0.1" };
static const xlmig_ldisk_end dst = { "xen2", "10.0.0.2" };

static void setup(int version)
{
    xlmig_ldisk_conf_init(&conf);
    conf.drbd_version = version;
    snprintf(conf.state_dir, sizeof(conf.state_dir), "/var/lib/xlmig/ld");
    memset(&disk, 0, sizeof(disk));
    snprintf(disk.vdev, sizeof(disk.vdev), "xvda");
    snprintf(disk.lv.vg, sizeof(disk.lv.vg), "vg0");
    snprintf(disk.lv.lv, sizeof(disk.lv.lv), "guest-root");
    snprintf(disk.dst_vg, sizeof(disk.dst_vg), "vg1");
    disk.lv.size = SECTORS * 512;
    disk.minor = 900;
    disk.port = 7900;
    disk.md_bytes = xlmig_ldisk_md_bytes(disk.lv.size, 1);
}

static int run(int (*build)(xlmig_ldisk_plan *), unsigned fail_at,
               unsigned *done)
{
    xlmig_ldisk_runner r;
    xlmig_ldisk_plan p;
    int rc;

    xlmig_ldisk_plan_init(&p);
    CU_ASSERT_EQUAL_FATAL(build(&p), 0);
    ldisk_world_runner(&w, &r);
    w.fail_at = fail_at;
    w.actions = 0;
    xlmig_err_clear();
    rc = xlmig_ldisk_plan_run(&p, &r, NULL, NULL, done);
    xlmig_ldisk_plan_dispose(&p);
    return rc;
}

static int b_src_setup(xlmig_ldisk_plan *p)
{
    return xlmig_ldisk_plan_src_setup(&conf, &disk, &src, &dst, p);
}

static int b_src_teardown(xlmig_ldisk_plan *p)
{
    return xlmig_ldisk_plan_src_teardown(&conf, &disk, p);
}

static int b_dst_setup(xlmig_ldisk_plan *p)
{
    return xlmig_ldisk_plan_dst_setup(&conf, &disk, &src, &dst, p);
}

static int b_dst_attach(xlmig_ldisk_plan *p)
{
    return xlmig_ldisk_plan_dst_attach(&conf, &disk, p);
}

static int b_dst_teardown(xlmig_ldisk_plan *p)
{
    return xlmig_ldisk_plan_dst_teardown(&conf, &disk, p);
}

/* The source's setup: the commands, and the guest's LV onto DRBD. */
static void test_src_setup(void)
{
    const w_dm *lv, *lower;
    unsigned done;
    int a, b, c, d;

    setup(XLMIG_DRBD_V84);
    ldisk_world_init(&w, "vg0", "guest-root", TABLE);
    CU_ASSERT_EQUAL_FATAL(run(b_src_setup, 0, &done), 0);
    CU_ASSERT_STRING_EQUAL(w.log[0], "lvcreate --yes --zero y"
                           " --wipesignatures y --name xlmig-900-md"
                           " --size 1048576b vg0");
    CU_ASSERT_STRING_EQUAL(w.log[1], "dmsetup table vg0-guest--root");
    CU_ASSERT_STRING_EQUAL(w.log[2], "write /var/lib/xlmig/ld/xlmig-900"
                           ".table");
    CU_ASSERT_STRING_EQUAL(w.log[3], "dmsetup create xlmig-900-lower"
                           " /var/lib/xlmig/ld/xlmig-900.table");
    CU_ASSERT_STRING_EQUAL(w.log[4], "dmsetup mknodes xlmig-900-lower");
    CU_ASSERT_STRING_EQUAL(w.log[5], "write /etc/drbd.d/xlmig-900.res");
    CU_ASSERT_STRING_EQUAL(w.log[6], "drbdadm create-md --force xlmig-900");
    CU_ASSERT_STRING_EQUAL(w.log[7], "drbdadm up xlmig-900");
    CU_ASSERT_STRING_EQUAL(w.log[8], "drbdadm primary --force xlmig-900");
    /* Primary before the guest's LV points at DRBD; the swap is a
     * reload, then a bare resume (no separate suspend: no window
     * between two processes). */
    a = ldisk_world_find(&w, "dmsetup suspend");
    b = ldisk_world_find(&w, "dmsetup reload vg0-guest--root /var/lib/"
                         "xlmig/ld/xlmig-900.drbd.table");
    c = ldisk_world_find(&w, "dmsetup resume vg0-guest--root");
    d = ldisk_world_find(&w, "drbdadm net-options");
    CU_ASSERT(a == -1 && b > 8 && c == b + 1 && d == -1);
    CU_ASSERT_EQUAL(w.nlog, (unsigned)c + 1);
    lv = ldisk_world_dm(&w, "vg0-guest--root");
    lower = ldisk_world_dm(&w, "xlmig-900-lower");
    CU_ASSERT_PTR_NOT_NULL_FATAL(lv);
    CU_ASSERT_PTR_NOT_NULL_FATAL(lower);
    CU_ASSERT_STRING_EQUAL(lv->live, "0 8388608 linear 147:900 0\n");
    CU_ASSERT_FALSE(lv->suspended);
    CU_ASSERT_STRING_EQUAL(lower->live, TABLE);
    CU_ASSERT_EQUAL(w.nres, 1);
    CU_ASSERT(w.res[0].primary);
    CU_ASSERT(ldisk_world_has_lv(&w, "vg0/xlmig-900-md"));
}

/* A failure at any action of a plan leaves the host as it was. */
static void every_failure(int (*build)(xlmig_ldisk_plan *),
                          const ldisk_world *start, unsigned *nfail)
{
    unsigned k, done, total;
    int rc;

    w = *start;
    CU_ASSERT_EQUAL_FATAL(run(build, 0, &done), 0);
    total = w.actions;
    CU_ASSERT(total >= 4);
    for (k = 1; k <= total; k++) {
        w = *start;
        xlmig_err_clear();
        rc = run(build, k, &done);
        CU_ASSERT_NOT_EQUAL(rc, 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "scripted failure"));
        if (!ldisk_world_same(&w, start)) {
            CU_FAIL("a failure left the host changed");
            fprintf(stderr, "\nfailing at action %u of %u: host changed\n",
                    k, total);
        }
        (*nfail)++;
    }
}

static void test_src_setup_rollback(void)
{
    static ldisk_world start;
    unsigned n = 0;

    setup(XLMIG_DRBD_V84);
    ldisk_world_init(&start, "vg0", "guest-root", TABLE);
    every_failure(b_src_setup, &start, &n);
    CU_ASSERT_EQUAL(n, 12);
}

/* The guest's LV live on DRBD when the resume fails: back onto its own
 * extents through suspend, reload, resume, then DRBD and the rest. */
static void test_src_resume_fails(void)
{
    unsigned done, total, i;
    int at;
    static const char *const want[] = {
        "dmsetup resume vg0-guest--root",   /* the failing one */
        "dmsetup clear vg0-guest--root",
        "dmsetup resume vg0-guest--root",
        "unlink /var/lib/xlmig/ld/xlmig-900.drbd.table",
        "drbdadm secondary xlmig-900",
        "drbdadm disconnect --force xlmig-900",
        "drbdadm down xlmig-900",
        "unlink /etc/drbd.d/xlmig-900.res",
        "dmsetup remove xlmig-900-lower",
        "unlink /var/lib/xlmig/ld/xlmig-900.table",
        "lvremove --force vg0/xlmig-900-md",
    };

    setup(XLMIG_DRBD_V84);
    ldisk_world_init(&w, "vg0", "guest-root", TABLE);
    CU_ASSERT_EQUAL_FATAL(run(b_src_setup, 0, &done), 0);
    at = ldisk_world_find(&w, "dmsetup resume");
    total = w.actions;
    CU_ASSERT_FATAL(at > 0 && (unsigned)at + 1 == total);
    ldisk_world_init(&w, "vg0", "guest-root", TABLE);
    CU_ASSERT_EQUAL(run(b_src_setup, (unsigned)at + 1, &done),
                    XLMIG_E_EXTERNAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "dmsetup resume"
                                  " vg0-guest--root: exit 5"));
    CU_ASSERT_EQUAL_FATAL(w.nlog, (unsigned)at + 11);
    for (i = 0; i < 11; i++)
        CU_ASSERT_STRING_EQUAL(w.log[at + (int)i], want[i]);
    CU_ASSERT_STRING_EQUAL(ldisk_world_dm(&w, "vg0-guest--root")->live,
                           TABLE);
}

/* After the commit on the source: its LV back on its own extents, the
 * temporaries gone, the LV itself kept. */
static void test_src_teardown(void)
{
    static ldisk_world start;
    unsigned done;

    setup(XLMIG_DRBD_V84);
    ldisk_world_init(&start, "vg0", "guest-root", TABLE);
    w = start;
    CU_ASSERT_EQUAL_FATAL(run(b_src_setup, 0, &done), 0);
    w.nlog = 0;
    CU_ASSERT_EQUAL_FATAL(run(b_src_teardown, 0, &done), 0);
    CU_ASSERT(ldisk_world_same(&w, &start));
    CU_ASSERT(ldisk_world_has_lv(&w, "vg0/guest-root"));
    CU_ASSERT_STRING_EQUAL(w.log[0], "dmsetup reload vg0-guest--root"
                           " /var/lib/xlmig/ld/xlmig-900.table");
    CU_ASSERT_STRING_EQUAL(w.log[1], "dmsetup resume vg0-guest--root");
    CU_ASSERT_STRING_EQUAL(w.log[2], "drbdadm secondary xlmig-900");
    CU_ASSERT_EQUAL(ldisk_world_find(&w, "lvremove --force vg0/guest-root"),
                    -1);
}

/* The destination: a new LV, DRBD up (and syncing), then Primary and
 * its guest's LV onto DRBD; after the commit onto its own extents. */
/* The destination's VG differs (vg1): no command names the source's. */
static void no_src_vg(void)
{
    unsigned i;

    CU_ASSERT(w.nlog > 0);
    for (i = 0; i < w.nlog; i++)
        CU_ASSERT_PTR_NULL(strstr(w.log[i], "vg0"));
}

static void test_dst(void)
{
    static ldisk_world start, mid;
    const w_dm *lv;
    unsigned done, n = 0;

    setup(XLMIG_DRBD_V9);
    memset(&start, 0, sizeof(start));
    w = start;
    /* The new LV's dm device appears with lvcreate in a real host; the
     * fake gives it a table up front, as LVM would. */
    snprintf(w.dm[0].name, sizeof(w.dm[0].name), "vg1-guest--root");
    snprintf(w.dm[0].live, sizeof(w.dm[0].live), "0 8388608 linear"
             " 8:32 2048\n");
    w.ndm = 1;
    start = w;
    CU_ASSERT_EQUAL_FATAL(run(b_dst_setup, 0, &done), 0);
    CU_ASSERT_STRING_EQUAL(w.log[0], "lvcreate --yes --zero n --name"
                           " guest-root --size 4294967296b vg1");
    CU_ASSERT(ldisk_world_find(&w, "drbdadm create-md --force"
                               " --max-peers=1 xlmig-900") > 0);
    CU_ASSERT(ldisk_world_has_lv(&w, "vg1/guest-root"));
    CU_ASSERT(ldisk_world_has_lv(&w, "vg1/xlmig-900-md"));
    CU_ASSERT(w.nres == 1 && !w.res[0].primary);
    mid = w;
    CU_ASSERT_EQUAL_FATAL(run(b_dst_attach, 0, &done), 0);
    lv = ldisk_world_dm(&w, "vg1-guest--root");
    CU_ASSERT_STRING_EQUAL(lv->live, "0 8388608 linear 147:900 0\n");
    CU_ASSERT(w.res[0].primary);
    no_src_vg();
    w.nlog = 0;
    CU_ASSERT_EQUAL_FATAL(run(b_dst_teardown, 0, &done), 0);
    no_src_vg();
    lv = ldisk_world_dm(&w, "vg1-guest--root");
    CU_ASSERT_STRING_EQUAL(lv->live, "0 8388608 linear 8:32 2048\n");
    CU_ASSERT(ldisk_world_has_lv(&w, "vg1/guest-root"));
    CU_ASSERT_FALSE(ldisk_world_has_lv(&w, "vg1/xlmig-900-md"));
    CU_ASSERT_EQUAL(w.nres, 0);
    CU_ASSERT_EQUAL(w.ndm, 1);
    CU_ASSERT_EQUAL(w.nfile, 0);
    /* Before the commit, any failure: the destination as it was,
     * the new LV gone too. */
    every_failure(b_dst_setup, &start, &n);
    every_failure(b_dst_attach, &mid, &n);
    CU_ASSERT_EQUAL(n, 9 + 4);
}

/* A rollback later (a failure after the setup completed): undo of the
 * whole plan from the journal's count. */
static void test_undo_later(void)
{
    static ldisk_world start;
    xlmig_ldisk_runner r;
    xlmig_ldisk_plan p;
    unsigned done;

    setup(XLMIG_DRBD_V84);
    ldisk_world_init(&start, "vg0", "guest-root", TABLE);
    w = start;
    CU_ASSERT_EQUAL_FATAL(run(b_src_setup, 0, &done), 0);
    xlmig_ldisk_plan_init(&p);
    CU_ASSERT_EQUAL_FATAL(b_src_setup(&p), 0);
    CU_ASSERT_EQUAL(done, p.n);
    ldisk_world_runner(&w, &r);
    w.fail_at = 0;
    CU_ASSERT_EQUAL(xlmig_ldisk_plan_undo(&p, done, &r), 0);
    CU_ASSERT(ldisk_world_same(&w, &start));
    /* An undo that fails is reported, and the others still run. */
    w = start;
    CU_ASSERT_EQUAL_FATAL(run(b_src_setup, 0, &done), 0);
    w.fail_at = w.actions + 1;
    CU_ASSERT_EQUAL(xlmig_ldisk_plan_undo(&p, done, &r), XLMIG_E_EXTERNAL);
    CU_ASSERT_FALSE(ldisk_world_has_lv(&w, "vg0/xlmig-900-md"));
    CU_ASSERT_EQUAL(w.nres, 0);
    xlmig_ldisk_plan_dispose(&p);
}

/*
 * The peer's mover died while its side was Primary on an Inconsistent
 * disk: it refuses a graceful disconnect, so a plain down fails. The
 * undo of "bring up" forces the disconnect first: this side comes
 * apart whatever the peer says, on both ends of the move.
 */
static void peer_refuses(int (*build)(xlmig_ldisk_plan *),
                         const ldisk_world *start, const char *last)
{
    xlmig_ldisk_runner r;
    xlmig_ldisk_plan p;
    unsigned done;
    int f, d;

    w = *start;
    CU_ASSERT_EQUAL_FATAL(run(build, 0, &done), 0);
    w.peer_refuses = true;
    xlmig_ldisk_plan_init(&p);
    CU_ASSERT_EQUAL_FATAL(build(&p), 0);
    ldisk_world_runner(&w, &r);
    w.fail_at = 0;
    w.nlog = 0;
    CU_ASSERT_EQUAL(xlmig_ldisk_plan_undo(&p, done, &r), 0);
    CU_ASSERT_EQUAL(w.nres, 0);
    CU_ASSERT(ldisk_world_same(&w, start));
    f = ldisk_world_find(&w, "drbdadm disconnect --force xlmig-900");
    d = ldisk_world_find(&w, "drbdadm down xlmig-900");
    CU_ASSERT(f >= 0 && d == f + 1);
    CU_ASSERT_STRING_EQUAL(w.log[w.nlog - 1], last);
    /* A disconnect that fails (the resource already StandAlone or
     * half gone) does not keep down from running. */
    w = *start;
    CU_ASSERT_EQUAL_FATAL(run(build, 0, &done), 0);
    w.nlog = 0;
    w.actions = 0;
    for (f = (int)p.n; f-- > 0;)
        if (!strcmp(p.steps[f].undo.argv[1], "disconnect"))
            break;
    CU_ASSERT_FATAL(f >= 0);
    /* Count the undo actions up to the disconnect: that one fails. */
    {
        unsigned k, n = 0;

        for (k = p.n; k-- > (unsigned)f;) {
            if (p.steps[k].undo.kind != XLMIG_LDISK_NONE)
                n++;
            if (k != (unsigned)f && p.steps[k].undo2.kind !=
                XLMIG_LDISK_NONE)
                n++;
        }
        w.fail_at = n;
    }
    xlmig_err_clear();
    xlmig_ldisk_plan_undo(&p, done, &r);
    CU_ASSERT_STRING_EQUAL(w.log[w.fail_at - 1],
                           "drbdadm disconnect --force xlmig-900");
    CU_ASSERT_STRING_EQUAL(w.log[w.fail_at], "drbdadm down xlmig-900");
    CU_ASSERT_EQUAL(w.nres, 0);
    xlmig_ldisk_plan_dispose(&p);
}

static void test_peer_refuses(void)
{
    static ldisk_world start;

    setup(XLMIG_DRBD_V84);
    ldisk_world_init(&start, "vg0", "guest-root", TABLE);
    peer_refuses(b_src_setup, &start, "lvremove --force vg0/xlmig-900-md");
    setup(XLMIG_DRBD_V84);
    memset(&start, 0, sizeof(start));
    snprintf(start.dm[0].name, sizeof(start.dm[0].name), "vg1-guest--root");
    snprintf(start.dm[0].live, sizeof(start.dm[0].live), "0 8388608 linear"
             " 8:32 2048\n");
    start.ndm = 1;
    peer_refuses(b_dst_setup, &start, "lvremove --force vg1/guest-root");
}

static void test_delete(void)
{
    xlmig_ldisk_plan p;
    xlmig_ldisk_lv lv = { .vg = "vg0", .lv = "guest-root" };
    char s[256];

    xlmig_ldisk_plan_init(&p);
    CU_ASSERT_EQUAL_FATAL(xlmig_ldisk_plan_delete(&lv, &p), 0);
    CU_ASSERT_EQUAL(p.n, 1);
    xlmig_ldisk_action_str(&p.steps[0].act, s, sizeof(s));
    CU_ASSERT_STRING_EQUAL(s, "lvremove --force vg0/guest-root");
    CU_ASSERT_EQUAL(p.steps[0].undo.kind, XLMIG_LDISK_NONE);
    xlmig_ldisk_plan_dispose(&p);
    snprintf(lv.lv, sizeof(lv.lv), "-rf");
    CU_ASSERT_EQUAL(xlmig_ldisk_plan_delete(&lv, &p), XLMIG_E_INVAL);
    CU_ASSERT_EQUAL(p.n, 0);
}

static CU_TestInfo tests[] = {
    { "source setup: commands and the swap", test_src_setup },
    { "source setup: every failure undone", test_src_setup_rollback },
    { "source setup: resume fails, table back", test_src_resume_fails },
    { "source teardown keeps the LV", test_src_teardown },
    { "destination setup, attach, teardown", test_dst },
    { "undo later, and a failing undo", test_undo_later },
    { "undo with a peer that refuses: forced disconnect",
      test_peer_refuses },
    { "delete the source's copy", test_delete },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("ldisk_plan", NULL, NULL, tests);
