/*
 * What TLS can reach here at all, from numbers measured in the same
 * run: on loopback both ends, the kernel's TCP and the cipher share
 * the same CPUs, so TLS over n streams cannot beat
 *
 *   ncpu / (plain TCP's CPU a GiB, both sides + 2 x the cipher's)
 *
 * nor, with one thread receiving all streams (and one sending), what
 * that thread does for a GiB: 1 / (plain TCP's side + the cipher's).
 */
#include <stdio.h>

#include "dpbench.h"

double dp_tls_ceiling(double gcm_Bps, unsigned ncpu, const dp_result *tcp,
                      bool print)
{
    double g = tcp->bytes / DP_GIB, c, s, d, all, one_src, one_dst, best;

    if (!(gcm_Bps > 0) || !(g > 0) || tcp->cpu_src_s < 0 ||
        tcp->cpu_dst_s < 0)
        return -1;
    c = DP_GIB / gcm_Bps;       /* the cipher's CPU seconds a GiB */
    s = tcp->cpu_src_s / g;
    d = tcp->cpu_dst_s / g;
    all = ncpu / (s + d + 2 * c);
    one_src = 1 / (s + c);
    one_dst = 1 / (d + c);
    best = all < one_src ? all : one_src;
    best = best < one_dst ? best : one_dst;
    if (print) {
        printf("   AES-128-GCM here: %.2f GB/s on one core (16 KiB records,"
               " as openssl speed -evp\n   aes-128-gcm -bytes 16384), %.3f"
               " s of CPU a GiB, each side\n", gcm_Bps / 1e9, c);
        printf("   TLS ceiling here: %u CPUs / (%.3f + %.3f + 2 x %.3f s a"
               " GiB) = %.2f GiB/s; one\n   thread a side: source 1 / "
               "(%.3f + %.3f) = %.2f, destination 1 / (%.3f + %.3f) = "
               "%.2f\n   GiB/s; so at most %.2f GiB/s = x%.2f of plain TCP"
               " x n\n", ncpu, s, d, c, all, s, c, one_src, d, c, one_dst,
               best, best / (tcp->bytes / tcp->wall_s / DP_GIB));
    }
    return best * DP_GIB;
}
