/* Destinations on the command line and the guest's DRBD peers. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "error.h"
#include "peer_map.h"
#include "unit.h"

static void test_addr_ok(void)
{
    const char *good[] = {
        "xen2", "xen2.example.org", "10.0.0.2", "root@10.0.0.2",
        "admin.ops@xen2", "[fd00::2]", "fd00::2", "::1", "mig_net-2",
    };
    const char *bad[] = {
        "", "-oProxyCommand=x", "@xen2", "root@", "a@b@c", "x y",
        "xen2;reboot", "$(id)", "xen2`", "a..b", ".xen2", "xen2-",
        "-xen2", "[fd00::2", "[]", "[xen2]", "fd00:2", "x\n", "r'@x",
        "-u@x",
    };
    char big[XLMIG_ADDR_MAX + 8];
    unsigned i;

    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        if (!xlmig_addr_ok(good[i])) {
            fprintf(stderr, "\n  refused \"%s\"\n", good[i]);
            CU_FAIL("good address refused");
        }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (xlmig_addr_ok(bad[i])) {
            fprintf(stderr, "\n  accepted \"%s\"\n", bad[i]);
            CU_FAIL("bad address accepted");
        }
    memset(big, 'a', sizeof(big));
    for (i = 60; i < sizeof(big) - 1; i += 60)
        big[i] = '.';
    big[XLMIG_ADDR_MAX - 1] = 0;
    CU_ASSERT_FALSE(xlmig_addr_ok(big));
    big[200] = 0;
    CU_ASSERT_TRUE(xlmig_addr_ok(big));
}

static void conf(xlmig_config *c, const char *text)
{
    xlmig_err_clear();
    CU_ASSERT_EQUAL_FATAL(xlmig_config_parse(c, text, strlen(text),
                                             "x.conf"), 0);
}

/* No peer resolved: as given, the peer unknown until it answers. */
#define NO_PEER ""

static void test_resolve(void)
{
    /* address, peer: NULL not looked at here */
    static const struct {
        bool conf;
        const char *given, *address, *peer;
    } t[] = {
        /* the DRBD name: reached by its address */
        { true, "xen2", "10.0.0.2", "xen2" },
        { true, "xen2.example.org", "10.0.0.2", NULL },
        /* a user typed stays with the address */
        { true, "root@xen2", "root@10.0.0.2", "xen2" },
        /* unless the address names its own */
        { true, "root@xen3", "ops@mig3", NULL },
        /* the address: mapped back to the peer, reached as typed */
        { true, "10.0.0.2", "10.0.0.2", "xen2" },
        { true, "admin@10.0.0.2", "admin@10.0.0.2", "xen2" },
        { true, "mig3", NULL, "xen3" },
        /* anything else: as given, peer unknown until it answers */
        { true, "10.0.0.9", "10.0.0.9", NO_PEER },
        { false, "xen2", "xen2", NO_PEER },
    };
    xlmig_config c;
    xlmig_dest d;
    unsigned i;

    conf(&c, "migration_address.xen2 = 10.0.0.2\n"
             "migration_address.xen3 = ops@mig3\n");
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        xlmig_dest_resolve(t[i].conf ? &c : NULL, t[i].given, &d);
        CU_ASSERT_STRING_EQUAL(d.given, t[i].given);
        if (t[i].address)
            CU_ASSERT_STRING_EQUAL(d.address, t[i].address);
        if (t[i].peer && !t[i].peer[0])
            CU_ASSERT_PTR_NULL(d.peer);
        if (t[i].peer && t[i].peer[0])
            CU_ASSERT_STRING_EQUAL(d.peer, t[i].peer);
    }
    CU_ASSERT_STRING_EQUAL(xlmig_peer_address(&c, "xen3"), "ops@mig3");
    CU_ASSERT_STRING_EQUAL(xlmig_peer_address(&c, "xen4"), "xen4");
    CU_ASSERT_STRING_EQUAL(xlmig_peer_address(NULL, "xen2"), "xen2");
}

static xlmig_inv_res res[2];

static void two_resources(void)
{
    memset(res, 0, sizeof(res));
    strcpy(res[0].name, "r0");
    res[0].npeers = 1;
    strcpy(res[0].peers[0], "xen2");
    strcpy(res[1].name, "r1");
    res[1].npeers = 2;
    strcpy(res[1].peers[0], "xen3");
    strcpy(res[1].peers[1], "xen2");
}

static const xlmig_check *only_row(const xlmig_checks *c, bool ok)
{
    CU_ASSERT_EQUAL_FATAL(c->n, 1);
    CU_ASSERT_STRING_EQUAL(c->items[0].where, "dest");
    CU_ASSERT_STRING_EQUAL(c->items[0].name, "drbd-peer");
    CU_ASSERT_EQUAL(c->items[0].ok, ok);
    return &c->items[0];
}

