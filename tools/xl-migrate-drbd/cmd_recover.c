/*
 * recover <domain> <peer>: settle what a broken migration left on this
 * host and its peer (docs/reliability.md). inspect <domain>: this host's
 * view as JSON, and its --do actions; recover runs it on the peer
 * through the transport, as migrate runs the receiver.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "error.h"
#include "hoststate.h"
#include "mig_record.h"
#include "num.h"
#include "names.h"
#include "peer_map.h"
#include "lock.h"
#include "recover.h"
#include "recover_json.h"
#include "sim_host.h"
#include "transport.h"

#define PEER_TIMEOUT_S 60
#define MAX_DO 16

typedef struct {
    const char *ssh;
    const char *host_dir;      /* simulator: the host's records */
    bool sim;
    bool dry_run;
    bool json;
    unsigned io_timeout_s;     /* longest silence from the peer */
    xlmig_keep keep;
    const char *domain;
    const char *peer;
    xlmig_dest dest;           /* peer through xlmig.conf */
    const char *todo[MAX_DO];
    unsigned ntodo;
    xlmig_guest_hint hint;     /* what the other host knows */
} rec_opts;

enum { R_SIM = 256, R_HOST_DIR, R_DRY_RUN, R_KEEP_LOCAL, R_KEEP_PEER,
       R_JSON, R_DO, R_UUID, R_RESOURCES, R_IO_TIMEOUT, R_HELP };

static const struct option rec_longopts[] = {
    { "sim", no_argument, NULL, R_SIM },
    { "sim-host-dir", required_argument, NULL, R_HOST_DIR },
    { "dry-run", no_argument, NULL, R_DRY_RUN },
    { "keep-local", no_argument, NULL, R_KEEP_LOCAL },
    { "keep-peer", no_argument, NULL, R_KEEP_PEER },
    { "json", no_argument, NULL, R_JSON },
    { "do", required_argument, NULL, R_DO },
    { "uuid", required_argument, NULL, R_UUID },
    { "resources", required_argument, NULL, R_RESOURCES },
    { "io-timeout", required_argument, NULL, R_IO_TIMEOUT },
    { "help", no_argument, NULL, R_HELP },
    { NULL, 0, NULL, 0 },
};

static void recover_usage(FILE *out)
{
    fprintf(out,
"Usage: " PROG " recover [options] <domain> <peer>\n"
"       " PROG " inspect [--sim --sim-host-dir <dir>] [--uuid U]"
" [--resources R,...]\n"
"                          <domain> [--do ACT]...\n"
"\n"
"recover inspects both hosts -- <domain>, <domain>--incoming and\n"
"<domain>--migratedaway, their states, DRBD roles, migration tokens --\n"
"and brings them to one running guest with the DRBD window closed,\n"
"printing what it found and what it did. It never destroys a running\n"
"copy, and refuses, touching nothing, when the state does not say\n"
"which copy is the guest. Nothing wrong: it does nothing and says so.\n"
"\n"
"  -s <sshcommand>   reach the peer through this (default ssh); with\n"
"                    -s \"\" <peer> is the whole inspect command\n"
"  --dry-run         print the decision, change nothing\n"
"  --json            one JSON object: what was found, decided, done and\n"
"                    left (docs/json.md); inspect always prints JSON\n"
"  --io-timeout <s>  longest wait for the peer's answer (default 60)\n"
"  --keep-local, --keep-peer\n"
"                    two copies run: keep this one (check first which\n"
"                    one is current)\n"
"  --sim, --sim-host-dir <dir>\n"
"                    a simulated host (the simulator's records)\n"
"\n"
"inspect prints this host's view as one JSON line; --do applies one\n"
"action (destroy:COPY, rename:COPY:TO, resume:COPY, unpause:COPY,\n"
"demote, promote, close-window, drop-tokens; COPY is name, incoming,\n"
"migratedaway). --uuid and --resources say what the guest's uuid and\n"
"DRBD resources are when no copy of it is on this host (recover passes\n"
"what the other host told it).\n"
"\n"
"Exit status: 0 one guest runs and nothing is left (or a dry run),\n"
"1 a host could not be inspected or an action failed, 2 refused: the\n"
"operator must decide, or a usage error. inspect: 0 printed (and done),\n"
"1 failed, 2 usage error.\n");
}

