/*
 * The defaults and limits that the tool, the library and the bench
 * share: each is defined here once. (Not "limits.h": every folder is
 * on -I, so that name would shadow the C library's <limits.h>.)
 */
#ifndef XLMIG_DEFAULTS_H
#define XLMIG_DEFAULTS_H

/* Downtime target, ms: a default target, or a bound (policy.h). */
#define XLMIG_DOWNTIME_DEFAULT_MS 300     /* QEMU's downtime-limit too */
#define XLMIG_DOWNTIME_MIN_MS     1
#define XLMIG_DOWNTIME_MAX_MS     3600000 /* an hour */

/* Pre-copy budget, s (--timeout, xlmig.conf's timeout). */
#define XLMIG_TIMEOUT_DEFAULT_S   600
#define XLMIG_TIMEOUT_MIN_S       1
#define XLMIG_TIMEOUT_MAX_S       86400

/* Switchover deadline's floor and cap, ms (deadline.h). */
#define XLMIG_DEADLINE_MIN_DEFAULT_MS 5000
#define XLMIG_DEADLINE_MAX_DEFAULT_MS 60000

/* Longest wait of one operation, s (--io-timeout). */
#define XLMIG_IO_TIMEOUT_DEFAULT_S 60

/* The policy's safety bound on rounds. */
#define XLMIG_POLICY_MAX_ITERATIONS 200

/*
 * Mid-round policy samples (xlmig_policy_tick): every backend's save
 * loop and the bench model sample this often; a shorter window says
 * more about noise than about the guest.
 */
#define XLMIG_TICK_NS             50000000ULL

/* x86 pages. */
#define XLMIG_PAGE_SIZE           4096u

/*
 * Stream bytes per page beyond the page itself: libxc's PAGE_DATA
 * record carries one 64-bit PFN per page.
 */
#define XLMIG_PAGE_WIRE_OVERHEAD  8u
#define XLMIG_PAGE_WIRE_BYTES(page) ((page) + XLMIG_PAGE_WIRE_OVERHEAD)

#endif
