/*
 * Operation log lines and the migration history: escaping round trips,
 * the strict parsers, the bounded rotation, and append/load on disk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "history.h"
#include "oplog.h"
#include "unit.h"

static const char *good =
    "migrate start=2026-12-01T09:30:12Z guest=web01 from=xen1 to=xen2"
    " result=ok via=evacuate total_ms=2113 downtime_ms=184"
    " bytes=134217728 journal=evac-20261201T093000Z-1-2";

static int parse_line(const char *s, xlmig_oplog_rec *r)
{
    xlmig_err_clear();
    return xlmig_oplog_parse(s, strlen(s), r);
}

static void test_oplog_escape(void)
{
    xlmig_oplog_line l;
    xlmig_oplog_rec r;

    xlmig_oplog_begin(&l, "migrate");
    xlmig_oplog_str(&l, "guest", "my \"web\" 01\\x");
    xlmig_oplog_str(&l, "to", "xen2");
    xlmig_oplog_str(&l, "reason", "line\nbreak\x1b[2J");
    xlmig_oplog_str(&l, "empty", "");
    xlmig_oplog_u64(&l, "bytes", 42);
    CU_ASSERT_STRING_EQUAL(l.buf, "migrate guest=\"my \\\"web\\\" 01\\\\x\""
                           " to=xen2 reason=\"line\\x0abreak\\x1b[2J\""
                           " empty=\"\" bytes=42");
    CU_ASSERT_EQUAL_FATAL(xlmig_oplog_parse(l.buf, l.len, &r), 0);
    CU_ASSERT_STRING_EQUAL(r.action, "migrate");
    CU_ASSERT_EQUAL(r.n, 5);
    CU_ASSERT_STRING_EQUAL(xlmig_oplog_get(&r, "guest"),
                           "my \"web\" 01\\x");
    CU_ASSERT_STRING_EQUAL(xlmig_oplog_get(&r, "reason"),
                           "line\nbreak\x1b[2J");
    CU_ASSERT_STRING_EQUAL(xlmig_oplog_get(&r, "empty"), "");
    CU_ASSERT_PTR_NULL(xlmig_oplog_get(&r, "nope"));
}

static void test_oplog_strict(void)
{
    static const char *const badl[] = {
        "", " migrate", "Migrate a=b", "migrate a=b  c=d", "migrate a=b ",
        "migrate a", "migrate =b", "migrate A=b", "migrate a=",
        "migrate a=b a=c",
        "migrate a=\"open", "migrate a=\"x\"y", "migrate a=\"\\q\"",
        "migrate a=\"\\x0\"", "migrate a=\"\\x00\"", "migrate a=b;c",
        "migrate a=\"tab\there\"", "migrate a=\"\\", "migrate a=\xc3\xa9",
    };
    xlmig_oplog_rec r;
    unsigned i;

    for (i = 0; i < sizeof(badl) / sizeof(badl[0]); i++) {
        CU_ASSERT_NOT_EQUAL(parse_line(badl[i], &r), 0);
        if (!parse_line(badl[i], &r))
            fprintf(stderr, "accepted: %s\n", badl[i]);
    }
    CU_ASSERT_EQUAL(parse_line("cron", &r), 0);
    CU_ASSERT_EQUAL(r.n, 0);
}

static void test_hist_decode(void)
{
    static const char *const badr[] = {
        /* not migrate, missing keys, bad values, unknown key */
        "evacuate start=2026-12-01T09:30:12Z guest=a from=x to=y result=ok",
        "migrate guest=a from=x to=y result=ok",
        "migrate start=2026-12-01T09:30:12Z from=x to=y result=ok",
        "migrate start=2026-12-01T09:30:12Z guest=a to=y result=ok",
        "migrate start=2026-12-01T09:30:12Z guest=a from=x result=ok",
        "migrate start=2026-12-01T09:30:12Z guest=a from=x to=y",
        "migrate start=2026-12-01 guest=a from=x to=y result=ok",
        "migrate start=2026-12-01T09:30:12Z guest=-a from=x to=y result=ok",
        "migrate start=2026-12-01T09:30:12Z guest=a from=-x to=y result=ok",
        "migrate start=2026-12-01T09:30:12Z guest=a from=x to=y result=meh",
        "migrate start=2026-12-01T09:30:12Z guest=a from=x to=y result=ok"
        " via=ssh",
        "migrate start=2026-12-01T09:30:12Z guest=a from=x to=y result=ok"
        " bytes=-1",
        "migrate start=2026-12-01T09:30:12Z guest=a from=x to=y result=ok"
        " total_ms=1e3",
        "migrate start=2026-12-01T09:30:12Z guest=a from=x to=y result=ok"
        " colour=red",
        "migrate start=2026-12-01T09:30:12Z guest=a/b from=x to=y result=ok",
    };
    xlmig_hist_rec r, back;
    xlmig_oplog_line l;
    unsigned i;

    CU_ASSERT_EQUAL_FATAL(xlmig_hist_decode(good, strlen(good), &r), 0);
    CU_ASSERT_STRING_EQUAL(r.guest, "web01");
    CU_ASSERT_STRING_EQUAL(r.from, "xen1");
    CU_ASSERT_STRING_EQUAL(r.via, "evacuate");
    CU_ASSERT_EQUAL(r.downtime_ms, 184);
    CU_ASSERT_EQUAL(r.bytes, 134217728ULL);
    xlmig_hist_encode(&r, &l);
    CU_ASSERT_STRING_EQUAL(l.buf, good);
    /* a Xen name with a space and a quote survives */
    strcpy(r.guest, "my \"odd\" guest");
    strcpy(r.reason, "timed out\nafter 5 s");
    r.to[0] = 0;
    xlmig_hist_encode(&r, &l);
    CU_ASSERT_EQUAL_FATAL(xlmig_hist_decode(l.buf, l.len, &back), 0);
    CU_ASSERT_STRING_EQUAL(back.guest, r.guest);
    CU_ASSERT_STRING_EQUAL(back.reason, r.reason);
    CU_ASSERT_STRING_EQUAL(back.to, "");
    for (i = 0; i < sizeof(badr) / sizeof(badr[0]); i++) {
        xlmig_err_clear();
        CU_ASSERT_NOT_EQUAL(xlmig_hist_decode(badr[i], strlen(badr[i]), &r),
                            0);
    }
    xlmig_err_clear();
    xlmig_hist_decode(badr[1], strlen(badr[1]), &r);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "start is missing"));
}

