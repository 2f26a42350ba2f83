/*
 * bench-datapath: the simulator's real migration stream (source and
 * destination processes) moving N GiB of guest memory, against plain
 * copies of the same number of bytes over loopback TCP and over a pipe,
 * measured in the same run. CPU time is sampled from /proc over the
 * pre-copy window of each side, so that filling and verifying the
 * simulated guest's memory is not counted as data path.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#define GIB (1024.0 * 1024.0 * 1024.0)
#define BUF (1 << 20)

typedef struct {
    double wall_s;              /* the bytes' transfer window */
    double bytes;
    double cpu_src_s, cpu_dst_s;
    double downtime_ms;         /* the migration's, from its report */
} dp_result;

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv_s(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* utime + stime of a process, seconds; -1 if it is gone. */
static double proc_cpu(pid_t pid)
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

/* The first child of pid, going through a shell in between. */
static pid_t child_of(pid_t parent)
{
    char path[64], comm[64];
    pid_t pid = 0;
    FILE *f;
    int i;

    for (i = 0; i < 2; i++) {
        snprintf(path, sizeof(path), "/proc/%d/task/%d/children",
                 (int)parent, (int)parent);
        f = fopen(path, "r");
        if (!f || fscanf(f, "%d", &pid) != 1)
            pid = 0;
        if (f)
            fclose(f);
        if (!pid)
            return 0;
        snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
        f = fopen(path, "r");
        if (!f)
            return pid;
        if (!fgets(comm, sizeof(comm), f))
            comm[0] = 0;
        fclose(f);
        if (strcmp(comm, "sh\n") && strcmp(comm, "dash\n") &&
            strcmp(comm, "bash\n"))
            return pid;
        parent = pid;
    }
    return pid;
}

static const char *json_str(yajl_val v, const char *key)
{
    const char *path[] = { key, NULL };
    yajl_val s = yajl_tree_get(v, path, yajl_t_string);

    return s ? YAJL_GET_STRING(s) : NULL;
}

static double json_num(yajl_val v, const char *key)
{
    const char *path[] = { key, NULL };
    yajl_val n = yajl_tree_get(v, path, yajl_t_number);

    return n ? YAJL_GET_DOUBLE(n) : -1;
}

/*
 * The migration, with its JSON events read as they come: CPU is
 * sampled on both sides when pre-copy begins and when it ends.
 */
static int run_stream(const char *tool, double gib, const char *json_out,
                      dp_result *r)
{
    char mib[32], recv_cmd[4096], *line = NULL;
    double c0s = -1, c0d = -1, c1s = -1, c1d = -1, precopy_s = -1;
    double final_pages = -1;
    pid_t pid, dst = 0;
    size_t cap = 0;
    FILE *in = NULL, *out = NULL;
    int fds[2], st, rc = -1;

    snprintf(mib, sizeof(mib), "%.0f", gib * 1024);
    snprintf(recv_cmd, sizeof(recv_cmd), "%s --receive --sim", tool);
    if (pipe(fds))
        return -1;
    pid = fork();
    if (pid < 0)
        return -1;
    if (!pid) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execl(tool, tool, "--sim", "--sim-mem", mib, "--sim-profile", "idle",
              "--json", "-s", "", "guest", recv_cmd, (char *)NULL);
        perror(tool);
        _exit(127);
    }
    close(fds[1]);
    in = fdopen(fds[0], "r");
    if (json_out)
        out = fopen(json_out, "w");
    r->bytes = -1;
    while (in && getline(&line, &cap, in) > 0) {
        yajl_val v = yajl_tree_parse(line, NULL, 0);
        const char *ev = v ? json_str(v, "event") : NULL;
        const char *ph = v ? json_str(v, "phase") : NULL;

        if (out)
            fputs(line, out);
        if (ev && !strcmp(ev, "phase") && ph && !strcmp(ph, "precopy")) {
            dst = child_of(pid);
            c0s = proc_cpu(pid);
            c0d = dst ? proc_cpu(dst) : -1;
        } else if (ev && !strcmp(ev, "phase") && ph &&
                   !strcmp(ph, "switchover")) {
            c1s = proc_cpu(pid);
            c1d = dst ? proc_cpu(dst) : -1;
        } else if (ev && !strcmp(ev, "report")) {
            r->bytes = json_num(v, "bytes_sent");
            precopy_s = json_num(v, "precopy_s");
            final_pages = json_num(v, "final_pages");
            r->downtime_ms = json_num(v, "downtime_ms");
        }
        yajl_tree_free(v);
    }
    free(line);
    if (in)
        fclose(in);
    if (out)
        fclose(out);
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
        WEXITSTATUS(st)) {
        fprintf(stderr, "bench-datapath: the migration failed\n");
        goto out;
    }
    if (r->bytes <= 0 || precopy_s <= 0 || c0s < 0 || c1s < 0 || c0d < 0 ||
        c1d < 0) {
        fprintf(stderr, "bench-datapath: no report or no CPU samples\n");
        goto out;
    }
    /* An idle guest leaves (almost) nothing for the final round. */
    if (final_pages > 1024)
        fprintf(stderr, "bench-datapath: warning: %.0f pages left for the"
                " final round\n", final_pages);
    r->wall_s = precopy_s;
    r->cpu_src_s = c1s - c0s;
    r->cpu_dst_s = c1d - c0d;
    rc = 0;
