# Test bed helpers for guests on local disks (issue 18): the volume
# group on each host's spare disk, a guest whose disk is an LV, what a
# move over a temporary DRBD resource may leave behind, and the
# device-mapper swap onto such a resource done by hand (docs/design.md,
# "Local disks: the device-mapper swap, as measured"). Sourced by tb.sh.

# The temporary resource of the swap by hand: the names xl-migrate-drbd
# gives minor M (xlmig-M, xlmig-M-lower, LV xlmig-M-md), a port beside
# r0's and r1's.
TB_LD_MINOR=${TB_LD_MINOR:-10}
TB_LD_PORT=${TB_LD_PORT:-7800}

# tb_lvm_init: the volume group $TB_VG on /dev/vdc of both hosts (once
# per boot; the test bed's disks are new at every boot), and each host's
# local_disk_address in xlmig.conf.
tb_lvm_init() {
    local t0
    t0=$(tb_now)
    [ "$TB_LVM_MB" != 0 ] || tb_fail "TB_LVM_MB=0: no spare disk for $TB_VG"
    local h o ip oip
    for h in $TB_HOSTS; do
        for o in $TB_HOSTS; do [ "$o" = "$h" ] || break; done
        ip=TB_IP_$h oip=TB_IP_$o
        # xlmig.conf: the temporary resources' address of this host, and
        # the peer by its IP (the resource file needs one, not a name)
        tb_ok -t 120 "$h" "modprobe dm-mod &&
            { vgs $TB_VG > /dev/null 2>&1 ||
              { pvcreate -q /dev/vdc && vgcreate -q $TB_VG /dev/vdc; }; } &&
            mkdir -p /etc/xlmig && touch /etc/xlmig/xlmig.conf &&
            { grep -q '^local_disk_address' /etc/xlmig/xlmig.conf ||
              echo 'local_disk_address = ${!ip}' >> /etc/xlmig/xlmig.conf; } &&
            { grep -q '^migration_address.$o ' /etc/xlmig/xlmig.conf ||
              echo 'migration_address.$o = root@${!oip}' >> /etc/xlmig/xlmig.conf; }"
    done
    tb_log "volume group $TB_VG ready on both hosts in $(tb_elapsed "$t0") s"
}

# tb_lv_create HOST LV MB [fill]: a linear LV of MB MiB in $TB_VG; with
# "fill", its content random (what a sync must carry is not zeros).
tb_lv_create() {
    local h=$1 lv=$2 mb=$3 fill=${4:-}
    tb_ok -t 120 "$h" "lvcreate -q -y -W y -Z y -L ${mb}m -n $lv $TB_VG > /dev/null"
    [ "$fill" != fill ] ||
        tb_ok -t 300 "$h" "head -c ${mb}M /dev/urandom |
            dd of=/dev/$TB_VG/$lv bs=1M oflag=direct status=none"
}

# tb_ldisk_guest_create HOST NAME LV MB [k=v...]: a guest whose only disk
# is the local LV $TB_VG/LV (MB MiB, random content), created on HOST.
tb_ldisk_guest_create() {
    local h=$1 name=$2 lv=$3 mb=$4
    shift 4
    tb_lv_create "$h" "$lv" "$mb" fill
    tb_guest_create "$h" "$name" disks="/dev/$TB_VG/$lv" "$@"
}

# tb_ldisk_leftovers HOST: print what a move over a temporary resource
# may leave on HOST (DRBD minors other than r0's and r1's, resource
# files and dm devices named xlmig-*, LVs named xlmig-*); nothing if
# clean.
tb_ldisk_leftovers() {
    tb_run "$1" "awk '/^ *[0-9]+: cs:/ { m = \$1 + 0; if (m > 1) print \"drbd minor \" m \": \" \$0 }' /proc/drbd
        ls /etc/drbd.d | grep '^xlmig' | sed 's/^/resource file /'
        dmsetup ls 2> /dev/null | awk '\$1 ~ /xlmig/ { print \"dm device \" \$1 }'
        lvs --noheadings -o lv_name $TB_VG 2> /dev/null | awk '\$1 ~ /xlmig/ { print \"LV \" \$1 }'
        true"
}

# tb_ldisk_clean HOST: nothing left (tb_ldisk_leftovers says nothing).
tb_ldisk_clean() { [ -z "$(tb_ldisk_leftovers "$1")" ]; }

# tb_lv_exists HOST LV: the LV is in $TB_VG on HOST.
tb_lv_exists() { tb_run "$1" "lvs $TB_VG/$2" > /dev/null 2>&1; }

# tb_ldisk_table HOST LV: the dm table of $TB_VG/LV (one line per segment).
tb_ldisk_table() {
    tb_run "$1" "dmsetup table $TB_VG-$2"
}

