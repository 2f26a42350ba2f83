#!/bin/bash
# tb: address
# The destination named by an address, not its DRBD name. xen1 -> xen2
# as `xl-migrate-drbd g1 <xen2's link address>`: xen2 calls itself xen2,
# the DRBD peer of r0, so it moves, and what it learned is kept under
# xen2. Back as `xl-migrate-drbd g1 xen1` with a migration_address for
# xen1 in xen2's xlmig.conf (root@ its link address). A destination that
# is not the guest's DRBD peer (xen1 itself, by address) is refused at
# the pre-check with the reason, in --dry-run too, and nothing changes.
set -euo pipefail
source "$(dirname "$0")/../lib/tb.sh"
source "$(dirname "$0")/../lib/xlmig.sh"
tb_scenario_begin
tb_reset
tb_guest_create xen1 g1 disks=r0 script=block-drbd-xlmig dirty_mb_s=1

why="destination $TB_IP_xen1 calls itself xen1, which is not a DRBD peer of r0 (peers: xen2)"
tb_capture tb_run xen1 "xl-migrate-drbd --io-timeout 300 --dry-run g1 $TB_IP_xen1"
tb_assert "dry run to xen1's own address fails" [ $TB_RC != 0 ]
tb_assert "the dry run names the DRBD peer" tb_said \
    "FAIL  *dest  *drbd-peer  *$why"
tb_capture tb_run xen1 "xl-migrate-drbd --io-timeout 300 g1 $TB_IP_xen1"
tb_assert "migration to xen1's own address is refused" [ $TB_RC = 1 ]
tb_assert "the refusal is the pre-check's, with the reason" tb_said -F \
    "pre-check failed on dest: drbd-peer: $why"
tb_assert "g1 still runs on xen1" tb_guest_on xen1 g1
tb_assert "g1 heartbeat keeps counting on xen1" tb_hb_wait xen1 g1 5 60
tb_assert "r0 still Primary on xen1" [ "$(tb_drbd_role xen1 r0)" = Primary ]
tb_assert "r0 window closed on xen1" tb_xlmig_window_closed xen1 r0

# By address: the tool maps it to the DRBD peer xen2.
TB_MIG_NAME=g1 TB_MIG_SRC=xen1 TB_MIG_DST=xen2
tb_xl xen1 "$TB_MIGRATE_TIMEOUT" tb_migrate_cleanup \
    "xl-migrate-drbd g1 $TB_IP_xen2" ||
    tb_fail "xl-migrate-drbd g1 $TB_IP_xen2 failed (log: $TB_XL_LOG)"
tb_xlmig_assert_after g1 xen1 xen2 r0
tb_assert "the switchover is learned under xen2" \
    tb_run xen1 "[ -s /var/lib/xlmig/switchover/xen2 ] &&
                 [ ! -e /var/lib/xlmig/switchover/$TB_IP_xen2 ]"

# Back by DRBD name, over xen2's migration_address for xen1.
tb_ok xen2 "[ -e /etc/xlmig/xlmig.conf.tb ] ||
    cp /etc/xlmig/xlmig.conf /etc/xlmig/xlmig.conf.tb
    { cat /etc/xlmig/xlmig.conf.tb;
      echo 'migration_address.xen1 = root@$TB_IP_xen1'; } > /etc/xlmig/xlmig.conf"
tb_xlmig_migrate g1 xen2 xen1
tb_ok xen2 "mv /etc/xlmig/xlmig.conf.tb /etc/xlmig/xlmig.conf"
tb_xlmig_assert_after g1 xen2 xen1 r0
tb_ok xen1 "xl destroy g1"
tb_scenario_end
