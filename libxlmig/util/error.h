/*
 * Error codes, the one-line error message and logging (the clocks,
 * clock.h, come along: most error paths time something).
 */
#ifndef XLMIG_ERROR_H
#define XLMIG_ERROR_H

#include <stdarg.h>
#include <stdint.h>

#include "clock.h"

enum xlmig_rc {
    XLMIG_OK = 0,
    XLMIG_E_INVAL = -1,     /* bad argument, option or local input */
    XLMIG_E_NOMEM = -2,
    XLMIG_E_IO = -3,        /* transport or system call failed */
    XLMIG_E_PROTO = -4,     /* the peer sent something malformed */
    XLMIG_E_REMOTE = -5,    /* the peer reported an error */
    XLMIG_E_ABORTED = -6,   /* cancelled on purpose; guest stays on source */
    XLMIG_E_TIMEOUT = -7,
    XLMIG_E_CHECK = -8,     /* a pre-check refused the migration */
    XLMIG_E_BACKEND = -9,   /* hypervisor or simulator failure */
    XLMIG_E_EXTERNAL = -10, /* an external command failed */
    XLMIG_E_UNDEFINED = -11,/* commit state unknown: run recover */
};

const char *xlmig_rc_name(int rc);

/*
 * The first error recorded wins: it is the root cause, later ones are
 * usually consequences. The tools print it as their one-line error.
 * The state is the calling thread's (docs/design.md, "Error state per
 * run"): a run's helper threads keep their own, and what they find
 * reaches the run through its own return codes.
 */
void xlmig_err(int rc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Replace whatever was recorded: for a layer that knows better. */
void xlmig_err_replace(int rc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *xlmig_errmsg(void);
int xlmig_errcode(void);
void xlmig_err_clear(void);

/* The root cause, set aside while cleanup steps report their own. */
typedef struct {
    int rc;
    char msg[512];
} xlmig_err_saved;
void xlmig_err_save(xlmig_err_saved *s);        /* and clear */
void xlmig_err_restore(const xlmig_err_saved *s);

enum xlmig_log_level {
    XLMIG_LOG_ERROR = 0,
    XLMIG_LOG_WARN,
    XLMIG_LOG_INFO,
    XLMIG_LOG_DEBUG,
};
void xlmig_log_set_level(int level);
void xlmig_log_set_prefix(const char *prefix);
void xlmig_log(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Whoever draws on the terminal without a newline (the progress bar)
 * hooks here; every line about to go to stderr (xlmig_log, the tools'
 * error lines) calls xlmig_log_line_start first, so the hook can clear
 * its line. One hook at a time; NULL removes it.
 */
void xlmig_log_set_line_hook(void (*fn)(void *), void *arg);
void xlmig_log_line_start(void);

#define XLMIG_DBG(...)  xlmig_log(XLMIG_LOG_DEBUG, __VA_ARGS__)
#define XLMIG_INFO(...) xlmig_log(XLMIG_LOG_INFO, __VA_ARGS__)
#define XLMIG_WARN(...) xlmig_log(XLMIG_LOG_WARN, __VA_ARGS__)

#define XLMIG_MIB   (1024ULL * 1024ULL)

#endif
