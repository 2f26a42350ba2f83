/*
 * QMP client: see qmp.h. One command at a time, as libxl sends them;
 * the socket is QEMU's, so nothing it sends is trusted: lines are
 * bounded before they are parsed, and every wait has a deadline.
 */
#include "qmp.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "error.h"
#include "json_guard.h"

static yajl_val member(yajl_val obj, const char *key)
{
    const char *path[] = { key, NULL };

    return yajl_tree_get(obj, path, yajl_t_any);
}

/* QEMU's words go to a terminal: nothing but printable ASCII. */
static void printable(char *dst, size_t n, const char *src)
{
    size_t i;

    for (i = 0; src && src[i] && i + 1 < n; i++)
        dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
    if (n)
        dst[i] = 0;
}

static int bad(const char *what, const char *why)
{
    xlmig_err(XLMIG_E_PROTO, "%s: QMP %s", what, why);
    return XLMIG_E_PROTO;
}

static int parse_error(yajl_val e, xlmig_qmp_reply *r, const char *what)
{
    yajl_val c = member(e, "class"), d = member(e, "desc");

    if (!YAJL_IS_OBJECT(e) || !YAJL_IS_STRING(d))
        return bad(what, "error without a \"desc\" string");
    r->kind = XLMIG_QMP_ERROR;
    printable(r->err_desc, sizeof(r->err_desc), YAJL_GET_STRING(d));
    printable(r->err_class, sizeof(r->err_class),
              YAJL_IS_STRING(c) ? YAJL_GET_STRING(c) : "?");
    return 0;
}

static int parse_kind(yajl_val root, xlmig_qmp_reply *r, const char *what)
{
    yajl_val x;

    if (YAJL_IS_OBJECT(member(root, "QMP"))) {
        r->kind = XLMIG_QMP_GREETING;
        return 0;
    }
    if ((x = member(root, "return"))) {
        yajl_val f = YAJL_IS_OBJECT(x) ? member(x, "fdset-id") : NULL;

        r->kind = XLMIG_QMP_RETURN;
        if (f && (!YAJL_IS_INTEGER(f) || YAJL_GET_INTEGER(f) < 0 ||
                  YAJL_GET_INTEGER(f) > 0x7fffffff))
            return bad(what, "\"fdset-id\" is not a small integer");
        if (f)
            r->fdset_id = YAJL_GET_INTEGER(f);
        return 0;
    }
    if ((x = member(root, "error")))
        return parse_error(x, r, what);
    x = member(root, "event");
    if (YAJL_IS_STRING(x)) {
        r->kind = XLMIG_QMP_EVENT;
        printable(r->event, sizeof(r->event), YAJL_GET_STRING(x));
        return 0;
    }
    return bad(what, "message is neither a return, an error nor an event");
}

int xlmig_qmp_reply_parse(const char *buf, size_t len, const char *what,
                          xlmig_qmp_reply *r)
{
    yajl_val root = NULL, id;
    char err[128] = "";
    int rc;

    memset(r, 0, sizeof(*r));
    r->id = -1;
    r->fdset_id = -1;
    if (len > XLMIG_QMP_LINE_MAX)
        return bad(what, "message longer than its bound");
    if (memchr(buf, 0, len))
        return bad(what, "message holds a NUL byte");
    rc = xlmig_json_parse(buf, len, what, &root, err, sizeof(err));
    if (rc == XLMIG_E_INVAL) {
        xlmig_err(XLMIG_E_PROTO, "%s: QMP message is not JSON (%s)", what,
                  err);
        rc = XLMIG_E_PROTO;
    }
    if (rc)
        goto out;
    if (!YAJL_IS_OBJECT(root)) {
        rc = bad(what, "message is not a JSON object");
        goto out;
    }
    rc = parse_kind(root, r, what);
    if (rc)
        goto out;
    id = member(root, "id");
    if (id && (!YAJL_IS_INTEGER(id) || YAJL_GET_INTEGER(id) < 0)) {
        rc = bad(what, "\"id\" is not a non-negative integer");
        goto out;
    }
    if (id)
        r->id = YAJL_GET_INTEGER(id);
out:
    yajl_tree_free(root);
    return rc;
}

void xlmig_qmp_init(xlmig_qmp *q)
{
    memset(q, 0, sizeof(*q));
    q->fd = -1;
    q->next_id = 1;
}

void xlmig_qmp_dispose(xlmig_qmp *q)
{
    if (q->fd >= 0)
        close(q->fd);
    free(q->buf);
    xlmig_qmp_init(q);
}

