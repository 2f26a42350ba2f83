/* Evacuation journal and host status JSON: round trips, strictness. */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "journal.h"
#include "status.h"
#include "unit.h"

static int dec(const char *s, xlmig_journal *j)
{
    xlmig_err_clear();
    return xlmig_journal_decode(s, strlen(s), j);
}

static void test_round_trip(void)
{
    xlmig_journal j, k;
    char *text;
    size_t len;

    xlmig_journal_init(&j);
    xlmig_journal_init(&k);
    CU_ASSERT_EQUAL_FATAL(xlmig_journal_start(&j, "xen1", 2), 0);
    strcpy(j.guests[0].name, "web01");
    strcpy(j.guests[0].dest, "xen2");
    j.guests[0].mem_mib = 512;
    j.guests[0].result = XLMIG_JR_MOVED;
    j.guests[0].exit_code = 0;
    strcpy(j.guests[1].name, "db01");
    j.guests[1].result = XLMIG_JR_STAYED;
    strcpy(j.guests[1].reason, "destination xen2 is in \"maintenance\"");
    j.state = XLMIG_JS_EVACUATED;
    CU_ASSERT_EQUAL_FATAL(xlmig_journal_encode(&j, &text, &len), 0);
    CU_ASSERT_EQUAL_FATAL(xlmig_journal_decode(text, len, &k), 0);
    CU_ASSERT_STRING_EQUAL(k.id, j.id);
    CU_ASSERT_STRING_EQUAL(k.host, "xen1");
    CU_ASSERT_EQUAL(k.state, XLMIG_JS_EVACUATED);
    CU_ASSERT_EQUAL_FATAL(k.n, 2);
    CU_ASSERT_STRING_EQUAL(k.guests[0].dest, "xen2");
    CU_ASSERT_EQUAL(k.guests[0].mem_mib, 512);
    CU_ASSERT_EQUAL(k.guests[0].result, XLMIG_JR_MOVED);
    CU_ASSERT_EQUAL(k.guests[1].exit_code, -1);
    CU_ASSERT_STRING_EQUAL(k.guests[1].reason, j.guests[1].reason);
    /* truncated anywhere: an error, never a crash */
    for (size_t n = 0; n < len; n += 7)
        CU_ASSERT_NOT_EQUAL(xlmig_journal_decode(text, n, &k), 0);
    free(text);
    xlmig_journal_dispose(&j);
    xlmig_journal_dispose(&k);
}

#define HEAD "{\"version\":1,\"id\":\"evac-1\",\"host\":\"xen1\"," \
             "\"state\":\"evacuated\",\"guests\":"

static void expect_err(const char *text, const char *msg)
{
    xlmig_journal j;

    xlmig_journal_init(&j);
    CU_ASSERT_NOT_EQUAL(dec(text, &j), 0);
    if (!strstr(xlmig_errmsg(), msg)) {
        fprintf(stderr, "\n  got \"%s\", wanted \"%s\"\n", xlmig_errmsg(),
                msg);
        CU_FAIL("error message");
    }
    CU_ASSERT_EQUAL(j.n, 0);
    CU_ASSERT_PTR_NULL(j.guests);
}

static void test_strict(void)
{
    xlmig_journal j;

    xlmig_journal_init(&j);
    CU_ASSERT_EQUAL(dec(HEAD "[]}", &j), 0);
    xlmig_journal_dispose(&j);
    expect_err("", "not JSON");
    expect_err("[1]", "top level is not an object");
    expect_err("{\"version\":2}", "version is out of range");
    expect_err(HEAD "[], \"color\":1}", "color is not a journal key");
    expect_err(HEAD "{}}", "guests is not an array");
    expect_err(HEAD "[{\"name\":\"a\"}]}", "guests[0].result is missing");
    expect_err(HEAD "[{\"name\":\"a b\",\"result\":\"moved\"}]}",
               "guests[0].name is not a usable guest name");
    expect_err(HEAD "[{\"name\":\"a\",\"result\":\"teleported\"}]}",
               "guests[0].result has an unknown value");
    expect_err(HEAD "[{\"name\":\"a\",\"result\":\"moved\"}]}",
               "guests[0].dest is empty");
    expect_err(HEAD "[{\"name\":\"a\",\"result\":\"stayed\","
               "\"exit\":300}]}", "guests[0].exit is out of range");
    expect_err("{\"version\":1,\"id\":\"../../etc/x\",\"host\":\"h\"}",
               "id is not a usable file name");
    expect_err("{\"version\":1,\"id\":\"e\",\"host\":\"h\",\"state\":"
               "\"done\"}", "guests is missing");
    expect_err("{\"host\":\"h\0\"}", "not JSON");
}

static void test_status(void)
{
    xlmig_inventory inv;
    xlmig_status s, t;
    xlmig_inv_guest *g;
    char *text;
    size_t len;
    const char *bad[] = {
        "{}", "[]", "{\"host\":\"x\",\"free_mib\":-1,\"maintenance\":false}",
        "{\"host\":\"x y\",\"free_mib\":1,\"maintenance\":false}",
        "{\"host\":\"x\",\"free_mib\":1,\"maintenance\":1}",
        "{\"host\":\"x\",\"free_mib\":1}",
        "{\"host\":\"x\",\"free_mib\":1,\"maintenance\":true,"
        "\"guests\":[{\"mem\":1}]}",
    };
    unsigned i;

    xlmig_inventory_init(&inv);
    memset(&s, 0, sizeof(s));
    strcpy(s.host, "xen2");
    s.free_mib = 3000;
    s.maintenance = true;
    g = xlmig_inventory_add_guest(&inv, "g1");
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    xlmig_inv_guest_add_peer(g, "r0", "xen1");
    CU_ASSERT_EQUAL_FATAL(xlmig_status_encode(&s, &inv, &text, &len), 0);
    CU_ASSERT_EQUAL(xlmig_status_decode(text, len, &t), 0);
    CU_ASSERT_STRING_EQUAL(t.host, "xen2");
    CU_ASSERT_EQUAL(t.free_mib, 3000);
    CU_ASSERT_TRUE(t.maintenance);
    CU_ASSERT_EQUAL(t.nguests, 1);
    free(text);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CU_ASSERT_NOT_EQUAL(xlmig_status_decode(bad[i], strlen(bad[i]), &t),
                            0);
    /* unknown keys from a newer peer are fine */
    text = "{\"host\":\"x\",\"free_mib\":1,\"maintenance\":false,\"new\":[]}";
    CU_ASSERT_EQUAL(xlmig_status_decode(text, strlen(text), &t), 0);
    xlmig_inventory_dispose(&inv);
}

static CU_TestInfo tests[] = {
    { "round trip, truncations", test_round_trip },
    { "strict decoding, errors name the key", test_strict },
    { "host status JSON", test_status },
    CU_TEST_INFO_NULL,
};
XLMIG_UNIT_SUITE("journal", NULL, NULL, tests);
