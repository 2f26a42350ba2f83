#!/bin/bash
# The guest dirties memory faster than the link may carry it (8 MiB/s over
# a 32 MiB working set, --bandwidth 1).
#  1. xl-migrate-drbd xen1 -> xen2 with no bound: the throttle engages and
#     is reported; the switchover it really cost is recorded on xen1.
#  2. stock `xl migrate` xen2 -> xen1 on the same load, for comparison
#     (no bandwidth limit, no throttle).
#  3. xl-migrate-drbd --max-downtime 300 xen1 -> xen2: either the learned
#     switchover fits and the measured downtime is within 300 ms, or it
#     is refused before the guest is touched: g1 runs on xen1 with its own
#     cap, DRBD untouched, nothing on xen2.
set -euo pipefail
source "$(dirname "$0")/../lib/tb.sh"
source "$(dirname "$0")/../lib/xlmig.sh"
source "$(dirname "$0")/../lib/xenbe.sh"
tb_scenario_begin

tb_reset
tb_guest_create xen1 g1 disks=r0 dirty_mb_s="${TB_DIRTY_MB_S:-8}" dirty_ws_mb=32

# 1. No bound: migrate, throttled.
tb_xenbe_migrate g1 xen1 xen2 "--bandwidth 1 --timeout 240 --allow-long-downtime"
tb_assert "the throttle engaged and is reported" \
    grep -q 'throttle: *up to' "$TB_XL_LOG"
tb_report "xl-migrate-drbd throttled xen1->xen2 total_s" "$TB_MIG_TOTAL"
tb_report "xl-migrate-drbd throttled xen1->xen2 downtime_s" \
    "$TB_GAP (+-$TB_CLOCK_ERR; tool: $TB_XLMIG_DOWNTIME)"
tb_report "xl-migrate-drbd throttled throttle" \
    "$(sed -n 's/^ *throttle: *//p' "$TB_XL_LOG" | head -1)"
learned=$(tb_run xen1 "tail -1 /var/lib/xlmig/switchover/xen2" | awk '{ print $2 }')
tb_assert "xen1 recorded the switchover to xen2" [ -n "$learned" ]
tb_report "switchover xen1->xen2 learned_ms" "$learned"

# 2. Stock xl on the same load, back to xen1.
tb_migrate_stock g1 xen2 xen1
tb_report "stock-xl-migrate same load xen2->xen1 total_s" "$TB_MIG_TOTAL"
tb_report "stock-xl-migrate same load xen2->xen1 downtime_s" \
    "$TB_GAP (+-$TB_CLOCK_ERR)"

# 3. The 300 ms bound.
TB_MIG_NAME=g1 TB_MIG_SRC=xen1 TB_MIG_DST=xen2
t0=$(tb_now)
rc=0
tb_xl xen1 "$TB_MIGRATE_TIMEOUT" tb_migrate_cleanup \
    "xl-migrate-drbd --io-timeout 300 --bandwidth 1 --max-downtime 300 --timeout 240 g1 xen2" ||
    rc=$?
total=$(tb_elapsed "$t0")
grep -v '^precopy \|^switchover ' "$TB_XL_LOG" || true
if [ $rc = 0 ]; then
    tb_assert "g1 runs on xen2" tb_guest_on xen2 g1
    tb_assert "g1 heartbeat keeps counting on xen2" tb_hb_wait xen2 g1 10 60
    tb_hb_gap g1 "$t0" "$(tb_now)"
    tb_report "xl-migrate-drbd bounded" "migrated in $total s, downtime $TB_GAP s"
    tb_assert "downtime within the 300 ms bound" \
        awk -v g="$TB_GAP" 'BEGIN { exit !(g <= 0.3) }'
    dst=xen2
else
    tb_assert "exit 1: refused at pre-check" [ "$rc" = 1 ]
    tb_assert "the refusal names the learned switchover and the bound" \
        grep -q "switchover-cost: switchover to xen2 took up to [0-9]* ms.*over --max-downtime 300 ms" \
        "$TB_XL_LOG"
    tb_assert "g1 still runs on xen1" tb_guest_on xen1 g1
    tb_assert "nothing on xen2" \
        tb_gone xen2 g1
    tb_assert "g1 heartbeat keeps counting on xen1" tb_hb_wait xen1 g1 10 60
    tb_assert "g1's own scheduler cap" tb_xenbe_cap_restored xen1 g1
    tb_assert "r0 Primary on xen1" [ "$(tb_drbd_role xen1 r0)" = Primary ]
    tb_assert "r0 Secondary on xen2" [ "$(tb_drbd_role xen2 r0)" = Secondary ]
    for h in xen1 xen2; do
        tb_assert "r0 allow-two-primaries off on $h" tb_xlmig_window_closed "$h" r0
    done
    tb_report "xl-migrate-drbd bounded" "refused after $total s (exit $rc), guest on xen1"
    dst=xen1
fi
tb_ok "$dst" "xl destroy g1"
tb_scenario_end
