# --with-local-disks from the command line, without a kernel: the
# options' refusals, and cleanup finishing what an interrupted move
# left (its journal) and removing a kept source LV, through fake lvs,
# lvremove, dmsetup and drbdadm that log their argv (XLMIG_LDISK_BIN).
. "$(dirname "$0")/lib.sh"
set -e

# 1. Options: --delete-source needs --with-local-disks; the receiver
#    takes neither (the request says which disks are local).
set +e
"$T" migrate --delete-source g1 xen2 >"$WORK/o" 2>"$WORK/e"; rc=$?
set -e
[ "$rc" = 2 ] || fail "--delete-source alone: exit $rc"
grep -q "^xl-migrate-drbd: --delete-source: only with --with-local-disks" \
    "$WORK/e" || fail "--delete-source alone: $(cat "$WORK/e")"
set +e
"$T" --receive --with-local-disks >"$WORK/o" 2>"$WORK/e"; rc=$?
set -e
[ "$rc" = 2 ] || fail "--receive --with-local-disks: exit $rc"
grep -q "with-local-disks: the source's option" "$WORK/e" ||
    fail "--receive --with-local-disks: $(cat "$WORK/e")"
"$T" help migrate | grep -q -- "--with-local-disks" ||
    fail "migrate --help does not list --with-local-disks"

# The xe scripts and evacuate pass it on; xe takes only true.
set +e
"$T" xe vm-migrate vm=g1 host=xen2 local-disks=yes >"$WORK/o" 2>"$WORK/e"
rc=$?
set -e
[ "$rc" = 2 ] || fail "xe local-disks=yes: exit $rc"
grep -q "local-disks=yes: only local-disks=true" "$WORK/e" ||
    fail "xe local-disks=yes: $(cat "$WORK/e")"
"$T" evacuate --help | grep -q -- "--with-local-disks" ||
    fail "evacuate --help does not list --with-local-disks"

# 2. Nothing left: cleanup says so.
export XLMIG_STATE_DIR=$WORK/state
mkdir -p "$XLMIG_STATE_DIR"
"$T" cleanup >"$WORK/o" 2>"$WORK/e" || fail "cleanup, empty: $(cat "$WORK/e")"
grep -qx "nothing to clean up" "$WORK/o" ||
    fail "cleanup, empty: $(cat "$WORK/o")"

# 3. A source whose setup stopped after 3 steps (metadata LV, table
#    saved, lower device), and a kept LV from an earlier move.
LD=$XLMIG_STATE_DIR/ldisk
mkdir -p "$LD/kept"
cat >"$LD/xlmig-901.journal" <<'J'
side = source
stage = setup
done = 3
vdev = xvda
vg = vg0
lv = web-root
size = 67108864
dst_vg = vg0
minor = 901
port = 7901
md = 1048576
J
echo "0 131072 linear 254:32 2048" >"$LD/xlmig-901.table"
echo xvdb >"$LD/kept/vg0+old-data"
"$T" cleanup --dry-run >"$WORK/o" 2>"$WORK/e" ||
    fail "cleanup --dry-run: $(cat "$WORK/e")"
grep -q "would finish temporary resource xlmig-901 of vg0/web-root" \
    "$WORK/o" || fail "dry run names no journal: $(cat "$WORK/o")"
[ -f "$LD/xlmig-901.journal" ] || fail "dry run removed the journal"

# The fakes: each logs its argv; dmsetup info says "0" (nobody holds
# the kept LV open).
BIN=$WORK/bin
mkdir -p "$BIN"
for p in lvs lvremove dmsetup drbdadm; do
    cat >"$BIN/$p" <<F
#!/bin/sh
echo "$p \$*" >>"$WORK/cmds"
[ "$p \$1" = "dmsetup info" ] && echo "   0"
exit 0
F
    chmod +x "$BIN/$p"
done
XLMIG_LDISK_BIN=$BIN "$T" cleanup >"$WORK/o" 2>"$WORK/e" ||
    fail "cleanup: $(cat "$WORK/e")"
# The setup undone in reverse from its third step, nothing more.
want="dmsetup remove xlmig-901-lower
lvremove --force vg0/xlmig-901-md
dmsetup info -c --noheadings -o open vg0-old--data
lvremove --force vg0/old-data"
[ "$(cat "$WORK/cmds")" = "$want" ] ||
    fail "cleanup ran: $(cat "$WORK/cmds")"
[ ! -e "$LD/xlmig-901.journal" ] || fail "journal left"
[ ! -e "$LD/xlmig-901.table" ] || fail "saved table left"
[ ! -e "$LD/kept/vg0+old-data" ] || fail "kept marker left"
"$T" cleanup >"$WORK/o" 2>"$WORK/e"
grep -qx "nothing to clean up" "$WORK/o" || fail "left: $(cat "$WORK/o")"

# 4. A kept LV still open is not removed.
echo xvdb >"$LD/kept/vg0+busy"
sed -i 's/echo "   0"/echo "   1"/' "$BIN/dmsetup"
: >"$WORK/cmds"
set +e
XLMIG_LDISK_BIN=$BIN "$T" cleanup >"$WORK/o" 2>"$WORK/e"; rc=$?
set -e
[ "$rc" = 1 ] || fail "open kept LV: exit $rc"
grep -q "vg0/busy is open" "$WORK/e" || fail "open kept LV: $(cat "$WORK/e")"
! grep -q lvremove "$WORK/cmds" || fail "removed an open LV"
[ -e "$LD/kept/vg0+busy" ] || fail "forgot an open kept LV"

