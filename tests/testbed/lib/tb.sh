# Test bed library: images, boot/teardown of the two nested Xen hosts, the
# dom0 command driver, DRBD set-up, the test guest, heartbeat analysis,
# asserts and the retry of the known TCG crash of xl/libxl-save-helper.
# Sourced by tests/testbed/tb and by every scenario. See README.md.

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=net.sh
source "$(dirname "${BASH_SOURCE[0]}")/net.sh"
# shellcheck source=deb.sh
source "$(dirname "${BASH_SOURCE[0]}")/deb.sh"
# shellcheck source=ldisk.sh
source "$(dirname "${BASH_SOURCE[0]}")/ldisk.sh"

TB_DISK_SCRIPT=${TB_DISK_SCRIPT:-block-drbd}   # hotplug script of guest disks
TB_GUEST_MEM=${TB_GUEST_MEM:-128}
TB_GUEST_NET=${TB_GUEST_NET:-bridge}   # "none": guests without a vif
# Memory of a guest its working set cannot have (kernel, its buffers, the
# guest's reserve): the default 128 MiB allows a 32 MiB working set.
TB_GUEST_KERNEL_MB=${TB_GUEST_KERNEL_MB:-96}
TB_MIGRATE_TIMEOUT=${TB_MIGRATE_TIMEOUT:-900}
TB_HB_TIMEOUT=${TB_HB_TIMEOUT:-300}    # first heartbeats / heartbeats resuming
TB_CREATE_TIMEOUT=${TB_CREATE_TIMEOUT:-300}  # xl create (slow beside a running guest)
TB_KEY=$TB_IMG/ssh/id_ed25519

# ---------------------------------------------------------------- images --

tb_hash() { cat "$@" | sha256sum | cut -d' ' -f1; }

