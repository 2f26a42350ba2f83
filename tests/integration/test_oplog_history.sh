# Logs and history (docs/logging.md), simulated hosts and a stand-in
# for /dev/log: maintenance on/off, an evacuation (one move fails, one
# guest's DRBD is out of sync), a return, a single migration and a
# recover each log one line per outcome; every move lands in the
# history, with its downtime and bytes, and so in the journal.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/evac_lib.sh"
set -e
syslog_start
P='^<[0-9]+>[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]{8} xlmig\[[0-9]+\]: '
two_hosts a:16
sim_guest xen1 b 16 r2:xen2 "fault = source:precopy:error"
sim_guest xen1 c 16 r3:xen2 "drbd_state = r3:Primary/StandAlone/UpToDate/DUnknown"

on xen1 maintenance on >/dev/null
assert_syslog "${P}maintenance host=xen1 state=on result=ok since=[0-9T:Z-]+\$"

# The plan holds c back: its DRBD is not connected.
set +e; on xen1 evacuate --dry-run >"$WORK/plan" 2>&1; RC=$?; set -e
assert_rc 1
assert_grep "c (16 MiB) stays: DRBD r3 is not in sync (StandAlone, disk UpToDate, peer disk DUnknown)" "$WORK/plan"
assert_grep "a (16 MiB) -> xen2" "$WORK/plan"
set +e; on xen1 evacuate --dry-run --only a >"$WORK/plan" 2>&1; RC=$?; set -e
assert_grep "b (16 MiB) stays: not in --only" "$WORK/plan"
assert_grep "a (16 MiB) -> xen2" "$WORK/plan"
set +e; on xen1 evacuate --dry-run --exclude a,b >"$WORK/plan" 2>&1
RC=$?; set -e
assert_grep "a (16 MiB) stays: left out by --exclude" "$WORK/plan"
set +e; on xen1 evacuate --dry-run --only 'a;b' 2>"$WORK/err"; RC=$?; set -e
assert_rc 2; assert_one_line_error "$WORK/err" "evacuate: --only \"a;b\""

set +e; on xen1 evacuate --parallel 2 --bandwidth 400 >"$WORK/out" 2>&1
RC=$?; set -e
cat "$WORK/out"
assert_rc 1
assert_syslog "${P}migrate start=[0-9T:Z-]+ guest=a from=xen1 to=xen2 result=ok via=evacuate total_ms=[0-9]+ downtime_ms=[0-9]+ bytes=[1-9][0-9]* journal=evac-[0-9A-Za-z-]+\$"
assert_syslog "${P}migrate .* guest=b from=xen1 to=xen2 result=failed via=evacuate .* reason=\"[^\"]*injected fault[^\"]*\"\$"
assert_syslog "${P}evacuate host=xen1 mode=cli start=[0-9T:Z-]+ result=partial guests=3 moved=1 failed=1 stayed=1 total_ms=[0-9]+ journal=evac-"
[ "$(syslog_lines "guest=c ")" = 0 ] || fail "c was tried"
J=$(ls "$S"/xen1/journal/evac-*.json)
[ "$(jfield "$J" a bytes)" -gt 0 ] || fail "journal: no bytes for a"
jfield "$J" a downtime_ms | grep -qE '^[0-9]+$' || fail "journal: downtime"

on xen1 maintenance off >/dev/null
assert_syslog "${P}maintenance host=xen1 state=off result=ok\$"
on xen1 return >"$WORK/out"
assert_syslog "${P}migrate .* guest=a from=xen2 to=xen1 result=ok via=return .*bytes=[1-9][0-9]* journal=evac-"
assert_syslog "${P}return host=xen1 start=[0-9T:Z-]+ result=ok guests=1 back=1 failed=0 journals_open=0 total_ms=[0-9]+\$"

