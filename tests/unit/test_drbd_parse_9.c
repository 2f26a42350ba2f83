/*
 * DRBD 9's state parsers (status --json, events2) on recorded outputs
 * (tests/unit/data/drbd/), on malformed variants, on every truncation of
 * each recording, and with a third node.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drbd.h"
#include "drbd_fixture.h"
#include "error.h"

/* ---- DRBD 9 status --json ---- */

/* A DRBD 9 state parser (status --json, events2). */
typedef int state_parser(const char *buf, size_t len, const char *res,
                         xlmig_drbd_state *s);

/* The recording file, which parse must read whole into s (for r9). */
static char *load_state(const char *file, state_parser *parse,
                        xlmig_drbd_state *s, size_t *len)
{
    char *b = rec_load(file, len);

    xlmig_drbd_state_init(s);
    CU_ASSERT_EQUAL(parse(b, *len, "r9", s), 0);
    return b;
}

/* Each cut of b short of upto bytes is refused by parse. */
static void assert_cuts_refused(state_parser *parse, const char *b,
                                size_t upto, const char *what)
{
    xlmig_drbd_state s;
    size_t cut;

    for (cut = 0; cut < upto; cut++) {
        xlmig_drbd_state_init(&s);
        if (!parse(b, cut, "r9", &s)) {
            fprintf(stderr, "\n%s cut at %zu accepted\n", what, cut);
            CU_FAIL("truncated output accepted");
            break;
        }
    }
}

static void test_status_json(void)
{
    xlmig_drbd_state s;
    size_t len;
    char *b = load_state("v9-status-json-synced.txt",
                         xlmig_drbd_parse_status_json, &s, &len);

    CU_ASSERT_EQUAL(s.role, XLMIG_DRBD_ROLE_PRIMARY);
    CU_ASSERT_EQUAL(s.peer_role, XLMIG_DRBD_ROLE_SECONDARY);
    CU_ASSERT_STRING_EQUAL(s.peer_name, "xen2");
    CU_ASSERT_EQUAL(s.minor, 1);
    CU_ASSERT_EQUAL(s.nconn, 1);
    CU_ASSERT_EQUAL(s.peer_primaries, 0);
    CU_ASSERT(xlmig_drbd_state_synced(&s));
    xlmig_err_clear();
    xlmig_drbd_state_init(&s);
    CU_ASSERT_EQUAL(xlmig_drbd_parse_status_json(b, len, "r0", &s),
                    XLMIG_E_EXTERNAL);
    rec_err("r0", "not in drbdsetup status");
    free(b);

    b = load_state("v9-status-json-syncing.txt",
                   xlmig_drbd_parse_status_json, &s, &len);
    CU_ASSERT_STRING_EQUAL(s.repl, "SyncSource");
    CU_ASSERT_STRING_EQUAL(s.peer_disk, "Inconsistent");
    CU_ASSERT(!xlmig_drbd_state_synced(&s));
    free(b);

    xlmig_drbd_state_init(&s);
    CU_ASSERT_EQUAL(xlmig_drbd_parse_status_json(S(
        "[{\"name\":\"r9\",\"role\":\"Secondary\",\"devices\":[{\"volume\":0,"
        "\"minor\":1,\"disk-state\":\"UpToDate\"}],\"connections\":[]}]\n"),
        "r9", &s), 0);
    CU_ASSERT_STRING_EQUAL(s.cstate, "StandAlone");
    CU_ASSERT(!xlmig_drbd_state_synced(&s));
}

static void test_status_json_malformed(void)
{
    static const struct {
        const char *text, *needle;
    } cases[] = {
        { "{}", "not an array" },
        { "[{\"role\":\"Primary\"}]", "without a name" },
        { "[{\"name\":\"r9\",\"role\":\"Boss\",\"devices\":[],"
          "\"connections\":[]}]", "role" },
        { "[{\"name\":\"r9\",\"role\":\"Primary\"}]", "missing" },
        { "[{\"name\":\"r9\",\"role\":\"Primary\",\"devices\":[],"
          "\"connections\":[]}]", "no volumes" },
        { "[{\"name\":\"r9\",\"role\":\"Primary\",\"devices\":[{\"minor\":"
          "-1,\"disk-state\":\"UpToDate\"}],\"connections\":[]}]", "minor" },
        { "[{\"name\":\"r9\",\"role\":\"Primary\",\"devices\":[{\"minor\":"
          "1,\"disk-state\":\"Fine\"}],\"connections\":[]}]", "disk-state" },
        { "[{\"name\":\"r9\",\"role\":\"Primary\",\"devices\":[{\"minor\":"
          "1,\"disk-state\":\"UpToDate\"}],\"connections\":[{\"name\":\"x\","
          "\"connection-state\":\"Connected\",\"peer-role\":\"Secondary\"}]}]",
          "peer_devices" },
        { "[{\"name\":\"r9\",\"role\":\"Primary\",\"devices\":[{\"minor\":"
          "1,\"disk-state\":\"UpToDate\"}],\"connections\":[{\"name\":\"x\","
          "\"connection-state\":\"Dancing\"}]}]", "connection-state" },
        { "[{\"name\":\"r9\"},{\"name\":\"r9\"}]", "missing" },
        { "# No currently configured DRBD found.\n", "not valid JSON" },
    };
    xlmig_drbd_state s;
    unsigned i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        xlmig_drbd_state_init(&s);
        xlmig_err_clear();
        if (xlmig_drbd_parse_status_json(S(cases[i].text), "r9", &s) !=
            XLMIG_E_EXTERNAL) {
            fprintf(stderr, "\nstatus case %u accepted\n", i);
            CU_FAIL("malformed status accepted");
        }
        rec_err("r9", cases[i].needle);
    }
}

