# make install into a staged tree puts the tools, the hotplug script,
# the config, the cron entry, the man pages and the state directory,
# and nothing of the internal library (no shared library, no archive,
# no header, no pkg-config file); make uninstall takes every file back.
. "$(dirname "$0")/lib.sh"
set -e
top=$(cd "$(dirname "$0")/../.." && pwd)
D=$WORK/root
mk() { make -s -C "$top" "$@" DESTDIR="$D" BUILD="$(dirname "$T")" \
    TOOL="$T" >"$WORK/make.out" 2>&1 || { cat "$WORK/make.out" >&2;
    fail "make $*"; }; }
mk install
for f in usr/sbin/xl-migrate-drbd usr/sbin/xe-host-evacuate \
         etc/xen/scripts/block-drbd-xlmig etc/xlmig/xlmig.conf \
         etc/cron.d/xlmig usr/share/man/man8/xl-migrate-drbd.8 \
         usr/share/man/man5/xlmig.conf.5; do
    [ -f "$D/$f" ] || fail "make install did not put /$f"
done
[ -d "$D/var/lib/xlmig" ] || fail "no /var/lib/xlmig"
cmp -s "$T" "$D/usr/sbin/xl-migrate-drbd" || fail "not the tool built"
found=$(cd "$D" && find . \( -name '*.so*' -o -name '*.a' -o -name '*.h' \
    -o -name '*.pc' -o -path './usr/include*' -o -path './usr/lib*' \) -print)
[ -z "$found" ] || fail "the internal library installed: $found"
# nothing the tool exports: only what it imports
[ -z "$(nm -D --defined-only "$D/usr/sbin/xl-migrate-drbd" |
        grep -v ' [wVv] ')" ] || fail "the tool exports symbols"
# an edited config survives a second install
echo "max_downtime = 1000" >>"$D/etc/xlmig/xlmig.conf"
mk install
grep -q '^max_downtime = 1000$' "$D/etc/xlmig/xlmig.conf" ||
    fail "make install overwrote an existing xlmig.conf"
mk uninstall
left=$(cd "$D" && find . ! -type d)
[ -z "$left" ] || fail "make uninstall left: $left"
[ ! -e "$D/var/lib/xlmig" ] || fail "empty /var/lib/xlmig left"
