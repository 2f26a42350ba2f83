/* Operation log lines: see oplog.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "oplog.h"
#include "testhooks.h"

static bool key_ok(const char *k, size_t n)
{
    size_t i;

    if (!n || n >= XLMIG_OPLOG_KEY_MAX)
        return false;
    for (i = 0; i < n; i++)
        if (!((k[i] >= 'a' && k[i] <= 'z') || k[i] == '_'))
            return false;
    return true;
}

static bool plain_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || strchr("._:@%+/,-_", c);
}

static void put(xlmig_oplog_line *l, const char *s, size_t n)
{
    memcpy(l->buf + l->len, s, n);
    l->len += n;
    l->buf[l->len] = 0;
}

void xlmig_oplog_begin(xlmig_oplog_line *l, const char *action)
{
    l->len = 0;
    l->cut = false;
    l->buf[0] = 0;
    if (key_ok(action, strlen(action)))
        put(l, action, strlen(action));
    else
        put(l, "unknown", 7);
}

void xlmig_oplog_str(xlmig_oplog_line *l, const char *key, const char *v)
{
    char field[XLMIG_OPLOG_KEY_MAX + 4 * XLMIG_OPLOG_VAL_SHOWN + 8];
    size_t n = 0, i, vlen = strlen(v);
    bool plain = vlen > 0;

    if (!key_ok(key, strlen(key)))
        return;
    if (vlen > XLMIG_OPLOG_VAL_SHOWN)
        vlen = XLMIG_OPLOG_VAL_SHOWN;
    for (i = 0; i < vlen && plain; i++)
        plain = plain_char((unsigned char)v[i]);
    n = (size_t)snprintf(field, sizeof(field), " %s=", key);
    if (!plain)
        field[n++] = '"';
    for (i = 0; i < vlen; i++) {
        unsigned char c = (unsigned char)v[i];

        if (c == '"' || c == '\\') {
            field[n++] = '\\';
            field[n++] = (char)c;
        } else if (c < 0x20 || c >= 0x7f) {
            n += (size_t)snprintf(field + n, 5, "\\x%02x", c);
        } else {
            field[n++] = (char)c;
        }
    }
    if (!plain)
        field[n++] = '"';
    if (l->len + n >= sizeof(l->buf)) {
        l->cut = true;
        return;
    }
    put(l, field, n);
}

void xlmig_oplog_u64(xlmig_oplog_line *l, const char *key, uint64_t v)
{
    char num[24];

    snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
    xlmig_oplog_str(l, key, num);
}

/* ---- syslog ---- */

static void send_dgram(const char *msg, size_t len)
{
    const char *path = xlmig_test_env("XLMIG_SYSLOG_SOCKET");
    struct sockaddr_un sa;
    ssize_t r;
    int fd;

    if (!path || !*path)
        path = "/dev/log";
    if (strlen(path) >= sizeof(sa.sun_path))
        return;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    while ((r = sendto(fd, msg, len, MSG_NOSIGNAL, (struct sockaddr *)&sa,
                       sizeof(sa))) < 0 && errno == EINTR)
        ;
    close(fd);
    if (r >= 0 || errno != EPROTOTYPE)
        return;
    /* a daemon listening on a stream socket: as syslog(3), with the
     * NUL that ends each message there */
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
        (void)!send(fd, msg, len + 1, MSG_NOSIGNAL);
    close(fd);
}

