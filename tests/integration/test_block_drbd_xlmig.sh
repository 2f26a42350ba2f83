# The hotplug script's logic, against fake drbdadm/drbdsetup/xenstore
# commands: the split-brain guard, migration tokens and their expiry,
# targets, idempotence, remove.
# xlmig-test: no-tool
. "$(dirname "$0")/lib.sh"
set -e
here=$(cd "$(dirname "$0")" && pwd)
src=$here/../../drbd-block-script/block-drbd-xlmig

# Lay out a scripts dir like /etc/xen/scripts, with the stand-in
# block-common.sh, and put the fakes first on PATH.
mkdir -p "$WORK/scripts" "$WORK/bin" "$WORK/tokens"
cp "$src" "$WORK/scripts/"
cp "$here/fake-xen/block-common.sh" "$WORK/scripts/"
cp "$here/fake-xen/xenstore-read" "$here/fake-xen/xenstore-write" \
   "$here/fake-xen/logger" "$here/fake-xen/drbdadm" \
   "$here/fake-xen/drbdsetup" "$WORK/bin/"
export PATH=$WORK/bin:$PATH
export FAKE_XS=$WORK/xs FAKE_DRBD=$WORK/drbd
export XLMIG_TOKEN_DIR=$WORK/tokens
export XENBUS_PATH=backend/vbd/7/51712
UUID=4b0d3c6e-3a7c-4b8e-9d7c-0f3e2a1b5c6d
SCRIPT=$WORK/scripts/block-drbd-xlmig

# reset ROLE PEER [PARAMS]: fresh xenstore and DRBD state for r0.
reset() {
    rm -rf "$FAKE_XS" "$FAKE_DRBD"
    mkdir -p "$FAKE_DRBD"
    echo "$1" > "$FAKE_DRBD/r0.role"
    echo "$2" > "$FAKE_DRBD/r0.peer"
    echo 0 > "$FAKE_DRBD/r0.minor"
    echo no > "$FAKE_DRBD/r0.two"
    : > "$FAKE_DRBD/calls"
    xenstore-write "$XENBUS_PATH/params" "${3-r0}" \
        "$XENBUS_PATH/frontend-id" 7 \
        /local/domain/7/vm "/vm/$UUID" /local/domain/7/name web01
}

run() {
    set +e
    bash "$SCRIPT" "$1" >"$WORK/out" 2>&1
    RC=$?
    set -e
}

xs() { xenstore-read "$XENBUS_PATH/$1" 2>/dev/null || true; }
role() { cat "$FAKE_DRBD/r0.role"; }
token() { # token EXPIRES [UUID] [RES]
    printf 'domain=web01\nuuid=%s\nresource=%s\nexpires=%s\n' \
        "${2:-$UUID}" "${3-r0}" "$1" > "$WORK/tokens/${2:-$UUID}.${3:-r0}"
}
now=$(date +%s)

echo "1. peer Primary, no token: refused, nothing promoted"
reset Secondary Primary
run add
assert_rc 1
xs hotplug-error | grep -q "peer is Primary" ||
    fail "hotplug-error: $(xs hotplug-error)"
xs hotplug-error | grep -q "web01" || fail "refusal does not name the domain"
[ "$(xs hotplug-status)" = error ] || fail "hotplug-status not error"
[ -z "$(xs physical-device)" ] || fail "physical-device written"
[ "$(role)" = Secondary ] || fail "role changed to $(role)"
! grep -q "drbdadm primary" "$FAKE_DRBD/calls" || fail "primary was run"
grep -q "refusing r0" "$FAKE_DRBD/syslog" || fail "refusal not logged"

echo "2. peer Primary, valid token: promoted (window open)"
reset Secondary Primary
echo yes > "$FAKE_DRBD/r0.two"
token $((now + 300))
run add
assert_rc 0
[ "$(role)" = Primary ] || fail "not promoted"
[ "$(xs physical-device)" = 93:0 ] || fail "physical-device $(xs physical-device)"
[ "$(xs physical-device-path)" = /dev/drbd0 ] || fail "physical-device-path"
[ "$(xs hotplug-status)" = connected ] || fail "hotplug-status"
grep -q "token for web01" "$FAKE_DRBD/syslog" || fail "token use not logged"

echo "3. add again: idempotent, no DRBD call"
: > "$FAKE_DRBD/calls"
run add
assert_rc 0
[ ! -s "$FAKE_DRBD/calls" ] || fail "second add ran: $(cat "$FAKE_DRBD/calls")"

echo "4. pre-promoted by the receiver: add only checks and writes"
reset Primary Primary
token $((now + 300))
run add
assert_rc 0
! grep -q "drbdadm primary" "$FAKE_DRBD/calls" || fail "primary run again"
[ "$(xs physical-device)" = 93:0 ] || fail "physical-device"

