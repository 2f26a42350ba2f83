/*
 * A throwaway sshd for the bench: host and user keys made in a temp
 * dir, listening on a free loopback port, only key login for this user,
 * only aes128-gcm@openssh.com; the client's config beside them, so that
 * "ssh -F <dir>/ssh_config x" reaches it. Stopped and removed after.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dpbench.h"

#define SSHD "/usr/sbin/sshd"
#define CIPHER "aes128-gcm@openssh.com"

static const char *const files[] = {
    "host_key", "host_key.pub", "id", "id.pub", "authorized_keys",
    "sshd_config", "ssh_config", "known_hosts", "known_hosts.old",
    "sshd.log", NULL,
};

/* Run argv (no shell), its output to /dev/null; 0 if it exited 0. */
static int run(char *const argv[])
{
    pid_t pid = fork();
    int st, fd;

    if (pid < 0)
        return -1;
    if (!pid) {
        fd = open("/dev/null", O_RDWR);
        if (fd >= 0) {
            dup2(fd, 0);
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -1;
}

static int keygen(const char *dir, const char *name)
{
    char path[128];
    char *argv[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
                     "xlmig-bench", "-f", path, NULL };

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return run(argv);
}

static int copy_file(const char *from, const char *to)
{
    char buf[4096];
    FILE *in = fopen(from, "r"), *out = fopen(to, "w");
    size_t n;
    int rc = in && out ? 0 : -1;

    while (!rc && (n = fread(buf, 1, sizeof(buf), in)) > 0)
        rc = fwrite(buf, 1, n, out) == n ? 0 : -1;
    if (in)
        fclose(in);
    if (out && fclose(out))
        rc = -1;
    return rc;
}

/* The first line of a file (sshd's complaint), or "?". */
static void first_line(const char *path, char *out, size_t len)
{
    FILE *f = fopen(path, "r");

    if (!f || !fgets(out, (int)len, f))
        snprintf(out, len, "?");
    out[strcspn(out, "\n")] = 0;
    if (f)
        fclose(f);
}

/* A loopback port nobody listens on now. */
static unsigned free_port(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t len = sizeof(a);
    unsigned port = 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
        !getsockname(fd, (struct sockaddr *)&a, &len))
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static bool answers(unsigned port)
{
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port) };
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    bool ok;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = fd >= 0 && !connect(fd, (struct sockaddr *)&a, sizeof(a));
    if (fd >= 0)
        close(fd);
    return ok;
}

static int write_configs(dp_sshd *d, const char *user)
{
    char path[128];
    FILE *f;
    int rc;

    snprintf(path, sizeof(path), "%s/sshd_config", d->dir);
    f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "ListenAddress 127.0.0.1:%u\nHostKey %s/host_key\n"
            "AuthorizedKeysFile %s/authorized_keys\nPidFile none\n"
            "UsePAM no\nStrictModes no\nPasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\nPubkeyAuthentication yes\n"
            "PermitRootLogin prohibit-password\nAllowUsers %s\n"
            "Ciphers " CIPHER "\nCompression no\nX11Forwarding no\n"
            "AllowTcpForwarding no\nPrintMotd no\nLogLevel ERROR\n",
            d->port, d->dir, d->dir, user);
    rc = fclose(f) ? -1 : 0;
    snprintf(d->config, sizeof(d->config), "%s/ssh_config", d->dir);
    f = fopen(d->config, "w");
    if (!f)
        return -1;
    fprintf(f, "Host *\n  HostName 127.0.0.1\n  Port %u\n  User %s\n"
            "  IdentityFile %s/id\n  IdentitiesOnly yes\n  BatchMode yes\n"
            "  StrictHostKeyChecking no\n  UserKnownHostsFile %s/known_hosts"
            "\n  GlobalKnownHostsFile /dev/null\n  Ciphers " CIPHER "\n"
            "  Compression no\n  ControlMaster no\n  LogLevel ERROR\n",
            d->port, user, d->dir, d->dir);
    return fclose(f) || rc ? -1 : 0;
}

int dp_sshd_start(dp_sshd *d, char *why, size_t why_len)
{
    struct passwd *pw = getpwuid(getuid());
    char a[128], b[128], log[128];
    int i, fd, st, rc = -1;

    memset(d, 0, sizeof(*d));
    snprintf(d->dir, sizeof(d->dir), "/tmp/xlmig-bench-ssh-XXXXXX");
    if (access(SSHD, X_OK)) {
        snprintf(why, why_len, "no %s (apt-get install openssh-server)",
                 SSHD);
        d->dir[0] = 0;
        goto out;
    }
    if (!pw || !mkdtemp(d->dir)) {
        snprintf(why, why_len, "no user name or temp dir: %s",
                 strerror(errno));
        d->dir[0] = 0;
        goto out;
    }
    snprintf(a, sizeof(a), "%s/id.pub", d->dir);
    snprintf(b, sizeof(b), "%s/authorized_keys", d->dir);
    if (keygen(d->dir, "host_key") || keygen(d->dir, "id") ||
        copy_file(a, b)) {
        snprintf(why, why_len, "ssh-keygen failed in %s", d->dir);
        goto out;
    }
    /* sshd's privilege separation directory, as its service makes it. */
    if (!getuid())
        mkdir("/run/sshd", 0755);
    snprintf(log, sizeof(log), "%s/sshd.log", d->dir);
    for (i = 0; i < 3 && !d->pid; i++) {
        int k;

        d->port = free_port();
        snprintf(a, sizeof(a), "%s/sshd_config", d->dir);
        if (!d->port || write_configs(d, pw->pw_name)) {
            snprintf(why, why_len, "cannot write sshd's config");
            goto out;
        }
        d->pid = fork();
        if (d->pid < 0) {
            d->pid = 0;
            break;
        }
        if (!d->pid) {
            fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
            if (fd >= 0)
                dup2(fd, 2);
            execl(SSHD, SSHD, "-D", "-e", "-f", a, (char *)NULL);
            _exit(127);
        }
        for (k = 0; k < 100 && !answers(d->port); k++) {
            if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
                d->pid = 0;
                break;
            }
            usleep(50000);
        }
        if (d->pid && k == 100) {
            snprintf(why, why_len, "sshd did not answer on port %u",
                     d->port);
            goto out;
        }
    }
    if (!d->pid) {
        first_line(log, a, sizeof(a));
        snprintf(why, why_len, "sshd would not start: %s", a);
        goto out;
    }
    rc = 0;
