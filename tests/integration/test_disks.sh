# Every disk of the guest must already be on the far side: a DRBD
# resource, or under a shared_storage prefix of xlmig.conf. A local
# disk, alone or beside DRBD disks, is refused at the pre-check naming
# the disk, before the destination is contacted; a disk on storage
# both hosts declare shared passes (one host's word is not enough); --dry-run shows each disk's verdict (text and
# JSON).
. "$(dirname "$0")/lib.sh"
set -e
R="touch $WORK/contacted; exec $T --receive --sim"
export XLMIG_CONF=$WORK/xlmig.conf
echo "shared_storage = /srv/nfs/ rbd:pool/" >"$XLMIG_CONF"
run() { rm -f "$WORK/contacted";
        sim_migrate "$WORK/out" "$WORK/err" -- --sim-mem 8 \
            --sim-profile idle "$@" -s "" g1 "$R"; }
refused() {
    local disk=$1
    assert_rc 1
    assert_one_line_error "$WORK/err" \
        "pre-check failed on source: disk $disk: not a DRBD resource and not on shared storage"
    [ "$(json_get "$WORK/out" outcome)" = refused ] || fail "not refused"
    [ "$(json_get "$WORK/out" guest_on_source)" = true ] || fail "guest"
    [ ! -e "$WORK/contacted" ] || fail "destination was contacted"
}

# 1. One local disk, nothing else.
run --sim-disk xvda=/dev/vg0/web01-disk
echo "local disk: exit $RC: $(grep '^xl-migrate-drbd:' "$WORK/err")"
refused "xvda: /dev/vg0/web01-disk"

# 2. DRBD disks and one local among them: the local one is named.
run --sim-disk xvda=drbd:r0 --sim-disk xvdb=/dev/vg0/web01-data \
    --sim-disk xvdc=/dev/drbd/by-res/r1
echo "mixed: exit $RC: $(grep '^xl-migrate-drbd:' "$WORK/err")"
refused "xvdb: /dev/vg0/web01-data"

# 3. A path that only looks like it is under the shared prefix.
run --sim-disk xvda=/srv/nfsx/web01.img
refused "xvda: /srv/nfsx/web01.img"
run --sim-disk xvda=/srv/nfs/../../dev/vg0/web01
refused "xvda: /srv/nfs/../../dev/vg0/web01"

# 4. Shared storage and DRBD: migrates.
run --sim-disk xvda=drbd:r0 --sim-disk xvdb=/srv/nfs/web01-data.img \
    --sim-disk xvdc=rbd:pool/web01
echo "shared + DRBD: exit $RC"
assert_rc 0
[ "$(json_get "$WORK/out" outcome)" = migrated ] || fail "not migrated"

# 5. Shared by the source's word, not by the destination's: each host
#    judges with its own xlmig.conf, and this one refuses.
: >"$WORK/dest.conf"
rm -f "$WORK/contacted"
sim_migrate "$WORK/out" "$WORK/err" -- --sim-mem 8 --sim-profile idle \
    --sim-disk xvda=drbd:r0 --sim-disk xvdb=/srv/nfs/web01-data.img \
    -s "" g1 "touch $WORK/contacted; XLMIG_CONF=$WORK/dest.conf exec $T --receive --sim"
echo "not shared at the destination: exit $RC: $(grep '^xl-migrate-drbd:' "$WORK/err")"
assert_rc 1
assert_one_line_error "$WORK/err" \
    "pre-check failed on dest: disk xvdb: /srv/nfs/web01-data.img: not a DRBD resource and not on shared storage"
[ -e "$WORK/contacted" ] || fail "destination not asked"
[ "$(json_get "$WORK/out" guest_on_source)" = true ] || fail "guest"

# 6. Without shared_storage the same NFS disk is refused.
: >"$XLMIG_CONF"
run --sim-disk xvda=drbd:r0 --sim-disk xvdb=/srv/nfs/web01-data.img
refused "xvdb: /srv/nfs/web01-data.img"
echo "shared_storage = /srv/nfs/" >"$XLMIG_CONF"

# 7. --dry-run: a row per disk, in text and in JSON.
set +e
"$T" --sim --dry-run --sim-mem 8 --sim-profile idle \
    --sim-disk xvda=drbd:r0 --sim-disk xvdb=/dev/vg0/web01-data \
    --sim-disk xvdc=/srv/nfs/c.img -s "" g1 "$T --receive --sim" \
    >"$WORK/dry" 2>"$WORK/dry.err"
RC=$?
set -e
cat "$WORK/dry"
assert_rc 1
assert_grep '^pass  source  disk xvda  *drbd:r0: DRBD resource r0$' "$WORK/dry"
assert_grep '^FAIL  source  disk xvdb  */dev/vg0/web01-data: not a DRBD resource and not on shared storage$' "$WORK/dry"
assert_grep '^pass  source  disk xvdc  */srv/nfs/c.img: on shared storage /srv/nfs/$' "$WORK/dry"
sim_migrate "$WORK/dj" "$WORK/dj.err" -- --dry-run --sim-mem 8 \
    --sim-profile idle --sim-disk xvda=drbd:r0 \
    --sim-disk xvdb=/dev/vg0/web01-data -s "" g1 "$T --receive --sim"
assert_rc 1
# the report's table of checks (docs/json.md)
tail -1 "$WORK/dj" | jq -c '.checks[]' >"$WORK/djc"
assert_grep '{"where":"source","name":"disk xvda","ok":true,"detail":"drbd:r0: DRBD resource r0"}' "$WORK/djc"
assert_grep '{"where":"source","name":"disk xvdb","ok":false,"detail":"/dev/vg0/web01-data: not a DRBD resource and not on shared storage"}' "$WORK/djc"

# 8. A bad shared_storage value is the configuration's error.
echo "shared_storage = nfs/relative" >"$XLMIG_CONF"
run --sim-disk xvda=drbd:r0
assert_rc 1
assert_one_line_error "$WORK/err" "xlmig.conf:1: shared_storage: \"nfs/relative\" is neither"
echo ok
