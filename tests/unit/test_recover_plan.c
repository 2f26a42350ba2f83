/*
 * recover's decision table: the documented rows one by one, then every
 * combination of copy states on both hosts (with DRBD roles and tokens)
 * checked against the rules that never bend, by applying each plan to
 * a model of the two hosts.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include "error.h"
#include "recover.h"
#include "recover_plan.h"

#define R XLMIG_DS_RUNNING
#define P XLMIG_DS_PAUSED
#define S XLMIG_DS_SUSPENDED
#define O XLMIG_DS_OTHER
#define N XLMIG_DS_NONE

static xlmig_host_view view(xlmig_dom_state name, xlmig_dom_state inc,
                            xlmig_dom_state away)
{
    xlmig_host_view v;

    xlmig_host_view_init(&v);
    v.reachable = true;
    v.copy[XLMIG_COPY_NAME] = name;
    v.copy[XLMIG_COPY_INCOMING] = inc;
    v.copy[XLMIG_COPY_AWAY] = away;
    v.drbd = XLMIG_DISKS_NONE;
    return v;
}

/*
 * Apply a plan to the model; 0 if every action was possible on the
 * state it met (nothing renamed onto a name in use, no resume of a
 * copy that is not suspended, ...).
 */
static int apply(xlmig_host_view v[2], const xlmig_plan *p,
                 bool *destroyed_running)
{
    unsigned i;

    *destroyed_running = false;
    for (i = 0; i < p->n; i++) {
        const xlmig_action *a = &p->a[i];
        xlmig_host_view *h = &v[a->host];

        switch (a->act) {
        case XLMIG_ACT_DESTROY:
            if (h->copy[a->copy] == N)
                return -1;
            if (h->copy[a->copy] == R)
                *destroyed_running = true;
            h->copy[a->copy] = N;
            break;
        case XLMIG_ACT_RENAME:
            if (h->copy[a->copy] == N || h->copy[a->to] != N)
                return -1;
            h->copy[a->to] = h->copy[a->copy];
            h->copy[a->copy] = N;
            break;
        case XLMIG_ACT_RESUME:
            if (h->copy[a->copy] != S)
                return -1;
            h->copy[a->copy] = R;
            break;
        case XLMIG_ACT_UNPAUSE:
            if (h->copy[a->copy] != P)
                return -1;
            h->copy[a->copy] = R;
            break;
        case XLMIG_ACT_DEMOTE:
            h->drbd = XLMIG_DISKS_SECONDARY;
            break;
        case XLMIG_ACT_PROMOTE:
            /* DRBD refuses a second Primary: the other must be down. */
            if (v[!a->host].drbd == XLMIG_DISKS_PRIMARY ||
                v[!a->host].drbd == XLMIG_DISKS_MIXED)
                return -1;
            h->drbd = XLMIG_DISKS_PRIMARY;
            break;
        case XLMIG_ACT_DROP_TOKENS:
            h->tokens = 0;
            break;
        case XLMIG_ACT_CLOSE_WINDOW:
            /* DRBD refuses while both are Primary. */
            if ((v[0].drbd == XLMIG_DISKS_PRIMARY ||
                 v[0].drbd == XLMIG_DISKS_MIXED) &&
                (v[1].drbd == XLMIG_DISKS_PRIMARY ||
                 v[1].drbd == XLMIG_DISKS_MIXED))
                return -1;
            h->window = false;
            break;
        case XLMIG_ACT_RESTORE_CAP:
            /* Last: whatever runs here has its own name by now. */
            if (h->copy[XLMIG_COPY_INCOMING] != N ||
                h->copy[XLMIG_COPY_AWAY] != N)
                return -1;
            h->capped = false;
            break;
        default:
            return -1;
        }
    }
    return 0;
}

static unsigned count(const xlmig_host_view v[2], xlmig_dom_state s)
{
    unsigned n = 0;
    int h, c;

    for (h = 0; h < 2; h++)
        for (c = 0; c < XLMIG_COPY__COUNT; c++)
            n += v[h].copy[c] == s;
    return n;
}

