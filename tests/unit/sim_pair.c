#include "sim_pair.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "unit.h"

#include "error.h"

void sim_pair_init(sim_pair *p)
{
    xlmig_sim_src_params sp;

    memset(p, 0, sizeof(*p));
    memset(&sp, 0, sizeof(sp));
    sp.name = "g1";
    sp.mem_bytes = 2 * XLMIG_MIB;
    sp.page_size = 4096;
    sp.seed = 11;
    CU_ASSERT_FATAL(xlmig_sim_workload_preset(&sp.wl, "idle", sp.mem_bytes,
                                              0) == 0);
    CU_ASSERT_FATAL(xlmig_sim_src_init(&p->s, &sp) == 0);
    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, p->sv) == 0);
    xlmig_src_opts_init(&p->o);
    p->o.in_fd = p->o.out_fd = p->sv[0];
    p->o.dest_host = "peer";
    p->o.io_timeout_ns = XLMIG_S(10);
    p->ops = xlmig_sim_src_ops;
    xlmig_report_init(&p->rep);
    xlmig_dst_opts_init(&p->dopts);
    p->dopts.in_fd = p->dopts.out_fd = p->sv[1];
    p->dopts.io_timeout_ns = XLMIG_S(10);
    p->dops = xlmig_sim_dst_ops;
    xlmig_sim_dst_init(&p->d, 64 * XLMIG_MIB);
    xlmig_report_init(&p->drep);
}

static void *run_dst(void *arg)
{
    sim_pair *p = arg;

    p->drc = xlmig_migrate_dest(&p->dopts, &p->dops, &p->d, &p->drep);
    return NULL;
}

int sim_pair_run(sim_pair *p)
{
    int rc;

    CU_ASSERT_FATAL(pthread_create(&p->thr, NULL, run_dst, p) == 0);
    rc = xlmig_migrate_source(&p->o, &p->ops, &p->s, &p->rep);
    /* The destination learns of the end when we hang up. */
    shutdown(p->sv[0], SHUT_RDWR);
    pthread_join(p->thr, NULL);
    return rc;
}

void sim_pair_dispose(sim_pair *p)
{
    xlmig_sim_dst_dispose(&p->d);
    xlmig_sim_src_dispose(&p->s);
    close(p->sv[0]);
    close(p->sv[1]);
}
