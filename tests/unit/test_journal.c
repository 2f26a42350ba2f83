/*
 * Evacuation journal and host status JSON: round trips, strictness;
 * the open journals return works through.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    s.njournals = 2;
    strcpy(s.journals, "evac-2,evac-1");
    strcpy(s.throttled, "g1");
    g = xlmig_inventory_add_guest(&inv, "g1");
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    xlmig_inv_guest_add_peer(g, "r0", "xen1");
    CU_ASSERT_EQUAL_FATAL(xlmig_status_encode(&s, &inv, &text, &len), 0);
    /* lists are arrays, an unknown time is null (docs/json.md) */
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"journals\":[\"evac-2\","
                                        "\"evac-1\"]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"throttled\":[\"g1\"]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"maintenance_since\":null"));
    CU_ASSERT_EQUAL(xlmig_status_decode(text, len, &t), 0);
    CU_ASSERT_STRING_EQUAL(t.host, "xen2");
    CU_ASSERT_EQUAL(t.free_mib, 3000);
    CU_ASSERT_TRUE(t.maintenance);
    CU_ASSERT_EQUAL(t.nguests, 1);
    CU_ASSERT_STRING_EQUAL(t.journals, "evac-2,evac-1");
    free(text);
    /* an older peer's comma-joined string still reads */
    text = "{\"host\":\"x\",\"free_mib\":1,\"maintenance\":false,"
           "\"maintenance_since\":\"\",\"journals\":\"evac-1\"}";
    CU_ASSERT_EQUAL(xlmig_status_decode(text, strlen(text), &t), 0);
    CU_ASSERT_STRING_EQUAL(t.journals, "evac-1");
    text = "{\"host\":\"x\",\"free_mib\":1,\"maintenance\":false,"
           "\"journals\":[\"a,b\"]}";
    CU_ASSERT_NOT_EQUAL(xlmig_status_decode(text, strlen(text), &t), 0);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CU_ASSERT_NOT_EQUAL(xlmig_status_decode(bad[i], strlen(bad[i]), &t),
                            0);
    /* unknown keys from a newer peer are fine */
    text = "{\"host\":\"x\",\"free_mib\":1,\"maintenance\":false,\"new\":[]}";
    CU_ASSERT_EQUAL(xlmig_status_decode(text, strlen(text), &t), 0);
    xlmig_inventory_dispose(&inv);
}

/* ---- several open journals ---- */

typedef struct {
    const char *name;
    xlmig_jresult r;
    const char *dest;
} jspec;

static void put(const char *dir, const char *id, xlmig_jstate st,
                const jspec *g, unsigned n)
{
    xlmig_journal j;
    unsigned i;

    xlmig_journal_init(&j);
    CU_ASSERT_EQUAL_FATAL(xlmig_journal_start(&j, "xen1", n), 0);
    snprintf(j.id, sizeof(j.id), "%s", id);
    j.state = st;
    for (i = 0; i < n; i++) {
        snprintf(j.guests[i].name, sizeof(j.guests[i].name), "%s",
                 g[i].name);
        snprintf(j.guests[i].dest, sizeof(j.guests[i].dest), "%s",
                 g[i].dest);
        j.guests[i].result = g[i].r;
    }
    CU_ASSERT_EQUAL(xlmig_journal_save(dir, &j), 0);
    xlmig_journal_dispose(&j);
}

static void tmp_dir(char *dir, size_t len)
{
    snprintf(dir, len, "/tmp/xlmig-journal-XXXXXX");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
}

static void rm_dir(const char *dir)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

static void test_mark_returned(void)
{
    xlmig_journal j;

    xlmig_journal_init(&j);
    CU_ASSERT_EQUAL_FATAL(xlmig_journal_start(&j, "xen1", 3), 0);
    CU_ASSERT_FALSE(xlmig_journal_has_moved(&j));
    strcpy(j.guests[0].name, "a");
    j.guests[0].result = XLMIG_JR_MOVED;
    strcpy(j.guests[1].name, "b");
    j.guests[1].result = XLMIG_JR_MOVED;
    strcpy(j.guests[2].name, "a");
    j.guests[2].result = XLMIG_JR_FAILED;
    CU_ASSERT_TRUE(xlmig_journal_has_moved(&j));
    CU_ASSERT_EQUAL(xlmig_journal_mark_returned(&j, "c"), 0);
    CU_ASSERT_EQUAL(xlmig_journal_mark_returned(&j, "a"), 1);
    CU_ASSERT_EQUAL(j.guests[0].result, XLMIG_JR_RETURNED);
    CU_ASSERT_EQUAL(j.guests[2].result, XLMIG_JR_FAILED);
    CU_ASSERT_EQUAL(xlmig_journal_mark_returned(&j, "a"), 0);
    CU_ASSERT_TRUE(xlmig_journal_has_moved(&j));
    CU_ASSERT_EQUAL(xlmig_journal_mark_returned(&j, "b"), 1);
    CU_ASSERT_FALSE(xlmig_journal_has_moved(&j));
    xlmig_journal_dispose(&j);
}

