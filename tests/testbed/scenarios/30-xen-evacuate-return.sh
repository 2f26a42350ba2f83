#!/bin/bash
# Host evacuation on real Xen. Two guests on xen1 (g1 on r0, g2 on r1,
# both on block-drbd-xlmig); xe-host-disable puts xen1 in maintenance;
# the cron job's command, run as /etc/cron.d/xlmig runs it, empties xen1
# onto xen2 silently; xe-host-enable and `xl-migrate-drbd return` bring
# both back and close the journal; then `xl migrate-drbd` through the xl
# shim moves g1 once more, and plain xl still works through the shim.
set -euo pipefail
source "$(dirname "$0")/../lib/tb.sh"
source "$(dirname "$0")/../lib/xlmig.sh"
tb_scenario_begin

# journal_moves HOST FILE: "name result seconds" of each guest of an
# evacuation journal (from its started/finished stamps, 1 s resolution).
journal_moves() {
    tb_run "$1" "cat '$2'" | awk -F'"' '
        /"guests"/ { in_g = 1 }
        in_g && $2 == "name" { n = $4 }
        in_g && $2 == "result" { r = $4 }
        in_g && $2 == "started" { s = $4 }
        in_g && $2 == "finished" { f = $4 }
        in_g && $2 == "exit" { print n, r, s, f }' |
    while read -r n r s f; do
        echo "$n $r $(( $(date -d "$f" +%s) - $(date -d "$s" +%s) ))"
    done
}

# the newest journal file on xen1
newest_journal() {
    tb_run xen1 'ls -t /var/lib/xlmig/journal/*.json 2>/dev/null | head -1'
}

# Evacuations take their defaults from /etc/xlmig/xlmig.conf. The
# default 300 ms downtime target is out of reach over this test bed's
# emulated link (some 0.3 MiB/s when the machine is loaded): allow a
# long one, as an administrator of such a link would.
tb_reset
for h in xen1 xen2; do
    tb_ok "$h" "xl-migrate-drbd maintenance off > /dev/null
        [ -e /etc/xlmig/xlmig.conf.tb ] || cp /etc/xlmig/xlmig.conf /etc/xlmig/xlmig.conf.tb
        { cat /etc/xlmig/xlmig.conf.tb; echo 'max_downtime = 60000'; } > /etc/xlmig/xlmig.conf"
    tb_assert_on "$h" "xl on $h is the xlmig dispatch shim" \
        "grep -q 'xlmig dispatch shim' /usr/sbin/xl"
done
tb_assert "no open evacuation journal on xen1 yet" \
    eval "[ -z \"\$(tb_run xen1 'xl-migrate-drbd status | grep \"evacuations not returned\"')\" ]"

tb_guest_create xen1 g1 disks=r0 script=block-drbd-xlmig dirty_mb_s="${TB_DIRTY_MB_S:-1}"
tb_guest_create xen1 g2 disks=r1 script=block-drbd-xlmig dirty_mb_s="${TB_DIRTY_MB_S:-1}"
tb_run xen1 "xl-migrate-drbd status"
tb_assert_on xen1 "status sees g1 on r0 and g2 on r1, both with peer xen2" \
    "xl-migrate-drbd status --json | grep -q '\"name\":\"g1\",\"mem_mib\":128,\"drbd\":\\[{\"resource\":\"r0\",\"peers\":\\[\"xen2\"\\]}\\]' &&
     xl-migrate-drbd status --json | grep -q '\"name\":\"g2\",\"mem_mib\":128,\"drbd\":\\[{\"resource\":\"r1\",\"peers\":\\[\"xen2\"\\]}\\]'"

# --- maintenance on, and the cron job empties the host --------------------
tb_ok xen1 "xe-host-disable"
tb_assert_on xen1 "maintenance status says on" \
    "xl-migrate-drbd maintenance status | grep -q '^xen1: maintenance on since '"

# The command exactly as the cron entry has it, in cron's environment
# (the file's PATH, HOME, LOGNAME, SHELL=/bin/sh; stdin /dev/null).
cron_cmd=$(tb_run xen1 "awk -F'\t' '/^[^#].*\troot\t/ { print \$3 }' /etc/cron.d/xlmig")
cron_path=$(tb_run xen1 "sed -n 's/^PATH=//p' /etc/cron.d/xlmig")
[ -n "$cron_cmd" ] && [ -n "$cron_path" ] || tb_fail "no command or PATH in /etc/cron.d/xlmig"
echo "cron command: $cron_cmd (PATH=$cron_path)"
t0=$(tb_now)
tb_run -t $((2 * TB_MIGRATE_TIMEOUT)) xen1 "cd / && env -i HOME=/root LOGNAME=root \
    SHELL=/bin/sh PATH='$cron_path' /bin/sh -c '$cron_cmd' \
    > /tmp/xlmig-cron.out 2> /tmp/xlmig-cron.err < /dev/null; echo \$? > /tmp/xlmig-cron.rc"
evac_total=$(tb_elapsed "$t0")
tb_report "cron evacuate xen1->xen2 (2 guests) total_s" "$evac_total"
tb_run xen1 "cat /tmp/xlmig-cron.out /tmp/xlmig-cron.err"
tb_assert_on xen1 "the cron command exited 0" "[ \"\$(cat /tmp/xlmig-cron.rc)\" = 0 ]"
tb_assert_on xen1 "the cron command printed nothing (no cron mail)" \
    "[ ! -s /tmp/xlmig-cron.out ] && [ ! -s /tmp/xlmig-cron.err ]"