static unsigned copies(const xlmig_host_view v[2])
{
    return 6 - count(v, N);
}

static xlmig_plan plan(xlmig_host_view l, xlmig_host_view p)
{
    xlmig_plan pl;

    CU_ASSERT_EQUAL(xlmig_recover_plan(&l, &p, XLMIG_KEEP_AUTO, &pl), 0);
    return pl;
}

/*
 * The guest (in state here) only on this host, Primary here, Secondary
 * there, a switchover window open here and/or there.
 */
static xlmig_plan plan_window(xlmig_dom_state here, bool window_here,
                              bool window_peer)
{
    xlmig_host_view l = view(here, N, N), p = view(N, N, N);

    l.drbd = XLMIG_DISKS_PRIMARY;
    p.drbd = XLMIG_DISKS_SECONDARY;
    l.window = window_here;
    p.window = window_peer;
    return plan(l, p);
}

static bool has(const xlmig_plan *p, int host, xlmig_act act, xlmig_copy c)
{
    unsigned i;

    for (i = 0; i < p->n; i++)
        if (p->a[i].host == host && p->a[i].act == act &&
            (act == XLMIG_ACT_DEMOTE || act == XLMIG_ACT_PROMOTE ||
             act == XLMIG_ACT_DROP_TOKENS ||
             act == XLMIG_ACT_CLOSE_WINDOW || p->a[i].copy == c))
            return true;
    return false;
}

