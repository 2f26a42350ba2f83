# Test bed helpers for the Xen backend's scenarios (source after tb.sh):
# xl-migrate-drbd measured the same way as the stock baseline, so that
# both print side by side.

# tb_xenbe_migrate NAME SRC DST "OPTIONS": xl-migrate-drbd NAME from SRC to
# DST (it opens and closes the DRBD window itself), then the baseline's
# checks. Sets TB_MIG_TOTAL (host clock around the command), TB_GAP (the
# largest heartbeat gap: guest-visible downtime), TB_XLMIG_DOWNTIME (what
# the tool itself measured), TB_XL_LOG. TB_XLMIG_ENV: VAR=value words
# for the tool's environment (test hooks).
tb_xenbe_migrate() {
    local name=$1 src=$2 dst=$3 opts=$4 t0 t1 seq
    tb_migrate_run "$name" "$src" "$dst" \
        "${TB_XLMIG_ENV:+env $TB_XLMIG_ENV }xl-migrate-drbd --io-timeout 300 $opts $name $dst"
    t0=$TB_MIG_T0
    t1=$(tb_now)
    grep -v '^precopy \|^switchover ' "$TB_XL_LOG" || true
    TB_MIG_TOTAL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
    TB_XLMIG_DOWNTIME=$(sed -n 's/^ *downtime: *//p' "$TB_XL_LOG" | head -1)
    tb_assert "$name runs on $dst after migration" tb_guest_on "$dst" "$name"
    tb_assert "$name is gone from $src" eval "! tb_guest_on $src $name"
    tb_assert "no $name--incoming left on $dst" \
        eval "! tb_guest_on $dst $name--incoming"
    tb_assert "$name heartbeat keeps counting on $dst" \
        tb_hb_wait "$dst" "$name" 10 60
    tb_hb_gap "$name" "$t0" "$(tb_now)"
    tb_assert "heartbeat sequence strictly increasing across the migration" \
        [ "$TB_HB_OK" = 1 ]
    tb_net_probe_stop xl-migrate-drbd "$src" "$dst"
    seq=$(tb_disk_check "$dst" "$name") ||
        tb_fail "$name disk contents did not survive (see guest console logs)"
    tb_pass "$name disk contents survived (ticks up to seq $seq on $dst)"
}

# tb_xenbe_cap_restored HOST NAME: NAME's credit2 cap is 0 (its own).
tb_xenbe_cap_restored() {
    tb_run "$1" "xl sched-credit2 -d $2" | awk 'NR == 2 { exit $4 != 0 }'
}
