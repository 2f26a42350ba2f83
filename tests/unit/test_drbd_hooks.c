/*
 * The DRBD window and the phase hooks against a fake two-node DRBD 8.4
 * cluster (tests/unit/data/drbd/fake-drbd-cluster), both hosts driven
 * from this process: the source's hooks as xen1, the destination's as
 * xen2, in the order the phase machine runs them.
 */
#include "unit.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drbd.h"
#include "error.h"

#define UUID "4b0d3c6e-3a7c-4b8e-9d7c-0f3e2a1b5c6d"
#define CONFIG "{\"c_info\":{\"name\":\"web01\"},\"disks\":[{\"pdev_path\":" \
               "\"r0\",\"vdev\":\"xvda\",\"script\":\"block-drbd-xlmig\"}]}"

static char dir[PATH_MAX], tokens[PATH_MAX + 16];
static xlmig_drbd src, dst;
static xlmig_hooks hs, hd;
static xlmig_domain_info di;
static xlmig_msg req;

static void put(const char *name, const char *val)
{
    char p[PATH_MAX + 64];
    FILE *f;

    snprintf(p, sizeof(p), "%s/%s", dir, name);
    f = fopen(p, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "%s\n", val);
    fclose(f);
}

static const char *get(const char *name)
{
    static char buf[64];
    char p[PATH_MAX + 64];
    FILE *f;

    snprintf(p, sizeof(p), "%s/%s", dir, name);
    buf[0] = 0;
    f = fopen(p, "r");
    if (f) {
        if (!fgets(buf, sizeof(buf), f))
            buf[0] = 0;
        fclose(f);
    }
    buf[strcspn(buf, "\n")] = 0;
    return buf;
}

static bool token_exists(void)
{
    char p[PATH_MAX + 128];

    snprintf(p, sizeof(p), "%s/%s.r0", tokens, UUID);
    return access(p, F_OK) == 0;
}

/* The hotplug script's fast-path note beside the token: its text. */
static const char *ready_note(void)
{
    static char buf[64];
    char p[PATH_MAX + 128];
    FILE *f;

    snprintf(p, sizeof(p), "%s/%s.r0.ready", tokens, UUID);
    f = fopen(p, "r");
    if (!f)
        return "";
    if (!fgets(buf, sizeof(buf), f))
        buf[0] = 0;
    fclose(f);
    return buf;
}

static void as(const char *host)
{
    setenv("FAKE_DRBD_HOST", host, 1);
    xlmig_err_clear();
}

/* xen1 runs the guest: Primary, in sync, window closed. */
static void fresh(void)
{
    char fake[PATH_MAX + 64];
    const char *data = getenv("XLMIG_UNIT_DATA");
    char cwd[PATH_MAX];

    CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof(cwd)));
    snprintf(dir, sizeof(dir), "/tmp/xlmig-drbd-XXXXXX");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    snprintf(tokens, sizeof(tokens), "%s/tokens", dir);
    if (data && data[0] == '/')
        snprintf(fake, sizeof(fake), "%s/drbd/fake-drbd-cluster", data);
    else
        snprintf(fake, sizeof(fake), "%s/%s/drbd/fake-drbd-cluster", cwd,
                 data ? data : "tests/unit/data");
    setenv("XLMIG_DRBDADM", fake, 1);
    setenv("XLMIG_DRBDSETUP", fake, 1);
    setenv("FAKE_DRBD_DIR", dir, 1);
    setenv("XLMIG_TOKEN_DIR", tokens, 1);
    /* No /proc/drbd unless a test writes one: never this machine's. */
    snprintf(fake, sizeof(fake), "%s/proc-drbd", dir);
    setenv("XLMIG_PROC_DRBD", fake, 1);
    unsetenv("FAKE_DRBD_PEER_NAME");
    put("r0.xen1.role", "Primary");
    put("r0.xen2.role", "Secondary");
    put("r0.xen1.two", "no");
    put("r0.xen2.two", "no");
    put("r0.cstate", "Connected");
    put("r0.dstate", "UpToDate/UpToDate");
    put("r0.proto", "C");

    setenv("XLMIG_HOSTNAME", "xen1", 1);
    xlmig_drbd_init(&src);
    setenv("XLMIG_HOSTNAME", "xen2", 1);
    xlmig_drbd_init(&dst);
    unsetenv("XLMIG_HOSTNAME");
    src.promote_timeout_ns = dst.promote_timeout_ns = XLMIG_S(2);
    src.peer_timeout_ns = dst.peer_timeout_ns = XLMIG_MS(600);
    src.sync_timeout_ns = dst.sync_timeout_ns = XLMIG_MS(600);
    xlmig_drbd_hooks_init(&src, &hs);
    xlmig_drbd_hooks_init(&dst, &hd);
    xlmig_domain_info_init(&di);
    di.config = strdup(CONFIG);
    xlmig_msg_init(&req, XLMIG_MSG_MIGRATE);
    xlmig_msg_set(&req.name, "web01");
    xlmig_msg_set(&req.uuid, UUID);
    xlmig_msg_set(&req.config, CONFIG);
}

