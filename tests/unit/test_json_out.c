/* JSON for scripts: bounded numbers, lists, times, valid documents. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "unit.h"

#include "json_out.h"

static void num_is(double v, int dec, const char *want)
{
    char buf[64];

    xlmig_jout_num_text(buf, sizeof(buf), v, dec);
    CU_ASSERT_STRING_EQUAL(buf, want);
}

static void test_numbers(void)
{
    num_is(0.027493775000000001546, 3, "0.027");
    num_is(0.027493775, 6, "0.027494");
    num_is(5000.0, 3, "5000");
    num_is(11.30, 3, "11.3");
    num_is(246.41037708943738949, 2, "246.41");
    num_is(-0.0001, 3, "0");
    num_is(99.96, 1, "100");
    num_is(3, 0, "3");
}

static void test_document(void)
{
    const char *list[] = { "journals", NULL }, *t[] = { "time", NULL };
    const char *r[] = { "rate", NULL }, *n[] = { "nan", NULL };
    const char *ts;
    yajl_val root, v;
    char *text, err[128];
    size_t len;
    yajl_gen g = xlmig_jout_new();

    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    yajl_gen_map_open(g);
    xlmig_jout_num(g, "rate", 0.1 + 0.2, 2);
    xlmig_jout_num(g, "nan", NAN, 2);
    xlmig_jout_list(g, "journals", "evac-2,evac-1");
    xlmig_jout_list(g, "none", "");
    xlmig_jout_now(g, "time");
    xlmig_jout_str(g, "quote", "a \"b\"\n");
    yajl_gen_map_close(g);
    CU_ASSERT_EQUAL_FATAL(xlmig_jout_take(g, &text, &len), 0);
    CU_ASSERT_EQUAL(strlen(text), len);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"rate\":0.3,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"none\":[]"));
    root = yajl_tree_parse(text, err, sizeof(err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    v = yajl_tree_get(root, list, yajl_t_array);
    CU_ASSERT_FATAL(v && v->u.array.len == 2);
    CU_ASSERT_STRING_EQUAL(YAJL_GET_STRING(v->u.array.values[1]), "evac-1");
    v = yajl_tree_get(root, r, yajl_t_number);
    CU_ASSERT(v && fabs(YAJL_GET_DOUBLE(v) - 0.3) < 1e-12);
    v = yajl_tree_get(root, n, yajl_t_any);
    CU_ASSERT(v && YAJL_IS_NULL(v));
    /* 2026-12-01T12:06:31.123Z */
    v = yajl_tree_get(root, t, yajl_t_string);
    ts = v ? YAJL_GET_STRING(v) : NULL;
    CU_ASSERT_FATAL(ts != NULL);
    CU_ASSERT_EQUAL(strlen(ts), 24);
    CU_ASSERT_EQUAL(ts[10], 'T');
    CU_ASSERT_EQUAL(ts[23], 'Z');
    yajl_tree_free(root);
    free(text);
}

static CU_TestInfo tests[] = {
    { "numbers rounded, trailing zeros dropped", test_numbers },
    { "a document: lists, null, time, escapes", test_document },
    CU_TEST_INFO_NULL,
};
XLMIG_UNIT_SUITE("json_out", NULL, NULL, tests);
