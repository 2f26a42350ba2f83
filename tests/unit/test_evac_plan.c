/* The evacuation planner: peers, capacity, maintenance, order, limits. */
#include <string.h>

#include "evac_plan.h"
#include "unit.h"

static xlmig_inventory inv;
static xlmig_evac_plan plan;
static xlmig_evac_opts opts;

static void setup(void)
{
    xlmig_inventory_dispose(&inv);
    xlmig_evac_plan_dispose(&plan);
    xlmig_evac_opts_init(&opts);
    strcpy(inv.self, "xen1");
}

static void host(const char *name, uint64_t free_mib, bool maint)
{
    xlmig_inv_host *h = xlmig_inventory_add_host(&inv, name);

    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    h->known = true;
    h->free_mib = free_mib;
    h->maintenance = maint;
}

/* peers: "r0=xen2 r1=xen2" */
static void guest(const char *name, uint64_t mem, const char *peers)
{
    xlmig_inv_guest *g = xlmig_inventory_add_guest(&inv, name);
    char buf[256], *save = NULL, *tok;

    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    g->mem_mib = mem;
    strcpy(buf, peers);
    for (tok = strtok_r(buf, " ", &save); tok;
         tok = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(tok, '=');

        *eq = 0;
        CU_ASSERT_EQUAL_FATAL(xlmig_inv_guest_add_peer(g, tok, eq + 1), 0);
    }
}

static const xlmig_evac_item *item(const char *name)
{
    unsigned i;

    for (i = 0; i < plan.n; i++)
        if (!strcmp(inv.guests[plan.items[i].guest].name, name))
            return &plan.items[i];
    CU_FAIL_FATAL("guest not in plan");
    return NULL;
}

static void make(void)
{
    CU_ASSERT_EQUAL_FATAL(xlmig_evac_plan_make(&inv, &opts, &plan), 0);
    CU_ASSERT_EQUAL(plan.n, inv.nguests);
}

static void test_peer_is_destination(void)
{
    setup();
    host("xen2", 4096, false);
    host("xen3", 4096, false);
    guest("a", 512, "r0=xen2");
    guest("b", 512, "r1=xen3 r2=xen3");
    make();
    CU_ASSERT_EQUAL(plan.nmove, 2);
    CU_ASSERT_STRING_EQUAL(item("a")->dest, "xen2");
    CU_ASSERT_STRING_EQUAL(item("b")->dest, "xen3");
}