static void cleanup(void)
{
    char cmd[PATH_MAX + 16];

    xlmig_drbd_hooks_dispose(&src, &hs);
    xlmig_drbd_hooks_dispose(&dst, &hd);
    xlmig_drbd_dispose(&src);
    xlmig_drbd_dispose(&dst);
    xlmig_domain_info_dispose(&di);
    xlmig_msg_dispose(&req);
    unsetenv("XLMIG_PROC_DRBD");
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

static void checks_pass(void)
{
    xlmig_checks c;

    xlmig_checks_init(&c);
    as("xen1");
    CU_ASSERT_EQUAL(hs.src_precheck(hs.arg, &di, "xen2.example.org", &c),
                    0);
    as("xen2");
    CU_ASSERT_EQUAL(hd.dst_check(hd.arg, &req, "xen1", &c), 0);
    if (xlmig_checks_failed(&c))
        xlmig_checks_print(&c, stderr);
    CU_ASSERT_PTR_NULL(xlmig_checks_failed(&c));
    CU_ASSERT_EQUAL(c.n, 2);
    CU_ASSERT_EQUAL(src.nres, 1);
    CU_ASSERT_STRING_EQUAL(src.res[0].peer, "xen2");
    CU_ASSERT_EQUAL(src.res[0].minor, 0);
}

static void prepare_both(void)
{
    as("xen1");
    CU_ASSERT_EQUAL_FATAL(hs.src_prepare(hs.arg), 0);
    as("xen2");
    CU_ASSERT_EQUAL_FATAL(hd.dst_prepare(hd.arg, &req), 0);
    /* The window: both Primary, both allowing it, token in place. */
    CU_ASSERT_STRING_EQUAL(get("r0.xen2.role"), "Primary");
    CU_ASSERT_STRING_EQUAL(get("r0.xen1.role"), "Primary");
    CU_ASSERT_STRING_EQUAL(get("r0.xen1.two"), "yes");
    CU_ASSERT_STRING_EQUAL(get("r0.xen2.two"), "yes");
    CU_ASSERT(token_exists());
    /* Promoted: the device for the script's fast path beside it. */
    CU_ASSERT_STRING_EQUAL(ready_note(), "dev=/dev/drbd0\n");
}

/* A fresh pair of hosts, checked, the window open. */
static void window_open(void)
{
    fresh();
    checks_pass();
    prepare_both();
}

/* The destination rolls back first, then the source. */
static void rollback_both(void)
{
    as("xen2");
    CU_ASSERT_EQUAL(hd.dst_rollback(hd.arg), 0);
    as("xen1");
    CU_ASSERT_EQUAL(hs.src_rollback(hs.arg), 0);
}

static void test_migrate_commit(void)
{
    window_open();
    /* Commit, destination first as in life: it must wait for xen1. */
    as("xen1");
    put("r0.xen1.role", "Secondary");   /* the destroy's hotplug remove */
    CU_ASSERT_EQUAL(hs.src_commit(hs.arg), 0);
    as("xen2");
    CU_ASSERT_EQUAL(hd.dst_commit(hd.arg), 0);
    CU_ASSERT_STRING_EQUAL(get("r0.xen1.role"), "Secondary");
    CU_ASSERT_STRING_EQUAL(get("r0.xen2.role"), "Primary");
    CU_ASSERT_STRING_EQUAL(get("r0.xen1.two"), "no");
    CU_ASSERT_STRING_EQUAL(get("r0.xen2.two"), "no");
    CU_ASSERT(!token_exists());
    CU_ASSERT_STRING_EQUAL(ready_note(), "");
    /* Idempotent: again changes nothing and succeeds. */
    CU_ASSERT_EQUAL(hd.dst_commit(hd.arg), 0);
    as("xen1");
    CU_ASSERT_EQUAL(hs.src_commit(hs.arg), 0);
    cleanup();
}

static void test_commit_source_not_demoted_by_hotplug(void)
{
    window_open();
    /* The destroy left xen1 Primary: the commit hook demotes it. */
    as("xen1");
    CU_ASSERT_EQUAL(hs.src_commit(hs.arg), 0);
    CU_ASSERT_STRING_EQUAL(get("r0.xen1.role"), "Secondary");
    CU_ASSERT_STRING_EQUAL(get("r0.xen1.two"), "no");
    as("xen2");
    CU_ASSERT_EQUAL(hd.dst_commit(hd.arg), 0);
    CU_ASSERT_STRING_EQUAL(get("r0.xen2.two"), "no");
    cleanup();
}

/* /proc/drbd as the module shows r0 (minor 0) on the asking host. */
static void proc_roles(const char *roles)
{
    char line[160];

    snprintf(line, sizeof(line), "version: 8.4.11 (api:1/proto:86-101)\n"
             " 0: cs:Connected ro:%s ds:UpToDate/UpToDate C r-----", roles);
    put("proc-drbd", line);
}

/* The commands the fake ran since the last call, one a line. */
static char *calls_since(void)
{
    static char buf[4096];
    char p[PATH_MAX + 16];
    size_t n = 0;
    FILE *f;

    snprintf(p, sizeof(p), "%s/calls", dir);
    f = fopen(p, "r");
    if (f) {
        n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
    }
    buf[n] = 0;
    f = fopen(p, "w");
    if (f)
        fclose(f);
    return buf;
}

/*
 * The destination commits while the guest, just started there, brings
 * its devices back through that dom0: waiting for the source to demote
 * runs no command (it reads /proc/drbd); the option goes off after.
 */
static void test_commit_waits_without_commands(void)
{
    const char *c;

    window_open();
    as("xen2");
    proc_roles("Primary/Primary");
    calls_since();
    CU_ASSERT_EQUAL(hd.dst_commit(hd.arg), XLMIG_E_TIMEOUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "still Primary"));
    c = calls_since();
    if (*c)
        fprintf(stderr, "\ncommands while waiting:\n%s", c);
    CU_ASSERT_STRING_EQUAL(c, "");
    CU_ASSERT_STRING_EQUAL(get("r0.xen2.two"), "yes");
    CU_ASSERT(!token_exists());
    /* The source's destroy demoted it: now the option goes off. */
    put("r0.xen1.role", "Secondary");
    proc_roles("Primary/Secondary");
    CU_ASSERT_EQUAL(hd.dst_commit(hd.arg), 0);
    c = calls_since();
    CU_ASSERT_PTR_NULL(strstr(c, " role "));
    CU_ASSERT_PTR_NOT_NULL(strstr(c, "net-options --allow-two-primaries=no"));
    CU_ASSERT_STRING_EQUAL(get("r0.xen2.two"), "no");
    CU_ASSERT_STRING_EQUAL(get("r0.xen2.role"), "Primary");
    cleanup();
}