# tb_images: build (or reuse) the cached base images and the guest/tools.
tb_images() {
    local want have
    mkdir -p "$TB_BUILD"
    tb_need_tools
    want=$(tb_hash "$TB_DIR/image/build-base.sh" "$TB_DIR/image/packages.list")
    have=$(cat "$TB_IMG/stamp" 2>/dev/null || true)
    if [ "$want" != "$have" ]; then
        local t0; t0=$(tb_now)
        tb_log "building base images (inputs changed or first build)"
        "$TB_DIR/image/build-base.sh" || tb_die "base image build failed"
        echo "$want" > "$TB_IMG/stamp"
        tb_log "base images built in $(tb_elapsed "$t0") s"
    else
        tb_log "base images up to date ($TB_IMG)"
    fi
    want=$(tb_hash "$TB_IMG/stamp" "$TB_DIR/image/build-tools.sh" \
        "$TB_DIR"/guest/* "$TB_DIR/dom0/tb-conslog.c")
    have=$(cat "$TB_BUILD/tools/stamp" 2>/dev/null || true)
    if [ "$want" != "$have" ]; then
        "$TB_DIR/image/build-tools.sh" || tb_die "guest/tools build failed"
        echo "$want" > "$TB_BUILD/tools/stamp"
    fi
}

# tb_overlay: per-run dom0 overlay (test bed runtime files + the Debian
# packages of the current tree), appended to the base initramfs.
tb_overlay() {
    local O=$TB_RUN/overlay h d
    rm -rf "$O"
    mkdir -p "$O"/etc/tb "$O"/etc/drbd.d "$O"/usr/local/sbin "$O"/var/lib/tb
    chmod 755 "$O"
    install -m 755 "$TB_DIR/dom0/init" "$O/init"
    install -m 644 "$TB_DIR/dom0/inittab" "$O/etc/inittab"
    install -m 755 "$TB_BUILD/tools/tb-conslog" "$O/usr/local/sbin/tb-conslog"
    install -m 755 "$TB_DIR/dom0/tb-netprobe" "$O/usr/local/sbin/tb-netprobe"
    install -m 644 "$TB_BUILD/tools/guest.cpio.gz" "$O/var/lib/tb/guest.cpio.gz"
    cat > "$O/etc/tb/net.conf" <<EOF
TB_IP_xen1=$TB_IP_xen1
TB_IP_xen2=$TB_IP_xen2
TB_MGMT_IP=$TB_MGMT_IP
TB_BRIDGE=$TB_BRIDGE
TB_LINK_MAC_PREFIX=52:54:00:77:
TB_MGMT_MAC_PREFIX=52:54:00:78:
EOF
    {
        echo "127.0.0.1 localhost"
        for h in $TB_HOSTS; do d=TB_IP_$h; echo "${!d} $h"; done
    } > "$O/etc/hosts"
    mkdir -p "$O/root/.ssh"
    chmod 700 "$O/root" "$O/root/.ssh"
    # Between the dom0s: no post-quantum key exchange (sntrup761 costs
    # some 15 s of emulated CPU per connection on a loaded machine).
    cat > "$O/root/.ssh/config" <<EOF
Host *
    KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org
    StrictHostKeyChecking no
    UserKnownHostsFile /dev/null
    LogLevel ERROR
    ConnectTimeout 60
    ServerAliveInterval 15
    ServerAliveCountMax 8
EOF
    cp "$TB_IMG/ssh/id_ed25519" "$TB_IMG/ssh/id_ed25519.pub" "$O/root/.ssh/"
    cp "$TB_IMG/ssh/id_ed25519.pub" "$O/root/.ssh/authorized_keys"
    chmod 600 "$O/root/.ssh/"*
    cat > "$O/etc/drbd.d/global_common.conf" <<EOF
global { usage-count no; }
common { net { protocol C; } }
EOF
    # LVM sees only the spare disk (not the DRBD devices nor the dm devices
    # stacked on its LVs) and, with no udevd in dom0, makes its nodes itself.
    mkdir -p "$O/etc/lvm"
    cat > "$O/etc/lvm/lvm.conf" <<EOF
devices { global_filter = [ "a|^/dev/vdc\$|", "r|.*|" ]
          obtain_device_list_from_udev = 0 }
activation { udev_sync = 0 udev_rules = 0 monitoring = 0 }
EOF
    local res dev=0 disk
    for res in r0 r1; do
        disk=/dev/vd$(printf "\\x$(printf %x $((97 + dev)))")
        {
            echo "resource $res {"
            echo "  device /dev/drbd$dev;"
            echo "  disk $disk;"
            echo "  meta-disk internal;"
            # generous timeouts: emulated hosts on a busy machine stall
            echo "  net { protocol C; timeout 150; ping-timeout 100; ping-int 20; connect-int 20; }"
            echo "  disk { resync-rate 100M; }"
            for h in $TB_HOSTS; do
                d=TB_IP_$h
                echo "  on $h { address ${!d}:$((7789 + dev)); }"
            done
            echo "}"
        } > "$O/etc/drbd.d/$res.res"
        dev=$((dev + 1))
    done
    # The project's packages, freshly built (lib/deb.sh); dpkg -i once
    # the dom0s are up (tb_up).
    if [ "${TB_NO_XLMIG:-0}" = 1 ]; then
        tb_log "TB_NO_XLMIG=1: not installing xlmig into dom0"
    elif [ ! -f "$TB_REPO/Makefile" ]; then
        tb_log "warning: no top-level Makefile: xlmig not installed into dom0"
    elif tb_deb_build "$O"; then
        tb_log "xlmig packages (make deb TEST=1) in the dom0 overlay: $(cd "$O$TB_DEBS" && echo *.deb)"
    else
        tb_die "'make deb TEST=1' failed (see $TB_RUN/make-deb.log)"
    fi
    (cd "$O" && find . -mindepth 1 | cpio -o -H newc --quiet -R 0:0) > "$TB_RUN/overlay.cpio"
    cat "$TB_IMG/dom0-base.cpio" "$TB_RUN/overlay.cpio" > "$TB_RUN/dom0-initrd.cpio"
}

# ------------------------------------------------------------ boot/down --

tb_port_free() { ! (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; }

# tb_qemu_cmd HOST: print the QEMU command line of HOST (one word a line).
tb_qemu_cmd() {
    local h=$1 n=${1#xen} port link
    port=TB_SSH_PORT_$h
    if [ "$h" = xen1 ]; then link="listen=127.0.0.1:$TB_LINK_PORT"
    else link="connect=127.0.0.1:$TB_LINK_PORT"; fi
    printf '%s\n' qemu-system-x86_64 -name "$h" -machine pc -accel tcg \
        -cpu "$TB_CPU" -smp 1 -m "$TB_MEM" \
        -nodefaults -display none -vga none -no-reboot \
        -monitor none -serial "file:$TB_RUN/$h.serial.log" \
        -kernel "$TB_IMG/xen.elf" \
        -append "console=com1 com1=115200,8n1 dom0_mem=$TB_DOM0_MEM,max:$TB_DOM0_MEM dom0_max_vcpus=1 loglvl=all guest_loglvl=all" \
        -initrd "$TB_IMG/vmlinuz console=hvc0 earlyprintk=xen rdinit=/init tb.host=$h,$TB_RUN/dom0-initrd.cpio" \
        -drive "file=$TB_RUN/$h-r0.img,format=raw,if=virtio,cache=unsafe" \
        -drive "file=$TB_RUN/$h-r1.img,format=raw,if=virtio,cache=unsafe" \
        -netdev "socket,id=link,$link" \
        -device "virtio-net-pci,netdev=link,mac=52:54:00:77:00:0$n" \
        -netdev "user,id=mgmt,restrict=on,net=$TB_MGMT_NET,host=${TB_MGMT_NET%.*}.2,dhcpstart=$TB_MGMT_IP,hostfwd=tcp:127.0.0.1:${!port}-$TB_MGMT_IP:22" \
        -device "virtio-net-pci,netdev=mgmt,mac=52:54:00:78:00:0$n"
    # the spare disk, /dev/vdc (the third virtio disk)
    [ "$TB_LVM_MB" = 0 ] ||
        printf '%s\n' -drive "file=$TB_RUN/$h-lvm.img,format=raw,if=virtio,cache=unsafe"
}

tb_boot_host() {
    local h=$1 cmd
    mapfile -t cmd < <(tb_qemu_cmd "$h")
    : > "$TB_RUN/$h.serial.log"
    printf '%q ' "${cmd[@]}" > "$TB_RUN/$h.qemu-cmdline"
    echo >> "$TB_RUN/$h.qemu-cmdline"
    setsid timeout -s KILL "$TB_QEMU_LIFETIME" "${cmd[@]}" \
        < /dev/null > "$TB_RUN/$h.qemu.log" 2>&1 &
    echo $! > "$TB_RUN/$h.pid"
}

# tb_up: build what is missing, boot xen1 and xen2, wait for their sshd,
# set up DRBD r0/r1 (initial sync included). Idempotent within a session.
tb_up() {
    local h t0 p
    if tb_is_up; then tb_log "test bed already up"; return 0; fi
    t0=$(tb_now)
    tb_images
    mkdir -p "$TB_RUN"
    tb_down quiet
    for p in "$TB_LINK_PORT" "$TB_SSH_PORT_xen1" "$TB_SSH_PORT_xen2"; do
        tb_port_free "$p" || tb_die "port 127.0.0.1:$p is in use (set TB_PORT_BASE)"
    done
    tb_overlay
    for h in $TB_HOSTS; do
        for p in r0 r1; do
            local mb=TB_DISK_MB_$p
            rm -f "$TB_RUN/$h-$p.img"
            truncate -s "${!mb}M" "$TB_RUN/$h-$p.img"
        done
        rm -f "$TB_RUN/$h-lvm.img"
        [ "$TB_LVM_MB" = 0 ] || truncate -s "${TB_LVM_MB}M" "$TB_RUN/$h-lvm.img"
        { echo "[127.0.0.1]:$(eval echo "\$TB_SSH_PORT_$h") $(cut -d' ' -f1,2 "$TB_IMG/ssh/host_key.pub")"; } \
            >> "$TB_RUN/known_hosts.new"
    done
    mv "$TB_RUN/known_hosts.new" "$TB_RUN/known_hosts"
    tb_log "booting xen1 and xen2 (logs: $TB_RUN/xen*.serial.log)"
    local tb0; tb0=$(tb_now)
    tb_boot_host xen1
    sleep 1
    tb_boot_host xen2
    for h in $TB_HOSTS; do tb_wait_ssh "$h"; done
    TB_T_BOOT=$(tb_elapsed "$tb0")
    tb_log "both dom0s answer ssh after $TB_T_BOOT s"
    tb_ok xen1 "ping -c1 -W5 xen2 > /dev/null" || tb_die "xen1 cannot reach xen2 over the link"
    tb_drbd_init
    tb_deb_install_all
    echo "$TB_T_BOOT" > "$TB_RUN/boot-time"
    tb_log "test bed up after $(tb_elapsed "$t0") s"
}

tb_is_up() {
    local h
    for h in $TB_HOSTS; do
        [ -s "$TB_RUN/$h.pid" ] && kill -0 "$(cat "$TB_RUN/$h.pid")" 2> /dev/null || return 1
    done
    [ -e "$TB_RUN/drbd-ready" ]
}

tb_wait_ssh() {
    local h=$1 deadline=$((SECONDS + TB_BOOT_TIMEOUT))
    while :; do
        kill -0 "$(cat "$TB_RUN/$h.pid")" 2> /dev/null ||
            tb_die "QEMU of $h exited during boot (see $TB_RUN/$h.qemu.log, $TB_RUN/$h.serial.log)"
        tb_run -t 20 "$h" true > /dev/null 2>&1 && return 0
        [ $SECONDS -lt $deadline ] ||
            tb_die "$h: no ssh within $TB_BOOT_TIMEOUT s (see $TB_RUN/$h.serial.log)"
        sleep 3
    done
}

# tb_down [quiet]: stop both QEMUs (and the ssh control masters).
tb_down() {
    local h pid
    for h in $TB_HOSTS; do
        ssh -o ControlPath="$(tb_ctl "$h")" -O exit x > /dev/null 2>&1 || true
        if [ -s "$TB_RUN/$h.pid" ]; then
            pid=$(cat "$TB_RUN/$h.pid")
            if kill -0 "$pid" 2> /dev/null; then
                [ "${1:-}" = quiet ] || tb_log "stopping $h (pid $pid)"
                kill -TERM -- "-$pid" 2> /dev/null || kill -TERM "$pid" 2> /dev/null || true
                for _ in 1 2 3 4 5 6 7 8 9 10; do
                    kill -0 "$pid" 2> /dev/null || break
                    sleep 0.5
                done
                kill -KILL -- "-$pid" 2> /dev/null || true
            fi
            rm -f "$TB_RUN/$h.pid"
        fi
    done
    rm -f "$TB_RUN/drbd-ready"
}

# ----------------------------------------------------------- the driver --

tb_ctl() {
    local p=$TB_RUN/$1.ctl
    [ ${#p} -lt 100 ] || p=/tmp/tb-$(id -u)-$TB_PORT_BASE-$1.ctl
    echo "$p"
}

# tb_run [-t SECS] HOST CMD...: run CMD (a shell command line) as root in
# HOST's dom0; stdout/stderr pass through; returns CMD's exit status, 124
# on timeout, 255 when ssh fails.
tb_run() {
    local t=$TB_CMD_TIMEOUT h port
    if [ "${1:-}" = -t ]; then t=$2; shift 2; fi
    h=$1; shift
    port=TB_SSH_PORT_$h
    [ -n "${!port:-}" ] || tb_die "unknown host '$h'"
    timeout -k 5 "$t" ssh -n -i "$TB_KEY" -p "${!port}" \
        -o UserKnownHostsFile="$TB_RUN/known_hosts" -o StrictHostKeyChecking=yes \
        -o HostKeyAlias="[127.0.0.1]:${!port}" \
        -o ControlMaster=auto -o ControlPath="$(tb_ctl "$h")" -o ControlPersist=900 \
        -o BatchMode=yes -o ConnectTimeout=15 -o LogLevel=ERROR \
        -o ServerAliveInterval=10 -o ServerAliveCountMax=6 \
        root@127.0.0.1 "$*"
}

# tb_ok HOST CMD...: like tb_run, but a failure ends the scenario.
tb_ok() {
    local rc=0
    tb_run "$@" || rc=$?
    [ $rc = 0 ] || tb_fail "on ${1/-t/}: '${*: -1}' exited $rc"
}

# tb_put HOST DEST < data: write stdin to a file in HOST's dom0.
tb_put() {
    local h=$1 dest=$2 port=TB_SSH_PORT_$1
    timeout -k 5 60 ssh -i "$TB_KEY" -p "${!port}" \
        -o UserKnownHostsFile="$TB_RUN/known_hosts" -o HostKeyAlias="[127.0.0.1]:${!port}" \
        -o ControlMaster=auto -o ControlPath="$(tb_ctl "$h")" -o ControlPersist=900 \
        -o BatchMode=yes -o LogLevel=ERROR root@127.0.0.1 "cat > '$dest'"
}

# ---------------------------------------------------------------- asserts --

TB_PASSES=0
tb_pass() { TB_PASSES=$((TB_PASSES + 1)); echo "PASS: $*"; }
tb_fail() { echo "FAIL: $*"; exit 1; }
# tb_assert DESCRIPTION CMD...: host-side condition.
tb_assert() {
    local what=$1; shift
    if "$@"; then tb_pass "$what"; else tb_fail "$what"; fi
}
# tb_capture CMD...: run CMD (e.g. tb_run HOST "..."), expected perhaps
# to fail; its output (stdout and stderr) in TB_OUT, its exit status in
# TB_RC. The output is shown indented: the harness reads a line starting
# "FAIL" as a failed check.
tb_capture() {
    TB_RC=0
    TB_OUT=$("$@" 2>&1) || TB_RC=$?
    sed "s/^/    /" <<< "$TB_OUT"
}
# tb_said [-F] PATTERN: the last tb_capture's output matches PATTERN
# (a basic regular expression; with -F, a fixed string).
tb_said() {
    local f=
    [ "$1" = -F ] && { f=F; shift; }
    grep -q$f -- "$1" <<< "$TB_OUT"
}
# tb_gone HOST NAME: neither NAME nor NAME--incoming runs on HOST.
tb_gone() { ! tb_guest_on "$1" "$2" && ! tb_guest_on "$1" "$2--incoming"; }
# tb_assert_on HOST DESCRIPTION CMD: condition evaluated in HOST's dom0.
tb_assert_on() {
    local h=$1 what=$2; shift 2
    if tb_run "$h" "$*" > /dev/null 2>&1; then tb_pass "$what"
    else tb_fail "$what (on $h: $*)"; fi
}
# tb_report KEY VALUE: a result line (also collected in $TB_RUN/results).
tb_report() {
    printf 'RESULT %-40s %s\n' "$1" "$2"
    printf '%s %s %s\n' "${TB_SCENARIO:-adhoc}" "$1" "$2" >> "$TB_RUN/results"
}

# tb_report_downtime WHAT [tool]: the last migration's guest-visible
# downtime (largest heartbeat gap, the clocks' error, the network gap;
# with "tool", what xl-migrate-drbd itself measured) as "WHAT downtime_s".
tb_report_downtime() {
    local tool=${2:+; tool: $TB_XLMIG_DOWNTIME}
    tb_report "$1 downtime_s" \
        "$TB_GAP (+-$TB_CLOCK_ERR, hb 100 ms; net gap $TB_NET_GAP s$tool)"
}

# ------------------------------------------------------------------ DRBD --

tb_drbd_init() {
    local h r t0
    t0=$(tb_now)
    for h in $TB_HOSTS; do
        tb_ok -t 120 "$h" 'set -e; for r in r0 r1; do
            drbdadm -- --force create-md $r > /dev/null 2>&1 < /dev/null ||
                yes yes | drbdadm create-md $r > /dev/null
            drbdadm up $r; done'
    done
    for r in r0 r1; do
        tb_ok -t 120 xen1 "for i in \$(seq 600); do drbdadm cstate $r | grep -q Connected && exit 0; sleep 0.2; done; exit 1"
        tb_ok xen1 "drbdadm primary --force $r"
    done
    tb_ok -t 600 xen1 'until [ "$(drbdadm dstate r0)" = UpToDate/UpToDate ] &&
        [ "$(drbdadm dstate r1)" = UpToDate/UpToDate ]; do sleep 1; done'
    for r in r0 r1; do tb_ok xen1 "drbdadm secondary $r"; done
    TB_T_DRBD_SYNC=$(tb_elapsed "$t0")
    tb_log "DRBD r0 (${TB_DISK_MB_r0} MiB) + r1 (${TB_DISK_MB_r1} MiB) connected and synced in $TB_T_DRBD_SYNC s"
    echo "$TB_T_DRBD_SYNC" > "$TB_RUN/drbd-sync-time"
    touch "$TB_RUN/drbd-ready"
}

# tb_drbd_role HOST RES: Primary/Secondary/... of the local side.
tb_drbd_role() { tb_run "$1" "drbdadm role $2" | cut -d/ -f1; }

# tb_dual_primary on|off RES...: allow-two-primaries on both hosts.
tb_dual_primary() {
    local v=no r h
    [ "$1" = on ] && v=yes
    shift
    for r in "$@"; do
        for h in $TB_HOSTS; do
            tb_ok "$h" "drbdadm net-options --allow-two-primaries=$v $r"
        done
    done
}

# ----------------------------------------------------------------- guest --

# tb_guest_cfg NAME [key=value...]: print a guest config. Keys:
#   disks="r0 [r1]" (xvda, xvdb; /dev/... a local device, no script),
#   script=hotplug script, mem=MiB,
#   dirty_mb_s=N, dirty_ws_mb=N, hb_ms=N, disk_ms=N,
#   net=bridge|none (a vif on $TB_BRIDGE, address from tb_net_addr),
#   ip=A.B.C.D (its address), on_poweroff=, on_reboot=, on_crash= (xl's)
tb_guest_cfg() {
    local name=$1; shift
    local disks=r0 script=$TB_DISK_SCRIPT mem=$TB_GUEST_MEM dirty=0 ws=32 \
          hb=100 dms=1000 kv spec="" vd=a r net=$TB_GUEST_NET ip mac \
          on_poweroff=destroy on_reboot=restart on_crash=preserve mem_set="" \
          type=pvh
    read -r ip mac < <(tb_net_addr "$name")
    for kv in "$@"; do
        case $kv in
            disks=*) disks=${kv#*=} ;; script=*) script=${kv#*=} ;;
            mem=*) mem=${kv#*=} mem_set=1 ;; dirty_mb_s=*) dirty=${kv#*=} ;;
            dirty_ws_mb=*) ws=${kv#*=} ;; hb_ms=*) hb=${kv#*=} ;;
            disk_ms=*) dms=${kv#*=} ;; net=*) net=${kv#*=} ;;
            ip=*) ip=${kv#*=}
                  mac=$(printf '00:16:3e:77:00:%02x' "${ip##*.}") ;;
            on_poweroff=*) on_poweroff=${kv#*=} ;;
            on_reboot=*) on_reboot=${kv#*=} ;; on_crash=*) on_crash=${kv#*=} ;;
            type=pvh|type=hvm) type=${kv#*=} ;;
            *) tb_die "tb_guest_cfg: unknown setting '$kv'" ;;
        esac
    done
    # The Debian kernel keeps some 85 MiB of a guest for itself (README.md):
    # unless told its size, a guest gets room for its working set.
    if [ -z "$mem_set" ] && [ "$dirty" != 0 ] && [ $((ws + TB_GUEST_KERNEL_MB)) -gt "$mem" ]; then
        mem=$(( (ws + TB_GUEST_KERNEL_MB + 31) / 32 * 32 ))
    fi
    for r in $disks; do
        case $r in
            # a local block device (an LV): phy, xl's default script
            /dev/*) spec="$spec${spec:+, }\"vdev=xvd$vd,access=rw,format=raw,target=$r\"" ;;
            *) spec="$spec${spec:+, }\"vdev=xvd$vd,access=rw,script=$script,target=$r\"" ;;
        esac
        vd=$(echo "$vd" | tr a-y b-z)
    done
    local extra="console=hvc0 quiet dirty_mb_s=$dirty dirty_ws_mb=$ws hb_ms=$hb disk_ms=$dms"
    [ -n "${disks// /}" ] || extra="$extra tb_disk=none"
    [ "$net" = none ] || extra="$extra tb_ip=$ip/24"
    # HVM: the same kernel booted directly by QEMU (no disk image to
    # install), PV drivers through the platform device, the console on
    # hvc0 as for PVH, VNC on dom0's loopback only; maxmem = memory
    # (no populate-on-demand).
    cat <<EOF
name = "$name"
type = "$type"
kernel = "/var/lib/tb/vmlinuz"
ramdisk = "/var/lib/tb/guest.cpio.gz"
memory = $mem
EOF
    if [ "$type" = hvm ]; then
        cat <<EOF
cmdline = "$extra"
maxmem = $mem
vnc = 1
vnclisten = "127.0.0.1"
serial = "pty"
videoram = 8
EOF
    else
        echo "extra = \"$extra\""
    fi
    cat <<EOF
vcpus = 1
on_poweroff = "$on_poweroff"
on_reboot = "$on_reboot"
on_crash = "$on_crash"
disk = [ $spec ]
EOF
    [ "$net" = none ] || echo "vif = [ 'bridge=$TB_BRIDGE,mac=$mac' ]"
}

# tb_guest_create HOST NAME [key=value...]: write /etc/tb/NAME.cfg on both
# hosts, xl create it on HOST, wait until it sends heartbeats; a guest
# that reports an error (its requested load cannot run, the OOM killer)
# fails the scenario, and so does a load that did not start. Sets
# TB_BOOT (the boot id of its heartbeats).
tb_guest_create() {
    local h=$1 name=$2 t0 x cfg since dirty ws; shift 2
    cfg=$(tb_guest_cfg "$name" "$@") || exit 1
    for x in $TB_HOSTS; do
        printf '%s\n' "$cfg" | tb_put "$x" "/etc/tb/$name.cfg" ||
            tb_fail "writing /etc/tb/$name.cfg on $x"
    done
    since=$(tb_dom0_time "$h")
    t0=$(tb_now)
    tb_xl "$h" "$TB_CREATE_TIMEOUT" tb_noop "xl create /etc/tb/$name.cfg" ||
        tb_fail "xl create $name on $h"
    TB_T_CREATE=$(tb_elapsed "$t0")
    tb_guest_wait_boot "$h" "$name" "$since" "$TB_HB_TIMEOUT" ||
        tb_fail "$name on $h sends no heartbeat within $TB_HB_TIMEOUT s"
    tb_log "$name created on $h in $TB_T_CREATE s, heartbeat seen after $(tb_elapsed "$t0") s"
    tb_run "$h" "grep ' $name TBGUEST \(mem\|net\|load\) ' /var/log/tb/console.log |
        awk -v s=$since '\$1 > s' | cut -d' ' -f2-" || true
    dirty=$(sed -n 's/.* dirty_mb_s=\([0-9]*\).*/\1/p' <<< "$cfg")
    ws=$(sed -n 's/.* dirty_ws_mb=\([0-9]*\).*/\1/p' <<< "$cfg")
    [ "$dirty" = 0 ] ||
        tb_run "$h" "grep ' $name TBGUEST load ready dirty_mb_s=$dirty dirty_ws_mb=$ws ' \
            /var/log/tb/console.log | awk -v s=$since '\$1 > s' | grep -q ." ||
        tb_fail "$name: its load (dirty_mb_s=$dirty dirty_ws_mb=$ws) did not start"
}

# tb_dom0_time HOST: HOST's dom0 clock (epoch s, us resolution).
tb_dom0_time() { tb_run "$1" 'echo $EPOCHREALTIME'; }

TB_GUEST_ERR_RE='TBGUEST ERROR|TBGUEST workload exited|Out of memory|oom-kill'

# tb_guest_wait_boot HOST NAME SINCE SECS [OLDBOOT]: wait until HOST has
# logged 5 heartbeats of one boot of NAME (other than OLDBOOT) after its
# dom0 time SINCE. An error line of the guest (TB_GUEST_ERR_RE) fails the
# scenario at once. Sets TB_BOOT.
tb_guest_wait_boot() {
    local h=$1 name=$2 since=$3 deadline=$((SECONDS + $4)) old=${5:-none} out prog
    prog='$1 > s && $2 == n {
        if ($3 == "HB" && $4 != old) { if (++c[$4] >= 5) { print "boot", $4; exit } }
        else if ($0 ~ re) { sub(/^[^ ]+ [^ ]+ /, ""); print "error " $0; exit } }'
    while [ $SECONDS -lt $deadline ]; do
        out=$(tb_run "$h" "awk -v s=$since -v n=$name -v old=$old \
            -v re=$(printf %q "$TB_GUEST_ERR_RE") $(printf %q "$prog") \
            /var/log/tb/console.log") || out=""
        case $out in
            boot\ *) TB_BOOT=${out#boot }; return 0 ;;
            error\ *) tb_fail "$name on $h reports an error: ${out#error }" ;;
        esac
        sleep 2
    done
    return 1
}