static void test_rows(void)
{
    xlmig_host_view l, p;
    xlmig_plan pl;

    /* Clean, either side: nothing to do. */
    pl = plan(view(R, N, N), view(N, N, N));
    CU_ASSERT_EQUAL(pl.verdict, XLMIG_PLAN_NOTHING);
    CU_ASSERT_EQUAL(pl.keeper, XLMIG_HOST_LOCAL);
    pl = plan(view(N, N, N), view(R, N, N));
    CU_ASSERT_EQUAL(pl.verdict, XLMIG_PLAN_NOTHING);
    CU_ASSERT_EQUAL(pl.keeper, XLMIG_HOST_PEER);

    /* Go sent, destination runs, source suspended: destroy source. */
    pl = plan(view(S, N, N), view(R, N, N));
    CU_ASSERT_EQUAL(pl.verdict, XLMIG_PLAN_ACT);
    CU_ASSERT_EQUAL(pl.keeper, XLMIG_HOST_PEER);
    CU_ASSERT(has(&pl, XLMIG_HOST_LOCAL, XLMIG_ACT_DESTROY, XLMIG_COPY_NAME));
    CU_ASSERT_EQUAL(pl.n, 1);

    /* Go sent, destination never started: resume the source. */
    pl = plan(view(S, N, N), view(N, P, N));
    CU_ASSERT_EQUAL(pl.keeper, XLMIG_HOST_LOCAL);
    CU_ASSERT(has(&pl, XLMIG_HOST_PEER, XLMIG_ACT_DESTROY,
                  XLMIG_COPY_INCOMING));
    CU_ASSERT(has(&pl, XLMIG_HOST_LOCAL, XLMIG_ACT_RESUME, XLMIG_COPY_NAME));

    /* Renamed but not unpaused at the destination: roll forward. */
    pl = plan(view(S, N, N), view(P, N, N));
    CU_ASSERT_EQUAL(pl.keeper, XLMIG_HOST_PEER);
    CU_ASSERT(has(&pl, XLMIG_HOST_PEER, XLMIG_ACT_UNPAUSE, XLMIG_COPY_NAME));
    CU_ASSERT(has(&pl, XLMIG_HOST_LOCAL, XLMIG_ACT_DESTROY, XLMIG_COPY_NAME));

    /* xl's leftover: source running renamed away. */
    pl = plan(view(N, N, R), view(N, N, N));
    CU_ASSERT(has(&pl, XLMIG_HOST_LOCAL, XLMIG_ACT_RENAME, XLMIG_COPY_AWAY));
    CU_ASSERT_EQUAL(pl.n, 1);
    pl = plan(view(N, N, S), view(N, P, N));
    CU_ASSERT_EQUAL(pl.keeper, XLMIG_HOST_LOCAL);
    CU_ASSERT(has(&pl, XLMIG_HOST_LOCAL, XLMIG_ACT_RESUME, XLMIG_COPY_NAME));

    /* A killed receiver's paused incoming copy, guest on the source. */
    pl = plan(view(R, N, N), view(N, P, N));
    CU_ASSERT_EQUAL(pl.n, 1);
    CU_ASSERT(has(&pl, XLMIG_HOST_PEER, XLMIG_ACT_DESTROY,
                  XLMIG_COPY_INCOMING));

    /* Two running: refuse, unless told which. */
    l = view(R, N, N);
    p = view(R, N, N);
    pl = plan(l, p);
    CU_ASSERT_EQUAL(pl.verdict, XLMIG_PLAN_REFUSE);
    CU_ASSERT_EQUAL(pl.n, 0);
    CU_ASSERT_EQUAL(xlmig_recover_plan(&l, &p, XLMIG_KEEP_PEER, &pl), 0);
    CU_ASSERT_EQUAL(pl.keeper, XLMIG_HOST_PEER);
    CU_ASSERT(has(&pl, XLMIG_HOST_LOCAL, XLMIG_ACT_DESTROY, XLMIG_COPY_NAME));

    /* Nothing resumable: refuse. */
    CU_ASSERT_EQUAL(plan(view(N, N, N), view(N, N, N)).verdict,
                    XLMIG_PLAN_REFUSE);
    CU_ASSERT_EQUAL(plan(view(N, N, N), view(N, P, N)).verdict,
                    XLMIG_PLAN_REFUSE);
    CU_ASSERT_EQUAL(plan(view(O, N, N), view(N, N, N)).verdict,
                    XLMIG_PLAN_REFUSE);
    /* Two suspended copies: which is newer? Refuse. */
    CU_ASSERT_EQUAL(plan(view(S, N, N), view(S, N, N)).verdict,
                    XLMIG_PLAN_REFUSE);
    /* Paused by the operator, nothing else around: not ours. */
    pl = plan(view(P, N, N), view(N, N, N));
    CU_ASSERT_EQUAL(pl.verdict, XLMIG_PLAN_NOTHING);

    /* Peer not inspectable: refuse. */
    l = view(S, N, N);
    p = view(R, N, N);
    p.reachable = false;
    CU_ASSERT_EQUAL(xlmig_recover_plan(&l, &p, XLMIG_KEEP_AUTO, &pl), 0);
    CU_ASSERT_EQUAL(pl.verdict, XLMIG_PLAN_REFUSE);

    /* DRBD window left open, tokens left: closed, dropped. */
    l = view(N, N, N);
    p = view(R, N, N);
    l.drbd = XLMIG_DISKS_PRIMARY;
    p.drbd = XLMIG_DISKS_PRIMARY;
    l.tokens = 1;
    pl = plan(l, p);
    CU_ASSERT(has(&pl, XLMIG_HOST_LOCAL, XLMIG_ACT_DEMOTE, 0));
    CU_ASSERT(has(&pl, XLMIG_HOST_LOCAL, XLMIG_ACT_DROP_TOKENS, 0));
    CU_ASSERT_EQUAL(pl.n, 2);

    /*
     * A receiver killed after the restore: its paused incoming copy
     * holds the peer Primary, both windows open, a token there. The
     * copy goes, the peer demotes, then both windows close (the
     * peer's first), then the token goes.
     */
    l = view(R, N, N);
    p = view(N, P, N);
    l.drbd = p.drbd = XLMIG_DISKS_PRIMARY;
    l.window = p.window = true;
    p.tokens = 1;
    pl = plan(l, p);
    CU_ASSERT_EQUAL(pl.keeper, XLMIG_HOST_LOCAL);
    CU_ASSERT_EQUAL_FATAL(pl.n, 5);
    CU_ASSERT(pl.a[0].host == XLMIG_HOST_PEER &&
              pl.a[0].act == XLMIG_ACT_DESTROY);
    CU_ASSERT(pl.a[1].host == XLMIG_HOST_PEER &&
              pl.a[1].act == XLMIG_ACT_DEMOTE);
    CU_ASSERT(pl.a[2].host == XLMIG_HOST_PEER &&
              pl.a[2].act == XLMIG_ACT_CLOSE_WINDOW);
    CU_ASSERT(pl.a[3].host == XLMIG_HOST_LOCAL &&
              pl.a[3].act == XLMIG_ACT_CLOSE_WINDOW);
    CU_ASSERT(pl.a[4].host == XLMIG_HOST_PEER &&
              pl.a[4].act == XLMIG_ACT_DROP_TOKENS);

    /* A source killed after the suspend: resume it, close its window. */
    pl = plan_window(S, true, false);
    CU_ASSERT_EQUAL(pl.keeper, XLMIG_HOST_LOCAL);
    CU_ASSERT(has(&pl, XLMIG_HOST_LOCAL, XLMIG_ACT_RESUME, XLMIG_COPY_NAME));
    CU_ASSERT(has(&pl, XLMIG_HOST_LOCAL, XLMIG_ACT_CLOSE_WINDOW, 0));
    CU_ASSERT_EQUAL(pl.n, 2);

    /* Settled but for an open window: that is not "nothing to do". */
    pl = plan_window(R, false, true);
    CU_ASSERT_EQUAL(pl.verdict, XLMIG_PLAN_ACT);
    CU_ASSERT(has(&pl, XLMIG_HOST_PEER, XLMIG_ACT_CLOSE_WINDOW, 0));
    CU_ASSERT_EQUAL(pl.n, 1);
}