journal=$(newest_journal)
[ -n "$journal" ] || tb_fail "no evacuation journal under /var/lib/xlmig/journal"
tb_pass "evacuation journal $journal"
tb_run xen1 "cat '$journal'"
tb_assert_on xen1 "journal: evacuated, g1 and g2 moved to xen2" \
    "grep -q '\"state\": \"evacuated\"' '$journal' &&
     [ \$(grep -c '\"dest\": \"xen2\"' '$journal') = 2 ] &&
     [ \$(grep -c '\"result\": \"moved\"' '$journal') = 2 ]"
while read -r n r s; do
    tb_report "cron evacuate $n xen1->xen2 s (journal)" "$s"
done < <(journal_moves xen1 "$journal")
tb_xlmig_assert_after g1 xen1 xen2 r0
tb_xlmig_assert_after g2 xen1 xen2 r1
tb_assert_on xen1 "xen1 runs no guest" "[ \$(xl list | wc -l) = 2 ]"

# A second cron run finds nothing to do, and says nothing.
tb_ok -t 300 xen1 "cd / && out=\$(env -i HOME=/root LOGNAME=root SHELL=/bin/sh \
    PATH='$cron_path' /bin/sh -c '$cron_cmd' 2>&1) && [ -z \"\$out\" ]"
tb_pass "a second cron run with nothing left is silent and exits 0"

# --- maintenance off, return ----------------------------------------------
tb_ok xen1 "xe-host-enable"
tb_assert_on xen1 "maintenance status says off" \
    "xl-migrate-drbd maintenance status | grep -q '^xen1: maintenance off'"
t0=$(tb_now)
tb_run -t $((2 * TB_MIGRATE_TIMEOUT)) xen1 "xl-migrate-drbd return > /tmp/xlmig-return.out 2>&1; echo \$? > /tmp/xlmig-return.rc"
ret_total=$(tb_elapsed "$t0")
tb_run xen1 "cat /tmp/xlmig-return.out"
tb_report "return xen2->xen1 (2 guests) total_s" "$ret_total"
tb_assert_on xen1 "return exited 0" "[ \"\$(cat /tmp/xlmig-return.rc)\" = 0 ]"
while read -r n s; do
    tb_report "return $n xen2->xen1 s" "$s"
done < <(tb_run xen1 "sed -n 's/^  \([^ ]*\) <- xen2: back in \([0-9.]*\) s/\1 \2/p' /tmp/xlmig-return.out")
tb_assert_on xen1 "journal marked done, both guests returned" \
    "grep -q '\"state\": \"done\"' '$journal' &&
     [ \$(grep -c '\"result\": \"returned\"' '$journal') = 2 ]"
tb_assert "no open evacuation journal on xen1" \
    eval "[ -z \"\$(tb_run xen1 'xl-migrate-drbd status | grep \"evacuations not returned\"')\" ]"
tb_xlmig_assert_after g1 xen2 xen1 r0
tb_xlmig_assert_after g2 xen2 xen1 r1
tb_assert_on xen2 "xen2 runs no guest" "[ \$(xl list | wc -l) = 2 ]"

# --- xl migrate-drbd through the shim, and plain xl through it ------------
TB_MIG_NAME=g1 TB_MIG_SRC=xen1 TB_MIG_DST=xen2
t0=$(tb_now)
tb_xl xen1 "$TB_MIGRATE_TIMEOUT" tb_migrate_cleanup "xl migrate-drbd g1 xen2" ||
    tb_fail "xl migrate-drbd g1 xen1 -> xen2 failed (log: $TB_XL_LOG)"
tb_report "xl migrate-drbd g1 xen1->xen2 total_s" "$(tb_elapsed "$t0")"
tb_xlmig_assert_after g1 xen1 xen2 r0
# The shim passes everything else to the real xl: same output, same code.
tb_assert_on xen1 "xl list through the shim: exit 0, the real xl's table" \
    "xl list > /tmp/l.shim && /usr/lib/xlmig/xl list > /tmp/l.real &&
     head -1 /tmp/l.shim | grep -q '^Name  *ID  *Mem VCPUs' &&
     [ \"\$(awk '{ print \$1, \$2, \$3 }' /tmp/l.shim)\" = \"\$(awk '{ print \$1, \$2, \$3 }' /tmp/l.real)\" ] &&
     grep -q '^Domain-0 ' /tmp/l.shim && grep -q '^g2 ' /tmp/l.shim && ! grep -q '^g1 ' /tmp/l.shim"
tb_assert_on xen1 "xl list of a missing domain: the real xl's exit code and message" \
    "xl list nosuchguest > /tmp/l.shim 2>&1; a=\$?; /usr/lib/xlmig/xl list nosuchguest > /tmp/l.real 2>&1; b=\$?;
     [ \$a = \$b ] && [ \$a != 0 ] && cmp -s /tmp/l.shim /tmp/l.real"
tb_ok xen2 "xl destroy g1"
tb_ok xen1 "xl destroy g2"
for h in xen1 xen2; do
    tb_ok "$h" "mv /etc/xlmig/xlmig.conf.tb /etc/xlmig/xlmig.conf"
done
tb_scenario_end
