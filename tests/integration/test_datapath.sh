# The data path: the memory stream over N TLS 1.3 streams (or plain TCP
# with --no-encrypt) to the migration address, keyed by a one-time key
# sent over the control channel; --transport ssh keeps the one stream.
# The listener takes only connections that prove the key, closes once
# the expected ones are in, and a wrong key or a stranger is refused
# with the guest running exactly once.
. "$(dirname "$0")/lib.sh"
set -e
# The receiver's lines apart from the source's.
RECV="$T --receive --sim 2>>$WORK/recv"
mig() { : >"$WORK/recv"; sim_migrate "$WORK/out" "$WORK/err" -- \
    --sim-mem 32 --sim-profile idle -s "" "$@" g1 "$RECV"; }
# report FIELD: a value of the report.
report() { json_get "$WORK/out" "$1"; }
assert_migrated() {
    assert_outcome "$WORK/out" 0 migrated
    [ "$(tail -1 "$WORK/out" | jq -r .verified.memory.result)" = match ] ||
        fail "memory not verified"
    [ "$(report guest_on_source)" = false ] || fail "guest still on source"
    assert_grep "is running here, memory verified" "$WORK/recv"
}
# The port the report names must have no listener, and refuse a
# connection.
assert_closed() {
    local port=${1##*:}
    [ -n "$port" ] || fail "no data address in the report"
    [ -z "$(ss -Hltn "sport = :$port")" ] ||
        fail "a listener is left on port $port: $(ss -Hltn "sport = :$port")"
    ! bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null ||
        fail "port $port still takes connections"
}
# descendants PID: the processes under PID.
descendants() {
    local c
    for c in $(pgrep -P "$1"); do echo "$c"; descendants "$c"; done
}

# 1. TLS, three streams, slow enough to look at while it runs: the
#    receiver holds exactly three TCP connections and no listener.
: >"$WORK/recv"
set +e
"$T" --sim --json --sim-mem 32 --sim-profile idle --bandwidth 8 \
    --compress off --streams 3 -s "" g1 "$RECV" >"$WORK/out" 2>"$WORK/err" &
src=$!
set -e
wait_precopy "$WORK/out"
pids=$(descendants $src | tr '\n' ' ')
[ -n "$pids" ] || fail "no receiver under the source"
est=0 lst=0
for p in $pids; do
    est=$((est + $(ss -Htnp state established | grep -c "pid=$p," || true)))
    lst=$((lst + $(ss -Hltnp | grep -c "pid=$p," || true)))
done
[ "$est" = 3 ] || { ss -tnp >&2; fail "receiver has $est connections, not 3"; }
[ "$lst" = 0 ] || { ss -ltnp >&2; fail "receiver still listens during the stream"; }
set +e
wait $src
RC=$?
set -e
assert_migrated
[ "$(report transport)" = tls ] || fail "transport $(report transport)"
[ "$(report streams)" = 3 ] || fail "streams $(report streams)"
case $(report data_address) in 127.0.0.1:*) ;; *)
    fail "data address $(report data_address)" ;; esac
assert_closed "$(report data_address)"
# the rate limit counts all streams together: 32 MiB at 8 MiB/s
t=$(report precopy_s)
awk -v t="$t" 'BEGIN { exit !(t >= 3) }' ||
    fail "32 MiB at --bandwidth 8 took $t s: the limit is not shared"

# 2. The default: TLS, streams by the rule (one a core, at most 4).
mig
assert_migrated
[ "$(report transport)" = tls ] || fail "default transport $(report transport)"
n=$(nproc); [ "$n" -gt 4 ] && n=4
[ "$(report streams)" = "$n" ] || fail "default streams $(report streams), not $n"
assert_closed "$(report data_address)"

# 3. --no-encrypt: plain TCP, two streams.
mig --no-encrypt --streams 2
assert_migrated
[ "$(report transport)" = tcp ] || fail "transport $(report transport)"
[ "$(report streams)" = 2 ] || fail "streams $(report streams)"
assert_closed "$(report data_address)"

# 4. --transport ssh: the one stream over the control channel.
mig --transport ssh
assert_migrated
[ "$(report transport)" = ssh ] || fail "transport $(report transport)"
[ "$(report streams)" = 1 ] || fail "streams $(report streams)"
[ -z "$(report data_address)" ] || fail "ssh has a data address"

# 5. A stranger with a key of its own connects first: refused, the
#    migration goes on over the real streams.
for enc in "" --no-encrypt; do
    XLMIG_TEST_DATAPATH=stranger mig $enc
    assert_migrated
    why="TLS handshake failed: .*binder does not verify"
    [ -n "$enc" ] && why="wrong key"
    assert_grep "warning: data path: refused a connection from 127.0.0.1:[0-9]*: $why" \
        "$WORK/recv"
    assert_closed "$(report data_address)"
done

# 6. Every stream proves a wrong key: refused, rolled back, the guest
#    runs here and only here.
for enc in "" --no-encrypt; do
    XLMIG_TEST_DATAPATH=wrong-key mig $enc
    assert_outcome "$WORK/out" 1 failed
    [ "$(report guest_on_source)" = true ] || fail "guest not on the source"
    why="TLS handshake failed: .*alert.*"
    [ -n "$enc" ] && why="the destination refused the key"
    assert_one_line_error "$WORK/err" \
        "data stream 1 to 127.0.0.1:[0-9]*: $why (guest still running on the source)"
    assert_grep "receive: aborted: source aborted the migration: .*nothing kept here" \
        "$WORK/recv"
    ! grep -q "is running here" "$WORK/recv" || fail "guest ran on both"
done

# 7. Strangers, one more than the listener takes: it gives up, says so,
#    and both sides roll back.
XLMIG_TEST_DATAPATH=strangers mig
assert_outcome "$WORK/out" 1 failed
[ "$(report guest_on_source)" = true ] || fail "guest not on the source"
assert_one_line_error "$WORK/err" \
    "destination failed: data path: 9 connections to 127.0.0.1 port [0-9]* failed to prove the key"
[ "$(grep -c "refused a connection" "$WORK/recv")" = 9 ] ||
    fail "not 9 refusals"

# 8. Options: one clear line each.
for bad in "--streams 0:--streams: 0 is out of range" \
           "--streams 17:--streams: 17 is out of range" \
           "--streams 2.5:--streams: \"2.5\" is not a whole number" \
           "--transport tcp:--transport: \"tcp\" is not tls or ssh (plain TCP streams: --no-encrypt)" \
           "--transport ssh --streams 2:--streams: the data streams' option, not --transport ssh's" \
           "--transport ssh --no-encrypt:--no-encrypt: the data streams' option"; do
    set +e
    # shellcheck disable=SC2086
    "$T" --sim ${bad%%:*} -s "" g1 "$RECV" >/dev/null 2>"$WORK/opt"
    RC=$?
    set -e
    assert_rc 2
    assert_one_line_error "$WORK/opt" "${bad#*:}"
done
echo "ok: data path over TLS and TCP streams, ssh, strangers and wrong keys"