static void test_mixed_peers_stay(void)
{
    setup();
    host("xen2", 4096, false);
    host("xen3", 4096, false);
    guest("mixed", 256, "r0=xen2 r1=xen3");
    guest("nodisk", 256, "");
    make();
    CU_ASSERT_EQUAL(plan.nmove, 0);
    CU_ASSERT_FALSE(item("mixed")->move);
    CU_ASSERT_PTR_NOT_NULL(strstr(item("mixed")->reason,
                                  "different peers (r0 -> xen2, r1 -> xen3)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(item("nodisk")->reason, "no DRBD disk"));
}

/* DRBD 9: several peers; the common one wins, then the emptier one. */
static void test_multi_peer(void)
{
    setup();
    host("xen2", 1000, false);
    host("xen3", 3000, false);
    guest("a", 100, "r0=xen2 r0=xen3");
    guest("b", 100, "r1=xen2 r1=xen3 r2=xen2");
    make();
    CU_ASSERT_STRING_EQUAL(item("a")->dest, "xen3");
    CU_ASSERT_STRING_EQUAL(item("b")->dest, "xen2");
}

/* Capacity counts guests already planned; smallest admitted first. */
static void test_capacity(void)
{
    setup();
    host("xen2", 1000, false);
    guest("big", 700, "r0=xen2");
    guest("mid", 400, "r1=xen2");
    guest("small", 300, "r2=xen2");
    make();
    CU_ASSERT_EQUAL(plan.nmove, 2);
    CU_ASSERT_TRUE(item("small")->move);
    CU_ASSERT_TRUE(item("mid")->move);
    CU_ASSERT_FALSE(item("big")->move);
    CU_ASSERT_PTR_NOT_NULL(strstr(item("big")->reason,
        "xen2 has 1000 MiB free after 700 MiB planned onto it,"
        " 700 MiB needed"));
    /* run order: smallest first */
    CU_ASSERT_STRING_EQUAL(inv.guests[plan.items[0].guest].name, "small");
    CU_ASSERT_STRING_EQUAL(inv.guests[plan.items[2].guest].name, "big");
}

static void test_capacity_overhead_reserve(void)
{
    setup();
    host("xen2", 1000, false);
    guest("a", 400, "r0=xen2");
    guest("b", 500, "r1=xen2");
    opts.overhead_mib = 50;
    make();
    CU_ASSERT_EQUAL(plan.nmove, 2);     /* exactly 900 + 100 */
    opts.reserve_mib = 1;
    make();
    CU_ASSERT_EQUAL(plan.nmove, 1);
}

static void test_maintenance(void)
{
    setup();
    host("xen2", 4096, true);
    host("xen3", 4096, false);
    guest("a", 128, "r0=xen2");
    guest("b", 128, "r1=xen2 r1=xen3");
    make();
    CU_ASSERT_FALSE(item("a")->move);
    CU_ASSERT_STRING_EQUAL(item("a")->reason,
                           "destination xen2 is in maintenance");
    CU_ASSERT_STRING_EQUAL(item("b")->dest, "xen3");
}

static void test_unknown_host_and_to(void)
{
    xlmig_inv_host *h;
    const char *peers[] = { "xen3" };

    setup();
    host("xen3", 4096, false);
    guest("a", 128, "r0=xen2");
    guest("b", 128, "r1=xen3");
    CU_ASSERT_EQUAL(xlmig_inventory_add_peer_hosts(&inv), 0);
    h = xlmig_inventory_host(&inv, "xen2");
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    strcpy(h->error, "ssh: connection refused");
    make();
    CU_ASSERT_STRING_EQUAL(item("a")->reason,
                           "peer xen2: ssh: connection refused");
    opts.to = "xen2";
    make();
    CU_ASSERT_STRING_EQUAL(item("b")->reason,
                           "its peer xen3 is not --to host");
    opts.to = NULL;
    opts.peers = peers;
    opts.npeers = 1;
    h->known = true;
    h->free_mib = 4096;
    make();
    CU_ASSERT_STRING_EQUAL(item("a")->reason,
                           "peer xen2 is not in the configured peers");
    CU_ASSERT_TRUE(item("b")->move);
}

static void test_bad_names(void)
{
    setup();
    CU_ASSERT_PTR_NULL(xlmig_inventory_add_guest(&inv, "a b"));
    CU_ASSERT_PTR_NULL(xlmig_inventory_add_guest(&inv, "-x"));
    CU_ASSERT_PTR_NULL(xlmig_inventory_add_guest(&inv, ""));
    CU_ASSERT_PTR_NOT_NULL(xlmig_inventory_add_guest(&inv, "ok"));
    CU_ASSERT_PTR_NULL(xlmig_inventory_add_guest(&inv, "ok"));
    CU_ASSERT_PTR_NULL(xlmig_inventory_add_host(&inv, "x;rm"));
}

static void test_many_guests(void)
{
    char name[16];
    unsigned i;

    setup();
    host("xen2", 1000000, false);
    for (i = 0; i < 300; i++) {
        snprintf(name, sizeof(name), "g%u", i);
        guest(name, 1000 - i, "r0=xen2");
    }
    make();
    CU_ASSERT_EQUAL(plan.nmove, 300);
    for (i = 1; i < plan.n; i++)
        CU_ASSERT(inv.guests[plan.items[i - 1].guest].mem_mib <=
                  inv.guests[plan.items[i].guest].mem_mib);
}

static void test_parallel_limit(void)
{
    xlmig_evac_state st[8];
    unsigned i, started = 0, maxrun = 0;
    int k;

    setup();
    host("xen2", 100000, false);
    guest("a", 10, "r0=xen2");
    guest("b", 20, "r0=xen2");
    guest("c", 30, "r0=xen3");          /* stays: xen3 unknown */
    guest("d", 40, "r0=xen2");
    guest("e", 50, "r0=xen2");
    make();
    memset(st, 0, sizeof(st));
    /* parallel 2: start until refused, finish the oldest, repeat */
    for (;;) {
        unsigned run = 0;

        while ((k = xlmig_evac_next(&plan, st, 2)) >= 0) {
            CU_ASSERT_TRUE(plan.items[k].move);
            st[k] = XLMIG_EVAC_RUNNING;
            started++;
        }
        for (i = 0; i < plan.n; i++)
            run += st[i] == XLMIG_EVAC_RUNNING;
        if (run > maxrun)
            maxrun = run;
        if (!run)
            break;
        for (i = 0; i < plan.n; i++)
            if (st[i] == XLMIG_EVAC_RUNNING) {
                st[i] = XLMIG_EVAC_FINISHED;
                break;
            }
    }
    CU_ASSERT_EQUAL(started, 4);
    CU_ASSERT_EQUAL(maxrun, 2);
    /* parallel 0 means 1 */
    memset(st, 0, sizeof(st));
    k = xlmig_evac_next(&plan, st, 0);
    CU_ASSERT_EQUAL(k, 0);
    st[k] = XLMIG_EVAC_RUNNING;
    CU_ASSERT_EQUAL(xlmig_evac_next(&plan, st, 0), -1);
    CU_ASSERT_EQUAL(xlmig_evac_next(&plan, st, 5), 1);
}

static void test_empty(void)
{
    setup();
    make();
    CU_ASSERT_EQUAL(plan.n, 0);
    CU_ASSERT_EQUAL(xlmig_evac_next(&plan, NULL, 1), -1);
    xlmig_inventory_dispose(&inv);
    xlmig_evac_plan_dispose(&plan);
}

/* --only/--exclude: the others stay and take no room. */
static void test_only_exclude(void)
{
    static const char *const only[] = { "b" };
    static const char *const excl[] = { "a" };

    setup();
    host("xen2", 100, false);
    guest("a", 60, "r0=xen2");
    guest("b", 60, "r1=xen2");
    opts.only = only;
    opts.nonly = 1;
    make();
    CU_ASSERT(!item("a")->move);
    CU_ASSERT_STRING_EQUAL(item("a")->reason, "not in --only");
    CU_ASSERT(item("b")->move);     /* a's 60 MiB were not counted */
    CU_ASSERT_EQUAL(plan.nmove, 1);
    xlmig_evac_opts_init(&opts);
    opts.exclude = excl;
    opts.nexclude = 1;
    make();
    CU_ASSERT_STRING_EQUAL(item("a")->reason, "left out by --exclude");
    CU_ASSERT(item("b")->move);
}

/* A resource known to be out of sync holds its guest back. */
static void test_drbd_not_synced(void)
{
    xlmig_inv_drbd *d;

    setup();
    host("xen2", 1000, false);
    guest("a", 10, "r0=xen2 r1=xen2");
    guest("b", 10, "r2=xen2");
    guest("c", 10, "r3=xen2");
    d = &inv.guests[0].res[1].state;
    *d = (xlmig_inv_drbd){ .known = true, .synced = false };
    strcpy(d->role, "Primary");
    strcpy(d->cstate, "Connected");
    strcpy(d->disk, "UpToDate");
    strcpy(d->peer_disk, "Inconsistent");
    inv.guests[1].res[0].state = (xlmig_inv_drbd){ .known = true,
                                                   .synced = true };
    make();
    CU_ASSERT(!item("a")->move);
    CU_ASSERT_PTR_NOT_NULL(strstr(item("a")->reason, "DRBD r1 is not in"
                                  " sync (Connected, disk UpToDate, peer"
                                  " disk Inconsistent)"));
    CU_ASSERT(item("b")->move);     /* known and in sync */
    CU_ASSERT(item("c")->move);     /* not known: the migration checks */
}

static CU_TestInfo tests[] = {
    { "--only and --exclude", test_only_exclude },
    { "DRBD out of sync stays", test_drbd_not_synced },
    { "peer is the destination", test_peer_is_destination },
    { "mixed peers and no DRBD disk stay", test_mixed_peers_stay },
    { "DRBD 9: several peers", test_multi_peer },
    { "capacity counts planned guests", test_capacity },
    { "capacity: overhead and reserve", test_capacity_overhead_reserve },
    { "destination in maintenance", test_maintenance },
    { "unknown host, --to, configured peers", test_unknown_host_and_to },
    { "bad names refused", test_bad_names },
    { "300 guests, smallest first", test_many_guests },
    { "parallel limit", test_parallel_limit },
    { "empty inventory (and cleanup)", test_empty },
    CU_TEST_INFO_NULL,
};
XLMIG_UNIT_SUITE("evac_plan", NULL, NULL, tests);
