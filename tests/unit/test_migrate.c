/*
 * Both sides of the phase machine in one process, over socket pairs,
 * with the simulator backend: the destination's memory must equal the
 * source's byte for byte, and every failure must leave the guest
 * running on the source.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "unit.h"

#include "config.h"
#include "error.h"
#include "migrate.h"
#include "sim.h"

typedef struct {
    xlmig_dst_opts o;
    xlmig_sim_dst d;
    xlmig_report rep;
    int rc;
} dst_job;

static void *run_dst(void *arg)
{
    dst_job *j = arg;

    j->rc = xlmig_migrate_dest(&j->o, &xlmig_sim_dst_ops, &j->d, &j->rep);
    return NULL;
}

typedef struct {
    xlmig_sim_src s;
    xlmig_src_opts o;
    xlmig_report rep;
    dst_job dj;
    int sv[2];
    pthread_t thr;
    volatile int cancel;
} pair;

static void pair_start(pair *p, const char *profile, uint64_t mib,
                       uint64_t dst_free_mib, double bw_mib)
{
    xlmig_sim_src_params sp;

    memset(p, 0, sizeof(*p));
    memset(&sp, 0, sizeof(sp));
    sp.name = "g1";
    sp.mem_bytes = mib * XLMIG_MIB;
    sp.page_size = 4096;
    sp.seed = 7;
    xlmig_err_clear();
    CU_ASSERT_FATAL(xlmig_sim_workload_preset(&sp.wl, profile,
                                              sp.mem_bytes, 0) == 0);
    CU_ASSERT_FATAL(xlmig_sim_src_init(&p->s, &sp) == 0);
    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, p->sv) == 0);
    xlmig_src_opts_init(&p->o);
    p->o.in_fd = p->o.out_fd = p->sv[0];
    p->o.dest_host = "peer";
    p->o.bandwidth_Bps = bw_mib * XLMIG_MIB;
    p->o.cancel = &p->cancel;
    p->o.io_timeout_ns = XLMIG_S(10);
    xlmig_report_init(&p->rep);
    xlmig_dst_opts_init(&p->dj.o);
    p->dj.o.in_fd = p->dj.o.out_fd = p->sv[1];
    p->dj.o.io_timeout_ns = XLMIG_S(10);
    xlmig_sim_dst_init(&p->dj.d, dst_free_mib * XLMIG_MIB);
    xlmig_report_init(&p->dj.rep);
    CU_ASSERT_FATAL(pthread_create(&p->thr, NULL, run_dst, &p->dj) == 0);
}

static int pair_run(pair *p)
{
    int rc = xlmig_migrate_source(&p->o, &xlmig_sim_src_ops, &p->s,
                                  &p->rep);

    /* The destination learns of the end when we hang up. */
    shutdown(p->sv[0], SHUT_RDWR);
    pthread_join(p->thr, NULL);
    return rc;
}

static void pair_dispose(pair *p)
{
    xlmig_sim_dst_dispose(&p->dj.d);
    xlmig_sim_src_dispose(&p->s);
    close(p->sv[0]);
    close(p->sv[1]);
}

static void test_migrates_identical_memory(void)
{
    pair p;

    pair_start(&p, "web", 16, 1024, 40);
    /*
     * Left paused (-p) so its memory stays as it landed: a running
     * copy writes (idle: 64 pages/s) before the comparison below.
     */
    p.dj.d.paused = true;
    CU_ASSERT_EQUAL(pair_run(&p), 0);
    CU_ASSERT_EQUAL(p.rep.outcome, XLMIG_OUT_MIGRATED);
    CU_ASSERT_EQUAL(p.dj.rep.outcome, XLMIG_OUT_MIGRATED);
    CU_ASSERT(p.rep.verified);
    /* Kept as pages went, under writes: the frozen memory's digest. */
    CU_ASSERT_EQUAL(xlmig_page_digest_value(&p.s.digest),
                    xlmig_sim_guest_digest(&p.s.guest));
    CU_ASSERT(p.rep.downtime_ns > 0);
    CU_ASSERT(p.rep.iterations >= 1);
    /* Every page went out once at least, as raw bytes (the codec). */
    CU_ASSERT(p.rep.codec.raw_bytes >= 16 * XLMIG_MIB);
    CU_ASSERT(p.rep.bytes_sent >= p.rep.codec.wire_bytes);
    /* The source is destroyed (paused for good): memory is frozen. */
    CU_ASSERT_FALSE(xlmig_sim_src_ops.running(&p.s));
    CU_ASSERT(p.dj.d.active);
    CU_ASSERT_STRING_EQUAL(p.dj.d.name, "g1");
    CU_ASSERT_FALSE(xlmig_sim_guest_running(&p.dj.d.guest));
    CU_ASSERT(memcmp(p.s.guest.mem, p.dj.d.guest.mem, 16 * XLMIG_MIB) == 0);
    pair_dispose(&p);
}

