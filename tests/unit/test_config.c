/* xlmig.conf, key=value arguments and simulator records. */
#include <string.h>

#include "config.h"
#include "error.h"
#include "inventory_sim.h"
#include "kv.h"
#include "unit.h"

static int parse(const char *text, xlmig_config *c)
{
    xlmig_err_clear();
    return xlmig_config_parse(c, text, strlen(text), "x.conf");
}

static void expect_err(const char *text, const char *msg)
{
    xlmig_config c;

    CU_ASSERT_NOT_EQUAL(parse(text, &c), 0);
    if (!strstr(xlmig_errmsg(), msg)) {
        fprintf(stderr, "\n  got \"%s\", wanted \"%s\"\n", xlmig_errmsg(),
                msg);
        CU_FAIL("error message");
    }
}

static void test_config_ok(void)
{
    xlmig_config c;

    CU_ASSERT_EQUAL(parse("", &c), 0);
    CU_ASSERT_FALSE(c.has_bandwidth);
    CU_ASSERT_EQUAL(c.parallel, 0);
    CU_ASSERT_EQUAL(parse("# defaults\n\n  bandwidth = 100 \r\n"
                          "max_downtime=250\ntimeout = 900\nparallel = 2\n"
                          "ssh = ssh -o BatchMode=yes\t\n"
                          "peers = xen2, xen3\n", &c), 0);
    CU_ASSERT_TRUE(c.has_bandwidth);
    CU_ASSERT_DOUBLE_EQUAL(c.bandwidth_mib, 100, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(c.max_downtime_ms, 250, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(c.timeout_s, 900, 1e-9);
    CU_ASSERT_EQUAL(c.parallel, 2);
    CU_ASSERT_STRING_EQUAL(c.ssh, "ssh -o BatchMode=yes");
    CU_ASSERT_EQUAL(c.npeers, 2);
    CU_ASSERT_STRING_EQUAL(c.peers[1], "xen3");
    CU_ASSERT_EQUAL(parse("switchover_deadline_min = 120000\n"
                          "switchover_deadline_max=300000\n", &c), 0);
    CU_ASSERT_DOUBLE_EQUAL(c.deadline_min_ms, 120000, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(c.deadline_max_ms, 300000, 1e-9);
    CU_ASSERT_NOT_EQUAL(parse("switchover_deadline_max = 0\n", &c), 0);
    CU_ASSERT_EQUAL(parse("switchover = two-step\n", &c), 0);
    CU_ASSERT(c.has_switchover && c.two_step);
    CU_ASSERT_EQUAL(parse("switchover = one-flight\n", &c), 0);
    CU_ASSERT(c.has_switchover && !c.two_step);
    /* no trailing newline */
    CU_ASSERT_EQUAL(parse("parallel = 3", &c), 0);
    CU_ASSERT_EQUAL(c.parallel, 3);
}

static void test_config_errors(void)
{
    xlmig_config c;
    char big[600];

    expect_err("colour = blue\n", "x.conf:1: colour: unknown key");
    expect_err("\n\nbandwidth = fast\n", "x.conf:3: bandwidth: \"fast\" is"
               " not a number");
    expect_err("bandwidth = -1\n", "x.conf:1: bandwidth: -1 is out of range");
    expect_err("parallel = 0\n", "x.conf:1: parallel: 0 is out of range");
    expect_err("parallel = 99\n", "parallel: 99 is out of range");
    expect_err("parallel = 2x\n", "parallel: \"2x\" is not a whole number");
    expect_err("parallel = 1\nparallel = 2\n", "x.conf:2: parallel: given"
               " twice");
    expect_err("max_downtime\n", "x.conf:1: expected key = value");
    expect_err("= 3\n", "x.conf:1: empty key");
    expect_err("Bandwidth = 3\n", "key \"Bandwidth\" has a character");
    expect_err("peers = xen2 x;y\n", "peers: \"x;y\" is not a host name");
    expect_err("peers = \n", "peers: no host named");
    expect_err("ssh = \n", "x.conf:1: ssh: empty");
    expect_err("ssh = a\x01\n", "ssh: value has a control character");
    expect_err("timeout = nan\n", "timeout: \"nan\" is not a number");
    xlmig_err_clear();
    CU_ASSERT_NOT_EQUAL(xlmig_config_parse(&c, "a\0b = 1\n", 8, "x.conf"),
                        0);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "x.conf:1: NUL byte"));
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    memcpy(big, "ssh=", 4);
    expect_err(big, "ssh: value is longer than");
}

static void test_config_addresses(void)
{
    xlmig_config c;

    CU_ASSERT_EQUAL_FATAL(parse("migration_address.xen2 = 10.0.0.2\n"
                                "migration_address.xen3 = root@mig-xen3."
                                "example.org\n"
                                "migration_address.xen4 = [fd00::4]\n"
                                "migration_address.xen5 = fd00::5\n", &c),
                          0);
    CU_ASSERT_EQUAL(c.naddrs, 4);
    CU_ASSERT_STRING_EQUAL(c.addrs[0].peer, "xen2");
    CU_ASSERT_STRING_EQUAL(c.addrs[0].addr, "10.0.0.2");
    CU_ASSERT_STRING_EQUAL(c.addrs[1].addr, "root@mig-xen3.example.org");
    CU_ASSERT_STRING_EQUAL(c.addrs[2].addr, "[fd00::4]");
    CU_ASSERT_STRING_EQUAL(c.addrs[3].peer, "xen5");
    expect_err("migration_address.xen2 = 10.0.0.2\n"
               "migration_address.xen2 = 10.0.0.3\n",
               "x.conf:2: migration_address.xen2: given twice");
    expect_err("migration_address.xen2 = 10.0.0.2\n"
               "migration_address.xen3 = 10.0.0.2\n",
               "x.conf:2: migration_address.xen3: 10.0.0.2 is already the"
               " address of xen2");
    expect_err("migration_address. = 10.0.0.2\n",
               "migration_address.: \"\" is not a host name");
    expect_err("migration_address.-x = 10.0.0.2\n", "is not a host name");
    expect_err("migration_address.xen2 = 10.0.0.2;reboot\n",
               "x.conf:1: migration_address.xen2: \"10.0.0.2;reboot\" is"
               " not [user@]host");
    expect_err("migration_address.xen2 = -oProxyCommand=x\n",
               "is not [user@]host");
    expect_err("migration_address.xen2 = a b\n", "is not [user@]host");
    expect_err("migration_address.xen2 = \n", "is not [user@]host");
    /* a DRBD host name of any length we accept */
    CU_ASSERT_EQUAL(parse("migration_address.xen2-a-very-long-host-name."
                          "dc1.example.org = 10.0.0.2\n", &c), 0);
    CU_ASSERT_STRING_EQUAL(c.addrs[0].peer, "xen2-a-very-long-host-name."
                           "dc1.example.org");
    expect_err("migration_address_xen2 = h\n", "unknown key (known:"
               " bandwidth, max_downtime, timeout, parallel, ssh, peers,"
               " shared_storage, switchover_deadline_min,"
               " switchover_deadline_max, switchover,"
               " local_disk_vg, local_disk_minors, local_disk_port,"
               " local_disk_address, migration_address.<peer>)");
    expect_err("switchover = one-step\n", "switchover: \"one-step\" is"
               " neither one-flight nor two-step");
}

/* --with-local-disks: the VG, the minors and ports, this host's IP. */
static void test_config_local_disks(void)
{
    xlmig_config c;

    CU_ASSERT_EQUAL_FATAL(parse("local_disk_vg = data-vg\n"
                                "local_disk_minors = 500-509\n"
                                "local_disk_port = 7700\n"
                                "local_disk_address = fd00::1\n", &c), 0);
    CU_ASSERT_STRING_EQUAL(c.local_disk_vg, "data-vg");
    CU_ASSERT_EQUAL(c.local_disk_minor_lo, 500);
    CU_ASSERT_EQUAL(c.local_disk_minor_hi, 509);
    CU_ASSERT_EQUAL(c.local_disk_port, 7700);
    CU_ASSERT_STRING_EQUAL(c.local_disk_address, "fd00::1");
    CU_ASSERT_EQUAL(parse("", &c), 0);
    CU_ASSERT_EQUAL(c.local_disk_minor_hi, 0);
    CU_ASSERT_STRING_EQUAL(c.local_disk_vg, "");
    expect_err("local_disk_vg = -rf\n", "x.conf:1: local_disk_vg: \"-rf\""
               " is not an LVM volume group name");
    expect_err("local_disk_vg = a/b\n", "not an LVM volume group name");
    expect_err("local_disk_minors = 9-1\n", "local_disk_minors: not LO-HI");
    expect_err("local_disk_minors = 0-5000\n", "at most 1000");
    expect_err("local_disk_minors = 5\n", "not LO-HI");
    expect_err("local_disk_port = 0\n", "local_disk_port");
    expect_err("local_disk_address = host.example\n", "is not an IPv4 or"
               " IPv6 address");
}

static void test_kv_split(void)
{
    xlmig_kv kv;

    CU_ASSERT_EQUAL(xlmig_kv_split("vm=web01", 8, &kv), 0);
    CU_ASSERT_STRING_EQUAL(kv.key, "vm");
    CU_ASSERT_STRING_EQUAL(kv.val, "web01");
    CU_ASSERT_EQUAL(xlmig_kv_split("live=", 5, &kv), 0);
    CU_ASSERT_STRING_EQUAL(kv.val, "");
    CU_ASSERT_EQUAL(xlmig_kv_split("a=b=c", 5, &kv), 0);
    CU_ASSERT_STRING_EQUAL(kv.val, "b=c");
    CU_ASSERT_NOT_EQUAL(xlmig_kv_split("vm", 2, &kv), 0);
    CU_ASSERT_NOT_EQUAL(xlmig_kv_split("=x", 2, &kv), 0);
    CU_ASSERT_NOT_EQUAL(xlmig_kv_split("v m=x", 5, &kv), 0);
    /* len bounds the read: no NUL needed */
    CU_ASSERT_EQUAL(xlmig_kv_split("vm=abcdef", 5, &kv), 0);
    CU_ASSERT_STRING_EQUAL(kv.val, "ab");
}

static void test_sim_record(void)
{
    xlmig_inv_guest g;
    const char *ok = "name = g1\nmem_mib = 64\nprofile = web\n"
                     "drbd = r0:xen2 r1:xen2,xen3\n";
    const char *bad[] = {
        "mem_mib = 1\n", "name = g\n", "name = g\nmem_mib = 0\n",
        "name = g\nmem_mib = 1\ndrbd = r0\n",
        "name = g\nmem_mib = 1\ndrbd = r0:x;y\n",
        "name = g\nmem_mib = 1\nweight = 3\n",
        "name = g\nmem_mib = 1\nprofile = web;reboot\n",
        "name = g\nmem_mib = 1\nprofile = 'x'\n",
    };
    unsigned i;

    CU_ASSERT_EQUAL_FATAL(xlmig_sim_guest_parse(ok, strlen(ok), "g1.conf",
                                                &g), 0);
    CU_ASSERT_STRING_EQUAL(g.name, "g1");
    CU_ASSERT_EQUAL(g.mem_mib, 64);
    CU_ASSERT_EQUAL(g.nres, 2);
    CU_ASSERT_EQUAL(g.res[1].npeers, 2);
    CU_ASSERT_STRING_EQUAL(g.res[1].peers[1], "xen3");
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CU_ASSERT_NOT_EQUAL(xlmig_sim_guest_parse(bad[i], strlen(bad[i]),
                                                  "g.conf", &g), 0);
}

static CU_TestInfo tests[] = {
    { "config: every key", test_config_ok },
    { "config: errors name file:line and key", test_config_errors },
    { "config: migration addresses", test_config_addresses },
    { "config: local disks", test_config_local_disks },
    { "key=value arguments", test_kv_split },
    { "simulator guest records", test_sim_record },
    CU_TEST_INFO_NULL,
};
XLMIG_UNIT_SUITE("config", NULL, NULL, tests);