/*
 * d resolved from given, answered by a host calling itself said:
 * refused, one failed row in ck; its detail.
 */
static const char *refusal(xlmig_checks *ck, xlmig_dest *d,
                           const xlmig_config *c, const char *given,
                           const char *said)
{
    xlmig_checks_init(ck);
    xlmig_dest_resolve(c, given, d);
    CU_ASSERT_PTR_NULL(xlmig_peer_check(ck, d, said, res, 2));
    return only_row(ck, false)->detail;
}

static void test_check(void)
{
    xlmig_config c;
    xlmig_checks ck;
    xlmig_dest d;
    const char *m;

    two_resources();
    conf(&c, "migration_address.xen2 = 10.0.0.2\n");
    /* by address, answering as the peer: the DRBD name comes back */
    xlmig_checks_init(&ck);
    xlmig_dest_resolve(&c, "10.0.0.2", &d);
    m = xlmig_peer_check(&ck, &d, "xen2.example.org", res, 2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_STRING_EQUAL(m, "xen2");
    CU_ASSERT_STRING_EQUAL(only_row(&ck, true)->detail, "destination"
                           " 10.0.0.2 is xen2, the DRBD peer of r0, r1"
                           " (migration_address in xlmig.conf)");
    /* an address nobody configured: its own name decides */
    xlmig_checks_init(&ck);
    xlmig_dest_resolve(&c, "10.0.0.7", &d);
    CU_ASSERT_PTR_NOT_NULL(xlmig_peer_check(&ck, &d, "xen2", res, 2));
    only_row(&ck, true);
    /* a host that is no peer of r0 */
    CU_ASSERT_STRING_EQUAL(refusal(&ck, &d, &c, "10.0.0.9", "xen3"),
                           "destination"
                           " 10.0.0.9 calls itself xen3, which is not a"
                           " DRBD peer of r0 (peers: xen2)");
    /* named by its own name */
    CU_ASSERT_STRING_EQUAL(refusal(&ck, &d, &c, "root@xen3", "xen3"),
                           "destination"
                           " root@xen3 is not a DRBD peer of r0 (peers:"
                           " xen2)");
    /* every resource counts, not only the first */
    strcpy(res[1].peers[1], "xen4");
    CU_ASSERT_STRING_EQUAL(refusal(&ck, &d, &c, "xen2", "xen2"),
                           "destination"
                           " xen2 is not a DRBD peer of r1 (peers: xen3,"
                           " xen4)");
    /* the configured address reaches another host */
    two_resources();
    CU_ASSERT_STRING_EQUAL(refusal(&ck, &d, &c, "xen2", "xen3"),
                           "destination"
                           " xen2 calls itself xen3, but xlmig.conf gives"
                           " 10.0.0.2 as the migration_address of xen2");
    /* ... even with no DRBD disks to compare with */
    xlmig_checks_init(&ck);
    CU_ASSERT_PTR_NULL(xlmig_peer_check(&ck, &d, "xen3", res, 0));
    only_row(&ck, false);
    /* a peer that did not say who it is */
    CU_ASSERT_STRING_EQUAL(refusal(&ck, &d, &c, "10.0.0.9", ""),
                           "destination"
                           " 10.0.0.9 did not say its host name");
    /* nothing to compare with: no row */
    xlmig_checks_init(&ck);
    CU_ASSERT_PTR_NULL(xlmig_peer_check(&ck, &d, "xen9", res, 0));
    CU_ASSERT_EQUAL(ck.n, 0);
}

static void test_self_name(void)
{
    char buf[64];

    setenv("XLMIG_HOSTNAME", "xen7", 1);
    xlmig_self_name(buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "xen7");
    unsetenv("XLMIG_HOSTNAME");
    xlmig_self_name(buf, sizeof(buf));
    CU_ASSERT_NOT_EQUAL(buf[0], 0);
    CU_ASSERT_TRUE(xlmig_host_same("xen2", "XEN2.example.org"));
    CU_ASSERT_TRUE(xlmig_host_same("xen2.a", "xen2.a"));
    CU_ASSERT_FALSE(xlmig_host_same("xen2.a", "xen2.b"));
    CU_ASSERT_FALSE(xlmig_host_same("xen2", "xen20"));
    /* an address is no FQDN of a short name */
    CU_ASSERT_FALSE(xlmig_host_same("10", "10.0.0.2"));
    CU_ASSERT_TRUE(xlmig_host_same("10.0.0.2", "10.0.0.2"));
    CU_ASSERT_FALSE(xlmig_host_same("fd00::2", "fd00::3"));
}

static CU_TestInfo tests[] = {
    { "addresses: what may reach ssh", test_addr_ok },
    { "destination through migration_address", test_resolve },
    { "destination is a DRBD peer of every resource", test_check },
    { "own host name", test_self_name },
    CU_TEST_INFO_NULL,
};
XLMIG_UNIT_SUITE("peer_map", NULL, NULL, tests);