static void test_load_open(void)
{
    static const jspec old[] = {
        { "a", XLMIG_JR_MOVED, "xen2" }, { "b", XLMIG_JR_FAILED, "" },
        { "c", XLMIG_JR_MOVED, "xen3" },
    };
    static const jspec closed[] = { { "d", XLMIG_JR_RETURNED, "xen2" } };
    static const jspec newer[] = {
        { "b", XLMIG_JR_MOVED, "xen2" }, { "a", XLMIG_JR_MOVED, "xen3" },
    };
    xlmig_journal_set s;
    xlmig_jref *refs = NULL;
    char dir[64], path[128];
    unsigned n = 99;
    FILE *f;

    tmp_dir(dir, sizeof(dir));
    xlmig_journal_set_init(&s);
    CU_ASSERT_EQUAL(xlmig_journal_load_open(dir, &s), 0);
    CU_ASSERT_EQUAL(s.n, 0);
    CU_ASSERT_EQUAL(xlmig_journal_set_moved(&s, &refs, &n), 0);
    CU_ASSERT_EQUAL(n, 0);
    free(refs);
    put(dir, "evac-1", XLMIG_JS_EVACUATED, old, 3);
    put(dir, "evac-2", XLMIG_JS_DONE, closed, 1);
    put(dir, "evac-3", XLMIG_JS_EVACUATED, newer, 2);
    snprintf(path, sizeof(path), "%s/journal/notes.txt", dir);
    f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fclose(f);
    CU_ASSERT_EQUAL_FATAL(xlmig_journal_load_open(dir, &s), 0);
    CU_ASSERT_EQUAL_FATAL(s.n, 2);
    CU_ASSERT_STRING_EQUAL(s.j[0].id, "evac-3");
    CU_ASSERT_STRING_EQUAL(s.j[1].id, "evac-1");
    /* a is in both: only the newest entry, where it went last */
    CU_ASSERT_EQUAL_FATAL(xlmig_journal_set_moved(&s, &refs, &n), 0);
    CU_ASSERT_EQUAL_FATAL(n, 3);
    CU_ASSERT(refs[0].j == 0 && refs[0].g == 0);        /* b */
    CU_ASSERT(refs[1].j == 0 && refs[1].g == 1);        /* a -> xen3 */
    CU_ASSERT(refs[2].j == 1 && refs[2].g == 2);        /* c */
    free(refs);
    /* a damaged one: an error naming it, and nothing loaded */
    snprintf(path, sizeof(path), "%s/journal/evac-4.json", dir);
    f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("{\"version\":1}", f);
    fclose(f);
    xlmig_err_clear();
    CU_ASSERT_NOT_EQUAL(xlmig_journal_load_open(dir, &s), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "evac-4.json"));
    CU_ASSERT_EQUAL(s.n, 0);
    xlmig_err_clear();
    xlmig_journal_set_dispose(&s);
    rm_dir(dir);
}

static void test_load_open_bound(void)
{
    static const jspec g[] = { { "a", XLMIG_JR_MOVED, "xen2" } };
    xlmig_journal_set s;
    char dir[64], id[32];
    unsigned i;

    tmp_dir(dir, sizeof(dir));
    xlmig_journal_set_init(&s);
    for (i = 0; i < XLMIG_JOURNAL_MAX_OPEN; i++) {
        snprintf(id, sizeof(id), "evac-%03u", i);
        put(dir, id, XLMIG_JS_EVACUATED, g, 1);
    }
    CU_ASSERT_EQUAL(xlmig_journal_load_open(dir, &s), 0);
    CU_ASSERT_EQUAL(s.n, XLMIG_JOURNAL_MAX_OPEN);
    CU_ASSERT_STRING_EQUAL(s.j[0].id, "evac-031");
    put(dir, "evac-999", XLMIG_JS_EVACUATED, g, 1);
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_journal_load_open(dir, &s), XLMIG_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "more than 32"));
    CU_ASSERT_EQUAL(s.n, 0);
    xlmig_err_clear();
    xlmig_journal_set_dispose(&s);
    rm_dir(dir);
}