static int parse(rec_opts *o, int argc, char **argv, int nargs)
{
    int c;

    memset(o, 0, sizeof(*o));
    o->io_timeout_s = PEER_TIMEOUT_S;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":s:h", rec_longopts, NULL)) != -1) {
        switch (c) {
        case 's': o->ssh = optarg; break;
        case R_SIM: o->sim = true; break;
        case R_HOST_DIR: o->host_dir = optarg; break;
        case R_DRY_RUN: o->dry_run = true; break;
        case R_KEEP_LOCAL: o->keep = XLMIG_KEEP_LOCAL; break;
        case R_KEEP_PEER: o->keep = XLMIG_KEEP_PEER; break;
        case R_JSON: o->json = true; break;
        case R_IO_TIMEOUT: {
            uint64_t v;

            if (xlmig_num_u64(optarg, 10, 1, 86400, &v)) {
                cli_error("%s: --io-timeout: \"%s\" is not 1..86400 s",
                          argv[0], optarg);
                return -1;
            }
            o->io_timeout_s = (unsigned)v;
            break;
        }
        case R_UUID:
        case R_RESOURCES:
            if (c == R_UUID ? !xlmig_uuid_text_ok(optarg)
                            : !xlmig_resource_list_ok(optarg)) {
                cli_error("%s: bad %s \"%s\"", argv[0], c == R_UUID ?
                          "--uuid" : "--resources", optarg);
                return -1;
            }
            snprintf(c == R_UUID ? o->hint.uuid : o->hint.resources,
                     c == R_UUID ? sizeof(o->hint.uuid)
                                 : sizeof(o->hint.resources), "%s", optarg);
            break;
        case R_DO: {
            xlmig_action a;

            if (o->ntodo == MAX_DO) {
                cli_error("%s: at most %d --do", argv[0], MAX_DO);
                return -1;
            }
            /* a bad action is a usage error: refused before any acts */
            if (xlmig_action_parse(optarg, &a)) {
                cli_error("%s: --do: %s", argv[0], xlmig_errmsg());
                return -1;
            }
            o->todo[o->ntodo++] = optarg;
            break;
        }
        case 'h':
        case R_HELP:
            recover_usage(stdout);
            exit(0);
        case ':':
            cli_error("%s: option %s needs a value", argv[0],
                      argv[optind - 1]);
            return -1;
        default:
            cli_error("%s: unknown option %s (see --help)", argv[0],
                      argv[optind - 1]);
            return -1;
        }
    }
    if (argc - optind != nargs) {
        cli_error("%s: expected %s, got %d argument%s", argv[0],
                  nargs == 2 ? "<domain> <peer>" : "<domain>",
                  argc - optind, argc - optind == 1 ? "" : "s");
        return -1;
    }
    o->domain = argv[optind];
    o->peer = nargs == 2 ? argv[optind + 1] : NULL;
    if (!xlmig_domain_name_ok(o->domain)) {
        cli_error("%s: \"%s\" is not a domain name", argv[0], o->domain);
        return -1;
    }
    if (o->peer && !*o->peer) {
        cli_error("%s: empty peer", argv[0]);
        return -1;
    }
    /* With -s "" the peer argument is the operator's own command. */
    if (o->peer && !(o->ssh && !*o->ssh) &&
        !xlmig_name_host_ok(o->peer, false)) {
        xlmig_name_refuse("peer", o->peer, XLMIG_NAME_HOST_RULE);
        cli_error("%s: %s", argv[0], xlmig_errmsg());
        return -1;
    }
    if (o->sim && !o->host_dir) {
        cli_error("%s: --sim needs --sim-host-dir", argv[0]);
        return -1;
    }
    return 0;
}

static int local_inspect(const rec_opts *o, xlmig_host_view *v)
{
    return o->sim ? xlmig_sim_host_inspect(o->host_dir, o->domain, v)
                  : xlmig_xen_host_inspect(o->domain, &o->hint, v);
}

