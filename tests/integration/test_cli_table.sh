# The subcommand table: `help` lists every subcommand, `help X` prints
# exactly what `X --help` and `X -h` print; a mistyped subcommand is
# refused naming the nearest one, exit 2, nothing run; `migrate` moves
# any domain, one named like a subcommand too, while the bare form
# still works; the simulator's options are in `help sim`, not --help.
. "$(dirname "$0")/lib.sh"
set -e
export XLMIG_CONF=/dev/null
R="$T --receive --sim -q"
run() { set +e; "$T" "$@" >"$WORK/o" 2>"$WORK/e"; RC=$?; set -e; }

run help
assert_rc 0
cp "$WORK/o" "$WORK/help"
for c in migrate evacuate return status maintenance recover inspect \
    monitor xe help; do
    grep -q "^  $c  *[a-z]" "$WORK/help" || fail "help does not list $c"
done
"$T" --help | cmp -s - "$WORK/help" || fail "--help is not help"
"$T" -h | cmp -s - "$WORK/help" || fail "-h is not help"
n=0
for c in $(sed -n '/^Subcommands/,/^$/p' "$WORK/help" |
           awk 'NR > 1 && NF { print $1 }'); do
    run help "$c"
    assert_rc 0
    cp "$WORK/o" "$WORK/a"
    grep -q "^Usage: xl-migrate-drbd" "$WORK/a" || fail "help $c: no usage"
    "$T" "$c" --help | cmp -s - "$WORK/a" || fail "help $c != $c --help"
    "$T" "$c" -h | cmp -s - "$WORK/a" || fail "help $c != $c -h"
    n=$((n + 1))
done
[ "$n" -ge 10 ] || fail "only $n subcommands in help"
echo "help lists $n subcommands; help X = X --help = X -h for each"

# The ten test options: in help sim (and --help-test), not in --help.
for o in --sim-mem --sim-profile --sim-dirty-rate --sim-hot --sim-free-mem \
    --sim-existing --sim-host-dir --sim-disk --sim-drbd --run-after \
    --report-json; do
    ! grep -q -- "$o" "$WORK/help" || fail "$o in --help"
    "$T" help sim | grep -q -- "^  $o " || fail "$o not in help sim"
done
"$T" --help-test | cmp -s - <("$T" help sim) || fail "--help-test"
"$T" --version | grep -q "^xl-migrate-drbd [0-9]" || fail "--version"

# Mistyped: refused with the nearest name, exit 2, nothing printed on
# stdout (so nothing ran).
typo() {
    run "$@"
    assert_rc 2
    [ ! -s "$WORK/o" ] || fail "$1: printed $(cat "$WORK/o")"
}
typo evacuat
assert_one_line_error "$WORK/e" \
    "unknown subcommand 'evacuat' (did you mean 'evacuate'?)"
assert_grep "xl-migrate-drbd migrate evacuat <host>" "$WORK/e"
typo evacuat --dry-run
assert_one_line_error "$WORK/e" "did you mean 'evacuate'"
typo stauts --json
assert_one_line_error "$WORK/e" "unknown subcommand 'stauts' (did you mean 'status'?)"
typo maintenace on
assert_one_line_error "$WORK/e" "did you mean 'maintenance'"
typo retrun
assert_one_line_error "$WORK/e" "did you mean 'return'"
typo recov g1 xen2
assert_one_line_error "$WORK/e" "did you mean 'recover'"
typo help evacuat
assert_one_line_error "$WORK/e" "unknown subcommand 'evacuat' (did you mean 'evacuate'?)"
typo help frobnicate
assert_one_line_error "$WORK/e" "unknown subcommand 'frobnicate'"
typo
assert_one_line_error "$WORK/e" "expected a subcommand or <domain> <host>"
echo "mistyped subcommands: exit 2, the nearest name suggested"

# migrate: any domain name, a subcommand's or a near one's too.
for name in help evacuate status statu; do
    rm -rf "$WORK/d"; mkdir "$WORK/d"
    run migrate --sim --sim-mem 16 -q -s "" "$name" "$R --sim-host-dir $WORK/d"
    assert_rc 0
    [ "$(head -1 "$WORK/d/$name")" = running ] ||
        fail "migrate $name: $(ls "$WORK/d")"
done
echo "migrate help|evacuate|status|statu <host>: each domain migrated"
# The bare form: a first word that is no subcommand is a domain.
rm -rf "$WORK/d"; mkdir "$WORK/d"
run web01 "$R --sim-host-dir $WORK/d" --sim --sim-mem 16 -q -s ""
assert_rc 0
[ "$(head -1 "$WORK/d/web01")" = running ] || fail "bare form"
run --sim --sim-mem 16 -q -s "" web02 "$R"
assert_rc 0
# "--json status": a subcommand's options go after it.
run --json status
assert_rc 2
assert_one_line_error "$WORK/e" "'status' is a subcommand: its options go after it"
echo "bare form kept: web01 <host> migrates"
