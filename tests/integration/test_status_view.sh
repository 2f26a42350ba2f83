# status as an operator reads it (simulated hosts): the live DRBD state
# of each resource, the migrations in progress (while an evacuation
# runs), the learned switchover costs and the last results, as text and
# as JSON; --parallel moves share one --bandwidth budget.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/evac_lib.sh"
set -e
two_hosts a:32 b:32
sim_guest xen1 c 16 r3:xen2 "drbd_state = r3:Primary/Connected/UpToDate/Inconsistent"
mkdir -p "$S/xen1/switchover"
printf '1764000000 250 300\n1764000100 120 180\n' >"$S/xen1/switchover/xen2"

# Two at a time under a 16 MiB/s budget: each move gets 8.
"$T" evacuate --parallel 2 --bandwidth 16 --sim-state "$S" --sim-host xen1 \
    >"$WORK/e.out" 2>"$WORK/e.err" &
P1=$!
# both moves started and holding their guest locks
running() {
    local m g
    m=$(grep -c migrating "$WORK/e.out" 2>/dev/null)
    g=$(ls "$S/xen1/run/lock" 2>/dev/null | grep -c '^guest-')
    [ "${m:-0}" -ge 2 ] && [ "${g:-0}" -ge 2 ]
}
n=0
while ! running && [ $n -lt 200 ]; do
    sleep 0.05; n=$((n + 1))
done
ps -eo args >"$WORK/ps"
on xen1 status >"$WORK/st"
on xen1 status --json >"$WORK/st.json"
wait $P1 || true
cat "$WORK/e.out" "$WORK/e.err"
[ "$(grep -c -- "--sim --sim-mem 32 .*--bandwidth 8 " "$WORK/ps")" = 2 ] ||
    { grep -- "--sim-mem" "$WORK/ps"; fail "moves not given 8 MiB/s each"; }
cat "$WORK/st"
assert_grep "^migrations in progress:\$" "$WORK/st"
grep -E "^  host +evacuate, pid $P1, since " "$WORK/st" >/dev/null ||
    fail "the evacuation is not shown in progress"
[ "$(grep -cE '^  guest-[0-9a-f-]+ +migrate, pid ' "$WORK/st")" = 2 ] ||
    fail "the two moves are not shown in progress"
assert_grep "r3 -> xen2 \[Primary Connected UpToDate/Inconsistent, NOT IN SYNC\]" "$WORK/st"
assert_grep "to xen2 .* plans with 250 ms (worst of the last 2 of 2), last downtime 180 ms" "$WORK/st"
python3 - "$WORK/st.json" "$P1" <<'PY' || fail "status --json in progress"
import json, sys
d = json.load(open(sys.argv[1]))
locks = {l["lock"]: l for l in d["in_progress"]}
assert locks["host"]["op"] == "evacuate", locks
assert locks["host"]["pid"] == int(sys.argv[2]), locks
assert sum(1 for k in locks if k.startswith("guest-")) == 2, locks
c = [g for g in d["guests"] if g["name"] == "c"][0]
st = c["drbd"][0]["state"]
assert st["connection"] == "Connected" and st["peer_disk"] == \
    "Inconsistent" and st["in_sync"] is False, st
a = [g for g in d["guests"] if g["name"] == "a"][0]
assert a["drbd"][0]["state"] is None, a
cost = d["switchover_costs"][0]
assert cost["host"] == "xen2" and cost["estimate_ms"] == 250, cost
PY

# After: nothing in progress, the last results; c never tried.
on xen1 status >"$WORK/st"
cat "$WORK/st"
assert_grep "^migrations in progress: none\$" "$WORK/st"
assert_grep "^last results:\$" "$WORK/st"
grep -E "^  [0-9T:Z-]+ a xen1 -> xen2: ok \(evacuate\), " "$WORK/st" \
    >/dev/null || fail "a's result"
grep -q " c xen1 -> " "$WORK/st" && fail "c was tried"
on xen1 status --json >"$WORK/st.json"
python3 - "$WORK/st.json" <<'PY' || fail "status --json after"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["in_progress"] == [], d["in_progress"]
assert sorted(r["guest"] for r in d["recent"]) == ["a", "b"], d["recent"]
assert all(r["result"] == "ok" and r["bytes"] > 0 for r in d["recent"])
PY
# The plan held c back for its peer's disk.
J=$(ls "$S"/xen1/journal/evac-*.json)
jfield "$J" c reason | grep -q "DRBD r3 is not in sync" || fail "c's reason"
echo "PASS: status view"