echo "5. expired token: refused, and the stale token removed"
reset Secondary Primary
echo yes > "$FAKE_DRBD/r0.two"
token $((now - 1))
run add
assert_rc 1
[ "$(role)" = Secondary ] || fail "promoted on an expired token"
[ ! -e "$WORK/tokens/$UUID.r0" ] || fail "expired token left behind"
grep -q "expired" "$FAKE_DRBD/syslog" || fail "expiry not logged"

echo "6. token for another domain, or a garbled one: refused"
reset Secondary Primary
token $((now + 300)) 11111111-2222-3333-4444-555555555555
run add
assert_rc 1
reset Secondary Primary
printf 'uuid=%s\nresource=r0\nexpires=soon\n' "$UUID" \
    > "$WORK/tokens/$UUID.r0"
run add
assert_rc 1
[ ! -e "$WORK/tokens/$UUID.r0" ] || fail "unreadable token left behind"
reset Secondary Primary
printf 'uuid=%s\nresource=r1\nexpires=%s\n' "$UUID" $((now + 300)) \
    > "$WORK/tokens/$UUID.r0"
run add
assert_rc 1

echo "7. peer Secondary: promoted without a token"
reset Secondary Secondary
run add
assert_rc 0
[ "$(role)" = Primary ] || fail "not promoted"

echo "8. peer disconnected: promoted, with a warning"
reset Secondary Unknown
run add
assert_rc 0
grep -q "peer not connected" "$FAKE_DRBD/syslog" || fail "no warning"

echo "9. targets: drbd:r0, /dev/drbd0, /dev/drbd/by-res/r0/0"
for p in drbd:r0 /dev/drbd0 /dev/drbd/by-res/r0/0; do
    reset Secondary Secondary "$p"
    run add
    assert_rc 0
    [ "$(role)" = Primary ] || fail "$p: not promoted"
done
for p in 'r0;reboot' /dev/drbd9 '../r0' ''; do
    echo "   bad target: $p"
    reset Secondary Secondary "$p"
    run add
    assert_rc 1
    [ "$(role)" = Secondary ] || fail "$p: promoted"
done

echo "10. unexpected drbdadm output: refused, naming it"
reset Secondary Secondary
echo "Primary?Secondary" > "$FAKE_DRBD/bad-role-output"
run add
assert_rc 1
xs hotplug-error | grep -q "unexpected output" || fail "$(xs hotplug-error)"
reset Secondary Secondary
rm -f "$FAKE_DRBD/r0.role"
run add
assert_rc 1
xs hotplug-error | grep -q "drbdadm role r0 failed" || fail "$(xs hotplug-error)"

echo "11. DRBD 9 (role without peer): guard reads drbdsetup status"
reset Secondary Primary
touch "$FAKE_DRBD/v9"
run add
assert_rc 1
[ "$(role)" = Secondary ] || fail "promoted next to a Primary peer"
reset Secondary Secondary
touch "$FAKE_DRBD/v9"
run add
assert_rc 0

echo "12. remove demotes, idempotently, and never fails"
reset Primary Secondary
run remove
assert_rc 0
[ "$(role)" = Secondary ] || fail "not demoted"
: > "$FAKE_DRBD/calls"
run remove
assert_rc 0
! grep -q "drbdadm secondary" "$FAKE_DRBD/calls" || fail "demoted twice"
reset Primary Secondary "not a resource!"
run remove
assert_rc 0

echo "13. the promotion itself fails: add fails with DRBD's reason"
reset Secondary Primary
token $((now + 300))
run add
assert_rc 1
xs hotplug-error | grep -q "Multiple primaries" || fail "$(xs hotplug-error)"

echo "14. DRBD 9, three nodes: every peer connection counts"
# peer3 ROLE|none: a third node's role, or not connected
three() {
    reset Secondary "$1"
    touch "$FAKE_DRBD/v9"
    echo "$2" > "$FAKE_DRBD/r0.peer3"
}
three Secondary Primary                  # the third node runs the guest
run add
assert_rc 1
[ "$(role)" = Secondary ] || fail "promoted next to a Primary third node"
xs hotplug-error | grep -q "1 of its 2 peers is Primary" ||
    fail "hotplug-error: $(xs hotplug-error)"
three Secondary Primary                  # a token does not cover it
token $((now + 300))
run add
assert_rc 1
[ "$(role)" = Secondary ] || fail "a token let a third Primary through"
three Primary Primary
token $((now + 300))
run add
assert_rc 1
xs hotplug-error | grep -q "2 of its 2 peers are Primary" ||
    fail "hotplug-error: $(xs hotplug-error)"
three Secondary Secondary
run add
assert_rc 0
[ "$(role)" = Primary ] || fail "not promoted beside two Secondaries"
three Secondary none
run add
assert_rc 0
grep -q "peer not connected" "$FAKE_DRBD/syslog" || fail "no warning"

