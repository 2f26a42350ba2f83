/*
 * Parsers for what drbdadm and drbdsetup print, and for the disks in a
 * libxl domain config. Pure: a buffer and its length in, a struct out.
 * Strict on purpose: a state name we do not know, a line we cannot
 * place, or output that stops early is an error naming the resource,
 * because acting on a guess about replication state is how data is lost.
 *
 * This file: shared helpers, the version, DRBD 8.4's role/cstate/dstate.
 * drbd_parse_9.c: DRBD 9 status --json and events2. drbd_parse_conf.c:
 * drbdsetup show and drbdadm dump. drbd_parse_disks.c: disk targets.
 */
#include "drbd.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drbd_parse_priv.h"
#include "error.h"
#include "num.h"


const char *const dp_roles[] = { "Primary", "Secondary", "Unknown",
                                     NULL };
const char *const dp_disk_states[] = {
    "Diskless", "Attaching", "Detaching", "Failed", "Negotiating",
    "Inconsistent", "Outdated", "DUnknown", "Consistent", "UpToDate", NULL
};
/* 8.4 cstate covers both connection and replication. */
static const char *const cstates84[] = {
    "StandAlone", "Disconnecting", "Unconnected", "Timeout", "BrokenPipe",
    "NetworkFailure", "ProtocolError", "TearDown", "WFConnection",
    "WFReportParams", "Connected", "StartingSyncS", "StartingSyncT",
    "WFBitMapS", "WFBitMapT", "WFSyncUUID", "SyncSource", "SyncTarget",
    "VerifyS", "VerifyT", "PausedSyncS", "PausedSyncT", "Ahead", "Behind",
    NULL
};
static const char *const unconnected84[] = {
    "StandAlone", "Disconnecting", "Unconnected", "Timeout", "BrokenPipe",
    "NetworkFailure", "ProtocolError", "TearDown", "WFConnection",
    "WFReportParams", NULL
};
const char *const dp_cstates9[] = {
    "StandAlone", "Disconnecting", "Unconnected", "Timeout", "BrokenPipe",
    "NetworkFailure", "ProtocolError", "TearDown", "Connecting", "Connected",
    NULL
};
const char *const dp_repl9[] = {
    "Off", "Established", "StartingSyncS", "StartingSyncT", "WFBitMapS",
    "WFBitMapT", "WFSyncUUID", "SyncSource", "SyncTarget", "VerifyS",
    "VerifyT", "PausedSyncS", "PausedSyncT", "Ahead", "Behind", NULL
};

const char *xlmig_drbd_role_str(xlmig_drbd_role r)
{
    switch (r) {
    case XLMIG_DRBD_ROLE_PRIMARY: return "Primary";
    case XLMIG_DRBD_ROLE_SECONDARY: return "Secondary";
    default: return "Unknown";
    }
}

void xlmig_drbd_state_init(xlmig_drbd_state *s)
{
    memset(s, 0, sizeof(*s));
    s->minor = -1;
}

bool xlmig_drbd_state_synced(const xlmig_drbd_state *s)
{
    return !strcmp(s->cstate, "Connected") &&
           !strcmp(s->repl, "Established") &&
           !strcmp(s->disk, "UpToDate") && !strcmp(s->peer_disk, "UpToDate");
}

bool dp_in_list(const char *const *list, const char *w)
{
    for (; *list; list++)
        if (!strcmp(*list, w))
            return true;
    return false;
}

xlmig_drbd_role dp_role_of(const char *w)
{
    if (!strcmp(w, "Primary"))
        return XLMIG_DRBD_ROLE_PRIMARY;
    if (!strcmp(w, "Secondary"))
        return XLMIG_DRBD_ROLE_SECONDARY;
    return XLMIG_DRBD_ROLE_UNKNOWN;
}

/* Keep the first value that is not `good`: one bad volume shows. */
void dp_merge(char *dst, const char *val, const char *good)
{
    if (!dst[0] || (!strcmp(dst, good) && strcmp(val, good)))
        snprintf(dst, XLMIG_DRBD_NAME_MAX, "%s", val);
}

/* Copy a name into a XLMIG_DRBD_NAME_MAX field; false if too long. */
bool dp_setname(char *dst, const char *src)
{
    size_t n = strlen(src);

    if (n >= XLMIG_DRBD_NAME_MAX)
        return false;
    memcpy(dst, src, n + 1);
    return true;
}

