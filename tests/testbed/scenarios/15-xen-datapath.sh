#!/bin/bash
# tb: ci
# The memory stream over the data path, on real Xen: g1 xen1 -> xen2 over
# three TLS streams while a stranger connects to the destination's listener
# (refused; the migration goes on), back with a wrong key (refused: exit 1,
# g1 still running on xen2, nothing on xen1, r0 single-primary), then back
# over three TLS streams. Heartbeat and disk intact throughout; no listener
# of xl-migrate-drbd is left on either host.
set -euo pipefail
source "$(dirname "$0")/../lib/tb.sh"
source "$(dirname "$0")/../lib/xlmig.sh"
tb_scenario_begin

# tb_dp_no_listener HOST: no xl-migrate-drbd socket listens on HOST.
tb_dp_no_listener() {
    tb_run "$1" "! ss -Hltnp | grep -q xl-migrate-drbd"
}

# tb_dp_after LOG SRC DST: the report of LOG names three TLS streams and
# the catch-up before the suspend, and neither host has a listener left.
tb_dp_after() {
    local log=$1 src=$2 dst=$3
    tb_assert "report: three TLS streams ($log)" \
        grep -q "transport: *tls, 3 streams" "$log"
    tb_assert "report: caught up before the suspend ($log)" \
        grep -q "before suspend: *the destination caught up" "$log"
    tb_assert "no listener left on $dst" tb_dp_no_listener "$dst"
    tb_assert "no listener left on $src" tb_dp_no_listener "$src"
}

tb_reset
tb_guest_create xen1 g1 disks=r0 script=block-drbd-xlmig \
    dirty_mb_s="${TB_DIRTY_MB_S:-4}"

# There, with a stranger knocking: the test build connects once with a
# key of its own before its own streams.
TB_XLMIG_ENV=XLMIG_TEST_DATAPATH=stranger TB_XLMIG_OPTS="--streams 3" \
    tb_xlmig_migrate g1 xen1 xen2
tb_assert "the destination refused the stranger ($TB_XL_LOG)" \
    grep -q "refused a connection from" "$TB_XL_LOG"
tb_dp_after "$TB_XL_LOG" xen1 xen2
tb_xlmig_assert_after g1 xen1 xen2 r0

# Back with a wrong key: refused before anything starts on xen1.
rc=0
tb_xl xen2 "$TB_MIGRATE_TIMEOUT" tb_noop \
    "env XLMIG_TEST_DATAPATH=wrong-key xl-migrate-drbd --streams 3 g1 xen1" || rc=$?
tb_assert "a wrong key fails the migration (exit $rc, 1 wanted)" [ "$rc" = 1 ]
tb_assert "the failure names the handshake ($TB_XL_LOG)" \
    grep -q "TLS handshake failed" "$TB_XL_LOG"
tb_assert "g1 still runs on xen2" tb_guest_on xen2 g1
tb_assert "g1 heartbeat keeps counting on xen2" tb_hb_wait xen2 g1 10 60
tb_assert "nothing named g1 on xen1" tb_gone xen1 g1
tb_assert "r0 Primary on xen2" [ "$(tb_drbd_role xen2 r0)" = Primary ]
tb_assert "r0 Secondary on xen1" [ "$(tb_drbd_role xen1 r0)" = Secondary ]
tb_assert "no listener left on xen1" tb_dp_no_listener xen1

# And back over three streams.
TB_XLMIG_OPTS="--streams 3" tb_xlmig_migrate g1 xen2 xen1
tb_dp_after "$TB_XL_LOG" xen2 xen1
tb_xlmig_assert_after g1 xen2 xen1 r0
tb_ok xen1 "xl destroy g1"
tb_scenario_end
