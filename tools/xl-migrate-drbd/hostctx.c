/* Host subcommands' shared parts: see hostctx.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "cli.h"
#include "error.h"
#include "hostctx.h"
#include "hostlock.h"
#include "hoststate.h"
#include "inventory_sim.h"
#include "kv.h"
#include "mig_record.h"
#include "names.h"
#include "oplog.h"
#include "peer_map.h"
#include "status.h"
#include "testhooks.h"
#include "transport.h"

int hostctx_opt(hostctx *h, int c, const char *arg)
{
    switch (c) {
    case 1001: h->sim_root = arg; return 1;
    case 1002: h->sim_host = arg; return 1;
    case 's': h->ssh = arg; return 1;
    }
    return 0;
}

const char *hostctx_ssh(const hostctx *h)
{
    return h->ssh && *h->ssh ? h->ssh : "ssh";
}

const char *hostctx_peer_address(const hostctx *h, const char *host)
{
    return xlmig_peer_address(h->cfg, host);
}

int hostctx_setup(hostctx *h, const char *cmd)
{
    ssize_t r;
    int rc;

    /* the environment names a simulated host for scripts and cron */
    if (!h->sim_root && !h->sim_host && xlmig_test_env("XLMIG_SIM_STATE")) {
        h->sim_root = xlmig_test_env("XLMIG_SIM_STATE");
        h->sim_host = xlmig_test_env("XLMIG_SIM_HOST");
    }
    if (!h->sim_root != !h->sim_host) {
        cli_error("%s: --sim-state and --sim-host go together", cmd);
        return XLMIG_E_INVAL;
    }
    r = readlink("/proc/self/exe", h->exe, sizeof(h->exe) - 1);
    if (r <= 0 || strchr(h->exe, '\'')) {
        cli_error("%s: cannot tell where this program is", cmd);
        return XLMIG_E_INVAL;
    }
    h->exe[r] = 0;
    if (h->sim_root) {
        rc = xlmig_sim_host_dir(h->sim_root, h->sim_host, h->state_dir,
                                sizeof(h->state_dir));
        if (rc) {
            cli_error("%s: %s", cmd, xlmig_errmsg());
            return rc;
        }
        snprintf(h->self, sizeof(h->self), "%s", h->sim_host);
        return 0;
    }
    snprintf(h->state_dir, sizeof(h->state_dir), "%s", xlmig_state_dir());
    if (gethostname(h->self, sizeof(h->self) - 1))
        strcpy(h->self, "localhost");
    h->self[strcspn(h->self, ".")] = 0;     /* DRBD uses the short name */
    return 0;
}

/* ---- children ---- */

void evac_job_init(evac_job *j)
{
    memset(j, 0, sizeof(*j));
    j->pid = -1;
    j->errfd = -1;
    j->outfd = -1;
}

int evac_job_arg(evac_job *j, const char *fmt, ...)
{
    unsigned n = 0;
    va_list ap;
    int r;

    while (j->argv[n])
        n++;
    if (n + 1 >= sizeof(j->argv) / sizeof(j->argv[0]))
        return XLMIG_E_INVAL;
    va_start(ap, fmt);
    r = vsnprintf(j->strs + j->used, sizeof(j->strs) - j->used, fmt, ap);
    va_end(ap);
    if (r < 0 || (size_t)r >= sizeof(j->strs) - j->used) {
        xlmig_err(XLMIG_E_INVAL, "command line too long");
        return XLMIG_E_INVAL;
    }
    j->argv[n] = j->strs + j->used;
    j->used += (size_t)r + 1;
    return 0;
}

/* An unlinked temp file from tmpl ("...XXXXXX") in *fd (-1 on error). */
static int temp_file(char *tmpl, int *fd)
{
    *fd = mkostemp(tmpl, O_CLOEXEC);
    if (*fd < 0) {
        xlmig_err(XLMIG_E_IO, "cannot create a temporary file: %s",
                  strerror(errno));
        return XLMIG_E_IO;
    }
    unlink(tmpl);
    return 0;
}