static int local_act(const rec_opts *o, const xlmig_action *a)
{
    int rc = o->sim ? xlmig_sim_host_act(o->host_dir, o->domain, a)
                    : xlmig_xen_host_act(o->domain, &o->hint, a);

    /* Running again here, as after a rollback: it needs a monitor. */
    if (!rc && !o->sim &&
        (a->act == XLMIG_ACT_RESUME || a->act == XLMIG_ACT_UNPAUSE))
        cli_leave_monitor(o->domain, true, false);
    return rc;
}

/* Learn the guest's uuid and resources from a view, where unknown. */
static void learn_hint(rec_opts *o, const xlmig_host_view *v)
{
    if (!o->hint.uuid[0])
        snprintf(o->hint.uuid, sizeof(o->hint.uuid), "%s", v->uuid);
    if (!o->hint.resources[0])
        snprintf(o->hint.resources, sizeof(o->hint.resources), "%s",
                 v->resources);
}

/* The guest's lock on this host: where, and under which name. */
static int lock_where(const rec_opts *o, const char *uuid, char *dir,
                      size_t len, char *name, bool *none)
{
    const char *d;
    int rc;

    *none = true;
    rc = xlmig_lock_dir_default(o->sim, dir, len, &d);
    if (rc || !d || !uuid[0])
        return rc;          /* no lock directory, or nothing to key by */
    rc = xlmig_lock_guest_name(uuid, name, XLMIG_LOCK_NAME_LEN);
    *none = rc != 0;
    return rc;
}

/*
 * Take the guest's lock here before acting: a live migration or
 * receiver settles itself, so recover waits for it (refused, naming
 * it); a dead one's lock is free. A dry run only looks.
 */
static int lock_here(const rec_opts *o, const char *uuid, xlmig_lock *l)
{
    char dir[4200], name[XLMIG_LOCK_NAME_LEN], what[200], who[128];
    xlmig_lock_holder h;
    bool none;
    int rc;

    rc = lock_where(o, uuid, dir, sizeof(dir), name, &none);
    if (rc || none)
        return rc;
    snprintf(what, sizeof(what), "guest %s (uuid %s)", o->domain, uuid);
    if (!o->dry_run)
        return xlmig_lock_take(l, dir, name, "recover", what, NULL);
    rc = xlmig_lock_probe(dir, name, &h);
    if (rc <= 0)
        return rc;
    xlmig_lock_holder_str(&h, who, sizeof(who));
    xlmig_err_replace(XLMIG_E_CHECK, "%s is locked by %s; try again when"
                      " it ends", what, who);
    return XLMIG_E_CHECK;
}

/* Who holds the guest's lock here, for the view inspect prints. */
static void probe_here(const rec_opts *o, xlmig_host_view *v)
{
    char dir[4200], name[XLMIG_LOCK_NAME_LEN];
    xlmig_lock_holder h;
    bool none;

    if (!lock_where(o, v->uuid[0] ? v->uuid : o->hint.uuid, dir,
                    sizeof(dir), name, &none) && !none &&
        xlmig_lock_probe(dir, name, &h) == 1)
        xlmig_lock_holder_str(&h, v->locked_by, sizeof(v->locked_by));
    xlmig_err_clear();
}