out:
    return rc;
}

static void fill(char *buf)
{
    size_t i;

    for (i = 0; i < BUF; i++)
        buf[i] = (char)(i * 131 + 7);
}

static void write_all(int fd, double bytes)
{
    static char buf[BUF];
    double left = bytes;

    fill(buf);
    while (left > 0) {
        size_t n = left < BUF ? (size_t)left : BUF;
        ssize_t w = write(fd, buf, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            _exit(1);
        left -= (double)w;
    }
    _exit(0);
}

static void read_all(int fd)
{
    static char buf[BUF];
    ssize_t n;

    while ((n = read(fd, buf, BUF)) != 0)
        if (n < 0 && errno != EINTR)
            _exit(1);
    _exit(0);
}

/*
 * Into fresh memory, as a destination must put a guest's pages, mapped
 * and populated in one pass as the simulator's destination does.
 */
static void read_fresh(int fd, double bytes)
{
    size_t len = (size_t)bytes, got = 0;
    char *mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    ssize_t n;

    if (mem == MAP_FAILED)
        _exit(1);
    while (got < len && (n = read(fd, mem + got, len - got < BUF ?
                                  len - got : BUF)) != 0) {
        if (n < 0 && errno != EINTR)
            _exit(1);
        if (n > 0)
            got += (size_t)n;
    }
    read_all(fd);
}

/* Wait for both copy processes; their own CPU from wait4. */
static int reap(pid_t src, pid_t dst, double t0, dp_result *r)
{
    struct rusage ru;
    int st, bad = 0, i;
    pid_t p;

    for (i = 0; i < 2; i++) {
        p = wait4(-1, &st, 0, &ru);
        if (p < 0)
            return -1;
        bad |= !WIFEXITED(st) || WEXITSTATUS(st);
        if (p == src)
            r->cpu_src_s = tv_s(ru.ru_utime) + tv_s(ru.ru_stime);
        else if (p == dst)
            r->cpu_dst_s = tv_s(ru.ru_utime) + tv_s(ru.ru_stime);
    }
    r->wall_s = now_s() - t0;
    return bad ? -1 : 0;
}

static int tcp_copy(double bytes, bool fresh, dp_result *r)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t len = sizeof(a);
    pid_t src, dst;
    double t0;
    int ls, fd;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ls = socket(AF_INET, SOCK_STREAM, 0);
    if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof(a)) ||
        listen(ls, 1) || getsockname(ls, (struct sockaddr *)&a, &len))
        return -1;
    r->bytes = bytes;
    t0 = now_s();
    dst = fork();
    if (!dst) {
        fd = accept(ls, NULL, NULL);
        if (fd < 0)
            _exit(1);
        if (fresh)
            read_fresh(fd, bytes);
        read_all(fd);
    }
    src = fork();
    if (!src) {
        fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)))
            _exit(1);
        write_all(fd, bytes);
    }
    close(ls);
    if (src < 0 || dst < 0)
        return -1;
    return reap(src, dst, t0, r);
}

static int pipe_copy(double bytes, dp_result *r)
{
    pid_t src, dst;
    double t0;
    int fds[2];

    if (pipe(fds))
        return -1;
    /* As the tool's own transport pipes. */
    fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
    r->bytes = bytes;
    t0 = now_s();
    dst = fork();
    if (!dst) {
        close(fds[1]);
        read_all(fds[0]);
    }
    src = fork();
    if (!src) {
        close(fds[0]);
        write_all(fds[1], bytes);
    }
    close(fds[0]);
    close(fds[1]);
    if (src < 0 || dst < 0)
        return -1;
    return reap(src, dst, t0, r);
}

/* Keep the fastest of several runs: others' load only ever slows. */
static void keep_best(dp_result *best, const dp_result *r)
{
    if (!(best->wall_s > 0) ||
        r->bytes / r->wall_s > best->bytes / best->wall_s)
        *best = *r;
}