/* fork+exec argv; stdout to outfd (or /dev/null), stderr to a temp. */
static int spawn(evac_job *j, int outfd)
{
    char tmpl[] = "/tmp/xlmig-err-XXXXXX";
    int devnull;
    pid_t pid;

    if (temp_file(tmpl, &j->errfd))
        return XLMIG_E_IO;
    pid = fork();
    if (pid < 0) {
        xlmig_err(XLMIG_E_IO, "cannot fork: %s", strerror(errno));
        return XLMIG_E_IO;
    }
    if (!pid) {
        devnull = open("/dev/null", O_RDWR);
        signal(SIGPIPE, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        if (devnull < 0 || dup2(devnull, 0) < 0 ||
            dup2(outfd >= 0 ? outfd : devnull, 1) < 0 ||
            dup2(j->errfd, 2) < 0)
            _exit(127);
        if (j->fault[0])
            setenv("XLMIG_FAULT", j->fault, 1);
        else
            unsetenv("XLMIG_FAULT");
        if (j->run_dir[0])
            setenv("XLMIG_RUN_DIR", j->run_dir, 1);
        if (j->outfd >= 0)
            setenv(MIG_OUTCOME_ENV, "1", 1);
        execvp(j->argv[0], j->argv);
        fprintf(stderr, PROG ": cannot run %s: %s\n", j->argv[0],
                strerror(errno));
        _exit(127);
    }
    j->pid = pid;
    j->start_ns = xlmig_now_ns();
    return 0;
}

/* The child's one-line error: its last "xl-migrate-drbd: " line. */
static void last_error(evac_job *j, int status, char *msg, size_t len)
{
    char buf[8192], *line, *save = NULL, *best = NULL, *any = NULL;
    ssize_t n;
    off_t end;

    msg[0] = 0;
    end = lseek(j->errfd, 0, SEEK_END);
    n = pread(j->errfd, buf, sizeof(buf) - 1,
              end > (off_t)sizeof(buf) - 1 ? end - (off_t)sizeof(buf) + 1
                                           : 0);
    buf[n > 0 ? n : 0] = 0;
    for (line = strtok_r(buf, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (!strncmp(line, PROG ": ", strlen(PROG) + 2))
            best = line + strlen(PROG) + 2;
        if (*line)
            any = line;
    }
    if (best || any)
        snprintf(msg, len, "%s", best ? best : any);
    else if (WIFSIGNALED(status))
        snprintf(msg, len, "killed by signal %d", WTERMSIG(status));
    else if (WIFEXITED(status) && WEXITSTATUS(status))
        snprintf(msg, len, "exited with status %d", WEXITSTATUS(status));
}

static void job_end(evac_job *j)
{
    if (j->errfd >= 0)
        close(j->errfd);
    if (j->outfd >= 0)
        close(j->outfd);
    j->errfd = j->outfd = -1;
    j->pid = -1;
}

static int exit_of(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

void evac_run(const xlmig_evac_plan *plan, evac_job *jobs,
              unsigned parallel, const evac_run_cbs *cb)
{
    xlmig_evac_state *st = calloc(plan->n + 1, sizeof(*st));
    bool forwarded = false;
    unsigned i, running = 0;
    char msg[512];
    int k, status;
    pid_t pid;

    if (!st)
        return;
    for (;;) {
        while (!cli_cancel &&
               (k = xlmig_evac_next(plan, st, parallel)) >= 0) {
            st[k] = XLMIG_EVAC_RUNNING;
            if (spawn(&jobs[k], jobs[k].outfd)) {
                st[k] = XLMIG_EVAC_FINISHED;
                cb->finished(cb->arg, (unsigned)k, 127, xlmig_errmsg(), 0);
                xlmig_err_clear();
                job_end(&jobs[k]);
                continue;
            }
            running++;
            cb->started(cb->arg, (unsigned)k);
        }
        if (!running)
            break;
        pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno != EINTR)
                break;
            /* cancelled: the children roll back and report it */
            if (cli_cancel && !forwarded) {
                for (i = 0; i < plan->n; i++)
                    if (jobs[i].pid > 0)
                        kill(jobs[i].pid, SIGINT);
                forwarded = true;
            }
            continue;
        }
        for (i = 0; i < plan->n; i++) {
            if (jobs[i].pid != pid)
                continue;
            last_error(&jobs[i], status, msg, sizeof(msg));
            st[i] = XLMIG_EVAC_FINISHED;
            running--;
            cb->finished(cb->arg, i, exit_of(status), msg,
                         (xlmig_now_ns() - jobs[i].start_ns) / 1e9);
            job_end(&jobs[i]);
        }
    }
    free(st);
}

/* Our own fixed arguments ("status --json"), one word each. */
static int job_words(evac_job *j, const char *args)
{
    xlmig_cmd c;
    unsigned i;
    int rc;

    xlmig_cmd_init(&c);
    rc = xlmig_cmd_split(&c, "arguments", args);
    for (i = 0; !rc && i < c.argc; i++)
        rc = evac_job_arg(j, "%s", c.argv[i]);
    xlmig_cmd_dispose(&c);
    return rc;
}

/* The -s words, "--" and the host: no local shell sees either. */
static int ssh_to(const hostctx *h, evac_job *j, const char *host)
{
    xlmig_cmd c;
    unsigned i;
    int rc;

    xlmig_cmd_init(&c);
    rc = xlmig_transport_cmd(&c, hostctx_ssh(h), host, NULL);
    for (i = 0; !rc && i < c.argc; i++)
        rc = evac_job_arg(j, "%s", c.argv[i]);
    xlmig_cmd_dispose(&c);
    return rc;
}

/* "r0:xen2,xen3 r1:xen2": the guest's resources for --sim-drbd. */
static int drbd_spec(const xlmig_inv_guest *g, char *buf, size_t len)
{
    size_t used = 0;
    unsigned i, k;
    int n = 0;

    buf[0] = 0;
    for (i = 0; i < g->nres && n >= 0 && used < len; i++)
        for (k = 0; k < g->res[i].npeers && n >= 0 && used < len; k++) {
            n = k ? snprintf(buf + used, len - used, ",%s",
                             g->res[i].peers[k])
                  : snprintf(buf + used, len - used, "%s%s:%s",
                             i ? " " : "", g->res[i].name,
                             g->res[i].peers[k]);
            used += n > 0 ? (size_t)n : 0;
        }
    return n < 0 || used >= len ? XLMIG_E_INVAL : 0;
}

/* The child's stdout: a temp file its outcome line is read from. */
static int outcome_file(evac_job *j)
{
    char tmpl[] = "/tmp/xlmig-out-XXXXXX";

    return temp_file(tmpl, &j->outfd);
}

/*
 * The guest's resources as the destination lists them once it runs
 * there: each replicates back to `from` instead of to `to`.
 */
static int back_spec(const xlmig_inv_guest *g, const char *from,
                     const char *to, char *buf, size_t len)
{
    xlmig_inv_guest b = *g;
    unsigned r, p;

    for (r = 0; r < b.nres; r++)
        for (p = 0; p < b.res[r].npeers; p++)
            if (!strcmp(b.res[r].peers[p], to))
                snprintf(b.res[r].peers[p], sizeof(b.res[r].peers[p]),
                         "%s", from);
    if (drbd_spec(&b, buf, len)) {
        xlmig_err(XLMIG_E_INVAL, "%s: its DRBD resources are too long to"
                  " pass on", g->name);
        return XLMIG_E_INVAL;
    }
    return 0;
}

/* The migration's own limits, when given: one word each. */
static int mig_args(evac_job *j, const mig_params *mp)
{
    int rc = 0;

    if (mp->bandwidth_mib > 0) {
        rc |= evac_job_arg(j, "--bandwidth");
        rc |= evac_job_arg(j, "%g", mp->bandwidth_mib);
    }
    if (mp->max_downtime_ms > 0) {
        rc |= evac_job_arg(j, "--max-downtime");
        rc |= evac_job_arg(j, "%g", mp->max_downtime_ms);
    }
    if (mp->with_local_disks)
        rc |= evac_job_arg(j, "--with-local-disks");
    return rc;
}

int evac_job_migration(const hostctx *h, evac_job *j,
                       const xlmig_inv_guest *g, const char *from,
                       const char *to, uint64_t to_free_mib,
                       const mig_params *mp)
{
    char extra[128] = "", spec[XLMIG_KV_VAL_MAX], to_run[4096];
    char from_dir[4096], to_dir[4096], back[XLMIG_KV_VAL_MAX];
    int rc = 0;

    evac_job_init(j);
    if (outcome_file(j))
        return XLMIG_E_IO;
    if (mp->bandwidth_mib > 0)
        snprintf(extra, sizeof(extra), " --bandwidth %g", mp->bandwidth_mib);
    if (mp->max_downtime_ms > 0)
        snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
                 " --max-downtime %g", mp->max_downtime_ms);
    if (mp->with_local_disks)
        snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
                 " --with-local-disks");
    if (hostctx_sim(h)) {
        /* both ends run here, each with its own host's run directory;
         * the receiver offers the host's free room */
        snprintf(j->fault, sizeof(j->fault), "%s", g->fault);
        if (hostlock_run_dir(h, from, j->run_dir, sizeof(j->run_dir)) ||
            hostlock_run_dir(h, to, to_run, sizeof(to_run)))
            return XLMIG_E_INVAL;
        /* each side keeps its own host's domain list and guests */
        if (xlmig_sim_host_dir(h->sim_root, from, from_dir,
                               sizeof(from_dir)) ||
            xlmig_sim_host_dir(h->sim_root, to, to_dir, sizeof(to_dir)))
            return XLMIG_E_INVAL;
        if (strchr(to_run, '\'') || strchr(to_dir, '\'')) {
            xlmig_err(XLMIG_E_INVAL, "cannot quote %s",
                      strchr(to_run, '\'') ? to_run : to_dir);
            return XLMIG_E_INVAL;
        }
        rc = back_spec(g, from, to, back, sizeof(back));
        if (rc)
            return rc;
        rc |= evac_job_arg(j, "%s", h->exe);
        rc |= evac_job_arg(j, "--sim");
        rc |= evac_job_arg(j, "--sim-mem");
        rc |= evac_job_arg(j, "%llu", (unsigned long long)g->mem_mib);
        rc |= evac_job_arg(j, "--sim-profile");
        rc |= evac_job_arg(j, "%s", g->profile[0] ? g->profile : "idle");
        /* the receiver answers as `to`: the DRBD peer check runs too */
        if (g->nres) {
            rc |= drbd_spec(g, spec, sizeof(spec));
            rc |= evac_job_arg(j, "--sim-drbd");
            rc |= evac_job_arg(j, "%s", spec);
        }
        rc |= mig_args(j, mp);
        rc |= evac_job_arg(j, "--sim-host-dir");
        rc |= evac_job_arg(j, "%s", from_dir);
        rc |= evac_job_arg(j, "-q");
        rc |= evac_job_arg(j, "-s");
        rc |= evac_job_arg(j, "%s", "");
        rc |= evac_job_arg(j, "%s", g->name);
        /* names and the profile are plain words (inventory_sim.c), the
         * directories quoted */
        rc |= evac_job_arg(j, "XLMIG_HOSTNAME=%s XLMIG_RUN_DIR='%s' '%s'"
                           " --receive --sim -q --sim-free-mem %llu"
                           " --sim-host-dir '%s' --sim-profile %s%s%s%s",
                           to, to_run, h->exe,
                           (unsigned long long)to_free_mib, to_dir,
                           g->profile[0] ? g->profile : "idle",
                           back[0] ? " --sim-drbd '" : "", back,
                           back[0] ? "'" : "");
    } else if (!strcmp(from, h->self)) {
        rc |= evac_job_arg(j, "%s", h->exe);
        rc |= evac_job_arg(j, "-q");
        rc |= evac_job_arg(j, "-s");
        rc |= evac_job_arg(j, "%s", hostctx_ssh(h));
        rc |= mig_args(j, mp);
        rc |= evac_job_arg(j, "%s", g->name);
        rc |= evac_job_arg(j, "%s", to);
    } else {
        /* bringing a guest back: the migration runs on the peer */
        rc = ssh_to(h, j, hostctx_peer_address(h, from));
        if (!rc && !xlmig_name_host_ok(to, false))
            rc = xlmig_name_refuse("destination", to, XLMIG_NAME_HOST_RULE);
        if (rc)
            return rc;
        /* ssh hands it to the peer's shell: every word checked plain */
        rc |= evac_job_arg(j, MIG_OUTCOME_ENV "=1 " PROG " -q%s %s %s",
                           extra, g->name, to);
    }
    return rc ? XLMIG_E_INVAL : 0;
}

