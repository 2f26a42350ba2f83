# The destination may be named by an address of a dedicated migration
# network, user@host, or through xlmig.conf's migration_address; the
# host that answers must be a DRBD peer of every resource of the guest,
# else the pre-check refuses, saying which and why. Hosts answer through
# a fake ssh that runs the receiver here under the host's name.
. "$(dirname "$0")/lib.sh"
set -e
SSH=$(cd "$(dirname "$0")" && pwd)/fake-ssh
# xen2 answers only on the migration network; xen3 by name and address.
export FAKE_SSH_HOSTS="10.0.0.2=xen2 10.0.0.9=xen3 xen3=xen3"
export FAKE_SSH_LOG=$WORK/ssh.log
export XLMIG_STATE_DIR=$WORK/state
export XLMIG_CONF=$WORK/xlmig.conf
: > "$XLMIG_CONF"
DRBD="r0:xen2 r1:xen2"
mig() { sim_migrate "$WORK/out" "$WORK/err" -- --sim-mem 16 \
    --sim-profile idle --sim-drbd "$DRBD" -s "$SSH" \
    --receiver-cmd "$T --receive --sim" "$@"; }
last_ssh() { tail -1 "$FAKE_SSH_LOG"; }

# By address, nothing configured: the peer's own name says it is xen2.
mig g1 10.0.0.2
assert_rc 0
[ "$(json_get "$WORK/out" outcome)" = migrated ] || fail "not migrated"
[ "$(json_get "$WORK/out" dest)" = xen2 ] || fail "report dest not xen2"
# what it learned is xen2's, however it was reached
[ -s "$XLMIG_STATE_DIR/switchover/xen2" ] ||
    fail "switchover not recorded under the DRBD peer's name"
[ ! -e "$XLMIG_STATE_DIR/switchover/10.0.0.2" ] ||
    fail "switchover recorded under the address"

# user@address works the same; ssh gets it as typed.
mig g1 root@10.0.0.2
assert_rc 0
[ "$(last_ssh)" = root@10.0.0.2 ] || fail "ssh got $(last_ssh)"
[ "$(wc -l < "$XLMIG_STATE_DIR/switchover/xen2")" = 2 ] ||
    fail "second switchover not in xen2's history"

# The DRBD name with a migration_address: reached over that address.
printf 'migration_address.xen2 = 10.0.0.2\n' > "$XLMIG_CONF"
mig g1 xen2
assert_rc 0
[ "$(json_get "$WORK/out" outcome)" = migrated ] || fail "not migrated"
[ "$(last_ssh)" = 10.0.0.2 ] || fail "reached $(last_ssh), not 10.0.0.2"
mig g1 root@xen2
assert_rc 0
[ "$(last_ssh)" = root@10.0.0.2 ] || fail "reached $(last_ssh)"

# A host that is no DRBD peer of the guest: refused at the pre-check.
: > "$XLMIG_CONF"
why="destination 10.0.0.9 calls itself xen3, which is not a DRBD peer"
why="$why of r0 (peers: xen2)"
mig g1 10.0.0.9
assert_rc 1
[ "$(json_get "$WORK/out" outcome)" = refused ] || fail "not refused"
[ "$(json_get "$WORK/out" guest_on_source)" = true ] ||
    fail "guest not on source"
assert_one_line_error "$WORK/err" "pre-check failed on dest: drbd-peer: $why"
[ ! -e "$XLMIG_STATE_DIR/switchover/xen3" ] || fail "xen3 learned something"
# named by its own name, the reason is as plain
mig g1 xen3
assert_rc 1
assert_one_line_error "$WORK/err" "drbd-peer: destination xen3 is not a DRBD peer of r0"

# --dry-run says the same, as a failed check row, in text and JSON.
set +e
"$T" --sim --sim-mem 16 --sim-drbd "$DRBD" -s "$SSH" \
    --receiver-cmd "$T --receive --sim" --dry-run g1 10.0.0.9 \
    > "$WORK/dry" 2> "$WORK/dryerr"