static void test_hist_parse_file(void)
{
    char text[4096];
    xlmig_hist h;

    xlmig_hist_init(&h);
    snprintf(text, sizeof(text), "%s\n%s\n", good, good);
    CU_ASSERT_EQUAL(xlmig_hist_parse(text, strlen(text), &h), 0);
    CU_ASSERT_EQUAL(h.n, 2);
    CU_ASSERT_EQUAL(xlmig_hist_parse("", 0, &h), 0);
    CU_ASSERT_EQUAL(h.n, 0);
    /* no newline at the end: a torn write, refused */
    CU_ASSERT_NOT_EQUAL(xlmig_hist_parse(good, strlen(good), &h), 0);
    snprintf(text, sizeof(text), "%s\nmigrate junk\n", good);
    xlmig_err_clear();
    CU_ASSERT_NOT_EQUAL(xlmig_hist_parse(text, strlen(text), &h), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "line 2"));
    CU_ASSERT_EQUAL(h.n, 0);
    xlmig_hist_dispose(&h);
}

/* n records, guest gK for record K (K from first). */
static char *records(unsigned first, unsigned n, size_t *len)
{
    char *buf = malloc(n * 200 + 1);
    size_t used = 0;
    unsigned i;

    buf[0] = 0;
    for (i = 0; i < n; i++)
        used += (size_t)sprintf(buf + used, "migrate start=2026-12-01T09:"
                                "30:12Z guest=g%u from=a to=b result=ok\n",
                                first + i);
    *len = used;
    return buf;
}