void xlmig_syslog_text(int prio, const char *msg)
{
    char out[XLMIG_OPLOG_LINE_MAX + 128], stamp[32];
    struct tm tm;
    time_t now = time(NULL);
    size_t n, i;
    int r;

    localtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
    r = snprintf(out, sizeof(out), "<%d>%s xlmig[%ld]: ",
                 (prio & LOG_PRIMASK) | LOG_DAEMON, stamp, (long)getpid());
    if (r < 0)
        return;
    n = (size_t)r;
    for (i = 0; msg[i] && n + 2 < sizeof(out); i++) {
        unsigned char c = (unsigned char)msg[i];

        out[n++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    out[n] = 0;
    send_dgram(out, n);
}

void xlmig_oplog_emit(int prio, const xlmig_oplog_line *l)
{
    xlmig_syslog_text(prio, l->buf);
}

/* ---- parsing ---- */

static int bad(const char *what, unsigned idx, const char *why)
{
    xlmig_err(XLMIG_E_INVAL, "log line: %s %u: %s", what, idx, why);
    return XLMIG_E_INVAL;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* A quoted value from buf[*pos] (just past the '"'). */
static int quoted(const char *buf, size_t len, size_t *pos, unsigned idx,
                  char *out)
{
    size_t i = *pos, n = 0;
    int hi, lo;

    for (;;) {
        unsigned char c;

        if (i >= len)
            return bad("field", idx, "quoted value does not end");
        c = (unsigned char)buf[i++];
        if (c == '"')
            break;
        if (c < 0x20 || c >= 0x7f)
            return bad("field", idx, "control or non-ASCII byte");
        if (c == '\\') {
            if (i >= len)
                return bad("field", idx, "escape at the end");
            c = (unsigned char)buf[i++];
            if (c == 'x') {
                if (i + 2 > len || (hi = hexval(buf[i])) < 0 ||
                    (lo = hexval(buf[i + 1])) < 0 || (!hi && !lo))
                    return bad("field", idx, "bad \\x escape");
                c = (unsigned char)(hi << 4 | lo);
                i += 2;
            } else if (c != '"' && c != '\\') {
                return bad("field", idx, "unknown escape");
            }
        }
        if (n + 1 >= XLMIG_OPLOG_VAL_MAX)
            return bad("field", idx, "value too long");
        out[n++] = (char)c;
    }
    out[n] = 0;
    *pos = i;
    return 0;
}

int xlmig_oplog_parse(const char *buf, size_t len, xlmig_oplog_rec *r)
{
    size_t i = 0, s;
    unsigned k;
    int rc;

    memset(r, 0, sizeof(*r));
    if (len >= XLMIG_OPLOG_LINE_MAX) {
        xlmig_err(XLMIG_E_INVAL, "log line: longer than %d bytes",
                  XLMIG_OPLOG_LINE_MAX - 1);
        return XLMIG_E_INVAL;
    }
    while (i < len && buf[i] != ' ')
        i++;
    if (!key_ok(buf, i))
        return bad("field", 0, "not an action name");
    memcpy(r->action, buf, i);
    while (i < len) {
        xlmig_oplog_field *f;

        if (buf[i++] != ' ' || i >= len)
            return bad("field", r->n + 1, "not after one space");
        if (r->n == XLMIG_OPLOG_FIELDS_MAX)
            return bad("field", r->n + 1, "too many fields");
        f = &r->f[r->n];
        for (s = i; i < len && buf[i] != '='; i++)
            ;
        if (i >= len || !key_ok(buf + s, i - s))
            return bad("field", r->n + 1, "not key=value");
        memcpy(f->key, buf + s, i - s);
        for (k = 0; k < r->n; k++)
            if (!strcmp(r->f[k].key, f->key))
                return bad("field", r->n + 1, "key given twice");
        i++;
        if (i < len && buf[i] == '"') {
            i++;
            rc = quoted(buf, len, &i, r->n + 1, f->val);
            if (rc)
                return rc;
            if (i < len && buf[i] != ' ')
                return bad("field", r->n + 1, "text after the quote");
        } else {
            for (s = i; i < len && buf[i] != ' '; i++)
                if (!plain_char((unsigned char)buf[i]))
                    return bad("field", r->n + 1,
                               "unquoted value with a special character");
            if (i == s)
                return bad("field", r->n + 1, "empty unquoted value");
            if (i - s >= XLMIG_OPLOG_VAL_MAX)
                return bad("field", r->n + 1, "value too long");
            memcpy(f->val, buf + s, i - s);
        }
        r->n++;
    }
    return 0;
}

const char *xlmig_oplog_get(const xlmig_oplog_rec *r, const char *key)
{
    unsigned i;

    for (i = 0; i < r->n; i++)
        if (!strcmp(r->f[i].key, key))
            return r->f[i].val;
    return NULL;
}