bool dp_printable(const char *s)
{
    for (; *s; s++)
        if (!isprint((unsigned char)*s))
            return false;
    return true;
}

/* Quote a short excerpt of bad output for an error message. */
static const char *excerpt(const char *p, size_t n, char *buf, size_t sz)
{
    size_t i, o = 0;

    for (i = 0; i < n && o + 5 < sz; i++)
        buf[o++] = isprint((unsigned char)p[i]) ? p[i] : '?';
    if (i < n && o + 4 <= sz) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = 0;
    return buf;
}

int dp_bad(const char *res, const char *what, const char *p, size_t n)
{
    char ex[64];

    xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: %s: '%s'", res ? res : "?", what,
              excerpt(p, n, ex, sizeof(ex)));
    return XLMIG_E_EXTERNAL;
}

/*
 * Lines: the tools end every line with '\n'; a last line without one
 * means the output was cut, and is reported as truncated.
 */

int dp_next_line(dp_cursor *c, const char **line, size_t *n,
                     const char *res)
{
    const char *nl;

    if (c->p >= c->end)
        return 1;
    nl = memchr(c->p, '\n', c->end - c->p);
    if (!nl)
        return dp_bad(res, "output truncated (no end of line)", c->p,
                   c->end - c->p);
    *line = c->p;
    *n = nl - c->p;
    c->p = nl + 1;
    if (*n && (*line)[*n - 1] == '\r')
        (*n)--;
    if (memchr(*line, 0, *n))
        return dp_bad(res, "NUL byte in output", *line, *n);
    return 0;
}

bool dp_blank(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!isspace((unsigned char)p[i]))
            return false;
    return true;
}

/* Copy one line into a bounded buffer, trimming surrounding blanks. */
static int line_word(const char *p, size_t n, char *w, size_t wsz)
{
    while (n && isspace((unsigned char)*p)) {
        p++;
        n--;
    }
    while (n && isspace((unsigned char)p[n - 1]))
        n--;
    if (!n || n >= wsz)
        return -1;
    memcpy(w, p, n);
    w[n] = 0;
    return 0;
}

int xlmig_drbd_parse_version(const char *buf, size_t len, int *version,
                             char *kver, size_t kver_len)
{
    dp_cursor c = { buf, buf + len };
    const char *line;
    char val[64];
    uint64_t code = 0;
    bool have = false;
    size_t n;
    int r;

    if (kver && kver_len)
        kver[0] = 0;
    while (!(r = dp_next_line(&c, &line, &n, "version"))) {
        const char *key = "DRBD_KERNEL_VERSION_CODE=";
        const char *kv = "DRBD_KERNEL_VERSION=";

        if (n > strlen(kv) && !memcmp(line, kv, strlen(kv)) && kver &&
            !line_word(line + strlen(kv), n - strlen(kv), val, sizeof(val)))
            snprintf(kver, kver_len, "%s", val);
        if (n <= strlen(key) || memcmp(line, key, strlen(key)))
            continue;
        if (line_word(line + strlen(key), n - strlen(key), val, sizeof(val)))
            return dp_bad("version", "bad DRBD_KERNEL_VERSION_CODE", line, n);
        if (strncmp(val, "0x", 2) ||
            xlmig_num_u64(val + 2, 16, 0, 0xffffff, &code))
            return dp_bad("version", "bad DRBD_KERNEL_VERSION_CODE", line, n);
        have = true;
    }
    if (r < 0)
        return r;
    if (!have)
        return dp_bad("version", "drbdadm --version printed no"
                   " DRBD_KERNEL_VERSION_CODE", buf, len);
    if (code == 0) {
        xlmig_err(XLMIG_E_EXTERNAL, "drbd: the DRBD kernel module is not"
                  " loaded (drbdadm --version shows kernel version 0)");
        return XLMIG_E_EXTERNAL;
    }
    if ((code >> 16) == 8 && ((code >> 8) & 0xff) == 4)
        *version = XLMIG_DRBD_V84;
    else if ((code >> 16) == 9)
        *version = XLMIG_DRBD_V9;
    else {
        xlmig_err(XLMIG_E_EXTERNAL, "drbd: kernel module version code"
                  " 0x%06lx is neither 8.4 nor 9", (unsigned long)code);
        return XLMIG_E_EXTERNAL;
    }
    return 0;
}

