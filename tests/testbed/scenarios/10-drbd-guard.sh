#!/bin/bash
# tb: ci
# Split-brain guard: with g1 running on xen1 (r0 Primary there), `xl
# create` of the same guest on xen2 through block-drbd-xlmig is refused
# with the reason, and DRBD roles and options are unchanged on both.
set -euo pipefail
source "$(dirname "$0")/../lib/tb.sh"
tb_scenario_begin

tb_reset
tb_guest_create xen1 g1 disks=r0 script=block-drbd-xlmig
tb_assert "r0 Primary on xen1" [ "$(tb_drbd_role xen1 r0)" = Primary ]
tb_assert "r0 Secondary on xen2" [ "$(tb_drbd_role xen2 r0)" = Secondary ]

# Even with the window left open by hand, no token means no promotion.
for window in off on; do
    tb_dual_primary "$window" r0
    set +e
    out=$(tb_run -t 180 xen2 "xl create /etc/tb/g1.cfg 2>&1")
    rc=$?
    set -e
    tb_assert "xl create g1 on xen2 fails (allow-two-primaries $window)" [ "$rc" != 0 ]
    tb_assert "the failure says why ('peer is Primary')" \
        eval "printf '%s' \"\$out\" | grep -q 'peer is Primary'"
    tb_assert "no g1 left on xen2" eval "! tb_guest_on xen2 g1"
    tb_assert "r0 still Secondary on xen2" [ "$(tb_drbd_role xen2 r0)" = Secondary ]
    tb_assert "r0 still Primary on xen1" [ "$(tb_drbd_role xen1 r0)" = Primary ]
    tb_assert "g1 still runs on xen1" tb_hb_wait xen1 g1 3 60
    tb_assert "the refusal is logged on xen2 (hotplug log or xl's output)" \
        eval "tb_run xen2 'grep -qs \"refusing r0\" /var/log/xen/xen-hotplug.log' ||
              printf '%s' \"\$out\" | grep -q 'refusing r0'"
done
tb_dual_primary off r0

tb_ok xen1 "xl destroy g1"
tb_assert "remove demoted r0 on xen1" [ "$(tb_drbd_role xen1 r0)" = Secondary ]
tb_scenario_end
