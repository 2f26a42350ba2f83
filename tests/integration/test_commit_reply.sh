# After "go" only "done" commits and only an explicit "not started"
# lets the source resume: a destination that answers anything else
# (here a stray pong ahead of its done) leaves the outcome unknown, so
# the source must exit 3 with the recover hint and keep its copy
# suspended -- never resume it beside the one the destination starts.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pair_lib.sh"
set -e

for point in commit done; do
    dir="$WORK/$point"
    XLMIG_FAULT=dest:$point:stray pair_start "$dir"
    pair_wait "$dir"
    st=$(pair_state "$dir")
    [ "$st" != twice ] || fail "$point: the guest runs on both hosts"
    assert_rc 3
    [ "$st" = undef-dst ] || fail "$point: state $st, expected undef-dst"
    [ "$(json_get "$dir/out" outcome)" = undefined ] ||
        fail "$point: outcome not undefined"
    [ "$(json_get "$dir/out" guest_on_source)" = false ] ||
        fail "$point: guest_on_source"
    assert_one_line_error "$dir/err" "answered \"pong\" to go"
    assert_grep "run: xl-migrate-drbd recover g1" "$dir/err"
    # And recover settles it where it runs.
    "$T" recover --sim --sim-host-dir "$dir/s" -s "" g1 \
        "\"$T\" inspect --sim --sim-host-dir \"$dir/d\"" \
        >"$dir/recover.out" 2>&1 || fail "$point: recover failed"
    [ "$(pair_state "$dir")" = dst ] ||
        fail "$point: after recover $(pair_state "$dir")"
    echo "stray pong at dest:$point: exit 3, undef-dst, recovered to dst"
done

# A destination that certainly never started it says so: resumed here.
dir="$WORK/error"
XLMIG_FAULT=dest:commit:error pair_start "$dir"
pair_wait "$dir"
assert_rc 1
[ "$(pair_state "$dir")" = src ] || fail "not_started: $(pair_state "$dir")"
[ "$(json_get "$dir/out" guest_on_source)" = true ] || fail "not resumed"
echo "not_started after go: exit 1, resumed on the source"
