# Test bed helpers for guests on local disks (issue 18; source after
# tb.sh): the volume group on each host's spare disk, a guest whose disk
# is an LV, what a move over a temporary DRBD resource may leave behind,
# and the device-mapper swap onto such a resource done by hand
# (docs/design.md, "Local disks: the device-mapper swap, as measured").

# The temporary resource of the swap by hand: the names xl-migrate-drbd
# gives minor M (xlmig-M, xlmig-M-lower, LV xlmig-M-md), a port beside
# r0's and r1's.
TB_LD_MINOR=${TB_LD_MINOR:-10}
TB_LD_PORT=${TB_LD_PORT:-7800}

# tb_lvm_init: the volume group $TB_VG on /dev/vdc of both hosts (once
# per boot; the test bed's disks are new at every boot).
tb_lvm_init() {
    local h t0
    t0=$(tb_now)
    [ "$TB_LVM_MB" != 0 ] || tb_fail "TB_LVM_MB=0: no spare disk for $TB_VG"
    for h in $TB_HOSTS; do
        tb_ok -t 120 "$h" "modprobe dm-mod &&
            { vgs $TB_VG > /dev/null 2>&1 ||
              { pvcreate -q /dev/vdc && vgcreate -q $TB_VG /dev/vdc; }; }"
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
    tb_run "$1" "dmsetup table \$(dmsetup info -c --noheadings -o name /dev/$TB_VG/$2)"
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

# tb_ldisk_dmesg_errors HOST SINCE_LINE: I/O, DRBD and device-mapper
# errors in HOST's kernel log after line SINCE_LINE; true if none.
tb_ldisk_dmesg_errors() {
    ! tb_run "$1" "dmesg | tail -n +$(( $2 + 1 )) |
        grep -E -i 'I/O error|blk_update_request|Buffer I/O|device-mapper: .*(error|fail)|drbd.*(error|failed|IO ERROR)'"
}
