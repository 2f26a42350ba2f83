/* Stream framing and control messages: round trips and every refusal. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include "control.h"
#include "error.h"
#include "wire.h"

static void test_hdr_roundtrip(void)
{
    uint8_t b[8];
    xlmig_rec_hdr h;

    xlmig_rec_hdr_put(b, XLMIG_REC_CONTROL, 123);
    CU_ASSERT_EQUAL(xlmig_rec_hdr_get(b, 8, 4096, &h), 0);
    CU_ASSERT_EQUAL(h.type, XLMIG_REC_CONTROL);
    CU_ASSERT_EQUAL(h.length, 123);
    CU_ASSERT_EQUAL(xlmig_rec_padded(123), 128);
    CU_ASSERT_EQUAL(xlmig_rec_padded(128), 128);
}

static void test_hdr_refusals(void)
{
    uint8_t b[8] = { 0 };
    xlmig_rec_hdr h;

    CU_ASSERT_NOT_EQUAL(xlmig_rec_hdr_get(b, 7, 4096, &h), 0);
    xlmig_rec_hdr_put(b, 99, 0);
    CU_ASSERT_EQUAL(xlmig_rec_hdr_get(b, 8, 4096, &h), XLMIG_E_PROTO);
    xlmig_rec_hdr_put(b, XLMIG_REC_CONTROL, XLMIG_MAX_CONTROL_LEN + 1);
    CU_ASSERT_EQUAL(xlmig_rec_hdr_get(b, 8, 4096, &h), XLMIG_E_PROTO);
    xlmig_rec_hdr_put(b, XLMIG_REC_PAGES, 100);
    /* Pages before a page size was agreed. */
    CU_ASSERT_EQUAL(xlmig_rec_hdr_get(b, 8, 0, &h), XLMIG_E_PROTO);
    xlmig_rec_hdr_put(b, XLMIG_REC_PAGES, 0xffffffffu);
    CU_ASSERT_EQUAL(xlmig_rec_hdr_get(b, 8, 4096, &h), XLMIG_E_PROTO);
    xlmig_rec_hdr_put(b, XLMIG_REC_XEN_END, 8);
    CU_ASSERT_EQUAL(xlmig_rec_hdr_get(b, 8, 4096, &h), XLMIG_E_PROTO);
}

static uint8_t *pages_rec(uint32_t n, uint32_t ps, size_t *len)
{
    uint8_t *p;
    uint32_t i;

    *len = xlmig_pages_len(n, ps);
    p = calloc(1, *len);
    xlmig_pages_put_head(p, n, ps);
    for (i = 0; i < n; i++) {
        xlmig_put_le64(p + 8 + i * 8, i * 3);
        memset(p + 8 + n * 8 + (size_t)i * ps, (int)i, ps);
    }
    return p;
}

static void test_pages_parse(void)
{
    xlmig_pages_view v;
    size_t len;
    uint8_t *p = pages_rec(4, 4096, &len);

    CU_ASSERT_EQUAL(xlmig_pages_parse(p, len, 4096, 100, &v), 0);
    CU_ASSERT_EQUAL(v.count, 4);
    CU_ASSERT_EQUAL(xlmig_pages_pfn(&v, 3), 9);
    CU_ASSERT_EQUAL(v.data[4096 * 2], 2);
    /* pfn 9 is beyond a 9-page guest. */
    CU_ASSERT_EQUAL(xlmig_pages_parse(p, len, 4096, 9, &v), XLMIG_E_PROTO);
    /* Wrong page size, truncated, over-long. */
    CU_ASSERT_EQUAL(xlmig_pages_parse(p, len, 8192, 100, &v),
                    XLMIG_E_PROTO);
    CU_ASSERT_EQUAL(xlmig_pages_parse(p, len - 1, 4096, 100, &v),
                    XLMIG_E_PROTO);
    CU_ASSERT_EQUAL(xlmig_pages_parse(p, 7, 4096, 100, &v), XLMIG_E_PROTO);
    /* A count that does not match the length. */
    xlmig_put_le32(p, 5);
    CU_ASSERT_EQUAL(xlmig_pages_parse(p, len, 4096, 100, &v),
                    XLMIG_E_PROTO);
    xlmig_put_le32(p, 0);
    CU_ASSERT_EQUAL(xlmig_pages_parse(p, len, 4096, 100, &v),
                    XLMIG_E_PROTO);
    xlmig_put_le32(p, XLMIG_MAX_BATCH + 1);
    CU_ASSERT_EQUAL(xlmig_pages_parse(p, len, 4096, 100, &v),
                    XLMIG_E_PROTO);
    free(p);
}

