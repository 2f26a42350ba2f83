# Test bed helpers for a guest's life cycle (source after tb.sh): power
# off, reboot and crash on request, as xl or the guest itself asks.

# tb_guest_domid HOST NAME: NAME's domain id on HOST (empty if none).
tb_guest_domid() { tb_run "$1" "xl domid $2" 2> /dev/null; }

# tb_guest_console HOST NAME TEXT: type TEXT (and Enter) on NAME's console:
# written to the pty xenconsoled holds for it. The guest's tbcmd acts on
# tb:reboot, tb:poweroff and tb:crash.
tb_guest_console() {
    tb_ok "$1" "d=\$(xl domid $2) && t=\$(xenstore-read /local/domain/\$d/console/tty) &&
        [ -c \"\$t\" ] && printf '%s\n' '$3' > \"\$t\""
}

# tb_guest_said HOST NAME SINCE TEXT: HOST logged a console line of NAME
# starting with TEXT after its dom0 time SINCE.
tb_guest_said() {
    tb_run "$1" "grep ' $2 $4' /var/log/tb/console.log | awk -v s=$3 '\$1 > s' | grep -q ."
}

# tb_guest_disk_handover HOST NAME SINCE: "OLDSEQ BOOT SEQ": the last
# tick NAME verified before its boot that started after HOST's dom0 time
# SINCE, and what that boot first read from its disk (the last record a
# boot wrote).
tb_guest_disk_handover() {
    tb_run "$1" "awk -v s=$3 -v n=$2 '\$2 == n && \$3 == \"DISK\" {
        if (\$4 == \"ok\") { sub(/seq=/, \"\", \$5); ok = \$5 }
        else if (\$4 == \"initial\" && \$1 > s) { print ok, \$6, \$7; exit } }' \
        /var/log/tb/console.log"
}

# tb_guest_restarts HOST NAME HOW RES...: NAME on HOST is restarted by HOW
# (xl-reboot: `xl reboot`; guest-reboot: `reboot` typed on its console;
# crash: sysrq c typed on its console, with on_crash="restart"): asserts
# a new domain with a new boot sends heartbeats, its disk holds what the
# old boot last wrote, the DRBD resources RES stay Primary on HOST (and
# Secondary on the other host). Reports the time to the new heartbeat.
tb_guest_restarts() {
    local h=$1 name=$2 how=$3 old_dom old_boot since t0 r other
    local okseq boot seq
    shift 3
    old_dom=$(tb_guest_domid "$h" "$name")
    old_boot=$(tb_hb_last "$h" "$name" | awk '{ print $2 }')
    [ -n "$old_dom" ] && [ -n "$old_boot" ] ||
        tb_fail "$name is not running on $h before its $how"
    since=$(tb_dom0_time "$h")
    t0=$(tb_now)
    case $how in
        xl-reboot) tb_ok "$h" "xl reboot $name" ;;
        guest-reboot) tb_guest_console "$h" "$name" tb:reboot ;;
        crash) tb_guest_console "$h" "$name" tb:crash ;;
        *) tb_die "tb_guest_restarts: unknown way '$how'" ;;
    esac
    tb_assert "$name ($how): a new boot sends heartbeats on $h" \
        tb_guest_wait_boot "$h" "$name" "$since" "$TB_HB_TIMEOUT" "$old_boot"
    tb_report "$name $how on $h: new heartbeat after s" "$(tb_elapsed "$t0")"
    [ "$how" = crash ] ||
        tb_assert "$name ($how): its init shut it down in order" \
            tb_guest_said "$h" "$name" "$since" "TBGUEST shutdown"
    tb_assert "$name ($how): boot id $old_boot -> $TB_BOOT" \
        [ "$TB_BOOT" != "$old_boot" ]
    tb_assert "$name ($how): a new domain (id $old_dom -> $(tb_guest_domid "$h" "$name"))" \
        eval "[ \"\$(tb_guest_domid $h $name)\" != $old_dom ]"
    read -r okseq boot seq < <(tb_guest_disk_handover "$h" "$name" "$since") ||
        true
    local what="TBDISK ${boot:-?} ${seq:-?}, last verified tick ${okseq:-?}"
    tb_assert "$name ($how): the new boot read the old boot's last record ($what)" \
        eval "[ '$boot' = '$old_boot' ] && [ -n '$okseq' ] &&
              { [ '$seq' = '$okseq' ] || [ '$seq' = \$(( ${okseq:-0} + 1 )) ]; }"
    tb_assert "$name ($how): heartbeat keeps counting" \
        tb_hb_wait "$h" "$name" 10 120
    seq=$(tb_disk_check "$h" "$name") ||
        tb_fail "$name ($how): disk mismatch or guest error"
    tb_pass "$name ($how): disk ticks verified up to seq $seq"
    for other in $TB_HOSTS; do [ "$other" = "$h" ] || break; done
    for r in "$@"; do
        tb_assert "$name ($how): $r Primary on $h" [ "$(tb_drbd_role "$h" "$r")" = Primary ]
        tb_assert "$name ($how): $r Secondary on $other" \
            [ "$(tb_drbd_role "$other" "$r")" = Secondary ]
    done
}

# tb_guest_powers_off HOST NAME RES...: `xl shutdown -w NAME` on HOST: the
# guest powers off, no domain is left and the hotplug script demoted its
# DRBD resources RES to Secondary.
tb_guest_powers_off() {
    local h=$1 name=$2 r t0 since
    shift 2
    since=$(tb_dom0_time "$h")
    t0=$(tb_now)
    tb_assert "$name: xl shutdown -w on $h returns 0" \
        tb_run -t 300 "$h" "xl shutdown -w $name"
    tb_report "$name xl shutdown on $h s" "$(tb_elapsed "$t0")"
    # xl's monitor destroys the shut-down domain (on_poweroff="destroy")
    tb_assert "$name: no domain left on $h" \
        tb_run -t 90 "$h" "for i in \$(seq 120); do
            xl domid $name > /dev/null 2>&1 || exit 0; sleep 0.5; done; exit 1"
    tb_assert "$name: its init powered it off (its console says so)" \
        tb_guest_said "$h" "$name" "$since" "TBGUEST shutdown"
    for r in "$@"; do
        tb_assert "$name: $r demoted to Secondary on $h by the hotplug script" \
            tb_run -t 90 "$h" "for i in \$(seq 60); do
                [ \"\$(drbdadm role $r | cut -d/ -f1)\" = Secondary ] && exit 0
                sleep 1; done; exit 1"
    done
}