int hostctx_peer_cmd(const hostctx *h, const char *host, const char *args,
                     size_t max, char **out, size_t *len)
{
    char msg[512], *buf = NULL;
    int pipefd[2] = { -1, -1 }, status = 0, rc;
    size_t n = 0;
    evac_job j;
    ssize_t r;

    *out = NULL;
    *len = 0;
    evac_job_init(&j);
    if (!xlmig_name_host_ok(host, false))
        return xlmig_name_refuse("host", host, XLMIG_NAME_HOST_RULE);
    if (hostctx_sim(h)) {
        /* one statement each: the words must go in this order */
        rc = evac_job_arg(&j, "%s", h->exe);
        rc |= job_words(&j, args);
        rc |= evac_job_arg(&j, "--sim-state");
        rc |= evac_job_arg(&j, "%s", h->sim_root);
        rc |= evac_job_arg(&j, "--sim-host");
        rc |= evac_job_arg(&j, "%s", host);
    } else {
        rc = ssh_to(h, &j, hostctx_peer_address(h, host));
        if (rc)
            return rc;
        rc = evac_job_arg(&j, PROG " %s", args);
    }
    if (rc)
        goto bad_cmd;
    buf = malloc(max + 1);
    if (!buf || pipe2(pipefd, O_CLOEXEC)) {
        xlmig_err(XLMIG_E_NOMEM, "out of memory or pipes");
        rc = XLMIG_E_NOMEM;
        goto out;
    }
    rc = spawn(&j, pipefd[1]);
    close(pipefd[1]);
    pipefd[1] = -1;
    if (rc)
        goto out;
    for (;;) {
        r = read(pipefd[0], buf + n, max + 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
        if (n > max) {
            kill(j.pid, SIGTERM);
            break;
        }
    }
    while (waitpid(j.pid, &status, 0) < 0 && errno == EINTR)
        ;
    last_error(&j, status, msg, sizeof(msg));
    if (n > max) {
        xlmig_err(XLMIG_E_PROTO, "output larger than %zu bytes", max);
        rc = XLMIG_E_PROTO;
    } else if (!WIFEXITED(status) || WEXITSTATUS(status)) {
        xlmig_err(XLMIG_E_REMOTE, "%s", msg[0] ? msg : "failed");
        rc = XLMIG_E_REMOTE;
    } else {
        buf[n] = 0;
        *out = buf;
        *len = n;
        buf = NULL;
        rc = 0;
    }
out:
    job_end(&j);
    if (pipefd[0] >= 0)
        close(pipefd[0]);
    free(buf);
    return rc;
bad_cmd:
    xlmig_err(XLMIG_E_INVAL, "cannot build the command for %s", host);
    return XLMIG_E_INVAL;
}

void hostctx_ask_status(const hostctx *h, xlmig_inv_host *ih)
{
    xlmig_status st;
    size_t len;
    char *out;
    int rc;

    rc = hostctx_peer_cmd(h, ih->name, "status --json",
                          XLMIG_STATUS_MAX_BYTES, &out, &len);
    if (!rc) {
        rc = xlmig_status_decode(out, len, &st);
        free(out);
    }
    if (rc) {
        snprintf(ih->error, sizeof(ih->error), "cannot read its status: %s",
                 xlmig_errmsg());
        xlmig_err_clear();
        return;
    }
    ih->known = true;
    ih->free_mib = st.free_mib;
    ih->maintenance = st.maintenance;
}

/* ---- logging ---- */

static bool use_syslog;

/* ident: always "xlmig", the tag of every line (docs/logging.md) */
void hostctx_syslog_enable(const char *ident)
{
    (void)ident;
    use_syslog = true;
}

void hostctx_log(int prio, FILE *f, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    if (use_syslog) {
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        xlmig_syslog_text(prio, msg);
    }
    if (f) {
        va_start(ap, fmt);
        vfprintf(f, fmt, ap);
        va_end(ap);
        fputc('\n', f);
        fflush(f);
    }
}
