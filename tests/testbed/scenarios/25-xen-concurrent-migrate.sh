#!/bin/bash
# Two `xl-migrate-drbd g1 xen2` at once on real Xen: the second is
# refused at once by g1's lock on xen1, naming the first; the first
# migrates; g1 runs once, on xen2, DRBD single-primary, and no lock file
# is left on either host.
set -euo pipefail
source "$(dirname "$0")/../lib/tb.sh"
source "$(dirname "$0")/../lib/xlmig.sh"
tb_scenario_begin

tb_reset
tb_guest_create xen1 g1 disks=r0 script=block-drbd-xlmig dirty_mb_s=4
tb_run -t 60 xen1 "rm -f /tmp/m1.out; (setsid sh -c 'xl-migrate-drbd \
    --bandwidth 2 g1 xen2; echo exit \$?' > /tmp/m1.out 2>&1 &)" > /dev/null
tb_ok -t 240 xen1 'for i in $(seq 230); do
        ls /run/xlmig/lock/guest-* > /dev/null 2>&1 && exit 0; sleep 1
    done; exit 1'
rc=0
pid=$(tb_run xen1 "pgrep -xf 'xl-migrate-drbd --bandwidth 2 g1 xen2'")
tb_run -t 120 xen1 "xl-migrate-drbd g1 xen2" > "$TB_RUN/m2.out" 2>&1 || rc=$?
cat "$TB_RUN/m2.out"
tb_assert "the second migration exits 1" [ "$rc" = 1 ]
tb_assert "it names the first, pid $pid" grep -q \
    "guest g1 (uuid [0-9a-f-]*) is locked by pid $pid (migrate, since " \
    "$TB_RUN/m2.out"
tb_ok -t "$TB_MIGRATE_TIMEOUT" xen1 'for i in $(seq 1800); do
    grep -q "^exit" /tmp/m1.out && exit 0; sleep 1; done; exit 1'
tb_run xen1 "grep -v '^precopy \|^switchover ' /tmp/m1.out" || true
tb_assert_on xen1 "the first migration succeeded" "grep -q '^exit 0' /tmp/m1.out"
tb_xlmig_assert_after g1 xen1 xen2 r0
for h in xen1 xen2; do
    tb_assert_on "$h" "no lock file left on $h" \
        "[ -z \"\$(ls -A /run/xlmig/lock 2>/dev/null)\" ]"
done
tb_ok xen2 "xl destroy g1"
tb_scenario_end
