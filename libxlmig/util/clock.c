/* Clocks: see clock.h. */
#include "clock.h"

#include <limits.h>

uint64_t xlmig_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void xlmig_sleep_ns(uint64_t ns)
{
    struct timespec ts = {
        .tv_sec = (time_t)(ns / 1000000000ULL),
        .tv_nsec = (long)(ns % 1000000000ULL),
    };

    while (nanosleep(&ts, &ts) != 0)
        ;
}

int xlmig_ms_until(uint64_t deadline_ns, uint64_t now_ns)
{
    uint64_t ms;

    if (now_ns >= deadline_ns)
        return 0;
    ms = (deadline_ns - now_ns) / 1000000ULL + 1;
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

void xlmig_utc_stamp(time_t t, char *buf, size_t len)
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
