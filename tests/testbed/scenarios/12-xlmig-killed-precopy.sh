#!/bin/bash
# tb: ci
# A migration killed during pre-copy (SIGTERM to xl-migrate-drbd while
# memory is being copied), and one cancelled before its first byte of
# memory, each leave the guest running on xen1, r0 Primary on xen1
# only, the window closed on both hosts and no token on xen2.
set -euo pipefail
source "$(dirname "$0")/../lib/tb.sh"
source "$(dirname "$0")/../lib/xlmig.sh"
tb_scenario_begin

tb_reset
# A busy guest and a slow link keep the pre-copy going long enough.
tb_guest_create xen1 g1 disks=r0 script=block-drbd-xlmig dirty_mb_s=16
tb_net_probe_start xen1 g1
t0=$(tb_now)
tb_run -t 60 xen1 "rm -f /tmp/xlmig.log; (setsid xl-migrate-drbd --bandwidth 2 g1 xen2 \
    > /tmp/xlmig.log 2>&1 & echo \$! > /tmp/xlmig.pid)" > /dev/null
# Wait until the window is open (allow-two-primaries on xen1): pre-copy.
tb_ok -t 180 xen1 "for i in \$(seq 600); do
    drbdsetup show --show-defaults r0 | grep -q 'allow-two-primaries.*yes' && exit 0
    sleep 0.2; done; exit 1"
sleep 3
tb_ok xen1 "kill -TERM \$(cat /tmp/xlmig.pid)"
tb_ok -t 240 xen1 "while kill -0 \$(cat /tmp/xlmig.pid) 2>/dev/null; do sleep 0.5; done"
tb_run xen1 "cat /tmp/xlmig.log" || true
# What an abort in pre-copy must leave: $1 names the case.
left_clean() {
    tb_assert "$1: g1 runs on xen1" tb_guest_on xen1 g1
    tb_assert "$1: no g1 on xen2" \
        tb_gone xen2 g1
    tb_assert "$1: g1 keeps counting on xen1" tb_hb_wait xen1 g1 5 60
    tb_assert "$1: r0 Primary on xen1" [ "$(tb_drbd_role xen1 r0)" = Primary ]
    tb_assert "$1: r0 Secondary on xen2" \
        [ "$(tb_drbd_role xen2 r0)" = Secondary ]
    for h in xen1 xen2; do
        tb_assert "$1: allow-two-primaries off on $h" \
            tb_xlmig_window_closed "$h" r0
    done
    tb_assert "$1: no migration token left on xen2" \
        eval "[ -z \"\$(tb_run xen2 'ls /run/xlmig/tokens 2>/dev/null')\" ]"
}
left_clean "killed"
tb_hb_gap g1 "$t0" "$(tb_now)"
tb_net_probe_stop "xl-migrate-drbd killed in pre-copy" xen1 xen1

# The same abort before the first byte of the Xen stream: the
# destination has prepared (window open, r0 promoted, token written)
# but must not have started building the domain.
rc=$(tb_run -t 400 xen1 "XLMIG_FAULT=source:precopy:sigint \
    xl-migrate-drbd --bandwidth 2 g1 xen2 > /tmp/xlmig2.log 2>&1; echo \$?")
tb_run xen1 "cat /tmp/xlmig2.log" || true
tb_assert "cancelled at the start of pre-copy: exit 2" [ "$rc" = 2 ]
left_clean "cancelled before any data"
tb_ok xen1 "xl destroy g1"
tb_scenario_end
