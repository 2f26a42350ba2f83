#!/bin/bash
# The reliability cells of docs/reliability.md on real Xen and DRBD: g1
# (PVH, r0, block-drbd-xlmig) is migrated xen1 -> xen2 with
# xl-migrate-drbd and one fault injected (XLMIG_FAULT) per cell:
#   a  source:precopy-round:close:3   transport cut in pre-copy
#   b  dest:switchover:exit           receiver killed after the restore,
#                                     before go (--switchover two-step:
#                                     in one flight go is already sent,
#                                     the exit would be 3); recover
#                                     clears its g1--incoming
#   c  source:switchover:exit         sender killed after the suspend;
#                                     recover resumes g1
#   d  a ballast domain fills xen2    refused at pre-check
#   e  source:precopy-round:drbd      the DRBD link cut in pre-copy
#   f  source:switchover:sigint       ^C at the switchover: exit 2
# After each: g1 runs on xen1 only, unpaused, heartbeats counting, r0
# Primary on xen1 and Secondary on xen2, allow-two-primaries off on
# both, no g1--incoming / g1--migratedaway, no token on either host, the
# disk ticks intact. TB_FAULT_CELLS="b c" runs a subset. The guest is
# kept from cell to cell (each cell must leave it healthy on xen1); it is
# created again only if a cell left none.
set -euo pipefail
source "$(dirname "$0")/../lib/tb.sh"
source "$(dirname "$0")/../lib/xlmig.sh"
tb_scenario_begin

CELLS=${TB_FAULT_CELLS:-a b c d e f}
# Quiet (1 MiB/s over 8 MiB), so that the pre-copy converges and each
# migration reaches its fault point within minutes on a loaded machine.
# 128 MiB: at 64 the kernel does not fit, at 96 the guest's own OOM
# killer ends its workload.
GUEST="disks=r0 script=block-drbd-xlmig mem=${TB_FAULT_MEM:-128} dirty_mb_s=1 dirty_ws_mb=8"
XLMIG="xl-migrate-drbd --io-timeout 300 --max-downtime 2000"
RECOVER="xl-migrate-drbd recover --io-timeout 300"
TMO=$TB_MIGRATE_TIMEOUT

# fc_guest: g1 running on xen1 and nothing else of it anywhere, or a
# fresh one.
fc_guest() {
    if tb_guest_on xen1 g1 && tb_hb_wait xen1 g1 3 60; then return 0; fi
    tb_log "no healthy g1 on xen1: starting a fresh one"
    tb_reset
    tb_guest_create xen1 g1 $GUEST
}

# fc_drbd_synced: r0 Connected and UpToDate/UpToDate (a cell may have
# cut the link: reconnect, xen2 giving up whatever it has, as the
# operator would after a split brain the guest never saw).
fc_drbd_synced() {
    tb_run -t 60 xen1 'drbdadm cstate r0' | grep -q '^Connected' && return 0
    tb_run xen2 'drbdadm secondary r0; drbdadm disconnect r0
        drbdadm -- --discard-my-data connect r0' || true
    tb_run xen1 'drbdadm connect r0' || true
    tb_ok -t 600 xen1 'for i in $(seq 1200); do
        [ "$(drbdadm cstate r0)" = Connected ] &&
        [ "$(drbdadm dstate r0)" = UpToDate/UpToDate ] && exit 0
        sleep 0.5; done; exit 1'
}

# fc_migrate FAULT [ENV]: xl-migrate-drbd g1 xen2 on xen1 with
# XLMIG_FAULT=FAULT and ENV; sets FC_RC (its exit code) and FC_T (s).
# The output is in xen1:/tmp/fc.out.
fc_migrate() {
    local t0
    t0=$(tb_now)
    FC_RC=0
    tb_run -t $((TMO + 60)) xen1 "XLMIG_FAULT='$1' ${2:-} timeout $TMO \
        $XLMIG g1 xen2 > /tmp/fc.out 2>&1" || FC_RC=$?
    FC_T=$(tb_elapsed "$t0")
    tb_run xen1 "grep -v '^precopy \|^switchover ' /tmp/fc.out" || true
    tb_log "cell $CELL: exit $FC_RC after $FC_T s"
}