/* The source's commit after its destroy demoted it: no role read. */
static void test_src_commit_demoted_without_commands(void)
{
    const char *c;

    window_open();
    as("xen1");
    put("r0.xen1.role", "Secondary");
    proc_roles("Secondary/Primary");
    calls_since();
    CU_ASSERT_EQUAL(hs.src_commit(hs.arg), 0);
    c = calls_since();
    CU_ASSERT_PTR_NULL(strstr(c, " role "));
    CU_ASSERT_PTR_NULL(strstr(c, " secondary "));
    CU_ASSERT_PTR_NOT_NULL(strstr(c, "net-options --allow-two-primaries=no"));
    CU_ASSERT_STRING_EQUAL(get("r0.xen1.two"), "no");
    cleanup();
    /* Still Primary (no hotplug remove): it demotes, and reads back. */
    window_open();
    as("xen1");
    proc_roles("Primary/Primary");
    CU_ASSERT_EQUAL(hs.src_commit(hs.arg), XLMIG_E_EXTERNAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "still Primary after"));
    proc_roles("Secondary/Primary");
    CU_ASSERT_EQUAL(hs.src_commit(hs.arg), 0);
    CU_ASSERT_STRING_EQUAL(get("r0.xen1.role"), "Secondary");
    CU_ASSERT_STRING_EQUAL(get("r0.xen1.two"), "no");
    cleanup();
}

