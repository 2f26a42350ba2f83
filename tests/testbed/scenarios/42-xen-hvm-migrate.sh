#!/bin/bash
# An HVM guest (upstream QEMU in dom0, the test kernel booted directly by
# QEMU, PV drivers through the platform device) on block-drbd-xlmig moves
# xen1 -> xen2 -> xen1 with xl-migrate-drbd: same boot (heartbeat keeps
# counting), disk ticks intact, DRBD single-primary, its device model,
# VNC, disk and network up on each side, and Xen's verify-stream-v2
# accepts the libxl stream we sent. Then an HVM guest on drbd-utils'
# block-drbd moves the same way with xl-migrate-drbd and with stock
# `xl migrate`: totals and downtimes side by side.
set -euo pipefail
source "$(dirname "$0")/../lib/tb.sh"
source "$(dirname "$0")/../lib/xlmig.sh"
source "$(dirname "$0")/../lib/xenbe.sh"
source "$(dirname "$0")/../lib/hvm.sh"
tb_scenario_begin

# 192 MiB: firmware, VRAM and the emulated devices take some 90 MiB more
# of an HVM guest than of the PVH one (its 32 MiB working set did not fit
# in 128).
DIRTY=${TB_DIRTY_MB_S:-4}
tb_reset
t0=$(tb_now)
tb_guest_create xen1 h1 type=hvm mem=192 disks=r0 script=block-drbd-xlmig \
    dirty_mb_s="$DIRTY"
tb_report "hvm guest boot (xl create -> heartbeat) s" "$(tb_elapsed "$t0")"
boot=$TB_BOOT
tb_hvm_devices xen1 h1
for dir in "xen1 xen2" "xen2 xen1"; do
    set -- $dir
    tb_hvm_verify_start "$1" /run/h1.stream
    TB_XLMIG_ENV="XLMIG_TEST_TEE=/run/h1.stream" \
        tb_xenbe_migrate h1 "$1" "$2" ""
    tb_xlmig_assert_after h1 "$1" "$2" r0
    tb_assert "h1 on $2 is the same boot ($boot), not a reboot" \
        tb_hvm_same_boot "$2" h1 "$boot"
    tb_hvm_devices "$2" h1
    tb_assert "verify-stream-v2 accepts the HVM stream sent from $1" \
        tb_hvm_verify_done "$1" /run/h1.stream
    tb_report "xl-migrate-drbd hvm $1->$2 total_s" "$TB_MIG_TOTAL"
    tb_report_downtime "xl-migrate-drbd hvm $1->$2" tool
done
tb_ok xen1 "xl destroy h1"

# The same guest type on drbd-utils' script, so stock xl can move it too.
tb_reset
tb_guest_create xen1 h2 type=hvm mem=192 disks=r0 dirty_mb_s="$DIRTY"
for dir in "xen1 xen2" "xen2 xen1"; do
    set -- $dir
    tb_xenbe_migrate h2 "$1" "$2" ""
    tb_report "xl-migrate-drbd hvm $1->$2 total_s" "$TB_MIG_TOTAL"
    tb_report_downtime "xl-migrate-drbd hvm $1->$2" tool
done
for dir in "xen1 xen2" "xen2 xen1"; do
    set -- $dir
    tb_migrate_stock h2 "$1" "$2"
    tb_report "stock-xl-migrate hvm $1->$2 total_s" "$TB_MIG_TOTAL"
    tb_report_downtime "stock-xl-migrate hvm $1->$2"
done
tb_ok xen1 "xl destroy h2"
tb_scenario_end
