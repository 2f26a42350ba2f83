/*
 * bench-datapath's parts: plain copies (datapath_copy.c), a throwaway
 * sshd on loopback and copies through ssh (datapath_ssh.c), the tool's
 * simulated migration (datapath_tool.c); datapath.c runs them
 * interleaved and checks issue 16's targets.
 */
#ifndef XLMIG_DPBENCH_H
#define XLMIG_DPBENCH_H

#include <stdbool.h>
#include <sys/types.h>

#define DP_GIB (1024.0 * 1024.0 * 1024.0)
#define DP_BUF (1 << 20)
#define DP_MAX_STREAMS 16

typedef struct {
    double wall_s;              /* the bytes' transfer window */
    double bytes;
    double cpu_src_s, cpu_dst_s; /* < 0: not measured */
    double total_s;             /* migrations: the report's total_s */
    double mem_bytes;           /* migrations: guest memory */
    double downtime_ms;         /* migrations: the report's */
} dp_result;

double dp_now_s(void);
/* Wait for both sides, started at t0: their CPU and the wall time in r;
 * -1 if either failed. */
int dp_reap(pid_t src, pid_t dst, double t0, dp_result *r);
/* utime + stime of a process, seconds; -1 if it is gone. */
double dp_proc_cpu(pid_t pid);
/*
 * Touch and free bytes of memory, so that a run that takes fresh
 * memory next finds it as every other such run does: a hypervisor
 * with free page reporting takes freed pages back a few seconds
 * later, and the first touch after that costs several times more.
 */
void dp_warm_memory(double bytes);

/*
 * bytes over n loopback TCP connections (one thread each, a process a
 * side); fresh: the receiver maps and populates all of it first (in
 * the timed window) and receives into it, as a destination must.
 */
int dp_tcp_copy(double bytes, unsigned n, bool fresh, dp_result *r);
int dp_pipe_copy(double bytes, dp_result *r);
/* The writer's half of a copy, in a child: bytes into fd, then exit. */
void dp_write_all(int fd, double bytes) __attribute__((noreturn));

/* A throwaway sshd on a free loopback port, its keys in a temp dir. */
typedef struct {
    char dir[64];
    char config[96];            /* the client's: ssh -F config */
    pid_t pid;
    unsigned port;
} dp_sshd;

/* 0, or -1 with why (sshd missing, will not start). */
int dp_sshd_start(dp_sshd *d, char *why, size_t why_len);
void dp_sshd_stop(dp_sshd *d);
/* bytes through ssh -c aes128-gcm@openssh.com into cat > /dev/null. */
int dp_ssh_copy(const dp_sshd *d, double bytes, dp_result *r);
/* The receiver: an xl-migrate-drbd below the sshd; 0 if none. */
pid_t dp_sshd_receiver(const dp_sshd *d);

/*
 * The tool's simulated migration of an idle guest of gib GiB, its
 * extra options (NULL-ended) before <domain> <host>; through the sshd
 * if d, else with -s "" (the receiver a child). json_out: its events.
 */
int dp_migrate(const char *tool, double gib, const char *const *extra,
               const dp_sshd *d, const char *json_out, dp_result *r);
/*
 * The tool's data path alone (wire/datapath*.c, datapath_wire.c):
 * bytes of PAGES records over n TLS (or plain, authenticated) streams
 * on loopback, a process a side, no simulator.
 */
int dp_wire_copy(double bytes, bool tls, unsigned n, dp_result *r);
/*
 * In a network namespace of its own with lo shaped to 10 Gbit/s (tc
 * tbf): the data path alone over n TLS streams (wire) or n plain TCP
 * streams. -2 if no such namespace can be made here.
 */
int dp_shaped_copy(double bytes, bool wire, unsigned n, dp_result *r);
bool dp_shaped_available(char *why, size_t len);

/* AES-128-GCM on 16 KiB records, bytes a CPU second on one core. */
double dp_gcm_rate(void);
/*
 * The most TLS can carry here, bytes a second, from the cipher's rate
 * and tcp (plain TCP over the same streams, this run's CPU); printed
 * with its terms if print. -1 if not known.
 */
double dp_tls_ceiling(double gcm_Bps, unsigned ncpu, const dp_result *tcp,
                      bool print);

/* Does the tool's migrate help mention opt ("--streams")? */
bool dp_tool_has(const char *tool, const char *opt);

#endif
