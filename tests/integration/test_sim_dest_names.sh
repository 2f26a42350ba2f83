# The simulated destination refuses names as Xen's does: a domain of
# the guest's name, or a <name>--incoming left by an earlier migration,
# is a refusal at the pre-check that touches nothing (the leftover is
# recover's to settle); and it never allocates what a peer claims past
# what this machine can hold (a 1 TiB claim is refused, not mmap'd).
. "$(dirname "$0")/lib.sh"
set -e
H=$WORK/h
mkdir "$H"

# 1. A leftover g1--incoming: refused, the leftover untouched.
echo paused >"$H/g1--incoming"
sim_migrate "$WORK/out" "$WORK/err" -- --sim-mem 8 --sim-profile idle \
    -s "" g1 "$T --receive --sim --sim-host-dir $H"
echo "leftover --incoming: exit $RC: $(grep '^xl-migrate-drbd:' "$WORK/err")"
assert_rc 1
assert_one_line_error "$WORK/err" "name-free: a domain named g1 (or its --incoming copy) already exists here"
[ "$(json_get "$WORK/out" outcome)" = refused ] || fail "not refused"
[ "$(cat "$H/g1--incoming")" = paused ] || fail "leftover changed"
[ "$(ls "$H")" = "g1--incoming" ] || fail "left: $(ls "$H")"

# 2. A domain g1 already there: the same refusal.
rm "$H/g1--incoming"
echo running >"$H/g1"
sim_migrate "$WORK/out" "$WORK/err" -- --sim-mem 8 --sim-profile idle \
    -s "" g1 "$T --receive --sim --sim-host-dir $H"
assert_rc 1
assert_one_line_error "$WORK/err" "name-free: a domain named g1"
[ "$(ls "$H")" = g1 ] && [ "$(cat "$H/g1")" = running ] ||
    fail "existing g1 touched"
rm "$H/g1"

# 3. A peer claiming 1 TiB, to a receiver told it has 2 TiB free: the
#    request of a real stream, its mem_bytes rewritten, up to the first
#    page record (the pings included, so restore would be reached); one
#    stream (--transport ssh), all of it in the pipe.
"$T" --sim -q --sim-mem 4 --sim-profile idle --transport ssh -s "" g1 \
    "tee $WORK/stream | $T --receive --sim" >/dev/null 2>"$WORK/e" ||
    { cat "$WORK/e"; fail "capturing migration failed"; }
perl -e 'open F, "<", $ARGV[0] or die; binmode F; local $/;
    my $b = <F>; my $o = substr($b, 0, 8); my $p = 8;
    while ($p + 8 <= length $b) {
        my ($t, $l) = unpack "VV", substr($b, $p, 8);
        last if $t == 2;
        my $body = substr($b, $p + 8, $l);
        $body =~ s/"mem_bytes":\d+/"mem_bytes":1099511627776/;
        my $n = length $body;
        $o .= pack("VV", $t, $n) . $body . ("\0" x ((8 - $n % 8) % 8));
        $p += 8 + (($l + 7) & ~7);
    }
    print $o' "$WORK/stream" >"$WORK/claim"
grep -q '"mem_bytes":1099511627776' "$WORK/claim" || fail "no 1 TiB claim"
set +e
"$T" --receive --sim --io-timeout 5 --sim-free-mem 2097152 \
    --sim-host-dir "$H" --report-json "$WORK/r.json" <"$WORK/claim" \
    >/dev/null 2>"$WORK/claim.err"
RC=$?
set -e
echo "1 TiB claim: exit $RC: $(cat "$WORK/claim.err")"
assert_rc 1
[ "$(wc -l <"$WORK/claim.err")" = 1 ] || fail "not one line"
assert_grep "refused: sim-allocation: 1048576 MiB claimed, this simulator allocates at most [0-9]* MiB" \
    "$WORK/claim.err"
grep -q '"outcome":"refused"' "$WORK/r.json" || fail "report: not refused"
[ -z "$(ls -A "$H")" ] || fail "left $(ls "$H")"
echo ok
