/*
 * What the source makes of the destination's answer to "go", against a
 * scripted destination: only done with ok commits, only not_started
 * resumes the guest here, anything else is the undefined outcome with
 * the guest left suspended for recover. Each answer is tried with a
 * destination that offers the one-flight switchover (go right behind
 * memory-end, no ready) and with one that does not (an older peer: the
 * two steps).
 */
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "unit.h"

#include "chan.h"
#include "error.h"
#include "fake_dst.h"
#include "migrate.h"
#include "sim.h"
#include "sim_pair.h"

typedef struct {
    int fd;
    xlmig_msg_type type;       /* the answer to go; NONE: raw garbage */
    bool ok, not_started;
} fake_dst;

/* The fake offers one flight; the source asks for two steps; it chose. */
static bool offer, two_step, chose;

/* The protocol as a destination speaks it, up to its answer to go. */
static void *fake_run(void *arg)
{
    fake_dst *f = arg;
    xlmig_conn conn;
    xlmig_chan ch;
    xlmig_msg m;

    xlmig_conn_init(&conn);
    xlmig_conn_borrow(&conn, f->fd, f->fd);
    xlmig_chan_init(&ch, &conn, "source");
    ch.io_timeout_ns = XLMIG_S(10);
    xlmig_msg_init(&m, XLMIG_MSG_NONE);
    if (fake_dst_begin(&ch, &m, offer, false, &chose))
        goto out;
    for (;;) {
        if (xlmig_chan_recv_rec(&ch))
            goto out;
        if (ch.last.type == XLMIG_REC_PAGES)
            continue;
        if (xlmig_chan_decode_last(&ch, &m))
            goto out;
        if (m.type == XLMIG_MSG_MEMORY_END)
            break;
    }
    xlmig_msg_dispose(&m);
    xlmig_msg_init(&m, XLMIG_MSG_READY);
    m.ok = true;
    /* One flight: go is already on its way, and nothing is answered. */
    if ((!chose && xlmig_chan_send_msg(&ch, &m)) ||
        fake_dst_expect(&ch, &m, XLMIG_MSG_GO))
        goto out;
    xlmig_msg_dispose(&m);
    if (f->type == XLMIG_MSG_NONE) {
        xlmig_chan_send_rec(&ch, XLMIG_REC_CONTROL, "{\"type\":", 8);
    } else {
        xlmig_msg_init(&m, f->type);
        m.ok = f->ok;
        m.not_started = f->not_started;
        xlmig_chan_send_msg(&ch, &m);
    }
    /* Until the source hangs up. */
    while (!xlmig_chan_recv_rec(&ch))
        ;
out:
    xlmig_msg_dispose(&m);
    xlmig_chan_dispose(&ch);
    xlmig_conn_dispose(&conn);
    return NULL;
}

/* One migration against the fake; the source's rc, report, guest. */
static int answer_go(xlmig_msg_type type, bool ok, bool not_started,
                     xlmig_report *rep, bool *running, bool *destroyed)
{
    sim_pair p;
    fake_dst f = { .type = type, .ok = ok, .not_started = not_started };
    int rc;

    xlmig_err_clear();
    sim_pair_init(&p);
    p.o.two_step = two_step;
    f.fd = p.sv[1];
    CU_ASSERT_FATAL(pthread_create(&p.thr, NULL, fake_run, &f) == 0);
    rc = xlmig_migrate_source(&p.o, &p.ops, &p.s, &p.rep);
    shutdown(p.sv[0], SHUT_RDWR);
    pthread_join(p.thr, NULL);
    *rep = p.rep;
    *running = xlmig_sim_src_ops.running(&p.s);
    *destroyed = p.s.destroyed;
    sim_pair_dispose(&p);
    return rc;
}

/* Undefined: exit 3, recover named, the copy here kept suspended. */
static void assert_undefined(xlmig_msg_type type, bool ok, bool ns)
{
    bool running, destroyed;
    xlmig_report rep;

    CU_ASSERT_EQUAL(answer_go(type, ok, ns, &rep, &running, &destroyed),
                    XLMIG_E_UNDEFINED);
    CU_ASSERT_EQUAL(rep.outcome, XLMIG_OUT_UNDEFINED);
    CU_ASSERT_EQUAL(xlmig_report_exit_code(&rep), XLMIG_EXIT_UNDEFINED);
    CU_ASSERT(strstr(rep.message, "recover g1 peer") != NULL);
    CU_ASSERT_FALSE(running);
    CU_ASSERT_FALSE(destroyed);
    CU_ASSERT_FALSE(rep.guest_on_source);
}