# tb_guest_errors NAME: print NAME's error lines (TB_GUEST_ERR_RE) logged
# on either host; true if there are none.
tb_guest_errors() {
    local x bad=0
    for x in $TB_HOSTS; do
        tb_run "$x" "grep -E ' $1 .*($TB_GUEST_ERR_RE)' /var/log/tb/console.log" &&
            bad=1
    done
    [ $bad = 0 ]
}

tb_noop() { :; }

# tb_guest_on HOST NAME: is NAME a running domain there?
tb_guest_on() { tb_run "$1" "xl domid $2" > /dev/null 2>&1; }

# ------------------------------------------------------------- heartbeat --

# tb_hb_last HOST NAME: "<dom0 epoch> <boot> <seq>" of NAME's last heartbeat
# logged on HOST (empty if none).
tb_hb_last() {
    tb_run "$1" "grep ' $2 HB ' /var/log/tb/console.log | tail -1; true" 2> /dev/null |
        awk '{ print $1, $4, $5 }'
}

# tb_hb_wait HOST NAME COUNT TIMEOUT: wait until HOST has logged COUNT more
# heartbeats of NAME than now. The log keeps earlier guests of the same
# name: a new boot restarts the count at its own first heartbeat.
tb_hb_wait() {
    local h=$1 name=$2 count=$3 deadline=$((SECONDS + $4))
    local first="" fboot="" boot last
    while [ $SECONDS -lt $deadline ]; do
        read -r boot last < <(tb_hb_last "$h" "$name" | awk '{ print $2, $3 }') ||
            boot=""
        if [ -n "$boot" ] && [ -n "$last" ]; then
            if [ "$boot" != "$fboot" ]; then
                # first sight, or another boot: count from here
                [ -z "$fboot" ] || first=""
                fboot=$boot
            fi
            [ -n "$first" ] || first=$last
            [ "$last" -lt $((first + count)) ] || return 0
        fi
        sleep 1
    done
    return 1
}