static void test_rollback(void)
{
    window_open();
    rollback_both();
    CU_ASSERT_STRING_EQUAL(get("r0.xen1.role"), "Primary");
    CU_ASSERT_STRING_EQUAL(get("r0.xen2.role"), "Secondary");
    CU_ASSERT_STRING_EQUAL(get("r0.xen1.two"), "no");
    CU_ASSERT_STRING_EQUAL(get("r0.xen2.two"), "no");
    CU_ASSERT(!token_exists());
    CU_ASSERT_STRING_EQUAL(ready_note(), "");
    cleanup();
}

static void test_rollback_source_first_waits_for_peer(void)
{
    window_open();
    /* xen2 never demotes: xen1 cannot clear; it says why and how. */
    as("xen1");
    CU_ASSERT_EQUAL(hs.src_rollback(hs.arg), XLMIG_E_TIMEOUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "still Primary"));
    CU_ASSERT_STRING_EQUAL(get("r0.xen1.two"), "yes");
    /* Once xen2 has rolled back, a second try closes it. */
    rollback_both();
    CU_ASSERT_STRING_EQUAL(get("r0.xen1.two"), "no");
    cleanup();
}

static void test_promote_waits_for_peer_window(void)
{
    fresh();
    checks_pass();
    /* The source never opens its side: promotion gives up, clearly. */
    as("xen2");
    CU_ASSERT_EQUAL(hd.dst_prepare(hd.arg, &req), XLMIG_E_EXTERNAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "Multiple primaries"));
    CU_ASSERT_STRING_EQUAL(get("r0.xen2.role"), "Secondary");
    CU_ASSERT_EQUAL(hd.dst_rollback(hd.arg), 0);
    CU_ASSERT_STRING_EQUAL(get("r0.xen2.two"), "no");
    CU_ASSERT(!token_exists());
    cleanup();
}

