#!/bin/bash
# tb: ci
# The PVH test guest (disk on DRBD r0, drbd-utils' block-drbd) moves
# xen1 -> xen2 -> xen1 with xl-migrate-drbd, then the same guest does the
# same with stock `xl migrate` (dual-primary by hand), in the same run:
# guest-visible downtime (largest heartbeat gap) and total time print side
# by side. Heartbeat must keep counting, the disk must survive every move.
set -euo pipefail
source "$(dirname "$0")/../lib/tb.sh"
source "$(dirname "$0")/../lib/xenbe.sh"
tb_scenario_begin

DIRTY=${TB_DIRTY_MB_S:-4}
tb_reset
tb_guest_create xen1 g1 disks=r0 dirty_mb_s="$DIRTY"
for dir in "xen1 xen2" "xen2 xen1"; do
    set -- $dir
    tb_xenbe_migrate g1 "$1" "$2" ""
    tb_report "xl-migrate-drbd $1->$2 total_s" "$TB_MIG_TOTAL"
    tb_report_downtime "xl-migrate-drbd $1->$2" tool
done
for dir in "xen1 xen2" "xen2 xen1"; do
    set -- $dir
    tb_migrate_stock g1 "$1" "$2"
    tb_report "stock-xl-migrate $1->$2 total_s" "$TB_MIG_TOTAL"
    tb_report_downtime "stock-xl-migrate $1->$2"
done
tb_ok xen1 "xl destroy g1"
tb_scenario_end
