/*
 * DRBD resources of one domain on this host: resolve them, read their
 * state, and the idempotent operations of the dual-primary window.
 * Every operation reads the state first and acts only if needed, then
 * reads it again: a command that "succeeded" without the effect is an
 * error, not a success.
 */
#include "drbd.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>

#include "error.h"
#include "testhooks.h"

#define POLL_NS XLMIG_MS(250)

/* Bounded copy; names longer than the field are cut, never overrun. */
static void scopy(char *dst, size_t sz, const char *src)
{
    size_t n = strnlen(src, sz - 1);

    memcpy(dst, src, n);
    dst[n] = 0;
}

int xlmig_drbd_init(xlmig_drbd *d)
{
    const char *dir = xlmig_test_env("XLMIG_TOKEN_DIR");
    const char *host = xlmig_test_env("XLMIG_HOSTNAME");
    struct utsname u;

    memset(d, 0, sizeof(*d));
    d->cmd_timeout_ns = XLMIG_S(30);
    d->sync_timeout_ns = XLMIG_S(60);
    d->peer_timeout_ns = XLMIG_S(60);
    d->promote_timeout_ns = XLMIG_S(20);
    d->token_ttl_s = 900;
    scopy(d->token_dir, sizeof(d->token_dir),
          dir && *dir ? dir : "/run/xlmig/tokens");
    /* drbdadm picks its "on" section by uname's node name. */
    if (!host || !*host) {
        if (uname(&u)) {
            xlmig_err(XLMIG_E_IO, "uname failed");
            return XLMIG_E_IO;
        }
        host = u.nodename;
    }
    scopy(d->local_host, sizeof(d->local_host), host);
    return 0;
}

void xlmig_drbd_dispose(xlmig_drbd *d)
{
    /* Nothing allocated; kept for the _init/_dispose pairing. */
    d->nres = 0;
}

/* Record "drbd RES: PROG WHAT failed (exit N): first lines of output". */
static int failed(const char *res, const char *prog, const char *what,
                  const xlmig_drbd_out *o)
{
    char line[160], *nl;

    scopy(line, sizeof(line), o->err_len ? o->err : o->out);
    if ((nl = strchr(line, '\n')) && nl[1])
        *nl = ' ';
    if ((nl = strchr(line, '\n')))
        *nl = 0;
    xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: %s %s failed (exit %d): %s", res,
              prog, what, o->status, line[0] ? line : "no message");
    return XLMIG_E_EXTERNAL;
}

/* Run a tool; with must_succeed, a non-zero exit is an error. */
static int run(xlmig_drbd *d, const char *res, bool must_succeed,
               xlmig_drbd_out *o, const char *prog, ...)
{
    const char *argv[12];
    unsigned n = 0;
    va_list ap;
    int rc;

    argv[n++] = prog;
    va_start(ap, prog);
    while (n < 11 && (argv[n] = va_arg(ap, const char *)))
        n++;
    va_end(ap);
    argv[n] = NULL;
    rc = xlmig_drbd_exec(argv, d->cmd_timeout_ns, o);
    if (rc)
        return rc;
    if (o->truncated) {
        xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: %s %s printed more than %u"
                  " bytes", res, prog, argv[1], XLMIG_DRBD_OUT_MAX);
        return XLMIG_E_EXTERNAL;
    }
    if (must_succeed && o->status != 0)
        return failed(res, prog, argv[1], o);
    return 0;
}

int xlmig_drbd_detect(xlmig_drbd *d)
{
    xlmig_drbd_out o;
    int rc;

    if (d->version)
        return 0;
    xlmig_drbd_out_init(&o);
    rc = run(d, "version", true, &o, xlmig_drbd_prog_adm(), "--version",
             NULL);
    if (!rc)
        rc = xlmig_drbd_parse_version(o.out, o.out_len, &d->version,
                                      d->kver, sizeof(d->kver));
    xlmig_drbd_out_dispose(&o);
    return rc;
}

/* Same host: equal, or equal up to the first dot (short vs FQDN). */
static bool host_match(const char *a, const char *b)
{
    size_t la = strcspn(a, "."), lb = strcspn(b, ".");

    if (!strcasecmp(a, b))
        return true;
    return la == lb && !strncasecmp(a, b, la) &&
           (!a[la] || !b[lb]);
}