static void refused(const char *host, const char *needle)
{
    const xlmig_check *bad;
    xlmig_checks c;

    xlmig_checks_init(&c);
    as(host);
    if (!strcmp(host, "xen1"))
        CU_ASSERT_EQUAL(hs.src_precheck(hs.arg, &di, "xen2", &c), 0)
    else
        CU_ASSERT_EQUAL(hd.dst_check(hd.arg, &req, "xen1", &c), 0);
    bad = xlmig_checks_failed(&c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(bad);
    if (!strstr(bad->detail, needle) && !strstr(bad->name, needle)) {
        fprintf(stderr, "\n%s: '%s' lacks '%s'\n", bad->name, bad->detail,
                needle);
        CU_FAIL("refusal does not say why");
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(bad->name, "drbd"));
    /* A refusal leaves no recorded error behind. */
    CU_ASSERT_EQUAL(xlmig_errcode(), 0);
}

static void test_refusals(void)
{
    fresh();
    put("r0.cstate", "WFConnection");
    refused("xen1", "WFConnection");
    refused("xen2", "not in sync");
    put("r0.cstate", "SyncSource");
    put("r0.dstate", "UpToDate/Inconsistent");
    refused("xen1", "Inconsistent");
    put("r0.cstate", "Connected");
    put("r0.dstate", "UpToDate/UpToDate");
    put("r0.proto", "A");
    refused("xen1", "protocol A");
    put("r0.proto", "C");
    put("r0.xen2.role", "Primary");
    refused("xen1", "roles Primary/Primary");
    refused("xen2", "roles Primary/Primary");
    put("r0.xen2.role", "Secondary");
    setenv("FAKE_DRBD_PEER_NAME", "xen3", 1);
    refused("xen1", "peer is xen3");
    unsetenv("FAKE_DRBD_PEER_NAME");
    put("r0.cstate", "Conected");
    refused("xen1", "unexpected connection state");
    cleanup();
}

static void test_no_drbd_disks(void)
{
    xlmig_checks c;

    fresh();
    free(di.config);
    di.config = strdup("{\"disks\":[{\"pdev_path\":\"/srv/a.img\","
                       "\"vdev\":\"xvda\"}]}");
    xlmig_checks_init(&c);
    as("xen1");
    CU_ASSERT_EQUAL(hs.src_precheck(hs.arg, &di, "xen2", &c), 0);
    CU_ASSERT_PTR_NULL(xlmig_checks_failed(&c));
    CU_ASSERT_EQUAL(src.nres, 0);
    CU_ASSERT_EQUAL(hs.src_prepare(hs.arg), 0);
    CU_ASSERT_EQUAL(hs.src_rollback(hs.arg), 0);
    cleanup();
}

/* The resources' peers, as the phase machine's DRBD peer check sees them. */
static void test_src_peers(void)
{
    xlmig_inv_res res[4];
    unsigned n = 99;

    fresh();
    as("xen1");
    CU_ASSERT_EQUAL(hs.src_peers(hs.arg, &di, res, 4, &n), 0);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT_STRING_EQUAL(res[0].name, "r0");
    CU_ASSERT_EQUAL(res[0].npeers, 1);
    CU_ASSERT_STRING_EQUAL(res[0].peers[0], "xen2");
    setenv("FAKE_DRBD_PEER_NAME", "xen3", 1);
    CU_ASSERT_EQUAL(hs.src_peers(hs.arg, &di, res, 4, &n), 0);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT_STRING_EQUAL(res[0].peers[0], "xen3");
    unsetenv("FAKE_DRBD_PEER_NAME");
    /* unreadable: none here, no error left; src_precheck says why */
    as("xen9");
    CU_ASSERT_EQUAL(hs.src_peers(hs.arg, &di, res, 4, &n), 0);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_EQUAL(xlmig_errcode(), 0);
    cleanup();
}

static void test_verify_before_go(void)
{
    window_open();
    as("xen1");
    CU_ASSERT_EQUAL(hs.src_verify(hs.arg), 0);
    /* The link went during the pre-copy: xen2 may miss writes. */
    put("r0.cstate", "StandAlone");
    put("r0.dstate", "UpToDate/DUnknown");
    CU_ASSERT_EQUAL(hs.src_verify(hs.arg), XLMIG_E_CHECK);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "r0: StandAlone"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "miss writes"));
    /* Back and resynced before the guest stopped: fine again. */
    put("r0.cstate", "Connected");
    put("r0.dstate", "UpToDate/UpToDate");
    CU_ASSERT_EQUAL(hs.src_verify(hs.arg), 0);
    cleanup();
}

static void test_demote_refused_while_open(void)
{
    xlmig_drbd_res r;

    fresh();
    memset(&r, 0, sizeof(r));
    snprintf(r.name, sizeof(r.name), "r0");
    put("r0.xen1.busy", "yes");
    as("xen1");
    CU_ASSERT_EQUAL(xlmig_drbd_demote(&src, &r), XLMIG_E_EXTERNAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "held open"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "r0"));
    CU_ASSERT_STRING_EQUAL(get("r0.xen1.role"), "Primary");
    cleanup();
}

static CU_TestInfo tests[] = {
    { "migrate and commit", test_migrate_commit },
    { "commit demotes a source left Primary",
      test_commit_source_not_demoted_by_hotplug },
    { "commit waits for the source without commands",
      test_commit_waits_without_commands },
    { "source commit after the hotplug demoted, without commands",
      test_src_commit_demoted_without_commands },
    { "rollback", test_rollback },
    { "rollback waits for the peer", test_rollback_source_first_waits_for_peer },
    { "promotion waits for the peer's window",
      test_promote_waits_for_peer_window },
    { "pre-check refusals", test_refusals },
    { "no DRBD disks", test_no_drbd_disks },
    { "demote of an open device", test_demote_refused_while_open },
    { "in sync before go", test_verify_before_go },
    { "resources and their peers", test_src_peers },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("drbd-hooks", NULL, NULL, tests);
