# The progress bar on a real terminal (script(1)'s pty) at 60 and 200
# columns, and across a resize from 200 to 60 columns: every redraw
# fits the width it is drawn at, the redraws share one line (no newline
# between them: the terminal never scrolls), and the local receiver's
# message starts a line of its own instead of running on after the bar.
. "$(dirname "$0")/lib.sh"
set -e
command -v script >/dev/null || fail "script(1) is missing (util-linux)"

# tty COLS FILE [AFTER_S NEWCOLS]: one migration on a COLS-wide pty,
# resized to NEWCOLS AFTER_S seconds after its bar first shows; the
# typescript in FILE.
tty() {
    local resize=""
    [ -z "${3:-}" ] || resize="(until grep -q precopy '$2'; do sleep 0.1;
done; sleep $3; stty cols $4 </dev/tty) &"
    script -qfec "stty cols $1 rows 24; $resize '$T' --sim --sim-mem 64 \
--bandwidth 24 -s '' g1 \"'$T' --receive --sim\"" /dev/null \
        >"$2" </dev/null || { cat -v "$2" >&2; fail "migration failed"; }
}

# bars FILE: each redraw of the bar, "LINE LENGTH TEXT", escapes gone
bars() {
    sed 's/\x1b\[K//g' "$1" | awk '{
        n = split($0, seg, "\r")
        for (i = 1; i <= n; i++)
            if (seg[i] ~ /^(precopy|switchover|done) / && seg[i] ~ /%/)
                print NR, length(seg[i]), seg[i]
    }'
}

# check FILE COLS: every redraw fits, and the pre-copy's are on one line
check() {
    local f=$1 cols=$2 n
    bars "$f" >"$f.bars"
    n=$(grep -c " precopy " "$f.bars" || true)
    [ "$n" -ge 3 ] || { cat -v "$f" >&2; fail "$cols: $n redraws only"; }
    awk -v c="$cols" '$2 > c - 1 { print; bad = 1 } END { exit bad }' \
        "$f.bars" || fail "$cols columns: a redraw wider than the terminal"
    [ "$(grep " precopy " "$f.bars" | cut -d' ' -f1 | sort -u | wc -l)" \
        = 1 ] || { cat "$f.bars" >&2; fail "$cols: redraws scrolled"; }
    # the receiver's line: its own, not the bar's tail
    sed 's/\x1b\[K//g' "$f" | tr '\r' '\n' | grep "is running here" |
        grep -q "^xl-migrate-drbd receive: g1 is running here" ||
        { cat -v "$f" >&2; fail "$cols: receiver wrote over the bar"; }
}

tty 60 "$WORK/t60"
check "$WORK/t60" 60
tty 200 "$WORK/t200"
check "$WORK/t200" 200
# wide enough: nothing left out
grep " precopy " "$WORK/t200.bars" | tail -1 | grep -q "ETA .* dirty .* thr " ||
    fail "200 columns: fields left out"

# resized while running: wide first, then within the new width
tty 200 "$WORK/tr" 0.5 60
bars "$WORK/tr" >"$WORK/tr.bars"
awk '$2 > 60 { wide = 1 } END { exit !wide }' "$WORK/tr.bars" ||
    fail "resize: never drawn wide"
tail -2 "$WORK/tr.bars" | awk '$2 > 59 { print; bad = 1 } END { exit bad }' ||
    fail "resize: not followed"
echo "PASS: progress bar fits the terminal"
