/*
 * The incremental memory digest (page_digest.h): the same whatever the
 * order pages come in and however often one is sent again, equal to
 * the digest of the final memory at once; and a flipped bit, a missing
 * page or two pages swapped each change it.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page_digest.h"
#include "sim_guest.h"

#define PS 4096
#define NP 64

static uint8_t mem[NP][PS];

static void fill(uint8_t *p, uint64_t seed)
{
    uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
    unsigned i;

    for (i = 0; i < PS; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        p[i] = (uint8_t)x;
    }
}

static uint64_t whole(void)
{
    uint64_t pfn, sum = 0;

    for (pfn = 0; pfn < NP; pfn++)
        sum += xlmig_page_hash(mem[pfn], PS, pfn);
    return sum;
}

static void fill_all(void)
{
    uint64_t pfn;

    for (pfn = 0; pfn < NP; pfn++)
        fill(mem[pfn], pfn + 1);
}

static void test_order_and_resends(void)
{
    xlmig_page_digest src, dst;
    uint8_t old[PS];
    uint64_t pfn, order[NP], i, j, t;

    fill_all();
    xlmig_page_digest_init(&src);
    xlmig_page_digest_init(&dst);
    CU_ASSERT_FATAL(xlmig_page_digest_alloc(&src, NP) == 0);
    CU_ASSERT_FATAL(xlmig_page_digest_alloc(&dst, NP) == 0);
    /* The source: every page in order, then a third rewritten, sent. */
    for (pfn = 0; pfn < NP; pfn++)
        xlmig_page_digest_put(&src, pfn, mem[pfn], PS);
    memcpy(old, mem[6], PS);
    for (pfn = 0; pfn < NP; pfn += 3) {
        fill(mem[pfn], pfn + 1000);
        xlmig_page_digest_put(&src, pfn, mem[pfn], PS);
    }
    CU_ASSERT_EQUAL(xlmig_page_digest_value(&src), whole());
    /* The destination: a shuffled order, page 6's old copy first. */
    for (i = 0; i < NP; i++)
        order[i] = i;
    for (i = NP - 1; i > 0; i--) {
        j = (i * 7919 + 13) % (i + 1);
        t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    xlmig_page_digest_put(&dst, 6, old, PS);
    for (i = 0; i < NP; i++)
        xlmig_page_digest_put(&dst, order[i], mem[order[i]], PS);
    /* Some twice more, as a round may resend an unchanged page. */
    for (i = 0; i < NP; i += 5)
        xlmig_page_digest_put(&dst, order[i], mem[order[i]], PS);
    CU_ASSERT_EQUAL(xlmig_page_digest_value(&dst),
                    xlmig_page_digest_value(&src));
    /* A share put last wins: the stale copy of 6 put again differs. */
    xlmig_page_digest_put(&dst, 6, old, PS);
    CU_ASSERT_NOT_EQUAL(xlmig_page_digest_value(&dst),
                        xlmig_page_digest_value(&src));
    xlmig_page_digest_put(&dst, 6, mem[6], PS);
    CU_ASSERT_EQUAL(xlmig_page_digest_value(&dst),
                    xlmig_page_digest_value(&src));
    xlmig_page_digest_dispose(&src);
    xlmig_page_digest_dispose(&dst);
}