static void print(const char *what, const dp_result *r)
{
    double g = r->bytes / GIB;

    printf("   %-27s %5.2f GiB in %6.3f s = %5.2f GiB/s; CPU per GiB: "
           "source %.3f s, destination %.3f s\n", what, g, r->wall_s,
           g / r->wall_s, r->cpu_src_s / g, r->cpu_dst_s / g);
}

int main(int argc, char **argv)
{
    static const struct option lo[] = {
        { "gib", 1, 0, 'g' }, { "tool", 1, 0, 't' },
        { "json-out", 1, 0, 'j' }, { "runs", 1, 0, 'r' },
        { "help", 0, 0, 'h' }, { 0, 0, 0, 0 },
    };
    const char *tool = "build/normal/xl-migrate-drbd", *json_out = NULL;
    dp_result s, t, f, p, one;
    double gib = 2, rt, rp, load[3] = { 0, 0, 0 }, down_max = -1;
    long runs = 3, i;
    char *end;
    int c;

    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (c) {
        case 'g':
            gib = strtod(optarg, &end);
            if (end == optarg || *end || !(gib > 0) || gib > 64) {
                fprintf(stderr, "bench-datapath: --gib: bad value \"%s\"\n",
                        optarg);
                return 2;
            }
            break;
        case 'r':
            runs = strtol(optarg, &end, 10);
            if (end == optarg || *end || runs < 1 || runs > 100) {
                fprintf(stderr, "bench-datapath: --runs: bad value "
                        "\"%s\"\n", optarg);
                return 2;
            }
            break;
        case 't': tool = optarg; break;
        case 'j': json_out = optarg; break;
        default:
            fprintf(c == 'h' ? stdout : stderr, "Usage: bench-datapath "
                    "[--gib N] [--runs N] [--tool PATH] [--json-out PATH]"
                    "\n");
            return c == 'h' ? 0 : 2;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    memset(&s, 0, sizeof(s));
    memset(&t, 0, sizeof(t));
    memset(&f, 0, sizeof(f));
    memset(&p, 0, sizeof(p));
    if (getloadavg(load, 3) < 0)
        load[0] = -1;
    printf("\n== data path: %.2f GiB of guest memory (idle simulated guest,"
           " loopback),\n   best of %ld interleaved runs; load average "
           "%.2f on %ld CPUs\n", gib, runs, load[0],
           sysconf(_SC_NPROCESSORS_ONLN));
    /* Interleaved, so that a burst of load hits all three alike. */
    for (i = 0; i < runs; i++) {
        memset(&one, 0, sizeof(one));
        if (run_stream(tool, gib, json_out, &one))
            return 1;
        /* Every run's downtime counts: the worst is the one shown. */
        if (one.downtime_ms > down_max)
            down_max = one.downtime_ms;
        keep_best(&s, &one);
        memset(&one, 0, sizeof(one));
        if (tcp_copy(s.bytes, false, &one)) {
            fprintf(stderr, "bench-datapath: plain TCP copy failed\n");
            return 1;
        }
        keep_best(&t, &one);
        memset(&one, 0, sizeof(one));
        if (tcp_copy(s.bytes, true, &one)) {
            fprintf(stderr, "bench-datapath: TCP copy to fresh memory "
                    "failed\n");
            return 1;
        }
        keep_best(&f, &one);
        memset(&one, 0, sizeof(one));
        if (pipe_copy(s.bytes, &one)) {
            fprintf(stderr, "bench-datapath: plain pipe copy failed\n");
            return 1;
        }
        keep_best(&p, &one);
    }
    print("xl-migrate-drbd --sim", &s);
    print("plain TCP copy (loopback)", &t);
    print("TCP copy into fresh memory", &f);
    print("plain pipe copy", &p);
    rt = (s.bytes / s.wall_s) / (t.bytes / t.wall_s);
    rp = (s.bytes / s.wall_s) / (p.bytes / p.wall_s);
    printf("   stream / plain TCP:  x%.2f (target >= 0.9) %s\n", rt,
           rt >= 0.9 ? "ok" : "MISS");
    printf("   stream / plain pipe: x%.2f (the transport it really uses "
           "with -s \"\")\n", rp);
    printf("   stream / TCP into fresh memory: x%.2f (populating the "
           "destination's memory included in both)\n",
           (s.bytes / s.wall_s) / (f.bytes / f.wall_s));
    printf("   idle %.2f GiB guest, downtime (worst of %ld): %.1f ms "
           "(target <= 20) %s\n", gib, runs, down_max,
           down_max >= 0 && down_max <= 20 ? "ok" : "MISS");
    return 0;
}
