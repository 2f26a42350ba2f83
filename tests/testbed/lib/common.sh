# Shared settings and small helpers for the nested Xen test bed.
# Sourced by tests/testbed/tb, lib/build.sh and lib/tb.sh; not executable.
#
# Every setting can be overridden from the environment.

TB_DIR=${TB_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
TB_REPO=${TB_REPO:-$(cd "$TB_DIR/../.." && pwd)}
TB_BUILD=${TB_BUILD:-$TB_REPO/build/testbed}
TB_IMG=${TB_IMG:-$TB_BUILD/images}          # cached, rebuilt when inputs change
TB_RUN=${TB_RUN:-$TB_BUILD/run}             # per-run state, logs, disks

# Host-side loopback ports (127.0.0.1 only): the inter-host link and one ssh
# forward per dom0.
TB_PORT_BASE=${TB_PORT_BASE:-22470}
TB_LINK_PORT=${TB_LINK_PORT:-$TB_PORT_BASE}
TB_SSH_PORT_xen1=${TB_SSH_PORT_xen1:-$((TB_PORT_BASE + 1))}
TB_SSH_PORT_xen2=${TB_SSH_PORT_xen2:-$((TB_PORT_BASE + 2))}

# Emulated machines. qemu64 + SVM + NPT gives Xen HAP (needed for PVH
# log-dirty) and lacks SMAP/SMEP/RDTSCP, which TCG handles badly under Xen.
TB_CPU=${TB_CPU:-qemu64,+svm,+npt}
TB_MEM=${TB_MEM:-2048}                       # MiB per host
TB_DOM0_MEM=${TB_DOM0_MEM:-1024M}
TB_DISK_MB_r0=${TB_DISK_MB_r0:-64}           # DRBD backing disks (per host)
TB_DISK_MB_r1=${TB_DISK_MB_r1:-32}
# The spare disk (/dev/vdc) of each host for the volume group $TB_VG of
# local-disk guests (lib/ldisk.sh creates it); sparse, 0 = none.
TB_LVM_MB=${TB_LVM_MB:-512}
TB_VG=${TB_VG:-tbvg}

# Inside the emulated hosts: the replication/migration link (link-local).
TB_LINK_NET=${TB_LINK_NET:-169.254.77}
TB_IP_xen1=$TB_LINK_NET.1
TB_IP_xen2=$TB_LINK_NET.2
# Each dom0's link NIC is a port of this bridge, which holds the address
# above; the test guests' vifs join it (their addresses: lib/net.sh).
TB_BRIDGE=${TB_BRIDGE:-xenbr0}
# Management network (QEMU user mode, restrict=on: no way out of QEMU).
TB_MGMT_NET=${TB_MGMT_NET:-169.254.78.0/24}
TB_MGMT_IP=${TB_MGMT_IP:-169.254.78.15}

# Timeouts (seconds).
TB_BOOT_TIMEOUT=${TB_BOOT_TIMEOUT:-300}      # QEMU start -> ssh answers
TB_CMD_TIMEOUT=${TB_CMD_TIMEOUT:-120}        # default for tb_run
# Hard cap on a QEMU process, against hosts orphaned by a killed driver.
# `tb check` raises the default to 5400 s per scenario it runs.
TB_QEMU_LIFETIME_ASKED=${TB_QEMU_LIFETIME:+1}
TB_QEMU_LIFETIME=${TB_QEMU_LIFETIME:-3600}

TB_HOSTS="xen1 xen2"

tb_log() { printf '[tb %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
tb_die() { printf 'tb: error: %s\n' "$*" >&2; exit 1; }
tb_now() { date +%s.%N; }
tb_elapsed() { awk -v a="$1" -v b="$(tb_now)" 'BEGIN { printf "%.1f", b - a }'; }

# tb_need_tools: make sure the host has what the test bed needs; installs
# missing Debian packages when running as root.
tb_need_tools() {
    local need="" c
    for c in qemu-system-x86_64:qemu-system-x86 debootstrap:debootstrap \
             cpio:cpio ssh:openssh-client ssh-keygen:openssh-client \
             gcc:gcc xz:xz-utils mke2fs:e2fsprogs timeout:coreutils \
             apt-get:apt dpkg-deb:dpkg; do
        command -v "${c%%:*}" > /dev/null 2>&1 || need="$need ${c#*:}"
    done
    [ -e /usr/lib/x86_64-linux-gnu/libc.a ] || need="$need libc6-dev"
    [ -n "$need" ] || return 0
    mkdir -p "$TB_BUILD"
    [ "$(id -u)" = 0 ] || tb_die "missing host packages:$need (run as root to install them)"
    tb_log "installing host packages:$need"
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    if ! apt-get install -y -q $need > "$TB_BUILD/apt-install.log" 2>&1; then
        apt-get update -q >> "$TB_BUILD/apt-install.log" 2>&1 ||
            tb_die "apt-get update failed (see $TB_BUILD/apt-install.log)"
        # shellcheck disable=SC2086
        apt-get install -y -q $need >> "$TB_BUILD/apt-install.log" 2>&1 ||
            tb_die "apt-get install$need failed (see $TB_BUILD/apt-install.log)"
    fi
}