static int resolve(xlmig_drbd *d, const xlmig_drbd_disk *k,
                   xlmig_drbd_res *r)
{
    xlmig_drbd_conf *c = NULL;
    xlmig_drbd_disk nd;
    xlmig_drbd_out o;
    char spec[32];
    int rc, local = -1, peer = -1;
    unsigned i;

    xlmig_drbd_out_init(&o);
    memset(r, 0, sizeof(*r));
    r->minor = k->minor;
    if (!k->res[0]) {
        snprintf(spec, sizeof(spec), "minor-%d", k->minor);
        rc = run(d, spec, true, &o, xlmig_drbd_prog_adm(), "sh-resource",
                 spec, NULL);
        if (rc)
            goto out;
        memset(&nd, 0, sizeof(nd));
        o.out[strcspn(o.out, "\n")] = 0;
        if (xlmig_drbd_parse_target(o.out, &nd) || !nd.res[0]) {
            xlmig_err_replace(XLMIG_E_EXTERNAL, "drbd %s: sh-resource"
                              " printed no resource name", spec);
            rc = XLMIG_E_EXTERNAL;
            goto out;
        }
        scopy(r->name, sizeof(r->name), nd.res);
    } else {
        scopy(r->name, sizeof(r->name), k->res);
    }
    c = malloc(sizeof(*c));
    if (!c) {
        rc = XLMIG_E_NOMEM;
        goto out;
    }
    rc = run(d, r->name, true, &o, xlmig_drbd_prog_adm(), "dump", r->name,
             NULL);
    if (!rc)
        rc = xlmig_drbd_parse_dump(o.out, o.out_len, r->name, c);
    if (rc)
        goto out;
    for (i = 0; i < c->nhosts; i++) {
        if (host_match(c->hosts[i].name, d->local_host))
            local = i;
        else
            peer = i;
    }
    if (c->nhosts != 2 || local < 0 || peer < 0) {
        xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: configured for %u hosts, %s"
                  " this one (%s); two-node resources only", r->name,
                  c->nhosts, local < 0 ? "not including" : "including",
                  d->local_host);
        rc = XLMIG_E_EXTERNAL;
        goto out;
    }
    scopy(r->peer, sizeof(r->peer), c->hosts[peer].name);
    if (r->minor < 0)
        r->minor = c->hosts[local].minor >= 0 ? c->hosts[local].minor
                                                : c->minor;
    rc = 0;
out:
    free(c);
    xlmig_drbd_out_dispose(&o);
    return rc;
}

int xlmig_drbd_add_resource(xlmig_drbd *d, const char *target)
{
    xlmig_drbd_disk k;
    unsigned i;
    int rc;

    memset(&k, 0, sizeof(k));
    rc = xlmig_drbd_parse_target(target, &k);
    if (rc)
        return rc;
    for (i = 0; i < d->nres; i++)
        if ((k.res[0] && !strcmp(d->res[i].name, k.res)) ||
            (k.minor >= 0 && d->res[i].minor == k.minor))
            return 0;
    if (d->nres >= XLMIG_DRBD_MAX_RES) {
        xlmig_err(XLMIG_E_INVAL, "more than %u DRBD resources",
                  XLMIG_DRBD_MAX_RES);
        return XLMIG_E_INVAL;
    }
    rc = resolve(d, &k, &d->res[d->nres]);
    if (rc)
        return rc;
    /* /dev/drbdN and a name may turn out to be the same resource. */
    for (i = 0; i < d->nres; i++)
        if (!strcmp(d->res[i].name, d->res[d->nres].name))
            return 0;
    d->nres++;
    return 0;
}

int xlmig_drbd_find_resources(xlmig_drbd *d, const char *config_json)
{
    xlmig_drbd_disk disks[XLMIG_DRBD_MAX_RES];
    unsigned n, i;
    int rc;

    d->nres = 0;
    if (!config_json)
        return 0;
    rc = xlmig_drbd_parse_disks(config_json, strlen(config_json), disks,
                                XLMIG_DRBD_MAX_RES, &n);
    if (rc)
        return rc;
    for (i = 0; i < n; i++) {
        rc = xlmig_drbd_add_resource(d, disks[i].target);
        if (rc)
            return rc;
    }
    return 0;
}

int xlmig_drbd_query(xlmig_drbd *d, const char *res, xlmig_drbd_state *s)
{
    static const char *const cmds84[] = { "role", "cstate", "dstate" };
    xlmig_drbd_out o;
    unsigned i;
    int rc;

    xlmig_drbd_state_init(s);
    rc = xlmig_drbd_detect(d);
    if (rc)
        return rc;
    xlmig_drbd_out_init(&o);
    if (d->version == XLMIG_DRBD_V9) {
        rc = run(d, res, true, &o, xlmig_drbd_prog_setup(), "status", res,
                 "--json", NULL);
        if (!rc)
            rc = xlmig_drbd_parse_status_json(o.out, o.out_len, res, s);
        goto out;
    }
    for (i = 0; i < 3 && !rc; i++) {
        rc = run(d, res, true, &o, xlmig_drbd_prog_adm(), cmds84[i], res,
                 NULL);
        if (rc)
            break;
        rc = i == 0 ? xlmig_drbd_parse_role84(o.out, o.out_len, res, s) :
             i == 1 ? xlmig_drbd_parse_cstate84(o.out, o.out_len, res, s) :
                      xlmig_drbd_parse_dstate84(o.out, o.out_len, res, s);
    }
out:
    xlmig_drbd_out_dispose(&o);
    return rc;
}

