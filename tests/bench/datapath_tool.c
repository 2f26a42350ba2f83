/*
 * The tool's simulated migration, with its JSON events read as they
 * come: CPU is sampled on both sides when pre-copy begins and when it
 * ends, so that filling and verifying the simulated guest's memory is
 * not counted as data path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "dpbench.h"

#define MAX_ARGS 48

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

bool dp_tool_has(const char *tool, const char *opt)
{
    char *line = NULL;
    size_t cap = 0;
    bool found = false;
    FILE *in;
    int fds[2];
    pid_t pid;

    if (pipe(fds))
        return false;
    pid = fork();
    if (pid < 0)
        return false;
    if (!pid) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        execl(tool, tool, "help", "migrate", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    in = fdopen(fds[0], "r");
    while (in && getline(&line, &cap, in) > 0)
        found |= strstr(line, opt) != NULL;
    free(line);
    if (in)
        fclose(in);
    waitpid(pid, NULL, 0);
    return found;
}

int dp_migrate(const char *tool, double gib, const char *const *extra,
               const dp_sshd *d, const char *json_out, dp_result *r)
{
    char mib[32], recv_cmd[4096], ssh_cmd[160], *line = NULL;
    const char *argv[MAX_ARGS];
    double c0s = -1, c0d = -1, c1s = -1, c1d = -1, precopy_s = -1;
    double final_pages = -1;
    pid_t pid, dst = 0;
    size_t cap = 0;
    FILE *in = NULL, *out = NULL;
    int fds[2], st, rc = -1, n = 0;

    snprintf(mib, sizeof(mib), "%.0f", gib * 1024);
    snprintf(recv_cmd, sizeof(recv_cmd), "%s --receive --sim", tool);
    argv[n++] = tool;
    argv[n++] = "--sim";
    argv[n++] = "--sim-mem";
    argv[n++] = mib;
    argv[n++] = "--sim-profile";
    argv[n++] = "idle";
    argv[n++] = "--json";
    /* The data path itself: the codec would send fewer bytes. */
    argv[n++] = "--compress";
    argv[n++] = "off";
    while (extra && *extra && n < MAX_ARGS - 8)
        argv[n++] = *extra++;
    if (d) {
        snprintf(ssh_cmd, sizeof(ssh_cmd), "ssh -F %s", d->config);
        argv[n++] = "-s";
        argv[n++] = ssh_cmd;
        argv[n++] = "--receiver-cmd";
        argv[n++] = recv_cmd;
        argv[n++] = "guest";
        argv[n++] = "127.0.0.1";
    } else {
        argv[n++] = "-s";
        argv[n++] = "";
        argv[n++] = "guest";
        argv[n++] = recv_cmd;
    }
    argv[n] = NULL;
    if (pipe(fds))
        return -1;
    pid = fork();
    if (pid < 0)
        return -1;
    if (!pid) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execv(tool, (char *const *)argv);
        perror(tool);
        _exit(127);
    }
    close(fds[1]);
    in = fdopen(fds[0], "r");
    if (json_out)
        out = fopen(json_out, "w");
    r->bytes = -1;
    r->mem_bytes = gib * DP_GIB;
    while (in && getline(&line, &cap, in) > 0) {
        yajl_val v = yajl_tree_parse(line, NULL, 0);
        const char *ev = v ? json_str(v, "event") : NULL;
        const char *ph = v ? json_str(v, "phase") : NULL;

        if (out)
            fputs(line, out);
        if (ev && !strcmp(ev, "phase") && ph && !strcmp(ph, "precopy")) {
            dst = d ? dp_sshd_receiver(d) : child_of(pid);
            c0s = dp_proc_cpu(pid);
            c0d = dst ? dp_proc_cpu(dst) : -1;
        } else if (ev && !strcmp(ev, "phase") && ph &&
                   !strcmp(ph, "switchover")) {
            c1s = dp_proc_cpu(pid);
            c1d = dst ? dp_proc_cpu(dst) : -1;
        } else if (ev && !strcmp(ev, "report")) {
            r->bytes = json_num(v, "bytes_sent");
            precopy_s = json_num(v, "precopy_s");
            r->total_s = json_num(v, "total_s");
            r->downtime_ms = json_num(v, "downtime_ms");
            final_pages = json_num(v, "final_pages");
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
    if (r->bytes <= 0 || precopy_s <= 0 || r->total_s <= 0 || c0s < 0 ||
        c1s < 0) {
        fprintf(stderr, "bench-datapath: no report or no CPU samples\n");
        goto out;
    }
    /* An idle guest leaves (almost) nothing for the final round. */
    if (final_pages > 1024)
        fprintf(stderr, "bench-datapath: warning: %.0f pages left for the"
                " final round\n", final_pages);
    r->wall_s = precopy_s;
    r->cpu_src_s = c1s - c0s;
    r->cpu_dst_s = c0d >= 0 && c1d >= 0 ? c1d - c0d : -1;
    rc = 0;
out:
    return rc;
}