/* Run `inspect <domain> [args]` on the peer; its one line in *out. */
static int run_peer(const rec_opts *o, const char *args, char **out)
{
    char st[64], buf[XLMIG_VIEW_JSON_MAX + 1], hint[200];
    xlmig_transport t;
    xlmig_cmd cmd;
    size_t got = 0;
    char *line = NULL;
    int rc, status = -1;
    ssize_t r;

    *out = NULL;
    xlmig_transport_init(&t);
    xlmig_cmd_init(&cmd);
    /* Checked safe for a command line when they were read. */
    snprintf(hint, sizeof(hint), "%s%s%s%s",
             o->hint.uuid[0] ? " --uuid " : "", o->hint.uuid,
             o->hint.resources[0] ? " --resources " : "",
             o->hint.resources);
    /* With -s "" the peer argument is the inspect command itself. */
    if (o->ssh && !*o->ssh)
        r = asprintf(&line, "%s%s %s%s", o->peer, hint, o->domain, args);
    else
        r = asprintf(&line, PROG " inspect%s %s%s", hint, o->domain, args);
    if (r < 0) {
        line = NULL;
        rc = XLMIG_E_NOMEM;
        goto out;
    }
    rc = o->ssh && !*o->ssh ? xlmig_transport_cmd(&cmd, "", line, NULL)
                            : xlmig_transport_cmd(&cmd, o->ssh,
                                                  o->dest.address, line);
    if (rc)
        goto out;
    rc = xlmig_transport_spawn(&t, (const char *const *)cmd.argv);
    if (rc)
        goto out;
    close(t.send_fd);
    t.send_fd = -1;
    for (;;) {
        struct pollfd p = { .fd = t.recv_fd, .events = POLLIN };

        if (poll(&p, 1, (int)o->io_timeout_s * 1000) <= 0) {
            xlmig_err(XLMIG_E_TIMEOUT, "peer %s did not answer within %u s"
                      " (--io-timeout)", o->peer, o->io_timeout_s);
            rc = XLMIG_E_TIMEOUT;
            goto out;
        }
        r = read(t.recv_fd, buf + got, sizeof(buf) - 1 - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
        if (got == sizeof(buf) - 1) {
            xlmig_err(XLMIG_E_PROTO, "peer %s: answer too long", o->peer);
            rc = XLMIG_E_PROTO;
            goto out;
        }
    }
    buf[got] = 0;
    xlmig_transport_dispose(&t, 5000, &status);
    if (!WIFEXITED(status) || WEXITSTATUS(status)) {
        xlmig_err(XLMIG_E_REMOTE, "inspect on %s %s", o->peer,
                  xlmig_transport_status_str(status, st, sizeof(st)));
        rc = XLMIG_E_REMOTE;
        goto out;
    }
    *out = strdup(buf);
    rc = *out ? 0 : XLMIG_E_NOMEM;
out:
    xlmig_transport_dispose(&t, 5000, &status);
    xlmig_cmd_dispose(&cmd);
    free(line);
    return rc;
}

static int peer_inspect(const rec_opts *o, xlmig_host_view *v, char *host,
                        size_t hl)
{
    char *text = NULL;
    int rc;

    xlmig_host_view_init(v);
    rc = run_peer(o, " --json", &text);
    if (!rc)
        rc = xlmig_host_view_parse(text, strcspn(text, "\n"), o->domain, v,
                                   host, hl);
    free(text);
    return rc;
}

static int peer_act(const rec_opts *o, const xlmig_action *a)
{
    char act[64], args[96], *text = NULL;
    int rc;

    xlmig_action_format(a, act, sizeof(act));
    snprintf(args, sizeof(args), " --do %s", act);
    rc = run_peer(o, args, &text);
    free(text);
    return rc;
}

static void print_view(FILE *out, const char *label, const char *host,
                       const rec_opts *o, const xlmig_host_view *v)
{
    char name[160];
    int c, n = 0;

    if (!out)
        return;
    fprintf(out, "  %-5s %-16s", label, host);
    if (!v->reachable) {
        fprintf(out, " could not be inspected\n");
        return;
    }
    for (c = 0; c < XLMIG_COPY__COUNT; c++) {
        if (v->copy[c] == XLMIG_DS_NONE)
            continue;
        xlmig_copy_name(o->domain, (xlmig_copy)c, name, sizeof(name));
        fprintf(out, "%s %s %s", n++ ? "," : "", name,
                xlmig_dom_state_str(v->copy[c]));
    }
    fprintf(out, "%s; DRBD %s%s; %u token%s%s%s%s\n", n ? "" : " no copy",
            xlmig_disk_role_str(v->drbd), v->window ? ", window open" : "",
            v->tokens, v->tokens == 1 ? "" : "s",
            v->capped ? "; CPU cap left lowered" : "",
            v->locked_by[0] ? "; locked by " : "", v->locked_by);
}

/* A line for the operator; none with --json (recover_json.h). */
static void say(FILE *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void say(FILE *out, const char *fmt, ...)
{
    va_list ap;

    if (!out)
        return;
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
}

static void found(recover_record *rr, const char *host[2],
                  const xlmig_host_view v[2], bool after)
{
    unsigned i;

    for (i = 0; i < 2; i++) {
        snprintf(rr->host[i], sizeof(rr->host[i]), "%s", host[i]);
        (after ? rr->after : rr->seen)[i] = v[i];
    }
    if (after)
        rr->now = true;
    else
        rr->found = true;
}

static void short_host(char *dst, size_t len, const char *src)
{
    size_t n = strcspn(src, ".");

    dst[0] = 0;
    if (n < len && xlmig_name_host_ok(src, false)) {
        memcpy(dst, src, n);
        dst[n] = 0;
    }
}

/* recover's outcome words (docs/json.md) as its log line says them. */
static const char *log_result(const char *outcome)
{
    if (!outcome || !strcmp(outcome, "dry-run"))
        return NULL;            /* a dry run changes nothing: no line */
    if (!strcmp(outcome, "settled"))
        return "recovered";
    if (!strcmp(outcome, "nothing-to-do"))
        return "nothing";
    return outcome;             /* refused, failed */
}

/*
 * One log line (docs/logging.md); a settled guest also one history
 * record. why: the decision, or the error that stopped recover.
 */
static void rec_log(const recover_record *rr, bool sim, int rc,
                    const char *why)
{
    const char *result = log_result(rr->outcome);
    int keeper = rr->planned ? (int)rr->plan.keeper : -1;
    char here[128], peer[128];
    xlmig_oplog_line l;
    xlmig_hist_rec r;

    if (!result || !rr->domain || !rr->domain[0])
        return;
    short_host(here, sizeof(here), rr->host[0]);
    short_host(peer, sizeof(peer), rr->host[1]);
    xlmig_oplog_begin(&l, "recover");
    xlmig_oplog_str(&l, "guest", rr->domain);
    xlmig_oplog_str(&l, "host", here);
    xlmig_oplog_str(&l, "peer", peer);
    xlmig_oplog_str(&l, "result", result);
    if (!strcmp(result, "recovered") && keeper >= 0)
        xlmig_oplog_str(&l, "runs_on", keeper == XLMIG_HOST_LOCAL ?
                        here : peer);
    xlmig_oplog_u64(&l, "exit", (uint64_t)rc);
    xlmig_oplog_str(&l, "decision", why);
    mig_log_line(!rc, &l);
    if (strcmp(result, "recovered"))
        return;
    xlmig_hist_rec_init(&r);
    xlmig_utc_stamp(time(NULL), r.start, sizeof(r.start));
    snprintf(r.guest, sizeof(r.guest), "%s", rr->domain);
    snprintf(r.from, sizeof(r.from), "%s", keeper == XLMIG_HOST_LOCAL ?
             peer : here);
    snprintf(r.to, sizeof(r.to), "%s", keeper == XLMIG_HOST_LOCAL ?
             here : peer);
    strcpy(r.result, "recovered");
    strcpy(r.via, "recover");
    snprintf(r.reason, sizeof(r.reason), "%.*s", (int)sizeof(r.reason) - 1,
             why);
    if (mig_hist_dir(sim) &&
        xlmig_hist_append(mig_hist_dir(sim), &r, XLMIG_HIST_KEEP)) {
        fprintf(stderr, PROG ": warning: history not written: %s\n",
                xlmig_errmsg());
        xlmig_err_clear();
    }
}

static int recover_run(const rec_opts *oo, xlmig_lock *lk,
                       recover_record *rr)
{
    xlmig_host_view v[2];
    char host[2][128], what[256];
    const char *label[2] = { "local", "peer" };
    const char *hosts[2] = { host[0], host[1] };
    FILE *out = oo->json ? NULL : stdout;
    xlmig_config cfg;
    xlmig_plan *plan = &rr->plan;
    unsigned i;
    int rc;
    rec_opts o = *oo;

    /* A peer with a migration_address is reached over it. */
    if (xlmig_config_load(&cfg, NULL)) {
        cli_error("recover: %s", xlmig_errmsg());
        return 1;
    }
    xlmig_dest_resolve(&cfg, o.peer, &o.dest);
    if (gethostname(host[0], sizeof(host[0]) - 1))
        strcpy(host[0], "?");
    snprintf(host[1], sizeof(host[1]), "%s",
             o.ssh && !*o.ssh ? "peer" : o.peer);
    rc = local_inspect(&o, &v[0]);
    if (rc)
        cli_error("recover: cannot inspect this host: %s", xlmig_errmsg());
    xlmig_err_clear();
    if (!rc)
        learn_hint(&o, &v[0]);
    if (peer_inspect(&o, &v[1], host[1], sizeof(host[1])))
        cli_error("recover: cannot inspect %s: %s", o.peer, xlmig_errmsg());
    /* No copy here: look again with what the peer knows of the guest. */
    if (!rc && v[1].reachable && (!v[0].uuid[0] || !v[0].resources[0]) &&
        (v[1].uuid[0] || v[1].resources[0])) {
        learn_hint(&o, &v[1]);
        rc = local_inspect(&o, &v[0]);
        if (rc)
            cli_error("recover: cannot inspect this host: %s",
                      xlmig_errmsg());
    }
    /* Nothing else moves the guest while we act (docs/design.md). */
    if (lock_here(&o, o.hint.uuid, lk)) {
        cli_error("recover %s: %s", o.domain, xlmig_errmsg());
        rr->outcome = "refused";
        return xlmig_errcode() == XLMIG_E_CHECK ? 2 : 1;
    }
    /* What we saw before the lock may have moved on: look again. */
    if (xlmig_lock_held(lk)) {
        xlmig_err_clear();
        rc = local_inspect(&o, &v[0]);
        if (rc)
            cli_error("recover: cannot inspect this host: %s",
                      xlmig_errmsg());
        xlmig_err_clear();
        if (peer_inspect(&o, &v[1], host[1], sizeof(host[1])))
            cli_error("recover: cannot inspect %s: %s", o.peer,
                      xlmig_errmsg());
        xlmig_err_clear();
    }
    found(rr, hosts, v, false);
    say(out, "recover %s: found\n", o.domain);
    print_view(out, "local", host[0], &o, &v[0]);
    print_view(out, "peer", host[1], &o, &v[1]);
    if (v[1].locked_by[0]) {
        say(out, "refused: nothing changed\n");
        cli_error("recover %s: guest %s is locked on %s by %s; try again"
                  " when it ends", o.domain, o.domain, host[1],
                  v[1].locked_by);
        rr->outcome = "refused";
        return 2;
    }
    xlmig_recover_plan(&v[0], &v[1], o.keep, plan);
    rr->planned = true;
    say(out, "decision: %s\n", plan->why);
    if (plan->verdict == XLMIG_PLAN_NOTHING) {
        say(out, "nothing to do\n");
        rr->outcome = "nothing-to-do";
        return 0;
    }
    if (plan->verdict == XLMIG_PLAN_REFUSE) {
        say(out, "refused: nothing changed\n");
        cli_error("recover %s: refused: %s", o.domain, plan->why);
        rr->outcome = "refused";
        return rc || !v[1].reachable ? 1 : 2;
    }
    for (i = 0; i < plan->n; i++) {
        const xlmig_action *a = &plan->a[i];

        xlmig_action_describe(a, o.domain, what, sizeof(what));
        say(out, "  %u. %-5s %s: %s", i + 1, label[a->host], what,
            o.dry_run ? "would do\n" : "");
        if (o.dry_run)
            continue;
        fflush(stdout);
        rc = a->host == XLMIG_HOST_LOCAL ? local_act(&o, a)
                                         : peer_act(&o, a);
        rr->done[i] = !rc;
        say(out, "%s\n", rc ? "FAILED" : "done");
        if (rc) {
            cli_error("recover %s: %s on %s failed: %s; stopped, state"
                      " above is partly changed: run recover again",
                      o.domain, what, label[a->host], xlmig_errmsg());
            rr->outcome = "failed";
            return 1;
        }
    }
    if (o.dry_run) {
        say(out, "dry run: nothing changed\n");
        rr->outcome = "dry-run";
        return 0;
    }
    /* Look again: the promise is one running guest and nothing else. */
    local_inspect(&o, &v[0]);
    if (peer_inspect(&o, &v[1], host[1], sizeof(host[1])))
        v[1].reachable = false;
    found(rr, hosts, v, true);
    /* what was decided stays in the record; this is only the check */
    {
        xlmig_plan check;

        xlmig_recover_plan(&v[0], &v[1], XLMIG_KEEP_AUTO, &check);
        say(out, "now:\n");
        print_view(out, "local", host[0], &o, &v[0]);
        print_view(out, "peer", host[1], &o, &v[1]);
        if (check.verdict != XLMIG_PLAN_NOTHING) {
            cli_error("recover %s: not settled after acting: %s", o.domain,
                      check.why);
            rr->outcome = "failed";
            return 1;
        }
        say(out, "%s runs on %s (%s); nothing else left\n", o.domain,
            label[check.keeper], host[check.keeper]);
    }
    rr->outcome = "settled";
    return 0;
}

int cmd_recover(int argc, char **argv)
{
    recover_record rr;
    char why[256];
    xlmig_lock lk;
    rec_opts o;
    int rc;

    if (parse(&o, argc, argv, 2))
        return CLI_EXIT_USAGE;
    recover_record_init(&rr, o.domain, o.dry_run);
    xlmig_lock_init(&lk);
    rc = recover_run(&o, &lk, &rr);
    snprintf(why, sizeof(why), "%s", rr.planned && (!rc ||
             !strcmp(rr.outcome ? rr.outcome : "", "refused"))
             ? rr.plan.why : xlmig_errmsg());
    if (o.json)
        recover_print_json(&rr, rc);
    xlmig_lock_dispose(&lk);
    rec_log(&rr, o.sim, rc, why);
    return rc;
}

/* The guest's uuid as this host knows it, else as the hint says. */
static void guest_uuid(const rec_opts *o, char *buf, size_t len)
{
    xlmig_host_view v;

    snprintf(buf, len, "%s", o->hint.uuid);
    if (!local_inspect(o, &v) && v.uuid[0])
        snprintf(buf, len, "%s", v.uuid);
    xlmig_err_clear();
}

static int inspect_run(int argc, char **argv, xlmig_lock *lk)
{
    xlmig_host_view v;
    xlmig_action a;
    char host[128], uuid[XLMIG_VIEW_UUID_LEN], *json = NULL;
    unsigned i;
    int rc;
    rec_opts o;

    if (parse(&o, argc, argv, 1))
        return CLI_EXIT_USAGE;
    /* Acting is recover's part on this host: under the guest's lock. */
    if (o.ntodo) {
        guest_uuid(&o, uuid, sizeof(uuid));
        if (lock_here(&o, uuid, lk)) {
            cli_error("inspect %s: %s", o.domain, xlmig_errmsg());
            return 1;
        }
    }
    for (i = 0; i < o.ntodo; i++) {
        rc = xlmig_action_parse(o.todo[i], &a);
        if (!rc)
            rc = local_act(&o, &a);
        if (rc) {
            cli_error("inspect %s: %s", o.domain, xlmig_errmsg());
            return 1;
        }
    }
    if (gethostname(host, sizeof(host) - 1))
        strcpy(host, "?");
    rc = local_inspect(&o, &v);
    if (!rc && !o.ntodo)
        probe_here(&o, &v);
    if (!rc)
        rc = xlmig_host_view_to_json(&v, host, o.domain, &json);
    if (rc) {
        cli_error("inspect %s: %s", o.domain, xlmig_errmsg());
        return 1;
    }
    printf("%s\n", json);
    free(json);
    return 0;
}

int cmd_inspect(int argc, char **argv)
{
    xlmig_lock lk;
    int rc;

    xlmig_lock_init(&lk);
    rc = inspect_run(argc, argv, &lk);
    xlmig_lock_dispose(&lk);
    return rc;
}
