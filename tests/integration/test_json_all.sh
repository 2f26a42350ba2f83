# Every subcommand's --json parses with a real JSON parser (jq) and has
# the shapes docs/json.md documents: one document (migrate: one object
# per line, the report last), lists as arrays, "journal" an id wherever
# it appears, numbers of bounded precision, a time on every event, the
# dry run's table of checks, and "verified" saying what was checked. A
# subcommand whose --help offers --json that this test does not know
# is still run and parsed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/evac_lib.sh"
set -e
command -v jq >/dev/null || fail "jq is missing (make deps-test)"

# one FILE WHAT: exactly one JSON object in FILE
one() {
    jq -e 'type == "object"' "$1" >/dev/null 2>&1 ||
        { cat "$1" >&2; fail "$2: not a JSON object"; }
    [ "$(jq -s length "$1")" = 1 ] ||
        { cat "$1" >&2; fail "$2: more than one document"; }
    sane_numbers "$1" "$2"
}
# lines FILE WHAT: one JSON object per line, each with a time
lines() {
    local n
    n=$(wc -l <"$1")
    [ "$(jq -c 'select(type == "object")' "$1" 2>/dev/null | wc -l)" = "$n" ] ||
        { cat "$1" >&2; fail "$2: not one JSON object per line"; }
    jq -e -s 'all(.[]; .time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$"))' \
        "$1" >/dev/null || fail "$2: an event without a time"
    sane_numbers "$1" "$2"
}
# no number with more than 6 decimals (yajl_gen_double prints 20)
sane_numbers() {
    local bad
    bad=$(jq -r '.. | numbers | tostring | select(test("\\.[0-9]{7,}"))' "$1")
    [ -z "$bad" ] || fail "$2: numbers like $(echo "$bad" | head -1)"
}
q() { jq -r "$2" "$1"; }
covered=""
cover() { covered="$covered $1 "; }

# ---- migrate, and the receiver's --report-json ----
sim_migrate "$WORK/m" "$WORK/m.err" -- --sim-mem 32 -s "" g1 \
    "$T --receive --sim --report-json $WORK/r.json"
assert_rc 0
lines "$WORK/m" migrate
[ "$(tail -1 "$WORK/m" | jq -r .event)" = report ] || fail "report not last"
jq -e -s '[.[] | select(.event == "progress")] | length > 0' "$WORK/m" \
    >/dev/null || fail "no progress event"
tail -1 "$WORK/m" >"$WORK/mr"
[ "$(q "$WORK/mr" .verified.memory.result)" = match ] ||
    fail "memory not verified: $(q "$WORK/mr" .verified)"
[ "$(q "$WORK/mr" '.checks | map(select(.ok)) | length')" -gt 3 ] ||
    fail "the report lacks its checks"
one "$WORK/r.json" "receive --report-json"
[ "$(q "$WORK/r.json" .verified.memory.result)" = match ] ||
    fail "receiver: memory not verified"

# --dry-run: the whole table in the report; nothing copied, nothing
# claimed as verified or failed
sim_migrate "$WORK/d" "$WORK/d.err" -- --dry-run --sim-mem 32 -s "" g1 \
    "$T --receive --sim"
assert_rc 0
lines "$WORK/d" "migrate --dry-run"
tail -1 "$WORK/d" >"$WORK/dr"
[ "$(q "$WORK/dr" .outcome)" = checked ] || fail "dry run not checked"
q "$WORK/dr" '.checks[] | "\(.where) \(.name) \(.ok)"' >"$WORK/dt"
assert_grep "^dest free-memory true$" "$WORK/dt"
assert_grep "^source domain-running true$" "$WORK/dt"
[ "$(q "$WORK/dr" .verified.memory.result)" = not-checked ] ||
    fail "dry run: verified is $(q "$WORK/dr" .verified)"
q "$WORK/dr" .verified.memory.detail | grep -q "no memory was copied" ||
    fail "dry run: no reason for not checking"
# refused: the failed check is in the table
sim_migrate "$WORK/f" "$WORK/f.err" -- --sim-mem 32 -s "" g1 \
    "$T --receive --sim --sim-existing g1"
assert_rc 1
lines "$WORK/f" "migrate (refused)"
[ "$(tail -1 "$WORK/f" | jq -r '.checks[] | select(.ok | not) | .name')" \
    = name-free ] || fail "refusal: failed check not in the report"
cover migrate

