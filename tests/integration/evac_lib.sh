# Simulated hosts for evacuation tests (sourced after lib.sh).
# sim_host NAME MEM_MIB; sim_guest HOST NAME MEM_MIB DRBD [EXTRA LINE]
S=$WORK/hosts
export XLMIG_CONF=/dev/null
sim_host() { mkdir -p "$S/$1/guests"; echo "mem_mib = $2" >"$S/$1/host.conf"; }
sim_guest() {
    printf 'name = %s\nmem_mib = %s\nprofile = idle\ndrbd = %s\n%s\n' \
        "$2" "$3" "$4" "${5:-}" >"$S/$1/guests/$2.conf"
}
# two_hosts [GUEST:MEM_MIB...]: xen1 and xen2 (1 GiB each), the guests
# on xen1, the n-th on DRBD resource r<n> with its peer on xen2.
two_hosts() {
    local i=1 g
    sim_host xen1 1024; sim_host xen2 1024
    for g in "$@"; do
        sim_guest xen1 "${g%%:*}" "${g#*:}" "r$i:xen2"
        i=$((i + 1))
    done
}
on() { local h=$1; shift; "$T" "$@" --sim-state "$S" --sim-host "$h"; }
guests_on() { ls "$S/$1/guests" | sed 's/\.conf$//' | tr '\n' ' '; }
# jfield FILE GUEST KEY: a guest's field in a (beautified) journal
jfield() {
    awk -v g="$2" -v k="$3" '
        $1 == "\"name\":" { in_g = ($2 == "\"" g "\"," ) }
        in_g && $1 == "\"" k "\":" {
            sub(/^[^:]*: */, ""); sub(/,$/, ""); gsub(/^"|"$/, ""); print
            exit }' "$1"
}
jtop() { sed -n "s/^    \"$2\": \"\\(.*\\)\",\$/\\1/p" "$1" | head -1; }
