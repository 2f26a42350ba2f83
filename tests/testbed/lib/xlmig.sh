# Test bed helpers for xl-migrate-drbd scenarios (source after tb.sh).

# tb_xlmig_window_closed HOST RES: allow-two-primaries is off on HOST.
tb_xlmig_window_closed() {
    tb_run "$1" "drbdsetup show --show-defaults $2" |
        grep -q 'allow-two-primaries[[:space:]]*no;'
}

# tb_xlmig_migrate NAME SRC DST: xl-migrate-drbd over ssh between the
# dom0s (it opens and closes the DRBD window itself), with the usual retry
# on the known TCG crash. Sets TB_MIG_TOTAL and TB_GAP (heartbeat gap);
# the network probe (lib/net.sh) reports the network gap beside it.
tb_xlmig_migrate() {
    local name=$1 src=$2 dst=$3 t0
    TB_MIG_NAME=$name TB_MIG_SRC=$src TB_MIG_DST=$dst
    tb_net_probe_start "$src" "$name"
    t0=$(tb_now)
    tb_xl "$src" "$TB_MIGRATE_TIMEOUT" tb_migrate_cleanup \
        "xl-migrate-drbd $name $dst" ||
        tb_fail "xl-migrate-drbd $name $src -> $dst failed (log: $TB_XL_LOG)"
    TB_MIG_TOTAL=$(tb_elapsed "$t0")
    tb_report "xl-migrate-drbd $name $src->$dst total_s" "$TB_MIG_TOTAL"
    tb_assert "$name heartbeat resumes on $dst" \
        tb_hb_wait "$dst" "$name" 5 "$TB_HB_TIMEOUT"
    tb_hb_gap "$name" "$t0" "$(tb_now)"
    tb_net_probe_stop xl-migrate-drbd "$src" "$dst"
}

# tb_xlmig_assert_after NAME SRC DST RES...: the state a migration must
# leave: guest on DST only and running, DST Primary, SRC Secondary,
# windows closed on both, no token on DST, disk intact.
tb_xlmig_assert_after() {
    local name=$1 src=$2 dst=$3 r h seq
    shift 3
    tb_assert "$name runs on $dst" tb_guest_on "$dst" "$name"
    tb_assert "$name is gone from $src" eval "! tb_guest_on $src $name"
    for r in "$@"; do
        tb_assert "$r Primary on $dst" [ "$(tb_drbd_role "$dst" "$r")" = Primary ]
        tb_assert "$r Secondary on $src" [ "$(tb_drbd_role "$src" "$r")" = Secondary ]
        for h in $src $dst; do
            tb_assert "$r allow-two-primaries off on $h" tb_xlmig_window_closed "$h" "$r"
        done
    done
    tb_assert "no migration token left on $dst" \
        eval "[ -z \"\$(tb_run $dst 'ls /run/xlmig/tokens 2>/dev/null')\" ]"
    tb_assert "$name heartbeat keeps counting on $dst" tb_hb_wait "$dst" "$name" 10 60
    seq=$(tb_disk_check "$dst" "$name") ||
        tb_fail "$name disk contents did not survive (see guest console logs)"
    tb_pass "$name disk contents survived (ticks up to seq $seq on $dst)"
}