# 5. A destination whose receiver was killed during the sync: its side
#    set up and attached (Primary, its LV onto DRBD), the journal left.
#    The source, as it rolls back, runs cleanup --resource there. The
#    fake drbdadm is connected to a peer that refuses a graceful
#    disconnect (Primary on an Inconsistent disk): a plain down fails
#    until the disconnect is forced.
# journal MINOR OWNER [START]: a destination's journal after its attach.
journal() {
    cat >"$LD/xlmig-$1.journal" <<J
side = dest
stage = attach
done = 4
vdev = xvdb
vg = vg0
lv = web-data
size = 67108864
dst_vg = vg0
minor = $1
port = 7902
md = 1048576
owner = $2
owner_start = ${3:-1}
J
    echo "0 131072 linear 254:48 2048" >"$LD/xlmig-$1.table"
    echo "0 131072 linear 147:$1 0" >"$LD/xlmig-$1.drbd.table"
}
cat >"$BIN/drbdadm" <<F
#!/bin/sh
echo "drbdadm \$*" >>"$WORK/cmds"
case "\$1 \$2" in
"disconnect --force") rm -f "$WORK/peer"; exit 0 ;;
esac
if [ -e "$WORK/peer" ] && [ "\$1" = down -o "\$1" = disconnect ]; then
    echo "State change failed: (-10) State change was refused by peer node" >&2
    exit 17
fi
exit 0
F
# A pid that has ended: the receiver, killed.
sh -c 'exit 0' & dead=$!; wait $dead
journal 902 "$dead"
: >"$WORK/peer"
: >"$WORK/cmds"
XLMIG_LDISK_BIN=$BIN "$T" cleanup --wait 5 --resource xlmig-902 \
    >"$WORK/o" 2>"$WORK/e" || fail "cleanup --resource: $(cat "$WORK/e")"
grep -q "finishing temporary resource xlmig-902 of vg0/web-data" "$WORK/o" ||
    fail "cleanup --resource: $(cat "$WORK/o")"
want="dmsetup reload vg0-web--data $LD/xlmig-902.table
dmsetup resume vg0-web--data
dmsetup clear vg0-web--data
dmsetup resume vg0-web--data
drbdadm secondary xlmig-902
drbdadm disconnect --force xlmig-902
drbdadm down xlmig-902
dmsetup remove xlmig-902-lower
lvremove --force vg0/xlmig-902-md
lvremove --force vg0/web-data"
[ "$(cat "$WORK/cmds")" = "$want" ] ||
    fail "cleanup --resource ran: $(cat "$WORK/cmds")"
for f in journal table drbd.table; do
    [ ! -e "$LD/xlmig-902.$f" ] || fail "xlmig-902.$f left"
done
# Only the named resource: another move's kept LV is not touched.
[ -e "$LD/kept/vg0+busy" ] || fail "cleanup --resource removed a kept LV"
# Named, nothing there: said so, exit 0.
XLMIG_LDISK_BIN=$BIN "$T" cleanup --resource xlmig-902 >"$WORK/o" 2>&1 ||
    fail "cleanup of a clean resource: $(cat "$WORK/o")"
grep -qx "nothing left of xlmig-902" "$WORK/o" || fail "$(cat "$WORK/o")"

# 6. A receiver still running owns its journal: left alone (after
#    --wait), by a named cleanup and by a whole-host one.
sleep 60 & live=$!
start=$(sed 's/.*) //' /proc/$live/stat | cut -d' ' -f20)
journal 903 "$live" "$start"
: >"$WORK/cmds"
set +e
XLMIG_LDISK_BIN=$BIN "$T" cleanup --wait 1 --resource xlmig-903 \
    >"$WORK/o" 2>"$WORK/e"; rc=$?
set -e
[ "$rc" = 1 ] || fail "running move: exit $rc"
grep -q "xlmig-903 belongs to a move still running (process $live)" \
    "$WORK/e" || fail "running move: $(cat "$WORK/e")"
[ ! -s "$WORK/cmds" ] || fail "touched a running move: $(cat "$WORK/cmds")"
[ -e "$LD/xlmig-903.journal" ] || fail "a running move's journal went"
set +e
XLMIG_LDISK_BIN=$BIN "$T" cleanup >"$WORK/o" 2>"$WORK/e"
set -e
! grep -q "xlmig-903" "$WORK/cmds" || fail "whole-host cleanup touched it"
"$T" status 2>/dev/null | grep -q "xlmig-903 in attach, its move running" ||
    true
# Ended: the next cleanup finishes it.
kill $live; wait $live 2>/dev/null || true
XLMIG_LDISK_BIN=$BIN "$T" cleanup --resource xlmig-903 >"$WORK/o" \
    2>"$WORK/e" || fail "after its end: $(cat "$WORK/e")"
[ ! -e "$LD/xlmig-903.journal" ] || fail "journal of an ended move left"

# Bad names refused.
set +e
"$T" cleanup --resource r0 >"$WORK/o" 2>"$WORK/e"; rc=$?
set -e
[ "$rc" = 2 ] || fail "--resource r0: exit $rc"
grep -q "not a temporary resource's name" "$WORK/e" || fail "$(cat "$WORK/e")"
echo "ok"