int xlmig_drbd_query_net(xlmig_drbd *d, const char *res,
                         xlmig_drbd_show_res *out)
{
    const xlmig_drbd_show_res *r;
    xlmig_drbd_show *sh;
    xlmig_drbd_out o;
    int rc;

    sh = malloc(sizeof(*sh));
    if (!sh)
        return XLMIG_E_NOMEM;
    xlmig_drbd_out_init(&o);
    rc = run(d, res, true, &o, xlmig_drbd_prog_setup(), "show",
             "--show-defaults", res, NULL);
    if (!rc)
        rc = xlmig_drbd_parse_show(o.out, o.out_len, res, sh);
    if (rc)
        goto out;
    r = xlmig_drbd_show_find(sh, res);
    if (!r) {
        xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: not in drbdsetup show"
                  " (resource down?)", res);
        rc = XLMIG_E_EXTERNAL;
        goto out;
    }
    if (!r->protocol || r->two_primaries < 0) {
        xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: drbdsetup show gives no %s"
                  " (not connected?)", res, !r->protocol ? "protocol" :
                  "allow-two-primaries");
        rc = XLMIG_E_EXTERNAL;
        goto out;
    }
    *out = *r;
out:
    xlmig_drbd_out_dispose(&o);
    free(sh);
    return rc;
}

static int set_two_primaries(xlmig_drbd *d, xlmig_drbd_res *r, bool on)
{
    xlmig_drbd_show_res n;
    xlmig_drbd_out o;
    int rc;

    xlmig_drbd_out_init(&o);
    rc = xlmig_drbd_query_net(d, r->name, &n);
    /* Its minors, for the check after the suspend (/proc/drbd). */
    if (!rc && n.nminors <= XLMIG_DRBD_MAX_VOL) {
        r->nminors = n.nminors;
        memcpy(r->minors, n.minors, n.nminors * sizeof(n.minors[0]));
    }
    if (rc || n.two_primaries == on)
        goto out;
    if (on && n.protocol != 'C') {
        xlmig_err(XLMIG_E_CHECK, "drbd %s: protocol %c; two primaries need"
                  " protocol C", r->name, n.protocol);
        rc = XLMIG_E_CHECK;
        goto out;
    }
    rc = run(d, r->name, true, &o, xlmig_drbd_prog_adm(), "net-options",
             on ? "--allow-two-primaries=yes" : "--allow-two-primaries=no",
             r->name, NULL);
    if (!rc)
        rc = xlmig_drbd_query_net(d, r->name, &n);
    if (!rc && n.two_primaries != on) {
        xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: allow-two-primaries still"
                  " %s after net-options", r->name, on ? "no" : "yes");
        rc = XLMIG_E_EXTERNAL;
    }
    if (!rc)
        XLMIG_INFO("drbd %s: allow-two-primaries %s", r->name,
                   on ? "on" : "off");
out:
    xlmig_drbd_out_dispose(&o);
    return rc;
}

int xlmig_drbd_open_window(xlmig_drbd *d, xlmig_drbd_res *r)
{
    int rc = set_two_primaries(d, r, true);

    if (!rc)
        r->opened = true;
    return rc;
}

int xlmig_drbd_wait_synced(xlmig_drbd *d, xlmig_drbd_res *r,
                           uint64_t timeout_ns)
{
    uint64_t deadline = xlmig_now_ns() + timeout_ns;
    xlmig_drbd_state s;
    int rc;

    for (;;) {
        rc = xlmig_drbd_query(d, r->name, &s);
        if (rc)
            return rc;
        if (xlmig_drbd_state_synced(&s))
            return 0;
        if (xlmig_now_ns() >= deadline)
            break;
        xlmig_sleep_ns(POLL_NS);
    }
    xlmig_err(XLMIG_E_TIMEOUT, "drbd %s: not Connected and"
              " UpToDate/UpToDate after %llu s (%s, %s, %s/%s)", r->name,
              (unsigned long long)(timeout_ns / XLMIG_S(1)), s.cstate,
              s.repl, s.disk, s.peer_disk);
    return XLMIG_E_TIMEOUT;
}