RC=$?
set -e
assert_rc 1
assert_grep "FAIL  dest    drbd-peer  *$why" "$WORK/dry"
assert_grep "pass  dest    reachable  *xen3 answered" "$WORK/dry"
assert_one_line_error "$WORK/dryerr" "dry run: dest check drbd-peer failed: $why"
mig --dry-run g1 10.0.0.9
assert_rc 1
[ "$(json_get "$WORK/out" outcome)" = refused ] || fail "dry run not refused"
json_get "$WORK/out" message | grep -q -- "drbd-peer failed: $why" ||
    fail "JSON message: $(json_get "$WORK/out" message)"
# and passes, saying who it is, for the right host
set +e
"$T" --sim --sim-mem 16 --sim-drbd "$DRBD" -s "$SSH" \
    --receiver-cmd "$T --receive --sim" --dry-run g1 10.0.0.2 > "$WORK/dry" 2>&1
RC=$?
set -e
assert_rc 0
assert_grep "pass  dest    drbd-peer  *destination 10.0.0.2 is xen2, the DRBD peer of r0, r1" "$WORK/dry"

# Every resource counts: one replicating elsewhere refuses the move.
DRBD="r0:xen2 r1:xen3" mig g1 10.0.0.2
assert_rc 1
assert_one_line_error "$WORK/err" "calls itself xen2, which is not a DRBD peer of r1 (peers: xen3)"

# A migration_address that reaches another host: refused, naming it.
printf 'migration_address.xen2 = 10.0.0.9\n' > "$XLMIG_CONF"
mig g1 xen2
assert_rc 1
assert_one_line_error "$WORK/err" "destination xen2 calls itself xen3, but xlmig.conf gives 10.0.0.9 as the migration_address of xen2"
[ "$(last_ssh)" = 10.0.0.9 ] || fail "reached $(last_ssh)"

# recover reaches a peer over its migration_address too: xen2's inspect
# (a simulated host here) answers only on 10.0.0.2.
mkdir -p "$WORK/h1" "$WORK/h2" "$WORK/bin"
echo running > "$WORK/h1/g1"
printf '#!/bin/sh\nexec "%s" "$@" --sim --sim-host-dir "%s"\n' "$T" \
    "$WORK/h2" > "$WORK/bin/xl-migrate-drbd"
chmod +x "$WORK/bin/xl-migrate-drbd"
printf 'migration_address.xen2 = 10.0.0.2\n' > "$XLMIG_CONF"
set +e
PATH=$WORK/bin:$PATH "$T" recover --sim --sim-host-dir "$WORK/h1" \
    -s "$SSH" g1 xen2 > "$WORK/rec" 2>&1
RC=$?
set -e
assert_rc 0
[ "$(last_ssh)" = 10.0.0.2 ] || fail "recover reached $(last_ssh)"
assert_grep "nothing to do" "$WORK/rec"

# An evacuation migrates to the DRBD peer it planned, which must answer
# as that peer: its journal and what was learned name xen2.
: > "$XLMIG_CONF"
S=$WORK/hosts
mkdir -p "$S/xen1/guests" "$S/xen2/guests"
echo "mem_mib = 1024" > "$S/xen1/host.conf"
echo "mem_mib = 1024" > "$S/xen2/host.conf"
printf 'name = e1\nmem_mib = 16\nprofile = idle\ndrbd = r0:xen2 r1:xen2\n' \
    > "$S/xen1/guests/e1.conf"
rm -rf "$XLMIG_STATE_DIR"
"$T" evacuate --sim-state "$S" --sim-host xen1 > "$WORK/evac" 2>&1 ||
    { cat "$WORK/evac" >&2; fail "evacuation failed"; }
assert_grep "e1 -> xen2: moved" "$WORK/evac"
grep -q '"dest": *"xen2"' "$S"/xen1/journal/evac-*.json ||
    fail "journal does not name xen2"
[ -s "$XLMIG_STATE_DIR/switchover/xen2" ] ||
    fail "evacuation's switchover not learned under xen2"

# A bad migration_address: one line naming file, line and key.
printf '\nmigration_address.xen2 = 10.0.0.2;reboot\n' > "$XLMIG_CONF"
mig g1 xen2
assert_rc 1
assert_one_line_error "$WORK/err" "xlmig.conf:2: migration_address.xen2: \"10.0.0.2;reboot\" is not \[user@\]host"
echo "ok: migration addresses and the DRBD peer check"
