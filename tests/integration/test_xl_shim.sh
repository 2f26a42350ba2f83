# The `xl` dispatch shim, both ways, installed and removed by the
# make targets into a staged tree holding a fake xl.
. "$(dirname "$0")/lib.sh"
set -e
top=$(cd "$(dirname "$0")/../.." && pwd)
D=$WORK/root
mkdir -p "$D/usr/sbin"
cat >"$D/usr/sbin/xl" <<'XL'
#!/bin/sh
echo "real xl: $# args: $*" ; echo "env FOO=$FOO"
exit 7
XL
chmod +x "$D/usr/sbin/xl"
make -s -C "$top" install-xl-shim DESTDIR="$D" BUILD="$(dirname "$T")" \
    TOOL="$T" >/dev/null
[ -x "$D/usr/sbin/xl.distrib" ] || fail "real xl not moved aside"
grep -q "xlmig dispatch shim" "$D/usr/sbin/xl" || fail "shim not installed"
export XL_SHIM_REAL=$D/usr/sbin/xl.distrib XL_SHIM_TOOL=$T
# everything else: the real xl, same args, env, exit code
set +e; FOO=bar "$D/usr/sbin/xl" -v list 'a b' >"$WORK/out"; RC=$?; set -e
assert_rc 7
assert_grep "real xl: 3 args: -v list a b" "$WORK/out"
assert_grep "env FOO=bar" "$WORK/out"
set +e; "$D/usr/sbin/xl" >"$WORK/out"; RC=$?; set -e
assert_rc 7; assert_grep "real xl: 0 args" "$WORK/out"
# migrate-drbd: our tool (a simulated migration), its exit code
"$D/usr/sbin/xl" migrate-drbd --sim --sim-mem 16 -q -s "" g1 \
    "$T --receive --sim -q" >"$WORK/out" 2>&1 || { cat "$WORK/out";
    fail "xl migrate-drbd did not migrate"; }
set +e; "$D/usr/sbin/xl" -N migrate-drbd --bogus 2>"$WORK/err"; RC=$?; set -e
assert_rc 1; assert_one_line_error "$WORK/err" "unknown option --bogus"
"$D/usr/sbin/xl" migrate-drbd --help | grep -q "^Usage: xl-migrate-drbd" ||
    fail "help not ours"
make -s -C "$top" install-xl-shim DESTDIR="$D" BUILD="$(dirname "$T")" \
    TOOL="$T" | grep -q "already installed" || fail "second install"
make -s -C "$top" uninstall-xl-shim DESTDIR="$D" >/dev/null
[ ! -e "$D/usr/sbin/xl.distrib" ] || fail "xl.distrib left"
grep -q "real xl" "$D/usr/sbin/xl" || fail "real xl not restored"
