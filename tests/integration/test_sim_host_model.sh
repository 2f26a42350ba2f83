# One model of a simulated host: a migration between two --sim-state
# hosts keeps their guest lists itself (no evacuate or return around
# it). The source lists the guest until it destroys it; the receiver
# lists it, with its profile and DRBD resources as given to it, once it
# runs; status on each host agrees. A refused migration changes nothing,
# and a host's own state names are not domain names.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/evac_lib.sh"
set -e
sim_host xen1 1024; sim_host xen2 1024
sim_guest xen1 g1 16 "r0:xen2 r1:xen2,xen3"
recv() {
    echo "XLMIG_HOSTNAME=xen2 $T --receive --sim -q --sim-host-dir" \
        "$S/xen2 --sim-profile oltp --sim-drbd 'r0:xen1 r1:xen1,xen3' $*"
}

# Refused by the destination (no room): both lists as they were.
sim_migrate "$WORK/out" "$WORK/err" -- --sim-mem 16 --sim-profile oltp \
    --sim-drbd "r0:xen2 r1:xen2,xen3" --sim-host-dir "$S/xen1" -s "" g1 \
    "$(recv --sim-free-mem 8)"
assert_rc 1
[ "$(guests_on xen1)" = "g1 " ] && [ -z "$(guests_on xen2)" ] ||
    fail "refused, yet xen1: $(guests_on xen1), xen2: $(guests_on xen2)"
[ "$(cat "$S/xen1/g1")" = running ] || fail "source record after refusal"

# Migrated: the guest is listed on xen2 only, as xen2 sees it.
sim_migrate "$WORK/out" "$WORK/err" -- --sim-mem 16 --sim-profile oltp \
    --sim-drbd "r0:xen2 r1:xen2,xen3" --sim-host-dir "$S/xen1" -s "" g1 \
    "$(recv)"
assert_rc 0
[ -z "$(guests_on xen1)" ] && [ "$(guests_on xen2)" = "g1 " ] ||
    fail "migrated, yet xen1: $(guests_on xen1), xen2: $(guests_on xen2)"
[ ! -e "$S/xen1/g1" ] && [ "$(cat "$S/xen2/g1")" = running ] ||
    fail "domain records not moved"
printf '%s\n' "name = g1" "mem_mib = 16" "profile = oltp" \
    "drbd = r0:xen1 r1:xen1,xen3" >"$WORK/want"
cmp "$WORK/want" "$S/xen2/guests/g1.conf" ||
    { cat "$S/xen2/guests/g1.conf"; fail "xen2's record of g1"; }
on xen2 status --json >"$WORK/st2"
assert_grep '"guests":\[{"name":"g1"' "$WORK/st2"
on xen1 status --json >"$WORK/st1"
! grep -q '"name":"g1"' "$WORK/st1" || fail "xen1 still lists g1"

# A domain may not take a name the host's directory uses itself.
mkdir -p "$S/xen1/journal"
sim_migrate "$WORK/out" "$WORK/err" -- --sim-mem 16 \
    --sim-host-dir "$S/xen1" -s "" journal "$T --receive --sim"
assert_rc 1
assert_one_line_error "$WORK/err" \
    "\"journal\" names the host's own state, not a domain"
[ -d "$S/xen1/journal" ] || fail "the journal directory was replaced"
echo ok