# tb_ldisk_last_written HOST NAME: "TBDISK <boot> <seq>", the record NAME
# last reported written ("DISK wrote seq=N" of its last boot on HOST).
tb_ldisk_last_written() {
    tb_run "$1" "awk -v n=$2 '\$2 == n && \$3 == \"TBGUEST\" && \$4 == \"start\" {
            for (i = 5; i <= NF; i++) if (\$i ~ /^boot=/) { b = \$i; sub(/boot=/, \"\", b) } }
        \$2 == n && \$3 == \"DISK\" && \$4 == \"wrote\" { s = \$5; sub(/seq=/, \"\", s) }
        END { if (b != \"\" && s != \"\") print \"TBDISK\", b, s }' /var/log/tb/console.log"
}

# tb_ldisk_sector0 HOST DEV: the first line of DEV's sector 0 (O_DIRECT).
tb_ldisk_sector0() {
    tb_run "$1" "dd if=$2 bs=512 count=1 iflag=direct status=none | head -1 | tr -d '\\0'"
}

# tb_ldisk_dmesg_errors HOST SINCE_LINE: I/O errors (block layer,
# DRBD's own, device-mapper's) in HOST's kernel log after line
# SINCE_LINE; true if none.
tb_ldisk_dmesg_errors() {
    ! tb_run "$1" "dmesg | tail -n +$(( $2 + 1 )) |
        grep -E -i 'I/O error|blk_update_request|Buffer I/O|IO ERROR|device-mapper: .*error'"
}

# ---- the swap by hand (scenario 50) ------------------------------------

# tb_ldisk_res_text: the temporary resource's file (8.4 syntax): each
# side's disk the lower device over its LV, external metadata on the
# small LV xlmig-M-md.
tb_ldisk_res_text() {
    local m=$TB_LD_MINOR h d
    echo "resource xlmig-$m {"
    echo "  net { protocol C; timeout 150; ping-timeout 100; ping-int 20; connect-int 20; }"
    echo "  disk { resync-rate 100M; }"
    for h in $TB_HOSTS; do
        d=TB_IP_$h
        echo "  on $h { device /dev/drbd$m; disk /dev/mapper/xlmig-$m-lower;" \
             "meta-disk /dev/$TB_VG/xlmig-$m-md; address ${!d}:$TB_LD_PORT; }"
    done
    echo "}"
}

# tb_ldisk_res_up HOST LV: on HOST, the metadata LV, the lower device
# over LV's own table, the resource file, its metadata, and up.
tb_ldisk_res_up() {
    local h=$1 lv=$2 m=$TB_LD_MINOR
    tb_ldisk_res_text | tb_put "$h" "/etc/drbd.d/xlmig-$m.res" ||
        tb_fail "writing xlmig-$m.res on $h"
    tb_ok -t 240 "$h" "set -e
        lvcreate -q -y -L 1m -n xlmig-$m-md $TB_VG > /dev/null
        dmsetup create xlmig-$m-lower --table \"\$(dmsetup table $TB_VG-$lv)\"
        dmsetup mknodes xlmig-$m-lower
        drbdadm create-md --force xlmig-$m < /dev/null
        drbdadm up xlmig-$m"
}

# tb_ldisk_res_down HOST: the resource down and its temporaries gone.
tb_ldisk_res_down() {
    local h=$1 m=$TB_LD_MINOR
    tb_ok -t 240 "$h" "set -e
        drbdadm secondary xlmig-$m; drbdadm down xlmig-$m
        dmsetup remove xlmig-$m-lower
        lvremove -q -y $TB_VG/xlmig-$m-md > /dev/null
        rm /etc/drbd.d/xlmig-$m.res"
}

# tb_ldisk_swap HOST LV TABLE GUEST: reload LV's dm device with TABLE
# (the inactive slot: it opens the new device outside the window), then
# one bare resume (suspend, swap, resume in the kernel). Prints how long
# the resume command took (ms; most of it starting dmsetup under TCG)
# and GUEST's largest heartbeat gap (s) from 1 s before it to the first
# heartbeat more than 1 s after it.
tb_ldisk_swap() {
    tb_run -t 120 "$1" "set -e
        dmsetup reload $TB_VG-$2 --table '$3'
        t0=\$EPOCHREALTIME; dmsetup resume $TB_VG-$2; t1=\$EPOCHREALTIME
        sleep 1.5
        grep -a ' $4 HB ' /var/log/tb/console.log | awk -v a=\$t0 -v b=\$t1 -v ms=\$(( (\${t1/./} - \${t0/./}) / 1000 )) '
            \$1 >= a - 1 { if (p) { d = \$1 - p; if (d > g) g = d } p = \$1; if (\$1 > b + 1) exit }
            END { printf \"%d ms, heartbeat gap %.3f s\\n\", ms, g }'"
}

# tb_ldisk_reset_cmd: the dom0 commands that drop every trace of temporary resources and
# every LV of $TB_VG (guests already destroyed). For tb_reset.
tb_ldisk_reset_cmd() {
    # (a cheap test first: the other scenarios' resets stay as fast)
    cat <<EOF
if [ -e /dev/$TB_VG ] || ls /dev/mapper /etc/drbd.d | grep -q xlmig; then
vgs $TB_VG > /dev/null 2>&1 && for d in \$(dmsetup ls | awk '\$1 ~ /^$TB_VG-/ { print \$1 }'); do
    dmsetup remove "\$d"; done
for r in \$(drbdsetup show 2> /dev/null | sed -n 's/^resource \(xlmig-[^ ]*\) {/\1/p'); do
    drbdsetup down "\$r"; done
for d in \$(dmsetup ls | awk '\$1 ~ /^xlmig-/ { print \$1 }'); do dmsetup remove "\$d"; done
rm -f /etc/drbd.d/xlmig-*.res /etc/drbd.d/xlmig-*.res.*
vgs $TB_VG > /dev/null 2>&1 && lvremove -q -y $TB_VG > /dev/null
rm -rf /var/lib/xlmig/ldisk
fi
true
EOF
}

# ---- moves with xl-migrate-drbd --with-local-disks -----------------------

# tb_ldisk_migrate NAME SRC DST [OPTION...]: xl-migrate-drbd
# --with-local-disks (and OPTIONs) of NAME from SRC to DST, with the
# crash retry and the network probe; asserts the heartbeat resumes on
# DST. Sets TB_MIG_TOTAL, TB_GAP (heartbeat gap of the move).
tb_ldisk_migrate() {
    local name=$1 src=$2 dst=$3 t0
    shift 3
    tb_migrate_run "$name" "$src" "$dst" \
        "xl-migrate-drbd --with-local-disks $* $name $dst"
    t0=$TB_MIG_T0
    TB_MIG_TOTAL=$(tb_elapsed "$t0")
    tb_report "xl-migrate-drbd --with-local-disks $name $src->$dst total_s" "$TB_MIG_TOTAL"
    grep -v '^precopy \|^switchover \|^sync ' "$TB_XL_LOG" | tail -20 || true
    tb_assert "$name heartbeat resumes on $dst" \
        tb_hb_wait "$dst" "$name" 5 "$TB_HB_TIMEOUT"
    tb_hb_gap "$name" "$t0" "$(tb_now)"
    tb_net_probe_stop "xl-migrate-drbd --with-local-disks" "$src" "$dst"
}

# tb_ldisk_start HOST NAME DST [OPTION...]: start xl-migrate-drbd
# --with-local-disks of NAME to DST in HOST's dom0, in the background;
# its output and finally "exit N" go to /tmp/xlmig-NAME.out there.
tb_ldisk_start() {
    local h=$1 name=$2 dst=$3
    shift 3
    tb_run -t 60 "$h" "rm -f /tmp/xlmig-$name.out; (setsid sh -c 'echo \$\$ > /tmp/xlmig-$name.pid;
        exec xl-migrate-drbd --with-local-disks $* $name $dst' > /tmp/xlmig-$name.out 2>&1;
        echo exit \$? >> /tmp/xlmig-$name.out) > /dev/null 2>&1 &" > /dev/null
}

# tb_ldisk_wait_sync HOST SECS: wait until a temporary resource of HOST
# (a minor other than r0's and r1's) resyncs, and a few seconds more.
tb_ldisk_wait_sync() {
    tb_ok -t $(($2 + 30)) "$1" "for i in \$(seq $(($2 * 2))); do
        awk '/^ *[0-9]+: cs:Sync/ && \$1 + 0 > 1 { f = 1 } END { exit !f }' /proc/drbd &&
            { sleep 3; exit 0; }
        sleep 0.5; done; exit 1"
}

# tb_ldisk_wait_exit HOST NAME SECS: wait for the background move's
# "exit N" line; prints N.
tb_ldisk_wait_exit() {
    tb_run -t $(($3 + 30)) "$1" "for i in \$(seq $3); do
        sed -n 's/^exit //p' /tmp/xlmig-$2.out | grep . && exit 0; sleep 1; done; exit 1"
}

# tb_ldisk_sum HOST DEV: md5 of DEV past its first 4 KiB (the guest's
# disk ticks write sector 0 only; the rest is what tb_lv_create wrote).
tb_ldisk_sum() {
    tb_run -t 300 "$1" "dd if=$2 bs=4096 skip=1 iflag=direct status=none | md5sum" |
        cut -d' ' -f1
}

# tb_ldisk_on_drbd HOST LV: LV's dm device maps onto a DRBD device.
tb_ldisk_on_drbd() { tb_run "$1" "dmsetup deps $TB_VG-$2 | grep -q '(147, '"; }