static int wait_fd(xlmig_qmp *q, short ev, uint64_t deadline,
                   const char *doing)
{
    struct pollfd pf = { q->fd, ev, 0 };
    int r, ms;

    for (;;) {
        ms = xlmig_ms_until(deadline, xlmig_now_ns());
        if (!ms) {
            xlmig_err(XLMIG_E_TIMEOUT, "%s: no QMP answer while %s",
                      q->what, doing);
            return XLMIG_E_TIMEOUT;
        }
        r = poll(&pf, 1, ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            xlmig_err(XLMIG_E_IO, "%s: poll: %s", q->what, strerror(errno));
            return XLMIG_E_IO;
        }
        if (r > 0)
            return 0;
    }
}

/* The next whole line into *line (NUL-terminated in q->buf, "\r\n" or
 * "\n" cut), *used bytes to drop once it has been read. */
static int read_line(xlmig_qmp *q, uint64_t deadline, const char *doing,
                     char **line, size_t *used)
{
    char *nl;
    ssize_t r;
    int rc;

    for (;;) {
        nl = q->len ? memchr(q->buf, '\n', q->len) : NULL;
        if (nl) {
            *used = (size_t)(nl - q->buf) + 1;
            *nl = 0;
            if (nl > q->buf && nl[-1] == '\r')
                nl[-1] = 0;
            *line = q->buf;
            return 0;
        }
        if (q->len > XLMIG_QMP_LINE_MAX)
            return bad(q->what, "message longer than its bound");
        rc = wait_fd(q, POLLIN, deadline, doing);
        if (rc)
            return rc;
        r = read(q->fd, q->buf + q->len, XLMIG_QMP_LINE_MAX + 2 - q->len);
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (r <= 0) {
            xlmig_err(XLMIG_E_BACKEND, "%s: QMP socket closed while %s"
                      " (device model gone?)", q->what, doing);
            return XLMIG_E_BACKEND;
        }
        q->len += (size_t)r;
    }
}

static void drop_line(xlmig_qmp *q, size_t used)
{
    memmove(q->buf, q->buf + used, q->len - used);
    q->len -= used;
}

/* Read the next message that is not an event. */
static int next_reply(xlmig_qmp *q, uint64_t deadline, const char *doing,
                      xlmig_qmp_reply *r)
{
    char *line;
    size_t used;
    int rc;

    do {
        rc = read_line(q, deadline, doing, &line, &used);
        if (rc)
            return rc;
        rc = xlmig_qmp_reply_parse(line, strlen(line), q->what, r);
        if (!rc && used - 1 > strlen(line) + 1)
            rc = bad(q->what, "message holds a NUL byte");
        drop_line(q, used);
        if (rc)
            return rc;
    } while (r->kind == XLMIG_QMP_EVENT);
    return 0;
}

