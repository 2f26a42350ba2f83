/*
 * What recover and inspect share (docs/reliability.md): their options,
 * this host's side (inspect, act, the guest's lock), the peer's side
 * (inspect run there through the transport) and recover's record.
 */
#ifndef XLMIG_RECOVER_CLI_H
#define XLMIG_RECOVER_CLI_H

#include <stdbool.h>

#include "lock.h"
#include "peer_map.h"
#include "recover.h"
#include "recover_json.h"

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

/* recover_opts.c: both commands' options; nargs 2 recover, 1 inspect. */
int rec_parse(rec_opts *o, int argc, char **argv, int nargs);

/* recover_local.c: this host's view and actions, and the guest's lock. */
int rec_local_inspect(const rec_opts *o, xlmig_host_view *v);
int rec_local_act(const rec_opts *o, const xlmig_action *a);
int rec_lock_here(const rec_opts *o, const char *uuid, xlmig_lock *l);
void rec_probe_here(const rec_opts *o, xlmig_host_view *v);

/* recover_peer.c: inspect on the peer, through the transport. */
int rec_peer_inspect(const rec_opts *o, xlmig_host_view *v, char *host,
                     size_t hl);
int rec_peer_act(const rec_opts *o, const xlmig_action *a);

/* recover_log.c: recover's log line and history record. */
void rec_log(const recover_record *rr, bool sim, int rc, const char *why);

#endif
