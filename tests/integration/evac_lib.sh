# Simulated hosts for evacuation tests (sourced after lib.sh).
# sim_host NAME MEM_MIB; sim_guest HOST NAME MEM_MIB DRBD [EXTRA LINE]
S=$WORK/hosts
export XLMIG_CONF=/dev/null
sim_host() { mkdir -p "$S/$1/guests"; echo "mem_mib = $2" >"$S/$1/host.conf"; }
sim_guest() {
    printf 'name = %s\nmem_mib = %s\nprofile = idle\ndrbd = %s\n%s\n' \
        "$2" "$3" "$4" "${5:-}" >"$S/$1/guests/$2.conf"
}
on() { local h=$1; shift; "$T" "$@" --sim-state "$S" --sim-host "$h"; }
guests_on() { ls "$S/$1/guests" | sed 's/\.conf$//' | tr '\n' ' '; }
# jfield FILE GUEST KEY: a guest's field in a journal
jfield() {
    python3 -c 'import json,sys
j=json.load(open(sys.argv[1]))
print([g for g in j["guests"] if g["name"]==sys.argv[2]][0][sys.argv[3]])' \
        "$1" "$2" "$3"
}
jtop() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