static void test_msg_roundtrip(void)
{
    xlmig_msg a, b;
    char *text = NULL;
    size_t len;

    xlmig_msg_init(&a, XLMIG_MSG_PREPARED);
    xlmig_msg_init(&b, XLMIG_MSG_NONE);
    xlmig_msg_set(&a.name, "web01");
    xlmig_msg_set(&a.config, "{\"c_info\":{\"name\":\"web01\"}}");
    a.mem_bytes = 1ULL << 40;
    a.hash = 0xfedcba9876543210ULL;
    a.code = -5;
    a.took_ns = 1234567890123ULL;
    a.ok = true;
    a.dry_run = true;
    a.not_started = true;
    a.one_flight = true;
    a.activate_ns = 42;
    xlmig_msg_add_check(&a, "free-memory", false, "1 MiB \"free\"\n");
    CU_ASSERT_EQUAL(xlmig_msg_encode(&a, &text, &len), 0);
    CU_ASSERT_EQUAL(xlmig_msg_decode(text, len, &b), 0);
    CU_ASSERT_EQUAL(b.type, XLMIG_MSG_PREPARED);
    CU_ASSERT_STRING_EQUAL(b.name, "web01");
    CU_ASSERT_STRING_EQUAL(b.config, a.config);
    CU_ASSERT_EQUAL(b.mem_bytes, 1ULL << 40);
    CU_ASSERT_EQUAL(b.hash, a.hash);
    CU_ASSERT_EQUAL(b.code, -5);
    CU_ASSERT_EQUAL(b.took_ns, a.took_ns);
    CU_ASSERT(b.ok && b.dry_run && !b.verified && b.not_started);
    CU_ASSERT(b.one_flight);
    CU_ASSERT_EQUAL(b.activate_ns, 42);
    CU_ASSERT_EQUAL(b.nchecks, 1);
    /* Text for the operator keeps no control character (names.h). */
    CU_ASSERT_STRING_EQUAL(b.checks[0].detail, "1 MiB \"free\"?");
    CU_ASSERT_FALSE(b.checks[0].ok);
    free(text);
    xlmig_msg_dispose(&a);
    xlmig_msg_dispose(&b);
}

static int decode(const char *s)
{
    xlmig_msg m;
    int rc;

    xlmig_msg_init(&m, XLMIG_MSG_NONE);
    rc = xlmig_msg_decode(s, strlen(s), &m);
    xlmig_msg_dispose(&m);
    return rc;
}

static void test_msg_refusals(void)
{
    char big[40 * 64];
    size_t i, n;

    CU_ASSERT_EQUAL(decode("{\"type\":\"go\",\"proto\":1}"), 0);
    CU_ASSERT_EQUAL(decode("{\"type\":\"go\",\"proto\":1,\"new\":[1]}"), 0);
    CU_ASSERT_EQUAL(decode(""), XLMIG_E_PROTO);
    CU_ASSERT_EQUAL(decode("{\"type\":\"go\""), XLMIG_E_PROTO);
    CU_ASSERT_EQUAL(decode("[1,2]"), XLMIG_E_PROTO);
    CU_ASSERT_EQUAL(decode("{\"proto\":1}"), XLMIG_E_PROTO);
    CU_ASSERT_EQUAL(decode("{\"type\":\"go\"}"), XLMIG_E_PROTO);
    CU_ASSERT_EQUAL(decode("{\"type\":\"launch\",\"proto\":1}"),
                    XLMIG_E_PROTO);
    CU_ASSERT_EQUAL(decode("{\"type\":7,\"proto\":1}"), XLMIG_E_PROTO);
    CU_ASSERT_EQUAL(decode("{\"type\":\"go\",\"proto\":-1}"), XLMIG_E_PROTO);
    CU_ASSERT_EQUAL(decode("{\"type\":\"go\",\"proto\":1,\"ok\":1}"),
                    XLMIG_E_PROTO);
    CU_ASSERT_EQUAL(decode("{\"type\":\"done\",\"proto\":1,"
                           "\"not_started\":\"yes\"}"), XLMIG_E_PROTO);
    CU_ASSERT_EQUAL(decode("{\"type\":\"hello\",\"proto\":1,"
                           "\"one_flight\":1}"), XLMIG_E_PROTO);
    CU_ASSERT_EQUAL(decode("{\"type\":\"go\",\"proto\":1,\"hash\":\"xyz\"}"),
                    XLMIG_E_PROTO);
    CU_ASSERT_EQUAL(decode("{\"type\":\"go\",\"proto\":1,"
                           "\"hash\":\"12345678901234567\"}"),
                    XLMIG_E_PROTO);
    CU_ASSERT_EQUAL(decode("{\"type\":\"go\",\"proto\":1,\"checks\":[1]}"),
                    XLMIG_E_PROTO);
    CU_ASSERT_EQUAL(decode("{\"type\":\"go\",\"proto\":1,"
                           "\"checks\":[{\"ok\":true}]}"), XLMIG_E_PROTO);
    /* More checks than fit. */
    n = (size_t)sprintf(big, "{\"type\":\"go\",\"proto\":1,\"checks\":[");
    for (i = 0; i < XLMIG_MSG_MAX_CHECKS + 1; i++)
        n += (size_t)sprintf(big + n, "%s{\"name\":\"c\"}", i ? "," : "");
    sprintf(big + n, "]}");
    CU_ASSERT_EQUAL(decode(big), XLMIG_E_PROTO);
    /* An embedded NUL. */
    {
        xlmig_msg m;
        const char s[] = "{\"type\":\"go\",\0\"proto\":1}";

        xlmig_msg_init(&m, XLMIG_MSG_NONE);
        CU_ASSERT_EQUAL(xlmig_msg_decode(s, sizeof(s) - 1, &m),
                        XLMIG_E_PROTO);
        xlmig_msg_dispose(&m);
    }
}

static CU_TestInfo tests[] = {
    { "record header round trip", test_hdr_roundtrip },
    { "record header refusals", test_hdr_refusals },
    { "pages record parse and refusals", test_pages_parse },
    { "control message round trip", test_msg_roundtrip },
    { "control message refusals", test_msg_refusals },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("wire", NULL, NULL, tests)