int xlmig_drbd_promote(xlmig_drbd *d, xlmig_drbd_res *r)
{
    uint64_t deadline = xlmig_now_ns() + d->promote_timeout_ns;
    xlmig_drbd_state s;
    xlmig_drbd_out o;
    int rc;

    xlmig_drbd_out_init(&o);
    for (;;) {
        rc = xlmig_drbd_query(d, r->name, &s);
        if (rc || s.role == XLMIG_DRBD_ROLE_PRIMARY)
            goto out;
        /* A peer joined since the pre-check: never a third Primary. */
        if (s.nconn > 1) {
            xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: %u peers, %u of them"
                      " Primary: not promoting (two-node resources only)",
                      r->name, s.nconn, s.peer_primaries);
            rc = XLMIG_E_EXTERNAL;
            goto out;
        }
        rc = run(d, r->name, false, &o, xlmig_drbd_prog_adm(), "primary",
                 r->name, NULL);
        if (rc)
            goto out;
        if (o.status == 0) {
            r->promoted = true;
            continue;            /* read it back */
        }
        /*
         * Each side opens its own half of the window; until the peer
         * has, DRBD says the config forbids two primaries. Wait for it.
         */
        if ((strstr(o.err, "Multiple primaries") ||
             strstr(o.out, "Multiple primaries")) &&
            xlmig_now_ns() < deadline) {
            xlmig_sleep_ns(POLL_NS);
            continue;
        }
        rc = failed(r->name, xlmig_drbd_prog_adm(), "primary", &o);
        goto out;
    }
out:
    xlmig_drbd_out_dispose(&o);
    return rc;
}

int xlmig_drbd_demote(xlmig_drbd *d, xlmig_drbd_res *r)
{
    xlmig_drbd_state s;
    xlmig_drbd_out o;
    int rc;

    xlmig_drbd_out_init(&o);
    /* After a commit the destroy's hotplug remove has demoted it. */
    rc = xlmig_drbd_query_fast(d, r, &s);
    if (rc || s.role != XLMIG_DRBD_ROLE_PRIMARY)
        goto out;
    rc = run(d, r->name, true, &o, xlmig_drbd_prog_adm(), "secondary",
             r->name, NULL);
    if (!rc)
        rc = xlmig_drbd_query_fast(d, r, &s);
    if (!rc && s.role == XLMIG_DRBD_ROLE_PRIMARY) {
        xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: still Primary after"
                  " drbdadm secondary", r->name);
        rc = XLMIG_E_EXTERNAL;
    }
    if (!rc)
        XLMIG_INFO("drbd %s: demoted", r->name);
out:
    xlmig_drbd_out_dispose(&o);
    return rc;
}

int xlmig_drbd_close_window(xlmig_drbd *d, xlmig_drbd_res *r, bool demote)
{
    uint64_t deadline = xlmig_now_ns() + d->peer_timeout_ns;
    xlmig_drbd_show_res n;
    xlmig_drbd_state s;
    int rc;

    if (demote) {
        rc = xlmig_drbd_demote(d, r);
        if (rc)
            return rc;
    }
    /* Minors not known (not opened by us): the option says if to wait. */
    if (!r->nminors) {
        rc = xlmig_drbd_query_net(d, r->name, &n);
        if (rc)
            return rc;
        if (n.nminors <= XLMIG_DRBD_MAX_VOL) {
            r->nminors = n.nminors;
            memcpy(r->minors, n.minors, n.nminors * sizeof(n.minors[0]));
        }
        if (!n.two_primaries)
            goto closed;
    }
    /*
     * DRBD refuses to clear the option while both are Primary: wait for
     * the peer, reading /proc/drbd where it says it. On the destination
     * this runs as soon as the guest started here, while it reconnects
     * its devices through this dom0: three drbdadm runs a look, four
     * looks a second, took the CPU its backends and xenstored needed
     * (its network came back seconds late on a slow host).
     * set_two_primaries reads the option itself, and leaves it if off.
     */
    for (;;) {
        rc = xlmig_drbd_query_fast(d, r, &s);
        if (rc)
            return rc;
        if (s.role != XLMIG_DRBD_ROLE_PRIMARY ||
            s.peer_role != XLMIG_DRBD_ROLE_PRIMARY)
            break;
        if (xlmig_now_ns() >= deadline) {
            xlmig_err(XLMIG_E_TIMEOUT, "drbd %s: both %s and %s are"
                      " still Primary after %llu s; the window stays"
                      " open until one demotes (drbdadm secondary %s"
                      " on the host not running the guest)", r->name,
                      d->local_host, r->peer, (unsigned long long)
                      (d->peer_timeout_ns / XLMIG_S(1)), r->name);
            return XLMIG_E_TIMEOUT;
        }
        xlmig_sleep_ns(POLL_NS);
    }
    rc = set_two_primaries(d, r, false);
    if (rc)
        return rc;
closed:
    r->opened = false;
    if (demote)
        r->promoted = false;
    return 0;
}