/* 8.4 "role", "cstate", "dstate": one word (or pair) per volume line. */
typedef int (*line84_fn)(const char *w, unsigned idx, const char *res,
                         xlmig_drbd_state *s, const char *line, size_t n);

static int each_line84(const char *buf, size_t len, const char *res,
                       xlmig_drbd_state *s, const char *what, line84_fn fn)
{
    dp_cursor c = { buf, buf + len };
    const char *line;
    char w[WORD_MAX];
    unsigned lines = 0;
    size_t n;
    int r;

    while (!(r = dp_next_line(&c, &line, &n, res))) {
        if (dp_blank(line, n))
            continue;
        if (line_word(line, n, w, sizeof(w)) || strpbrk(w, " \t"))
            return dp_bad(res, what, line, n);
        r = fn(w, lines, res, s, line, n);
        if (r)
            return r;
        if (++lines > XLMIG_DRBD_MAX_VOL)
            return dp_bad(res, "more volumes than supported", line, n);
    }
    if (r < 0)
        return r;
    if (!lines) {
        xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: empty %s output", res, what);
        return XLMIG_E_EXTERNAL;
    }
    if (s->nvol && s->nvol != lines) {
        xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: %s shows %u volumes, earlier"
                  " output %u", res, what, lines, s->nvol);
        return XLMIG_E_EXTERNAL;
    }
    s->nvol = lines;
    return 0;
}

static int split_pair(char *w, char **a, char **b)
{
    char *slash = strchr(w, '/');

    if (!slash || strchr(slash + 1, '/'))
        return -1;
    *slash = 0;
    *a = w;
    *b = slash + 1;
    return 0;
}

static int role_line(const char *w0, unsigned idx, const char *res,
                     xlmig_drbd_state *s, const char *line, size_t n)
{
    char w[WORD_MAX], *a, *b;
    xlmig_drbd_role ra, rb;

    snprintf(w, sizeof(w), "%s", w0);
    if (split_pair(w, &a, &b) || !dp_in_list(dp_roles, a) ||
        !dp_in_list(dp_roles, b))
        return dp_bad(res, "unexpected role (want Local/Peer)", line, n);
    ra = dp_role_of(a);
    rb = dp_role_of(b);
    /* 8.4 roles are per resource: volumes that disagree are news. */
    if (idx && (s->role != ra || s->peer_role != rb))
        return dp_bad(res, "volumes report different roles", line, n);
    s->role = ra;
    s->peer_role = rb;
    return 0;
}

int xlmig_drbd_parse_role84(const char *buf, size_t len, const char *res,
                            xlmig_drbd_state *s)
{
    return each_line84(buf, len, res, s, "role", role_line);
}

static int cstate_line(const char *w, unsigned idx, const char *res,
                       xlmig_drbd_state *s, const char *line, size_t n)
{
    (void)idx;
    if (!dp_in_list(cstates84, w))
        return dp_bad(res, "unexpected connection state", line, n);
    /*
     * 8.4 folds replication into cstate: Connected is an established
     * link, SyncSource etc. are connected but resyncing.
     */
    if (dp_in_list(unconnected84, w)) {
        dp_merge(s->cstate, w, "Connected");
        dp_merge(s->repl, "Off", "Established");
    } else {
        dp_merge(s->cstate, "Connected", "Connected");
        dp_merge(s->repl, strcmp(w, "Connected") ? w : "Established",
              "Established");
    }
    s->nconn = 1;
    return 0;
}

int xlmig_drbd_parse_cstate84(const char *buf, size_t len, const char *res,
                              xlmig_drbd_state *s)
{
    return each_line84(buf, len, res, s, "cstate", cstate_line);
}

static int dstate_line(const char *w0, unsigned idx, const char *res,
                       xlmig_drbd_state *s, const char *line, size_t n)
{
    char w[WORD_MAX], *a, *b;

    (void)idx;
    snprintf(w, sizeof(w), "%s", w0);
    if (split_pair(w, &a, &b) || !dp_in_list(dp_disk_states, a) ||
        !dp_in_list(dp_disk_states, b))
        return dp_bad(res, "unexpected disk state (want Local/Peer)", line, n);
    dp_merge(s->disk, a, "UpToDate");
    dp_merge(s->peer_disk, b, "UpToDate");
    return 0;
}

int xlmig_drbd_parse_dstate84(const char *buf, size_t len, const char *res,
                              xlmig_drbd_state *s)
{
    return each_line84(buf, len, res, s, "dstate", dstate_line);
}