static void test_hist_rotate(void)
{
    const char *line = "migrate start=2026-12-01T09:30:12Z guest=new"
                       " from=a to=b result=ok";
    char *old, *out = NULL, *text;
    size_t len, olen;
    unsigned bad;
    xlmig_hist h;

    xlmig_hist_init(&h);
    old = records(0, 5, &len);
    CU_ASSERT_EQUAL_FATAL(xlmig_hist_rotate(old, len, line, 3, &out, &olen,
                                            &bad), 0);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL_FATAL(xlmig_hist_parse(out, olen, &h), 0);
    CU_ASSERT_EQUAL_FATAL(h.n, 3);
    CU_ASSERT_STRING_EQUAL(h.r[0].guest, "g3");
    CU_ASSERT_STRING_EQUAL(h.r[1].guest, "g4");
    CU_ASSERT_STRING_EQUAL(h.r[2].guest, "new");
    free(out);
    /* below the limit nothing is dropped */
    CU_ASSERT_EQUAL(xlmig_hist_rotate(old, len, line, 10, &out, &olen,
                                      &bad), 0);
    CU_ASSERT_EQUAL(xlmig_hist_parse(out, olen, &h), 0);
    CU_ASSERT_EQUAL(h.n, 6);
    free(out);
    /* damaged lines are dropped and counted, the rest kept */
    text = malloc(len + 64);
    sprintf(text, "garbage\n%smigrate torn", old);
    CU_ASSERT_EQUAL(xlmig_hist_rotate(text, strlen(text), line, 100, &out,
                                      &olen, &bad), 0);
    CU_ASSERT_EQUAL(bad, 2);
    CU_ASSERT_EQUAL(xlmig_hist_parse(out, olen, &h), 0);
    CU_ASSERT_EQUAL(h.n, 6);
    free(out);
    /* nothing before: one record */
    CU_ASSERT_EQUAL(xlmig_hist_rotate(NULL, 0, line, 3, &out, &olen, &bad),
                    0);
    CU_ASSERT_EQUAL(xlmig_hist_parse(out, olen, &h), 0);
    CU_ASSERT_EQUAL(h.n, 1);
    free(out);
    free(text);
    free(old);
    xlmig_hist_dispose(&h);
}

static void test_hist_append(void)
{
    char dir[] = "/tmp/xlmig-unit-hist-XXXXXX", path[256];
    xlmig_hist_rec r;
    xlmig_hist h;
    unsigned i;

    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    xlmig_hist_init(&h);
    CU_ASSERT_EQUAL(xlmig_hist_load(dir, &h), 0);    /* none yet */
    CU_ASSERT_EQUAL(h.n, 0);
    xlmig_hist_rec_init(&r);
    strcpy(r.start, "2026-12-01T09:30:12Z");
    strcpy(r.from, "xen1");
    strcpy(r.to, "xen2");
    strcpy(r.result, "ok");
    for (i = 0; i < 7; i++) {
        snprintf(r.guest, sizeof(r.guest), "g%u", i);
        r.bytes = i;
        CU_ASSERT_EQUAL(xlmig_hist_append(dir, &r, 4), 0);
    }
    CU_ASSERT_EQUAL_FATAL(xlmig_hist_load(dir, &h), 0);
    CU_ASSERT_EQUAL_FATAL(h.n, 4);
    CU_ASSERT_STRING_EQUAL(h.r[0].guest, "g3");
    CU_ASSERT_STRING_EQUAL(h.r[3].guest, "g6");
    CU_ASSERT_EQUAL(h.r[3].bytes, 6);
    /* what a reader would refuse is never written */
    strcpy(r.result, "bogus");
    xlmig_err_clear();
    CU_ASSERT_NOT_EQUAL(xlmig_hist_append(dir, &r, 4), 0);
    CU_ASSERT_EQUAL(xlmig_hist_load(dir, &h), 0);
    CU_ASSERT_EQUAL(h.n, 4);
    xlmig_hist_dispose(&h);
    snprintf(path, sizeof(path), "%s/history", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/history.lock", dir);
    unlink(path);
    rmdir(dir);
}

static CU_TestInfo tests[] = {
    { "oplog escaping round trip", test_oplog_escape },
    { "oplog parser is strict", test_oplog_strict },
    { "history record decode", test_hist_decode },
    { "history file parse", test_hist_parse_file },
    { "history bounded rotation", test_hist_rotate },
    { "history append and load", test_hist_append },
    CU_TEST_INFO_NULL,
};
XLMIG_UNIT_SUITE("history", NULL, NULL, tests);
