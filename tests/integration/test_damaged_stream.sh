# A real stream, captured with tee in the receiver's command, then
# damaged and fed to a receiver on its own: corrupted page data, a
# corrupted record header, a truncated stream and an absurd record
# length must each give a clear one-line error, no crash, and leave
# nothing behind on the receiving host. The whole stream goes through
# that one pipe with --transport ssh.
. "$(dirname "$0")/lib.sh"
set -e
S=$WORK/stream
mkdir "$WORK/h"
"$T" --sim -q --sim-mem 4 --sim-profile idle --transport ssh -s "" g1 \
    "tee $S | $T --receive --sim" >/dev/null 2>"$WORK/e" ||
    { cat "$WORK/e"; fail "capturing migration failed"; }

# "offset length" of the n-th record of type t (1 control, 2 pages).
rec_off() {
    perl -e 'open F, "<", $ARGV[0] or die; binmode F; local $/;
        my $b = <F>; my ($p, $n) = (8, 0);
        while ($p + 8 <= length $b) {
            my ($t, $l) = unpack "VV", substr($b, $p, 8);
            if ($t == $ARGV[1] && ++$n == $ARGV[2]) { print "$p $l"; exit }
            $p += 8 + (($l + 7) & ~7);
        }
        exit 1' "$S" "$1" "$2"
}
# put FILE OFFSET HEXBYTES: overwrite bytes in place.
put() {
    printf "$(echo "$3" | sed 's/../\\x&/g')" |
        dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

size=$(stat -c %s "$S")
read -r p1 l1 <<<"$(rec_off 2 1)"

cp "$S" "$WORK/pagedata"         # the last page's contents
put "$WORK/pagedata" $((p1 + 8 + l1 - 100)) deadbeefdeadbeef
cp "$S" "$WORK/header"           # a record type nobody knows
put "$WORK/header" "$p1" 66666666
cp "$S" "$WORK/absurd"           # 4 GiB - 16 bytes of pages
put "$WORK/absurd" $((p1 + 4)) f0ffffff
head -c $((size / 2 + 3)) "$S" >"$WORK/truncated"

for c in "pagedata:memory verification failed" \
         "header:unknown type 1717986918" \
         "absurd:length 4294967280 exceeds limit" \
         "truncated:closed the connection in the middle of a record"; do
    name=${c%%:*} want=${c#*:}
    rm -f "$WORK/h"/* "$WORK/r.json"
    set +e
    "$T" --receive --sim --io-timeout 2 --sim-host-dir "$WORK/h" \
        --report-json "$WORK/r.json" <"$WORK/$name" >/dev/null \
        2>"$WORK/$name.err"
    RC=$?
    set -e
    echo "$name: exit $RC: $(cat "$WORK/$name.err")"
    assert_rc 1
    [ "$(wc -l <"$WORK/$name.err")" = 1 ] || fail "$name: not one line"
    assert_grep "^xl-migrate-drbd receive: failed: .*$want.*; nothing kept" \
        "$WORK/$name.err"
    grep -q '"outcome":"failed"' "$WORK/r.json" || fail "$name: report"
    [ -z "$(ls -A "$WORK/h")" ] || fail "$name: left $(ls "$WORK/h")"
done
