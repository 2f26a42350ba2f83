#!/bin/bash
# The guest dirties memory faster than the link may carry it (8 MiB/s over
# a 32 MiB working set, --bandwidth 1): xl-migrate-drbd --max-downtime 300
# either finishes with the throttle engaged and reported, or aborts with
# the guest still running on xen1 (its own cap back) and nothing on xen2.
# Stock `xl migrate` on the same load is measured for comparison (it has no
# bandwidth limit and no throttle).
set -euo pipefail
source "$(dirname "$0")/../lib/tb.sh"
source "$(dirname "$0")/../lib/xenbe.sh"
tb_scenario_begin

tb_reset
tb_guest_create xen1 g1 disks=r0 dirty_mb_s="${TB_DIRTY_MB_S:-8}" dirty_ws_mb=32
TB_MIG_NAME=g1 TB_MIG_SRC=xen1 TB_MIG_DST=xen2
t0=$(tb_now)
rc=0
tb_xl xen1 "$TB_MIGRATE_TIMEOUT" tb_migrate_cleanup \
    "xl-migrate-drbd --io-timeout 300 --bandwidth 1 --max-downtime 300 --timeout 240 g1 xen2" ||
    rc=$?
total=$(tb_elapsed "$t0")
grep -v '^precopy \|^switchover ' "$TB_XL_LOG" || true
throttle=$(sed -n 's/^ *throttle: *//p' "$TB_XL_LOG" | head -1)
src=xen1 dst=xen2
if [ $rc = 0 ]; then
    tb_assert "g1 runs on xen2" tb_guest_on xen2 g1
    tb_assert "g1 is gone from xen1" eval "! tb_guest_on xen1 g1"
    tb_assert "the throttle engaged and is reported" \
        grep -q 'throttle: *up to' "$TB_XL_LOG"
    tb_assert "g1 heartbeat keeps counting on xen2" tb_hb_wait xen2 g1 10 60
    tb_hb_gap g1 "$t0" "$(tb_now)"
    tb_report "xl-migrate-drbd throttled" "migrated in $total s"
    tb_report "xl-migrate-drbd throttled downtime_s" \
        "$TB_GAP (+-$TB_CLOCK_ERR; target 0.300; tool: $(sed -n 's/^ *downtime: *//p' "$TB_XL_LOG" | head -1))"
    # The promise: migrated within the target, or not at all.
    tb_assert "downtime within the 300 ms target" \
        awk -v g="$TB_GAP" 'BEGIN { exit !(g <= 0.3) }'
    src=xen2 dst=xen1
else
    tb_assert "xl-migrate-drbd reports an abort" \
        grep -q -i 'abort' "$TB_XL_LOG"
    tb_assert "g1 still runs on xen1" tb_guest_on xen1 g1
    tb_assert "nothing on xen2" \
        eval "! tb_guest_on xen2 g1 && ! tb_guest_on xen2 g1--incoming"
    tb_assert "g1 heartbeat keeps counting on xen1" tb_hb_wait xen1 g1 10 60
    tb_assert "g1's own scheduler cap is back" tb_xenbe_cap_restored xen1 g1
    tb_report "xl-migrate-drbd throttled" "aborted after $total s (exit $rc), guest on xen1"
fi
tb_report "xl-migrate-drbd throttled throttle" "${throttle:-none reported}"
tb_migrate_stock g1 "$src" "$dst"
tb_report "stock-xl-migrate same load $src->$dst total_s" "$TB_MIG_TOTAL"
tb_report "stock-xl-migrate same load $src->$dst downtime_s" \
    "$TB_GAP (+-$TB_CLOCK_ERR)"
tb_ok "$dst" "xl destroy g1"
tb_scenario_end