/* The guest's DRBD resources, as a backend's hook reports them. */
static int two_res(void *arg, const xlmig_domain_info *di,
                   xlmig_inv_res *res, unsigned max, unsigned *n)
{
    (void)arg;
    (void)di;
    CU_ASSERT_FATAL(max >= 2);
    memset(res, 0, 2 * sizeof(*res));
    strcpy(res[0].name, "r0");
    strcpy(res[0].peers[0], "xen2");
    strcpy(res[1].name, "r1");
    strcpy(res[1].peers[0], "xen2");
    res[0].npeers = res[1].npeers = 1;
    *n = 2;
    return 0;
}

/* An idle guest to addr (d resolved by c), answered by host me. */
static int run_to(pair *p, const char *me, const xlmig_config *c,
                  const char *addr, xlmig_dest *d, const xlmig_hooks *h)
{
    setenv("XLMIG_HOSTNAME", me, 1);
    pair_start(p, "idle", 16, 1024, 0);
    xlmig_dest_resolve(c, addr, d);
    p->o.dest_host = addr;
    p->o.dest = d;
    p->o.hooks = h;
    return pair_run(p);
}

/* The host that answers, not the name typed, must be the DRBD peer. */
static void test_refused_unless_drbd_peer(void)
{
    xlmig_hooks h = { .src_peers = two_res };
    xlmig_config c;
    xlmig_dest d;
    const char *conf = "migration_address.xen2 = 10.0.0.2\n";
    pair p;

    CU_ASSERT_EQUAL_FATAL(xlmig_config_parse(&c, conf, strlen(conf),
                                             "x.conf"), 0);
    CU_ASSERT_EQUAL(run_to(&p, "xen3", &c, "10.0.0.9", &d, &h),
                    XLMIG_E_CHECK);
    CU_ASSERT_EQUAL(p.rep.outcome, XLMIG_OUT_REFUSED);
    CU_ASSERT_PTR_NOT_NULL(strstr(p.rep.message, "drbd-peer: destination"
                                  " 10.0.0.9 calls itself xen3, which is"
                                  " not a DRBD peer of r0 (peers: xen2)"));
    CU_ASSERT(p.rep.guest_on_source);
    CU_ASSERT_FALSE(p.dj.d.created);
    pair_dispose(&p);
    /* the same address, answered by xen2: migrated */
    CU_ASSERT_EQUAL(run_to(&p, "xen2", &c, "10.0.0.2", &d, &h), 0);
    CU_ASSERT_EQUAL(p.rep.outcome, XLMIG_OUT_MIGRATED);
    CU_ASSERT_STRING_EQUAL(p.rep.dest, "xen2");
    pair_dispose(&p);
    unsetenv("XLMIG_HOSTNAME");
}

static void test_refused_without_memory(void)
{
    pair p;

    pair_start(&p, "idle", 16, 8, 0);
    CU_ASSERT_EQUAL(pair_run(&p), XLMIG_E_CHECK);
    CU_ASSERT_EQUAL(p.rep.outcome, XLMIG_OUT_REFUSED);
    CU_ASSERT(strstr(p.rep.message, "free-memory") != NULL);
    CU_ASSERT(p.rep.guest_on_source);
    CU_ASSERT_FALSE(p.dj.d.created);
    pair_dispose(&p);
}

