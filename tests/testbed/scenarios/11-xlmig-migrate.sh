#!/bin/bash
# tb: ci
# xl-migrate-drbd xen1 -> xen2 -> xen1 of a guest on block-drbd-xlmig: the
# tool opens the DRBD window itself. Afterwards the destination is
# Primary, the source Secondary, allow-two-primaries off on both, no
# migration token left, and the guest kept running with its disk intact.
set -euo pipefail
source "$(dirname "$0")/../lib/tb.sh"
source "$(dirname "$0")/../lib/xlmig.sh"
tb_scenario_begin

tb_reset
tb_guest_create xen1 g1 disks=r0 script=block-drbd-xlmig dirty_mb_s="${TB_DIRTY_MB_S:-4}"
for dir in "xen1 xen2" "xen2 xen1"; do
    set -- $dir
    tb_xlmig_migrate g1 "$1" "$2"
    tb_xlmig_assert_after g1 "$1" "$2" r0
done
tb_ok xen1 "xl destroy g1"
tb_scenario_end
