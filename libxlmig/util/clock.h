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

/*
 * A poll(2) timeout for a deadline on the monotonic clock: 0 once it
 * has passed, else the milliseconds left rounded up (so the wait never
 * ends just before it), at most INT_MAX.
 */
int xlmig_ms_until(uint64_t deadline_ns, uint64_t now_ns);

/* "2024-05-01T02:03:04Z" */
void xlmig_utc_stamp(time_t t, char *buf, size_t len);

#define XLMIG_MS(x) ((uint64_t)(x) * 1000000ULL)
#define XLMIG_S(x)  ((uint64_t)(x) * 1000000000ULL)

#endif