# fc_receiver_gone: the receiver on xen2 has ended (rolled back or
# died), so that what it leaves can be checked.
fc_receiver_gone() {
    tb_ok -t 420 xen2 'for i in $(seq 400); do
        pgrep -f "^xl-migrate-drbd --receive" > /dev/null || exit 0
        sleep 1; done; exit 1'
}

fc_no_leftover_domains() {
    local h n
    for h in xen1 xen2; do
        for n in g1--incoming g1--migratedaway; do
            tb_assert "$CELL: no $n on $h" eval "! tb_guest_on $h $n"
        done
    done
}

# fc_settled: the state every cell must end in.
fc_settled() {
    local h seq
    tb_assert "$CELL: g1 runs on xen1" tb_guest_on xen1 g1
    tb_assert "$CELL: no g1 on xen2" eval "! tb_guest_on xen2 g1"
    tb_assert_on xen1 "$CELL: g1 is neither paused nor suspended" \
        "xl list g1 | awk 'NR == 2 { exit (\$5 ~ /[ps]/) }'"
    fc_no_leftover_domains
    tb_assert "$CELL: g1 heartbeat keeps counting on xen1" \
        tb_hb_wait xen1 g1 5 120
    tb_assert "$CELL: r0 Primary on xen1" [ "$(tb_drbd_role xen1 r0)" = Primary ]
    tb_assert "$CELL: r0 Secondary on xen2" [ "$(tb_drbd_role xen2 r0)" = Secondary ]
    for h in xen1 xen2; do
        tb_assert "$CELL: allow-two-primaries off on $h" \
            tb_xlmig_window_closed "$h" r0
        tb_assert "$CELL: no migration token on $h" \
            eval "[ -z \"\$(tb_run $h 'ls -A /run/xlmig/tokens 2>/dev/null')\" ]"
    done
    seq=$(tb_disk_check xen1 g1) ||
        tb_fail "$CELL: g1's disk saw a mismatch or an error"
    tb_pass "$CELL: g1's disk ticks verified up to seq $seq"
}

# fc_recover NAME EXPECT-RE: recover on xen1 (exit 0), its output must
# match EXPECT-RE; then a second recover finds nothing to do. (tb_assert
# evaluates its command in its own frame: no positional parameters.)
fc_recover() {
    local t0 out want=$2
    t0=$(tb_now)
    out=$(tb_run -t 900 xen1 "$RECOVER g1 xen2 2>&1; echo exit \$?") || true
    printf '%s\n' "$out" | sed 's/^/  recover: /'
    tb_report "24 $CELL recover_s" "$(tb_elapsed "$t0")"
    tb_assert "$CELL: recover exits 0" eval "printf '%s\n' \"\$out\" | grep -q '^exit 0'"
    tb_assert "$CELL: recover says what it found and did: $want" \
        eval "printf '%s\n' \"\$out\" | grep -qE \"\$want\""
    tb_assert "$CELL: recover ends with one guest and nothing else" \
        eval "printf '%s\n' \"\$out\" | grep -q 'g1 runs on local (xen1); nothing else left'"
    out=$(tb_run -t 900 xen1 "$RECOVER g1 xen2 2>&1; echo exit \$?") || true
    printf '%s\n' "$out" | sed 's/^/  recover again: /'
    tb_assert "$CELL: a second recover has nothing to do" \
        eval "printf '%s\n' \"\$out\" | grep -q '^nothing to do' &&
              printf '%s\n' \"\$out\" | grep -q '^exit 0'"
}

cell_a() {
    fc_migrate source:precopy-round:close:3
    tb_assert "a: exit 1 (failed, guest on the source)" [ "$FC_RC" = 1 ]
    tb_assert_on xen1 "a: the injected close is what failed it" \
        "grep -q 'injected fault: close at precopy-round' /tmp/fc.out"
    fc_receiver_gone
    fc_settled
}