static void *cancel_later(void *arg)
{
    pair *p = arg;

    xlmig_sleep_ns(300 * 1000000ULL);
    p->cancel = 1;
    return NULL;
}

static void test_cancel_keeps_guest_on_source(void)
{
    pthread_t t;
    pair p;

    /* 32 MiB at 8 MiB/s: still in pre-copy when cancelled. */
    pair_start(&p, "web", 32, 1024, 8);
    pthread_create(&t, NULL, cancel_later, &p);
    CU_ASSERT_EQUAL(pair_run(&p), XLMIG_E_ABORTED);
    pthread_join(t, NULL);
    CU_ASSERT_EQUAL(p.rep.outcome, XLMIG_OUT_ABORTED);
    CU_ASSERT(p.rep.guest_on_source);
    CU_ASSERT(xlmig_sim_src_ops.running(&p.s));
    CU_ASSERT_NOT_EQUAL(p.dj.rep.outcome, XLMIG_OUT_MIGRATED);
    CU_ASSERT_FALSE(p.dj.d.created);
    CU_ASSERT_FALSE(p.dj.d.active);
    pair_dispose(&p);
}

static void test_unmeetable_target_aborts(void)
{
    pair p;

    /* Target 1 ms, no throttle, timeout 1 s: can never be met. */
    pair_start(&p, "diabolical", 8, 1024, 16);
    p.o.policy.max_downtime_ns = 1000000ULL;
    p.o.policy.timeout_ns = XLMIG_S(1);
    p.o.no_throttle = true;
    CU_ASSERT_EQUAL(pair_run(&p), XLMIG_E_ABORTED);
    CU_ASSERT_EQUAL(p.rep.outcome, XLMIG_OUT_ABORTED);
    CU_ASSERT(strstr(p.rep.message, "unmeetable") != NULL);
    CU_ASSERT(xlmig_sim_src_ops.running(&p.s));
    CU_ASSERT_FALSE(p.dj.d.created);
    pair_dispose(&p);
}

/* The guest gets its CPU back before it is asked to suspend. */
static void test_throttle_released_before_suspend(void)
{
    pair p;

    pair_start(&p, "diabolical", 8, 1024, 16);
    p.o.policy.timeout_ns = XLMIG_S(2);
    p.o.policy.allow_long_downtime = true;
    CU_ASSERT_EQUAL(pair_run(&p), 0);
    CU_ASSERT_EQUAL(p.rep.outcome, XLMIG_OUT_MIGRATED);
    CU_ASSERT(p.rep.throttled);
    CU_ASSERT_EQUAL(p.s.guest.share_at_pause_ppm, 1000000);
    pair_dispose(&p);
}

static void test_dry_run_changes_nothing(void)
{
    xlmig_checks checks;
    pair p;

    pair_start(&p, "idle", 8, 1024, 0);
    p.o.dry_run = true;
    p.o.checks = &checks;
    CU_ASSERT_EQUAL(pair_run(&p), 0);
    CU_ASSERT_EQUAL(p.rep.outcome, XLMIG_OUT_CHECKED);
    CU_ASSERT(checks.n >= 5);
    CU_ASSERT_PTR_NULL(xlmig_checks_failed(&checks));
    CU_ASSERT_EQUAL(p.rep.bytes_sent < XLMIG_MIB, 1);
    CU_ASSERT(xlmig_sim_src_ops.running(&p.s));
    CU_ASSERT_FALSE(p.dj.d.created);
    pair_dispose(&p);
}

static CU_TestInfo tests[] = {
    { "migrates, memory identical", test_migrates_identical_memory },
    { "refused without memory", test_refused_without_memory },
    { "refused unless the DRBD peer answers", test_refused_unless_drbd_peer },
    { "cancel keeps guest on source", test_cancel_keeps_guest_on_source },
    { "unmeetable target aborts", test_unmeetable_target_aborts },
    { "throttle released before suspend",
      test_throttle_released_before_suspend },
    { "dry run changes nothing", test_dry_run_changes_nothing },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("migrate", NULL, NULL, tests)
