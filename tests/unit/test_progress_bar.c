/* The progress bar's line: fits the terminal; progress on real Xen. */
#include <stdio.h>
#include <string.h>

#include "unit.h"

#include "error.h"
#include "progress.h"

static const xlmig_bar_fields full = {
    .phase = "precopy", .pct = 42, .stats = true, .iteration = 3,
    .rate_mib_s = 120.5, .eta = "00:12", .dirty_mib_s = 33.3,
    .throttle_pct = 20,
};

static void test_fits(void)
{
    char buf[512];
    unsigned cols;
    size_t n;

    for (cols = 1; cols <= 220; cols++) {
        n = xlmig_bar_text(buf, sizeof(buf), cols, &full);
        CU_ASSERT(n == strlen(buf));
        CU_ASSERT(n <= (cols > 1 ? cols - 1 : 0));
        CU_ASSERT(!strchr(buf, '\n'));
        /* the percent is the last thing to go */
        if (cols > 4)
            CU_ASSERT_PTR_NOT_NULL(strstr(buf, "42%"));
    }
}

static void test_priorities(void)
{
    char buf[512];

    /* wide: every field, the bar at its widest */
    xlmig_bar_text(buf, sizeof(buf), 200, &full);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "dirty"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "thr 20%"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "it 3"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "[##########..............."
                                       "]"));
    /* 60 columns: ETA and rate stay, dirty rate goes first */
    xlmig_bar_text(buf, sizeof(buf), 60, &full);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "ETA 00:12"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "MiB/s"));
    CU_ASSERT_PTR_NULL(strstr(buf, "dirty"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "precopy"));
    /* 20 columns: phase and percent */
    xlmig_bar_text(buf, sizeof(buf), 20, &full);
    CU_ASSERT_STRING_EQUAL(buf, "precopy     42%");
}

/*
 * A 128 MiB PVH guest: libxc's first round names 4 GiB of pfns. The
 * bar starts at 0 %, rises as the first round goes out, and what is
 * left is never more than the guest.
 */
static void test_round_left(void)
{
    const uint64_t mem = 128ULL << 20, p2m = 4ULL << 30;
    xlmig_progress p;
    xlmig_progress_sample s;
    uint64_t left;

    memset(&s, 0, sizeof(s));
    xlmig_progress_init(&p, XLMIG_PROGRESS_NONE, NULL);
    s.mem_bytes = mem;
    /* before the first round: all of it, 0 % (not 99 %) */
    s.remaining_bytes = xlmig_progress_round_left(mem, false, 0, 0);
    CU_ASSERT_EQUAL(s.remaining_bytes, mem);
    CU_ASSERT_DOUBLE_EQUAL(xlmig_progress_percent(&p, &s), 0, 1e-9);
    /* a quarter of the first round sent */
    left = xlmig_progress_round_left(mem, true, p2m, mem / 4);
    CU_ASSERT_EQUAL(left, mem - mem / 4);
    s.remaining_bytes = left;
    CU_ASSERT_DOUBLE_EQUAL(xlmig_progress_percent(&p, &s), 25, 1e-9);
    /* more sent than the round held: nothing left, not a wrap */
    CU_ASSERT_EQUAL(xlmig_progress_round_left(mem, true, 4096, 8192), 0);
    CU_ASSERT_EQUAL(xlmig_progress_round_left(mem, true, p2m, 0), mem);
    s.remaining_bytes = 0;
    CU_ASSERT(xlmig_progress_percent(&p, &s) <= 99);
    xlmig_progress_dispose(&p);
}

/* A line logged while the bar is drawn takes the bar off first. */
static void test_log_clears(void)
{
    xlmig_progress p;
    xlmig_progress_sample s;
    char buf[1024];
    size_t n;
    FILE *f = tmpfile();

    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    memset(&s, 0, sizeof(s));
    s.phase = "precopy";
    s.mem_bytes = 1000;
    s.remaining_bytes = 500;
    xlmig_progress_init(&p, XLMIG_PROGRESS_TTY, f);
    xlmig_progress_update(&p, &s, true);
    CU_ASSERT(p.bar_open);
    xlmig_log_line_start();
    CU_ASSERT(!p.bar_open);
    xlmig_progress_dispose(&p);
    /* no hook once the bar is gone */
    xlmig_log_line_start();
    rewind(f);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = 0;
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, " 50%"));
    CU_ASSERT(n > 4 && !strcmp(buf + n - 4, "\r\033[K"));
    fclose(f);
}

/* A rate still at its first bytes gives no ETA, a real one does. */
static void test_eta_needs_a_rate(void)
{
    xlmig_progress p;
    xlmig_progress_sample s;
    char buf[2048];
    size_t n;
    FILE *f = tmpfile();

    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    memset(&s, 0, sizeof(s));
    s.phase = "precopy";
    s.mem_bytes = 128ULL << 20;
    s.remaining_bytes = 128ULL << 20;
    s.tx_Bps = 420;
    xlmig_progress_init(&p, XLMIG_PROGRESS_LINES, f);
    xlmig_progress_update(&p, &s, true);
    s.tx_Bps = 2.0 * 1024 * 1024;
    xlmig_progress_update(&p, &s, true);
    xlmig_progress_dispose(&p);
    rewind(f);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = 0;
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "ETA --:--"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "ETA 01:04"));
    CU_ASSERT_PTR_NULL(strstr(buf, "88:"));
    fclose(f);
}

static CU_TestInfo tests[] = {
    { "no ETA before there is a rate", test_eta_needs_a_rate },
    { "a logged line clears the bar first", test_log_clears },
    { "every width from 1 to 220 columns: one line, fits", test_fits },
    { "fields left out by priority", test_priorities },
    { "real Xen: the round counts the guest, not the p2m",
      test_round_left },
    CU_TEST_INFO_NULL,
};
XLMIG_UNIT_SUITE("progress_bar", NULL, NULL, tests);
