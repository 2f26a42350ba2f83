/*
 * The QMP client: its reply parser on good, bad, truncated, oversized
 * and error replies, and the client against a scripted QEMU on the
 * other end of a socket (events in between, an error answer, a QEMU
 * that dies or goes silent, an fd passed along).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "error.h"
#include "qmp.h"
#include "unit.h"

#define GREETING "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0," \
                 " \"minor\": 2, \"major\": 7}}, \"capabilities\": []}}\r\n"

static int parse(const char *s, xlmig_qmp_reply *r)
{
    return xlmig_qmp_reply_parse(s, strlen(s), "QEMU of domain 3", r);
}

static void test_parse_good(void)
{
    xlmig_qmp_reply r;

    CU_ASSERT_EQUAL(parse(GREETING, &r), 0);
    CU_ASSERT_EQUAL(r.kind, XLMIG_QMP_GREETING);
    CU_ASSERT_EQUAL(parse("{\"return\": {}, \"id\": 7}", &r), 0);
    CU_ASSERT_EQUAL(r.kind, XLMIG_QMP_RETURN);
    CU_ASSERT_EQUAL(r.id, 7);
    CU_ASSERT_EQUAL(r.fdset_id, -1);
    CU_ASSERT_EQUAL(parse("{\"return\": {\"fdset-id\": 2, \"fd\": 9},"
                          " \"id\": 8}", &r), 0);
    CU_ASSERT_EQUAL(r.fdset_id, 2);
    CU_ASSERT_EQUAL(parse("{\"error\": {\"class\": \"GenericError\","
                          " \"desc\": \"no\\u0007 way\"}, \"id\": 9}", &r), 0);
    CU_ASSERT_EQUAL(r.kind, XLMIG_QMP_ERROR);
    CU_ASSERT_STRING_EQUAL(r.err_class, "GenericError");
    /* A bell from QEMU does not reach the operator's terminal. */
    CU_ASSERT_STRING_EQUAL(r.err_desc, "no? way");
    CU_ASSERT_EQUAL(parse("{\"event\": \"STOP\", \"timestamp\":"
                          " {\"seconds\": 1, \"microseconds\": 2}}", &r), 0);
    CU_ASSERT_EQUAL(r.kind, XLMIG_QMP_EVENT);
    CU_ASSERT_STRING_EQUAL(r.event, "STOP");
    CU_ASSERT_EQUAL(r.id, -1);
}

static void test_parse_bad(void)
{
    static const char *const bad[] = {
        "", "{", "[1]", "\"return\"", "{\"return\": {}, \"id\": -1}",
        "{\"return\": {}, \"id\": \"7\"}", "{\"id\": 7}",
        "{\"error\": {\"class\": \"X\"}}", "{\"error\": \"no\"}",
        "{\"return\": {\"fdset-id\": \"2\"}}",
        "{\"return\": {\"fdset-id\": 99999999999}}",
        "{\"event\": 5}", "{\"return\": {}, \"id\": 1.5}",
    };
    xlmig_qmp_reply r;
    char *deep, *big;
    unsigned i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        xlmig_err_clear();
        CU_ASSERT_EQUAL(parse(bad[i], &r), XLMIG_E_PROTO);
        CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "QEMU of domain 3"));
    }
    CU_ASSERT_EQUAL(xlmig_qmp_reply_parse("{\"return\":\0{}}", 14, "q", &r),
                    XLMIG_E_PROTO);
    deep = malloc(20001);
    CU_ASSERT_FATAL(deep != NULL);
    memset(deep, '[', 20000);
    deep[20000] = 0;
    CU_ASSERT_EQUAL(parse(deep, &r), XLMIG_E_PROTO);
    free(deep);
    big = malloc(XLMIG_QMP_LINE_MAX + 64);
    CU_ASSERT_FATAL(big != NULL);
    memset(big, ' ', XLMIG_QMP_LINE_MAX + 63);
    memcpy(big, "{\"return\": {}}", 14);
    big[XLMIG_QMP_LINE_MAX + 63] = 0;
    xlmig_err_clear();
    CU_ASSERT_EQUAL(parse(big, &r), XLMIG_E_PROTO);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "longer"));
    free(big);
    xlmig_err_clear();
}

/*
 * A scripted QEMU: sends the greeting, then for each line it reads
 * sends the next script entry. "CLOSE" hangs up, "SILENT" sends
 * nothing; "ECHOFD" writes "fd-ok" into an fd that came with the line.
 */
typedef struct {
    int fd;
    const char *const *script;
    char got[4][512];
    unsigned ngot;
} fake_qemu;

