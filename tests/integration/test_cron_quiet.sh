# The cron job over one maintenance episode (simulated hosts): while a
# guest cannot move, every run goes on in the same journal and only the
# first run reports (cron mails what it prints); once the guest can
# move, one "all done"; then silence. Every run logs its line. Done
# journals beyond the limit are pruned, open ones never.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/evac_lib.sh"
set -e
syslog_start
sim_host xen1 1024; sim_host xen2 1024; sim_host xen3 1024
sim_guest xen1 g1 16 r1:xen2
sim_guest xen1 g2 16 "r2:xen2 r3:xen3"     # mixed peers: cannot move
on xen1 maintenance on >/dev/null

cron() {
    set +e
    on xen1 evacuate --cron >"$WORK/out.$1" 2>"$WORK/err.$1"; RC=$?
    set -e
}
journals() { ls "$S/xen1/journal" | grep -c '^evac-.*\.json$' || true; }

cron 1
assert_rc 1
assert_grep "xen1: 1 of 2 guests moved, 1 still here" "$WORK/err.1"
assert_grep "g2: its DRBD resources have different peers .* (new)" \
    "$WORK/err.1"
[ ! -s "$WORK/out.1" ] || fail "run 1 wrote to stdout"
[ "$(guests_on xen2)" = "g1 " ] || fail "g1 did not move"
[ "$(journals)" = 1 ] || fail "run 1: $(journals) journals"
J=$(ls "$S"/xen1/journal/evac-*.json)
for n in 2 3; do
    cron $n
    assert_rc 2                 # nothing it tried could move
    [ ! -s "$WORK/out.$n" ] && [ ! -s "$WORK/err.$n" ] ||
        { cat "$WORK/out.$n" "$WORK/err.$n"; fail "run $n reported"; }
    [ "$(journals)" = 1 ] || fail "run $n: $(journals) journals"
done
[ "$(jfield "$J" g1 result)" = moved ] || fail "g1's entry lost"
[ "$(jfield "$J" g2 result)" = stayed ] || fail "g2's entry"
[ "$(syslog_lines 'evacuate host=xen1 mode=cron .* result=(partial|none)')" = 3 ] ||
    { cat "$SYSLOG"; fail "expected three cron lines"; }

# g2 can move now: one report that all is done, in the same journal.
sim_guest xen1 g2 16 r2:xen2
cron 4
assert_rc 0
assert_grep "xen1: all done, every guest moved; journal $J" "$WORK/out.4"
[ ! -s "$WORK/err.4" ] || { cat "$WORK/err.4"; fail "run 4: stderr"; }
[ "$(journals)" = 1 ] || fail "run 4: $(journals) journals"
[ "$(jfield "$J" g2 result)" = moved ] || fail "g2 not moved"
cron 5
assert_rc 0
[ ! -s "$WORK/out.5" ] && [ ! -s "$WORK/err.5" ] || fail "run 5 reported"
[ "$(journals)" = 1 ] || fail "run 5: $(journals) journals"

# return closes the episode; a new one gets a new journal.
on xen1 maintenance off >/dev/null
on xen1 return >/dev/null
[ "$(jtop "$J" state)" = done ] || fail "episode not closed"

# Pruning: 25 done journals, one open; 20 done are kept.
for i in $(seq 10 34); do
    id=evac-20200101T0000${i}Z-000000000-1
    sed "s/\"id\": \"[^\"]*\"/\"id\": \"$id\"/" "$J" \
        >"$S/xen1/journal/$id.json"
done
open_id=evac-20190101T000000Z-000000000-1
sed -e "s/\"id\": \"[^\"]*\"/\"id\": \"$open_id\"/" \
    -e 's/"state": "done"/"state": "evacuated"/' "$J" \
    >"$S/xen1/journal/$open_id.json"
set +e; on xen1 evacuate >/dev/null 2>&1; set -e
# 20 done, the open one, and this evacuation's
[ "$(journals)" = 22 ] || fail "after pruning: $(journals) journals"
[ -f "$S/xen1/journal/$open_id.json" ] || fail "an open journal was pruned"
[ ! -f "$S/xen1/journal/evac-20200101T000010Z-000000000-1.json" ] ||
    fail "the oldest done journal was kept"
echo "PASS: quiet cron"
