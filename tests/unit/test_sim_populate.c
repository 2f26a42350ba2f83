/* The destination's populating thread: it fills, keeps, and stops. */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim_populate.h"
#include "unit.h"

#define POP_LEN (24ULL << 20)

static uint8_t *map(uint64_t len)
{
    void *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

    return m == MAP_FAILED ? NULL : m;
}

/* Waits for the thread by its own mark, not by the clock. */
static void wait_done(xlmig_sim_populate *p, uint64_t len)
{
    unsigned i;

    for (i = 0; i < 20000 && xlmig_sim_populate_done(p) < len; i++)
        usleep(1000);
}

static uint64_t resident_pages(uint8_t *m, uint64_t len)
{
    long ps = sysconf(_SC_PAGESIZE);
    size_t n = len / (uint64_t)ps, i, in = 0;
    unsigned char vec[(POP_LEN >> 12) + 1];

    if (n > sizeof(vec) || mincore(m, len, vec))
        return 0;
    for (i = 0; i < n; i++)
        in += vec[i] & 1;
    return in;
}

static void test_populates_all(void)
{
    uint8_t *m = map(POP_LEN);
    xlmig_sim_populate p;

    CU_ASSERT_FATAL(m != NULL);
    xlmig_sim_populate_init(&p);
    CU_ASSERT_EQUAL(resident_pages(m, POP_LEN), 0);
    CU_ASSERT_EQUAL(xlmig_sim_populate_start(&p, m, POP_LEN), 0);
    wait_done(&p, POP_LEN);
    CU_ASSERT_EQUAL(xlmig_sim_populate_done(&p), POP_LEN);
    CU_ASSERT_EQUAL(resident_pages(m, POP_LEN),
                    POP_LEN / (uint64_t)sysconf(_SC_PAGESIZE));
    xlmig_sim_populate_dispose(&p);
    munmap(m, POP_LEN);
}

/* Pages the receiver wrote first keep what it wrote. */
static void test_keeps_written_pages(void)
{
    uint8_t *m = map(POP_LEN);
    xlmig_sim_populate p;
    uint64_t i, bad = 0;

    CU_ASSERT_FATAL(m != NULL);
    for (i = 0; i < POP_LEN; i += 3 * 4096)
        m[i] = (uint8_t)(i / 4096 | 1);
    xlmig_sim_populate_init(&p);
    CU_ASSERT_EQUAL(xlmig_sim_populate_start(&p, m, POP_LEN), 0);
    wait_done(&p, POP_LEN);
    for (i = 0; i < POP_LEN; i += 4096)
        bad += m[i] != (i % (3 * 4096) ? 0 : (uint8_t)(i / 4096 | 1));
    CU_ASSERT_EQUAL(bad, 0);
    xlmig_sim_populate_dispose(&p);
    munmap(m, POP_LEN);
}

/* Stopped and joined before the memory goes, as often as asked. */
static void test_dispose_stops(void)
{
    uint64_t len = 1ULL << 30;
    uint8_t *m = map(len);
    xlmig_sim_populate p;

    CU_ASSERT_FATAL(m != NULL);
    xlmig_sim_populate_init(&p);
    xlmig_sim_populate_dispose(&p);             /* never started */
    CU_ASSERT_EQUAL(xlmig_sim_populate_start(&p, m, len), 0);
    CU_ASSERT(p.running);
    xlmig_sim_populate_dispose(&p);
    CU_ASSERT(!p.running);
    CU_ASSERT_EQUAL(xlmig_sim_populate_done(&p), 0);
    /* Joined: nothing touches the memory after this. */
    munmap(m, len);
    xlmig_sim_populate_dispose(&p);
}

static CU_TestInfo tests[] = {
    { "the thread populates the whole guest", test_populates_all },
    { "pages written first keep their contents",
      test_keeps_written_pages },
    { "dispose stops and joins the thread", test_dispose_stops },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("sim populate", NULL, NULL, tests)