echo "15. forged or malformed tokens: refused, and removed"
# forge NAME CONTENT: the token file holds exactly CONTENT
forge() {
    echo "   $1"
    reset Secondary Primary
    echo yes > "$FAKE_DRBD/r0.two"
    printf '%b' "$2" > "$WORK/tokens/$UUID.r0"
    run add
    assert_rc 1
    [ "$(role)" = Secondary ] || fail "$1: promoted"
    [ ! -e "$WORK/tokens/$UUID.r0" ] || fail "$1: token left behind"
}
# what the old writer made of the name "web01\nexpires=<later>": the
# expired token extended by a second expires line ahead of the real one
forge "domain name with a newline" \
    "domain=web01\nexpires=$((now + 3000))\nuuid=$UUID\nresource=r0\n$(
    )expires=$((now - 1))\n"
forge "duplicate uuid" \
    "domain=web01\nuuid=$UUID\nuuid=$UUID\nresource=r0\nexpires=$((now + 300))\n"
forge "unknown key" \
    "domain=web01\nuuid=$UUID\nresource=r0\nexpires=$((now + 300))\nowner=me\n"
forge "no domain" \
    "uuid=$UUID\nresource=r0\nexpires=$((now + 300))\nexpires=$((now + 300))\n"
forge "last line without newline" \
    "domain=web01\nuuid=$UUID\nresource=r0\nexpires=$((now + 300))"
forge "an escape sequence" \
    "domain=web\033[2J01\nuuid=$UUID\nresource=r0\nexpires=$((now + 300))\n"
forge "keys out of order" \
    "uuid=$UUID\ndomain=web01\nresource=r0\nexpires=$((now + 300))\n"
forge "an expiry with a leading zero" \
    "domain=web01\nuuid=$UUID\nresource=r0\nexpires=0$((now + 300))\n"
forge "an expiry ten days ahead" \
    "domain=web01\nuuid=$UUID\nresource=r0\nexpires=$((now + 864000))\n"
forge "an expiry past any integer" \
    "domain=web01\nuuid=$UUID\nresource=r0\nexpires=99999999999999999999999\n"
reset Secondary Primary                   # and the real thing still works
echo yes > "$FAKE_DRBD/r0.two"
token $((now + 300))
run add
assert_rc 0
[ "$(role)" = Primary ] || fail "a valid token refused"

echo "16. prepared by the receiver: the fast path, no DRBD command"
# prepared ROLE: token, the receiver's .ready, /proc/drbd saying ROLE
prepared() {
    reset "$1" Primary
    token $((now + 300))
    echo dev=/dev/drbd0 > "$WORK/tokens/$UUID.r0.ready"
    printf 'version: 8.4.11 (api:1/proto:86-101)\n 0: cs:Connected %s\n' \
        "ro:$1/Primary ds:UpToDate/UpToDate C r-----" > "$XLMIG_PROC_DRBD"
    rm -f "$WORK/tokens/$UUID.r0.took"
}
export XLMIG_PROC_DRBD=$WORK/proc-drbd
prepared Primary
run add
assert_rc 0
[ ! -s "$FAKE_DRBD/calls" ] || fail "fast path ran: $(cat "$FAKE_DRBD/calls")"
[ "$(xs physical-device)" = 93:0 ] || fail "physical-device $(xs physical-device)"
[ "$(xs physical-device-path)" = /dev/drbd0 ] || fail "physical-device-path"
[ "$(xs hotplug-status)" = connected ] || fail "hotplug-status"
grep -q '^add fast [0-9.]* [0-9.]*$' "$WORK/tokens/$UUID.r0.took" ||
    fail "no timing: $(cat "$WORK/tokens/$UUID.r0.took" 2>&1)"
grep -q "prepared by the migration of web01" "$WORK/out" || fail "not said"

echo "17. prepared, but not Primary here or not for us: the full path"
prepared Secondary
echo yes > "$FAKE_DRBD/r0.two"
run add
assert_rc 0
grep -q "drbdadm primary" "$FAKE_DRBD/calls" || fail "full path not taken"
grep -q '^add full ' "$WORK/tokens/$UUID.r0.took" || fail "no full timing"
prepared Primary
token $((now + 300)) 11111111-2222-3333-4444-555555555555
echo dev=/dev/drbd0 > "$WORK/tokens/11111111-2222-3333-4444-555555555555.r0.ready"
rm -f "$WORK/tokens/$UUID.r0"
run add
assert_rc 1
[ -z "$(xs physical-device)" ] || fail "another domain's token let it through"
for bad in "dev=/dev/drbd0 x" "dev=/dev/sda" "dev=/dev/drbd01" "dev="; do
    prepared Primary
    printf '%s\n' "$bad" > "$WORK/tokens/$UUID.r0.ready"
    run add
    assert_rc 0
    grep -q "drbdadm role" "$FAKE_DRBD/calls" ||
        fail "'$bad' taken for a prepared device"
done
prepared Primary
printf 'domain=web01\nuuid=%s\nresource=r0\nexpires=%s\n\0junk' "$UUID" \
    $((now + 300)) > "$WORK/tokens/$UUID.r0"
run add
grep -q "drbdadm role" "$FAKE_DRBD/calls" || fail "a NUL in the token passed"

echo "block-drbd-xlmig: all cases passed"
