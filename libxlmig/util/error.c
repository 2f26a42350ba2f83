#include "error.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/*
 * Per thread: a migration run records and reads its errors on the
 * thread that runs it, so two runs in one process (the two sides of an
 * in-process test) never see each other's. No lock is needed.
 */
static _Thread_local char err_msg[512];
static _Thread_local int err_code;
static int log_level = XLMIG_LOG_WARN;
static const char *log_prefix = "xlmig";
static void (*line_hook)(void *);
static void *line_hook_arg;

const char *xlmig_rc_name(int rc)
{
    switch (rc) {
    case XLMIG_OK: return "ok";
    case XLMIG_E_INVAL: return "invalid input";
    case XLMIG_E_NOMEM: return "out of memory";
    case XLMIG_E_IO: return "i/o error";
    case XLMIG_E_PROTO: return "protocol error";
    case XLMIG_E_REMOTE: return "remote error";
    case XLMIG_E_ABORTED: return "aborted";
    case XLMIG_E_TIMEOUT: return "timed out";
    case XLMIG_E_CHECK: return "pre-check failed";
    case XLMIG_E_BACKEND: return "backend error";
    case XLMIG_E_EXTERNAL: return "external command failed";
    case XLMIG_E_UNDEFINED: return "state undefined";
    default: return "unknown error";
    }
}

static void err_set(int replace, int rc, const char *fmt, va_list ap)
{
    char buf[sizeof(err_msg)];
    char *nl;

    vsnprintf(buf, sizeof(buf), fmt, ap);
    /* One line, always: peers and tools may hand us newlines. */
    while ((nl = strpbrk(buf, "\r\n")))
        *nl = ' ';
    if (replace || !err_msg[0]) {
        memcpy(err_msg, buf, sizeof(err_msg));
        err_code = rc;
    }
    xlmig_log(XLMIG_LOG_DEBUG, "error recorded: %s", buf);
}

void xlmig_err(int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    err_set(0, rc, fmt, ap);
    va_end(ap);
}

void xlmig_err_replace(int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    err_set(1, rc, fmt, ap);
    va_end(ap);
}

void xlmig_err_save(xlmig_err_saved *s)
{
    s->rc = err_code;
    memcpy(s->msg, err_msg, sizeof(s->msg));
    err_msg[0] = 0;
    err_code = 0;
}

void xlmig_err_restore(const xlmig_err_saved *s)
{
    memcpy(err_msg, s->msg, sizeof(err_msg));
    err_code = s->rc;
}

const char *xlmig_errmsg(void)
{
    return err_msg[0] ? err_msg : xlmig_rc_name(err_code);
}

int xlmig_errcode(void)
{
    return err_code;
}

void xlmig_err_clear(void)
{
    err_msg[0] = 0;
    err_code = 0;
}

void xlmig_log_set_level(int level)
{
    log_level = level;
}

void xlmig_log_set_prefix(const char *prefix)
{
    log_prefix = prefix;
}

void xlmig_log_set_line_hook(void (*fn)(void *), void *arg)
{
    line_hook = fn;
    line_hook_arg = arg;
}

void xlmig_log_line_start(void)
{
    if (line_hook)
        line_hook(line_hook_arg);
}

void xlmig_log(int level, const char *fmt, ...)
{
    static const char *names[] = { "error", "warning", "info", "debug" };
    char buf[1024];
    va_list ap;

    if (level > log_level)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    xlmig_log_line_start();
    fprintf(stderr, "%s: %s: %s\n", log_prefix,
            names[level < 0 ? 0 : level > 3 ? 3 : level], buf);
}
