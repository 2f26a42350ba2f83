/*
 * The one-flight downtime's steps from "done" (migrate_src_flight.c).
 * With the drain's pong as an anchor, a slow way back is not downtime
 * and a slow way out is all of it; without one, the rest of memory-end
 * -> done is split in half, as before; an anchor that cannot be true is
 * held to what must be.
 */
#include <string.h>

#include "unit.h"

#include "migrate_src_run.h"

#define MS(x) ((uint64_t)((x) * 1e6))

static src_run r;
static xlmig_report rep;

/* The guest stops at 1000 ms, memory-end leaves at 1001-1001.5 ms;
 * the drain's pong came at 900 ms, best round trip 0.2 ms. */
static void setup(void)
{
    memset(&r, 0, sizeof(r));
    xlmig_report_init(&rep);
    r.rep = &rep;
    r.one_flight = true;
    r.t_suspend = r.t_down = MS(1000);
    r.t_memend_out = MS(1001);
    r.t_memend = MS(1001.5);
    r.t_pong = MS(900);
    r.rtt_ns = MS(0.2);
}

/* A done for a guest that ran at run_at (our clock), took 1 ms there. */
static void done_at(xlmig_msg *m, double run_at, bool anchor)
{
    xlmig_msg_init(m, XLMIG_MSG_DONE);
    m->ok = true;
    m->took_ns = MS(1);
    m->activate_ns = MS(0.1);
    /* Its pong left half a round trip before ours arrived. */
    if (anchor)
        m->after_drain_ns = MS(run_at) - (MS(900) - MS(0.1));
}

static void assert_ms(uint64_t ns, double want)
{
    CU_ASSERT(ns + 1000 >= MS(want) && ns <= MS(want) + 1000);
    if (!(ns + 1000 >= MS(want) && ns <= MS(want) + 1000))
        fprintf(stderr, "\n  got %.3f ms, want %.3f ms\n", ns / 1e6, want);
}

static void test_slow_way_back(void)
{
    xlmig_msg m;

    setup();
    /* Ran at 1003 ms; done took 37 ms to come back. */
    done_at(&m, 1003, true);
    xlmig_src_flight_steps(&r, &m, MS(1040));
    assert_ms(rep.downtime_ns, 3);
    assert_ms(rep.sw_pages_ns, 1.5);
    assert_ms(rep.sw_flight_ns, 0.5);
    assert_ms(rep.sw_restore_ns, 0.9);
    assert_ms(rep.sw_resume_ns, 0.1);
    xlmig_msg_dispose(&m);
}

static void test_slow_way_out(void)
{
    xlmig_msg m;

    setup();
    /* memory-end came late (a backlog), ran at 1031, done at once. */
    done_at(&m, 1031, true);
    xlmig_src_flight_steps(&r, &m, MS(1031.1));
    assert_ms(rep.downtime_ns, 31);
    assert_ms(rep.sw_flight_ns, 28.5);
    xlmig_msg_dispose(&m);
}

static void test_no_anchor_halves(void)
{
    xlmig_msg m;

    setup();
    done_at(&m, 1003, false);
    xlmig_src_flight_steps(&r, &m, MS(1040));
    /* 38.5 ms after memory-end, 1 ms its own: half of 37.5 the way out. */
    assert_ms(rep.sw_flight_ns, 18.75);
    assert_ms(rep.downtime_ns, 21.25);
    /* No pong (an older destination): the same. */
    done_at(&m, 1003, true);
    r.t_pong = 0;
    xlmig_src_flight_steps(&r, &m, MS(1040));
    assert_ms(rep.downtime_ns, 21.25);
    xlmig_msg_dispose(&m);
}

static void test_anchor_held_to_bounds(void)
{
    xlmig_msg m;

    setup();
    /* Said to have run after done came back: no later than now. */
    done_at(&m, 1100, true);
    xlmig_src_flight_steps(&r, &m, MS(1040));
    assert_ms(rep.downtime_ns, 40);
    /* Before memory-end could have come: it left at 1001, took 1 ms. */
    done_at(&m, 950, true);
    xlmig_src_flight_steps(&r, &m, MS(1040));
    assert_ms(rep.sw_flight_ns, 0);
    assert_ms(rep.downtime_ns, 2.5);
    xlmig_msg_dispose(&m);
}

static CU_TestInfo tests[] = {
    { "a slow way back is not downtime", test_slow_way_back },
    { "a slow way out is", test_slow_way_out },
    { "no anchor: the rest split in half", test_no_anchor_halves },
    { "an anchor held to what must be", test_anchor_held_to_bounds },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("flight steps", NULL, NULL, tests)
