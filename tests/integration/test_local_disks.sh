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
echo "ok"
