/*
 * Clocks: the monotonic one every timeout and rate is measured on, and
 * the wall clock's UTC stamp that journals and flags record.
 */
#ifndef XLMIG_CLOCK_H
#define XLMIG_CLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Monotonic clock, nanoseconds. */
uint64_t xlmig_now_ns(void);
/* Sleeps the whole time, through signals. */
void xlmig_sleep_ns(uint64_t ns);

/* "2024-05-01T02:03:04Z" */
void xlmig_utc_stamp(time_t t, char *buf, size_t len);

#define XLMIG_MS(x) ((uint64_t)(x) * 1000000ULL)
#define XLMIG_S(x)  ((uint64_t)(x) * 1000000000ULL)

#endif
