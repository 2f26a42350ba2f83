#!/bin/bash
# tb: ci
# A guest with two DRBD disks (r0, r1) migrates xen1 -> xen2 -> xen1 with
# both resources handled: roles swapped and both windows closed.
set -euo pipefail
source "$(dirname "$0")/../lib/tb.sh"
source "$(dirname "$0")/../lib/xlmig.sh"
tb_scenario_begin

tb_reset
tb_guest_create xen1 g2 disks="r0 r1" script=block-drbd-xlmig
for dir in "xen1 xen2" "xen2 xen1"; do
    set -- $dir
    tb_xlmig_migrate g2 "$1" "$2"
    tb_xlmig_assert_after g2 "$1" "$2" r0 r1
done
tb_ok xen1 "xl destroy g2"
tb_scenario_end
