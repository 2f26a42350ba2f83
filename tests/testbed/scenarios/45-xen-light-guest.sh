#!/bin/bash
# A light guest (1 MiB/s rewritten over its 32 MiB working set, far under
# what the link carries) moves there and back with xl-migrate-drbd, no
# bandwidth limit: the throttle never caps it (the report says "not
# needed", and no throttle step is logged), and its own scheduler cap
# is back afterwards. --debug keeps every round's rates and
# any throttle step in the log, to see why if it ever does cap.
set -euo pipefail
source "$(dirname "$0")/../lib/tb.sh"
source "$(dirname "$0")/../lib/xenbe.sh"
tb_scenario_begin

tb_reset
tb_guest_create xen1 g3 disks=r0 script=block-drbd-xlmig dirty_mb_s=1
for dir in "xen1 xen2" "xen2 xen1"; do
    set -- $dir
    tb_xenbe_migrate g3 "$1" "$2" "--debug"
    tb_report "xl-migrate-drbd light $1->$2 total_s" "$TB_MIG_TOTAL"
    tb_report_downtime "xl-migrate-drbd light $1->$2" tool
    tb_report "xl-migrate-drbd light $1->$2 throttle" \
        "$(sed -n 's/^ *throttle: *//p' "$TB_XL_LOG" | head -1)"
    tb_report "xl-migrate-drbd light $1->$2 rounds" \
        "$(grep -c 'debug: pre-copy: round ' "$TB_XL_LOG" || true)"
    grep 'debug: pre-copy: \|debug: throttle: ' "$TB_XL_LOG" || true
    tb_assert "a light guest is not throttled ($1->$2)" \
        grep -q '^ *throttle: *not needed' "$TB_XL_LOG"
    tb_assert "no throttle step at all ($1->$2)" \
        eval "! grep -q 'debug: throttle: ' '$TB_XL_LOG'"
    tb_assert "g3's own scheduler cap on $2" tb_xenbe_cap_restored "$2" g3
done
tb_ok xen1 "xl destroy g3"
tb_scenario_end
