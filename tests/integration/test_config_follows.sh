# The guest's xl config file and its autostart link follow it: after a
# commit the destination has both and the source's link is gone; a
# failure on either side before the commit leaves both hosts as they
# were; --no-move-config moves nothing. Simulated hosts' /etc/xen are
# directories named by XLMIG_XEN_DIR.
. "$(dirname "$0")/lib.sh"
set -e
A=$WORK/a B=$WORK/b
mkdir -p "$A/auto" "$B/auto"
printf 'name = "g1"\nmemory = 128\nvcpus = 1\n' >"$A/g1.cfg"
ln -s ../g1.cfg "$A/auto/g1.cfg"
# The destination's own, older copy, and another guest's link.
printf 'name = "g1"\nmemory = 64\n' >"$B/g1.cfg"
printf 'name = "other"\n' >"$B/other.cfg"
ln -s ../other.cfg "$B/auto/other.cfg"

move() { # move OUT ERR [options...] GUEST: a simulated move A -> B
    local out=$1 err=$2; shift 2
    set +e
    XLMIG_XEN_DIR=$A "$T" --sim --json --sim-mem 16 --sim-profile idle \
        "${@:1:$#-1}" -s "" "${@: -1}" "XLMIG_XEN_DIR=$B $T --receive --sim" \
        >"$out" 2>"$err"
    RC=$?
    set -e
}
snapshot() { # every file, link target and content under a directory
    (cd "$1" && find . -printf '%p %y %l\n' | sort &&
        find . -type f | sort | xargs cat)
}
snapshot "$A" >"$WORK/a0"
snapshot "$B" >"$WORK/b0"

# The dry run says what would move, on both sides, and moves nothing.
set +e
XLMIG_XEN_DIR=$A "$T" --sim --sim-mem 16 --dry-run -s "" g1 \
    "XLMIG_XEN_DIR=$B $T --receive --sim" >"$WORK/o" 2>"$WORK/e"
RC=$?
set -e
assert_rc 0
assert_grep "pass  source  config .*a/g1.cfg, .*a/auto/g1.cfg (a link)" \
    "$WORK/o"
assert_grep "pass  dest    config .*b/g1.cfg, .*b/auto/g1.cfg (a link);"`
    `" replaces what is there now" "$WORK/o"

# A failure before the commit, on each side, after the destination
# staged its copy: both hosts exactly as they were, no temporaries.
for f in dest:switchover:error source:go:error dest:commit:error; do
    XLMIG_FAULT=$f move "$WORK/o" "$WORK/e" g1
    [ "$RC" != 0 ] || fail "$f: migrated"
    snapshot "$A" | cmp -s - "$WORK/a0" || fail "$f: source dir changed"
    snapshot "$B" | cmp -s - "$WORK/b0" || fail "$f: destination changed"
done

# Where the destination cannot put the file (a directory is in the
# way), its pre-check refuses, with the reason, before anything moves.
printf 'name = "g2"\n' >"$A/g2.cfg"
mkdir "$B/g2.cfg"
move "$WORK/o" "$WORK/e" g2
assert_rc 1
[ "$(json_get "$WORK/o" outcome)" = refused ] || fail "g2 not refused"
assert_one_line_error "$WORK/e" "config: .*g2.cfg exists and is a directory"
rmdir "$B/g2.cfg"
rm "$A/g2.cfg"

# --no-move-config: the guest moves, its files stay.
move "$WORK/o" "$WORK/e" --no-move-config g1
assert_rc 0
snapshot "$A" | cmp -s - "$WORK/a0" || fail "no-move-config: source changed"
snapshot "$B" | cmp -s - "$WORK/b0" || fail "no-move-config: dest changed"

# The commit: the destination has the source's file and the same link,
# the source keeps its file but not its autostart link.
move "$WORK/o" "$WORK/e" g1
assert_rc 0
[ "$(json_get "$WORK/o" outcome)" = migrated ] || fail "not migrated"
cmp -s "$A/g1.cfg" "$B/g1.cfg" || fail "destination config differs"
[ "$(readlink "$B/auto/g1.cfg")" = ../g1.cfg ] ||
    fail "destination autostart link: $(ls -l "$B/auto")"
[ -L "$B/auto/other.cfg" ] || fail "another guest's link went"
[ ! -e "$A/auto/g1.cfg" ] && [ ! -L "$A/auto/g1.cfg" ] ||
    fail "source autostart link still there"
[ -f "$A/g1.cfg" ] || fail "source config file removed"
[ -z "$(find "$A" "$B" -name '.*xlmig*')" ] || fail "temporaries left"

# An autostart entry that is a file of its own (no <name>.cfg) goes as
# a copy; a file naming another guest is not the guest's.
printf '# g3\nname = "g3"\n' >"$A/auto/g3"
printf 'name = "someone-else"\n' >"$A/g3.cfg"
move "$WORK/o" "$WORK/e" g3
assert_rc 0
[ -f "$B/auto/g3" ] && [ ! -L "$B/auto/g3" ] || fail "copy not a file"
cmp -s "$B/auto/g3" <(printf '# g3\nname = "g3"\n') || fail "copy differs"
[ ! -e "$B/g3.cfg" ] || fail "another guest's config was carried"
[ ! -e "$A/auto/g3" ] || fail "source autostart copy still there"
echo "config and autostart link followed the guest; rollbacks left both"