cell_b() {
    local out
    XLMIG="$XLMIG --switchover two-step" fc_migrate dest:switchover:exit
    tb_assert "b: exit 1 (failed, guest on the source)" [ "$FC_RC" = 1 ]
    fc_receiver_gone
    tb_assert "b: g1 still runs on xen1" tb_guest_on xen1 g1
    tb_assert_on xen2 "b: the killed receiver left g1--incoming paused" \
        "xl list g1--incoming | awk 'NR == 2 { exit !(\$5 ~ /p/) }'"
    out=$(tb_run -t 900 xen1 "$RECOVER --dry-run g1 xen2 2>&1; echo exit \$?") || true
    printf '%s\n' "$out" | sed 's/^/  recover --dry-run: /'
    tb_assert "b: recover --dry-run names the leftover and changes nothing" \
        eval "printf '%s\n' \"\$out\" | grep -q 'destroy g1--incoming: would do' &&
              printf '%s\n' \"\$out\" | grep -q '^dry run: nothing changed' &&
              printf '%s\n' \"\$out\" | grep -q '^exit 0'"
    tb_assert "b: g1--incoming still there after the dry run" \
        tb_guest_on xen2 g1--incoming
    fc_recover b 'destroy g1--incoming: done'
    fc_settled
}

cell_c() {
    fc_migrate source:switchover:exit
    tb_assert "c: exit 99 (the injected crash)" [ "$FC_RC" = 99 ]
    fc_receiver_gone
    tb_assert_on xen1 "c: the killed sender left g1 suspended" \
        "xl list g1 | awk 'NR == 2 { exit !(\$5 ~ /s/) }'"
    tb_assert "c: nothing of g1 on xen2" \
        tb_gone xen2 g1
    fc_recover c 'resume g1: done'
    fc_settled
}

cell_d() {
    local free ballast
    free=$(tb_run xen2 'xl info free_memory')
    # Leave less than g1 needs: the receiver must refuse at pre-check.
    ballast=$((free - ${TB_FAULT_MEM:-128} / 2))
    tb_put xen2 /etc/tb/ballast.cfg <<EOF
name = "ballast"
type = "pvh"
kernel = "/var/lib/tb/vmlinuz"
memory = $ballast
vcpus = 1
EOF
    tb_ok -t 300 xen2 "xl create -p /etc/tb/ballast.cfg"
    tb_log "d: xen2 had $free MiB free; ballast of $ballast MiB leaves $(tb_run xen2 'xl info free_memory') MiB"
    fc_migrate ""
    tb_ok -t 300 xen2 "xl destroy ballast"
    tb_assert "d: exit 1 (refused, guest on the source)" [ "$FC_RC" = 1 ]
    tb_assert_on xen1 "d: refused for memory at pre-check" \
        "grep -q 'needs .* MiB, .* MiB free here' /tmp/fc.out"
    tb_assert_on xen1 "d: never suspended, never opened the window" \
        "! grep -q 'phase switchover\|phase precopy' /tmp/fc.out"
    fc_receiver_gone
    fc_settled
}

cell_e() {
    # Only g1's resource: r1 stays as it is.
    fc_migrate source:precopy-round:drbd \
        "XLMIG_FAULT_DRBD_CMD='drbdadm disconnect r0'"
    tb_assert "e: exit 1 (failed, guest on the source)" [ "$FC_RC" = 1 ]
    tb_assert_on xen1 "e: refused at the switchover for the lost DRBD link" \
        "grep -q 'destination.s copy may miss writes' /tmp/fc.out"
    fc_receiver_gone
    fc_drbd_synced
    fc_settled
}

cell_f() {
    fc_migrate source:switchover:sigint
    tb_assert "f: exit 2 (aborted, guest on the source)" [ "$FC_RC" = 2 ]
    fc_receiver_gone
    fc_settled
}

tb_reset
tb_guest_create xen1 g1 $GUEST
out=$(tb_run -t 900 xen1 "$RECOVER --dry-run g1 xen2 2>&1; echo exit \$?") || true
printf '%s\n' "$out" | sed 's/^/  recover --dry-run: /'
tb_assert "nothing wrong: recover --dry-run has nothing to do" \
    eval "printf '%s\n' \"\$out\" | grep -q '^nothing to do' &&
          printf '%s\n' \"\$out\" | grep -q '^exit 0'"
for CELL in $CELLS; do
    echo "=== cell $CELL"
    t0=$(tb_now)
    fc_guest
    fc_drbd_synced
    "cell_$CELL"
    tb_report "24 $CELL exit" "$FC_RC"
    tb_report "24 $CELL migrate_s" "$FC_T"
    tb_report "24 $CELL cell_s" "$(tb_elapsed "$t0")"
done
tb_ok xen1 "xl destroy g1"
tb_scenario_end
