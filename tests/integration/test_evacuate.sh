# Evacuation and return of several simulated guests; one move fails
# midway (injected error in its pre-copy): the rest still move, exit 1,
# the journal says what happened; return brings the moved ones back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/evac_lib.sh"
set -e
sim_host xen1 1024; sim_host xen2 256; sim_host xen3 1024
sim_guest xen1 a 16 r1:xen2
sim_guest xen1 b 16 r2:xen2 "fault = source:precopy:error"
sim_guest xen1 c 24 r3:xen2
sim_guest xen1 d 16 "r4:xen2 r5:xen3"        # mixed peers: stays
sim_guest xen1 e 16 r6:xen3
sim_guest xen1 big 240 r7:xen2               # xen2 too small after a,b,c

# Dry run: the plan and the reasons, nothing moves.
set +e; on xen1 evacuate --dry-run >"$WORK/plan" 2>&1; RC=$?; set -e
cat "$WORK/plan"
assert_rc 1
assert_grep "a (16 MiB) -> xen2" "$WORK/plan"
assert_grep "d (16 MiB) stays: its DRBD resources have different peers" \
    "$WORK/plan"
assert_grep "big (240 MiB) stays: xen2 has 256 MiB free after 56 MiB" \
    "$WORK/plan"
[ "$(guests_on xen1)" = "a b big c d e " ] || fail "dry run moved guests"
[ ! -d "$S/xen1/journal" ] || [ -z "$(ls "$S/xen1/journal")" ] ||
    fail "dry run wrote a journal"

# A destination in maintenance takes nothing.
on xen3 maintenance on >/dev/null
set +e; on xen1 evacuate --dry-run --json >"$WORK/pj"; RC=$?; set -e
assert_grep '"name":"e","mem_mib":16,"dest":null,"result":"stays","reason":"destination xen3 is in maintenance"' "$WORK/pj"
on xen3 maintenance off >/dev/null

# The real thing, two at a time.
on xen1 maintenance on >/dev/null
set +e; on xen1 evacuate --parallel 2 >"$WORK/out" 2>&1; RC=$?; set -e
cat "$WORK/out"
assert_rc 1
assert_grep "b -> xen2: FAILED, still here (exit 1): injected fault" \
    "$WORK/out"
assert_grep "summary: 3 moved, 1 failed, 2 stayed" "$WORK/out"
[ "$(guests_on xen1)" = "b big d " ] || fail "xen1 has $(guests_on xen1)"
[ "$(guests_on xen2)" = "a c " ] || fail "xen2 has $(guests_on xen2)"
[ "$(guests_on xen3)" = "e " ] || fail "xen3 has $(guests_on xen3)"
grep -q "drbd = r1:xen1" "$S/xen2/guests/a.conf" || fail "peer not updated"

J=$(ls "$S"/xen1/journal/evac-*.json)
[ "$(echo "$J" | wc -l)" = 1 ] || fail "expected one journal"
[ "$(jtop "$J" state)" = evacuated ] || fail "journal state"
[ "$(jfield "$J" a result)" = moved ] || fail "a not moved in journal"
[ "$(jfield "$J" a dest)" = xen2 ] || fail "a dest"
[ "$(jfield "$J" b result)" = failed ] || fail "b not failed in journal"
[ "$(jfield "$J" b exit)" = 1 ] || fail "b exit code"
jfield "$J" b reason | grep -q "injected fault" || fail "b reason"
[ "$(jfield "$J" d result)" = stayed ] || fail "d not stayed"
[ "$(jfield "$J" e dest)" = xen3 ] || fail "e dest"
[ "$(jfield "$J" big result)" = stayed ] || fail "big not stayed"
on xen1 status | grep -q "evacuations not returned: evac-" ||
    fail "status does not show the open journal"

# Return refuses while in maintenance, then brings a, c, e back.
set +e; on xen1 return >"$WORK/out" 2>"$WORK/err"; RC=$?; set -e
assert_rc 2; assert_one_line_error "$WORK/err" "is in maintenance"
on xen1 maintenance off >/dev/null
set +e; on xen1 return >"$WORK/out" 2>&1; RC=$?; set -e
cat "$WORK/out"
assert_rc 0
assert_grep "summary: 3 back, 0 still away; journal done" "$WORK/out"
[ "$(guests_on xen1)" = "a b big c d e " ] || fail "xen1 has $(guests_on xen1)"
[ -z "$(guests_on xen2)$(guests_on xen3)" ] || fail "guests left behind"
[ "$(jtop "$J" state)" = done ] || fail "journal not done"
[ "$(jfield "$J" a result)" = returned ] || fail "a not returned"
grep -q "drbd = r1:xen2" "$S/xen1/guests/a.conf" || fail "peer not restored"
on xen1 return | grep -q "no evacuation to return from" || fail "again"
