# Test bed helpers for HVM guests (source after tb.sh).

# tb_hvm_devices HOST NAME: NAME's devices on HOST are up: its device
# model (QEMU) runs for its domain id, VNC listens on dom0's loopback,
# and its vbd and vif are connected (xenstore state 4).
tb_hvm_devices() {
    local h=$1 name=$2 domid
    domid=$(tb_run "$h" "xl domid $name" 2> /dev/null) || tb_fail "$name not on $h"
    tb_assert "$name: QEMU device model runs on $h for domain $domid" \
        tb_run "$h" "pgrep -f 'qemu-system-i386 -xen-domid $domid ' > /dev/null"
    tb_assert "$name: its VNC display listens on $h's loopback" \
        tb_run "$h" "ss -ltnp | grep -q '127.0.0.1:59.*qemu'"
    tb_assert "$name: its disk (vbd) is connected on $h" \
        tb_run "$h" "[ \"\$(xenstore-read /local/domain/0/backend/vbd/$domid/51712/state)\" = 4 ]"
    tb_assert "$name: its network (vif) is connected on $h" \
        tb_run "$h" "[ \"\$(xenstore-read /local/domain/0/backend/vif/$domid/0/state)\" = 4 ]"
}

# tb_hvm_same_boot HOST NAME BOOT: NAME's last heartbeat on HOST is of
# boot BOOT (the guest was moved, not rebooted).
tb_hvm_same_boot() {
    [ "$(tb_hb_last "$1" "$2" | awk '{ print $2 }')" = "$3" ]
}

# tb_hvm_verify_start HOST FIFO: start Xen's own stream checker on HOST
# reading FIFO, for XLMIG_TEST_TEE to write the libxl stream into as it
# is sent (a dom0 has no room to keep a guest's whole stream). The
# checker opens its input unbuffered, so that a pipe's short reads look
# like a truncated stream to it: it runs unchanged, but handed a
# buffered reader of the FIFO.
tb_hvm_verify_start() {
    local py="import sys, xen.util as u
u.open_file_or_fd = lambda v, *a, **k: open(v, 'rb')
sys.argv = ['verify-stream-v2', '-v', '-f', 'libxl', '-i', '$2']
exec(open('/usr/lib/xen-4.17/bin/verify-stream-v2').read())"
    printf '%s\n' "$py" | tb_put "$1" "$2.py" || return 1
    tb_run "$1" "rm -f $2 $2.rc $2.verify; mkfifo $2 || exit 1
        setsid sh -c 'PYTHONPATH=/usr/lib/xen-4.17/lib/python \
            python3 $2.py > $2.verify 2>&1; echo \$? > $2.rc' \
            < /dev/null > /dev/null 2>&1 &"
}

# tb_hvm_verify_done HOST FIFO: the checker started on FIFO accepted the
# whole stream (waits up to 5 minutes for it to finish reading).
tb_hvm_verify_done() {
    tb_run "$1" "for i in \$(seq 300); do [ -s $2.rc ] && break; sleep 1; done;
        grep -E 'EMULATOR|END|rror' $2.verify | tail -6;
        [ \"\$(cat $2.rc 2>/dev/null)\" = 0 ]"
}

# tb_hvm_kill_incoming_qemu HOST NAME: on HOST, kill NAME--incoming's
# QEMU the moment it appears (within 15 minutes); records that it did.
tb_hvm_kill_incoming_qemu() {
    tb_run "$1" "rm -f /run/tb-qemu-killed
        setsid sh -c 'for i in \$(seq 9000); do
            p=\$(pgrep -f \"[q]emu-system-i386 .*-name $2--incoming\") &&
                { kill -9 \$p; echo \$p > /run/tb-qemu-killed; exit 0; }
            sleep 0.1; done' < /dev/null > /dev/null 2>&1 &"
}

# tb_hvm_killed_incoming_qemu HOST: that killer did kill one.
tb_hvm_killed_incoming_qemu() {
    tb_run "$1" "[ -s /run/tb-qemu-killed ]"
}
