/*
 * Operation log lines: one line per outcome of whatever changes where
 * a guest runs or a host's state, in one stable format (docs/logging.md)
 *
 *     <action> key=value key=value ...
 *
 * action and keys are [a-z_]; a value is plain when it is only
 * A-Z a-z 0-9 . _ : @ % + / , - (and not empty), else quoted: "..."
 * with \" \\ and \xNN for any byte outside printable ASCII. The same
 * line goes to syslog (facility daemon, tag "xlmig") and, for a
 * migration, into the history (history.h). The parser is strict:
 * another process, host or an old file wrote what it reads.
 */
#ifndef XLMIG_OPLOG_H
#define XLMIG_OPLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XLMIG_OPLOG_LINE_MAX   2048
#define XLMIG_OPLOG_KEY_MAX    24
#define XLMIG_OPLOG_VAL_MAX    512    /* decoded, NUL included */
#define XLMIG_OPLOG_FIELDS_MAX 24
/* A value longer than this is cut (logs stay one readable line). */
#define XLMIG_OPLOG_VAL_SHOWN  300

typedef struct {
    char buf[XLMIG_OPLOG_LINE_MAX];
    size_t len;
    bool cut;                   /* a field did not fit and was left out */
} xlmig_oplog_line;

void xlmig_oplog_begin(xlmig_oplog_line *l, const char *action);
void xlmig_oplog_str(xlmig_oplog_line *l, const char *key, const char *v);
void xlmig_oplog_u64(xlmig_oplog_line *l, const char *key, uint64_t v);

/*
 * To syslog: <prio|LOG_DAEMON> with tag "xlmig", over the local
 * datagram socket /dev/log ($XLMIG_SYSLOG_SOCKET in a test build).
 * A log that cannot be written never stops an operation: failures are
 * ignored, as syslog(3) ignores them.
 */
void xlmig_oplog_emit(int prio, const xlmig_oplog_line *l);
/* Any one line of text the same way (control characters made '?'). */
void xlmig_syslog_text(int prio, const char *msg);

typedef struct {
    char key[XLMIG_OPLOG_KEY_MAX];
    char val[XLMIG_OPLOG_VAL_MAX];
} xlmig_oplog_field;

typedef struct {
    char action[XLMIG_OPLOG_KEY_MAX];
    unsigned n;
    xlmig_oplog_field f[XLMIG_OPLOG_FIELDS_MAX];
} xlmig_oplog_rec;

/*
 * One line (len bytes, no newline, no NUL needed). Errors name the
 * field and what was wrong; a key given twice is an error.
 */
int xlmig_oplog_parse(const char *buf, size_t len, xlmig_oplog_rec *r);
/* The value of key, or NULL. */
const char *xlmig_oplog_get(const xlmig_oplog_rec *r, const char *key);

#endif
