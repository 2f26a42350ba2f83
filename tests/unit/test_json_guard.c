/*
 * Deep JSON from a peer: yajl_tree_free recurses once per level, so
 * these once overflowed the stack. Every decoder of another host's
 * JSON now refuses them by depth, naming what it was reading.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include "control.h"
#include "error.h"
#include "json_guard.h"
#include "recover.h"
#include "status.h"

#define DEEP 300000

static char *deep(char open, char close)
{
    char *b = malloc(2 * DEEP + 1);

    if (b) {
        memset(b, open, DEEP);
        memset(b + DEEP, close, DEEP);
        b[2 * DEEP] = 0;
    }
    return b;
}

static void test_depth_check(void)
{
    const char *ok = "{\"a\":[1,{\"b\":\"[[[[[[[[\"}]}";

    xlmig_err_clear();

    CU_ASSERT_EQUAL(xlmig_json_depth_check(ok, strlen(ok), 3, "t"), 0);
    CU_ASSERT_EQUAL(xlmig_json_depth_check(ok, strlen(ok), 2, "t"),
                    XLMIG_E_PROTO);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "deeper than 2"));
    xlmig_err_clear();
    /* An escaped quote does not end the string. */
    ok = "[\"\\\"[[[[\"]";
    CU_ASSERT_EQUAL(xlmig_json_depth_check(ok, strlen(ok), 1, "t"), 0);
}

static void test_deep_peer_input(void)
{
    char *a = deep('[', ']'), *o = deep('{', '}');
    xlmig_host_view v;
    xlmig_status s;
    xlmig_msg m;

    CU_ASSERT_FATAL(a && o);
    xlmig_msg_init(&m, XLMIG_MSG_NONE);
    CU_ASSERT_EQUAL(xlmig_msg_decode(a, 2 * DEEP, &m), XLMIG_E_PROTO);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "control message"));
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_msg_decode(o, 2 * DEEP, &m), XLMIG_E_PROTO);
    xlmig_err_clear();
    xlmig_msg_dispose(&m);
    CU_ASSERT_NOT_EQUAL(xlmig_status_decode(a, 2 * DEEP, &s), 0);
    xlmig_err_clear();
    /* The inspection line is bounded in length first. */
    CU_ASSERT_NOT_EQUAL(xlmig_host_view_parse(a, 4000, "g1", &v, NULL, 0),
                        0);
    xlmig_err_clear();
    free(a);
    free(o);
}

static CU_TestInfo tests[] = {
    { "depth check", test_depth_check },
    { "deep JSON from a peer", test_deep_peer_input },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("json-guard", NULL, NULL, tests);
