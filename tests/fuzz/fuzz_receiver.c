/*
 * A whole source-to-destination stream, fed to the destination's phase
 * machine with the simulator backend: the bytes arrive as the
 * receiver's stdin would carry them, its answers go to /dev/null.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "error.h"
#include "migrate.h"
#include "sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int quiet;
    xlmig_dst_opts o;
    xlmig_sim_dst d;
    xlmig_report rep;
    int in, out;

    if (!quiet) {
        xlmig_log_set_level(XLMIG_LOG_ERROR);
        quiet = 1;
    }
    /* A regular file: reads never block, the end is a closed peer. */
    in = memfd_create("stream", 0);
    out = open("/dev/null", O_WRONLY);
    if (in < 0 || out < 0 || write(in, data, size) != (ssize_t)size ||
        lseek(in, 0, SEEK_SET))
        goto out;
    xlmig_dst_opts_init(&o);
    o.in_fd = in;
    o.out_fd = out;
    o.io_timeout_ns = XLMIG_MS(200);
    /* A small host: the check refuses bigger guests before allocating. */
    xlmig_sim_dst_init(&d, 4 * XLMIG_MIB);
    xlmig_report_init(&rep);
    xlmig_migrate_dest(&o, &xlmig_sim_dst_ops, &d, &rep);
    xlmig_sim_dst_dispose(&d);
out:
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    xlmig_err_clear();
    return 0;
}