static void done_ok_commits(void)
{
    bool running, destroyed;
    xlmig_report rep;

    CU_ASSERT_EQUAL(answer_go(XLMIG_MSG_DONE, true, false, &rep, &running,
                              &destroyed), 0);
    CU_ASSERT_EQUAL(rep.outcome, XLMIG_OUT_MIGRATED);
    CU_ASSERT(destroyed);
    /* What was offered and asked for is what ran. */
    CU_ASSERT_EQUAL(chose, offer && !two_step);
    CU_ASSERT_STRING_EQUAL(rep.switchover, chose ? "one-flight"
                                                 : "two-step");
}

static void not_started_resumes(void)
{
    xlmig_msg_type t[] = { XLMIG_MSG_DONE, XLMIG_MSG_ERROR,
                           XLMIG_MSG_ABORT };
    bool running, destroyed;
    xlmig_report rep;
    unsigned i;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        CU_ASSERT_EQUAL(answer_go(t[i], false, true, &rep, &running,
                                  &destroyed), XLMIG_E_REMOTE);
        CU_ASSERT_EQUAL(rep.outcome, XLMIG_OUT_FAILED);
        CU_ASSERT(running);
        CU_ASSERT(rep.guest_on_source);
    }
}

static void anything_else_is_undefined(void)
{
    /* A failed done that does not say it never ran. */
    assert_undefined(XLMIG_MSG_DONE, false, false);
    assert_undefined(XLMIG_MSG_ERROR, false, false);
    assert_undefined(XLMIG_MSG_ABORT, false, false);
    assert_undefined(XLMIG_MSG_PONG, false, false);
    /* not_started only counts on an answer that is one. */
    assert_undefined(XLMIG_MSG_PONG, false, true);
    assert_undefined(XLMIG_MSG_READY, true, true);
    assert_undefined(XLMIG_MSG_NONE, false, false);
}

/* A destination backend whose activation cannot tell if the guest ran. */
static unsigned discards;

static int activate_unsure(void *be)
{
    xlmig_sim_dst_ops.activate(be);
    xlmig_err(XLMIG_E_UNDEFINED, "activation unsure");
    return XLMIG_E_UNDEFINED;
}

static int discard_counted(void *be)
{
    discards++;
    return xlmig_sim_dst_ops.discard(be);
}

static void test_unsure_activation_is_undefined(void)
{
    sim_pair p;

    xlmig_err_clear();
    sim_pair_init(&p);
    p.dops.activate = activate_unsure;
    p.dops.discard = discard_counted;
    discards = 0;
    CU_ASSERT_EQUAL(sim_pair_run(&p), XLMIG_E_UNDEFINED);
    /* Neither side resumes, neither discards: recover decides. */
    CU_ASSERT_EQUAL(p.rep.outcome, XLMIG_OUT_UNDEFINED);
    CU_ASSERT_FALSE(xlmig_sim_src_ops.running(&p.s));
    CU_ASSERT_FALSE(p.s.destroyed);
    CU_ASSERT_EQUAL(p.drc, XLMIG_E_UNDEFINED);
    CU_ASSERT_EQUAL(p.drep.outcome, XLMIG_OUT_UNDEFINED);
    CU_ASSERT_EQUAL(xlmig_report_exit_code(&p.drep), XLMIG_EXIT_UNDEFINED);
    CU_ASSERT_EQUAL(discards, 0);
    sim_pair_dispose(&p);
}

/* Each answer: one flight, an older peer, an operator's two steps. */
static void each_switchover(void (*check)(void))
{
    static const bool modes[][2] = {
        { true, false }, { false, false }, { true, true },
    };
    unsigned i;

    for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        offer = modes[i][0];
        two_step = modes[i][1];
        check();
    }
    offer = two_step = false;
}

static void test_done_ok_commits(void)
{
    each_switchover(done_ok_commits);
}

static void test_not_started_resumes(void)
{
    each_switchover(not_started_resumes);
}

static void test_anything_else_is_undefined(void)
{
    each_switchover(anything_else_is_undefined);
}

static CU_TestInfo tests[] = {
    { "done with ok commits", test_done_ok_commits },
    { "not_started resumes the source", test_not_started_resumes },
    { "any other answer is undefined", test_anything_else_is_undefined },
    { "an unsure activation is undefined on both sides",
      test_unsure_activation_is_undefined },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("commit reply", NULL, NULL, tests)