out:
    if (rc)
        dp_sshd_stop(d);
    return rc;
}

void dp_sshd_stop(dp_sshd *d)
{
    char path[128];
    int i;

    if (d->pid > 0) {
        kill(d->pid, SIGTERM);
        waitpid(d->pid, NULL, 0);
    }
    d->pid = 0;
    if (!d->dir[0])
        return;
    for (i = 0; files[i]; i++) {
        snprintf(path, sizeof(path), "%s/%s", d->dir, files[i]);
        unlink(path);
    }
    rmdir(d->dir);
    d->dir[0] = 0;
}

/*
 * Timed from the remote's first word on: like the migration's pre-copy
 * time, the stream alone, not ssh's connection and key exchange.
 */
int dp_ssh_copy(const dp_sshd *d, double bytes, dp_result *r)
{
    struct rusage ru;
    pid_t src = -1, ssh, p;
    double t0 = 0, cpu = 0;
    int in[2], out[2], st, bad = 0, i;
    char word[8] = "";
    ssize_t got = 0;

    if (pipe(in))
        return -1;
    if (pipe(out)) {
        close(in[0]);
        close(in[1]);
        return -1;
    }
    r->bytes = bytes;
    ssh = fork();
    if (!ssh) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        execlp("ssh", "ssh", "-F", d->config, "-c", CIPHER, "bench",
               "echo ready; exec cat > /dev/null", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    if (ssh > 0)
        got = read(out[0], word, sizeof(word) - 1);
    if (got == 6 && !memcmp(word, "ready\n", 6)) {
        t0 = dp_now_s();
        src = fork();
        if (!src) {
            close(out[0]);
            dp_write_all(in[1], bytes);
        }
    }
    close(in[1]);
    close(out[0]);
    if (ssh < 0)
        return -1;
    for (i = 0; i < 2; i++) {
        if (i && src < 0)
            break;
        p = wait4(i ? src : ssh, &st, 0, &ru);
        if (p < 0)
            return -1;
        bad |= !WIFEXITED(st) || WEXITSTATUS(st);
        cpu += (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
               (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    }
    r->wall_s = dp_now_s() - t0;
    r->cpu_src_s = cpu;             /* the writer and the ssh client */
    r->cpu_dst_s = -1;              /* below the sshd: not ours to reap */
    if (src < 0)
        fprintf(stderr, "bench-datapath: ssh to the bench's sshd did not"
                " start the copy\n");
    return bad || src < 0 ? -1 : 0;
}

/* The parent of pid from /proc, and its command name. */
static pid_t parent_of(pid_t pid, char *comm, size_t comm_len)
{
    char path[64], buf[512], *p, *q;
    int ppid = 0;
    FILE *f;
    size_t n;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    f = fopen(path, "r");
    if (!f)
        return 0;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = 0;
    p = strchr(buf, '(');
    q = strrchr(buf, ')');
    if (!p || !q || q < p || sscanf(q + 2, "%*c %d", &ppid) != 1)
        return 0;
    if (comm) {
        n = (size_t)(q - p - 1) < comm_len - 1 ? (size_t)(q - p - 1)
                                               : comm_len - 1;
        memcpy(comm, p + 1, n);
        comm[n] = 0;
    }
    return ppid;
}

pid_t dp_sshd_receiver(const dp_sshd *d)
{
    struct dirent *e;
    char comm[32];
    pid_t found = 0, pid, up;
    DIR *dir = opendir("/proc");
    int depth;

    if (!dir || d->pid <= 0) {
        if (dir)
            closedir(dir);
        return 0;
    }
    while (!found && (e = readdir(dir))) {
        pid = (pid_t)atoi(e->d_name);
        if (pid <= 0 || !parent_of(pid, comm, sizeof(comm)) ||
            strcmp(comm, "xl-migrate-drbd"))
            continue;
        for (up = pid, depth = 0; up > 1 && depth < 6; depth++) {
            up = parent_of(up, NULL, 0);
            if (up == d->pid) {
                found = pid;
                break;
            }
        }
    }
    closedir(dir);
    /* The receiver itself, not a helper process it forked. */
    while (found && (up = parent_of(found, NULL, 0)) > 1 &&
           parent_of(up, comm, sizeof(comm)) &&
           !strcmp(comm, "xl-migrate-drbd"))
        found = up;
    return found;
}
