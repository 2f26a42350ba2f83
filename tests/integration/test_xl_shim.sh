# The `xl` dispatch shim, both ways, installed and removed by the
# make targets into a staged tree holding a fake xl laid out as Debian's:
# /usr/sbin/xl a relative link to a wrapper that runs the tool named by
# the basename of the path it was started by.
. "$(dirname "$0")/lib.sh"
set -e
top=$(cd "$(dirname "$0")/../.." && pwd)
D=$WORK/root
mkdir -p "$D/usr/sbin" "$D/usr/lib/xen-common/bin"
cat >"$D/usr/lib/xen-common/bin/xen-utils-wrapper" <<'XL'
#!/bin/sh
[ "${0##*/}" = xl ] || { echo "no tool ${0##*/}" >&2; exit 127; }
echo "real xl: $# args: $*" ; echo "env FOO=$FOO"
exit 7
XL
chmod +x "$D/usr/lib/xen-common/bin/xen-utils-wrapper"
ln -s ../lib/xen-common/bin/xen-utils-wrapper "$D/usr/sbin/xl"
make -s -C "$top" install-xl-shim DESTDIR="$D" BUILD="$(dirname "$T")" \
    TOOL="$T" >/dev/null
[ -x "$D/usr/sbin/xl.distrib" ] || fail "real xl not moved aside"
[ -x "$D/usr/lib/xlmig/xl" ] || fail "no link named xl to the real xl"
grep -q "xlmig dispatch shim" "$D/usr/sbin/xl" || fail "shim not installed"
grep -q "^real=.*/usr/lib/xlmig/xl}" "$D/usr/sbin/xl" ||
    fail "shim does not run the real xl by its own name"
export XL_SHIM_REAL=$D/usr/lib/xlmig/xl XL_SHIM_TOOL=$T
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
assert_rc 2; assert_one_line_error "$WORK/err" "unknown option --bogus"
"$D/usr/sbin/xl" migrate-drbd --help | grep -q "^Usage: xl-migrate-drbd" ||
    fail "help not ours"
make -s -C "$top" install-xl-shim DESTDIR="$D" BUILD="$(dirname "$T")" \
    TOOL="$T" | grep -q "already installed" || fail "second install"
make -s -C "$top" uninstall-xl-shim DESTDIR="$D" >/dev/null
[ ! -e "$D/usr/sbin/xl.distrib" ] || fail "xl.distrib left"
[ ! -e "$D/usr/lib/xlmig" ] || fail "/usr/lib/xlmig left"
[ -L "$D/usr/sbin/xl" ] && grep -q "real xl" "$D/usr/sbin/xl" ||
    fail "real xl not restored"
