# Return across several open journals. A first evacuation leaves b
# behind (its move fails); the cron job's next run moves it, a second
# journal. Guest a is in both: brought back by hand in between, then
# moved to another peer. One return brings every guest home, each
# migrated once from where the newest journal says it is; a journal is
# done once none of its guests is still away.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/evac_lib.sh"
set -e
sim_host xen1 1024; sim_host xen2 1024; sim_host xen3 1024
sim_guest xen1 a 16 r1:xen2
sim_guest xen1 b 16 r2:xen2 "fault = source:precopy:error"
sim_guest xen1 c 24 r3:xen3
sim_guest xen1 d 32 r4:xen2
id_of() { basename "$1" .json; }

on xen1 maintenance on >/dev/null
set +e; on xen1 evacuate >"$WORK/out" 2>&1; RC=$?; set -e
assert_rc 1
J1=$(ls "$S"/xen1/journal/evac-*.json)
[ "$(guests_on xen1)" = "b " ] || fail "xen1 has $(guests_on xen1)"
[ "$(jfield "$J1" b result)" = failed ] || fail "b not failed in journal"

# a comes back by hand, now replicating to xen3; b can move now
rm "$S/xen2/guests/a.conf"
sim_guest xen1 a 16 r1:xen3
sim_guest xen1 b 16 r2:xen2
set +e; on xen1 evacuate >"$WORK/out" 2>&1; RC=$?; set -e
cat "$WORK/out"
assert_rc 0
J2=$(ls "$S"/xen1/journal/evac-*.json | tail -1)
[ "$J2" != "$J1" ] || fail "expected a second journal"
[ "$(jfield "$J1" a dest)" = xen2 ] || fail "a dest in the first journal"
[ "$(jfield "$J2" a dest)" = xen3 ] || fail "a dest in the second journal"
[ "$(jfield "$J1" a result)$(jfield "$J2" a result)" = movedmoved ] ||
    fail "a not moved in both journals"
I1=$(id_of "$J1"); I2=$(id_of "$J2")
on xen1 status | grep -q "evacuations not returned: $I2,$I1" ||
    fail "status does not show both open journals"
on xen1 maintenance off >/dev/null

# The plan: every guest once, with the journal it comes from.
on xen1 return --dry-run >"$WORK/plan"
cat "$WORK/plan"
assert_grep "would return 4 guests to xen1 (journals $I2, $I1)" "$WORK/plan"
assert_grep "^  a <- xen3 (journal $I2)$" "$WORK/plan"
assert_grep "^  b <- xen2 (journal $I2)$" "$WORK/plan"
assert_grep "^  c <- xen3 (journal $I1)$" "$WORK/plan"
assert_grep "^  d <- xen2 (journal $I1)$" "$WORK/plan"
[ "$(grep -c '^  a <-' "$WORK/plan")" = 1 ] || fail "a planned twice"
[ "$(guests_on xen1)" = "" ] || fail "dry run moved guests"

on xen1 return --json >"$WORK/out" 2>"$WORK/err"
cat "$WORK/out" "$WORK/err"
jq -e . "$WORK/out" >/dev/null || fail "return --json: not JSON"
[ "$(jq -r '.guests[] | select(.name == "a") | .from' "$WORK/out")" = xen3 ] ||
    fail "a not back from the newest journal's destination"
[ "$(jq '[.guests[] | select(.name == "a")] | length' "$WORK/out")" = 1 ] ||
    fail "a not back once"
[ "$(jq -r '.journal, (.journals | join(",")), .returned, .failed,
            .state, .exit_code' "$WORK/out" | tr '\n' ' ')" = \
    "$I2 $I2,$I1 4 0 done 0 " ] || fail "return --json summary"
[ "$(guests_on xen1)" = "a b c d " ] || fail "xen1 has $(guests_on xen1)"
[ -z "$(guests_on xen2)$(guests_on xen3)" ] || fail "guests left behind"
[ "$(jtop "$J1" state)$(jtop "$J2" state)" = donedone ] ||
    fail "journals not both done"
[ "$(jfield "$J1" a result)" = returned ] || fail "a open in first journal"
[ "$(jfield "$J2" a result)" = returned ] || fail "a open in second journal"
[ "$(jfield "$J1" b result)" = failed ] || fail "b rewritten in first journal"
[ "$(jfield "$J1" d result)" = returned ] || fail "d not returned"
on xen1 return >"$WORK/out"
assert_grep "no evacuation to return from" "$WORK/out"
! on xen1 status | grep -q "evacuations not returned" ||
    fail "status still shows open journals"

# Again, but d cannot come back at first: its journal stays open, the
# other one (a, b, c home) is done; the next return needs only it.
sim_guest xen1 d 32 r4:xen2 "fault = source:precopy:error"
on xen1 maintenance on >/dev/null
set +e; on xen1 evacuate >/dev/null 2>&1; RC=$?; set -e
assert_rc 1
sim_guest xen1 d 32 r4:xen2
on xen1 evacuate >/dev/null
J3=$(ls "$S"/xen1/journal/evac-*.json | tail -2 | head -1)
J4=$(ls "$S"/xen1/journal/evac-*.json | tail -1)
I3=$(id_of "$J3"); I4=$(id_of "$J4")
on xen1 maintenance off >/dev/null
echo "fault = source:precopy:error" >>"$S/xen2/guests/d.conf"
set +e; on xen1 return >"$WORK/out" 2>"$WORK/err"; RC=$?; set -e
cat "$WORK/out" "$WORK/err"
assert_rc 1
assert_grep "returning 4 guests to xen1 (journals $I4, $I3)" "$WORK/out"
assert_grep "summary: 3 back, 1 still away; journals: 1 done, 1 open" \
    "$WORK/out"
assert_grep "return: d is still on xen2 (exit 1)" "$WORK/err"
[ "$(guests_on xen2)" = "d " ] || fail "xen2 has $(guests_on xen2)"
[ "$(jtop "$J3" state)" = done ] || fail "journal without d not done"
[ "$(jtop "$J4" state)" = evacuated ] || fail "journal of d closed early"
sed -i '/^fault = /d' "$S/xen2/guests/d.conf"
on xen1 return >"$WORK/out"
cat "$WORK/out"
assert_grep "returning 1 guest to xen1 (journal $I4)" "$WORK/out"
assert_grep "summary: 1 back, 0 still away; journal done" "$WORK/out"
[ "$(guests_on xen1)" = "a b c d " ] || fail "xen1 has $(guests_on xen1)"
[ "$(jtop "$J4" state)" = done ] || fail "journal of d not done"
