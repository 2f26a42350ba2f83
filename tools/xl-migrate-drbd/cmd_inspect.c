/*
 * inspect <domain>: this host's view as JSON, and its --do actions;
 * recover runs it on the peer (recover_peer.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "error.h"
#include "recover_cli.h"

/* The guest's uuid as this host knows it, else as the hint says. */
static void guest_uuid(const rec_opts *o, char *buf, size_t len)
{
    xlmig_host_view v;

    snprintf(buf, len, "%s", o->hint.uuid);
    if (!rec_local_inspect(o, &v) && v.uuid[0])
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

    if (rec_parse(&o, argc, argv, 1))
        return CLI_EXIT_USAGE;
    /* Acting is recover's part on this host: under the guest's lock. */
    if (o.ntodo) {
        guest_uuid(&o, uuid, sizeof(uuid));
        if (rec_lock_here(&o, uuid, lk)) {
            cli_error("inspect %s: %s", o.domain, xlmig_errmsg());
            return 1;
        }
    }
    for (i = 0; i < o.ntodo; i++) {
        rc = xlmig_action_parse(o.todo[i], &a);
        if (!rc)
            rc = rec_local_act(&o, &a);
        if (rc) {
            cli_error("inspect %s: %s", o.domain, xlmig_errmsg());
            return 1;
        }
    }
    if (gethostname(host, sizeof(host) - 1))
        strcpy(host, "?");
    rc = rec_local_inspect(&o, &v);
    if (!rc && !o.ntodo)
        rec_probe_here(&o, &v);
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
