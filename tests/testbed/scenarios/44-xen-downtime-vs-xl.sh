#!/bin/bash
# Downtime against stock `xl migrate`, in the same run, both directions,
# on an idle-ish guest (heartbeat and disk ticks only) and on a heavy
# one (32 MiB rewritten at 96 MiB/s): xl-migrate-drbd moves a guest on
# block-drbd-xlmig (its fast hotplug add), stock xl the same guest on
# drbd-utils' block-drbd with dual-primary by hand (ours refuses a
# second Primary without a migration token). The heartbeat gap is the
# downtime; xl-migrate-drbd's must be <= stock xl's for each load and
# direction, and its report breaks the destination restore down
# (downtime steps, restore steps). Last, a light guest (1 MiB/s, well
# under the link) moves without being throttled.
#
# TB_DOWNTIME_LOADS (default "idle heavy") picks the loads, and
# TB_DOWNTIME_LIGHT=0 leaves the light guest out (scenario 45 moves one
# there and back), to run the parts that matter on a loaded machine.
set -euo pipefail
source "$(dirname "$0")/../lib/tb.sh"
source "$(dirname "$0")/../lib/xenbe.sh"
tb_scenario_begin

declare -A ours stock

# moves NAME TOOL KIND: there and back; the gaps into ours/stock.
moves() {
    local name=$1 tool=$2 kind=$3 dir
    for dir in "xen1 xen2" "xen2 xen1"; do
        set -- $dir
        if [ "$tool" = xlmig ]; then
            tb_xenbe_migrate "$name" "$1" "$2" ""
            ours[$kind.$1]=$TB_GAP
            tb_report "xl-migrate-drbd $kind $1->$2 total_s" "$TB_MIG_TOTAL"
            tb_report_downtime "xl-migrate-drbd $kind $1->$2" tool
            tb_report "xl-migrate-drbd $kind $1->$2 steps" \
                "$(sed -n 's/^ *downtime steps: *//p' "$TB_XL_LOG" | head -1)"
            tb_report "xl-migrate-drbd $kind $1->$2 restore" \
                "$(sed -n 's/^ *restore steps: *//p' "$TB_XL_LOG" | head -1)"
            tb_assert "the report breaks the restore down" \
                grep -q '^ *restore steps: *DRBD hotplug' "$TB_XL_LOG"
            tb_assert "the hotplug add took its fast path on $2" \
                grep -q '(1 of 1 disks on the fast path)' "$TB_XL_LOG"
        else
            tb_migrate_stock "$name" "$1" "$2"
            stock[$kind.$1]=$TB_GAP
            tb_report "stock-xl-migrate $kind $1->$2 total_s" "$TB_MIG_TOTAL"
            tb_report_downtime "stock-xl-migrate $kind $1->$2"
        fi
    done
}

for kind in ${TB_DOWNTIME_LOADS:-idle heavy}; do
    case $kind in
        idle) dirty=0 ws=32 ;;
        heavy) dirty=96 ws=32 ;;
        *) tb_fail "TB_DOWNTIME_LOADS: no load \"$kind\" (idle, heavy)" ;;
    esac
    tb_reset
    tb_guest_create xen1 g1 disks=r0 script=block-drbd-xlmig \
        dirty_mb_s="$dirty" dirty_ws_mb="$ws"
    moves g1 xlmig "$kind"
    tb_ok xen1 "xl destroy g1"
    tb_reset
    tb_guest_create xen1 g2 disks=r0 dirty_mb_s="$dirty" dirty_ws_mb="$ws"
    moves g2 stock "$kind"
    tb_ok xen1 "xl destroy g2"
    for src in xen1 xen2; do
        tb_report "downtime $kind from $src: xl-migrate-drbd / stock xl" \
            "${ours[$kind.$src]} / ${stock[$kind.$src]} s"
    done
done
# Judged once every load moved, so that one verdict does not hide the
# others' numbers.
for kind in ${TB_DOWNTIME_LOADS:-idle heavy}; do
    for src in xen1 xen2; do
        desc="$kind from $src: xl-migrate-drbd's downtime"
        desc="$desc (${ours[$kind.$src]} s) <= stock xl's"
        tb_assert "$desc (${stock[$kind.$src]} s)" \
            awk -v a="${ours[$kind.$src]}" -v b="${stock[$kind.$src]}" \
                'BEGIN { exit !(a <= b) }'
    done
done

if [ "${TB_DOWNTIME_LIGHT:-1}" = 0 ]; then
    tb_scenario_end
    exit 0
fi

# A light guest, well under the link: no cap at any point.
tb_reset
tb_guest_create xen1 g3 disks=r0 script=block-drbd-xlmig dirty_mb_s=1
tb_xenbe_migrate g3 xen1 xen2 ""
tb_report "xl-migrate-drbd light xen1->xen2 throttle" \
    "$(sed -n 's/^ *throttle: *//p' "$TB_XL_LOG" | head -1)"
tb_assert "a light guest is not throttled" \
    grep -q '^ *throttle: *not needed' "$TB_XL_LOG"
tb_assert "g3's own scheduler cap" tb_xenbe_cap_restored xen2 g3
tb_ok xen2 "xl destroy g3"
tb_scenario_end
