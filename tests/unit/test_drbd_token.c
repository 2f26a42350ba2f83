/*
 * Migration token text (drbd_token.h): what the writer makes parses
 * back to the same values; every forgery a hostile name could attempt
 * (a newline carrying a second expires=, an unknown key...) is no
 * token; and the writer never writes a name the script would refuse.
 */
#include "unit.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drbd.h"
#include "drbd_token.h"
#include "error.h"

#define UUID "4b0d3c6e-3a7c-4b8e-9d7c-0f3e2a1b5c6d"
#define S(x) x, strlen(x)

static void test_round_trip(void)
{
    xlmig_drbd_token t = { "web 01 (prod)", UUID, "r0.web+1", 1700000000 };
    xlmig_drbd_token u;
    char buf[XLMIG_TOKEN_MAX];

    CU_ASSERT_EQUAL(xlmig_drbd_token_format(&t, buf, sizeof(buf)), 0);
    CU_ASSERT_STRING_EQUAL(buf, "domain=web 01 (prod)\nuuid=" UUID
                           "\nresource=r0.web+1\nexpires=1700000000\n");
    CU_ASSERT_EQUAL(xlmig_drbd_token_parse(S(buf), &u), 0);
    CU_ASSERT_STRING_EQUAL(u.domain, t.domain);
    CU_ASSERT_STRING_EQUAL(u.uuid, t.uuid);
    CU_ASSERT_STRING_EQUAL(u.resource, t.resource);
    CU_ASSERT_EQUAL(u.expires, t.expires);
}

static void test_forgeries(void)
{
    static const char *const bad[] = {
        /* the name "web01\nexpires=..." extending an expired token */
        "domain=web01\nexpires=1900000000\nuuid=" UUID
        "\nresource=r0\nexpires=1700000000\n",
        "domain=web01\nuuid=" UUID "\nuuid=" UUID
        "\nresource=r0\nexpires=1700000000\n",
        "domain=web01\nuuid=" UUID "\nresource=r0\nexpires=1700000000\n"
        "owner=me\n",
        "domain=web01\nuuid=" UUID "\nresource=r0\n",
        "domain=web01\nuuid=" UUID "\nresource=r0\nexpires=1700000000",
        "domain=web01\nuuid=" UUID "\nresource=r0\nexpires=17000000000000\n",
        "domain=web01\nuuid=" UUID "\nresource=r0\nexpires=-1\n",
        "domain=web01\nuuid=" UUID "\nresource=r0\nexpires=\n",
        "domain=web01\nuuid=" UUID "\nresource=r0\nexpires=01700000000\n",
        "uuid=" UUID "\ndomain=web01\nresource=r0\nexpires=1700000000\n",
        "domain=web\03301\nuuid=" UUID "\nresource=r0\nexpires=1\n",
        "domain=-web01\nuuid=" UUID "\nresource=r0\nexpires=1\n",
        "domain=web01\nuuid=" UUID "x\nresource=r0\nexpires=1\n",
        "domain=web01\nuuid=" UUID "\nresource=r0;x\nexpires=1\n",
        "domain=web01\nuuid=" UUID "\nresource=r0\nexpires 1\n",
        "domain=web01\nuuid=" UUID "\nresource=r0\nexpiresx=1\n",
        "domain=web01\nuuid=" UUID "\nresource=r0\nexpire=1\n",
        "",
    };
    xlmig_drbd_token t;
    char nul[] = "domain=web01\nuuid=" UUID "\nresource=r0\nexpires=1\n";
    unsigned i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        xlmig_err_clear();
        if (xlmig_drbd_token_parse(S(bad[i]), &t) != XLMIG_E_INVAL) {
            fprintf(stderr, "\nforged token %u accepted\n", i);
            CU_FAIL("forged token accepted");
        }
        CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "token"));
    }
    CU_ASSERT_EQUAL(xlmig_drbd_token_parse(S(nul), &t), 0);
    nul[9] = 0;                              /* inside the domain */
    CU_ASSERT_EQUAL(xlmig_drbd_token_parse(nul, sizeof(nul) - 1, &t),
                    XLMIG_E_INVAL);
    xlmig_err_clear();
}

static char dir[64];

static void test_writer_refuses_bad_names(void)
{
    char path[PATH_MAX + 64], text[XLMIG_TOKEN_MAX];
    xlmig_drbd_token t;
    xlmig_drbd d;
    FILE *f;
    size_t n;

    snprintf(dir, sizeof(dir), "/tmp/xlmig-unit-token-XXXXXX");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    memset(&d, 0, sizeof(d));
    snprintf(d.token_dir, sizeof(d.token_dir), "%s", dir);
    d.token_ttl_s = 900;
    snprintf(d.dom_uuid, sizeof(d.dom_uuid), "%s", UUID);
    snprintf(path, sizeof(path), "%s/%s.r0", dir, UUID);

    snprintf(d.dom_name, sizeof(d.dom_name), "web01\nexpires=1900000000");
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_drbd_token_write(&d, "r0"), XLMIG_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "no migration token"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "web01\\x0a"));
    CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
    xlmig_err_clear();

    snprintf(d.dom_name, sizeof(d.dom_name), "web01");
    CU_ASSERT_EQUAL(xlmig_drbd_token_write(&d, "r0;x"), XLMIG_E_INVAL);
    xlmig_err_clear();

    /* What it does write is exactly what the reader accepts. */
    CU_ASSERT_EQUAL_FATAL(xlmig_drbd_token_write(&d, "r0"), 0);
    f = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    n = fread(text, 1, sizeof(text), f);
    fclose(f);
    CU_ASSERT_EQUAL(xlmig_drbd_token_parse(text, n, &t), 0);
    CU_ASSERT_STRING_EQUAL(t.domain, "web01");
    CU_ASSERT_STRING_EQUAL(t.resource, "r0");
    CU_ASSERT(t.expires > 0);
    unlink(path);
    rmdir(dir);
}

static CU_TestInfo tests[] = {
    { "format and parse back", test_round_trip },
    { "forgeries are no token", test_forgeries },
    { "writer refuses what the script would", test_writer_refuses_bad_names },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("drbd token", NULL, NULL, tests);