/* Every single bit of a page flipped, one at a time: each is seen. */
static void test_flipped_bit(void)
{
    xlmig_page_digest d;
    uint64_t pfn, good;
    unsigned bit, missed = 0;

    fill_all();
    xlmig_page_digest_init(&d);
    CU_ASSERT_FATAL(xlmig_page_digest_alloc(&d, NP) == 0);
    for (pfn = 0; pfn < NP; pfn++)
        xlmig_page_digest_put(&d, pfn, mem[pfn], PS);
    good = xlmig_page_digest_value(&d);
    for (bit = 0; bit < PS * 8; bit++) {
        mem[7][bit / 8] ^= (uint8_t)(1u << (bit % 8));
        xlmig_page_digest_put(&d, 7, mem[7], PS);
        if (xlmig_page_digest_value(&d) == good)
            missed++;
        mem[7][bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    if (missed)
        fprintf(stderr, "\n%u single-bit flips not seen\n", missed);
    CU_ASSERT_EQUAL(missed, 0);
    xlmig_page_digest_put(&d, 7, mem[7], PS);
    CU_ASSERT_EQUAL(xlmig_page_digest_value(&d), good);
    xlmig_page_digest_dispose(&d);
}

static void test_missing_and_swapped(void)
{
    xlmig_page_digest d;
    uint64_t pfn, good;

    fill_all();
    good = whole();
    xlmig_page_digest_init(&d);
    CU_ASSERT_FATAL(xlmig_page_digest_alloc(&d, NP) == 0);
    for (pfn = 0; pfn < NP; pfn++)
        if (pfn != 9)
            xlmig_page_digest_put(&d, pfn, mem[pfn], PS);
    CU_ASSERT_NOT_EQUAL(xlmig_page_digest_value(&d), good);
    /* A zero page missing is caught too: zero memory has a hash. */
    memset(mem[9], 0, PS);
    CU_ASSERT_NOT_EQUAL(xlmig_page_digest_value(&d), whole());
    xlmig_page_digest_put(&d, 9, mem[9], PS);
    CU_ASSERT_EQUAL(xlmig_page_digest_value(&d), whole());
    /* Pages 3 and 4 each landed at the other's pfn. */
    xlmig_page_digest_put(&d, 3, mem[4], PS);
    xlmig_page_digest_put(&d, 4, mem[3], PS);
    CU_ASSERT_NOT_EQUAL(xlmig_page_digest_value(&d), whole());
    xlmig_page_digest_dispose(&d);
}

/* A page known zero, from its content hash alone, as from the bytes. */
static void test_keyed_zero(void)
{
    static const uint8_t zero[PS];
    uint64_t z = xlmig_page_content_hash(zero, PS), pfn;

    for (pfn = 0; pfn < 1000; pfn += 37)
        CU_ASSERT_EQUAL(xlmig_page_hash_keyed(z, pfn),
                        xlmig_page_hash(zero, PS, pfn));
    /* The same bytes at another pfn give another share. */
    CU_ASSERT_NOT_EQUAL(xlmig_page_hash(zero, PS, 1),
                        xlmig_page_hash(zero, PS, 2));
}

/* The simulated guest's whole-memory digest is the same sum. */
static void test_guest_digest(void)
{
    xlmig_sim_guest g;
    xlmig_page_digest d;
    uint64_t pfn;

    xlmig_sim_guest_init(&g);
    CU_ASSERT_FATAL(xlmig_sim_guest_alloc(&g, NP * PS, PS, 5) == 0);
    xlmig_page_digest_init(&d);
    CU_ASSERT_FATAL(xlmig_page_digest_alloc(&d, NP) == 0);
    for (pfn = NP; pfn-- > 0;)
        xlmig_page_digest_put(&d, pfn, g.mem + pfn * PS, PS);
    CU_ASSERT_EQUAL(xlmig_page_digest_value(&d), xlmig_sim_guest_digest(&g));
    xlmig_page_digest_dispose(&d);
    xlmig_sim_guest_dispose(&g);
}

/* Memory about to be received, never written, reads as zero. */
static void test_received_memory_zero(void)
{
    static const uint8_t zero[PS];
    xlmig_sim_guest g;
    uint64_t pfn;

    xlmig_sim_guest_init(&g);
    CU_ASSERT_FATAL(xlmig_sim_guest_alloc(&g, NP * PS, PS, 0) == 0);
    memcpy(g.mem + 3 * PS, mem[0], PS);
    for (pfn = 0; pfn < NP; pfn++)
        if (pfn != 3)
            CU_ASSERT(memcmp(g.mem + pfn * PS, zero, PS) == 0);
    CU_ASSERT(memcmp(g.mem + 3 * PS, mem[0], PS) == 0);
    xlmig_sim_guest_dispose(&g);
}

static CU_TestInfo tests[] = {
    { "any order, resends replace", test_order_and_resends },
    { "every flipped bit is seen", test_flipped_bit },
    { "missing or swapped pages are seen", test_missing_and_swapped },
    { "keyed content hash of a zero page", test_keyed_zero },
    { "whole guest digest is the same sum", test_guest_digest },
    { "received memory reads zero", test_received_memory_zero },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("page digest", NULL, NULL, tests);
