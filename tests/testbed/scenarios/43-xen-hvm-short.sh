#!/bin/bash
# tb: ci
# The short HVM scenario CI runs (42 is the long one): Xen's own
# verify-stream-v2 accepts the libxl stream xl-migrate-drbd sends for the
# PVH guest and for the HVM guest; the HVM guest (QEMU in dom0, PV
# drivers, disk on block-drbd-xlmig) moves xen1 -> xen2 as the same boot
# with its devices up; then, moving it back, the destination's QEMU is
# killed before the commit point: the guest runs on on xen2 with its own
# device model, and nothing is left on xen1.
set -euo pipefail
source "$(dirname "$0")/../lib/tb.sh"
source "$(dirname "$0")/../lib/xlmig.sh"
source "$(dirname "$0")/../lib/xenbe.sh"
source "$(dirname "$0")/../lib/hvm.sh"
tb_scenario_begin

tb_reset
tb_guest_create xen1 g1 disks=r0 script=block-drbd-xlmig dirty_mb_s=4
tb_hvm_verify_start xen1 /run/g1.stream
TB_XLMIG_ENV="XLMIG_TEST_TEE=/run/g1.stream" tb_xenbe_migrate g1 xen1 xen2 ""
tb_xlmig_assert_after g1 xen1 xen2 r0
tb_assert "verify-stream-v2 accepts the PVH stream sent from xen1" \
    tb_hvm_verify_done xen1 /run/g1.stream
tb_ok xen2 "xl destroy g1"

tb_reset
t0=$(tb_now)
tb_guest_create xen1 h1 type=hvm mem=192 disks=r0 script=block-drbd-xlmig \
    dirty_mb_s=4
tb_report "hvm guest boot (xl create -> heartbeat) s" "$(tb_elapsed "$t0")"
boot=$TB_BOOT
tb_hvm_verify_start xen1 /run/h1.stream
TB_XLMIG_ENV="XLMIG_TEST_TEE=/run/h1.stream" tb_xenbe_migrate h1 xen1 xen2 ""
tb_xlmig_assert_after h1 xen1 xen2 r0
tb_assert "h1 on xen2 is the same boot ($boot), not a reboot" \
    tb_hvm_same_boot xen2 h1 "$boot"
tb_hvm_devices xen2 h1
tb_assert "verify-stream-v2 accepts the HVM stream sent from xen1" \
    tb_hvm_verify_done xen1 /run/h1.stream
tb_report "xl-migrate-drbd hvm xen1->xen2 total_s" "$TB_MIG_TOTAL"
tb_report_downtime "xl-migrate-drbd hvm xen1->xen2" tool

# Back, with the incoming guest's QEMU on xen1 killed as soon as it runs.
tb_hvm_kill_incoming_qemu xen1 h1
rc=0
tb_run -t 900 xen2 "xl-migrate-drbd --io-timeout 300 h1 xen1" \
    > "$TB_RUN/43-killed.log" 2>&1 || rc=$?
tail -12 "$TB_RUN/43-killed.log"
tb_assert "the killer saw the incoming QEMU and killed it" \
    tb_hvm_killed_incoming_qemu xen1
tb_assert "xl-migrate-drbd failed with the guest on the source (exit 1)" \
    [ "$rc" = 1 ]
tb_assert "its message names the destination's failure" \
    grep -q "guest still running on the source" "$TB_RUN/43-killed.log"
tb_assert "h1 still runs on xen2" tb_guest_on xen2 h1
tb_assert "nothing of h1 on xen1" eval "! tb_guest_on xen1 h1 &&
    ! tb_guest_on xen1 h1--incoming"
tb_assert "no QEMU left on xen1" \
    eval "! tb_run xen1 'pgrep -f [q]emu-system-i386' > /dev/null"
tb_assert "r0 Primary on xen2" [ "$(tb_drbd_role xen2 r0)" = Primary ]
tb_assert "r0 Secondary on xen1" [ "$(tb_drbd_role xen1 r0)" = Secondary ]
for h in xen1 xen2; do
    tb_assert "r0 allow-two-primaries off on $h" tb_xlmig_window_closed "$h" r0
done
tb_assert "h1 heartbeat keeps counting on xen2" tb_hb_wait xen2 h1 10 120
tb_assert "h1 on xen2 is still the same boot" tb_hvm_same_boot xen2 h1 "$boot"
tb_hvm_devices xen2 h1
seq=$(tb_disk_check xen2 h1) || tb_fail "h1 disk contents did not survive"
tb_pass "h1 disk contents survived (ticks up to seq $seq on xen2)"
tb_ok xen2 "xl destroy h1"
tb_scenario_end
