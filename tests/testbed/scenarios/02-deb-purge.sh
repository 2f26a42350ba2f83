#!/bin/bash
# tb: ci
# The packages as users get them: on xen2, dpkg --purge of xlmig and
# xlmig-xl-shim leaves the dom0's files exactly as they were before the
# test bed's dpkg -i at boot (every path, type, mode, owner and link;
# the contents of /etc, /usr/sbin and dpkg's status and diversions),
# after the tool has written state and the conffile has been edited;
# then dpkg -i and --purge once more, with the shim, and the packages go
# back in for the scenarios after this one.
set -euo pipefail
source "$(dirname "$0")/../lib/tb.sh"
tb_scenario_begin
h=xen2
before=/var/lib/tb/files-before-xlmig

if ! tb_run "$h" "[ -s $before ]"; then
    echo "NOTE: xlmig not installed into dom0 (TB_NO_XLMIG=1): nothing to purge"
    tb_scenario_end
    exit 0
fi

# tb_purge_leaves_nothing WHAT: purge both packages, compare with the
# snapshot taken before the boot-time dpkg -i.
tb_purge_leaves_nothing() {
    local what=$1 diff
    tb_ok -t 300 "$h" "dpkg --purge xlmig-xl-shim xlmig"
    tb_assert_on "$h" "$what: dpkg knows neither package" \
        "! dpkg-query -W -f '\${Status}\n' xlmig xlmig-xl-shim 2>/dev/null | grep -q ."
    tb_deb_snapshot "$h" /var/lib/tb/files-after-purge ||
        tb_fail "$what: snapshot of the dom0's files failed"
    diff=$(tb_run "$h" "diff $before /var/lib/tb/files-after-purge") || true
    if [ -n "$diff" ]; then
        echo "$diff" | head -40
        tb_fail "$what: the dom0's files differ from before dpkg -i ($(echo "$diff" | grep -c '^[<>]') lines)"
    fi
    tb_pass "$what: every file as before dpkg -i ($(tb_run "$h" "wc -l < $before") entries compared)"
    tb_assert_on "$h" "$what: no /var/lib/xlmig, /etc/xlmig, /etc/cron.d/xlmig, /run/xlmig" \
        "[ ! -e /var/lib/xlmig ] && [ ! -e /etc/xlmig ] && [ ! -e /etc/cron.d/xlmig ] && [ ! -e /run/xlmig ]"
    tb_assert_on "$h" "$what: no diversion of xl, xl is xen-utils-common's again" \
        "[ -z \"\$(dpkg-divert --list '*xl*')\" ] && [ ! -e /usr/sbin/xl.distrib ] &&
         [ \"\$(dpkg -S /usr/sbin/xl)\" = 'xen-utils-common: /usr/sbin/xl' ] && xl list > /dev/null"
}

# 1. the boot-time installation, with state and an edited conffile
tb_ok "$h" "xl-migrate-drbd maintenance on"
tb_assert_on "$h" "the tool wrote its state (/var/lib/xlmig/maintenance)" \
    "[ -e /var/lib/xlmig/maintenance ]"
tb_assert_on "$h" "xlmig.conf is an edited conffile (the test bed's deadlines)" \
    "grep -q '^switchover_deadline_min' /etc/xlmig/xlmig.conf && dpkg-query -W -f '\${Conffiles}' xlmig | grep -q /etc/xlmig/xlmig.conf"
tb_purge_leaves_nothing "purge after the boot install"

# 2. dpkg -i of both, the shim in front of xl, purge again
tb_ok -t 300 "$h" "dpkg -i $TB_DEBS/xlmig_*.deb $TB_DEBS/xlmig-xl-shim_*.deb > /dev/null"
tb_assert_on "$h" "the package created /var/lib/xlmig" "[ -d /var/lib/xlmig ]"
tb_assert_on "$h" "xl is diverted to xl.distrib by xlmig-xl-shim" \
    "dpkg-divert --listpackage /usr/sbin/xl | grep -qx xlmig-xl-shim && [ -e /usr/sbin/xl.distrib ]"
tb_assert_on "$h" "xl runs the real xl through the shim" \
    "grep -q 'xlmig dispatch shim' /usr/sbin/xl && xl list | grep -q '^Domain-0'"
tb_assert_on "$h" "xl migrate-drbd is ours" \
    "xl migrate-drbd --help | grep -q '^Usage: xl-migrate-drbd'"
tb_ok "$h" "xl-migrate-drbd maintenance on"
tb_purge_leaves_nothing "purge of xlmig and the shim"

# 3. back as the test bed installs it (TB_XL_SHIM), for what follows
tb_deb_install "$h" || tb_fail "dpkg -i after the purge failed"
tb_assert_on "$h" "xlmig installed again" "xl-migrate-drbd --version | grep -q 'test build'"
tb_scenario_end
