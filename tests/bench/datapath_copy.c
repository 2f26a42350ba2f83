/*
 * The baselines without xlmig: n plain loopback TCP streams (a thread
 * each, one process a side), the same into freshly populated memory,
 * and a pipe. Each side's CPU comes from wait4, all threads included.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dpbench.h"

double dp_now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv_s(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

double dp_proc_cpu(pid_t pid)
{
    char path[64], buf[1024], *p;
    unsigned long ut, st;
    FILE *f;
    size_t n;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = 0;
    /* Fields after the command name, which may hold spaces. */
    p = strrchr(buf, ')');
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
                     "%lu %lu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

void dp_warm_memory(double bytes)
{
    void *m = mmap(NULL, (size_t)bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

    if (m != MAP_FAILED)
        munmap(m, (size_t)bytes);
}

static char pattern[DP_BUF];

/* Before any writer thread starts: they all read it. */
static void pattern_fill(void)
{
    size_t i;

    for (i = 0; i < DP_BUF; i++)
        pattern[i] = (char)(i * 131 + 7);
}

static int write_fd(int fd, double bytes)
{
    double left = bytes;

    while (left >= 1) {
        size_t n = left < DP_BUF ? (size_t)left : DP_BUF;
        ssize_t w = write(fd, pattern, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        left -= (double)w;
    }
    return 0;
}

void dp_write_all(int fd, double bytes)
{
    pattern_fill();
    _exit(write_fd(fd, bytes) ? 1 : 0);
}

/* Read fd to its end, into mem (len bytes, then a scratch buffer). */
static int read_fd(int fd, char *mem, size_t len)
{
    char *buf = malloc(DP_BUF);
    size_t got = 0;
    ssize_t n;
    int rc = 0;

    if (!buf)
        return -1;
    for (;;) {
        if (got < len)
            n = read(fd, mem + got, len - got < DP_BUF ? len - got : DP_BUF);
        else
            n = read(fd, buf, DP_BUF);
        if (n == 0)
            break;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = -1;
            break;
        }
        if (got < len)
            got += (size_t)n;
    }
    free(buf);
    return rc;
}

typedef struct {
    int fd;
    double bytes;               /* sender: to write */
    char *mem;                  /* receiver: where to (NULL: scratch) */
    size_t len;
    int rc;
} stream_job;

static void *send_job(void *arg)
{
    stream_job *j = arg;

    j->rc = write_fd(j->fd, j->bytes);
    close(j->fd);
    return NULL;
}

static void *recv_job(void *arg)
{
    stream_job *j = arg;

    j->rc = read_fd(j->fd, j->mem, j->len);
    return NULL;
}

/* Run one job a stream, each in its thread; 0 if all did well. */
static int run_jobs(stream_job *j, unsigned n, void *(*fn)(void *))
{
    pthread_t t[DP_MAX_STREAMS];
    unsigned i, started = 0;
    int rc = 0;

    for (i = 0; i < n; i++, started++)
        if (pthread_create(&t[i], NULL, fn, &j[i]))
            break;
    for (i = 0; i < started; i++) {
        pthread_join(t[i], NULL);
        rc |= j[i].rc;
    }
    return started == n ? rc : -1;
}

/* Stream i's share: whole pages, the last takes the rest. */
static double share(double bytes, unsigned n, unsigned i)
{
    double each = (double)((size_t)(bytes / n) & ~(size_t)4095);

    return i + 1 < n ? each : bytes - each * (n - 1);
}

static void receiver(int ls, double bytes, unsigned n, bool fresh)
{
    stream_job j[DP_MAX_STREAMS];
    char *mem = NULL;
    double off = 0;
    unsigned i;

    /* Fresh memory, as a destination must put a guest's pages. */
    if (fresh) {
        mem = mmap(NULL, (size_t)bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (mem == MAP_FAILED)
            _exit(1);
    }
    for (i = 0; i < n; i++) {
        j[i] = (stream_job){ .fd = accept(ls, NULL, NULL) };
        if (j[i].fd < 0)
            _exit(1);
        if (mem) {
            j[i].mem = mem + (size_t)off;
            j[i].len = (size_t)share(bytes, n, i);
        }
        off += share(bytes, n, i);
    }
    _exit(run_jobs(j, n, recv_job) ? 1 : 0);
}

static void sender(const struct sockaddr_in *a, double bytes, unsigned n)
{
    stream_job j[DP_MAX_STREAMS];
    unsigned i;

    pattern_fill();
    for (i = 0; i < n; i++) {
        j[i] = (stream_job){ .fd = socket(AF_INET, SOCK_STREAM, 0),
                             .bytes = share(bytes, n, i) };
        if (j[i].fd < 0 ||
            connect(j[i].fd, (const struct sockaddr *)a, sizeof(*a)))
            _exit(1);
    }
    _exit(run_jobs(j, n, send_job) ? 1 : 0);
}

/* Wait for both copy processes; their own CPU from wait4. */
int dp_reap(pid_t src, pid_t dst, double t0, dp_result *r)
{
    struct rusage ru;
    int st, bad = 0, i;
    pid_t p;

    for (i = 0; i < 2; i++) {
        p = wait4(i ? dst : src, &st, 0, &ru);
        if (p < 0)
            return -1;
        bad |= !WIFEXITED(st) || WEXITSTATUS(st);
        if (p == src)
            r->cpu_src_s = tv_s(ru.ru_utime) + tv_s(ru.ru_stime);
        else
            r->cpu_dst_s = tv_s(ru.ru_utime) + tv_s(ru.ru_stime);
    }
    r->wall_s = dp_now_s() - t0;
    return bad ? -1 : 0;
}

int dp_tcp_copy(double bytes, unsigned n, bool fresh, dp_result *r)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t len = sizeof(a);
    pid_t src, dst;
    double t0;
    int ls;

    if (n < 1 || n > DP_MAX_STREAMS)
        return -1;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ls = socket(AF_INET, SOCK_STREAM, 0);
    if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof(a)) ||
        listen(ls, (int)n) ||
        getsockname(ls, (struct sockaddr *)&a, &len)) {
        if (ls >= 0)
            close(ls);
        return -1;
    }
    r->bytes = bytes;
    t0 = dp_now_s();
    dst = fork();
    if (!dst)
        receiver(ls, bytes, n, fresh);
    src = fork();
    if (!src)
        sender(&a, bytes, n);
    close(ls);
    if (src < 0 || dst < 0)
        return -1;
    return dp_reap(src, dst, t0, r);
}

int dp_pipe_copy(double bytes, dp_result *r)
{
    pid_t src, dst;
    double t0;
    int fds[2];

    if (pipe(fds))
        return -1;
    /* As the tool's own transport pipes. */
    fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
    r->bytes = bytes;
    t0 = dp_now_s();
    dst = fork();
    if (!dst) {
        close(fds[1]);
        _exit(read_fd(fds[0], NULL, 0) ? 1 : 0);
    }
    src = fork();
    if (!src) {
        close(fds[0]);
        dp_write_all(fds[1], bytes);
    }
    close(fds[0]);
    close(fds[1]);
    if (src < 0 || dst < 0)
        return -1;
    return dp_reap(src, dst, t0, r);
}