# The history: the two moves of the evacuation, then the return.
on xen1 history >"$WORK/h"
cat "$WORK/h"
[ "$(grep -c '^20' "$WORK/h")" = 3 ] || fail "expected 3 records"
grep -E '^[0-9T:Z-]+ +a +xen1 +xen2 +ok +evacuate ' "$WORK/h" >/dev/null ||
    fail "history: a's evacuation"
grep -E '^[0-9T:Z-]+ +b +xen1 +xen2 +failed +evacuate ' "$WORK/h" \
    >/dev/null || fail "history: b's failure"
tail -1 "$WORK/h" | grep -qE '^[0-9T:Z-]+ +a +xen2 +xen1 +ok +return ' ||
    fail "history: a's return is not the newest"
on xen1 history --json -n 2 a >"$WORK/hj"
python3 - "$WORK/hj" <<'PY' || fail "history --json"
import json, sys
d = json.load(open(sys.argv[1]))
m = d["migrations"]
assert d["host"] == "xen1", d
assert [(r["guest"], r["via"], r["result"]) for r in m] == \
    [("a", "evacuate", "ok"), ("a", "return", "ok")], m
assert all(r["bytes"] > 0 and r["total_ms"] >= r["downtime_ms"]
           for r in m), m
PY
on xen1 history -n 1 >"$WORK/h"
[ "$(grep -c '^20' "$WORK/h")" = 1 ] || fail "-n 1"
# A reason with any bytes (a peer's message) is still valid JSON.
echo 'migrate start=2026-12-01T00:00:00Z guest=z from=a to=b result=failed reason="bad \xc3\x28 byte\x0a"' \
    >>"$S/xen1/history"
on xen1 history --json -n 1 >"$WORK/hj"
python3 - "$WORK/hj" <<'PY' || fail "history --json with odd bytes"
import json, sys
r = json.load(open(sys.argv[1]))["migrations"][0]
assert r["reason"] == "bad ?( byte?", r
PY
on xen1 history -n 1 | grep -q "^ *bad ?( byte?\$" || fail "reason shown raw"
# A damaged history is refused, naming the line.
echo 'migrate start=yesterday guest=x from=a to=b result=ok' \
    >>"$S/xen1/history"
set +e; on xen1 history >/dev/null 2>"$WORK/err"; RC=$?; set -e
assert_rc 1; assert_one_line_error "$WORK/err" "line 5: history record: start"

# A single migration logs and records itself; so does recover.
export XLMIG_STATE_DIR=$WORK/state
"$T" --sim --sim-mem 16 -q -s "" web01 "$T --receive --sim -q"
assert_syslog "${P}migrate start=[0-9T:Z-]+ guest=web01 from=[^ ]* to=[^ ]* result=ok via=cli total_ms=[0-9]+ downtime_ms=[0-9]+ bytes=[1-9]"
set +e
XLMIG_FAULT=source:precopy:error "$T" --sim --sim-mem 16 -q -s "" web02 \
    "$T --receive --sim -q" 2>/dev/null; RC=$?
set -e
assert_rc 1
assert_syslog "${P}migrate .* guest=web02 .* result=failed via=cli "
mkdir -p "$WORK/ra" "$WORK/rd"
echo running >"$WORK/ra/g1"; echo paused >"$WORK/rd/g1--incoming"
"$T" recover --sim --sim-host-dir "$WORK/ra" -s "" g1 \
    "$T inspect --sim --sim-host-dir $WORK/rd" >/dev/null
assert_syslog "${P}recover guest=g1 host=[^ ]* peer=[^ ]* result=recovered runs_on=[^ ]* exit=0 decision=\""
"$T" history --json >"$WORK/hj"
python3 - "$WORK/hj" <<'PY' || fail "single and recover history"
import json, sys
m = json.load(open(sys.argv[1]))["migrations"]
got = [(r["guest"], r["via"], r["result"]) for r in m]
assert got == [("web01", "cli", "ok"), ("web02", "cli", "failed"),
               ("g1", "recover", "recovered")], got
PY
echo "PASS: logs and history"
