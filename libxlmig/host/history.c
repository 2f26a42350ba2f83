/* The migration history: see history.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "error.h"
#include "history.h"
#include "hoststate.h"
#include "kv.h"
#include "path_join.h"

static const char *const results[] = {
    "ok", "failed", "aborted", "undefined", "refused", "recovered", NULL,
};
static const char *const vias[] = {
    "cli", "evacuate", "return", "recover", NULL,
};

static bool in(const char *const *set, const char *s)
{
    for (; *set; set++)
        if (!strcmp(*set, s))
            return true;
    return false;
}

bool xlmig_hist_result_ok(const char *s)
{
    return in(results, s);
}

const char *xlmig_hist_result_of(const char *outcome)
{
    if (!strcmp(outcome, "migrated"))
        return "ok";
    if (in(results, outcome))
        return outcome;
    return "failed";
}

void xlmig_hist_rec_init(xlmig_hist_rec *r)
{
    memset(r, 0, sizeof(*r));
    strcpy(r->via, "cli");
    strcpy(r->result, "failed");
}

void xlmig_hist_encode(const xlmig_hist_rec *r, xlmig_oplog_line *l)
{
    xlmig_oplog_begin(l, "migrate");
    xlmig_oplog_str(l, "start", r->start);
    xlmig_oplog_str(l, "guest", r->guest);
    xlmig_oplog_str(l, "from", r->from);
    xlmig_oplog_str(l, "to", r->to);
    xlmig_oplog_str(l, "result", r->result);
    xlmig_oplog_str(l, "via", r->via);
    xlmig_oplog_u64(l, "total_ms", r->total_ms);
    xlmig_oplog_u64(l, "downtime_ms", r->downtime_ms);
    xlmig_oplog_u64(l, "bytes", r->bytes);
    if (r->journal[0])
        xlmig_oplog_str(l, "journal", r->journal);
    if (r->reason[0])
        xlmig_oplog_str(l, "reason", r->reason);
}

static int bad(const char *key, const char *why)
{
    xlmig_err(XLMIG_E_INVAL, "history record: %s %s", key, why);
    return XLMIG_E_INVAL;
}

/* "YYYY-mm-ddTHH:MM:SSZ", digits where digits go. */
static bool stamp_ok(const char *s)
{
    static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";
    size_t i;

    if (strlen(s) != sizeof(pat) - 1)
        return false;
    for (i = 0; pat[i]; i++)
        if (pat[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != pat[i])
            return false;
    return true;
}

static int copy(const char *key, const char *v, char *out, size_t max)
{
    if (strlen(v) >= max)
        return bad(key, "is too long");
    strcpy(out, v);
    return 0;
}

static int field(const xlmig_oplog_field *f, xlmig_hist_rec *r,
                 unsigned *seen)
{
    const char *k = f->key, *v = f->val;
    char what[64];

    snprintf(what, sizeof(what), "history record: %s", k);
    if (!strcmp(k, "start")) {
        *seen |= 1;
        if (!stamp_ok(v))
            return bad(k, "is not a UTC time stamp");
        return copy(k, v, r->start, sizeof(r->start));
    }
    if (!strcmp(k, "guest")) {
        *seen |= 2;
        if (!xlmig_name_domain_ok(v))
            return bad(k, "is not a domain name");
        return copy(k, v, r->guest, sizeof(r->guest));
    }
    if (!strcmp(k, "from") || !strcmp(k, "to")) {
        *seen |= k[0] == 'f' ? 4 : 8;
        if (*v && !xlmig_name_host_ok(v, false))
            return bad(k, "is not a host name");
        return copy(k, v, k[0] == 'f' ? r->from : r->to, sizeof(r->to));
    }
    if (!strcmp(k, "result")) {
        *seen |= 16;
        if (!in(results, v))
            return bad(k, "has an unknown value");
        return copy(k, v, r->result, sizeof(r->result));
    }
    if (!strcmp(k, "via")) {
        if (!in(vias, v))
            return bad(k, "has an unknown value");
        return copy(k, v, r->via, sizeof(r->via));
    }
    if (!strcmp(k, "total_ms"))
        return xlmig_kv_u64(what, v, 0, 1ULL << 40, &r->total_ms);
    if (!strcmp(k, "downtime_ms"))
        return xlmig_kv_u64(what, v, 0, 1ULL << 40, &r->downtime_ms);
    if (!strcmp(k, "bytes"))
        return xlmig_kv_u64(what, v, 0, 1ULL << 60, &r->bytes);
    if (!strcmp(k, "journal")) {
        if (!xlmig_name_word_ok(v))
            return bad(k, "is not a journal id");
        return copy(k, v, r->journal, sizeof(r->journal));
    }
    if (!strcmp(k, "reason"))
        return copy(k, v, r->reason, sizeof(r->reason));
    return bad(k, "is not a history key");
}

int xlmig_hist_decode(const char *buf, size_t len, xlmig_hist_rec *r)
{
    static const char *const req[] = { "start", "guest", "from", "to",
                                       "result" };
    xlmig_oplog_rec lr;
    unsigned i, seen = 0;
    int rc;

    xlmig_hist_rec_init(r);
    rc = xlmig_oplog_parse(buf, len, &lr);
    if (rc)
        return rc;
    if (strcmp(lr.action, "migrate"))
        return bad("action", "is not migrate");
    for (i = 0; i < lr.n; i++) {
        rc = field(&lr.f[i], r, &seen);
        if (rc)
            return rc;
    }
    for (i = 0; i < 5; i++)
        if (!(seen & (1u << i)))
            return bad(req[i], "is missing");
    return 0;
}

void xlmig_hist_init(xlmig_hist *h)
{
    memset(h, 0, sizeof(*h));
}

void xlmig_hist_dispose(xlmig_hist *h)
{
    free(h->r);
    xlmig_hist_init(h);
}

/* The next line of buf from *pos: [*s, *s + *n); false at the end. */
static bool next_line(const char *buf, size_t len, size_t *pos,
                      size_t *s, size_t *n)
{
    const char *nl;

    if (*pos >= len)
        return false;
    *s = *pos;
    nl = memchr(buf + *pos, '\n', len - *pos);
    *n = nl ? (size_t)(nl - buf) - *s : len - *s;
    *pos = *s + *n + 1;
    return true;
}

int xlmig_hist_parse(const char *buf, size_t len, xlmig_hist *h)
{
    size_t pos = 0, s, n, lines = 0;
    unsigned lineno = 0;
    int rc;

    xlmig_hist_dispose(h);
    rc = xlmig_size_check("history", len, XLMIG_HIST_MAX_BYTES);
    if (rc)
        return rc;
    for (s = 0; s < len; s++)
        lines += buf[s] == '\n';
    h->r = calloc(lines + 1, sizeof(*h->r));
    if (!h->r) {
        xlmig_err(XLMIG_E_NOMEM, "out of memory");
        return XLMIG_E_NOMEM;
    }
    while (next_line(buf, len, &pos, &s, &n)) {
        lineno++;
        if (pos > len) {
            rc = XLMIG_E_INVAL;
            xlmig_err(rc, "history: line %u: no newline at the end",
                      lineno);
            goto fail;
        }
        rc = xlmig_hist_decode(buf + s, n, &h->r[h->n]);
        if (rc) {
            xlmig_err_replace(rc, "history: line %u: %s", lineno,
                              xlmig_errmsg());
            goto fail;
        }
        h->n++;
    }
    return 0;
fail:
    xlmig_hist_dispose(h);
    return rc;
}

static int hist_path(const char *dir, const char *name, char *buf,
                     size_t len)
{
    return xlmig_path_join(buf, len, dir, name, "state directory");
}

int xlmig_hist_load(const char *dir, xlmig_hist *h)
{
    char path[4096], *buf = NULL;
    size_t len;
    int rc;

    xlmig_hist_dispose(h);
    rc = hist_path(dir, "history", path, sizeof(path));
    if (rc)
        return rc;
    if (access(path, F_OK) && errno == ENOENT)
        return 0;
    rc = xlmig_read_file(path, XLMIG_HIST_MAX_BYTES, &buf, &len);
    if (!rc) {
        rc = xlmig_hist_parse(buf, len, h);
        if (rc)
            xlmig_err_replace(rc, "%s: %s", path, xlmig_errmsg());
    }
    free(buf);
    return rc;
}

int xlmig_hist_rotate(const char *old, size_t len, const char *line,
                      unsigned keep, char **out, size_t *outlen,
                      unsigned *bad_lines)
{
    size_t pos = 0, s, n, used = 0, llen = strlen(line);
    size_t *starts = NULL, *lens = NULL, lines = 0;
    unsigned nok = 0, i, first;
    xlmig_hist_rec r;
    char *buf = NULL;
    int rc;

    *out = NULL;
    *outlen = 0;
    *bad_lines = 0;
    if (!keep)
        keep = 1;
    for (s = 0; s < len; s++)
        lines += old[s] == '\n';
    starts = calloc(lines + 2, sizeof(*starts));
    lens = calloc(lines + 2, sizeof(*lens));
    buf = malloc(len + llen + 2);
    if (!starts || !lens || !buf) {
        xlmig_err(XLMIG_E_NOMEM, "out of memory");
        rc = XLMIG_E_NOMEM;
        goto out;
    }
    while (next_line(old, len, &pos, &s, &n)) {
        if (pos > len || xlmig_hist_decode(old + s, n, &r)) {
            if (!*bad_lines)
                xlmig_err_replace(XLMIG_E_INVAL, "history: dropped a"
                                  " damaged record: %s", pos > len ?
                                  "no newline at the end" : xlmig_errmsg());
            (*bad_lines)++;
            continue;
        }
        starts[nok] = s;
        lens[nok++] = n;
    }
    first = nok >= keep ? nok - (keep - 1) : 0;
    for (i = first; i < nok; i++) {
        memcpy(buf + used, old + starts[i], lens[i]);
        used += lens[i];
        buf[used++] = '\n';
    }
    memcpy(buf + used, line, llen);
    used += llen;
    buf[used++] = '\n';
    *out = buf;
    *outlen = used;
    buf = NULL;
    rc = 0;
out:
    free(starts);
    free(lens);
    free(buf);
    return rc;
}

int xlmig_hist_append(const char *dir, const xlmig_hist_rec *r,
                      unsigned keep)
{
    char path[4096], lpath[4096], *old = NULL, *text = NULL;
    xlmig_oplog_line l;
    xlmig_hist_rec check;
    size_t len = 0, tlen;
    unsigned nbad = 0;
    int fd = -1, rc;

    xlmig_hist_encode(r, &l);
    /* never write what the reader would refuse */
    rc = xlmig_hist_decode(l.buf, l.len, &check);
    if (rc)
        return rc;
    rc = xlmig_mkdir_p(dir);
    if (!rc)
        rc = hist_path(dir, "history", path, sizeof(path));
    if (!rc)
        rc = hist_path(dir, "history.lock", lpath, sizeof(lpath));
    if (rc)
        return rc;
    fd = open(lpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0 || flock(fd, LOCK_EX)) {
        xlmig_err(XLMIG_E_IO, "cannot lock %s: %s", lpath, strerror(errno));
        rc = XLMIG_E_IO;
        goto out;
    }
    if (!access(path, F_OK) &&
        (rc = xlmig_read_file(path, XLMIG_HIST_MAX_BYTES, &old, &len)))
        goto out;
    rc = xlmig_hist_rotate(old, len, l.buf, keep, &text, &tlen, &nbad);
    if (!rc && nbad)
        XLMIG_WARN("%s: %s (%u such line%s)", path, xlmig_errmsg(), nbad,
                   nbad == 1 ? "" : "s");
    xlmig_err_clear();
    if (!rc)
        rc = xlmig_write_atomic(path, text, tlen);
out:
    if (fd >= 0)
        close(fd);
    free(old);
    free(text);
    return rc;
}