static ssize_t read_cmd(int fd, char *buf, size_t len, int *passed)
{
    char ctl[CMSG_SPACE(sizeof(int))];
    size_t off = 0;

    *passed = -1;
    while (off + 1 < len) {
        struct iovec iov = { buf + off, 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
                             .msg_control = ctl,
                             .msg_controllen = sizeof(ctl) };
        struct cmsghdr *c;
        ssize_t r = recvmsg(fd, &mh, 0);

        if (r <= 0)
            return -1;
        c = CMSG_FIRSTHDR(&mh);
        if (c && c->cmsg_type == SCM_RIGHTS)
            memcpy(passed, CMSG_DATA(c), sizeof(int));
        if (buf[off++] == '\n')
            break;
    }
    buf[off] = 0;
    return (ssize_t)off;
}

static void *fake_qemu_run(void *arg)
{
    fake_qemu *f = arg;
    unsigned i;
    int passed;

    if (write(f->fd, GREETING, strlen(GREETING)) < 0)
        return NULL;
    for (i = 0; f->script[i]; i++) {
        char *line = f->ngot < 4 ? f->got[f->ngot] : f->got[3];

        if (read_cmd(f->fd, line, sizeof(f->got[0]), &passed) < 0)
            break;
        f->ngot++;
        if (!strcmp(f->script[i], "CLOSE"))
            break;
        if (!strcmp(f->script[i], "SILENT"))
            continue;
        if (!strcmp(f->script[i], "ECHOFD")) {
            if (passed >= 0 && write(passed, "fd-ok", 5) == 5)
                close(passed);
            if (write(f->fd, "{\"return\": {\"fdset-id\": 1}, \"id\": 2}\n",
                      37) < 0)
                break;
            continue;
        }
        if (write(f->fd, f->script[i], strlen(f->script[i])) < 0)
            break;
    }
    shutdown(f->fd, SHUT_RDWR);
    close(f->fd);
    return NULL;
}

/* Connect a client to a scripted QEMU and run one command. */
static int run_one(const char *const *script, const xlmig_qmp_arg *args,
                   unsigned nargs, fake_qemu *f, int pass_fd)
{
    xlmig_qmp q;
    pthread_t t;
    int sv[2], rc;

    memset(f, 0, sizeof(*f));
    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    f->fd = sv[1];
    f->script = script;
    CU_ASSERT_FATAL(pthread_create(&t, NULL, fake_qemu_run, f) == 0);
    xlmig_qmp_init(&q);
    xlmig_err_clear();
    rc = xlmig_qmp_open_fd(&q, sv[0], "QEMU of domain 5", XLMIG_MS(2000));
    if (!rc)
        rc = xlmig_qmp_exec(&q, "xen-set-global-dirty-log", args, nargs,
                            pass_fd, XLMIG_MS(300), NULL);
    xlmig_qmp_dispose(&q);
    pthread_join(t, NULL);
    return rc;
}

static const xlmig_qmp_arg enable = { "enable", NULL, true };

static void test_client_ok(void)
{
    static const char *const script[] = {
        "{\"return\": {}, \"id\": 1}\r\n",
        "{\"event\": \"RESUME\", \"timestamp\": {}}\r\n"
        "{\"return\": {}, \"id\": 2}\r\n",
        NULL,
    };
    fake_qemu f;

    CU_ASSERT_EQUAL(run_one(script, &enable, 1, &f, -1), 0);
    CU_ASSERT_EQUAL(f.ngot, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.got[0], "\"qmp_capabilities\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(f.got[1], "\"execute\":"
                                  "\"xen-set-global-dirty-log\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(f.got[1], "\"arguments\":"
                                  "{\"enable\":true}"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f.got[1], "\"id\":2"));
}

static void test_client_error_answer(void)
{
    static const char *const script[] = {
        "{\"return\": {}, \"id\": 1}\n",
        "{\"error\": {\"class\": \"GenericError\", \"desc\": \"No dirty"
        " log\"}, \"id\": 2}\n",
        NULL,
    };
    fake_qemu f;

    CU_ASSERT_EQUAL(run_one(script, &enable, 1, &f, -1), XLMIG_E_BACKEND);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "xen-set-global-dirty-log"
                                  " failed: No dirty log"));
}

static void test_client_qemu_dies(void)
{
    static const char *const script[] = {
        "{\"return\": {}, \"id\": 1}\n", "CLOSE", NULL,
    };
    fake_qemu f;

    CU_ASSERT_EQUAL(run_one(script, &enable, 1, &f, -1), XLMIG_E_BACKEND);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "closed"));
}

static void test_client_silent(void)
{
    static const char *const script[] = {
        "{\"return\": {}, \"id\": 1}\n", "SILENT", "SILENT", NULL,
    };
    fake_qemu f;

    /* The second SILENT keeps QEMU's end open until the client goes. */
    CU_ASSERT_EQUAL(run_one(script, &enable, 1, &f, -1), XLMIG_E_TIMEOUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "no QMP answer"));
}