/* One journal with an id, a state and an episode, saved in dir. */
static void put_ep(const char *dir, const char *id, xlmig_jstate st,
                const char *episode)
{
    xlmig_journal j;
    unsigned k;

    xlmig_journal_init(&j);
    CU_ASSERT_EQUAL_FATAL(xlmig_journal_start(&j, "xen1", 0), 0);
    snprintf(j.id, sizeof(j.id), "%s", id);
    snprintf(j.episode, sizeof(j.episode), "%s", episode);
    j.state = st;
    CU_ASSERT_EQUAL_FATAL(xlmig_journal_add_guest(&j, &k), 0);
    CU_ASSERT_EQUAL(k, 0);
    strcpy(j.guests[k].name, "g");
    j.guests[k].result = XLMIG_JR_STAYED;
    j.guests[k].downtime_ms = 184;
    j.guests[k].bytes = 1ULL << 33;
    CU_ASSERT_EQUAL(xlmig_journal_save(dir, &j), 0);
    xlmig_journal_dispose(&j);
}

static void test_episode_and_prune(void)
{
    char dir[64], id[64], path[160];
    xlmig_journal j;
    unsigned n, i;

    tmp_dir(dir, sizeof(dir));
    xlmig_journal_init(&j);
    put_ep(dir, "evac-20260101T000000Z-1-1", XLMIG_JS_EVACUATED, "T1");
    put_ep(dir, "evac-20260102T000000Z-1-1", XLMIG_JS_DONE, "T2");
    put_ep(dir, "evac-20260103T000000Z-1-1", XLMIG_JS_EVACUATED, "T2");
    CU_ASSERT_EQUAL(xlmig_journal_find_episode(dir, "T1", &j), 1);
    CU_ASSERT_STRING_EQUAL(j.id, "evac-20260101T000000Z-1-1");
    CU_ASSERT_EQUAL(j.guests[0].downtime_ms, 184);
    CU_ASSERT_EQUAL(j.guests[0].bytes, 1ULL << 33);
    CU_ASSERT_EQUAL(xlmig_journal_find_guest(&j, "g"), 0);
    CU_ASSERT_EQUAL(xlmig_journal_find_guest(&j, "h"), -1);
    /* the done one of T2 is not the episode's journal any more */
    CU_ASSERT_EQUAL(xlmig_journal_find_episode(dir, "T2", &j), 1);
    CU_ASSERT_STRING_EQUAL(j.id, "evac-20260103T000000Z-1-1");
    CU_ASSERT_EQUAL(xlmig_journal_find_episode(dir, "T3", &j), 0);
    CU_ASSERT_EQUAL(xlmig_journal_find_episode(dir, "", &j), 0);
    xlmig_journal_dispose(&j);
    /* 5 more done: keep 3 done, never the open ones */
    for (i = 0; i < 5; i++) {
        snprintf(id, sizeof(id), "evac-2026020%uT000000Z-1-1", i + 1);
        put_ep(dir, id, XLMIG_JS_DONE, "");
    }
    CU_ASSERT_EQUAL(xlmig_journal_prune_done(dir, 3, &n), 0);
    CU_ASSERT_EQUAL(n, 3);
    snprintf(path, sizeof(path), "%s/journal/evac-20260102T000000Z-1-1"
             ".json", dir);
    CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);    /* oldest done went */
    snprintf(path, sizeof(path), "%s/journal/evac-20260201T000000Z-1-1"
             ".json", dir);
    CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
    snprintf(path, sizeof(path), "%s/journal/evac-20260203T000000Z-1-1"
             ".json", dir);
    CU_ASSERT_EQUAL(access(path, F_OK), 0);
    snprintf(path, sizeof(path), "%s/journal/evac-20260101T000000Z-1-1"
             ".json", dir);
    CU_ASSERT_EQUAL(access(path, F_OK), 0);        /* open: kept */
    CU_ASSERT_EQUAL(xlmig_journal_prune_done(dir, 3, &n), 0);
    CU_ASSERT_EQUAL(n, 0);
    rm_dir(dir);
}

static CU_TestInfo tests[] = {
    { "maintenance episode, numbers, pruning", test_episode_and_prune },
    { "round trip, truncations", test_round_trip },
    { "strict decoding, errors name the key", test_strict },
    { "host status JSON", test_status },
    { "returned entries, guests still away", test_mark_returned },
    { "open journals newest first, one entry per guest", test_load_open },
    { "open journals: the bound, the error beyond", test_load_open_bound },
    CU_TEST_INFO_NULL,
};
XLMIG_UNIT_SUITE("journal", NULL, NULL, tests);
