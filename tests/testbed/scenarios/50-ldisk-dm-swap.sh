#!/bin/bash
# The mechanism of a local-disk move, by hand, on the real kernels: a
# guest on the local LV tbvg/g3 keeps writing while its LV's dm table is
# reloaded onto a temporary DRBD resource (protocol C, external metadata
# on a small LV each side, the backing disk a new dm device over the
# same extents, the peer a fresh LV of the same size on xen2), the
# initial sync runs to xen2, and the LV is reloaded back onto its own
# extents and the resource torn down. The guest's heartbeat and disk
# ticks go on (one boot, no mismatch, no I/O error in either kernel
# log), xen2 holds the same data, nothing temporary is left, and after
# a shutdown the LV holds what the guest last wrote. docs/design.md,
# "Local disks: the device-mapper swap, as measured".
set -euo pipefail
source "$(dirname "$0")/../lib/tb.sh"
tb_scenario_begin

M=$TB_LD_MINOR
tb_reset
tb_lvm_init
tb_ldisk_guest_create xen1 g3 g3 64 disk_ms=200
boot=$TB_BOOT
declare -A dmesg0
for h in xen1 xen2; do dmesg0[$h]=$(tb_run "$h" "dmesg | wc -l"); done
t0=$(tb_now)
saved=$(tb_ldisk_table xen1 g3)
sectors=$(tb_run xen1 "blockdev --getsz /dev/$TB_VG/g3")
echo "tbvg-g3: $saved ($sectors sectors)"
drbd_table="0 $sectors linear /dev/drbd$M 0"

# Both sides: metadata LV, lower device, resource up; xen2's LV new.
ts=$(tb_now)
tb_ok xen2 "lvcreate -q -y -W y -Z y -L ${sectors}s -n g3 $TB_VG > /dev/null"
for h in xen1 xen2; do tb_ldisk_res_up "$h" g3; done
tb_report "ldisk-swap setup both sides s" "$(tb_elapsed "$ts")"
tb_assert "xlmig-$M's device is the LV's size" \
    [ "$(tb_run xen1 "cat /sys/block/drbd$M/size")" = "$sectors" ]
tb_ok -t 240 xen1 "for i in \$(seq 1200); do
    [ \"\$(drbdadm cstate xlmig-$M)\" = Connected ] && exit 0; sleep 0.2; done; exit 1"
tb_capture tb_run xen1 "dmsetup reload $TB_VG-g3 --table '$drbd_table'"
tb_assert "reload onto a Secondary DRBD device is refused" \
    eval "[ $TB_RC != 0 ] && tb_said 'Read-only file system'"
tb_ok xen1 "dmsetup clear $TB_VG-g3"
tb_assert "the refused reload left the live table alone" \
    [ "$(tb_ldisk_table xen1 g3)" = "$saved" ]
# (its "error adding target to table" is in xen1's kernel log: look after it)
dmesg0[xen1]=$(tb_run xen1 "dmesg | wc -l")

# Primary (the full sync starts), then the swap.
ts=$(tb_now)
tb_ok xen1 "drbdadm primary --force xlmig-$M"
ms=$(tb_ldisk_swap xen1 g3 "$drbd_table" g3) || tb_fail "the swap onto DRBD"
tb_report "ldisk-swap onto DRBD: resume" "$ms"
tb_assert "tbvg-g3 maps onto drbd$M" \
    eval "[ \"\$(tb_ldisk_table xen1 g3)\" = '0 $sectors linear 147:$M 0' ]"
tb_assert_on xen1 "drbd$M is held by the LV's dm device" \
    "ls /sys/block/drbd$M/holders | grep -q '^dm-'"
tb_ok -t 900 xen1 "until [ \"\$(drbdadm dstate xlmig-$M)\" = UpToDate/UpToDate ]; do
    sleep 1; done"
tb_report "ldisk-swap initial sync of 64 MiB s" "$(tb_elapsed "$ts")"

# The guest's writes reach xen2 through DRBD.
nr() { tb_run xen2 "awk '\$1 == \"$M:\" { getline; sub(/.*nr:/, \"\"); print \$1 + 0 }' /proc/drbd"; }
n0=$(nr)
tb_hb_wait xen1 g3 20 120 || tb_fail "g3 stopped counting"
tb_assert "the guest's writes reach xen2 (nr $n0 -> $(nr) KiB)" [ "$(nr)" -gt "$n0" ]
sum() { tb_run -t 300 "$1" "dd if=$2 bs=4096 skip=1 iflag=direct status=none | md5sum"; }
a=$(sum xen1 /dev/mapper/xlmig-$M-lower) b=$(sum xen2 /dev/$TB_VG/g3)
tb_assert "xen2's LV has the source's data ($a)" [ "$a" = "$b" ]
rec=$(tb_ldisk_sector0 xen2 /dev/$TB_VG/g3)
tb_assert "xen2's sector 0 is a record of this boot ('$rec')" \
    eval "[[ '$rec' == 'TBDISK $boot '* ]]"
tb_capture tb_run xen1 "drbdadm secondary xlmig-$M"
tb_assert "Secondary is refused while the LV maps onto DRBD" \
    eval "[ $TB_RC != 0 ] && tb_said 'held open'"

# The way back, the guest still writing.
ms=$(tb_ldisk_swap xen1 g3 "$saved" g3) || tb_fail "the swap back"
tb_report "ldisk-swap back: resume" "$ms"
tb_assert "tbvg-g3 has its own table again" [ "$(tb_ldisk_table xen1 g3)" = "$saved" ]
ts=$(tb_now)
for h in xen1 xen2; do tb_ldisk_res_down "$h"; done
tb_report "ldisk-swap teardown both sides s" "$(tb_elapsed "$ts")"
tb_ok xen2 "lvremove -q -y $TB_VG/g3 > /dev/null"
for h in xen1 xen2; do
    tb_assert "nothing temporary left on $h" tb_ldisk_clean "$h"
done

tb_assert "g3 keeps counting on xen1" tb_hb_wait xen1 g3 20 120
tb_hb_gap g3 "$t0" "$(tb_now)"
tb_report "ldisk-swap heartbeat gap over it all s" "$TB_GAP (+-$TB_CLOCK_ERR, at seq $TB_GAP_AT)"
tb_assert "heartbeats strictly increasing ($TB_HB_COUNT)" [ "$TB_HB_OK" = 1 ]
tb_assert "one boot throughout ($boot)" \
    eval "[ \"\$(tb_hb_last xen1 g3 | cut -d' ' -f2)\" = $boot ]"
seq=$(tb_disk_check xen1 g3) || tb_fail "g3 saw a disk mismatch or error"
tb_pass "g3's disk ticks verified up to seq $seq"
for h in xen1 xen2; do
    tb_assert "no I/O, DRBD or dm error in $h's kernel log" \
        tb_ldisk_dmesg_errors "$h" "${dmesg0[$h]}"
done

tb_ok -t 180 xen1 "xl shutdown -w g3"
last=$(tb_ldisk_last_written xen1 g3) rec=$(tb_ldisk_sector0 xen1 /dev/$TB_VG/g3)
tb_assert "the LV holds what g3 last wrote ('$last')" \
    eval "[ -n '$last' ] && [ '$rec' = '$last' ]"
tb_scenario_end