/* Every combination of states; the rules that never bend. */
static void test_all_combinations(void)
{
    static const xlmig_disk_role roles[] = {
        XLMIG_DISKS_UNKNOWN, XLMIG_DISKS_NONE, XLMIG_DISKS_PRIMARY,
        XLMIG_DISKS_SECONDARY, XLMIG_DISKS_MIXED,
    };
    unsigned combo, bad = 0, acted = 0, refused = 0, nothing = 0;

    for (combo = 0; combo < 15625u * 25u * 2u * 4u; combo++) {
        xlmig_host_view v[2], m[2];
        unsigned x = combo / 200u, k, nrun, nsusp;
        bool killed;
        xlmig_plan pl;
        int h, c;

        for (h = 0; h < 2; h++) {
            xlmig_host_view_init(&v[h]);
            v[h].reachable = true;
            for (c = 0; c < XLMIG_COPY__COUNT; c++) {
                v[h].copy[c] = (xlmig_dom_state)(x % 5);
                x /= 5;
            }
        }
        v[0].drbd = roles[combo % 5];
        v[1].drbd = roles[combo / 5 % 5];
        v[0].tokens = v[1].tokens = combo / 25 % 2 ? 2 : 0;
        v[0].window = combo / 50 % 2;
        v[1].window = combo / 100 % 2;
        nrun = count(v, R);
        nsusp = count(v, S);
        CU_ASSERT_EQUAL_FATAL(xlmig_recover_plan(&v[0], &v[1],
                                                 XLMIG_KEEP_AUTO, &pl), 0);
        memcpy(m, v, sizeof(m));
        k = pl.verdict == XLMIG_PLAN_ACT ? apply(m, &pl, &killed) : 0;
        switch (pl.verdict) {
        case XLMIG_PLAN_REFUSE:
            refused++;
            /* Refusing touches nothing, and a lone runner is settled. */
            bad += pl.n != 0 || nrun == 1;
            break;
        case XLMIG_PLAN_NOTHING:
            nothing++;
            /* Only a clean state, or the operator's lone paused copy. */
            bad += pl.n != 0 || copies(v) != 1 ||
                   (nrun == 1 && (v[pl.keeper].copy[0] != R ||
                                  v[0].tokens ||
                                  v[0].window || v[1].window ||
                                  v[!pl.keeper].drbd == XLMIG_DISKS_PRIMARY ||
                                  v[!pl.keeper].drbd == XLMIG_DISKS_MIXED ||
                                  v[pl.keeper].drbd ==
                                      XLMIG_DISKS_SECONDARY ||
                                  v[pl.keeper].drbd == XLMIG_DISKS_MIXED)) ||
                   (nrun == 0 && v[pl.keeper].copy[0] != P);
            break;
        case XLMIG_PLAN_ACT:
            acted++;
            /*
             * Afterwards: every action was legal, no running copy was
             * destroyed, one copy is left, running under its own name,
             * the other host's DRBD let go, both windows closed, no
             * tokens.
             */
            bad += k != 0 || killed || copies(m) != 1 ||
                   m[pl.keeper].copy[XLMIG_COPY_NAME] != R ||
                   m[0].tokens || m[1].tokens ||
                   m[0].window || m[1].window ||
                   m[!pl.keeper].drbd == XLMIG_DISKS_PRIMARY ||
                   m[!pl.keeper].drbd == XLMIG_DISKS_MIXED ||
                   m[pl.keeper].drbd == XLMIG_DISKS_SECONDARY;
            /* A stopped copy is only resumed when it is the only one. */
            bad += nrun == 0 && nsusp > 1;
            break;
        }
        if (bad) {
            CU_FAIL("a plan broke a rule");
            break;
        }
    }
    CU_ASSERT(acted > 0 && refused > 0 && nothing > 0);
}