static void test_status_json_truncated(void)
{
    size_t len;
    char *b = rec_load("v9-status-json-synced.txt", &len);

    assert_cuts_refused(xlmig_drbd_parse_status_json, b,
                        strrchr(b, ']') - b + 1, "status");
    free(b);
}

/* ---- DRBD 9 events2 --now ---- */

static void test_events2(void)
{
    xlmig_drbd_state s;
    size_t len;
    char *b = load_state("v9-events2-now-synced.txt",
                         xlmig_drbd_parse_events2, &s, &len);

    CU_ASSERT_EQUAL(s.role, XLMIG_DRBD_ROLE_SECONDARY);
    CU_ASSERT_EQUAL(s.peer_role, XLMIG_DRBD_ROLE_PRIMARY);
    CU_ASSERT_EQUAL(s.peer_primaries, 1);
    CU_ASSERT_STRING_EQUAL(s.peer_name, "xen2");
    CU_ASSERT(xlmig_drbd_state_synced(&s));
    CU_ASSERT_EQUAL(s.minor, 1);
    /* Cut anywhere before the end marker's newline: refused. */
    assert_cuts_refused(xlmig_drbd_parse_events2, b, len, "events2");
    xlmig_err_clear();
    xlmig_drbd_state_init(&s);
    CU_ASSERT_EQUAL(xlmig_drbd_parse_events2(S(
        "exists resource name:r9 role:Primary\n"
        "exists device name:r9 volume:0 minor:1 disk:Sleepy\n"
        "exists -\n"), "r9", &s), XLMIG_E_EXTERNAL);
    rec_err("r9", "unexpected state");
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_drbd_parse_events2(S(
        "change resource name:r9 role:Primary\nexists -\n"), "r9", &s),
        XLMIG_E_EXTERNAL);
    rec_err("r9", "exists");
    free(b);
}

/* ---- DRBD 9 with a third node: every peer connection counts ---- */

/* Two connections, the one to xen2 first; the third node is Primary. */
static void assert_third_primary(const xlmig_drbd_state *s)
{
    CU_ASSERT_EQUAL(s->nconn, 2);
    CU_ASSERT_EQUAL(s->peer_role, XLMIG_DRBD_ROLE_PRIMARY);
    CU_ASSERT_EQUAL(s->peer_primaries, 1);
    CU_ASSERT_STRING_EQUAL(s->peer_name, "xen2");
}

static void test_three_nodes(void)
{
    xlmig_drbd_state s;
    size_t len;
    /* The first peer is Secondary; the third node's Primary shows. */
    char *b = load_state("v9-status-json-3node-third-primary.txt",
                         xlmig_drbd_parse_status_json, &s, &len);

    assert_third_primary(&s);
    assert_cuts_refused(xlmig_drbd_parse_status_json, b,
                        strrchr(b, ']') - b + 1, "3-node status");
    free(b);

    b = load_state("v9-events2-now-3node.txt", xlmig_drbd_parse_events2,
                   &s, &len);
    assert_third_primary(&s);
    CU_ASSERT(xlmig_drbd_state_synced(&s));
    assert_cuts_refused(xlmig_drbd_parse_events2, b, len, "3-node events2");
    free(b);

    /* A third node out of sync or cut off is not hidden either. */
    xlmig_drbd_state_init(&s);
    CU_ASSERT_EQUAL(xlmig_drbd_parse_events2(S(
        "exists resource name:r9 role:Primary\n"
        "exists connection name:r9 conn-name:xen2 connection:Connected"
        " role:Secondary\n"
        "exists connection name:r9 conn-name:xen3 connection:Connecting"
        " role:Unknown\n"
        "exists device name:r9 volume:0 minor:1 disk:UpToDate\n"
        "exists peer-device name:r9 conn-name:xen2 volume:0"
        " replication:Established peer-disk:UpToDate\n"
        "exists peer-device name:r9 conn-name:xen3 volume:0"
        " replication:Off peer-disk:DUnknown\n"
        "exists -\n"), "r9", &s), 0);
    CU_ASSERT_STRING_EQUAL(s.cstate, "Connecting");
    CU_ASSERT_STRING_EQUAL(s.peer_disk, "DUnknown");
    CU_ASSERT_EQUAL(s.peer_role, XLMIG_DRBD_ROLE_UNKNOWN);
    CU_ASSERT_EQUAL(s.peer_primaries, 0);
    CU_ASSERT(!xlmig_drbd_state_synced(&s));
    /* Each peer needs its peer devices. */
    xlmig_err_clear();
    xlmig_drbd_state_init(&s);
    CU_ASSERT_EQUAL(xlmig_drbd_parse_events2(S(
        "exists resource name:r9 role:Primary\n"
        "exists connection name:r9 conn-name:xen2 connection:Connected"
        " role:Secondary\n"
        "exists connection name:r9 conn-name:xen3 connection:Connected"
        " role:Primary\n"
        "exists device name:r9 volume:0 minor:1 disk:UpToDate\n"
        "exists peer-device name:r9 conn-name:xen2 volume:0"
        " replication:Established peer-disk:UpToDate\n"
        "exists -\n"), "r9", &s), XLMIG_E_EXTERNAL);
    rec_err("r9", "peer devices");
}

static CU_TestInfo tests[] = {
    { "status json", test_status_json },
    { "status json malformed", test_status_json_malformed },
    { "status json truncated", test_status_json_truncated },
    { "events2", test_events2 },
    { "DRBD 9, three nodes", test_three_nodes },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("drbd-parse-9", NULL, NULL, tests);
