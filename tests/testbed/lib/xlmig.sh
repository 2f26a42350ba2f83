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
# TB_XLMIG_OPTS: further options, before the guest's name; TB_XLMIG_ENV:
# NAME=VALUE words put before the command (test hooks).
tb_xlmig_migrate() {
    local name=$1 src=$2 dst=$3 t0
    tb_migrate_run "$name" "$src" "$dst" "${TB_XLMIG_ENV:+env $TB_XLMIG_ENV }\
xl-migrate-drbd ${TB_XLMIG_OPTS:-}${TB_XLMIG_OPTS:+ }$name $dst"
    t0=$TB_MIG_T0
    TB_MIG_TOTAL=$(tb_elapsed "$t0")
    tb_report "xl-migrate-drbd $name $src->$dst total_s" "$TB_MIG_TOTAL"
    tb_assert "$name: progress counts its memory ($TB_XL_LOG)" \
        tb_xlmig_progress_ok "$TB_XL_LOG"
    tb_assert "$name heartbeat resumes on $dst" \
        tb_hb_wait "$dst" "$name" 5 "$TB_HB_TIMEOUT"
    tb_hb_gap "$name" "$t0" "$(tb_now)"
    tb_net_probe_stop xl-migrate-drbd "$src" "$dst"
}

# tb_xlmig_progress_ok LOG: the progress lines of a migration's log count
# the guest's memory (the report's "for N MiB of memory"): the percent
# rises from below 99 at iteration 0 and never passes 100, and what each
# ETA implies is left (ETA x rate) is no more than the guest's memory,
# not libxc's whole pfn range. The rate is printed to 0.1 MiB/s, so the
# least rate the line can stand for (0.05 less) is the one multiplied:
# at 0.1 MiB/s shown the true rate may be half that.
tb_xlmig_progress_ok() {
    awk '
        / for [0-9.]+ MiB of memory/ {
            for (i = 1; i < NF; i++) if ($(i + 1) == "MiB" && $(i - 1) == "for")
                mem = $i
        }
        /^(precopy|switchover) +[0-9]+% iteration [0-9]+ / {
            pct = $2; sub(/%/, "", pct); pct += 0
            n++
            if (n == 1) { first = pct; firstit = $4 }
            if (pct < last) { print "progress went back: " $0; bad = 1 }
            if (pct > 100) { print "progress over 100: " $0; bad = 1 }
            last = pct
            rate = $5; eta = $8
            if (eta ~ /^[0-9:]+$/) {
                k = split(eta, t, ":"); s = 0
                for (j = 1; j <= k; j++) s = s * 60 + t[j]
                lo = rate - 0.05; if (lo < 0) lo = 0
                left[n] = s * lo; line[n] = $0
            }
        }
        END {
            if (!n) { print "no progress lines"; exit 1 }
            if (!mem) { print "no report naming the memory"; exit 1 }
            if (n > 1 && firstit == 0 && first >= 99) {
                print "starts at " first "% in iteration 0"; bad = 1 }
            for (i in left)
                if (left[i] > 1.1 * mem + 8) {
                    print "ETA implies " left[i] " MiB left of " mem ": " line[i]
                    bad = 1 }
            exit bad
        }' "$1"
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
