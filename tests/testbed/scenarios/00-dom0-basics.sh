#!/bin/bash
# tb: ci
# The hosts are what the other scenarios assume: Xen with HAP, DRBD 8.4
# connected, dom0s reach each other by name over ssh, and this tree's xlmig
# packages are installed in dom0 and run.
set -euo pipefail
source "$(dirname "$0")/../lib/tb.sh"
tb_scenario_begin

for h in $TB_HOSTS; do
    tb_assert_on "$h" "$h: Xen 4.17 with HAP" "xl info | grep -q 'xen_minor *: 17' && xl info | grep -q 'virt_caps.*hap'"
    tb_assert_on "$h" "$h: DRBD 8.4 module loaded" "grep -q '^version: 8.4' /proc/drbd"
    tb_assert_on "$h" "$h: r0 and r1 connected and UpToDate" \
        "[ \$(grep -c 'cs:Connected .*ds:UpToDate/UpToDate' /proc/drbd) = 2 ]"
done
tb_assert_on xen1 "ssh xen1 -> xen2 by name" "[ \$(ssh xen2 hostname) = xen2 ]"
tb_assert_on xen2 "ssh xen2 -> xen1 by name" "[ \$(ssh xen1 hostname) = xen1 ]"
if tb_run xen1 "[ -s /etc/tb/xlmig-files ]"; then
    for h in $TB_HOSTS; do
        tb_assert_on "$h" "$h: xl-migrate-drbd installed, its libraries resolve" \
            "! ldd /usr/sbin/xl-migrate-drbd | grep -q 'not found' && xl-migrate-drbd --version"
        # the fault scenarios need the hooks: make deb TEST=1
        tb_assert_on "$h" "$h: xl-migrate-drbd is the test build" \
            "xl-migrate-drbd --version | grep -q 'test build'"
        tb_assert_on "$h" "$h: installed by dpkg, the +test package" \
            "dpkg-query -W -f '\${Status} \${Version}' xlmig | grep -q '^install ok installed .*+test\$'"
        tb_assert_on "$h" "$h: hotplug script block-drbd-xlmig installed" \
            "[ -x /etc/xen/scripts/block-drbd-xlmig ]"
    done
else
    echo "NOTE: xlmig not installed into dom0 (TB_NO_XLMIG=1)"
fi
tb_scenario_end
