#!/bin/bash
# Baseline: stock `xl migrate` (ssh between the dom0s) of a PVH guest whose
# disk is DRBD r0, with r0 made dual-primary by hand, xen1 -> xen2 -> xen1.
# Prints guest-visible downtime (largest heartbeat gap) and total time per
# direction; asserts the heartbeat kept counting and the disk survived.
set -euo pipefail
source "$(dirname "$0")/../lib/tb.sh"
tb_scenario_begin

DIRTY=${TB_DIRTY_MB_S:-4}
WS=${TB_DIRTY_WS_MB:-32}        # 96: a 192 MiB guest (sized for its load)
tb_guest_create xen1 g1 disks=r0 dirty_mb_s="$DIRTY" dirty_ws_mb="$WS"
tb_assert "r0 Primary on xen1 with g1 running" [ "$(tb_drbd_role xen1 r0)" = Primary ]

for dir in "xen1 xen2" "xen2 xen1"; do
    set -- $dir
    tb_migrate_stock g1 "$1" "$2"
    tb_report "stock-xl-migrate $1->$2 total_s" "$TB_MIG_TOTAL"
    tb_report "stock-xl-migrate $1->$2 downtime_s" "$TB_GAP (+-$TB_CLOCK_ERR, hb 100 ms, dirty $DIRTY MiB/s over $WS MiB; net gap $TB_NET_GAP s)"
done

tb_ok xen1 "xl destroy g1"
# After the guest is gone, r0 (Secondary everywhere) holds the last tick.
tb_ok xen1 "drbdadm primary r0"
last=$(tb_run xen1 "dd if=/dev/drbd0 bs=512 count=1 iflag=direct 2>/dev/null | head -1")
tb_ok xen1 "drbdadm secondary r0"
tb_assert "r0 holds the guest's last disk tick ('$last')" eval "[[ '$last' == TBDISK* ]]"
tb_scenario_end