# ---- evacuate, status, return ----
sim_host xen1 1024; sim_host xen2 1024; sim_host xen3 1024
sim_guest xen1 a 16 r1:xen2
sim_guest xen1 b 16 r2:xen3
sim_guest xen1 c 16 "r3:xen2 r4:xen3"
set +e; on xen1 evacuate --dry-run --json >"$WORK/ed"; RC=$?; set -e
assert_rc 1
one "$WORK/ed" "evacuate --dry-run"
[ "$(q "$WORK/ed" '.journal, .journal_path')" = "null
null" ] || fail "dry run names a journal"
[ "$(q "$WORK/ed" '.guests | map(.result) | join(" ")')" = \
    "would-move would-move stays" ] || fail "dry run: $(cat "$WORK/ed")"
[ "$(q "$WORK/ed" '.guests[] | select(.name == "c") | .dest')" = null ] ||
    fail "a guest that stays has a destination"
set +e; on xen1 evacuate --dry-run --blocked --json >"$WORK/eb"; set -e
one "$WORK/eb" "evacuate --dry-run --blocked"
[ "$(q "$WORK/eb" '.guests | map(.name) | join(" ")')" = c ] ||
    fail "--blocked: $(cat "$WORK/eb")"
on xen1 maintenance on >/dev/null
set +e; on xen1 evacuate --json >"$WORK/ev" 2>"$WORK/ev.err"; RC=$?; set -e
assert_rc 1
one "$WORK/ev" evacuate
J=$(q "$WORK/ev" .journal)
[ "$(basename "$(q "$WORK/ev" .journal_path)" .json)" = "$J" ] ||
    fail "journal is not the id of journal_path"
[ -f "$(q "$WORK/ev" .journal_path)" ] || fail "journal_path: no file"
[ "$(q "$WORK/ev" '.moved, .stayed, .exit_code' | tr '\n' ' ')" = "2 1 1 " ] ||
    fail "evacuate counts: $(cat "$WORK/ev")"
[ "$(q "$WORK/ev" '.guests[] | select(.name == "a") | .exit_code')" = 0 ] ||
    fail "a's exit code"
q "$WORK/ev" '.guests[] | select(.name == "a") | .started' |
    grep -q "^20..-..-..T" || fail "a has no start time"
cover evacuate
on xen1 status --json >"$WORK/st"
one "$WORK/st" status
[ "$(q "$WORK/st" '.journals | type')" = array ] || fail "journals not a list"
[ "$(q "$WORK/st" '.journals[0]')" = "$J" ] || fail "status journal id"
[ "$(q "$WORK/st" '.throttled | type')" = array ] || fail "throttled"
q "$WORK/st" .maintenance_since | grep -q "^20" || fail "maintenance since"
on xen2 status --json >"$WORK/st2"
one "$WORK/st2" "status (no maintenance)"
[ "$(q "$WORK/st2" .maintenance_since)" = null ] || fail "since, not in"
cover status
on xen1 maintenance off >/dev/null
on xen1 return --dry-run --json >"$WORK/rd"
one "$WORK/rd" "return --dry-run"
[ "$(q "$WORK/rd" '.guests | map(.result) | unique | join(" ")')" = \
    would-return ] || fail "return dry run: $(cat "$WORK/rd")"
on xen1 return --json >"$WORK/rt" 2>"$WORK/rt.err"
one "$WORK/rt" return
[ "$(q "$WORK/rt" .journal)" = "$J" ] || fail "return: journal is not the id"
[ "$(q "$WORK/rt" '.journals | join(",")')" = "$J" ] || fail "journals"
[ "$(q "$WORK/rt" '.returned, .state, .exit_code' | tr '\n' ' ')" = \
    "2 done 0 " ] || fail "return: $(cat "$WORK/rt")"
[ "$(q "$WORK/rt" '.guests | map(.name + ":" + .result) | sort | join(" ")')" \
    = "a:returned b:returned" ] || fail "return guests"
on xen1 return --json >"$WORK/rn"
one "$WORK/rn" "return (nothing)"
[ "$(q "$WORK/rn" '.journal, (.guests | length)' | tr '\n' ' ')" = \
    "null 0 " ] || fail "return, nothing: $(cat "$WORK/rn")"
cover return

# ---- recover and inspect ----
mkdir -p "$WORK/A" "$WORK/D"
echo running >"$WORK/A/g1"
echo paused >"$WORK/D/g1--incoming"
peer="$T inspect --sim --sim-host-dir $WORK/D"
"$T" recover --json --dry-run --sim --sim-host-dir "$WORK/A" -s "" g1 \
    "$peer" >"$WORK/rc1"
one "$WORK/rc1" "recover --dry-run"
[ "$(q "$WORK/rc1" '.outcome, .actions[0].result' | tr '\n' ' ')" = \
    "dry-run would-do " ] || fail "recover dry run: $(cat "$WORK/rc1")"
[ -f "$WORK/D/g1--incoming" ] || fail "dry run acted"
"$T" recover --json --sim --sim-host-dir "$WORK/A" -s "" g1 "$peer" \
    >"$WORK/rc2"
one "$WORK/rc2" recover
[ "$(q "$WORK/rc2" '.outcome, .verdict, .actions[0].result, .exit_code' |
     tr '\n' ' ')" = "settled act done 0 " ] ||
    fail "recover: $(cat "$WORK/rc2")"
[ "$(q "$WORK/rc2" '.now.peer.copies["g1--incoming"]')" = none ] ||
    fail "recover: now"
cover recover
"$T" inspect --sim --sim-host-dir "$WORK/A" g1 >"$WORK/in"
one "$WORK/in" inspect
[ "$(q "$WORK/in" '.resources | type')" = array ] || fail "resources"
cover inspect

# ---- any other subcommand that offers --json ----
"$T" --help 2>&1 | sed -n '/^Subcommands/,/^$/p' | awk 'NR > 1 && NF { print $1 }' |
while read -r sub; do
    case "$covered" in *" $sub "*) continue ;; esac
    "$T" "$sub" --help 2>&1 | grep -q -- "--json" || continue
    set +e; on xen1 "$sub" --json >"$WORK/x-$sub" 2>"$WORK/x-$sub.err"
    set -e
    one "$WORK/x-$sub" "$sub --json (not known to this test)"
    echo "checked: $sub --json"
done
echo "PASS: every --json parses"
