#!/bin/bash
# tb: ci
# The transport (the ssh child carrying the stream to xen2) is killed during
# pre-copy: xl-migrate-drbd fails, the guest goes on running on xen1,
# unsuspended and with its own scheduler cap, and nothing is left on xen2.
set -euo pipefail
source "$(dirname "$0")/../lib/tb.sh"
source "$(dirname "$0")/../lib/xenbe.sh"
tb_scenario_begin

tb_reset
tb_guest_create xen1 g1 disks=r0 dirty_mb_s=8
tb_net_probe_start xen1 g1
t0=$(tb_now)
tb_run -t 60 xen1 "rm -f /tmp/xlmig.out; (setsid sh -c 'xl-migrate-drbd \
    --io-timeout 300 --bandwidth 1 g1 xen2; echo exit \$?' > /tmp/xlmig.out 2>&1 &)" > /dev/null
tb_ok -t 240 xen1 'for i in $(seq 230); do
        grep -q "^precopy " /tmp/xlmig.out 2>/dev/null && break; sleep 1; done
    sleep 5
    ! grep -q "^switchover\|phase switchover" /tmp/xlmig.out || exit 1
    pid=$(pgrep -f "^ssh .*xen2 .*--receive" | head -1)
    [ -n "$pid" ] || exit 1
    echo "killing the transport, pid $pid"; kill -9 "$pid"'
tb_ok -t 240 xen1 'for i in $(seq 230); do
    grep -q "^exit" /tmp/xlmig.out && exit 0; sleep 1; done; exit 1'
tb_run xen1 "grep -v '^precopy \|^switchover ' /tmp/xlmig.out" || true
tb_assert_on xen1 "xl-migrate-drbd failed" "! grep -q '^exit 0' /tmp/xlmig.out"
tb_assert "g1 still runs on xen1" tb_guest_on xen1 g1
tb_assert "g1 heartbeat keeps counting on xen1" tb_hb_wait xen1 g1 10 60
tb_assert_on xen1 "g1 is neither paused nor suspended" \
    "xl list g1 | awk 'NR == 2 { exit (\$5 ~ /[ps]/) }'"
tb_assert "g1's own scheduler cap is back" tb_xenbe_cap_restored xen1 g1
tb_hb_gap g1 "$t0" "$(tb_now)"
tb_net_probe_stop "xl-migrate-drbd transport killed" xen1 xen1
# The receiver gives up on the dead link within its I/O timeout.
tb_ok -t 150 xen2 'for i in $(seq 140); do
    pgrep -f "^xl-migrate-drbd --receive" > /dev/null || exit 0; sleep 1; done; exit 1'
tb_assert "nothing named g1 on xen2" eval "! tb_guest_on xen2 g1"
tb_assert "no g1--incoming on xen2" eval "! tb_guest_on xen2 g1--incoming"
tb_assert "r0 Secondary on xen2" [ "$(tb_drbd_role xen2 r0)" = Secondary ]
tb_ok xen1 "xl destroy g1"
tb_scenario_end