/* An older peer's line for g1 (running, Primary, no tokens), then more. */
static int parse_older(const char *more, xlmig_host_view *w)
{
    char line[1024];

    snprintf(line, sizeof(line), "{\"domain\":\"g1\",\"copies\":"
             "{\"g1\":\"running\",\"g1--incoming\":\"none\","
             "\"g1--migratedaway\":\"none\"},\"drbd\":\"primary\","
             "\"tokens\":0%s}", more);
    return xlmig_host_view_parse(line, strlen(line), "g1", w, NULL, 0);
}

/* The peer's inspection line: what recover reads and puts on a command
 * line again (the hint of --uuid and --resources). */
static void test_view_json(void)
{
    static const char *bad[] = {
        "\"uuid\":\"1; rm -rf /\"", "\"uuid\":7",
        "\"resources\":\"r0 r1\"", "\"resources\":\"-r0\"",
        "\"resources\":\"r0,--do\"", "\"resources\":\"r0;x\"",
        "\"resources\":[\"r0\",\"--do\"]", "\"resources\":[\"r0,r1\"]",
        "\"resources\":[\"\"]", "\"resources\":[1]",
        "\"window\":\"yes\"",
    };
    xlmig_host_view v, w;
    xlmig_action a;
    char host[32], line[512], *json = NULL;
    unsigned i;

    v = view(R, P, N);
    v.drbd = XLMIG_DISKS_PRIMARY;
    v.window = true;
    v.tokens = 1;
    v.capped = true;
    strcpy(v.uuid, "5d2e0f49-0c6a-4c1b-9a55-0123456789ab");
    strcpy(v.resources, "r0,r1");
    CU_ASSERT_EQUAL_FATAL(xlmig_host_view_to_json(&v, "xen2", "g1", &json),
                          0);
    /* a list is an array (docs/json.md) */
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"resources\":[\"r0\",\"r1\"]"));
    CU_ASSERT_EQUAL(xlmig_host_view_parse(json, strlen(json), "g1", &w,
                                          host, sizeof(host)), 0);
    free(json);
    CU_ASSERT_STRING_EQUAL(host, "xen2");
    CU_ASSERT(w.reachable && w.window && w.tokens == 1 && w.capped);
    CU_ASSERT_EQUAL(w.copy[XLMIG_COPY_INCOMING], P);
    CU_ASSERT_STRING_EQUAL(w.uuid, v.uuid);
    CU_ASSERT_STRING_EQUAL(w.resources, "r0,r1");

    /* An older peer's line: no window, no hint. */
    CU_ASSERT_EQUAL(parse_older("", &w), 0);
    CU_ASSERT(!w.window && !w.uuid[0] && !w.resources[0] && !w.capped);
    /* ... and one that wrote its resources as "r0,r1" */
    CU_ASSERT_EQUAL(parse_older(",\"resources\":\"r0,r1\"", &w), 0);
    CU_ASSERT_STRING_EQUAL(w.resources, "r0,r1");

    /* Nothing unsafe for a command line gets through. */
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(line, sizeof(line), ",%s", bad[i]);
        CU_ASSERT_EQUAL(parse_older(line, &w), XLMIG_E_PROTO);
        xlmig_err_clear();
    }
    CU_ASSERT(xlmig_resource_list_ok("r0,drbd_web-01.a"));
    CU_ASSERT(xlmig_resource_list_ok(""));
    CU_ASSERT(!xlmig_resource_list_ok(",r0"));
    CU_ASSERT(!xlmig_resource_list_ok("r0,,r1"));
    CU_ASSERT(xlmig_uuid_text_ok(""));
    CU_ASSERT(!xlmig_uuid_text_ok("0123456789abcdef0123456789abcdef01234567"
                                  "89"));

    CU_ASSERT_EQUAL(xlmig_action_parse("close-window", &a), 0);
    CU_ASSERT_EQUAL(a.act, XLMIG_ACT_CLOSE_WINDOW);
}