# tb_clock_offset HOST: "<offset> <rtt>": dom0 clock minus the machine's
# clock (s), from the fastest of 10 probes over one ssh session (dom0 bash
# answers with $EPOCHREALTIME, no fork), and that probe's round trip.
tb_clock_offset() {
    local i a r b best="" port=TB_SSH_PORT_$1
    coproc TB_CLK { timeout 60 ssh -T -i "$TB_KEY" -p "${!port}" \
        -o UserKnownHostsFile="$TB_RUN/known_hosts" -o HostKeyAlias="[127.0.0.1]:${!port}" \
        -o ControlMaster=auto -o ControlPath="$(tb_ctl "$1")" -o ControlPersist=900 \
        -o BatchMode=yes -o LogLevel=ERROR root@127.0.0.1 \
        'echo ready; while read -r x; do echo $EPOCHREALTIME; done'; }
    read -r -t 30 r <&"${TB_CLK[0]}" || r=""
    if [ "$r" = ready ]; then
        for i in 1 2 3 4 5 6 7 8 9 10; do
            a=$(tb_now)
            echo x >&"${TB_CLK[1]}"
            read -r -t 10 r <&"${TB_CLK[0]}" || break
            b=$(tb_now)
            best=$(awk -v a="$a" -v r="$r" -v b="$b" -v best="$best" 'BEGIN {
                rtt = b - a; off = r - (a + b) / 2
                split(best, o, " ")
                if (best == "" || rtt < o[2]) printf "%.4f %.4f", off, rtt
                else print best }')
        done
    fi
    eval "exec ${TB_CLK[1]}>&-"
    wait "$TB_CLK_PID" 2> /dev/null || true
    [ -n "$best" ] || tb_fail "cannot read the clock of $1"
    echo "$best"
}

