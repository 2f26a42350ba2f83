# --help and the man pages say the same things: every option in a
# command's --help is in its man page, every xe key in the script's.
. "$(dirname "$0")/lib.sh"
set -e
top=$(cd "$(dirname "$0")/../.." && pwd)
man_text() { sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' "$1"; }
opts_of() { grep -oE -- '(^|[ ,])(--[a-z][a-z-]*|-[a-zA-Z])\b' | tr -d ' ,' |
            sort -u; }
check() {
    local page=$1 what=$2; shift 2
    man_text "$top/docs/man/$page" >"$WORK/man"
    for o in $("$@" | opts_of); do
        grep -qe "$o\b" "$WORK/man" || fail "$what: $o not in $page"
    done
}
check xl-migrate-drbd.8 "--help" "$T" --help
check xl-migrate-drbd.8 "help sim" "$T" help sim
for c in $("$T" --help | sed -n '/^Subcommands/,/^$/p' | awk 'NR>1{print $1}'); do
    grep -q "^\.SS $c" "$top/docs/man/xl-migrate-drbd.8" ||
        fail "subcommand $c has no section in xl-migrate-drbd.8"
    [ "$c" = xe ] && continue
    check xl-migrate-drbd.8 "$c --help" "$T" "$c" --help
done
for v in vm-migrate host-evacuate host-disable host-get-vms-which-prevent-evacuation; do
    [ -x "$top/tools/xe-$v" ] || fail "no tools/xe-$v"
    man_text "$top/docs/man/xe-$v.8" >"$WORK/man"
    keys=$("$T" xe --help | grep -E "^  $v " -A1 | grep -oE '[a-z-]+=' |
           tr -d =)
    for k in $keys; do
        grep -q "^$k=" "$WORK/man" || fail "key $k not in xe-$v.8"
    done
done
[ -f "$top/docs/man/xe-host-enable.8" ] && [ -f "$top/docs/man/xlmig.conf.5" ]
for k in bandwidth max_downtime timeout parallel ssh peers shared_storage \
    switchover_deadline_min switchover_deadline_max; do
    man_text "$top/docs/man/xlmig.conf.5" | grep -q "^$k = " ||
        fail "$k not in xlmig.conf.5"
    grep -q "^#$k = " "$top/config/xlmig.conf" || fail "$k not in example"
done
XLMIG_CONF="$top/config/xlmig.conf" "$T" status --help >/dev/null
