#!/bin/bash
# tb: ci
# --dry-run names the right refusal: a PV guest on this Xen (built without
# shadow paging, so no PV log-dirty), and a destination without the memory
# for the guest. Neither run changes anything.
set -euo pipefail
source "$(dirname "$0")/../lib/tb.sh"
source "$(dirname "$0")/../lib/xenbe.sh"
tb_scenario_begin
tb_reset

tb_put xen1 /etc/tb/pv1.cfg <<EOF
name = "pv1"
type = "pv"
kernel = "/var/lib/tb/vmlinuz"
ramdisk = "/var/lib/tb/guest.cpio.gz"
extra = "console=hvc0 quiet dirty_mb_s=0 hb_ms=1000 disk_ms=0"
memory = 128
vcpus = 1
EOF
# Paused is enough: the refusal must name log-dirty, not only the state.
tb_xl xen1 180 tb_noop "xl create -p /etc/tb/pv1.cfg" || tb_fail "xl create pv1"
tb_capture tb_run xen1 "xl-migrate-drbd --io-timeout 300 --dry-run pv1 xen2"
tb_assert "dry run of a PV guest fails" [ $TB_RC != 0 ]
tb_assert "the refusal names the missing shadow paging" tb_said \
    'FAIL  *source  *log-dirty .*PV guest cannot enable log-dirty: this Xen is built without shadow paging'
tb_assert "pv1 is still there on xen1" tb_guest_on xen1 pv1
tb_assert "nothing on xen2" tb_gone xen2 pv1
tb_ok xen1 "xl destroy pv1"

# A full destination: a paused filler takes xen2's free memory.
tb_guest_create xen1 g1 disks=r0 dirty_mb_s=1
free=$(tb_run xen2 "xl info free_memory")
fill=$((free - 64))
tb_guest_cfg filler disks="" mem="$fill" net=none | sed '/^disk/d' | tb_put xen2 /etc/tb/filler.cfg
tb_xl xen2 180 tb_noop "xl create -p /etc/tb/filler.cfg" || tb_fail "xl create filler on xen2"
tb_capture tb_run xen1 "xl-migrate-drbd --io-timeout 300 --dry-run g1 xen2"
tb_assert "dry run to a full xen2 fails" [ $TB_RC != 0 ]
tb_assert "the refusal is xen2's memory" tb_said 'FAIL  *dest  *memory  *g1 needs'
tb_assert "g1 still runs on xen1" tb_guest_on xen1 g1
tb_assert "g1 heartbeat keeps counting on xen1" tb_hb_wait xen1 g1 5 60
tb_assert "nothing of g1 on xen2" tb_gone xen2 g1
tb_ok xen2 "xl destroy filler"
tb_ok xen1 "xl destroy g1"
tb_scenario_end
