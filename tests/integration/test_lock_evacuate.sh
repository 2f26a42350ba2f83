# The host lock on simulated hosts: while one evacuation runs, a second
# (manual) is refused at once naming it, the cron run leaves it alone,
# return is refused; the running one finishes with its journal intact,
# and the return after it brings every guest home.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/evac_lib.sh"
set -e
two_hosts a:32 b:32

# The first evacuation, slowed so the others meet it.
"$T" evacuate --bandwidth 8 --sim-state "$S" --sim-host xen1 \
    >"$WORK/e1.out" 2>"$WORK/e1.err" &
P1=$!
n=0
while ! grep -q migrating "$WORK/e1.out" && [ $n -lt 100 ]; do
    sleep 0.1; n=$((n + 1))
done

set +e; on xen1 evacuate >"$WORK/e2.out" 2>"$WORK/e2.err"; RC=$?; set -e
cat "$WORK/e2.err"
assert_rc 2
assert_one_line_error "$WORK/e2.err" \
    "evacuate: host xen1 is locked by pid $P1 (evacuate, since "
assert_grep "; try again when it ends" "$WORK/e2.err"
[ ! -s "$WORK/e2.out" ] || { cat "$WORK/e2.out"; fail "refused run spoke"; }

# The cron job while the manual one runs: left alone, silently.
on xen1 maintenance on >/dev/null
set +e; on xen1 evacuate --cron >"$WORK/c.out" 2>"$WORK/c.err"; RC=$?; set -e
assert_rc 0
[ ! -s "$WORK/c.out" ] && [ ! -s "$WORK/c.err" ] ||
    { cat "$WORK/c.out" "$WORK/c.err"; fail "cron run not quiet"; }
on xen1 maintenance off >/dev/null

set +e; on xen1 return >"$WORK/r.out" 2>"$WORK/r.err"; RC=$?; set -e
cat "$WORK/r.err"
assert_rc 2
assert_one_line_error "$WORK/r.err" \
    "return: host xen1 is locked by pid $P1 (evacuate, since "

set +e; wait $P1; RC=$?; set -e
cat "$WORK/e1.out"
assert_rc 0
assert_grep "summary: 2 moved, 0 failed, 0 stayed" "$WORK/e1.out"
[ "$(ls "$S"/xen1/journal/ | wc -l)" = 1 ] ||
    fail "journals: $(ls "$S"/xen1/journal/)"
J=$(ls "$S"/xen1/journal/evac-*.json)
[ "$(jtop "$J" state)" = evacuated ] || fail "journal $(jtop "$J" state)"
[ "$(jfield "$J" a result)$(jfield "$J" b result)" = movedmoved ] ||
    fail "journal: a $(jfield "$J" a result), b $(jfield "$J" b result)"
[ "$(guests_on xen1)" = "" ] && [ "$(guests_on xen2)" = "a b " ] ||
    fail "xen1 has $(guests_on xen1), xen2 $(guests_on xen2)"
[ ! -e "$S/xen1/run/lock/host" ] || fail "host lock left behind"

# Every later return works.
on xen1 return >"$WORK/r2.out" 2>&1 || { cat "$WORK/r2.out"; fail return; }
cat "$WORK/r2.out"
assert_grep "summary: 2 back, 0 still away; journal done" "$WORK/r2.out"
[ "$(guests_on xen1)" = "a b " ] || fail "xen1 has $(guests_on xen1)"
[ "$(jfield "$J" a result)$(jfield "$J" b result)" = returnedreturned ] ||
    fail "journal: a $(jfield "$J" a result), b $(jfield "$J" b result)"
on xen1 return >"$WORK/r3.out" 2>&1
assert_grep "no evacuation to return from" "$WORK/r3.out"

# Each move holds its guest's lock: a migration of a started by hand on
# xen1 (xen1's run directory) makes evacuate's move of a fail, naming
# it; b moves; the journal says why a stayed.
XLMIG_RUN_DIR=$S/xen1/run "$T" --sim --sim-mem 32 --sim-profile idle -q \
    --bandwidth 8 -s "" a "XLMIG_RUN_DIR='$S/xen2/run' '$T' --receive --sim \
-q" >"$WORK/hand.out" 2>&1 &
P=$!
n=0
while ! ls "$S"/xen1/run/lock/guest-* >/dev/null 2>&1 && [ $n -lt 100 ]; do
    sleep 0.1; n=$((n + 1))
done
set +e; on xen1 evacuate >"$WORK/e3.out" 2>&1; RC=$?; set -e
cat "$WORK/e3.out"
assert_rc 1
assert_grep "a -> xen2: FAILED, still here (exit 1): guest a (uuid [0-9a-f-]*)\
 is locked by pid $P (migrate, since " "$WORK/e3.out"
assert_grep "b -> xen2: moved" "$WORK/e3.out"
J3=$(ls -t "$S"/xen1/journal/evac-*.json | head -1)
jfield "$J3" a reason | grep -q "is locked by pid $P" ||
    fail "journal: a $(jfield "$J3" a result): $(jfield "$J3" a reason)"
wait $P || true
echo "PASS: host lock"