static void test_client_wrong_id_and_garbage(void)
{
    static const char *const wrong_id[] = {
        "{\"return\": {}, \"id\": 1}\n", "{\"return\": {}, \"id\": 1}\n", NULL,
    };
    static const char *const garbage[] = {
        "{\"return\": {}, \"id\": 1}\n", "Segmentation fault\n", NULL,
    };
    static const char *const no_greeting[] = { NULL };
    fake_qemu f;

    CU_ASSERT_EQUAL(run_one(wrong_id, &enable, 1, &f, -1), XLMIG_E_PROTO);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "does not belong"));
    CU_ASSERT_EQUAL(run_one(garbage, &enable, 1, &f, -1), XLMIG_E_PROTO);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "not JSON"));
    /* Greeting, then nothing and a hang-up: capabilities never answered. */
    CU_ASSERT_EQUAL(run_one(no_greeting, &enable, 1, &f, -1),
                    XLMIG_E_BACKEND);
}

static void *flood(void *arg)
{
    int fd = *(int *)arg;
    char chunk[4096];
    size_t sent = 0;

    memset(chunk, ' ', sizeof(chunk));
    chunk[0] = '{';
    while (sent < 2 * XLMIG_QMP_LINE_MAX) {
        ssize_t r = write(fd, chunk, sizeof(chunk));

        if (r <= 0)
            break;
        sent += (size_t)r;
        chunk[0] = ' ';
    }
    close(fd);
    return NULL;
}

static void test_client_oversized(void)
{
    xlmig_qmp q;
    pthread_t t;
    int sv[2];

    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    CU_ASSERT_FATAL(pthread_create(&t, NULL, flood, &sv[1]) == 0);
    xlmig_qmp_init(&q);
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_qmp_open_fd(&q, sv[0], "QEMU of domain 5",
                                      XLMIG_MS(2000)), XLMIG_E_PROTO);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "longer"));
    xlmig_qmp_dispose(&q);
    pthread_join(t, NULL);
}

static void test_client_passes_fd(void)
{
    static const char *const script[] = {
        "{\"return\": {}, \"id\": 1}\n", "ECHOFD", NULL,
    };
    char buf[8] = "";
    fake_qemu f;
    int p[2];

    CU_ASSERT_FATAL(pipe(p) == 0);
    CU_ASSERT_EQUAL(run_one(script, NULL, 0, &f, p[1]), 0);
    close(p[1]);
    CU_ASSERT_EQUAL(read(p[0], buf, sizeof(buf) - 1), 5);
    CU_ASSERT_STRING_EQUAL(buf, "fd-ok");
    close(p[0]);
}

typedef struct {
    int ls;
    fake_qemu f;
} fake_listener;

static void *accept_run(void *arg)
{
    fake_listener *l = arg;

    l->f.fd = accept(l->ls, NULL, NULL);
    if (l->f.fd >= 0)
        fake_qemu_run(&l->f);
    return NULL;
}

static void test_connect_by_domid(void)
{
    static const char *const script[] = {
        "{\"return\": {}, \"id\": 1}\n", "{\"return\": {}, \"id\": 2}\n",
        NULL,
    };
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    char dir[] = "/tmp/xlmig-qmp-XXXXXX";
    fake_listener l;
    pthread_t t;

    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/qmp-libxl-12", dir);
    memset(&l, 0, sizeof(l));
    l.f.script = script;
    l.ls = socket(AF_UNIX, SOCK_STREAM, 0);
    CU_ASSERT_FATAL(l.ls >= 0);
    CU_ASSERT_FATAL(bind(l.ls, (struct sockaddr *)&sa, sizeof(sa)) == 0);
    CU_ASSERT_FATAL(listen(l.ls, 1) == 0);
    /* No QEMU for domain 13: the socket's path is named. */
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_qmp_set_dirty_log(dir, 13, true, XLMIG_MS(500)),
                    XLMIG_E_BACKEND);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "qmp-libxl-13"));
    CU_ASSERT_FATAL(pthread_create(&t, NULL, accept_run, &l) == 0);
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_qmp_set_dirty_log(dir, 12, false, XLMIG_MS(2000)),
                    0);
    pthread_join(t, NULL);
    CU_ASSERT_EQUAL(l.f.ngot, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(l.f.got[1], "{\"enable\":false}"));
    close(l.ls);
    unlink(sa.sun_path);
    rmdir(dir);
}

static CU_TestInfo tests[] = {
    { "QMP replies that parse", test_parse_good },
    { "QMP replies refused", test_parse_bad },
    { "command answered after an event", test_client_ok },
    { "QEMU answers an error", test_client_error_answer },
    { "QEMU dies during a command", test_client_qemu_dies },
    { "QEMU goes silent", test_client_silent },
    { "wrong id, garbage, no answer", test_client_wrong_id_and_garbage },
    { "oversized message", test_client_oversized },
    { "an fd passed along", test_client_passes_fd },
    { "socket found by domain id", test_connect_by_domid },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("qmp", NULL, NULL, tests)
