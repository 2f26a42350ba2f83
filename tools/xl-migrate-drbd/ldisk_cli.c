/*
 * --with-local-disks (docs/design.md, "Local disks over a temporary
 * DRBD resource"): the context the hooks work in, from xlmig.conf and
 * the command line.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"
#include "hoststate.h"
#include "ldisk_cli.h"
#include "ldisk_journal.h"

void cli_ldisk_conf(const xlmig_config *c, xlmig_ldisk_conf *lc)
{
    xlmig_ldisk_conf_init(lc);
    snprintf(lc->state_dir, sizeof(lc->state_dir), "%s/ldisk",
             xlmig_state_dir());
    if (!c)
        return;
    snprintf(lc->vg, sizeof(lc->vg), "%s", c->local_disk_vg);
    if (c->local_disk_minor_hi) {
        lc->minor_lo = c->local_disk_minor_lo;
        lc->minor_hi = c->local_disk_minor_hi;
    }
    if (c->local_disk_port)
        lc->port_lo = c->local_disk_port;
}

/* "user@10.0.0.2" -> "10.0.0.2"; "[fd00::2]" -> "fd00::2". */
static void bare_addr(const char *a, char *out, size_t sz)
{
    const char *at = a ? strrchr(a, '@') : NULL;
    size_t n;

    snprintf(out, sz, "%s", at ? at + 1 : a ? a : "");
    n = strlen(out);
    if (n >= 2 && out[0] == '[' && out[n - 1] == ']') {
        memmove(out, out + 1, n - 2);
        out[n - 2] = 0;
    }
}

/* A host name as its first address (the resolver's order), or "". */
static void resolve(const char *host, char *out, size_t sz)
{
    struct addrinfo hints, *res = NULL;

    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    out[0] = 0;
    if (!host[0] || getaddrinfo(host, NULL, &hints, &res) || !res)
        return;
    if (getnameinfo(res->ai_addr, res->ai_addrlen, out, (socklen_t)sz,
                    NULL, 0, NI_NUMERICHOST))
        out[0] = 0;
    freeaddrinfo(res);
}

/*
 * This host's address towards peer: the source address the kernel
 * would pick for it (a UDP connect sends nothing), or "".
 */
static void route_src(const char *peer, char *out, size_t sz)
{
    struct sockaddr_storage ss;
    struct addrinfo hints, *res = NULL;
    socklen_t len = sizeof(ss);
    int fd = -1;

    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICHOST;
    out[0] = 0;
    if (getaddrinfo(peer, "9", &hints, &res) || !res)
        return;
    fd = socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && !connect(fd, res->ai_addr, res->ai_addrlen) &&
        !getsockname(fd, (struct sockaddr *)&ss, &len) &&
        getnameinfo((struct sockaddr *)&ss, len, out, (socklen_t)sz, NULL,
                    0, NI_NUMERICHOST))
        out[0] = 0;
    if (fd >= 0)
        close(fd);
    freeaddrinfo(res);
}

int cli_ldisk_setup(const cli_opts *o, xlmig_drbd *drbd,
                    const xlmig_hooks *inner, const char *peer,
                    const char *peer_addr, xlmig_ldisk_ctx *l,
                    xlmig_hooks *out)
{
    xlmig_ldisk_ctx_init(l);
    cli_ldisk_conf(o->conf, &l->conf);
    l->inner = inner;
    l->enabled = o->with_local_disks;
    l->delete_source = o->delete_source;
    l->conf.rate_Bps = (uint64_t)(o->bandwidth_mib * 1024 * 1024);
    if (o->timeout_s > 0)
        l->sync_timeout_ns = (uint64_t)(o->timeout_s * 1e9);
    /* Only a run that may carry local disks asks DRBD's version. */
    if (l->enabled || !peer) {
        if (!xlmig_drbd_detect(drbd))
            l->conf.drbd_version = drbd->version;
        xlmig_err_clear();
    }
    snprintf(l->self.name, sizeof(l->self.name), "%s", drbd->local_host);
    if (o->conf)
        snprintf(l->self.addr, sizeof(l->self.addr), "%s",
                 o->conf->local_disk_address);
    /* The destination's cleanup after a rollback goes as the receiver
     * does: the same -s words, the same host. */
    l->peer_ssh = o->ssh;
    if (peer_addr)
        snprintf(l->peer_host, sizeof(l->peer_host), "%s", peer_addr);
    if (peer) {
        char a[XLMIG_ADDR_TEXT_MAX];

        snprintf(l->peer.name, sizeof(l->peer.name), "%s", peer);
        bare_addr(peer_addr, a, sizeof(a));
        /* DRBD wants addresses: a name is resolved here, once. */
        if (xlmig_ldisk_addr_ok(a))
            snprintf(l->peer.addr, sizeof(l->peer.addr), "%s", a);
        else
            resolve(a, l->peer.addr, sizeof(l->peer.addr));
        if (!l->self.addr[0] && xlmig_ldisk_addr_ok(l->peer.addr))
            route_src(l->peer.addr, l->self.addr, sizeof(l->self.addr));
    }
    xlmig_ldisk_hooks_init(l, out);
    return 0;
}

unsigned cli_ldisk_status(FILE *f)
{
    static xlmig_ldisk_journal j[64];
    xlmig_ldisk_conf c;
    xlmig_ldisk_lv kept[64];
    unsigned n = 0, k = 0, i;

    cli_ldisk_conf(NULL, &c);
    if (xlmig_ldisk_journal_list(&c, j, 64, &n)) {
        fprintf(f, "  local disks: %s\n", xlmig_errmsg());
        xlmig_err_clear();
    }
    for (i = 0; i < n; i++)
        if (xlmig_ldisk_journal_owned(&j[i]))
            fprintf(f, "  local disk: %s/%s on the %s, temporary resource"
                    " xlmig-%d in %s, its move running (process %ld)\n",
                    j[i].disk.lv.vg, j[i].disk.lv.lv, j[i].is_src ? "source"
                    : "destination", j[i].disk.minor, j[i].stage,
                    j[i].owner);
        else
            fprintf(f, "  local disk: %s/%s on the %s, temporary resource"
                    " xlmig-%d left in %s after %u steps (run recover or"
                    " cleanup)\n", j[i].disk.lv.vg, j[i].disk.lv.lv,
                    j[i].is_src ? "source" : "destination", j[i].disk.minor,
                    j[i].stage, j[i].done);
    xlmig_ldisk_journal_kept(&c, kept, 64, &k);
    for (i = 0; i < k; i++)
        fprintf(f, "  local disk: %s/%s kept after its guest moved"
                " (cleanup removes it)\n", kept[i].vg, kept[i].lv);
    return n + k;
}
