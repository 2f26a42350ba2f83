#!/bin/bash
# tb: net lifecycle
# The test guest as a guest: it answers on its vif from both dom0s before
# and after a stock `xl migrate` (xen1 -> xen2) and an xl-migrate-drbd move
# (xen2 -> xen1), each printing its network gap beside its heartbeat gap
# and when the destination's bridge learnt the guest's MAC. Then a guest
# started by `xl create` reboots on `xl reboot`, on `reboot` typed on its
# console and after a crash (sysrq c, on_crash="restart"): each time a new
# domain and boot id, heartbeats resuming, its disk holding the last tick
# of the old boot, DRBD Primary only where it runs; `xl shutdown` powers
# it off (no domain, r0 demoted by the hotplug script). A working set
# that does not fit its memory fails loudly, and fits in a guest sized
# for it.
set -euo pipefail
source "$(dirname "$0")/../lib/tb.sh"
source "$(dirname "$0")/../lib/xenbe.sh"
source "$(dirname "$0")/../lib/lifecycle.sh"
tb_scenario_begin

DIRTY=${TB_DIRTY_MB_S:-4}
tb_reset
tb_guest_create xen1 g1 disks=r0 dirty_mb_s="$DIRTY"
tb_migrate_stock g1 xen1 xen2
tb_report_downtime "stock-xl-migrate xen1->xen2"
tb_xenbe_migrate g1 xen2 xen1 ""
tb_report_downtime "xl-migrate-drbd xen2->xen1" tool
tb_ok xen1 "xl destroy g1"

# --- a guest started by xl create: reboot, crash, power off -------------
tb_guest_create xen1 g1 disks=r0 dirty_mb_s=2 on_crash=restart
tb_guest_restarts xen1 g1 xl-reboot r0
tb_guest_restarts xen1 g1 guest-reboot r0
tb_guest_restarts xen1 g1 crash r0
tb_guest_powers_off xen1 g1 r0

# --- a load that cannot run is an error, not a quiet idle guest ----------
# (tb_capture runs it in a subshell: its tb_fail does not end the scenario)
tb_capture tb_guest_create xen1 g3 disks= net=none mem=128 dirty_mb_s=1 dirty_ws_mb=64
tb_assert "a 64 MiB working set in a 128 MiB guest fails the guest's creation" [ $TB_RC != 0 ]
tb_assert "the failure says why" tb_said \
    'g3 on xen1 reports an error: TBGUEST ERROR working set 64 MiB does not fit'
tb_run xen1 "xl destroy g3" || true
tb_guest_create xen1 g3 disks= net=none dirty_mb_s=1 dirty_ws_mb=64
tb_assert "sized for it (no mem= given), the guest runs that load" \
    tb_run xen1 "xl list g3 | awk 'NR == 2 { exit \$3 < 160 }'"
tb_ok xen1 "xl destroy g3"
tb_scenario_end