static int send_all(xlmig_qmp *q, const unsigned char *p, size_t len,
                    int pass_fd, uint64_t deadline, const char *doing)
{
    char ctl[CMSG_SPACE(sizeof(int))];
    ssize_t r;
    int rc;

    while (len) {
        struct iovec iov = { (void *)p, len };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

        if (pass_fd >= 0) {
            struct cmsghdr *c;

            memset(ctl, 0, sizeof(ctl));
            mh.msg_control = ctl;
            mh.msg_controllen = sizeof(ctl);
            c = CMSG_FIRSTHDR(&mh);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(sizeof(int));
            memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
        }
        rc = wait_fd(q, POLLOUT, deadline, doing);
        if (rc)
            return rc;
        r = sendmsg(q->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (r < 0) {
            xlmig_err(XLMIG_E_BACKEND, "%s: QMP socket: %s while %s"
                      " (device model gone?)", q->what, strerror(errno),
                      doing);
            return XLMIG_E_BACKEND;
        }
        pass_fd = -1;           /* the fd went with the first byte */
        p += r;
        len -= (size_t)r;
    }
    return 0;
}

static int gen_command(yajl_gen g, const char *cmd, const xlmig_qmp_arg *a,
                       unsigned n, long long id)
{
    unsigned i;

    yajl_gen_map_open(g);
    yajl_gen_string(g, (const unsigned char *)"execute", 7);
    yajl_gen_string(g, (const unsigned char *)cmd, strlen(cmd));
    if (n) {
        yajl_gen_string(g, (const unsigned char *)"arguments", 9);
        yajl_gen_map_open(g);
        for (i = 0; i < n; i++) {
            yajl_gen_string(g, (const unsigned char *)a[i].key,
                            strlen(a[i].key));
            if (a[i].str)
                yajl_gen_string(g, (const unsigned char *)a[i].str,
                                strlen(a[i].str));
            else
                yajl_gen_bool(g, a[i].b);
        }
        yajl_gen_map_close(g);
    }
    yajl_gen_string(g, (const unsigned char *)"id", 2);
    yajl_gen_integer(g, id);
    return yajl_gen_map_close(g) == yajl_gen_status_ok ? 0 : XLMIG_E_INVAL;
}

int xlmig_qmp_exec(xlmig_qmp *q, const char *cmd, const xlmig_qmp_arg *args,
                   unsigned nargs, int pass_fd, uint64_t timeout_ns,
                   xlmig_qmp_reply *r)
{
    uint64_t deadline = xlmig_now_ns() + timeout_ns;
    const unsigned char *out;
    xlmig_qmp_reply mine;
    yajl_gen g = NULL;
    char doing[96];
    long long id = q->next_id++;
    size_t olen;
    int rc;

    if (!r)
        r = &mine;
    snprintf(doing, sizeof(doing), "running %s", cmd);
    g = yajl_gen_alloc(NULL);
    if (!g)
        return XLMIG_E_NOMEM;
    rc = gen_command(g, cmd, args, nargs, id);
    if (!rc && (yajl_gen_get_buf(g, &out, &olen) != yajl_gen_status_ok))
        rc = XLMIG_E_NOMEM;
    if (rc)
        goto out;
    rc = send_all(q, out, olen, pass_fd, deadline, doing);
    if (!rc)
        rc = send_all(q, (const unsigned char *)"\n", 1, -1, deadline,
                      doing);
    if (rc)
        goto out;
    rc = next_reply(q, deadline, doing, r);
    if (rc)
        goto out;
    if (r->kind == XLMIG_QMP_GREETING ||
        (r->id != id && !(r->id < 0 && r->kind == XLMIG_QMP_ERROR))) {
        rc = bad(q->what, "answer does not belong to the command sent");
        goto out;
    }
    if (r->kind == XLMIG_QMP_ERROR) {
        xlmig_err(XLMIG_E_BACKEND, "%s: %s failed: %s (%s)", q->what, cmd,
                  r->err_desc, r->err_class);
        rc = XLMIG_E_BACKEND;
    }
out:
    yajl_gen_free(g);
    return rc;
}

int xlmig_qmp_open_fd(xlmig_qmp *q, int fd, const char *what,
                      uint64_t timeout_ns)
{
    uint64_t deadline = xlmig_now_ns() + timeout_ns;
    xlmig_qmp_reply r;
    int rc;

    q->fd = fd;
    snprintf(q->what, sizeof(q->what), "%s", what);
    q->buf = malloc(XLMIG_QMP_LINE_MAX + 2);
    if (!q->buf)
        return XLMIG_E_NOMEM;
    rc = next_reply(q, deadline, "waiting for its greeting", &r);
    if (rc)
        return rc;
    if (r.kind != XLMIG_QMP_GREETING)
        return bad(q->what, "first message is not a greeting");
    return xlmig_qmp_exec(q, "qmp_capabilities", NULL, 0, -1,
                          XLMIG_MS(xlmig_ms_until(deadline,
                                                  xlmig_now_ns())), NULL);
}

int xlmig_qmp_connect(xlmig_qmp *q, const char *dir, uint32_t domid,
                      uint64_t timeout_ns)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    char what[48];
    int fd, n;

    snprintf(what, sizeof(what), "QEMU of domain %u", domid);
    n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/qmp-libxl-%u",
                 dir ? dir : XLMIG_QMP_DIR, domid);
    if (n < 0 || (size_t)n >= sizeof(sa.sun_path)) {
        xlmig_err(XLMIG_E_INVAL, "%s: QMP socket path too long", what);
        return XLMIG_E_INVAL;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        xlmig_err(XLMIG_E_IO, "%s: socket: %s", what, strerror(errno));
        return XLMIG_E_IO;
    }
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
        xlmig_err(XLMIG_E_BACKEND, "%s: cannot reach its QMP socket %s:"
                  " %s", what, sa.sun_path, strerror(errno));
        close(fd);
        return XLMIG_E_BACKEND;
    }
    return xlmig_qmp_open_fd(q, fd, what, timeout_ns);
}

int xlmig_qmp_set_dirty_log(const char *dir, uint32_t domid, bool enable,
                            uint64_t timeout_ns)
{
    xlmig_qmp_arg a = { "enable", NULL, enable };
    uint64_t deadline = xlmig_now_ns() + timeout_ns;
    xlmig_qmp q;
    int rc;

    xlmig_qmp_init(&q);
    rc = xlmig_qmp_connect(&q, dir, domid, timeout_ns);
    if (rc)
        goto out;
    rc = xlmig_qmp_exec(&q, "xen-set-global-dirty-log", &a, 1, -1,
                        XLMIG_MS(xlmig_ms_until(deadline, xlmig_now_ns())),
                        NULL);
out:
    xlmig_qmp_dispose(&q);
    return rc;
}
