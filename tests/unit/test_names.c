/*
 * The name checkers (names.h) and the -s splitter (transport.h): what
 * a hostile peer, file or command line could hand them is refused; the
 * names real hosts use pass.
 */
#include "unit.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "names.h"
#include "transport.h"

static void test_domain(void)
{
    static const char *const good[] = {
        "web01", "g1", "Web 01 (prod)", "a.b_c-d", "x--incoming", "$x",
    };
    static const char *const bad[] = {
        "", "-web", "web\n01", "web/01", "web\033[2J", "web\t01",
        "caf\xc3\xa9", "web\x9b" "31m", "\x7f",
    };
    char longest[XLMIG_NAME_DOMAIN_MAX + 2];
    unsigned i;

    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        CU_ASSERT(xlmig_name_domain_ok(good[i]));
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (xlmig_name_domain_ok(bad[i])) {
            fprintf(stderr, "\ndomain case %u accepted\n", i);
            CU_FAIL("bad domain name accepted");
        }
    memset(longest, 'a', sizeof(longest));
    longest[XLMIG_NAME_DOMAIN_MAX] = 0;
    CU_ASSERT(xlmig_name_domain_ok(longest));
    longest[XLMIG_NAME_DOMAIN_MAX] = 'a';
    longest[XLMIG_NAME_DOMAIN_MAX + 1] = 0;
    CU_ASSERT(!xlmig_name_domain_ok(longest));
}

static void test_host(void)
{
    static const char *const good[] = {
        "xen2", "xen2.example.org", "root@xen2", "admin.x_y@10.0.0.2",
        "10.0.0.2", "::1", "fe80::1%eth0", "2001:db8::2", "XEN-2",
    };
    static const char *const bad[] = {
        "", "-oProxyCommand=touch /tmp/p", "x$(touch /tmp/p)", "x;y",
        "x y", "`id`", "x|y", "x&", "x\ny", "a@b@c", "@xen2", "-x@xen2",
        "root@-oX", "root@", "x'y", "x\"y", "x\\y", "x>y", "xen2/",
        "x\033[31m", "[::1]",
    };
    unsigned i;

    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        if (!xlmig_name_host_ok(good[i], false)) {
            fprintf(stderr, "\nhost %s refused\n", good[i]);
            CU_FAIL("good host refused");
        }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (xlmig_name_host_ok(bad[i], false)) {
            fprintf(stderr, "\nhost case %u accepted\n", i);
            CU_FAIL("bad host accepted");
        }
    /* A peer's name for itself has no user. */
    CU_ASSERT(xlmig_name_host_ok("xen2", true));
    CU_ASSERT(!xlmig_name_host_ok("root@xen2", true));
}

static void test_resource_uuid_word(void)
{
    CU_ASSERT(xlmig_name_resource_ok("r0"));
    CU_ASSERT(xlmig_name_resource_ok("drbd_web-01.a+b"));
    CU_ASSERT(!xlmig_name_resource_ok("-r0"));
    CU_ASSERT(!xlmig_name_resource_ok(".r0"));
    CU_ASSERT(!xlmig_name_resource_ok("r0/../x"));
    CU_ASSERT(!xlmig_name_resource_ok("r0\n"));
    CU_ASSERT(!xlmig_name_resource_ok(""));
    CU_ASSERT(xlmig_name_uuid_ok("4b0d3c6e-3a7c-4b8e-9d7c-0f3e2a1b5c6D"));
    CU_ASSERT(!xlmig_name_uuid_ok("4b0d3c6e-3a7c-4b8e-9d7c-0f3e2a1b5c6"));
    CU_ASSERT(!xlmig_name_uuid_ok("4b0d3c6e-3a7c-4b8e-9d7c-0f3e2a1b5c6d0"));
    CU_ASSERT(!xlmig_name_uuid_ok("4b0d3c6e-3a7c-4b8e-9d7c+0f3e2a1b5c6d"));
    CU_ASSERT(!xlmig_name_uuid_ok("../../../../etc/passwd-0f3e2a1b5c6d"));
    CU_ASSERT(xlmig_name_word_ok("web01"));
    CU_ASSERT(!xlmig_name_word_ok("web 01"));
    CU_ASSERT(!xlmig_name_word_ok("$x"));
}