/* A cap a dead migration lowered is put back, last, wherever it is. */
static void test_capped(void)
{
    xlmig_host_view l = view(R, N, N), p = view(N, N, N), v[2];
    xlmig_plan pl;
    bool killed;

    l.capped = true;
    pl = plan(l, p);
    CU_ASSERT_EQUAL(pl.verdict, XLMIG_PLAN_ACT);
    CU_ASSERT_EQUAL_FATAL(pl.n, 1);
    CU_ASSERT(has(&pl, XLMIG_HOST_LOCAL, XLMIG_ACT_RESTORE_CAP, 0));
    CU_ASSERT_PTR_NOT_NULL(strstr(pl.why, "CPU cap"));
    /* Suspended at the source, capped: resumed first, then the cap. */
    l = view(S, N, N);
    l.capped = true;
    pl = plan(l, view(N, P, N));
    CU_ASSERT_EQUAL(pl.verdict, XLMIG_PLAN_ACT);
    CU_ASSERT_EQUAL(pl.a[pl.n - 1].act, XLMIG_ACT_RESTORE_CAP);
    v[0] = l;
    v[1] = view(N, P, N);
    CU_ASSERT_EQUAL(apply(v, &pl, &killed), 0);
    CU_ASSERT_FALSE(v[0].capped);
    CU_ASSERT_EQUAL(v[0].copy[XLMIG_COPY_NAME], R);
    /* The guest went to the peer; the source's record still goes. */
    l = view(N, N, N);
    l.capped = true;
    pl = plan(l, view(R, N, N));
    CU_ASSERT(has(&pl, XLMIG_HOST_LOCAL, XLMIG_ACT_RESTORE_CAP, 0));
    /* A refusal touches nothing, cap included. */
    l = view(R, N, N);
    l.capped = true;
    pl = plan(l, view(R, N, N));
    CU_ASSERT_EQUAL(pl.verdict, XLMIG_PLAN_REFUSE);
    CU_ASSERT_EQUAL(pl.n, 0);
}

static CU_TestInfo tests[] = {
    { "documented rows", test_rows },
    { "a CPU cap left lowered", test_capped },
    { "inspection line and hint", test_view_json },
    { "every state combination", test_all_combinations },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("recover-plan", NULL, NULL, tests);
