# Test hooks exist only in the test build. The production tool (the
# one `make` and `make install` build) ignores XLMIG_FAULT and the
# other overrides, and has no system() or popen() to run anything with;
# the test build ($XLMIG_TOOL) still honours them.
. "$(dirname "$0")/lib.sh"
set -e
# The production build beside the test build: build/test -> build/normal,
# build/asan-test -> build/asan, unless XLMIG_PROD_TOOL names it.
P=${XLMIG_PROD_TOOL:-}
if [ -z "$P" ]; then
    d=$(cd "$(dirname "$T")" && pwd)
    case $d in
    */build/test) P=${d%/test}/normal/xl-migrate-drbd ;;
    */build/asan-test) P=${d%/asan-test}/asan/xl-migrate-drbd ;;
    esac
fi
[ -n "$P" ] && [ -x "$P" ] ||
    fail "no production build found (set XLMIG_PROD_TOOL; make all)"
[ "$P" != "$T" ] || fail "XLMIG_PROD_TOOL is the test build itself"

# 1. No shell to run: neither system() nor popen() is linked in.
undef() { nm -D --undefined-only "$1" | awk '{ print $NF }' |
              sed 's/@.*//'; }
bad=$(undef "$P" | grep -xE 'system|popen' || true)
[ -z "$bad" ] || fail "production build links $bad"
# ... and the check can see it where it is (the test build's drbd fault).
undef "$T" | grep -qx system || fail "nm does not show system() in $T"

# 2. XLMIG_FAULT: the test build fails as told, the production one
#    migrates as if it were unset.
for tool in "$T" "$P"; do
    set +e
    XLMIG_FAULT=source:precopy:error "$tool" --sim --json --sim-mem 8 \
        --sim-profile idle -s "" g1 "$tool --receive --sim" \
        >"$WORK/out" 2>"$WORK/err"
    RC=$?
    set -e
    echo "$tool with XLMIG_FAULT: exit $RC"
    if [ "$tool" = "$T" ]; then
        assert_rc 1
        assert_grep "injected fault" "$WORK/err"
    else
        assert_rc 0
        [ "$(json_get "$WORK/out" outcome)" = migrated ] ||
            fail "production build did not migrate"
        ! grep -q "injected" "$WORK/err" ||
            fail "production build injected a fault"
    fi
done

# 2b. XLMIG_TEST_DATAPATH=wrong-key: the production build proves the
#     right key and migrates.
set +e
XLMIG_TEST_DATAPATH=wrong-key "$P" --sim --json --sim-mem 8 \
    --sim-profile idle -s "" g1 "$P --receive --sim" >"$WORK/out" 2>"$WORK/err"
RC=$?
set -e
assert_rc 0
[ "$(json_get "$WORK/out" transport)" = tls ] || fail "production: not tls"

# 3. XLMIG_SIM_STATE/XLMIG_SIM_HOST name a simulated host for the test
#    build only; the production build looks at the real host instead.
mkdir -p "$WORK/root/xen1/guests"
echo "mem_mib = 1024" >"$WORK/root/xen1/host.conf"
XLMIG_SIM_STATE=$WORK/root XLMIG_SIM_HOST=xen1 "$T" status \
    >"$WORK/st.t" 2>&1 || { cat "$WORK/st.t"; fail "test build status"; }
assert_grep "^host xen1: 1024 MiB free" "$WORK/st.t"
set +e
XLMIG_SIM_STATE=$WORK/root XLMIG_SIM_HOST=xen1 "$P" status \
    >"$WORK/st.p" 2>&1
set -e
! grep -q "host xen1: 1024 MiB" "$WORK/st.p" ||
    fail "production build read XLMIG_SIM_STATE"
echo "production status: $(head -1 "$WORK/st.p")"

# 4. The build says which it is.
"$T" --version | grep -q "test build" || fail "test build unmarked"
! "$P" --version | grep -q "test build" || fail "production build marked"
echo "ok"