static void test_shown(void)
{
    char buf[XLMIG_NAME_SHOWN_LEN], lng[200];

    CU_ASSERT_STRING_EQUAL(xlmig_name_shown("a\033[2Jb\n\\", buf,
                                            sizeof(buf)),
                           "a\\x1b[2Jb\\x0a\\x5c");
    memset(lng, 'x', sizeof(lng) - 1);
    lng[sizeof(lng) - 1] = 0;
    xlmig_name_shown(lng, buf, sizeof(buf));
    CU_ASSERT_EQUAL(strlen(buf), 64 + 3);
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_name_refuse("host", "x\ny", XLMIG_NAME_HOST_RULE),
                    XLMIG_E_INVAL);
    CU_ASSERT_PTR_NULL(strchr(xlmig_errmsg(), '\n'));
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "host \"x\\x0ay\""));
    xlmig_err_clear();
}

/* Split s; the words joined by '|' in out, or rc. */
static int split(const char *s, char *out, size_t len)
{
    xlmig_cmd c;
    unsigned i;
    int rc;

    xlmig_cmd_init(&c);
    rc = xlmig_cmd_split(&c, "-s", s);
    out[0] = 0;
    for (i = 0; !rc && i < c.argc; i++)
        snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? "|" : "",
                 c.argv[i]);
    CU_ASSERT(!c.argc || !c.argv[c.argc]);
    xlmig_cmd_dispose(&c);
    xlmig_err_clear();
    return rc;
}

static void test_split(void)
{
    static const struct {
        const char *in, *out;
    } good[] = {
        { "ssh", "ssh" },
        { "  ssh   -p 2222 ", "ssh|-p|2222" },
        { "ssh -o 'ProxyCommand=nc %h %p'", "ssh|-o|ProxyCommand=nc %h %p" },
        { "ssh -i \"/root/my key\" -o\tBatchMode=yes",
          "ssh|-i|/root/my key|-o|BatchMode=yes" },
        { "ssh a\\ b \"q\\\"\\\\\" '$x;y' ''", "ssh|a b|q\"\\|$x;y|" },
    };
    static const char *const bad[] = {
        "", "   ", "ssh; touch /tmp/p", "ssh $(id)", "ssh `id`", "ssh | x",
        "ssh > f", "ssh &", "ssh 'open", "ssh \"open", "ssh x\\",
        "ssh\nid", "ssh ~/x", "ssh *",
    };
    char out[256];
    unsigned i;

    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        CU_ASSERT_EQUAL(split(good[i].in, out, sizeof(out)), 0);
        if (strcmp(out, good[i].out)) {
            fprintf(stderr, "\nsplit '%s' gave '%s'\n", good[i].in, out);
            CU_FAIL("wrong split");
        }
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (split(bad[i], out, sizeof(out)) != XLMIG_E_INVAL) {
            fprintf(stderr, "\nsplit case %u accepted\n", i);
            CU_FAIL("shell syntax accepted");
        }
}

static void test_transport_cmd(void)
{
    xlmig_cmd c;

    xlmig_cmd_init(&c);
    CU_ASSERT_EQUAL(xlmig_transport_cmd(&c, "ssh -p 22", "root@xen2",
                                        "xl-migrate-drbd --receive"), 0);
    CU_ASSERT_EQUAL_FATAL(c.argc, 6);
    CU_ASSERT_STRING_EQUAL(c.argv[3], "--");
    CU_ASSERT_STRING_EQUAL(c.argv[4], "root@xen2");
    CU_ASSERT_STRING_EQUAL(c.argv[5], "xl-migrate-drbd --receive");
    xlmig_cmd_dispose(&c);
    CU_ASSERT_EQUAL(xlmig_transport_cmd(&c, NULL, "-oProxyCommand=x", "r"),
                    XLMIG_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "-oProxyCommand=x"));
    xlmig_cmd_dispose(&c);
    xlmig_err_clear();
    /* -s "": the operator's own command, as given. */
    CU_ASSERT_EQUAL(xlmig_transport_cmd(&c, "", "a | b", NULL), 0);
    CU_ASSERT_EQUAL_FATAL(c.argc, 3);
    CU_ASSERT_STRING_EQUAL(c.argv[0], "/bin/sh");
    CU_ASSERT_STRING_EQUAL(c.argv[2], "a | b");
    xlmig_cmd_dispose(&c);
}

static CU_TestInfo tests[] = {
    { "domain names", test_domain },
    { "host names", test_host },
    { "resources, uuids, words", test_resource_uuid_word },
    { "refused names shown escaped", test_shown },
    { "-s split into words", test_split },
    { "transport command", test_transport_cmd },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("names", NULL, NULL, tests);