# tb_hb_gap NAME T0 T1: merge NAME's heartbeats from both hosts (on the
# host machine's clock), keep the guest boot that was running at T1, and
# find the largest gap between consecutive heartbeats in [T0, T1].
# Sets TB_GAP (s), TB_GAP_AT (seq before the gap), TB_HB_COUNT,
# TB_HB_OK (1 if seqs strictly increase), TB_CLOCK_ERR (s, clock
# alignment uncertainty).
tb_hb_gap() {
    local name=$1 t0=$2 t1=$3 h off all="" err=0 line
    for h in $TB_HOSTS; do
        off=$(tb_clock_offset "$h")
        err=$(awk -v e="$err" -v o="$off" 'BEGIN { split(o, x, " "); print e + x[2] / 2 }')
        # (a host that never ran NAME has no line of it)
        all+=$(tb_run "$h" "grep ' $name HB ' /var/log/tb/console.log || true" |
            awk -v off="${off%% *}" -v h="$h" '{ printf "%.4f %s %s %s\n", $1 - off, $4, $5, h }')
        all+=$'\n'
    done
    line=$(printf '%s' "$all" | awk -v t0="$t0" -v t1="$t1" '
        NF == 4 && $1 <= t1 { t[NR] = $1; b[NR] = $2; s[NR] = $3; if ($1 >= t0) n++ ;
                  if (last == "" || $1 > last) { last = $1; lb = $2 } }
        END {
            # keep the boot that was running last, sort by seq
            m = 0
            for (i in t) if (b[i] == lb && t[i] >= t0) { m++; ks[m] = s[i]; kt[m] = t[i] }
            for (i = 2; i <= m; i++) {           # insertion sort by seq
                vs = ks[i]; vt = kt[i]; j = i - 1
                while (j > 0 && ks[j] > vs) { ks[j+1] = ks[j]; kt[j+1] = kt[j]; j-- }
                ks[j+1] = vs; kt[j+1] = vt }
            gap = 0; at = 0; ok = 1
            for (i = 2; i <= m; i++) {
                if (ks[i] <= ks[i-1]) ok = 0
                d = kt[i] - kt[i-1]; if (d > gap) { gap = d; at = ks[i-1] } }
            printf "%.3f %d %d %d\n", gap, at, m, ok }')
    read -r TB_GAP TB_GAP_AT TB_HB_COUNT TB_HB_OK <<< "$line"
    TB_CLOCK_ERR=$(printf '%.3f' "$err")
}

# tb_disk_check HOST NAME: the guest saw no mismatch or I/O error on its
# disk and reported no other error, and HOST logged at least one "DISK
# ok" of NAME; prints the last seq.
tb_disk_check() {
    local h=$1 name=$2 x
    tb_guest_errors "$name" || return 1
    for x in $TB_HOSTS; do
        if tb_run "$x" "grep -E ' $name DISK (MISMATCH|ERROR)' /var/log/tb/console.log"; then
            return 1
        fi
    done
    tb_run "$h" "grep ' $name DISK ok ' /var/log/tb/console.log | tail -1" |
        sed -n 's/.*seq=\([0-9]*\).*/\1/p' | grep .
}

# --------------------------------------------------- xl with crash retry --

TB_CRASH_RE='corrupted|double free|free\(\)|malloc\(\)|Segmentation fault|segfault|SIGSEGV|SIGABRT|Aborted|fatal signal|core dumped'

# tb_xl HOST TIMEOUT CLEANUP CMD: run an xl command line in HOST's dom0. If
# it fails and the log shows xl or libxl-save-helper died of a signal or
# heap corruption (a known TCG flake), run CLEANUP and retry once,
# reporting the retry. Output goes to $TB_RUN/xl-*.log.
tb_xl() {
    local h=$1 t=$2 cleanup=$3 cmd=$4 try log rc
    for try in 1 2; do
        TB_XL_SEQ=$(( ${TB_XL_SEQ:-0} + 1 ))
        log=$TB_RUN/xl-$TB_XL_SEQ-$h.log
        rc=0
        tb_run -t $((t + 30)) "$h" "n=\$(dmesg | wc -l); timeout $t $cmd; rc=\$?;
            dmesg | tail -n +\$((n + 1)) | grep -E 'segfault|general protection|traps:' |
            sed 's/^/dmesg: /'; exit \$rc" \
            > "$log" 2>&1 || rc=$?
        TB_XL_LOG=$log
        [ $rc != 0 ] || return 0
        if [ $try = 1 ] && grep -q -E "$TB_CRASH_RE" "$log"; then
            echo "RETRY: '$cmd' on $h crashed (known TCG heap-corruption flake): $(grep -m1 -E "$TB_CRASH_RE" "$log")"
            echo "${TB_SCENARIO:-adhoc} $h $cmd" >> "$TB_RUN/retries"
            "$cleanup"
            continue
        fi
        echo "tb: '$cmd' on $h exited $rc; last lines of $log:" >&2
        tail -15 "$log" >&2
        return $rc
    done
}

# ------------------------------------------------------------- migration --

# tb_migrate_run NAME SRC DST CMD: the migration command line CMD (of
# NAME, SRC to DST) in SRC's dom0 through tb_xl (a crash is cleaned up
# and retried), the network probe started first; a failure ends the
# scenario. Sets TB_MIG_T0 (the host clock just before).
tb_migrate_run() {
    local name=$1 src=$2 dst=$3 cmd=$4
    TB_MIG_NAME=$name TB_MIG_SRC=$src TB_MIG_DST=$dst
    tb_net_probe_start "$src" "$name"
    TB_MIG_T0=$(tb_now)
    tb_xl "$src" "$TB_MIGRATE_TIMEOUT" tb_migrate_cleanup "$cmd" ||
        tb_fail "$name $src -> $dst: '$cmd' failed (log: $TB_XL_LOG)"
}

# tb_migrate_stock NAME SRC DST: stock `xl migrate` (ssh between the dom0s)
# with the guest's resources made dual-primary by hand around it. Measures
# total time (host clock around the command) and guest downtime (largest
# heartbeat gap); asserts the guest runs on DST only, keeps counting and its
# disk survived. Sets TB_MIG_TOTAL, TB_GAP.
tb_migrate_stock() {
    local name=$1 src=$2 dst=$3 res t0 t1
    res=$(tb_run "$src" "grep -o 'target=r[0-9]*' /etc/tb/$name.cfg | cut -d= -f2 | sort -u" |
          tr '\n' ' ')
    [ -n "${res// /}" ] || tb_fail "no DRBD resource in /etc/tb/$name.cfg"
    # shellcheck disable=SC2086
    tb_dual_primary on $res
    tb_migrate_run "$name" "$src" "$dst" "xl migrate $name $dst"
    t0=$TB_MIG_T0
    t1=$(tb_now)
    TB_MIG_TOTAL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
    # shellcheck disable=SC2086
    tb_dual_primary off $res
    tb_assert "$name runs on $dst after migration" tb_guest_on "$dst" "$name"
    tb_assert "$name is gone from $src" eval "! tb_guest_on $src $name"
    for r in $res; do
        tb_assert "$r Primary on $dst" [ "$(tb_drbd_role "$dst" "$r")" = Primary ]
        tb_assert "$r Secondary on $src" [ "$(tb_drbd_role "$src" "$r")" = Secondary ]
    done
    tb_assert "$name heartbeat keeps counting on $dst" tb_hb_wait "$dst" "$name" 10 "$TB_HB_TIMEOUT"
    tb_hb_gap "$name" "$t0" "$(tb_now)"
    tb_assert "heartbeat sequence strictly increasing across the migration" [ "$TB_HB_OK" = 1 ]
    tb_net_probe_stop stock-xl-migrate "$src" "$dst"
    local seq
    seq=$(tb_disk_check "$dst" "$name") || tb_fail "$name disk contents did not survive (see guest console logs)"
    tb_pass "$name disk contents survived (verified ticks up to seq $seq on $dst)"
}

# Cleanup between a crashed migration and its retry: drop a half-received
# domain on the destination, make sure the guest runs on the source.
tb_migrate_cleanup() {
    local name=$TB_MIG_NAME src=$TB_MIG_SRC dst=$TB_MIG_DST
    tb_run "$dst" "xl destroy $name--incoming" > /dev/null 2>&1 || true
    if tb_guest_on "$dst" "$name" && ! tb_guest_on "$src" "$name"; then
        tb_fail "xl crashed after $name had moved to $dst: not retrying"
    fi
    tb_run "$dst" "xl destroy $name" > /dev/null 2>&1 || true
    tb_run "$src" "xl unpause $name" > /dev/null 2>&1 || true
    if ! tb_hb_wait "$src" "$name" 3 30; then
        tb_log "$name stalled on $src after the crash: recreating it"
        tb_run "$src" "xl destroy $name" > /dev/null 2>&1 || true
        tb_run "$src" "for r in r0 r1; do drbdadm secondary \$r; done" > /dev/null 2>&1 || true
        tb_run "$src" "xl create /etc/tb/$name.cfg" > /dev/null 2>&1 ||
            tb_fail "recreating $name on $src after a crash"
        tb_hb_wait "$src" "$name" 5 "$TB_HB_TIMEOUT" || tb_fail "$name does not come back on $src"
    fi
}

# tb_reset: leave both hosts without guests, DRBD Secondary,
# single-primary, without temporary resources or LVs of local disks,
# and without what xlmig learned or journalled (one
# scenario's switchover history must not refuse the next one's moves),
# network probes or the previous guests' console lines.
tb_reset() {
    local h
    for h in $TB_HOSTS; do
        tb_run -t 120 "$h" 'tb-netprobe stop-all
            for d in $(xl list | awk "NR > 2 { print \$1 }"); do
            xl destroy "$d"; done
            '"$(tb_ldisk_reset_cmd)"'
            for r in r0 r1; do drbdadm net-options --allow-two-primaries=no $r
                drbdadm secondary $r; done
            rm -rf /var/lib/xlmig/switchover /var/lib/xlmig/journal
            : > /var/log/tb/console.log' \
            > /dev/null 2>&1 || true
    done
}

# ------------------------------------------------------------- scenarios --

# tb_scenario_begin: called at the top of a scenario. Boots the test bed
# unless a runner already did (TB_SESSION=1), and tears it down at exit.
tb_scenario_begin() {
    TB_SCENARIO=${TB_SCENARIO:-$(basename "$0" .sh)}
    if [ "${TB_SESSION:-0}" != 1 ]; then
        trap 'tb_down' EXIT
        trap 'exit 130' INT TERM
        tb_up
    fi
    echo "=== scenario $TB_SCENARIO"
}

tb_scenario_end() {
    echo "=== scenario $TB_SCENARIO: $TB_PASSES checks passed"
}
