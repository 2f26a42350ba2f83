/*
 * The JSON field getters: each checks type and bounds, and a bad field
 * is one line naming the document, where, the key and the fault, with
 * the document's error code. The generator's text comes back whole.
 */
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "error.h"
#include "json_gen.h"
#include "json_get.h"
#include "unit.h"

static const xlmig_json_src peer = { XLMIG_E_PROTO, "peer doc", true };
static const xlmig_json_src file = { XLMIG_E_INVAL, "file doc", false };

static yajl_val field(yajl_val root, const char *key)
{
    const char *path[] = { key, NULL };

    return yajl_tree_get(root, path, yajl_t_any);
}

static void msg_is(const char *want)
{
    CU_ASSERT_STRING_EQUAL(xlmig_errmsg(), want);
    xlmig_err_clear();
}

static void test_getters(void)
{
    const char *doc = "{\"s\":\"abc\",\"n\":7,\"neg\":-1,\"b\":true,"
                      "\"f\":1.5}";
    yajl_val root = yajl_tree_parse(doc, NULL, 0);
    const char *ref;
    long long ll;
    uint64_t u;
    char buf[4];
    bool b;

    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_json_str(&file, "", field(root, "s"), "s", buf,
                                   sizeof(buf)), 0);
    CU_ASSERT_STRING_EQUAL(buf, "abc");
    CU_ASSERT_EQUAL(xlmig_json_str(&file, "x.", field(root, "s"), "s", buf,
                                   3), XLMIG_E_INVAL);
    msg_is("file doc: x.s is too long");
    CU_ASSERT_EQUAL(xlmig_json_str_ref(&peer, "", field(root, "n"), "n", 9,
                                       &ref), XLMIG_E_PROTO);
    msg_is("peer doc: key \"n\" is not a string");
    CU_ASSERT_EQUAL(xlmig_json_u64(&file, "", field(root, "n"), "n", 7, &u),
                    0);
    CU_ASSERT_EQUAL(u, 7);
    CU_ASSERT_EQUAL(xlmig_json_u64(&file, "", field(root, "n"), "n", 6, &u),
                    XLMIG_E_INVAL);
    msg_is("file doc: n is not an integer in range");
    CU_ASSERT_EQUAL(xlmig_json_u64(&peer, "", field(root, "neg"), "neg",
                                   UINT64_MAX, &u), XLMIG_E_PROTO);
    msg_is("peer doc: key \"neg\" is not a non-negative integer");
    CU_ASSERT_EQUAL(xlmig_json_int(&file, "", field(root, "neg"), "neg",
                                   -1, 1, &ll), 0);
    CU_ASSERT_EQUAL(ll, -1);
    CU_ASSERT_EQUAL(xlmig_json_int(&file, "", field(root, "f"), "f", 0, 9,
                                   &ll), XLMIG_E_INVAL);
    msg_is("file doc: f is not an integer");
    CU_ASSERT_EQUAL(xlmig_json_int(&file, "", field(root, "n"), "n", 0, 6,
                                   &ll), XLMIG_E_INVAL);
    msg_is("file doc: n is out of range");
    CU_ASSERT_EQUAL(xlmig_json_bool(&file, "", field(root, "b"), "b", &b),
                    0);
    CU_ASSERT(b);
    CU_ASSERT_EQUAL(xlmig_json_bool(&file, "", field(root, "s"), "s", &b),
                    XLMIG_E_INVAL);
    msg_is("file doc: s is not a boolean");
    /* an absent field is not a string either */
    CU_ASSERT_EQUAL(xlmig_json_str(&file, "", field(root, "none"), "none",
                                   buf, sizeof(buf)), XLMIG_E_INVAL);
    msg_is("file doc: none is not a string");
    yajl_tree_free(root);
}

static void test_gen_take(void)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    char *out = NULL;
    size_t len = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    yajl_gen_map_open(g);
    GS(g, "k");
    GS(g, "v\"w");
    yajl_gen_map_close(g);
    CU_ASSERT_EQUAL_FATAL(xlmig_json_gen_take(g, &out, &len), 0);
    CU_ASSERT_STRING_EQUAL(out, "{\"k\":\"v\\\"w\"}");
    CU_ASSERT_EQUAL(len, strlen(out));
    free(out);
    yajl_gen_free(g);
}

static CU_TestInfo tests[] = {
    { "typed, bounded getters", test_getters },
    { "the generated text, whole", test_gen_take },
    CU_TEST_INFO_NULL,
};
XLMIG_UNIT_SUITE("json_get", NULL, NULL, tests);
